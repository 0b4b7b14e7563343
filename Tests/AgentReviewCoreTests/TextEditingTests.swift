@testable import AgentReviewCore
import Foundation
import Testing

/// `trimming(_:)` and `replacingAll(_:with:)` stand in for Foundation's, which are not in
/// FoundationEssentials: checked against Foundation's own here, scalar by scalar.
@Suite struct TextEditingTests {
    static let texts = [
        "", " ", "plain", "  both  ", "\ttabbed\t", "\n\nlines\r\n", " \u{85}next line\u{85} ", "\u{2028}separators\u{2029}",
        "\u{A0}\u{2003}wide\u{3000}", " \u{301}combining ", "\u{200B}zero width\u{200B}", "inner  space", "\u{B}\u{C}feeds\u{C}",
        "é\u{301} ", "\r\n", " \u{1680}ogham",
    ]

    @Test(arguments: texts) func trimmingAsFoundationTrims(_ text: String) {
        #expect(text.trimming(.whitespaces) == text.trimmingCharacters(in: .whitespaces))
        #expect(text.trimming(.whitespacesAndNewlines) == text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Every scalar of the first two planes' spaces and controls, alone and around a letter.
    @Test func trimmingEveryWhiteSpaceScalarAsFoundation() {
        for value in Array(0...0x3000) + [0xFEFF] {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "\(scalar)a\(scalar)"
            #expect(text.trimming(.whitespaces) == text.trimmingCharacters(in: .whitespaces), "U+\(String(value, radix: 16))")
            #expect(text.trimming(.whitespacesAndNewlines) == text.trimmingCharacters(in: .whitespacesAndNewlines), "U+\(String(value, radix: 16))")
        }
    }

    @Test(arguments: [
        ("it's", "'", "'\\''"), ("\r\n", "\n", "\\n"), ("\r\n", "\r", "\\r"), ("aaa", "aa", "b"),
        ("refs/heads/main", "refs/heads/", ""), ("none", "x", "y"), ("@A@ and @A@", "@A@", "/bin/agentreview"), ("é", "e", "x"),
        ("", "a", "b"), ("a|b|", "|", "\\|"),
    ])
    func replacingAllAsFoundationReplaces(_ text: String, _ target: String, _ replacement: String) {
        #expect(text.replacingAll(target, with: replacement) == text.replacingOccurrences(of: target, with: replacement))
    }

    /// A quote followed by a combining mark is one `Character` but still a quote to the shell:
    /// it is replaced, where `replacing(_:with:)` (by `Character`) and Foundation's
    /// `replacingOccurrences` both leave it (`shellQuoted` relied on the latter: a word with
    /// such a quote came out of its quotes; `TextEncodingTests` runs the shell on one).
    @Test func aQuoteBeforeACombiningMarkIsStillReplaced() {
        let text = "x'\u{301}; rm -rf /"
        #expect(text.replacingAll("'", with: "Q").unicodeScalars.contains("'") == false)
    }

    /// Joining is concatenation, byte for byte: empty parts, results that fit a small string
    /// and ones that do not, non-ASCII text, and a part that is a slice of a longer string.
    @Test func joiningIsConcatenation() {
        let parts = Self.texts + ["a", "0123456789abcde", "0123456789abcdef", String(repeating: "é", count: 40), String("prefix-and-rest".dropFirst(7))]
        for first in parts {
            for second in parts.prefix(8) {
                let joined = String(joining: first, " <", second, ">")
                #expect(Array(joined.utf8) == Array((first + " <" + second + ">").utf8), "\(first) \(second)")
            }
        }
        #expect(String(joining: "", "") == "")
    }
}
