import AgentReviewCore
import Crypto
import Foundation
import Testing

/// Audit entries as RFC 5424 messages: the header, the structured data and its escaping,
/// the BOM before the JSON line, and what is sent instead when an entry is too long.
@Suite struct SyslogMessageTests {
    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    static let time = "2026-11-28T15:04:05.123Z"

    /// An entry as the pre-receive hook makes it, chained.
    static func entry(
        verdict: Verdict = .pass, error: String? = nil, source: String = "pre-receive", ref: String? = "refs/heads/main",
        pusher: String? = "alice", commits: Int = 2, counts: String = #"{"blocked":0,"overridden":0,"pass":2,"warn":0}"#
    ) throws -> AuditEntry {
        let context = AuditEntry.Context(
            time: Date(timeIntervalSince1970: 0), source: source, repository: "/srv/git/project.git",
            old: String(repeating: "1", count: 40), new: String(repeating: "2", count: 40),
            pusher: pusher.map { AuditEntry.Pusher(name: $0, from: "GL_USERNAME") })
        var entry = AuditEntry(RefJudgement(ref: ref, mode: .enforce, policy: nil), commits: [], context: context)
        entry.time = time
        entry.chain = "c0ffee"
        entry.seq = 7
        entry.prev = String(repeating: "a", count: 64)
        entry.verdict = verdict
        entry.error = error
        entry.counts = try JSONDecoder().decode(VerdictCounts.self, from: Data(counts.utf8))
        entry.commits = try (0..<commits).map { try commit($0) }
        return entry
    }

    static func commit(_ index: Int) throws -> AuditEntry.Commit {
        let id = String(format: "%040x", index)
        let json = #"""
            {"id":"\#(id)","agent":"claude-code","evidence":["trailer Co-Authored-By: Claude <noreply@anthropic.com>"],
             "class":"medium","verdict":"pass","approvals":[{"reviewer":"bob@example.com","key":"SHA256:abc","record":"r1"}],
             "missing":[]}
            """#
        return try JSONDecoder().decode(AuditEntry.Commit.self, from: Data(json.utf8))
    }

    /// The line the audit file holds: sorted keys, slashes as they are.
    static func line(_ entry: AuditEntry) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(entry))
    }

    static func message(_ entry: AuditEntry, maxBytes: Int = SyslogMessage.defaultMaxBytes) throws -> [UInt8] {
        SyslogMessage.rfc5424(entry, line: try line(entry), host: "git1", processID: 4242, maxBytes: maxBytes)
    }

    static func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    /// What follows the structured data's `] ` and the BOM.
    static func body(_ message: [UInt8]) throws -> [UInt8] {
        let marker: [UInt8] = Array("] ".utf8) + bom
        let start = try #require(
            (0...(message.count - marker.count)).first { Array(message[$0..<$0 + marker.count]) == marker }, "no '] BOM' in the message")
        return Array(message[(start + marker.count)...])
    }

    @Test func exactMessage() throws {
        let entry = try Self.entry()
        let line = try Self.line(entry)
        let expected =
            Array(
                #"<38>1 2026-11-28T15:04:05.123Z git1 agentreview 4242 ref-update [agentreview@32473 ref="refs/heads/main" verdict="pass" mode="enforce" pusher="alice" chain="c0ffee" seq="7" commits="2" overridden="0" blocked="0"] "#
                    .utf8) + Self.bom + line
        #expect(try Self.message(entry) == expected)
    }

    @Test(arguments: [
        (Verdict.pass, nil as String?, "<38>"),  // auth.info
        (.overridden, nil, "<37>"),  // auth.notice: a break-glass stands out
        (.warn, nil, "<36>"),  // auth.warning
        (.blocked, nil, "<36>"),  // auth.warning
        (.blocked, "git: object not found", "<35>"),  // auth.err
        (.warn, "time limit", "<35>"),
    ])
    func priority(verdict: Verdict, error: String?, pri: String) throws {
        let message = try Self.message(try Self.entry(verdict: verdict, error: error))
        #expect(String(decoding: message.prefix(pri.utf8.count + 2), as: UTF8.self) == pri + "1 ")
    }

    @Test func messageIDs() throws {
        let header = { (source: String) throws -> [Substring] in
            String(decoding: try Self.message(try Self.entry(source: source)), as: UTF8.self).split(separator: " ", maxSplits: 6)
        }
        #expect(try header("pre-receive")[5] == "ref-update")
        #expect(try header("check")[5] == "check")
        #expect(try header("pre-receive")[1] == "2026-11-28T15:04:05.123Z")
        #expect(try header("pre-receive")[3] == "agentreview")
    }

    @Test func timestampIsTheEntrysOrNil() throws {
        var entry = try Self.entry()
        for (time, expected) in [
            ("2026-11-28T15:04:05Z", "2026-11-28T15:04:05Z"),
            ("2026-11-28T15:04:05.123456+02:00", "2026-11-28T15:04:05.123456+02:00"),
            ("2026-11-28T15:04:05.1234567Z", "-"),
            ("2026-11-28 15:04:05Z", "-"),
            ("", "-"),
        ] {
            entry.time = time
            let fields = String(decoding: SyslogMessage.rfc5424(entry, line: [], host: "h", processID: 1, maxBytes: 8192), as: UTF8.self)
                .split(separator: " ")
            #expect(fields[1] == expected, "\(time)")
        }
    }

    @Test func absentMembersAreLeftOutOfTheStructuredData() throws {
        var entry = try Self.entry(ref: nil, pusher: nil)
        entry.mode = nil
        let sd = String(decoding: SyslogMessage.structuredData(of: entry), as: UTF8.self)
        #expect(sd == #"[agentreview@32473 verdict="pass" chain="c0ffee" seq="7" commits="2" overridden="0" blocked="0"]"#)
    }

    @Test(arguments: [
        (#"plain"#, #"plain"#),
        (#"a"b"#, #"a\"b"#),
        (#"a\b"#, #"a\\b"#),
        (#"a]b"#, #"a\]b"#),
        (#"[x]"#, #"[x\]"#),
        (#"\"]"#, #"\\\"\]"#),
        ("a b=c", "a b=c"),
        ("jürgen 日本", "jürgen 日本"),
    ])
    func parameterValueEscaping(value: String, escaped: String) {
        #expect(SyslogMessage.escapeParameterValue(value) == escaped)
    }

    @Test func escapedValuesInTheStructuredData() throws {
        let entry = try Self.entry(ref: #"refs/heads/a]b"#, pusher: #"ann "the \ admin""#)
        let sd = String(decoding: SyslogMessage.structuredData(of: entry), as: UTF8.self)
        #expect(sd.hasPrefix(#"[agentreview@32473 ref="refs/heads/a\]b" verdict="pass" mode="enforce" pusher="ann \"the \\ admin\"" chain="#))
    }

    @Test func sdNames() {
        #expect(SyslogMessage.sdName("ref") == "ref")
        #expect(SyslogMessage.sdName("agentreview@32473") == "agentreview@32473")
        #expect(SyslogMessage.sdName(#"a=b c]d"e"#) == "abcde")
        #expect(SyslogMessage.sdName("naïve\u{7F}\t") == "nave")
        #expect(SyslogMessage.sdName(String(repeating: "x", count: 40)) == String(repeating: "x", count: 32))
        #expect(SyslogMessage.sdName("= ]") == "_")
        #expect(SyslogMessage.sdID.count <= 32)
        for parameter in SyslogMessage.parameters(of: try! Self.entry()) {
            #expect(SyslogMessage.sdName(parameter.name) == parameter.name)
        }
    }

    @Test func bomThenTheLine() throws {
        let entry = try Self.entry()
        let message = try Self.message(entry)
        #expect(try Self.body(message) == Self.line(entry))
    }

    @Test func oversizeEntryOmitsItsCommits() throws {
        let entry = try Self.entry(commits: 200, counts: #"{"blocked":0,"overridden":0,"pass":200,"warn":0}"#)
        let line = try Self.line(entry)
        #expect(line.count > SyslogMessage.defaultMaxBytes)
        let message = try Self.message(entry)
        #expect(message.count <= SyslogMessage.defaultMaxBytes)
        let body = try Self.body(message)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["commitsOmitted"] as? Int == 200)
        #expect(object["entrySha256"] as? String == Self.sha256(line))
        // Still an entry: everything but the commits, as in the file.
        var expected = entry
        expected.commits = []
        #expect(try JSONDecoder().decode(AuditEntry.self, from: Data(body)) == expected)
        // The structured data counts every commit judged.
        #expect(String(decoding: message, as: UTF8.self).contains(#" commits="200" "#))
    }

    @Test func neverOverMaxBytesNorMidCharacter() throws {
        let entry = try Self.entry(
            error: String(repeating: "é日😀", count: 300), ref: "refs/heads/ünïcødé-日本語",
            pusher: "jürgen]\"\\", commits: 40, counts: #"{"blocked":0,"overridden":0,"pass":40,"warn":0}"#)
        let line = try Self.line(entry)
        var seen = Set<String>()
        for maxBytes in Array(0..<700) + Array(stride(from: 700, through: line.count + 1000, by: 37)) {
            let message = SyslogMessage.rfc5424(entry, line: line, host: "git1", processID: 4242, maxBytes: maxBytes)
            #expect(message.count <= maxBytes, "maxBytes \(maxBytes)")
            #expect(String(validating: message, as: UTF8.self) != nil, "maxBytes \(maxBytes): cut mid-character")
            let text = String(decoding: message, as: UTF8.self)
            if text.contains(#""abridged":true"#) {
                seen.insert("minimal")
                #expect(text.contains(#""entrySha256":"\#(Self.sha256(line))""#))
            } else if text.contains(#""commitsOmitted":40"#) {
                seen.insert("abridged")
            } else if message.count >= line.count, Array(message.suffix(line.count)) == line {
                seen.insert("line")
            } else if text.hasSuffix("]") {
                seen.insert("no MSG")
            } else {
                seen.insert("cut")
            }
        }
        #expect(seen == ["minimal", "abridged", "line", "no MSG", "cut"], "\(seen)")
    }

    @Test func utf8Prefix() {
        let bytes = Array("aé日😀b".utf8)  // 1 + 2 + 3 + 4 + 1
        let cuts = (0...bytes.count).map { SyslogMessage.utf8Prefix(bytes, maxBytes: $0).count }
        #expect(cuts == [0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 11])
    }
}

