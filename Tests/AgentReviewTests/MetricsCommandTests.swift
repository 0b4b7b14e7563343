import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

/// `agentreview metrics` over a real history built to known answers: agent and human
/// commits at set dates, a `git revert`, a revert by subject, a kernel-style `Fixes:`, a
/// merge, approvals signed with real keys at set dates, a real override, and the audit log
/// a real refused push wrote. Every figure is asserted to its exact value, and the counts a
/// reader would check by hand are checked against git's own.
@Suite struct MetricsCommandTests {
    let sandbox: Sandbox
    let server: URL
    let clone: URL
    let keys: URL
    let base: String

    static let policy = """
        version: 1
        classes:
          - name: low
          - name: medium
            approvals: 1
          - name: high
            approvals: 2
        default_class: medium
        paths:
          - { pattern: "docs/", class: low }
          - { pattern: "infra/", class: high }
        refs:
          - { pattern: "refs/heads/main", mode: enforce }
        default_mode: warn
        overrides:
          signers: [oncall@example.com]

        """

    /// 2026-09-01T10:00:00Z: day 0 of the history.
    static let t0: Int64 = 1_788_256_800
    static let day: Int64 = 86400

    init() throws {
        sandbox = try Sandbox()
        keys = sandbox.root.appendingPathComponent("keys")
        var signers = ""
        for person in ["alice", "bob", "oncall"] {
            signers += "\(person)@example.com namespaces=\"agentreview\" \(try sandbox.sshKey(person, in: keys).publicKey)\n"
        }
        (server, clone) = try sandbox.server(with: [
            ".agentreview/policy.yml": Self.policy, ".agentreview/allowed_signers": signers, "README.md": "# project\n",
        ])
        base = try sandbox.git("rev-parse", "HEAD", in: clone)
    }

    func key(_ person: String) -> String { keys.appendingPathComponent(person).path }

    /// The environment that dates a commit `day` days (and `plus` seconds) after day 0.
    func dated(_ day: Int64, plus: Int64 = 0, author: String = "Dana Human <dana@example.com>") -> [String: String] {
        let identity = Identity.split(author)!
        let date = "\(Self.t0 + day * Self.day + plus) +0000"
        return [
            "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": identity.name,
            "GIT_AUTHOR_EMAIL": identity.email, "GIT_COMMITTER_NAME": identity.name, "GIT_COMMITTER_EMAIL": identity.email,
        ]
    }

    /// Writes `lines` numbered lines to `path` and commits them on day `day`.
    @discardableResult
    func commit(_ message: String, _ path: String, lines: Int, day: Int64, agent: Bool = false) throws -> String {
        let content = (1...max(lines, 1)).map { "\(path) line \($0)\n" }.joined()
        try sandbox.write(path, lines == 0 ? "" : content, in: clone)
        try sandbox.git("add", "-A", in: clone)
        let message = agent ? message + "\n\nAgent: codex/1" : message
        try sandbox.git(["commit", "-q", "-m", message], in: clone, environment: dated(day))
        return try sandbox.git("rev-parse", "HEAD", in: clone)
    }

    /// Replaces the approvals on `commit` with records by `reviewers`, each signed with the
    /// reviewer's real key at the date given (seconds after the commit's date): `approve`
    /// writes the first, whose fields (the patch-id) the others copy.
    func approvals(on commit: String, at committed: Int64, _ reviewers: [(String, Int64)]) throws {
        let approved = try sandbox.agentreview(
            ["approve", commit, "--key", key(reviewers[0].0), "--as", "\(reviewers[0].0)@example.com"], in: clone)
        try #require(approved.status == 0, "\(approved.stderr)")
        var records = [String]()
        for (person, after) in reviewers {
            records.append(
                try resigned(
                    on: commit, by: person, fields: ["reviewer": "\(person)@example.com", "date": MetricsReport.utc(committed + after)]))
        }
        try sandbox.git(["notes", "--ref=refs/notes/agentreview", "add", "-f", "-m", records.joined(separator: "\n"), commit], in: clone)
    }

    /// The one record on `commit`, its `fields` replaced, signed again with `person`'s real key.
    func resigned(on commit: String, by person: String, fields: [String: String]) throws -> String {
        let note = try sandbox.git("notes", "--ref=refs/notes/agentreview", "show", commit, in: clone)
        let body = note.components(separatedBy: "-----BEGIN SSH SIGNATURE-----")[0].split(separator: "\n").map { line -> String in
            let name = String(line.prefix { $0 != " " })
            return fields[name].map { "\(name) \($0)" } ?? String(line)
        }.joined(separator: "\n") + "\n"
        let signed = try Sandbox.run(
            "/usr/bin/ssh-keygen", ["-q", "-Y", "sign", "-n", "agentreview", "-f", key(person)], in: keys, input: Data(body.utf8))
        try #require(signed.status == 0, "\(signed.stderr)")
        return body + signed.stdout
    }

    struct History {
        var c1, c2, c3, c4, h2, r1: String
    }

    /// The history, oldest first (days from 2026-09-01T10:00:00Z):
    ///
    /// | day | commit | by | class | lines |
    /// | 0 | C1 Add parser | agent | medium | 10 (approved by bob a day later) |
    /// | 1 | H1 Write guide | human | low | 4 |
    /// | 2 | C2 Provision network | agent | high | 6 (bob after 1 h, alice after 2 d) |
    /// | 4 | C3 Add cache | agent | medium | 3 (never approved) |
    /// | 5 | R1 git revert C3 | human | medium | 3 |
    /// | 6 | H3 Side work, on a branch | human | medium | 2 |
    /// | 31 | F1 Fix parser bounds, `Fixes: C1` | human | medium | 2 |
    /// | 32 | merge of the branch | | | |
    /// | 33 | H2 Tweak docs | human | low | 1 |
    /// | 34 | R2 Revert "Tweak docs" (no id) | human | low | 1 |
    /// | 40 | C4 Rotate keys, overridden | agent | high | 5 |
    func build() throws -> History {
        let c1 = try commit("Add parser", "src/parser.swift", lines: 10, day: 0, agent: true)
        try commit("Write guide", "docs/guide.md", lines: 4, day: 1)
        let c2 = try commit("Provision network", "infra/net.tf", lines: 6, day: 2, agent: true)
        let c3 = try commit("Add cache", "src/cache.swift", lines: 3, day: 4, agent: true)
        try sandbox.git(["revert", "--no-edit", c3], in: clone, environment: dated(5))
        let r1 = try sandbox.git("rev-parse", "HEAD", in: clone)
        try sandbox.git("branch", "side", in: clone)
        try sandbox.git("checkout", "-q", "side", in: clone)
        try commit("Side work", "src/side.swift", lines: 2, day: 6)
        try sandbox.git("checkout", "-q", "main", in: clone)
        // One line changed: one added, one deleted.
        let parser = (1...10).map { $0 == 3 ? "src/parser.swift line 3 bounded\n" : "src/parser.swift line \($0)\n" }.joined()
        try sandbox.write("src/parser.swift", parser, in: clone)
        try sandbox.git("add", "-A", in: clone)
        try sandbox.git(["commit", "-q", "-m", "Fix parser bounds\n\nFixes: \(c1.prefix(12)) (\"Add parser\")"], in: clone, environment: dated(31))
        try sandbox.git(["merge", "-q", "--no-ff", "-m", "Merge branch 'side'", "side"], in: clone, environment: dated(32))
        try sandbox.write("docs/guide.md", (1...4).map { "docs/guide.md line \($0)\n" }.joined() + "tweak\n", in: clone)
        try sandbox.git("add", "-A", in: clone)
        try sandbox.git(["commit", "-q", "-m", "Tweak docs"], in: clone, environment: dated(33))
        let h2 = try sandbox.git("rev-parse", "HEAD", in: clone)
        try sandbox.write("docs/guide.md", (1...4).map { "docs/guide.md line \($0)\n" }.joined(), in: clone)
        try sandbox.git("add", "-A", in: clone)
        try sandbox.git(["commit", "-q", "-m", "Revert \"Tweak docs\""], in: clone, environment: dated(34))
        let c4 = try commit("Rotate keys", "infra/keys.tf", lines: 5, day: 40, agent: true)

        try approvals(on: c1, at: Self.t0, [("bob", Self.day)])
        try approvals(on: c2, at: Self.t0 + 2 * Self.day, [("bob", 3600), ("alice", 2 * Self.day)])
        let override = try sandbox.agentreview(
            ["override", c4, "--reason", "prod down: INC-7 <b>", "--key", key("oncall"), "--as", "oncall@example.com"], in: clone)
        try #require(override.status == 0, "\(override.stderr)")
        return History(c1: c1, c2: c2, c3: c3, c4: c4, h2: h2, r1: r1)
    }

    func metrics(_ arguments: [String]) throws -> MetricsReport {
        let output = try sandbox.agentreview(["metrics", "--json"] + arguments, in: clone)
        try #require(output.status == 0, "\(output.stderr)")
        return try JSONDecoder().decode(MetricsReport.self, from: Data(output.stdout.utf8))
    }

    func row(_ rows: [MetricsRow], _ author: AuthorKind, class: String? = nil, month: String? = nil) throws -> MetricsFigures {
        try #require(rows.first { $0.author == author && $0.class == `class` && $0.month == month }).figures
    }

    @Test func everyFigureOfAKnownHistory() throws {
        let history = try build()
        let report = try metrics(["\(base)..HEAD", "--lines"])
        #expect(report.commits == MetricsReport.CommitCounts(walked: 11, counted: 10, merges: 1, outsideWindow: 0, afterWindow: 0))
        // What a reader checks by hand with git.
        #expect(String(report.commits.counted) == (try sandbox.git("rev-list", "--no-merges", "--count", "\(base)..HEAD", in: clone)))
        let numstat = try sandbox.git("log", "--numstat", "--no-renames", "--no-merges", "--format=", "\(base)..HEAD", in: clone)
        let gitLines = numstat.split(separator: "\n").reduce(0) { sum, line in
            let fields = line.split(separator: "\t")
            return sum + (Int(fields[0]) ?? 0) + (Int(fields[1]) ?? 0)
        }
        let agent = try row(report.totals, .agent), human = try row(report.totals, .human)
        #expect(gitLines == 37)
        #expect(agent.lines == Ratio(24, of: 37))
        #expect(human.lines == Ratio(13, of: 37))
        #expect(agent.commits == Ratio(4, of: 10))
        #expect(human.commits == Ratio(6, of: 10))
        #expect(!report.totals.contains { $0.author == .bot })
        // Without --lines no blob is read, and no line figure is made up.
        #expect(try metrics(["\(base)..HEAD"]).totals.allSatisfy { $0.figures.lines == nil })
        // C3 reverted by `git revert`; H2 by its subject. C1 fixed 31 days after it was written.
        #expect(agent.reverted == Ratio(1, of: 4))
        #expect(human.reverted == Ratio(1, of: 6))
        #expect(agent.fixed == Ratio(1, of: 4))
        #expect(agent.timeToFix == DurationStats([31 * Self.day]))
        #expect(human.fixed == Ratio(0, of: 6))
        // Sign-off: C1 and C2 approved, C3 waiting, C4 overridden; people's commits need none.
        #expect(agent.signedOff == Ratio(2, of: 4))
        #expect(agent.overridden == Ratio(1, of: 4))
        #expect(agent.latency == DurationStats([Self.day, 2 * Self.day]))
        #expect(agent.latency.median == Self.day)
        #expect(agent.latency.p90 == 2 * Self.day)
        #expect(agent.firstApproval == DurationStats([Self.day, 3600]))
        #expect(human.signedOff == Ratio(0, of: 0))

        #expect(report.rows.map { "\($0.class!)/\($0.author.rawValue)" } == ["low/human", "medium/agent", "medium/human", "high/agent"])
        #expect(try row(report.rows, .human, class: "low").commits == Ratio(3, of: 3))
        #expect(try row(report.rows, .agent, class: "medium").commits == Ratio(2, of: 5))
        #expect(try row(report.rows, .agent, class: "medium").lines == Ratio(13, of: 20))
        #expect(try row(report.rows, .human, class: "medium").reverted == Ratio(0, of: 3))
        #expect(try row(report.rows, .agent, class: "high").signedOff == Ratio(1, of: 2))
        #expect(try row(report.rows, .agent, class: "high").overridden == Ratio(1, of: 2))
        #expect(try row(report.rows, .agent, class: "high").latency == DurationStats([2 * Self.day]))

        let medium = try #require(report.latency.first { $0.class == "medium" && $0.author == .agent })
        #expect(medium.buckets.first { $0.label == "≤ 1d" }?.count == 1)
        #expect(medium.stats.count == 1)
        let high = try #require(report.latency.first { $0.class == "high" && $0.author == .agent })
        #expect(high.buckets.first { $0.label == "≤ 3d" }?.count == 1)
        #expect(report.paths == [
            PathCount(path: "infra/keys.tf", class: "high", commits: 1, agent: 1, human: 0, bot: 0),
            PathCount(path: "infra/net.tf", class: "high", commits: 1, agent: 1, human: 0, bot: 0),
        ])
        #expect(report.overrides.count == 1)
        let override = try #require(report.overrides.first)
        #expect(override.commit == history.c4)
        #expect(override.signer == "oncall@example.com")
        #expect(override.reason == "prod down: INC-7 <b>")
        #expect(override.source == "notes")
        #expect(report.methods["reverted"]?.contains("This reverts commit") == true)
        #expect(report.methods.keys.sorted() == MetricsReport.methods.keys.sorted())
    }

    /// A commit is judged as of its push: an override signed an hour after C4 (day 40), long
    /// older than `max_age` (a day) today, still let C4 through when it was pushed with it.
    @Test func anOverrideCountsAsOfItsPush() throws {
        let history = try build()
        let record = try resigned(
            on: history.c4, by: "oncall", fields: ["date": MetricsReport.utc(Self.t0 + 40 * Self.day + 3600)])
        try sandbox.git(["notes", "--ref=refs/notes/agentreview", "add", "-f", "-m", record, history.c4], in: clone)
        let report = try metrics(["\(base)..HEAD"])
        #expect(try row(report.totals, .agent).overridden == Ratio(1, of: 4))
        #expect(report.overrides.map(\.date) == ["2026-10-11T11:00:00Z"])
        // Judged now, the same override is too old to count.
        let (now, _) = try sandbox.judgement(["status", "\(base)..HEAD"], in: clone)
        #expect(now.commits.first { $0.id == history.c4 }?.verdict == .blocked)
    }

    @Test func byMonthByWriterAndTheWindow() throws {
        _ = try build()
        let months = try metrics(["\(base)..HEAD", "--by", "month"])
        #expect(months.rows.map { "\($0.month!)/\($0.author.rawValue)/\($0.figures.commits.count) of \($0.figures.commits.of)" } == [
            "2026-09/agent/3 of 6", "2026-09/human/3 of 6", "2026-10/agent/1 of 4", "2026-10/human/3 of 4",
        ])
        let writers = try metrics(["\(base)..HEAD", "--by", "agent"])
        #expect(writers.rows.map { "\($0.writer!)/\($0.class!)/\($0.figures.commits.count)" } == [
            "codex/medium/2", "codex/high/2", "human/low/3", "human/medium/3",
        ])
        // October only: the commits before it are walked but not counted; nothing in it was reverted.
        let october = try metrics(["\(base)..HEAD", "--since", "2026-10-01", "--until", "2026-10-31"])
        #expect(october.window == MetricsReport.Window(since: "2026-10-01T00:00:00Z", until: "2026-10-31T23:59:59Z"))
        #expect(october.commits.counted == 4)
        #expect(october.commits.outsideWindow == 6)
        #expect(try row(october.totals, .agent).commits == Ratio(1, of: 4))
        #expect(try row(october.totals, .human).reverted == Ratio(1, of: 3))
        // September: C1's fix and C3's revert come after the window, and still count.
        let september = try metrics(["\(base)..HEAD", "--until", "2026-09-30"])
        #expect(september.commits.counted == 6)
        #expect(september.commits.afterWindow == 4)
        #expect(try row(september.totals, .agent).reverted == Ratio(1, of: 3))
        #expect(try row(september.totals, .agent).fixed == Ratio(1, of: 3))
    }

    /// Churn over 14 days, to the tip (day 40): C3's 3 lines were reverted the next day; C1's
    /// and C2's lines, and H1's, were still theirs 14 days on (F1 changed C1's line 3 on day
    /// 31, after its window). F1, H2, R2 and C4 are too recent; H3, on a branch merged after its
    /// window, is skipped. R1 added no lines.
    @Test func churnWithinFourteenDays() throws {
        _ = try build()
        let report = try metrics(["\(base)..HEAD", "--churn"])
        let churn = try #require(report.churn)
        #expect(churn.days == 14)
        #expect(churn.agent == Ratio(3, of: 19))
        #expect(churn.human == Ratio(0, of: 4))
        #expect(churn.tooRecent == 4)
        #expect(churn.skipped == 1)
        #expect(churn.blamed == 4)
        #expect(try metrics(["\(base)..HEAD"]).churn == nil)
    }

    @Test func theAuditLogsRefusedPushes() throws {
        _ = try build()
        // C3 lacks its approval: the server refuses main, and writes that down.
        let push = try Sandbox.run("/usr/bin/git", ["push", "origin", "main", "refs/notes/agentreview"], in: clone)
        #expect(push.status != 0)
        let log = server.appendingPathComponent("agentreview/audit.jsonl").path
        let report = try metrics(["\(base)..HEAD", "--audit", log])
        let audit = try #require(report.audit)
        #expect(audit.file == log)
        let month = String(MetricsReport.utc(Int64(Date().timeIntervalSince1970)).prefix(7))
        let refused = audit.months.first { $0.month == month }
        #expect(refused?.refused ?? 0 >= 1)
        #expect(refused?.judged == audit.refused.of)
        #expect(audit.refused.count == refused?.refused)
        // A log that is not there is an error that says so, not an empty figure.
        let missing = try sandbox.agentreview(["metrics", "--audit", "/nonexistent/audit.jsonl"], in: clone)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/audit.jsonl"))
    }

    @Test func textAndRefusals() throws {
        _ = try build()
        let text = try sandbox.agentreview(["metrics", "\(base)..HEAD"], in: clone)
        #expect(text.status == 0)
        #expect(text.stdout.contains("10 commits counted of 11 walked (not counted: 1 merges)"))
        #expect(text.stdout.contains("4 of 10 (40.0%)"))
        #expect(text.stdout.contains("prod down: INC-7 <b>"))
        #expect(text.stdout.contains("infra/keys.tf"))
        for (arguments, message) in [
            (["--since", "last week"], "--since last week: write a date"),
            (["--since", "2026-10-02", "--until", "2026-10-01"], "is after --until"),
            (["--by", "team"], "team"),
            (["nosuchrev"], "nosuchrev"),
        ] {
            let output = try sandbox.agentreview(["metrics"] + arguments, in: clone)
            #expect(output.status == 2, "\(arguments)")
            #expect(output.stderr.contains(message), "\(arguments): \(output.stderr)")
            #expect(output.stdout.isEmpty)
        }
    }
}
