import AgentReviewTestSupport
import Foundation
import Testing

/// The binary links FoundationEssentials only: not the rest of Foundation, CoreFoundation,
/// FoundationInternationalization or the ICU data behind them, whose relocation and start
/// cost every process (a git hook's included) a millisecond and a half. Whatever brings one
/// of them back (an `import Foundation`, a dependency that imports it) fails here, by the
/// real `nm` over the built binary.
@Suite struct FoundationFreeTests {
    static let nm = ["/usr/bin/nm", "/bin/nm"].first { FileManager.default.isExecutableFile(atPath: $0) }

    #if os(Linux)
    static let linux = true
    #else
    static let linux = false  // on macOS, Foundation is the system's, loaded anyway
    #endif

    @Test(.enabled(if: linux && nm != nil)) func neitherFoundationNorCoreFoundationNorICUIsLinkedIn() throws {
        let symbols = try Sandbox.run(Self.nm!, [Sandbox.binary.path], in: Sandbox.binary.deletingLastPathComponent()).stdout
        // FoundationEssentials is: the check would pass on a binary nm could not read.
        #expect(symbols.contains("$s20FoundationEssentials"))
        for (name, marker) in [
            ("Foundation", "$s10Foundation"), ("FoundationInternationalization", "$s28FoundationInternationalization"),
            ("CoreFoundation", " CFRetain\n"), ("ICU", " swift_u_strlen\n"), ("Yams", "$s4Yams"),
        ] {
            #expect(!symbols.contains(marker), "\(name) is linked in")
        }
    }
}
