@testable import AgentReviewGit
import Testing

/// Object ids read from hex, as commit headers and the command line give them.
@Suite struct ObjectIDTests {
    /// Every byte in every position: a hex digit of either case is read as its value, and
    /// any other byte makes the id nil.
    @Test func everyByteIsReadAsAHexDigitOrRefused() {
        let digits = Array("0123456789abcdef".utf8)
        for position in 0..<40 {
            for byte in UInt8.min...UInt8.max {
                var text = (0..<40).map { digits[($0 * 7) % 16] }
                text[position] = byte
                let id = ObjectID(hexBytes: text)
                guard let value = UInt8(String(UnicodeScalar(byte)), radix: 16) else {
                    #expect(id == nil, "byte \(byte) at \(position)")
                    continue
                }
                var expected = text.map { String(UnicodeScalar($0)).lowercased() }.joined()
                expected = String(expected.prefix(position)) + String(value, radix: 16) + String(expected.dropFirst(position + 1))
                #expect(id?.description == expected, "byte \(byte) at \(position)")
            }
        }
    }

    @Test func onlyFortyDigitsMakeAnID() {
        let forty = String(repeating: "ab", count: 20)
        #expect(ObjectID(hex: forty)?.description == forty)
        #expect(ObjectID(hex: String(forty.dropLast())) == nil)
        #expect(ObjectID(hex: forty + "a") == nil)
        #expect(ObjectID(hex: "") == nil)
        #expect(ObjectID(hex: forty.uppercased())?.description == forty)
    }
}
