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
        for text in texts where YAMLPlainScalar.kind(of: text).rawValue != yams(text).rawValue {
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
        ("1\n\r", .str), ("1\n\u{301}", .str), ("null\r\n", .null), ("1\u{85}\u{85}", .str), ("\r\n", .null), ("1\r\r\n", .str),
        ("high", .str), ("٣", .str), ("１", .str), ("src/**", .str), ("1 000", .str),
    ]

    @Test(arguments: written)
    func readsAsYAML11(_ text: String, _ kind: Yams.Tag.Name) {
        #expect(YAMLPlainScalar.kind(of: text).rawValue == kind.rawValue, "\(text.debugDescription)")
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

    /// Yams's `Int.construct`, for what it answers without trapping: a sexagesimal integer
    /// whose places overflow traps in it (`YAMLPlainScalar.integer` answers nil).
    private func yamsInteger(_ text: String) -> Int? {
        Int.construct(from: Node.Scalar(text, Yams.Tag(.implicit, .default), .plain))
    }

    /// `integer` answers as Yams's `Int.construct`: every text of up to four of these
    /// characters (each form, its prefixes and signs, misplaced), longer ones drawn from the
    /// pieces of each form, and the edges of `Int`.
    @Test func integersAsYamsReadsThem() {
        let alphabet = ["0", "1", "7", "8", "9", "a", "F", "_", "-", "+", "x", "b", "o", ":", ".", "é", "\u{301}", " "]
        var texts = [
            "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "1_000_000",
            "0x7fffffffffffffff", "0x8000000000000000", "-0x8000000000000000", "-0x8000000000000001", "0b" + String(repeating: "1", count: 63),
            "0b" + String(repeating: "1", count: 64), "0o777777777777777777777", "0777777777777777777777", "01000000000000000000000",
            "190:20:30", "-1:30", "+1:30", "1:-30", "1:+30", "1:30:", ":30", "1::30", "0:30", "01:30", "1_0:3_0", "59:59:59:59:59:59:59:59:59:59",
            "0x-5", "0x+5", "-0x-5", "0b-1", "0o+7", "+-1", "-+1", "", "_", "-_0", "0_", "0x_", "-0", "+0", "00", "-00",
            "-\u{301}1", "+\u{301}1", "1:\u{301}30", "0x\u{301}1", "e\u{301}", "١٢", "１２",
        ]
        var layer = [""]
        for _ in 1...4 {
            layer = layer.flatMap { prefix in alphabet.map { prefix + $0 } }
            texts += layer
        }
        let pieces = ["0", "1", "12", "59", "60", "99", "0x", "0b", "0o", "-", "+", "_", ":", "f", "7"]
        var random = SplitMix64(seed: 29)
        for _ in 0..<20_000 {
            texts.append((0..<Int.random(in: 1...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined())
        }
        var answered = 0
        var mismatches: [String] = []
        for text in texts {
            let ours = YAMLPlainScalar.integer(text)
            if ours != nil { answered += 1 }
            if ours != yamsInteger(text), mismatches.count < 20 {
                mismatches.append("\(text.debugDescription): ours \(String(describing: ours)), Yams \(String(describing: yamsInteger(text)))")
            }
        }
        #expect(mismatches == [])
        #expect(answered > 5_000, "\(answered)")
        #expect(YAMLPlainScalar.integer("0x1F") == 31)
        #expect(YAMLPlainScalar.integer("-0b1_0") == -2)
        #expect(YAMLPlainScalar.integer("017") == 15 && YAMLPlainScalar.integer("0o17") == 15)
        #expect(YAMLPlainScalar.integer("190:20:30") == 685_230)
        #expect(YAMLPlainScalar.integer("9223372036854775807") == Int.max)
    }

    /// Where Yams traps (a sexagesimal integer that overflows), nil: "too large".
    @Test(arguments: ["1" + String(repeating: ":0", count: 11), "9223372036854775807:0", "-9223372036854775808:0", "99999999999:0:0:0:0:0"])
    func sexagesimalOverflowIsNoInteger(_ text: String) {
        #expect(YAMLPlainScalar.integer(text) == nil)
    }

    /// The tags are Yams's, name for name.
    @Test func tagsAreNamedAsYamsNamesThem() {
        let pairs: [(YAMLTag, Yams.Tag.Name)] = [
            (.implicit, .implicit), (.nonSpecific, .nonSpecific), (.str, .str), (.seq, .seq), (.map, .map), (.bool, .bool),
            (.float, .float), (.null, .null), (.int, .int), (.merge, .merge), (.timestamp, .timestamp), (.value, .value),
        ]
        for (ours, yams) in pairs {
            #expect(ours.rawValue == yams.rawValue)
        }
    }

    @Test(arguments: [("yes", true), ("On", true), ("TRUE", true), ("no", false), ("OFF", false), ("False", false)])
    func readsBools(_ text: String, _ value: Bool) {
        #expect(YAMLPlainScalar.bool(text) == value)
    }
}
