@testable import AgentReviewCLI
import AgentReviewSupport
import Foundation
import Testing

/// The shell quoting `agentreview doctor` prints and SARIF's URI references, written without
/// Foundation's `CharacterSet`: checked against what a real shell reads and what Foundation encodes.
@Suite struct TextEncodingTests {
    static let words = ["plain", "with space", "it's", "x'\u{301}; touch pwned", "$(id)", "`id`", "a\nb", "", "ünïcode", "-n", "~/path", "a\"b", "back\\slash"]

    /// `sh -c 'printf %s WORD'` prints the word back, byte for byte: nothing in it was read as shell.
    @Test(arguments: words) func aQuotedWordIsOneWordToTheShell(_ word: String) throws {
        let printed = try Subprocess.run("/bin/sh", ["-c", "printf %s " + shellQuoted(word)])
        #expect(printed.status == 0)
        #expect(printed.stdout == Data(word.utf8))
    }

    @Test(arguments: ["src/main.swift", "a b/c#d?e", "dir:with:colons/x", "ümlaut/ß", "50%/[x]@y;z", "!$&'()*+,=-._~", "\u{1F600}.txt", "a\u{301}"])
    func aURIAsFoundationEncodesIt(_ path: String) {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ":;?#[]@%")
        #expect(SARIFSink.uri(path) == path.addingPercentEncoding(withAllowedCharacters: allowed))
    }
}
