import AgentReviewCore
import AgentReviewGit
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AgentReviewCommand {
    struct Metrics: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "metrics",
            abstract: "Governance metrics of a history: agent and human shares, review latency, reverts, fixes, overrides.",
            discussion: """
                Computed from the repository itself: the history of RANGE (A..B, or a revision; HEAD by default),
                the approvals in refs/notes/agentreview and, with --audit, the audit log. Each commit is judged as
                `status` judges it (class by the policy, agent by its trailers and identities, sign-off by its
                records). Merge commits are not counted. Every figure carries its denominator; --json also says how
                each was computed (`methods`), so it can be checked by hand with git.
                --since and --until select commits by committer date (as git log does): 2026-11-28 (that whole
                day, UTC) or 2026-11-28T15:00:00Z. Reverts and fixes anywhere in the walk count.
                Changed lines are counted with --lines: a line diff of every commit (blob contents read, as git log
                --numstat reads them), several times the cost of the rest.
                --churn also measures agent lines rewritten within 14 days with git blame: one blame per file an
                old enough commit changed, which takes minutes on a long history.
                """)

        @OptionGroup var metrics: MetricsOptions

        @Option(help: "Group the table by: class, agent or month.")
        var by: MetricsReport.Grouping = .class

        @OptionGroup var options: CommonOptions

        func run() throws {
            try guarded {
                let report = try metrics.compute(options: options).report(by: by)
                if options.json {
                    print(try Rendering.json(report))
                } else {
                    print(MetricsText.render(report), terminator: "")
                }
                return 0
            }
        }
    }
}

extension MetricsReport.Grouping: ExpressibleByArgument {}

/// What `metrics` and `report` share: which commits, which window, what to read.
struct MetricsOptions: ParsableArguments {
    @Argument(help: "A..B, or a revision (HEAD by default).")
    var range: String?

    @Option(help: "Count commits with a committer date at or after this (2026-11-01, or 2026-11-01T00:00:00Z).")
    var since: String?

    @Option(help: "Count commits with a committer date at or before this (2026-11-30: through that day, UTC).")
    var until: String?

    @Option(help: "Read the audit log (audit.jsonl) for refused pushes and overrides over time.")
    var audit: String?

    @Option(help: "Read the policy from this revision instead of the remote's trust root.")
    var base: String?

    @Flag(help: "Measure lines rewritten within 14 days of their commit, agents' and people's (git blame: costly on long histories).")
    var churn = false

    @Flag(help: "Count changed lines too: a line diff of every commit, as git log --numstat makes (several times slower).")
    var lines = false


    /// The window's bounds, in seconds and as entry times compare.
    struct Window {
        var since: Int64?
        var until: Int64?
        var shown: MetricsReport.Window

        /// Audit entry times at the bounds (`2026-11-28T15:04:05.000Z`), compared as text.
        var sinceEntry: String? { shown.since.map { String($0.dropLast()) + ".000Z" } }
        var untilEntry: String? { shown.until.map { String($0.dropLast()) + ".999Z" } }
    }

    func window() throws -> Window {
        func bound(_ text: String?, name: String, end: Bool) throws -> Int64? {
            guard let text else { return nil }
            guard let date = ContractLoader.expiry(text) else {
                throw CLIError("--\(name) \(text): write a date (2026-11-28) or a UTC time (2026-11-28T15:00:00Z)")
            }
            // A date alone is that whole day: `expiry` gives the moment after it ends.
            let seconds = Int64(date.timeIntervalSince1970)
            if text.count == 10 { return end ? seconds - 1 : seconds - 86400 }
            return seconds
        }
        let since = try bound(since, name: "since", end: false)
        let until = try bound(until, name: "until", end: true)
        if let since, let until, since > until {
            throw CLIError("--since \(self.since!) is after --until \(self.until!): nothing could be counted")
        }
        func shown(_ seconds: Int64?) -> String? { seconds.map(MetricsReport.utc) }
        return Window(since: since, until: until, shown: MetricsReport.Window(since: shown(since), until: shown(until)))
    }

    /// The walk ends after this many commits in a row older than `--since`.
    static let olderRun = 100

    /// Walks the range newest first, judging each commit, and adds it up.
    func compute(options: CommonOptions) throws -> MetricsRun {
        let window = try window()
        let repository = try options.openRepository()
        let configuration = try WorkingTreePolicy.load(
            orFrom: try TrustedBase.forLocalWork(in: repository, explicit: base), policyFile: options.policy, in: repository)
        let range = self.range ?? "HEAD"
        let parsed = try RevisionRange(range)
        let tips = [try repository.resolveCommit(parsed.to)]
        let hidden = try parsed.from.map { [try repository.resolveCommit($0)] } ?? []
        let walk: RevisionWalk
        do {
            walk = try repository.walk(from: tips, hiding: hidden)
        } catch {
            throw Shallow.explained(error, judging: "the commits of \(range)", reaching: nil)
        }
        let records = try SignoffRecords.index(
            notesCommits: try SignoffRecords.localTips(in: repository), in: repository, configuration: configuration)
        var judge = Judge(repository: repository, configuration: configuration, records: records)
        judge.historical = true
        var gatherer = FactGatherer(
            repository: repository, contents: lines || judge.gatherer.contents,
            linesOver: lines ? -1 : judge.gatherer.linesOver, signatures: judge.gatherer.signatures, notes: judge.gatherer.notes)
        gatherer.merges = false
        gatherer.parsesEarly = true
        let policy = configuration.policy
        var accumulator = MetricsAccumulator(
            classes: policy.classes.map(\.name), since: window.since, until: window.until, linesCounted: lines)
        var churnMeter = churn ? try ChurnMeter(repository: repository, tip: tips[0], days: 14) : nil
        /// Thrown to end the walk: every commit left is older than the window.
        struct PastTheWindow: Error {}
        var olderInARow = 0
        do {
            try judge.judge(walk, mode: .enforce, base: nil, using: gatherer) { judged in
                let facts = judged.facts, report = judged.report
                let rank = policy.classes.firstIndex { $0.name == report.class } ?? policy.defaultClass
                let author: AuthorKind = report.agent != nil ? .agent : report.bot != nil ? .bot : .human
                // The evaluator is copied for a historical time only where the time matters.
                let times: SignoffTimes
                if facts.isMerge {
                    times = SignoffTimes(needsApproval: false)
                } else if let time = judge.historicalTime(of: facts) {
                    times = judge.evaluator.at(time).signoffTimes(
                        of: report, commit: facts, signoff: judged.signoff, signoffNotes: judged.signoffNotes)
                } else {
                    times = judge.evaluator.signoffTimes(of: report, commit: facts, signoff: judged.signoff, signoffNotes: judged.signoffNotes)
                }
                func seconds(_ date: Date?) -> Int64? { date.map { Int64($0.timeIntervalSince1970.rounded(.down)) } }
                let changed: Int? = lines ? facts.changes.reduce(0) { $0 + ($1.changedLines ?? 0) } : nil
                let commit = MetricsCommit(
                    id: facts.id, subject: facts.subject, authorTime: facts.authorTime, committerTime: facts.committerTime ?? facts.authorTime,
                    isMerge: facts.isMerge, author: author, writer: report.writer, classRank: rank, lines: changed,
                    highPaths: rank == policy.highestClass ? report.paths.filter { $0.class == report.class }.map(\.path) : [],
                    references: HistoryReferences.parse(message: judged.info.message, subject: facts.subject, trailers: facts.trailers),
                    needsApproval: times.needsApproval, firstApproval: seconds(times.first), completed: seconds(times.completed),
                    override: report.verdict == .overridden ? report.override : nil)
                let counted = accumulator.add(commit)
                if churnMeter != nil {
                    let object = judged.commit
                    try churnMeter!.add(
                        commit: object.id, parents: object.parents, committerTime: commit.committerTime, author: author, counted: counted,
                        added: try ChurnMeter.addedLines(of: object, id: object.id, in: repository))
                }
                // As git log --since stops: once a run of commits is older than the window
                // (a run, not one: a skewed clock can date a commit before its parents).
                if let since = window.since, commit.committerTime < since {
                    olderInARow += 1
                    if olderInARow >= Self.olderRun { throw PastTheWindow() }
                } else {
                    olderInARow = 0
                }
            }
        } catch is PastTheWindow {
        } catch {
            throw Shallow.explained(error, judging: "the commits of \(range)", reaching: nil)
        }
        var audit: AuditFigures?
        var auditOverrides = [OverrideItem]()
        if let file = self.audit {
            let entries = try AuditFiles.entries(file).map(\.entry)
            audit = AuditFigures(file: file, entries: entries, since: window.sinceEntry, until: window.untilEntry)
            auditOverrides = AuditFigures.overrides(in: entries, since: window.sinceEntry, until: window.untilEntry, known: [])
        }
        let origin = configuration.origin.map { origin in (origin.ref ?? origin.commit).map { "\($0):\(origin.path)" } ?? origin.path }
            ?? configuration.source
        return MetricsRun(
            accumulator: accumulator, range: range, policy: origin, window: window.shown, audit: audit, auditOverrides: auditOverrides,
            churn: churnMeter?.figures())
    }
}

/// What a metrics walk added up, ready to be reported by any grouping.
struct MetricsRun {
    var accumulator: MetricsAccumulator
    var range: String
    var policy: String
    var window: MetricsReport.Window
    var audit: AuditFigures?
    var auditOverrides: [OverrideItem]
    var churn: ChurnFigures?

    func report(by grouping: MetricsReport.Grouping) -> MetricsReport {
        var report = accumulator.report(by: grouping, range: range, policy: policy, window: window)
        report.audit = audit
        let known = Set(report.overrides.map(\.commit))
        report.overrides += auditOverrides.filter { !known.contains($0.commit) }
        report.churn = churn
        return report
    }
}
