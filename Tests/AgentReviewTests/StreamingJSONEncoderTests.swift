@testable import AgentReviewCore
import Foundation
import Testing

@testable import AgentReviewCLI

/// `StreamingJSONEncoder` writes what `JSONEncoder` writes with `[.sortedKeys,
/// .withoutEscapingSlashes]`, byte for byte: each value is encoded with both and compared.
@Suite struct StreamingJSONEncoderTests {
    static func foundation<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    func expectSame<Value: Encodable>(_ value: Value, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let expected = try Self.foundation(value)
        let ours = try StreamingJSONEncoder.encode(value)
        #expect(
            String(decoding: ours, as: UTF8.self) == String(decoding: expected, as: UTF8.self),
            sourceLocation: sourceLocation)
        #expect(ours == expected, sourceLocation: sourceLocation)
    }

    /// Text that needs every kind of escape, and some that needs none.
    static let awkward: [String] = [
        "",
        "plain",
        "say \"hi\"",
        "back\\slash",
        "a/b/c: slashes stay",
        "tab\there, line\nbreak, return\r, feed\u{0C}, bell\u{07}, backspace\u{08}",
        "nul \u{00} unit \u{1F} escape \u{1B} delete \u{7F}",
        "café, naïve, 日本語, emoji 🚀, combining e\u{301}",
        "line separator \u{2028} paragraph \u{2029}",
        "long run without escapes so the eight-byte scan is used: abcdefghijklmnopqrstuvwxyz0123456789",
        "\"\"\"\\\\\\",
        "ends with a quote\"",
        "1234567\"",
        "12345678\\",
    ]

    static func report(_ text: String) -> CommitReport {
        var report = CommitReport(
            commit: CommitFacts(
                id: "0123456789abcdef0123456789abcdef01234567",
                author: Identity(name: "A \(text)", email: "a@example.com"),
                committer: Identity(name: "C", email: "c@example.com"),
                subject: text,
                trailers: [Trailer(key: "Agent", value: text)],
                changes: [PathChange(.added, "docs/\(text).md")]),
            attribution: Attribution(agent: text.isEmpty ? nil : "agent \(text)", evidence: [
                Evidence(source: Evidence.trailerSource, value: "Agent: \(text)", agent: text),
            ]),
            classification: Classification(
                rank: 1,
                paths: [
                    ClassifiedPath(path: GitPath("docs/\(text).md"), rank: 0, rule: "\"docs/\" at policy.yml:3"),
                    ClassifiedPath(path: GitPath(bytes: [0x63, 0x61, 0x66, 0xE9]), rank: 1, rule: text),
                ],
                escalations: [], rule: text),
            policy: Policy(classes: [RiskClass(name: "low"), RiskClass(name: "high \(text)", approvals: 1)]))
        report.verdict = .blocked
        report.reasons = ["agent-authored", text, "class high: \(text)"]
        report.missing = [Missing(requirement: "approvals", detail: text, command: "agentreview approve 0123456789ab")]
        report.approvals = [
            ApprovalReport(approval: Signoff.Approval(reviewer: "r@example.com", comment: text, rebasedFrom: nil), meets: [text]),
            ApprovalReport(approval: Signoff.Approval(reviewer: "s@example.com", comment: nil, rebasedFrom: "fedcba"), meets: []),
        ]
        report.refused = [text]
        return report
    }

    @Test(arguments: awkward)
    func commitReports(_ text: String) throws {
        try expectSame(Self.report(text))
    }

    /// A report with every member set, so that the member-by-member writing (`ReportJSON`)
    /// is compared on each: optional members present, nested objects, a path with and one
    /// without a policy line, evidence of an agent and of a bot, a requirement with `by`.
    static func fullReport(_ text: String) -> CommitReport {
        var report = report(text)
        report.agent = "agent \(text)"
        report.bot = "bot \(text)"
        report.evidence.append(Evidence(source: Evidence.authorSource, value: text, bot: "dependabot"))
        report.paths.append(PathReport(path: "infra/\(text)", class: "high", rule: "\"infra/\" at p.yml:4", line: 4))
        report.missing.append(
            Missing(requirement: "owners", detail: text, command: "agentreview approve 0123", by: "an owner of \(text)"))
        report.approvals[0].notPushed = true
        report.approvals[0].key = "SHA256:\(text)"
        report.approvals[0].record = "abc"
        report.attribution = AttributionExplanation(
            checks: [
                .init(kind: .agent, name: text, place: .trailer, form: "Agent: \(text)", origin: "policy", matched: [text]),
                .init(kind: .bot, name: "dependabot", place: .identity, form: "x", origin: "built-in", matched: []),
            ],
            note: "no note \(text)", signature: text)
        report.contract = ContractReport(
            name: text, source: "refs/heads/main@1a2b:.agentreview/contracts/\(text).yml", goal: text, owner: "o@example.com",
            class: "low", violations: [ContractViolation(clause: "paths", path: text, detail: text, location: "line 3")])
        report.declared = DeclaredClassReport(class: text, computed: "high", status: .under, note: text)
        report.override = OverrideReport(
            override: Signoff.Override(
                signer: "oncall@example.com", reason: text, date: Date(timeIntervalSince1970: 1_800_000_000), rebasedFrom: "fedcba",
                key: "SHA256:k", record: "r"),
            satisfied: report.missing)
        report.verdict = .overridden
        report.session = "session \(text)"
        report.operator = "operator \(text)"
        return report
    }

    @Test(arguments: awkward)
    func commitReportsWithEveryMember(_ text: String) throws {
        let report = Self.fullReport(text)
        try expectSame(report)
        // Every optional member is there: a member the writer left out would go unnoticed otherwise.
        let object = try JSONSerialization.jsonObject(with: Data(try StreamingJSONEncoder.encode(report))) as? [String: Any]
        #expect(object?.count == 19)
        // Left out when nil, as `encodeIfPresent` leaves them out; in a list and nested in a judgement.
        var bare = report
        (bare.bot, bare.agent, bare.attribution, bare.contract, bare.declared, bare.override, bare.session, bare.operator) =
            (nil, nil, nil, nil, nil, nil, nil, nil)
        (bare.paths, bare.evidence, bare.missing, bare.approvals, bare.reasons, bare.refused) = ([], [], [], [], [], [])
        try expectSame(bare)
        try expectSame([report, bare, report])
        try expectSame(Judgement(ref: "refs/heads/main", mode: .enforce, policy: "p", commits: [bare, report]))
        // The report written directly (as the JSON output writes each commit) and through the generic path.
        for value in [report, bare] {
            let direct = StreamingJSONEncoder()
            try direct.encode(value)
            #expect(direct.bytes == (try StreamingJSONEncoder.encode(value)))
        }
    }

    /// An object whose largest member is most of it is reordered by moving that member in
    /// place (`moveAroundLargest`): wherever it sorts, first, between or last, and in a whole
    /// commit report touching thousands of paths.
    @Test func anObjectWithOneLargeMemberInAnyPlace() throws {
        struct Large: Encodable {
            var m: String
            var z: [String]
            var a: Int
            var b: String
        }
        struct LargeFirst: Encodable {
            var z: Int
            var a: [String]
            var y: String
        }
        let many = (0..<5_000).map { "path/\($0)/\(Self.awkward[$0 % Self.awkward.count])" }
        try expectSame(Large(m: "middle", z: many, a: 1, b: "b"))
        try expectSame(Large(m: String(repeating: "x", count: 100_000), z: ["small"], a: 2, b: "b"))
        try expectSame(LargeFirst(z: 3, a: many, y: "last"))
        try expectSame(["outer": Large(m: "m", z: many, a: 4, b: "b")])
        let report = CommitReport(
            commit: CommitFacts(
                id: "0123456789abcdef0123456789abcdef01234567", author: Identity(name: "A", email: "a@example.com"),
                committer: Identity(name: "C", email: "c@example.com"), subject: "wide",
                changes: (0..<3_000).map { PathChange(.modified, "src/\($0).c") }),
            attribution: Attribution(agent: nil, evidence: []),
            classification: Classification(
                rank: 1, paths: (0..<3_000).map { ClassifiedPath(path: GitPath("src/\($0).c"), rank: 1, rule: "\"src/\" at policy.yml:9") },
                escalations: [], rule: "src"),
            policy: Policy(classes: [RiskClass(name: "low"), RiskClass(name: "high", approvals: 1)]))
        #expect(report.paths.count == 3_000)
        try expectSame(report)
        // One encoder for many values, as the sink uses it: each stays right after a large one.
        let encoder = StreamingJSONEncoder()
        try encoder.encode(report)
        encoder.append(UInt8(ascii: ","))
        try encoder.encode(Self.report("after"))
        #expect(encoder.bytes == (try Self.foundation(report)) + [UInt8(ascii: ",")] + (try Self.foundation(Self.report("after"))))
    }

    @Test func judgementsAndARefsMembers() throws {
        let commits = Self.awkward.map(Self.report)
        try expectSame(Judgement(ref: "refs/heads/main", mode: .enforce, policy: "refs/heads/main@1a2b:.agentreview/policy.yml", commits: commits))
        try expectSame(Judgement(ref: nil, mode: .warn, policy: "policy.yml", commits: []))
        var failed = RefJudgement(ref: nil, mode: .off, policy: "p \"q\"")
        failed.fail("stopped \"here\"")
        try expectSame(failed)
    }

    @Test func strings() throws {
        for text in Self.awkward {
            try expectSame(text)
            try expectSame([text])
            try expectSame(["key": text])
        }
        // Every byte-sized scalar, alone and in a run.
        for value in 0..<256 {
            let text = String(Character(Unicode.Scalar(UInt8(value))))
            try expectSame(text)
            try expectSame("abcdefgh" + text + "ijklmnop")
        }
        // Each kind of escape at every place of strings of up to 24 bytes: the words read
        // eight bytes at a time, and the last eight read over bytes already written.
        for special in ["\"", "\\", "\n", "\u{1}", "\u{7F}", "é", "\u{2028}"] {
            for length in 1...24 {
                for place in 0..<length {
                    let text = String(repeating: "a", count: place) + special + String(repeating: "b", count: length - place - 1)
                    try expectSame(text)
                    try expectSame(special + text)
                }
            }
        }
    }

    @Test func keysAreSortedByTheirBytes() throws {
        try expectSame(["b": 1, "a": 2, "B": 3, "_": 4, "aa": 5, "a b": 6, "é": 7, "f\u{301}": 8, "z": 9, "": 10, "a\"": 11, "a\\": 12, "\u{1}": 13])
        try expectSame([2: "two", 10: "ten", -1: "minus one"])
        try expectSame([["z": [1, 2], "y": [] as [Int]], [:]])
    }

    struct Numbers: Codable {
        var int = Int.min
        var int8 = Int8.min
        var int16 = Int16.max
        var int32 = Int32.min
        var int64 = Int64.max
        var uint = UInt.max
        var uint8 = UInt8.max
        var uint16 = UInt16(0)
        var uint32 = UInt32.max
        var uint64 = UInt64.max
        var double = 0.1
        var whole = 3.0
        var negativeZero = -0.0
        var large = 1e300
        var small = 5e-324
        var float = Float(1.1)
        var wholeFloat = Float(2)
        var flag = true
        var other = false
        var none: Int? = nil
        var some: Int? = 0
    }

    @Test func numbersAndOtherScalars() throws {
        try expectSame(Numbers())
        try expectSame([1.5, -2.25, 100, 1e-7, 123456789.125])
        try expectSame(0)
        try expectSame(true)
        try expectSame([nil, 1, nil] as [Int?])
    }

    @Test func nonFiniteNumbersAreRefused() throws {
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder.encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder.encode(["x": Double.infinity]) }
    }

    @Test func foundationTypesAsJSONEncoderWritesThem() throws {
        try expectSame(["data": Data([0, 1, 2, 250, 251, 252, 253])])
        try expectSame(["url": URL(string: "https://example.com/a/b?c=d")!])
        try expectSame(["decimal": Decimal(string: "12.5")!])
        try expectSame(["date": Date(timeIntervalSinceReferenceDate: 12.25)])
    }

    /// Synthesised enums with payloads use nested containers.
    enum Shape: Codable {
        case circle(radius: Int)
        case label(String, Int)
        case empty
    }

    /// A container asked for twice, nested containers, super encoders used and unused.
    struct Custom: Encodable {
        enum Key: String, CodingKey { case zeta, alpha, nested, list, base, unused, again }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode("z", forKey: .zeta)
            var nested = container.nestedContainer(keyedBy: Key.self, forKey: .nested)
            try nested.encode(2, forKey: .zeta)
            try nested.encode(1, forKey: .alpha)
            var list = container.nestedUnkeyedContainer(forKey: .list)
            try list.encode("x")
            var inner = list.nestedContainer(keyedBy: Key.self)
            try inner.encode(true, forKey: .alpha)
            var deeper = list.nestedUnkeyedContainer()
            try deeper.encodeNil()
            try Shape.label("l", 1).encode(to: list.superEncoder())
            try Shape.circle(radius: 3).encode(to: container.superEncoder(forKey: .base))
            _ = container.superEncoder(forKey: .unused)
            var same = encoder.container(keyedBy: Key.self)
            try same.encode("a", forKey: .alpha)
            try same.encode([Shape.empty, .circle(radius: 1)], forKey: .again)
        }
    }

    /// A key encoded twice: the last value stays.
    struct Twice: Encodable {
        enum Key: String, CodingKey { case b, a }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(1, forKey: .b)
            try container.encode(2, forKey: .a)
            try container.encode(3, forKey: .b)
        }
    }

    /// Encodes nothing at all: `{}` inside another value, refused alone.
    struct Nothing: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    @Test func containersOfEveryKind() throws {
        try expectSame(Twice())
        try expectSame([Nothing()])
        try expectSame(["x": Nothing()])
        #expect(throws: EncodingError.self) { try Self.foundation(Nothing()) }
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder.encode(Nothing()) }
        try expectSame([Shape.circle(radius: 2), .label("x", 3), .empty])
        try expectSame(Custom())
        try expectSame([Custom(), Custom()])
    }

    @Test func appendsValueAfterValue() throws {
        let encoder = StreamingJSONEncoder()
        try encoder.encode(["b": 1, "a": 2])
        encoder.append(UInt8(ascii: ","))
        try encoder.encode(Self.report("x"))
        let expected = try Self.foundation(["b": 1, "a": 2]) + [UInt8(ascii: ",")] + Self.foundation(Self.report("x"))
        #expect(encoder.bytes == expected)
        encoder.removeAll()
        #expect(encoder.bytes.isEmpty)
    }

    /// Starting over keeps the buffer of an ordinary report, not that of a huge one.
    @Test func aHugeValuesBufferIsNotKept() throws {
        let encoder = StreamingJSONEncoder()
        try encoder.encode(Self.report("x"))
        let ordinary = encoder.bytes.capacity
        encoder.removeAll()
        #expect(encoder.bytes.capacity == ordinary)
        try encoder.encode(String(repeating: "x", count: StreamingJSONEncoder.keptCapacity * 2))
        #expect(encoder.bytes.count == StreamingJSONEncoder.keptCapacity * 2 + 2)
        encoder.removeAll()
        #expect(encoder.bytes.capacity < StreamingJSONEncoder.keptCapacity)
        // The next value is written whole, in a buffer grown again.
        try encoder.encode(Self.report("y"))
        #expect(encoder.bytes == (try Self.foundation(Self.report("y"))))
    }
}
