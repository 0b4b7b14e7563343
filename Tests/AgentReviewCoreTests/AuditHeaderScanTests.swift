import Foundation
import Testing

@testable import AgentReviewCore

/// `AuditHeaderScan` reads an audit line's chaining members without `JSONDecoder`, and must
/// never read one differently: where it answers, `JSONDecoder` answers the same; where it
/// is not sure, it answers nil and the decoder reads the line, as before.
@Suite struct AuditHeaderScanTests {
    static func decoded(_ line: [UInt8]) -> AuditChain.Header? {
        try? JSONDecoder().decode(AuditChain.Header.self, from: Data(line))
    }

    static func scanned(_ text: String) -> AuditChain.Header? {
        AuditHeaderScan.header(Array(text.utf8)[...])
    }

    /// Lines as the log holds them: a segment's entries, and segment starts naming a torn
    /// line (with and without the entry before it).
    static func lines() throws -> [[UInt8]] {
        var lines = AuditChainTests.lines(try AuditChainTests.log(3))
        var bare = AuditFixture.entry([], time: Date(timeIntervalSince1970: 0))
        bare.pusher = nil
        for after in [
            AuditEntry.Torn(sha256: AuditChain.emptyHash, bytes: 7, chain: String(repeating: "a", count: 32), seq: 4),
            AuditEntry.Torn(sha256: AuditChain.emptyHash, bytes: 1, chain: nil, seq: nil),
        ] {
            let next = AuditChain.Next(chain: String(repeating: "b", count: 32), seq: 1, prev: AuditChain.emptyHash, after: after, newlineFirst: false)
            lines.append(Array(try AuditChain.line(for: bare, chained: next).dropLast()))
        }
        return lines
    }

    @Test func linesAsWrittenAreReadAsJSONDecoderReadsThem() throws {
        for line in try Self.lines() {
            let scanned = AuditHeaderScan.header(line[...])
            #expect(scanned != nil, "\(String(decoding: line, as: UTF8.self))")
            #expect(scanned == Self.decoded(line))
        }
    }

    /// Every line one edit away from a real one (a byte deleted, replaced or inserted, with
    /// the bytes JSON's syntax turns on and some that are not UTF-8), and every prefix:
    /// where the scan answers, it answers as `JSONDecoder` does.
    @Test func mutatedLinesAreReadAsJSONDecoderReadsThemOrLeftToIt() throws {
        let bytes = Array(#"{}[]",:\01-.eE+ tnu"#.utf8) + [0x01, 0x7F, 0xC3, 0xFF]
        var answered = 0, mutants = 0
        for line in try Self.lines().suffix(3) {
            var variants: [[UInt8]] = []
            for position in 0...line.count {
                variants.append(Array(line[..<position]))
                for byte in bytes {
                    var inserted = line
                    inserted.insert(byte, at: position)
                    variants.append(inserted)
                    guard position < line.count, line[position] != byte else { continue }
                    var replaced = line
                    replaced[position] = byte
                    variants.append(replaced)
                }
                if position < line.count {
                    var deleted = line
                    deleted.remove(at: position)
                    variants.append(deleted)
                }
            }
            for variant in variants {
                mutants += 1
                guard let scanned = AuditHeaderScan.header(variant[...]) else { continue }
                answered += 1
                let decoded = Self.decoded(variant)
                #expect(scanned == decoded, "\(String(decoding: variant, as: UTF8.self))")
            }
        }
        // Most edits in a string's text leave a line the scan still reads itself.
        #expect(answered > mutants / 4, "\(answered) of \(mutants)")
    }

    static let entry = #""chain":"0123456789abcdef0123456789abcdef","prev":"e3b0","seq":2,"v":1"#

    /// Lines the scan reads itself: JSON's whitespace, members it skips of every kind, a
    /// null `after`.
    @Test(arguments: [
        " {\(entry)} ",
        "{\t\(entry),\r\n\"after\" : null }",
        #"{"x":[1,-0.5e+3,{"y":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"},[],{}],"z":true,"w":false,"n":null,"#  + entry + "}",
        "{\(entry),\"after\":{\"sha256\":\"ab\",\"bytes\":0,\"chain\":null,\"seq\":null,\"more\":[1]}}",
        "{\(entry),\"commits\":\"é 😀\"}",
    ])
    func readsPlainlyWrittenLines(_ text: String) {
        let scanned = Self.scanned(text)
        #expect(scanned != nil)
        #expect(scanned == Self.decoded(Array(text.utf8)))
    }

    /// Lines it leaves to `JSONDecoder`: what the decoder reads leniently or differently
    /// (numbers with a fraction, escapes, a key twice, which it reads first-wins), and what
    /// is not JSON at all.
    @Test(arguments: [
        #"{"chain":"0123456789abcdef0123456789abcdef","prev":"e3b0","seq":2.0,"v":1}"#,
        #"{"chain":"0123456789abcdef0123456789abcdef","prev":"e3b0","seq":2e0,"v":1}"#,
        #"{"chain":"0123456789abcdef0123456789abcdef","prev":"e3\u0062","seq":2,"v":1}"#,
        #"{"ch\u0061in":"0123456789abcdef0123456789abcdef","prev":"e3b0","seq":2,"v":1}"#,
        #"{"chain":"0123456789abcdef0123456789abcdef","prev":"e3b0","seq":2,"seq":3,"v":1}"#,
        #"{"chain":"0123456789abcdef0123456789abcdef","prev":"e3b0","seq":9223372036854775808,"v":1}"#,
        #"{"chain":"0123456789abcdef0123456789abcdef","prev":"e3b0","seq":02,"v":1}"#,
        "{\(entry),\"x\":[1,]}",
        "{\(entry),\"x\":\"\u{01}\"}",
        "{\(entry),\"x\":\"\\a\"}",
        "{\(entry),\"x\":\"\\ud800\"}",
        "{\(entry),\"x\":\"\\udc00\\ud800\"}",
        "{\(entry),\"x\":-}",
        "{\(entry),\"x\":nul}",
        "{\(entry)}\u{0B}",
        "{\(entry)",
        "\u{FEFF}{\(entry)}",
        "{\(entry),\"x\":\(String(repeating: "[", count: 40))\(String(repeating: "]", count: 40))}",
        "{\(entry),\"after\":{\"bytes\":1}}",
        "{\(entry),\"after\":[]}",
        #"{"chain":"0123456789abcdef0123456789abcdef","prev":"e3b0","seq":2}"#,
        #"{"chain":null,"prev":"e3b0","seq":2,"v":1}"#,
        #"[1]"#,
    ])
    func leavesTheRestToJSONDecoder(_ text: String) {
        #expect(Self.scanned(text) == nil)
    }

    @Test func invalidUTF8IsLeftToJSONDecoder() {
        var line = Array("{\(Self.entry),\"x\":\"ab\"}".utf8)
        #expect(AuditHeaderScan.header(line[...]) != nil)
        line[line.count - 3] = 0xFF
        #expect(AuditHeaderScan.header(line[...]) == nil)
    }
}
