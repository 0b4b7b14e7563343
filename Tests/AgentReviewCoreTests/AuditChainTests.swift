import Crypto
import Foundation
import Testing

@testable import AgentReviewCore

/// Audit entries as the hook makes them: a ref's judgement and its commits' reports.
enum AuditFixture {
    static let policy = Policy(classes: [RiskClass(name: "low"), RiskClass(name: "high", approvals: 2)])

    /// A commit report with `verdict`, by `agent` (nil: a person's), touching `path`.
    static func report(
        _ id: String, verdict: Verdict, agent: String? = "claude-code", session: String? = nil, operator: String? = nil,
        path: String = "infra/main.tf"
    ) -> CommitReport {
        var report = CommitReport(
            commit: CommitFacts(
                id: id, author: Identity(name: "A", email: "a@example.com"), committer: Identity(name: "C", email: "c@example.com"),
                subject: "Change \(path)", changes: [PathChange(.modified, path)]),
            attribution: Attribution(
                agent: agent,
                evidence: agent.map { [Evidence(source: Evidence.trailerSource, value: "Co-Authored-By: Claude", agent: $0)] } ?? []),
            classification: Classification(
                rank: 1, paths: [ClassifiedPath(path: GitPath(path), rank: 1, rule: "\"infra/\" at policy.yml:3")], escalations: [],
                rule: "\"infra/\" at policy.yml:3"),
            policy: policy)
        report.verdict = verdict
        report.session = session
        report.operator = `operator`
        return report
    }

    /// The entry for `reports` judged on `ref`, at `time`.
    static func entry(
        _ reports: [CommitReport], ref: String = "refs/heads/main", mode: EnforcementMode = .enforce, time: Date,
        old: String = String(repeating: "1", count: 40), new: String = String(repeating: "2", count: 40), error: String? = nil
    ) -> AuditEntry {
        var judgement = RefJudgement(ref: ref, mode: mode, policy: "refs/heads/main@0123456789ab:.agentreview/policy.yml")
        for report in reports { judgement.add(report) }
        if let error { judgement.fail(error) }
        return AuditEntry(
            judgement, commits: reports.map(AuditEntry.Commit.init),
            context: AuditEntry.Context(
                time: time, source: "pre-receive", repository: "/srv/git/project.git", old: old, new: new,
                pusher: AuditEntry.Pusher(name: "alice", from: "GL_USERNAME"),
                policy: AuditEntry.PolicyOrigin(
                    ref: "refs/heads/main", commit: String(repeating: "a", count: 40), path: ".agentreview/policy.yml",
                    blob: String(repeating: "b", count: 40))))
    }

    /// The `n`th entry of a test log: one commit, its verdict varying.
    static func entry(_ n: Int) -> AuditEntry {
        let verdicts: [Verdict] = [.pass, .blocked, .warn, .overridden]
        let id = String(format: "%040x", n)
        return entry([report(id, verdict: verdicts[n % verdicts.count])], time: Date(timeIntervalSince1970: 1_795_000_000 + Double(n)))
    }
}

@Suite struct AuditChainTests {
    /// An entry's time: UTC to the millisecond, always three digits.
    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"), (1_795_608_000.75, "2026-11-25T12:00:00.750Z"),
        (1_795_608_000.0071, "2026-11-25T12:00:00.007Z"), (1_795_608_000.0999, "2026-11-25T12:00:00.099Z"),
        (1_795_608_059.9999, "2026-11-25T12:00:59.999Z"),
    ])
    func timesAreMilliseconds(_ seconds: Double, _ text: String) {
        #expect(AuditEntry.format(Date(timeIntervalSince1970: seconds)) == text)
    }

    static let lf = UInt8(ascii: "\n")

    /// Deterministic chain ids: `00…01`, `00…02`, ….
    final class IDs: @unchecked Sendable {
        var count = 0
        func next() -> String {
            count += 1
            return String(format: "%032x", count)
        }
    }

    /// The tail a careful appender reads: 16 bytes at a time back from the end, until
    /// `tailIsComplete` or the file's start.
    static func tail(of file: [UInt8]) -> [UInt8] {
        var start = file.count
        repeat {
            start = max(0, start - 16)
        } while start > 0 && !AuditChain.tailIsComplete(Array(file[start...]))
        return Array(file[start...])
    }

    /// Appends `entry` as the CLI does, checking that the tail it read chains as the whole file would.
    @discardableResult
    static func append(_ entry: AuditEntry, to file: inout [UInt8], ids: IDs) throws -> AuditChain.Next {
        let saved = ids.count
        let next = AuditChain.next(tail: tail(of: file), fileIsEmpty: file.isEmpty, newChainID: ids.next)
        let wholeIDs = IDs()
        wholeIDs.count = saved
        let whole = AuditChain.next(tail: file, fileIsEmpty: file.isEmpty, newChainID: wholeIDs.next)
        #expect(next == whole, "the tail read back chains as the whole file does")
        file += try AuditChain.line(for: entry, chained: next)
        return next
    }

    /// A log of `count` entries, appended one by one.
    static func log(_ count: Int, ids: IDs = IDs()) throws -> [UInt8] {
        var file = [UInt8]()
        for n in 1...count { try append(AuditFixture.entry(n), to: &file, ids: ids) }
        return file
    }

    static func lines(_ file: [UInt8]) -> [[UInt8]] {
        var lines = file.split(separator: lf, omittingEmptySubsequences: false).map(Array.init)
        if lines.last == [] { lines.removeLast() }
        return lines
    }

    static func join(_ lines: [[UInt8]]) -> [UInt8] {
        lines.flatMap { $0 + [lf] }
    }

    static func sha(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    static func decode(_ line: [UInt8]) throws -> AuditEntry {
        try JSONDecoder().decode(AuditEntry.self, from: Data(line))
    }

    static func replacing(_ line: [UInt8], _ old: String, with new: String) -> [UInt8] {
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.contains(old), "the line holds \(old)")
        return Array(text.replacingOccurrences(of: old, with: new).utf8)
    }

    // MARK: - Appending and an intact log

    @Test func anEmptyFileIsIntactAndStartsASegment() {
        let verification = AuditChain.verify([])
        #expect(verification == AuditChain.Verification(entries: 0, segments: 0, torn: [], firstProblem: nil))
        let next = AuditChain.next(tail: [], fileIsEmpty: true, newChainID: { "c" + String(repeating: "0", count: 31) })
        #expect(next == AuditChain.Next(chain: "c" + String(repeating: "0", count: 31), seq: 1, prev: AuditChain.emptyHash, after: nil, newlineFirst: false))
        #expect(AuditChain.emptyHash == Self.sha([]))
    }

    @Test func appendedEntriesChainAndVerify() throws {
        let file = try Self.log(6)
        let lines = Self.lines(file)
        #expect(lines.count == 6)
        #expect(file.last == Self.lf)
        for (i, line) in lines.enumerated() {
            let entry = try Self.decode(line)
            #expect(entry.chain == String(format: "%032x", 1))
            #expect(entry.seq == i + 1)
            #expect(entry.prev == (i == 0 ? AuditChain.emptyHash : Self.sha(lines[i - 1])))
            #expect(entry.after == nil)
            // The whole entry is there, as made.
            var expected = AuditFixture.entry(i + 1)
            expected.chain = entry.chain
            expected.seq = entry.seq
            expected.prev = entry.prev
            #expect(entry == expected)
        }
        // Sorted keys, slashes as they are.
        let first = String(decoding: lines[0], as: UTF8.self)
        #expect(first.hasPrefix(#"{"chain":"#))
        #expect(first.contains(#""repository":"/srv/git/project.git""#))
        #expect(AuditChain.verify(file) == AuditChain.Verification(entries: 6, segments: 1, torn: [], firstProblem: nil))
    }

    /// The line is what `JSONEncoder` writes with sorted keys and slashes as they are, byte for
    /// byte (the log is written by `StreamingJSONEncoder`): an entry with every member set,
    /// strings that need escaping among them, and one with the optional members left out.
    @Test func theLineIsWhatJSONEncoderWrites() throws {
        var full = AuditFixture.entry([
            AuditFixture.report(String(repeating: "c", count: 40), verdict: .overridden, session: "s/1", operator: "op\u{7}"),
            AuditFixture.report(String(repeating: "d", count: 40), verdict: .blocked, agent: nil, path: "docs/\"quoted\"\n.md"),
        ], time: Date(timeIntervalSince1970: 1_795_000_000.5), error: "stopped: \u{1F}\\ é 😀 </script>")
        full.host = "node-1"
        full.nothingJudged = "nothing\tnew"
        full.commits[0].bot = "dependabot"
        full.commits[0].declared = "high (under)"
        full.commits[0].contract = .init(name: "task", source: "refs/heads/main:.agentreview/contracts/task.yml", violations: ["touched a/b"])
        full.commits[0].approvals = [.init(reviewer: "bob@example.com", key: "SHA256:abc", record: "refs/notes/agentreview-approvals")]
        full.commits[0].override = .init(signer: "lead", key: nil, record: "r", date: "2026-11-29T00:00:00Z", reason: "outage", satisfied: ["2 approvals"])
        full.commits[0].missing = [.init(requirement: "approvals", detail: "1 of 2")]
        var bare = AuditFixture.entry([], time: Date(timeIntervalSince1970: 0))
        bare.ref = nil
        bare.old = nil
        bare.new = nil
        bare.pusher = nil
        bare.mode = nil
        bare.policy = nil
        let chained = [
            AuditChain.Next(chain: String(format: "%032x", 7), seq: 3, prev: AuditChain.emptyHash, after: nil, newlineFirst: false),
            AuditChain.Next(
                chain: String(format: "%032x", 8), seq: 1, prev: AuditChain.emptyHash,
                after: .init(sha256: AuditChain.emptyHash, bytes: 12, chain: String(format: "%032x", 7), seq: 2), newlineFirst: true),
            AuditChain.Next(
                chain: String(format: "%032x", 9), seq: 1, prev: AuditChain.emptyHash,
                after: .init(sha256: AuditChain.emptyHash, bytes: 1, chain: nil, seq: nil), newlineFirst: false),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for entry in [full, bare] {
            for next in chained {
                var expected = entry
                expected.chain = next.chain
                expected.seq = next.seq
                expected.prev = next.prev
                expected.after = next.after
                let json = Array(try encoder.encode(expected))
                let line = try AuditChain.line(for: entry, chained: next)
                #expect(String(decoding: line, as: UTF8.self) == (next.newlineFirst ? "\n" : "") + String(decoding: json, as: UTF8.self) + "\n")
            }
        }
    }

    @Test func newChainIDsAreRandomHex() {
        let a = AuditChain.newChainID()
        let b = AuditChain.newChainID()
        #expect(a.count == 32 && b.count == 32)
        #expect(a.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(a != b)
    }

    @Test func tailIsCompleteOnlyWithTheLinesNextReads() throws {
        let file = try Self.log(3)
        let lines = Self.lines(file)
        let last = lines[2] + [Self.lf]
        // The last line alone: not known to start a line.
        #expect(!AuditChain.tailIsComplete(last))
        #expect(AuditChain.tailIsComplete([Self.lf] + last))
        #expect(!AuditChain.tailIsComplete(Array(last.dropFirst(5))))
        // Torn bytes after it: the whole line before them is needed.
        #expect(!AuditChain.tailIsComplete(Array("{\"v\":1,".utf8)))
        #expect(AuditChain.tailIsComplete([Self.lf] + last + Array("{\"v\":1,".utf8)))
        // A last line that is no entry: the line before it too.
        let garbage = Array("garbage\n".utf8)
        #expect(!AuditChain.tailIsComplete([Self.lf] + garbage))
        #expect(!AuditChain.tailIsComplete(last + garbage))
        #expect(AuditChain.tailIsComplete([Self.lf] + last + garbage))
    }

    // MARK: - Tampering

    struct Tamper: CustomTestStringConvertible, Sendable {
        var name: String
        var change: @Sendable ([[UInt8]]) -> [[UInt8]]
        var line: Int
        var kind: AuditChain.Problem.Kind
        /// Words the message must hold, to tell the cases apart.
        var words: String
        /// Entries verified before the problem.
        var entries: Int
        var testDescription: String { name }
    }

    static let tampers: [Tamper] = [
        Tamper(
            name: "a byte of a value edited", change: { lines in
                var lines = lines
                lines[2] = AuditChainTests.replacing(lines[2], "/srv/git/project.git", with: "/srv/git/projekt.git")
                return lines
            }, line: 3, kind: .edited, words: "edited", entries: 2),
        Tamper(
            name: "an entry deleted", change: { lines in
                var lines = lines
                lines.remove(at: 2)
                return lines
            }, line: 3, kind: .deletedOrReordered, words: "seq 3 is missing, deleted", entries: 2),
        Tamper(
            name: "two entries deleted", change: { lines in
                var lines = lines
                lines.removeSubrange(2...3)
                return lines
            }, line: 3, kind: .deletedOrReordered, words: "seq 3–4 are missing, deleted", entries: 2),
        Tamper(
            name: "two entries swapped", change: { lines in
                var lines = lines
                lines.swapAt(2, 3)
                return lines
            }, line: 3, kind: .deletedOrReordered, words: "reordered", entries: 2),
        Tamper(
            name: "an entry moved forward", change: { lines in
                var lines = lines
                let moved = lines.remove(at: 3)
                lines.insert(moved, at: 1)
                return lines
            }, line: 2, kind: .deletedOrReordered, words: "seq 4 of chain 000000000000 follows seq 1, and seq 2 comes after it: entries were reordered", entries: 1),
        Tamper(
            name: "a middle line truncated", change: { lines in
                var lines = lines
                lines[2] = Array(lines[2].dropLast(20))
                return lines
            }, line: 3, kind: .truncated, words: "cut short", entries: 2),
        Tamper(
            name: "a middle line replaced by text", change: { lines in
                var lines = lines
                lines[2] = Array("not an entry".utf8)
                return lines
            }, line: 3, kind: .unreadable, words: "not JSON", entries: 2),
        Tamper(
            name: "a middle line replaced by JSON that is no entry", change: { lines in
                var lines = lines
                lines[2] = Array(#"{"v":1,"chain":"x"}"#.utf8)
                return lines
            }, line: 3, kind: .unreadable, words: "no member \"seq\"", entries: 2),
        Tamper(
            name: "a forged segment start inserted", change: { lines in
                var lines = lines
                var forged = AuditFixture.entry(99)
                forged.chain = String(repeating: "f", count: 32)
                forged.seq = 1
                forged.prev = AuditChain.emptyHash
                let line = try! JSONEncoder().encode(forged)
                lines.insert(Array(line), at: 3)
                return lines
            }, line: 4, kind: .restarted, words: "may have been removed", entries: 3),
        Tamper(
            name: "a prev changed", change: { lines in
                var lines = lines
                let prev = try! AuditChainTests.decode(lines[3]).prev
                lines[3] = AuditChainTests.replacing(lines[3], prev, with: String(repeating: "0", count: 64))
                return lines
            }, line: 4, kind: .edited, words: "this line was edited", entries: 3),
        Tamper(
            name: "a seq changed", change: { lines in
                var lines = lines
                lines[3] = AuditChainTests.replacing(lines[3], #""seq":4"#, with: #""seq":7"#)
                return lines
            }, line: 4, kind: .edited, words: "header was edited", entries: 3),
        Tamper(
            name: "the first entry removed", change: { lines in
                Array(lines.dropFirst())
            }, line: 1, kind: .deletedOrReordered, words: "the file starts at seq 2", entries: 0),
        Tamper(
            name: "the first entry's prev changed", change: { lines in
                var lines = lines
                lines[0] = AuditChainTests.replacing(lines[0], AuditChain.emptyHash, with: String(repeating: "0", count: 64))
                return lines
            }, line: 1, kind: .edited, words: "not the SHA-256 of nothing", entries: 0),
        Tamper(
            name: "an entry of another log spliced in", change: { lines in
                var lines = lines
                let other = AuditChainTests.lines(try! AuditChainTests.log(3, ids: { let ids = IDs(); ids.count = 40; return ids }()))
                lines.insert(other[2], at: 3)
                return lines
            }, line: 4, kind: .deletedOrReordered, words: "another segment", entries: 3),
    ]

    @Test(arguments: tampers)
    func tamperingIsFoundAtTheFirstBrokenLine(_ tamper: Tamper) throws {
        let lines = Self.lines(try Self.log(6))
        let verification = AuditChain.verify(Self.join(tamper.change(lines)))
        let problem = try #require(verification.firstProblem)
        #expect(problem.line == tamper.line)
        #expect(problem.kind == tamper.kind)
        #expect(problem.message.contains(tamper.words), "\(problem.message)")
        #expect(verification.entries == tamper.entries)
    }

    @Test func anEditOfTheLastEntryIsNotSeenButAnEditBeforeItIs() throws {
        // What the chain can and cannot show: nothing follows the last entry to check it.
        var lines = Self.lines(try Self.log(3))
        lines[2] = Self.replacing(lines[2], "project.git", with: "projekt.git")
        #expect(AuditChain.verify(Self.join(lines)).intact)
        lines[1] = Self.replacing(lines[1], "project.git", with: "projekt.git")
        let problem = try #require(AuditChain.verify(Self.join(lines)).firstProblem)
        // Line 2 edited, or line 3's prev: line 3 is the last, so the line before it is blamed, and the doubt said.
        #expect(problem.line == 2)
        #expect(problem.kind == .edited)
        #expect(problem.message.contains("nothing follows to tell"))
    }

    // MARK: - Torn lines

    /// A log of 3 entries and the first `cut` bytes of a 4th, as a writer killed mid-write leaves it.
    static func tornLog(cut: Int = 40, ids: IDs) throws -> (file: [UInt8], torn: [UInt8]) {
        var file = try log(3, ids: ids)
        let next = AuditChain.next(tail: file, fileIsEmpty: false, newChainID: ids.next)
        let whole = try AuditChain.line(for: AuditFixture.entry(4), chained: next)
        let torn = Array(whole.prefix(cut))
        file += torn
        return (file, torn)
    }

    @Test func aTornLastLineIsNoProblem() throws {
        let (file, _) = try Self.tornLog(ids: IDs())
        #expect(AuditChain.verify(file) == AuditChain.Verification(entries: 3, segments: 1, torn: [4], firstProblem: nil))
    }

    @Test func appendingAfterATornLineStartsASegmentNamingIt() throws {
        let ids = IDs()
        var (file, torn) = try Self.tornLog(ids: ids)
        let lastWhole = Self.lines(file)[2]
        let next = try Self.append(AuditFixture.entry(5), to: &file, ids: ids)
        #expect(next.newlineFirst)
        #expect(next.seq == 1)
        #expect(next.prev == AuditChain.emptyHash)
        #expect(next.chain != String(format: "%032x", 1))
        #expect(next.after == AuditEntry.Torn(sha256: Self.sha(torn), bytes: torn.count, chain: String(format: "%032x", 1), seq: 3))
        // The torn bytes are a line of their own now; the new entry follows.
        let lines = Self.lines(file)
        #expect(lines.count == 5)
        #expect(lines[2] == lastWhole)
        #expect(lines[3] == torn)
        #expect(try Self.decode(lines[4]).after == next.after)
        #expect(AuditChain.verify(file) == AuditChain.Verification(entries: 4, segments: 2, torn: [4], firstProblem: nil))

        // The new segment goes on.
        let then = try Self.append(AuditFixture.entry(6), to: &file, ids: ids)
        #expect(!then.newlineFirst)
        #expect(then.chain == next.chain && then.seq == 2 && then.after == nil)
        #expect(then.prev == Self.sha(Self.lines(file)[4]))
        #expect(AuditChain.verify(file) == AuditChain.Verification(entries: 5, segments: 2, torn: [4], firstProblem: nil))
    }

    @Test func aTornFirstLineNamesNoEntry() throws {
        var file = Array(#"{"after":null,"chain":"0123"#.utf8)
        let torn = file
        #expect(AuditChain.verify(file) == AuditChain.Verification(entries: 0, segments: 0, torn: [1], firstProblem: nil))
        let next = try Self.append(AuditFixture.entry(1), to: &file, ids: IDs())
        #expect(next.newlineFirst)
        #expect(next.after == AuditEntry.Torn(sha256: Self.sha(torn), bytes: torn.count, chain: nil, seq: nil))
        #expect(AuditChain.verify(file) == AuditChain.Verification(entries: 1, segments: 1, torn: [1], firstProblem: nil))
    }

    @Test func aWholeEntryWithoutItsNewlineIsTornToo() throws {
        // Killed just before the LF: the JSON is whole, the line is not.
        let ids = IDs()
        let base = try Self.log(3, ids: ids)
        let full = try AuditChain.line(
            for: AuditFixture.entry(4), chained: AuditChain.next(tail: base, fileIsEmpty: false, newChainID: ids.next))
        var file = base + full.dropLast()
        let next = try Self.append(AuditFixture.entry(5), to: &file, ids: ids)
        #expect(next.newlineFirst && next.seq == 1)
        #expect(next.after == AuditEntry.Torn(sha256: Self.sha(Array(full.dropLast())), bytes: full.count - 1, chain: String(format: "%032x", 1), seq: 3))
        #expect(AuditChain.verify(file) == AuditChain.Verification(entries: 4, segments: 2, torn: [4], firstProblem: nil))
    }

    @Test func aTornLineInTheMiddleThatNoSegmentNamesIsAProblem() throws {
        let ids = IDs()
        var (file, _) = try Self.tornLog(ids: ids)
        try Self.append(AuditFixture.entry(5), to: &file, ids: ids)
        var lines = Self.lines(file)
        // The segment after it no longer names it.
        var start = try Self.decode(lines[4])
        start.after = nil
        lines[4] = Array(try JSONEncoder().encode(start))
        var problem = try #require(AuditChain.verify(Self.join(lines)).firstProblem)
        #expect(problem.line == 4)
        #expect(problem.kind == .truncated)

        // Named with the wrong byte count, or the wrong hash: not the line before it.
        for forged in [
            AuditEntry.Torn(sha256: Self.sha(lines[3]), bytes: lines[3].count + 2, chain: String(format: "%032x", 1), seq: 3),
            AuditEntry.Torn(sha256: Self.sha([]), bytes: lines[3].count, chain: String(format: "%032x", 1), seq: 3),
        ] {
            start.after = forged
            lines[4] = Array(try JSONEncoder().encode(start))
            problem = try #require(AuditChain.verify(Self.join(lines)).firstProblem)
            #expect(problem.line == 4)
            #expect(problem.kind == .truncated)
        }

        // Named rightly, but saying it followed another entry: entries before it went.
        start.after = AuditEntry.Torn(sha256: Self.sha(lines[3]), bytes: lines[3].count, chain: String(format: "%032x", 1), seq: 2)
        lines[4] = Array(try JSONEncoder().encode(start))
        problem = try #require(AuditChain.verify(Self.join(lines)).firstProblem)
        #expect(problem.line == 5)
        #expect(problem.kind == .deletedOrReordered)
        #expect(problem.message.contains("seq 2 of chain"))

        // A torn line where none was: a segment start naming a whole entry that is not torn
        // but is followed by the rest of its segment.
        let intact = Self.lines(try Self.log(4, ids: IDs()))
        var forged = AuditFixture.entry(9)
        forged.chain = String(repeating: "e", count: 32)
        forged.seq = 1
        forged.prev = AuditChain.emptyHash
        forged.after = AuditEntry.Torn(sha256: Self.sha(intact[1]), bytes: intact[1].count, chain: String(format: "%032x", 1), seq: 1)
        let spliced = [intact[0], intact[1], Array(try JSONEncoder().encode(forged)), intact[2], intact[3]]
        problem = try #require(AuditChain.verify(Self.join(spliced)).firstProblem)
        #expect(problem.line == 4)
        #expect(problem.kind == .deletedOrReordered)
        #expect(problem.message.contains("another segment"))
    }

    @Test func aSegmentStartNamingATornLineAtTheTopIsARestart() throws {
        // The lines before it (the torn one included) were cut away.
        let ids = IDs()
        var (file, _) = try Self.tornLog(ids: ids)
        try Self.append(AuditFixture.entry(5), to: &file, ids: ids)
        let lines = Self.lines(file)
        let problem = try #require(AuditChain.verify(Self.join(Array(lines[4...]))).firstProblem)
        #expect(problem.line == 1)
        #expect(problem.kind == .restarted)
    }

    @Test func aWholeLineThatIsNoEntryIsNamedAndStillReported() throws {
        let ids = IDs()
        var file = try Self.log(2, ids: ids) + Array("garbage\n".utf8)
        let next = try Self.append(AuditFixture.entry(3), to: &file, ids: ids)
        #expect(!next.newlineFirst)
        #expect(next.seq == 1 && next.chain != String(format: "%032x", 1))
        // Named as found: with its LF.
        #expect(next.after == AuditEntry.Torn(sha256: Self.sha(Array("garbage\n".utf8)), bytes: 8, chain: String(format: "%032x", 1), seq: 2))
        let verification = AuditChain.verify(file)
        let problem = try #require(verification.firstProblem)
        #expect(problem.line == 3)
        #expect(problem.kind == .unreadable)
        #expect(problem.message.contains("found it whole"))
        #expect(verification.entries == 2)
        #expect(verification.torn == [])
    }

    // MARK: - Versions

    @Test func aNewerVersionIsRefusedByName() throws {
        var lines = Self.lines(try Self.log(3))
        lines[1] = Self.replacing(lines[1], #""v":1"#, with: #""v":2"#)
        let problem = try #require(AuditChain.verify(Self.join(lines)).firstProblem)
        #expect(problem.line == 2)
        #expect(problem.kind == .newerVersion)
        #expect(problem.message.contains("v2"))

        // Refused even when the rest of its members are new too.
        let future = AuditChain.verify(Array(#"{"v":3,"links":[]}"#.utf8) + [Self.lf])
        #expect(future.firstProblem?.kind == .newerVersion)
        #expect(future.firstProblem?.line == 1)
    }

    @Test func unknownMembersOfThisVersionAreTolerated() throws {
        var entry = AuditFixture.entry(1)
        entry.chain = String(repeating: "a", count: 32)
        entry.seq = 1
        entry.prev = AuditChain.emptyHash
        let json = String(decoding: try JSONEncoder().encode(entry), as: UTF8.self)
        let line = Array(("{\"zz_future\":{\"x\":[1,2]}," + json.dropFirst()).utf8)
        var file = line + [Self.lf]
        #expect(AuditChain.verify(file) == AuditChain.Verification(entries: 1, segments: 1, torn: [], firstProblem: nil))
        let next = try Self.append(AuditFixture.entry(2), to: &file, ids: IDs())
        #expect(next.chain == entry.chain && next.seq == 2 && next.prev == Self.sha(line))
        #expect(AuditChain.verify(file).intact)
    }
}
