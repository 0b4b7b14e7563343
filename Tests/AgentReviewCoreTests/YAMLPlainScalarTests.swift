import AgentReviewTestSupport
import Testing
import Yams

@testable import AgentReviewCore

/// `YAMLPlainScalar` replaces Yams's default resolver for plain scalars: every answer must
/// be the one Yams's own regular expressions give.
struct YAMLPlainScalarTests {
    /// What Yams's default resolver reads a plain scalar as.
    private func yams(_ text: String) -> Yams.Tag.Name {
        Resolver.default.resolveTag(of: Node.scalar(Node.Scalar(text, Yams.Tag(.implicit, .default), .plain)))
    }

    private func mismatches(_ texts: some Sequence<String>) -> [String] {
        var found: [String] = []
        for text in texts where YAMLPlainScalar.kind(of: text) != yams(text) {
            found.append("\(text.debugDescription): ours \(YAMLPlainScalar.kind(of: text).rawValue), Yams \(yams(text).rawValue)")
            if found.count == 20 { break }
        }
        return found
    }

    /// Each form of each rule, near misses, and the line terminators ICU's `$` matches before.
    static let written: [(String, Yams.Tag.Name)] = [
        ("yes", .bool), ("No", .bool), ("TRUE", .bool), ("off", .bool), ("On", .bool), ("oN", .str), ("tRue", .str), ("y", .str),
        ("0", .int), ("-0", .int), ("+12", .int), ("1_000", .int), ("0b1010", .int), ("-0b1_0", .int), ("0b", .str), ("0b2", .str),
        ("017", .int), ("0o17", .int), ("0o", .str), ("08", .float), ("0x1F", .int), ("0x_a", .int), ("0xg", .str), ("0x", .str),
        ("190:20:30", .int), ("1:5", .int), ("1:60", .str), ("1:059", .str), ("0:30", .str), ("1_0:30", .int), (":30", .str),
        ("1.5", .float), ("-1.", .float), ("1e5", .float), ("1.5e-3", .float), ("1E+2", .float), ("1e", .str), (".5", .float),
        (".5e+3", .float), (".5e3", .str), ("._", .float), (".", .str), ("190:20:30.15", .float), ("1:2.", .float),
        (".inf", .float), ("-.Inf", .float), ("+.INF", .float), (".iNf", .str), (".nan", .float), (".NaN", .float), ("-.nan", .str),
        ("<<", .merge), ("<", .str), ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null), ("", .null), ("nULL", .str),
        ("2002-12-14", .timestamp), ("2002-1-14", .str), ("2001-12-14t21:59:43.10-05:00", .timestamp),
        ("2001-12-14 21:59:43.10 -5", .timestamp), ("2001-12-15T02:59:43.1Z", .timestamp), ("2001-12-15 2:59:43.10", .timestamp),
        ("2001-1-5 \t 2:59:43", .timestamp), ("2001-12-15T02:59:43 Z", .timestamp), ("2001-12-15T02:59:43+5:00", .timestamp),
        ("2001-12-15T02:59:43+05:0", .str), ("2001-12-15T02:59:4", .str), ("2001-12-15T02:59:43 ", .str), ("20011-12-15", .str),
        ("=", .value), ("==", .str),
        ("true\n", .bool), ("1\r\n", .int), ("~\u{2028}", .null), ("null\u{85}", .null), ("1.5\r", .float), ("1\n\n", .str),
        ("\n", .null), ("1\u{0B}", .int), ("1\u{0C}", .int), ("yes\u{2029}", .bool),
        ("high", .str), ("٣", .str), ("１", .str), ("src/**", .str), ("1 000", .str),
    ]

    @Test(arguments: written)
    func readsAsYAML11(_ text: String, _ kind: Yams.Tag.Name) {
        #expect(YAMLPlainScalar.kind(of: text) == kind, "\(text.debugDescription)")
        #expect(yams(text) == kind, "Yams: \(text.debugDescription)")
    }

    /// Every text of up to three characters from the bytes the rules are written in.
    @Test func agreesWithYamsOnEveryShortText() {
        let alphabet = ["0", "1", "5", "7", "9", "_", "-", "+", ".", ":", "e", "E", "b", "o", "x", "a", "f", "n", "i", "Z", "T", " ", "~", "<", "="]
        var texts = [""]
        var layer = [""]
        for _ in 1...3 {
            layer = layer.flatMap { prefix in alphabet.map { prefix + $0 } }
            texts += layer
        }
        #expect(texts.count > 16_000)
        #expect(mismatches(texts) == [])
    }

    /// Longer texts from the pieces of numbers, times and dates, seeded.
    @Test func agreesWithYamsOnLongerTexts() {
        let pieces = ["0", "12", "1", "2001", "-", "+", ".", ":", "e", "E", "_", "Z", "T", "t", " ", "\t", "inf", "nan", "0x", "0b", "0o",
                      "14", "59", "60", "05", "2001-12-14", "21:59:43", "\n", "NaN", "1F"]
        var random = SplitMix64(seed: 17)
        var texts: [String] = []
        for _ in 0..<20_000 {
            let count = Int.random(in: 1...7, using: &random)
            texts.append((0..<count).map { _ in pieces.randomElement(using: &random)! }.joined())
        }
        // The corpus reaches the rules with long forms.
        #expect(Set(texts.map(yams)).isSuperset(of: [.int, .float, .timestamp, .str]))
        #expect(mismatches(texts) == [])
    }

    /// `decimal` answers as Yams's `Node.int` does wherever it answers, and answers every plain
    /// decimal integer: every text of up to five of these characters, and the edges of `Int`.
    @Test func decimalIntegersAsYamsReadsThem() {
        let alphabet = ["0", "1", "7", "9", "_", "-", "+", "x", "b", "o", ":", "."]
        var texts = ["9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "1_000_000"]
        var layer = [""]
        for _ in 1...5 {
            layer = layer.flatMap { prefix in alphabet.map { prefix + $0 } }
            texts += layer
        }
        var answered = 0
        for text in texts {
            let yams = Node.scalar(Node.Scalar(text, Yams.Tag(.implicit, .default), .plain)).int
            guard let ours = YAMLPlainScalar.decimal(text) else {
                // Left to Yams: never a plain decimal (no leading zero, digits and underscores only).
                let bare = text.filter { $0 != "_" }.drop { $0 == "-" || $0 == "+" }
                #expect(!(bare.first.map { ("1"..."9").contains($0) } ?? false) || !bare.allSatisfy { ("0"..."9").contains($0) } || yams == nil, "\(text)")
                continue
            }
            answered += 1
            #expect(ours == yams, "\(text.debugDescription): ours \(ours), Yams \(String(describing: yams))")
        }
        #expect(answered > 2_000)
        #expect(YAMLPlainScalar.decimal("9223372036854775807") == Int.max)
        #expect(YAMLPlainScalar.decimal("-1_0") == -10)
        #expect(YAMLPlainScalar.decimal("0") == 0)
    }

    @Test(arguments: [("yes", true), ("On", true), ("TRUE", true), ("no", false), ("OFF", false), ("False", false)])
    func readsBools(_ text: String, _ value: Bool) {
        #expect(YAMLPlainScalar.bool(text) == value)
    }
}
