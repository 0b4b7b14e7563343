#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One commit as the metrics see it: plain values the CLI gathers from the judgement.
public struct MetricsCommit: Sendable, Hashable {
    public var id: String
    public var subject: String
    /// Seconds since the epoch.
    public var authorTime: Int64
    public var committerTime: Int64
    public var isMerge: Bool
    public var author: AuthorKind
    /// The agent's name, `human`, or `bot:NAME` (``CommitReport/writer``).
    public var writer: String
    public var classRank: Int
    /// Lines added plus deleted; nil when not counted.
    public var lines: Int?
    /// The paths it touches that are of the highest class.
    public var highPaths: [String]
    public var references: HistoryReferences
    /// Whether its class requires approvals (or owners, or a person's sign-off).
    public var needsApproval: Bool
    /// When the first approval that counts was signed (seconds since the epoch).
    public var firstApproval: Int64?
    /// When the approval that completed the sign-off was signed; nil when it is not complete,
    /// or was completed otherwise (an override).
    public var completed: Int64?
    /// The override that let it through, when one did.
    public var override: OverrideReport?

    public init(
        id: String, subject: String, authorTime: Int64, committerTime: Int64, isMerge: Bool = false, author: AuthorKind,
        writer: String, classRank: Int, lines: Int? = nil, highPaths: [String] = [], references: HistoryReferences = .none,
        needsApproval: Bool = false, firstApproval: Int64? = nil, completed: Int64? = nil, override: OverrideReport? = nil
    ) {
        self.id = id
        self.subject = subject
        self.authorTime = authorTime
        self.committerTime = committerTime
        self.isMerge = isMerge
        self.author = author
        self.writer = writer
        self.classRank = classRank
        self.lines = lines
        self.highPaths = highPaths
        self.references = references
        self.needsApproval = needsApproval
        self.firstApproval = firstApproval
        self.completed = completed
        self.override = override
    }
}

/// Adds up commits given newest first (as a walk gives them) into a ``MetricsReport``.
///
/// A revert or a fix is newer than what it names, so it is seen first: its references wait
/// (ids by prefix, subjects by text) until the commit they name comes by. Memory grows with
/// the references waiting, the months, writers and classes, the approved commits' latencies
/// and the highest class's paths (at most ``pathLimit``), never with the history's length.
public struct MetricsAccumulator: Sendable {
    public let classes: [String]
    /// Commits with a committer date before this (seconds) are not counted; nil: none.
    public let since: Int64?
    /// Commits with a committer date after this are not counted (their references are); nil: none.
    public let until: Int64?
    public let linesCounted: Bool

    private var counts = MetricsReport.CommitCounts()
    private var cells: [CellKey: Cell] = [:]
    /// Ids a revert names, by their length: the revert's committer time.
    private var revertedIDs: [Int: [String: Int64]] = [:]
    /// Subjects a revert names without an id: how many reverts wait for each.
    private var revertedSubjects: [String: Int] = [:]
    /// Ids a fix names, by their length: the earliest fix's committer time.
    private var fixedIDs: [Int: [String: Int64]] = [:]
    private var paths: [String: PathCount] = [:]
    private var pathsDropped = false
    private var overrides: [OverrideItem] = []
    /// The month of the last day seen: a walk by date sees each day's commits together.
    private var lastDay: (day: Int64, month: String) = (.min, "")

    /// The most distinct paths of the highest class counted; beyond it new paths are not tracked.
    public static let pathLimit = 50_000

    public init(classes: [String], since: Int64? = nil, until: Int64? = nil, linesCounted: Bool = true) {
        self.classes = classes
        self.since = since
        self.until = until
        self.linesCounted = linesCounted
    }

    private struct CellKey: Hashable {
        var classRank: Int
        var author: AuthorKind
        var writer: String
        var month: String
    }

    private struct Cell {
        var commits = 0
        var lines = 0
        var reverted = 0
        var fixed = 0
        var fixTimes: [Int64] = []
        var needsApproval = 0
        var signedOff = 0
        var overridden = 0
        var latency: [Int64] = []
        var firstApproval: [Int64] = []

        mutating func add(_ other: Cell) {
            commits += other.commits
            lines += other.lines
            reverted += other.reverted
            fixed += other.fixed
            fixTimes += other.fixTimes
            needsApproval += other.needsApproval
            signedOff += other.signedOff
            overridden += other.overridden
            latency += other.latency
            firstApproval += other.firstApproval
        }
    }

    /// Takes the next commit of the walk (each older than, or as old as, those before);
    /// true when it is counted (not a merge, within the window).
    @discardableResult
    public mutating func add(_ commit: MetricsCommit) -> Bool {
        counts.walked += 1
        // What this commit names waits for the older commits it names.
        for id in commit.references.revertedIDs {
            revertedIDs[id.count, default: [:]][id] = max(revertedIDs[id.count]?[id] ?? .min, commit.committerTime)
        }
        if let subject = commit.references.revertedSubject { revertedSubjects[subject, default: 0] += 1 }
        for id in commit.references.fixedIDs {
            fixedIDs[id.count, default: [:]][id] = min(fixedIDs[id.count]?[id] ?? .max, commit.committerTime)
        }
        // Whether a newer commit named this one: by any prefix of its id, or by its subject.
        var reverted = false
        var fixedAt: Int64?
        for (length, ids) in revertedIDs where ids[String(commit.id.prefix(length))] != nil { reverted = true }
        for (length, ids) in fixedIDs {
            if let time = ids[String(commit.id.prefix(length))] { fixedAt = min(fixedAt ?? .max, time) }
        }
        if !reverted, let waiting = revertedSubjects[commit.subject] {
            reverted = true
            revertedSubjects[commit.subject] = waiting > 1 ? waiting - 1 : nil
        }
        if commit.isMerge {
            counts.merges += 1
            return false
        }
        if let since, commit.committerTime < since {
            counts.outsideWindow += 1
            return false
        }
        if let until, commit.committerTime > until {
            counts.afterWindow += 1
            return false
        }
        counts.counted += 1
        let day = commit.committerTime >= 0 ? commit.committerTime / 86400 : (commit.committerTime - 86399) / 86400
        if day != lastDay.day { lastDay = (day, Self.month(commit.committerTime)) }
        let key = CellKey(classRank: commit.classRank, author: commit.author, writer: commit.writer, month: lastDay.month)
        var cell = cells[key] ?? Cell()
        cell.commits += 1
        cell.lines += commit.lines ?? 0
        if reverted { cell.reverted += 1 }
        if let fixedAt {
            cell.fixed += 1
            cell.fixTimes.append(max(0, fixedAt - commit.authorTime))
        }
        if commit.needsApproval {
            cell.needsApproval += 1
            if let completed = commit.completed {
                cell.signedOff += 1
                cell.latency.append(max(0, completed - commit.authorTime))
            } else if commit.override != nil {
                cell.overridden += 1
            }
            if let first = commit.firstApproval { cell.firstApproval.append(max(0, first - commit.authorTime)) }
        }
        cells[key] = cell
        if let override = commit.override {
            overrides.append(
                OverrideItem(
                    commit: commit.id, subject: commit.subject, writer: commit.writer, class: classes[commit.classRank],
                    signer: override.signer, date: override.date, reason: override.reason, source: "notes"))
        }
        for path in commit.highPaths {
            if paths[path] == nil {
                guard paths.count < Self.pathLimit else {
                    pathsDropped = true
                    continue
                }
                paths[path] = PathCount(path: path, class: classes[commit.classRank], commits: 0, agent: 0, human: 0, bot: 0)
            }
            paths[path]!.commits += 1
            switch commit.author {
            case .agent: paths[path]!.agent += 1
            case .human: paths[path]!.human += 1
            case .bot: paths[path]!.bot += 1
            }
        }
        return true
    }

    /// `2026-11` for a time in seconds since the epoch, in UTC.
    public static func month(_ time: Int64) -> String {
        String(CivilTime.format(Date(timeIntervalSince1970: TimeInterval(time))).prefix(7))
    }

    /// The report so far.
    public func report(
        by grouping: MetricsReport.Grouping, range: String, policy: String, window: MetricsReport.Window, pathCount: Int = 10
    ) -> MetricsReport {
        let totals = rows(grouping: nil)
        let latency = histograms()
        let top = paths.values.sorted { ($0.commits, $1.path) > ($1.commits, $0.path) }.prefix(pathCount)
        var methods = MetricsReport.methods
        if pathsDropped {
            methods["paths"]! += " More than \(Self.pathLimit) distinct paths of the highest class: paths first seen after that were not counted."
        }
        return MetricsReport(
            range: range, policy: policy, window: window, by: grouping, commits: counts, totals: totals,
            rows: rows(grouping: grouping), latency: latency, paths: Array(top), overrides: overrides, methods: methods)
    }

    /// Rows: per author kind (nil), or per the grouping's key and author kind (for `agent`: writer and class).
    private func rows(grouping: MetricsReport.Grouping?) -> [MetricsRow] {
        struct RowKey: Hashable {
            var group: String
            var classRank: Int
            var author: AuthorKind
            var writer: String?
            var month: String?
        }
        var merged: [RowKey: Cell] = [:]
        var groups: [String: Cell] = [:]
        for (key, cell) in cells {
            let rowKey: RowKey
            switch grouping {
            case nil: rowKey = RowKey(group: "", classRank: -1, author: key.author)
            case .class: rowKey = RowKey(group: String(key.classRank), classRank: key.classRank, author: key.author)
            case .agent: rowKey = RowKey(group: key.writer, classRank: key.classRank, author: key.author, writer: key.writer)
            case .month: rowKey = RowKey(group: key.month, classRank: -1, author: key.author, month: key.month)
            }
            merged[rowKey, default: Cell()].add(cell)
            groups[rowKey.group, default: Cell()].add(cell)
        }
        let ordered = merged.keys.sorted { a, b in
            if a.group != b.group {
                switch grouping {
                case .class: return a.classRank < b.classRank
                // Agents by name, then people, then bots by name.
                case .agent: return (a.author, a.writer ?? "") < (b.author, b.writer ?? "")
                default: return a.group < b.group
                }
            }
            return (a.classRank, a.author) < (b.classRank, b.author)
        }
        return ordered.map { key in
            let cell = merged[key]!, group = groups[key.group]!
            return MetricsRow(
                author: key.author, writer: key.writer, class: key.classRank >= 0 ? classes[key.classRank] : nil, month: key.month,
                figures: figures(cell, group: group))
        }
    }

    private func figures(_ cell: Cell, group: Cell) -> MetricsFigures {
        MetricsFigures(
            commits: Ratio(cell.commits, of: group.commits),
            lines: linesCounted ? Ratio(cell.lines, of: group.lines) : nil,
            reverted: Ratio(cell.reverted, of: cell.commits),
            fixed: Ratio(cell.fixed, of: cell.commits),
            timeToFix: DurationStats(cell.fixTimes),
            signedOff: Ratio(cell.signedOff, of: cell.needsApproval),
            overridden: Ratio(cell.overridden, of: cell.needsApproval),
            latency: DurationStats(cell.latency),
            firstApproval: DurationStats(cell.firstApproval))
    }

    /// Sign-off latency by class and author kind, for each that had a commit needing approval.
    private func histograms() -> [LatencyHistogram] {
        var merged: [Int: [AuthorKind: Cell]] = [:]
        for (key, cell) in cells where cell.needsApproval > 0 {
            merged[key.classRank, default: [:]][key.author, default: Cell()].add(cell)
        }
        return merged.keys.sorted().flatMap { rank in
            merged[rank]!.keys.sorted().map { author in
                LatencyHistogram(class: classes[rank], author: author, samples: merged[rank]![author]!.latency)
            }
        }
    }
}

extension MetricsReport {
    /// How each figure is computed, by the name it has in rows and totals.
    public static let methods: [String: String] = [
        "commits": "Non-merge commits reached by the walk of the range whose committer date is within the window (git log --no-merges --since --until RANGE | count), each once; agent, human or bot as agentreview's attribution says (agentreview explain REV), class by the policy's path rules (agentreview explain REV). The denominator is the row's group: its class, month or writer; for totals, every counted commit.",
        "lines": "With --lines: lines added plus lines deleted against the first parent, binary files counting 0: the sum of both columns of git log --numstat --no-renames --no-merges for the same commits. The denominator is the row's group's lines.",
        "reverted": "A commit counts as reverted when a newer commit of the walk says `This reverts commit <id>` (what git revert writes; 7 to 40 hex digits of its id), or, when that commit names no id, has the subject `Revert \"<its subject>\"` (matched to the newest older commit with that subject, one each). Check: git log --grep='This reverts commit <id>' RANGE. The denominator is the row's commits.",
        "fixed": "A commit counts as fixed (an escaped defect) when a newer commit of the walk has a trailer `Fixes: <id>` naming it (7 to 40 hex digits, the kernel's form `Fixes: <id> (\"subject\")`; `Fixes: #123` is not an id). Check: git log --format='%H %(trailers:key=Fixes,valueonly)' RANGE. The denominator is the row's commits.",
        "time_to_fix": "From the fixed commit's author date to the committer date of the earliest commit that names it in `Fixes:`; median and p90 by nearest rank.",
        "signed_off": "Commits whose class requires approvals (or code owners, or a person's sign-off) whose verified records in refs/notes/agentreview give them everything it requires; out of the row's commits whose class requires approvals. Check one: agentreview explain REV.",
        "overridden": "Commits whose class requires approvals that lack them and were let through by a valid break-glass override (agentreview override); out of the row's commits whose class requires approvals.",
        "latency": "From the commit's author date (kept by a rebase) to the date of the approval record that completed its sign-off: the earliest record date at which the approvals signed by then give the class everything it requires (gate attestations counted whenever signed). Negative spans (clocks) count as 0. Median and p90 by nearest rank: the value at position ceil(p*n) of the sorted list.",
        "first_approval": "From the commit's author date to the earliest-dated approval that counts for it.",
        "paths": "Paths of the policy's highest class touched by counted commits, most commits first (git log --no-merges --format= --name-only RANGE -- PATH | count).",
        "audit": "From the audit log: each entry is one ref update judged by the pre-receive hook or check --audit, counted in the month of its time (UTC) when within the window; refused when its verdict is blocked; overridden when any of its commits was overridden.",
        "churn": "With --churn: for each counted non-merge commit by an agent or a person (bots left out) whose window of N days has ended at the walk's tip (committer time + N days <= the tip's): the lines it added to each file (git diff --numstat PARENT COMMIT), and of those, the ones git blame no longer attributes to it at the first commit on the tip's first-parent line dated within N days of it (git blame -s --root PARENT..THAT -- PATH, following every parent of a merge; a file gone there keeps none, a renamed one included). A commit that commit does not contain (a branch merged after the window) is counted nowhere (skipped). Costs one blame per file such a commit added lines to (about 0.14 s each on libgit2's history).",
        "order": "The walk goes newest first by committer date; a revert or fix dated before the commit it names (a skewed clock) is not matched.",
    ]
}
