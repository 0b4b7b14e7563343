import AgentReviewCore
import Foundation
import Testing

/// The metrics' rules on plain values: what a message says about earlier commits, the
/// percentiles, and the accumulator's figures and denominators.
@Suite struct MetricsTests {
    static let full = "54a4f0239f2e7f4a9c4d1b7e0a7a6b1c2d3e4f50"

    @Test("revert and fix references", arguments: [
        // git revert's own message: the id wins, the subject is not used.
        ("Revert \"Add cache\"", "Revert \"Add cache\"\n\nThis reverts commit \(full).\n", [Trailer](), [full], nil as String?, [String]()),
        // A merge reverted: ", reversing changes made to".
        ("Revert \"Merge x\"", "Revert \"Merge x\"\n\nThis reverts commit \(full), reversing\nchanges made to 1111111111111111111111111111111111111111.\n", [], [full], nil, []),
        // Short ids, upper case read as lower.
        ("Undo", "Undo\n\nThis reverts commit 54A4F02.\n", [], ["54a4f02"], nil, []),
        // Too short, or running on into a word: not an id.
        ("Undo", "Undo\n\nThis reverts commit 54a4f0.\n", [], [], nil, []),
        ("Undo", "Undo\n\nThis reverts commit 54a4f0239fzz.\n", [], [], nil, []),
        // Two reverts in one commit (a squash).
        ("Undo two", "Undo two\n\nThis reverts commit aaaaaaa.\nThis reverts commit bbbbbbbbbbbb.\n", [], ["aaaaaaa", "bbbbbbbbbbbb"], nil, []),
        // No id: the subject names what it reverts; a revert of a revert names the revert.
        ("Revert \"Tweak docs\"", "Revert \"Tweak docs\"\n", [], [], "Tweak docs", []),
        ("Revert \"Revert \"Tweak docs\"\"", "Revert \"Revert \"Tweak docs\"\"\n", [], [], "Revert \"Tweak docs\"", []),
        // Not git's form.
        ("Reverted the cache", "Reverted the cache\n", [], [], nil, []),
        ("Revert \"\"", "Revert \"\"\n", [], [], nil, []),
        // The kernel's Fixes: short and long ids, with and without the subject.
        ("Fix it", "", [Trailer(key: "Fixes", value: "54a4f0239f2e (\"KVM: MMU: zap\")")], [], nil, ["54a4f0239f2e"]),
        ("Fix it", "", [Trailer(key: "fixes", value: full)], [], nil, [full]),
        ("Fix it", "", [Trailer(key: "Fixes", value: "54A4F02(\"x\")")], [], nil, ["54a4f02"]),
        // Issue numbers, words, short hex, an id running into text: not ids.
        ("Fix it", "", [Trailer(key: "Fixes", value: "#123")], [], nil, []),
        ("Fix it", "", [Trailer(key: "Fixes", value: "the build")], [], nil, []),
        ("Fix it", "", [Trailer(key: "Fixes", value: "abc123")], [], nil, []),
        ("Fix it", "", [Trailer(key: "Fixes", value: "54a4f0239f2ex")], [], nil, []),
        // Another trailer with an id is not a fix.
        ("Fix it", "", [Trailer(key: "Refs", value: full)], [], nil, []),
    ])
    func references(subject: String, message: String, trailers: [Trailer], reverted: [String], revertedSubject: String?, fixed: [String]) {
        let references = HistoryReferences.parse(message: message, subject: subject, trailers: trailers)
        #expect(references.revertedIDs == reverted)
        #expect(references.revertedSubject == revertedSubject)
        #expect(references.fixedIDs == fixed)
    }

    @Test func aHugeRevertSubjectIsNotKept() {
        let long = String(repeating: "y", count: HistoryReferences.subjectBytes)
        #expect(HistoryReferences.revertedSubject(of: "Revert \"\(long.dropFirst(9))\"") == String(long.dropFirst(9)))
        #expect(HistoryReferences.revertedSubject(of: "Revert \"\(long)\"") == nil)
    }

    @Test func aHugeMessageIsReadOnlyToItsBound() {
        let filler = String(repeating: "x", count: HistoryReferences.scanBytes)
        let references = HistoryReferences.parse(message: filler + "\nThis reverts commit \(Self.full).\n", subject: "s", trailers: [])
        #expect(references.revertedIDs.isEmpty)
    }

    @Test("nearest-rank percentiles", arguments: [
        ([Int64](), nil as Int64?, nil as Int64?),
        ([7], 7, 7),
        ([1, 2], 1, 2),
        ([3, 1, 2], 2, 3),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5, 9),
        ([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110], 60, 100),
    ])
    func percentiles(samples: [Int64], median: Int64?, p90: Int64?) {
        let stats = DurationStats(samples)
        #expect(stats.count == samples.count)
        #expect(stats.median == median)
        #expect(stats.p90 == p90)
    }

    @Test("ratios and durations as shown", arguments: [
        (Ratio(3, of: 40).description, "3 of 40 (7.5%)"),
        (Ratio(0, of: 0).description, "0 of 0"),
        (Ratio(1, of: 3).description, "1 of 3 (33.3%)"),
        (Ratio(2, of: 3).description, "2 of 3 (66.7%)"),
        (Ratio(5, of: 5).description, "5 of 5 (100.0%)"),
        (DurationStats.format(59), "59s"),
        (DurationStats.format(60), "1m"),
        (DurationStats.format(3600), "1h"),
        (DurationStats.format(3660), "1h 1m"),
        (DurationStats.format(86400 + 7200), "1d 2h"),
        (DurationStats.format(86400 * 3), "3d"),
    ])
    func shown(text: String, expected: String) {
        #expect(text == expected)
    }

    // MARK: - The accumulator

    static let classes = ["low", "medium", "high"]
    static let day: Int64 = 86400
    /// 2026-09-01T00:00:00Z.
    static let t0: Int64 = 1_788_220_800

    static func id(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return hex + String(repeating: "c", count: 40 - hex.count)
    }

    static func commit(
        _ n: Int, day: Int64, _ author: AuthorKind, writer: String? = nil, rank: Int = 1, lines: Int = 10, subject: String? = nil,
        references: HistoryReferences = .none, merge: Bool = false, needs: Bool = false, first: Int64? = nil, completed: Int64? = nil,
        override: Bool = false, high: [String] = []
    ) -> MetricsCommit {
        let time = t0 + day * Self.day
        var overridden: OverrideReport?
        if override {
            let json = #"{"signer":"oncall@example.com","date":"2026-10-01T00:00:00Z","reason":"prod down","satisfied":[]}"#
            overridden = try! JSONDecoder().decode(OverrideReport.self, from: Data(json.utf8))
        }
        return MetricsCommit(
            id: id(n), subject: subject ?? "Commit \(n)", authorTime: time, committerTime: time, isMerge: merge, author: author,
            writer: writer ?? (author == .agent ? "claude" : author == .bot ? "bot:dependabot" : "human"), classRank: rank, lines: lines,
            highPaths: high, references: references, needsApproval: needs, firstApproval: first.map { time + $0 },
            completed: completed.map { time + $0 }, override: overridden)
    }

    /// A history given newest first, with known answers for every figure.
    static var history: [MetricsCommit] {
        [
            // A fix of 2 by its short id, 9 days after it; a revert of 4 by id; a revert of 6 by subject.
            commit(10, day: 40, .human, references: HistoryReferences(fixedIDs: [String(id(2).prefix(12))])),
            commit(9, day: 35, .human, references: HistoryReferences(revertedIDs: [id(4)])),
            commit(8, day: 34, .human, subject: "Revert \"Tidy\"", references: HistoryReferences(revertedSubject: "Tidy")),
            commit(7, day: 33, .human, merge: true),
            commit(6, day: 32, .human, rank: 0, lines: 4, subject: "Tidy"),
            // An agent commit let through by an override; one that waits for approval.
            commit(5, day: 31, .agent, rank: 2, lines: 7, needs: true, override: true, high: ["infra/main.tf"]),
            commit(4, day: 30, .agent, lines: 3, needs: true),
            // Approved: 1 h and 3 h to the first approval, 1 d and 2 d to the complete sign-off.
            commit(3, day: 20, .agent, rank: 2, lines: 6, needs: true, first: 3600, completed: 2 * day, high: ["infra/main.tf", "infra/net.tf"]),
            commit(2, day: 10, .agent, lines: 10, needs: true, first: 3 * 3600, completed: day),
            commit(1, day: 5, .bot, rank: 0, lines: 1),
            // Before the window.
            commit(0, day: 0, .human, lines: 100),
        ]
    }

    static func accumulated(since: Int64? = t0 + day, until: Int64? = nil) -> MetricsAccumulator {
        var accumulator = MetricsAccumulator(classes: classes, since: since, until: until)
        for commit in history { accumulator.add(commit) }
        return accumulator
    }

    @Test func totalsCarryTheirDenominators() throws {
        let report = Self.accumulated().report(by: .class, range: "HEAD", policy: "p", window: .init())
        #expect(report.commits == MetricsReport.CommitCounts(walked: 11, counted: 9, merges: 1, outsideWindow: 1, afterWindow: 0))
        let agent = try #require(report.totals.first { $0.author == .agent }).figures
        let human = try #require(report.totals.first { $0.author == .human }).figures
        let bot = try #require(report.totals.first { $0.author == .bot }).figures
        #expect(agent.commits == Ratio(4, of: 9))
        #expect(human.commits == Ratio(4, of: 9))
        #expect(bot.commits == Ratio(1, of: 9))
        #expect(agent.lines == Ratio(26, of: 61))
        #expect(human.lines == Ratio(34, of: 61))
        // 4 (by id) of the agent's; 6 (by subject) of the people's. 2 fixed, 30 days after it was written.
        #expect(agent.reverted == Ratio(1, of: 4))
        #expect(human.reverted == Ratio(1, of: 4))
        #expect(agent.fixed == Ratio(1, of: 4))
        #expect(agent.timeToFix == DurationStats([30 * Self.day]))
        #expect(human.fixed == Ratio(0, of: 4))
        #expect(agent.signedOff == Ratio(2, of: 4))
        #expect(agent.overridden == Ratio(1, of: 4))
        #expect(agent.latency == DurationStats([Self.day, 2 * Self.day]))
        #expect(agent.latency.median == Self.day && agent.latency.p90 == 2 * Self.day)
        #expect(agent.firstApproval == DurationStats([3600, 3 * 3600]))
        #expect(human.signedOff == Ratio(0, of: 0))
    }

    @Test func rowsByClassShareWithinTheirClass() throws {
        let report = Self.accumulated().report(by: .class, range: "HEAD", policy: "p", window: .init())
        #expect(report.rows.map { "\($0.class!)/\($0.author.rawValue)" } == [
            "low/human", "low/bot", "medium/agent", "medium/human", "high/agent",
        ])
        let medium = try #require(report.rows.first { $0.class == "medium" && $0.author == .agent }).figures
        #expect(medium.commits == Ratio(2, of: 5))
        #expect(medium.lines == Ratio(13, of: 43))
        let high = try #require(report.rows.first { $0.class == "high" }).figures
        #expect(high.commits == Ratio(2, of: 2))
        #expect(high.signedOff == Ratio(1, of: 2))
        #expect(high.overridden == Ratio(1, of: 2))
        #expect(report.paths == [
            PathCount(path: "infra/main.tf", class: "high", commits: 2, agent: 2, human: 0, bot: 0),
            PathCount(path: "infra/net.tf", class: "high", commits: 1, agent: 1, human: 0, bot: 0),
        ])
        #expect(report.overrides.map(\.commit) == [Self.id(5)])
        #expect(report.overrides.first?.reason == "prod down")
        let latency = try #require(report.latency.first { $0.class == "medium" && $0.author == .agent })
        #expect(latency.buckets.map(\.count) == [0, 0, 1, 0, 0, 0, 0])
        #expect(latency.stats.count == 1)
    }

    @Test func rowsByMonthAndByWriter() throws {
        let months = Self.accumulated().report(by: .month, range: "HEAD", policy: "p", window: .init())
        // 2026-09: days 5 to 20; 2026-10: days 30 to 40.
        #expect(months.rows.map { "\($0.month!)/\($0.author.rawValue)/\($0.figures.commits.count) of \($0.figures.commits.of)" } == [
            "2026-09/agent/2 of 3", "2026-09/bot/1 of 3", "2026-10/agent/2 of 6", "2026-10/human/4 of 6",
        ])
        let writers = Self.accumulated().report(by: .agent, range: "HEAD", policy: "p", window: .init())
        #expect(writers.rows.map { "\($0.writer!)/\($0.class!)/\($0.figures.commits.count) of \($0.figures.commits.of)" } == [
            "claude/medium/2 of 4", "claude/high/2 of 4", "human/low/1 of 4", "human/medium/3 of 4", "bot:dependabot/low/1 of 1",
        ])
    }

    @Test func theWindowCountsRevertsFromAfterIt() throws {
        // Until day 31: the fix and reverts after it are not counted, but still name what they fix.
        let report = Self.accumulated(since: nil, until: Self.t0 + 31 * Self.day)
            .report(by: .class, range: "HEAD", policy: "p", window: .init())
        #expect(report.commits.afterWindow == 4)
        #expect(report.commits.counted == 6)
        let agent = try #require(report.totals.first { $0.author == .agent }).figures
        #expect(agent.reverted == Ratio(1, of: 4))
        #expect(agent.fixed == Ratio(1, of: 4))
        let human = try #require(report.totals.first { $0.author == .human }).figures
        #expect(human.commits == Ratio(1, of: 6))
        #expect(human.lines == Ratio(100, of: 127))
    }

    @Test func aRevertMatchesOneCommitBySubject() {
        var accumulator = MetricsAccumulator(classes: Self.classes)
        accumulator.add(Self.commit(3, day: 3, .human, subject: "Revert \"Same\"", references: HistoryReferences(revertedSubject: "Same")))
        accumulator.add(Self.commit(2, day: 2, .agent, subject: "Same"))
        accumulator.add(Self.commit(1, day: 1, .human, subject: "Same"))
        let report = accumulator.report(by: .class, range: "HEAD", policy: "p", window: .init())
        #expect(report.totals.first { $0.author == .agent }?.figures.reverted == Ratio(1, of: 1))
        #expect(report.totals.first { $0.author == .human }?.figures.reverted == Ratio(0, of: 2))
    }

    @Test func auditFiguresByMonth() throws {
        func entry(_ time: String, _ verdict: Verdict, override: Bool = false) throws -> AuditEntry {
            let commit = override
                ? #"[{"id":"\#(Self.id(1))","evidence":[],"class":"high","verdict":"overridden","approvals":[],"missing":[],"override":{"signer":"oncall@example.com","date":"\#(time.prefix(19))Z","reason":"INC-1","satisfied":[]}}]"#
                : "[]"
            let json = #"{"v":1,"chain":"c","seq":1,"prev":"p","time":"\#(time)","source":"pre-receive","repository":"r","verdict":"\#(verdict.rawValue)","counts":{"pass":0,"overridden":0,"warn":0,"blocked":0},"commits":\#(commit)}"#
            return try JSONDecoder().decode(AuditEntry.self, from: Data(json.utf8))
        }
        let entries = [
            try entry("2026-09-30T23:59:59.999Z", .blocked), try entry("2026-10-01T00:00:00.000Z", .pass),
            try entry("2026-10-02T10:00:00.000Z", .blocked), try entry("2026-10-03T10:00:00.000Z", .overridden, override: true),
            try entry("2026-11-01T00:00:00.000Z", .pass),
        ]
        let figures = AuditFigures(file: "a.jsonl", entries: entries, since: "2026-10-01T00:00:00.000Z", until: nil)
        #expect(figures.months == [
            AuditFigures.Month(month: "2026-10", judged: 3, refused: 1, overridden: 1),
            AuditFigures.Month(month: "2026-11", judged: 1, refused: 0, overridden: 0),
        ])
        #expect(figures.refused == Ratio(1, of: 4))
        #expect(figures.overridden == Ratio(1, of: 4))
        let overrides = AuditFigures.overrides(in: entries, since: nil, until: nil, known: [])
        #expect(overrides.map(\.reason) == ["INC-1"])
        #expect(AuditFigures.overrides(in: entries, since: nil, until: nil, known: [Self.id(1)]).isEmpty)
    }
}
