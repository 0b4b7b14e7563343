#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Governance metrics of a history: what `agentreview metrics` prints and `agentreview
/// report --html` draws. Every figure carries its denominator, and `methods` says how each
/// was computed, with the git command that checks it by hand.
///
/// In JSON: `range`, `policy`, `window` {since, until}, `by`, `commits` {walked, counted,
/// merges, outside_window, after_window}, `totals` and `rows` (``MetricsRow``), `latency`
/// (``LatencyHistogram``), `paths` (``PathCount``), `overrides` (``OverrideItem``), `audit`
/// (``AuditFigures``, with `--audit`), `churn` (``ChurnFigures``, with `--churn`), `methods`.
public struct MetricsReport: Sendable, Hashable, Codable {
    public static let version = 1

    /// The format's version.
    public var v: Int
    /// What was walked, as given (`HEAD`, `v1.0..main`).
    public var range: String
    /// Where the policy that classified the commits was read from.
    public var policy: String
    public var window: Window
    /// The grouping of `rows`.
    public var by: Grouping
    public var commits: CommitCounts
    /// One row per author kind (agent, human, bot) over every counted commit.
    public var totals: [MetricsRow]
    /// The breakdown `by` asks for.
    public var rows: [MetricsRow]
    /// How long sign-off took, by class and author kind, in buckets.
    public var latency: [LatencyHistogram]
    /// The most touched paths of the highest class, most commits first.
    public var paths: [PathCount]
    /// Every counted commit a break-glass override let through, newest first (from the
    /// approvals notes); with `--audit`, also those the log names that the walk did not reach.
    public var overrides: [OverrideItem]
    /// Pushes judged, refused and overridden per month; present with `--audit FILE`.
    public var audit: AuditFigures?
    /// Agent lines rewritten soon after; present with `--churn`.
    public var churn: ChurnFigures?
    /// How each figure was computed, by figure name.
    public var methods: [String: String]

    public init(
        range: String, policy: String, window: Window, by: Grouping, commits: CommitCounts, totals: [MetricsRow],
        rows: [MetricsRow], latency: [LatencyHistogram], paths: [PathCount], overrides: [OverrideItem],
        audit: AuditFigures? = nil, churn: ChurnFigures? = nil, methods: [String: String] = MetricsReport.methods
    ) {
        v = Self.version
        self.range = range
        self.policy = policy
        self.window = window
        self.by = by
        self.commits = commits
        self.totals = totals
        self.rows = rows
        self.latency = latency
        self.paths = paths
        self.overrides = overrides
        self.audit = audit
        self.churn = churn
        self.methods = methods
    }

    /// What `rows` are grouped by.
    public enum Grouping: String, Sendable, Hashable, Codable, CaseIterable {
        /// One row per class and author kind.
        case `class`
        /// One row per writer (each agent by name, `human`, `bot:NAME`) and class.
        case agent
        /// One row per month (of the committer date, UTC) and author kind.
        case month
    }

    /// The commits counted: those whose committer date is within the window (as `git log
    /// --since/--until` select), merges left out.
    public struct Window: Sendable, Hashable, Codable {
        /// UTC, to the second; nil when open.
        public var since: String?
        public var until: String?

        public init(since: String? = nil, until: String? = nil) {
            self.since = since
            self.until = until
        }
    }

    public struct CommitCounts: Sendable, Hashable, Codable {
        /// Every commit the walk reached.
        public var walked: Int
        /// Those counted in the figures.
        public var counted: Int
        /// Merge commits: not counted (as `git log --no-merges`), but searched for reverts and fixes.
        public var merges: Int
        /// Non-merge commits dated before `since`.
        public var outsideWindow: Int
        /// Non-merge commits dated after `until`: not counted, but their reverts and fixes count.
        public var afterWindow: Int

        public init(walked: Int = 0, counted: Int = 0, merges: Int = 0, outsideWindow: Int = 0, afterWindow: Int = 0) {
            self.walked = walked
            self.counted = counted
            self.merges = merges
            self.outsideWindow = outsideWindow
            self.afterWindow = afterWindow
        }

        private enum CodingKeys: String, CodingKey {
            case walked, counted, merges
            case outsideWindow = "outside_window"
            case afterWindow = "after_window"
        }
    }

    private enum CodingKeys: String, CodingKey {
        case v, range, policy, window, by, commits, totals, rows, latency, paths, overrides, audit, churn, methods
    }

    /// `2026-11-28T15:04:05Z` for seconds since the epoch.
    public static func utc(_ seconds: Int64) -> String {
        CivilTime.format(Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

/// A count out of a denominator: `rate` is `count / of`, nil when `of` is 0.
public struct Ratio: Sendable, Hashable, Codable {
    public var count: Int
    public var of: Int
    public var rate: Double?

    public init(_ count: Int, of: Int) {
        self.count = count
        self.of = of
        rate = of == 0 ? nil : Double(count) / Double(of)
    }

    /// `3 of 40 (7.5%)`, `0 of 0`.
    public var description: String {
        guard let rate else { return "\(count) of \(of)" }
        return "\(count) of \(of) (\(Ratio.percent(rate)))"
    }

    /// A rate as a percentage with one decimal: `7.5%`.
    public static func percent(_ rate: Double) -> String {
        let tenths = (rate * 1000).rounded()
        let whole = Int(tenths) / 10, fraction = Int(tenths) % 10
        return "\(whole).\(fraction)%"
    }
}

/// Durations in whole seconds: how many were measured, their median and 90th percentile,
/// each by nearest rank (the value at position ⌈p·n⌉ of the sorted list, counted from 1).
public struct DurationStats: Sendable, Hashable, Codable {
    public var count: Int
    public var median: Int64?
    public var p90: Int64?

    public init(_ samples: [Int64]) {
        let sorted = samples.sorted()
        count = sorted.count
        median = Self.rank(0.5, of: sorted)
        p90 = Self.rank(0.9, of: sorted)
    }

    /// The nearest-rank percentile `p` (0 < p ≤ 1) of sorted values; nil for none.
    public static func rank(_ p: Double, of sorted: [Int64]) -> Int64? {
        guard !sorted.isEmpty else { return nil }
        let position = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(position, 1), sorted.count) - 1]
    }

    /// `median 5h 2m, p90 2d 3h (12)`, or `none`.
    public var description: String {
        guard let median, let p90 else { return "none" }
        return "median \(DurationStats.format(median)), p90 \(DurationStats.format(p90)) (\(count))"
    }

    /// A duration the way people say it: `45s`, `12m`, `5h 2m`, `2d 3h`.
    public static func format(_ seconds: Int64) -> String {
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" }
        if seconds < 86400 {
            let minutes = (seconds % 3600) / 60
            return minutes == 0 ? "\(seconds / 3600)h" : "\(seconds / 3600)h \(minutes)m"
        }
        let hours = (seconds % 86400) / 3600
        return hours == 0 ? "\(seconds / 86400)d" : "\(seconds / 86400)d \(hours)h"
    }
}

/// The figures of one group of commits.
///
/// Denominators: `commits.of` and `lines.of` are the commits and lines of the row's group
/// (its class, its month, or its writer; for a total, every counted commit); `reverted`,
/// `fixed` are out of the row's commits; `signed_off`, `overridden` and `pending` out of
/// the row's commits whose class requires approvals.
public struct MetricsFigures: Sendable, Hashable, Codable {
    public var commits: Ratio
    /// Lines added plus lines deleted (`git log --numstat`'s two columns, binary files 0);
    /// nil unless lines were counted (`--lines`).
    public var lines: Ratio?
    /// Commits later reverted.
    public var reverted: Ratio
    /// Commits later named by a fix (`Fixes: <id>`).
    public var fixed: Ratio
    /// From the fixed commit's author date to its fix's committer date.
    public var timeToFix: DurationStats
    /// Commits whose class requires approvals that have the sign-off it requires, given by approvals.
    public var signedOff: Ratio
    /// Commits whose class requires approvals that a break-glass override let through.
    public var overridden: Ratio
    /// From the author date to the approval that completed the sign-off.
    public var latency: DurationStats
    /// From the author date to the first approval that counts.
    public var firstApproval: DurationStats

    public init(
        commits: Ratio, lines: Ratio?, reverted: Ratio, fixed: Ratio, timeToFix: DurationStats, signedOff: Ratio,
        overridden: Ratio, latency: DurationStats, firstApproval: DurationStats
    ) {
        self.commits = commits
        self.lines = lines
        self.reverted = reverted
        self.fixed = fixed
        self.timeToFix = timeToFix
        self.signedOff = signedOff
        self.overridden = overridden
        self.latency = latency
        self.firstApproval = firstApproval
    }

    private enum CodingKeys: String, CodingKey {
        case commits, lines, reverted, fixed, overridden, latency
        case timeToFix = "time_to_fix"
        case signedOff = "signed_off"
        case firstApproval = "first_approval"
    }
}

/// Whether a commit was written by an agent, a person, or a dependency or release bot.
public enum AuthorKind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case agent
    case human
    case bot

    public static func < (a: AuthorKind, b: AuthorKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One row of a breakdown: which commits (the keys set for its grouping) and their figures.
public struct MetricsRow: Sendable, Hashable, Codable {
    public var author: AuthorKind
    /// The writer (an agent's name, `human`, `bot:NAME`): set when grouped by agent.
    public var writer: String?
    /// The class: set when grouped by class or agent.
    public var `class`: String?
    /// `2026-11`: set when grouped by month.
    public var month: String?
    public var figures: MetricsFigures

    public init(author: AuthorKind, writer: String? = nil, class: String? = nil, month: String? = nil, figures: MetricsFigures) {
        self.author = author
        self.writer = writer
        self.class = `class`
        self.month = month
        self.figures = figures
    }
}

/// How long the sign-off of one class's commits by one author kind took: how many fell
/// within each bucket's upper bound (seconds; the last bucket has none).
public struct LatencyHistogram: Sendable, Hashable, Codable {
    public var `class`: String
    public var author: AuthorKind
    public var buckets: [Bucket]
    public var stats: DurationStats

    public struct Bucket: Sendable, Hashable, Codable {
        /// `≤ 1h`, …, `> 2w`.
        public var label: String
        /// Durations up to this many seconds (and above the bucket before); nil for the last.
        public var upTo: Int64?
        public var count: Int

        public init(label: String, upTo: Int64?, count: Int) {
            self.label = label
            self.upTo = upTo
            self.count = count
        }

        private enum CodingKeys: String, CodingKey {
            case label, count
            case upTo = "up_to"
        }
    }

    /// The buckets' upper bounds: an hour, four hours, a day, three days, a week, two weeks.
    public static let bounds: [(label: String, seconds: Int64)] = [
        ("≤ 1h", 3600), ("≤ 4h", 4 * 3600), ("≤ 1d", 86400), ("≤ 3d", 3 * 86400), ("≤ 1w", 7 * 86400), ("≤ 2w", 14 * 86400),
    ]

    public init(class: String, author: AuthorKind, samples: [Int64]) {
        self.class = `class`
        self.author = author
        stats = DurationStats(samples)
        var counts = Array(repeating: 0, count: Self.bounds.count + 1)
        for sample in samples {
            counts[Self.bounds.firstIndex { sample <= $0.seconds } ?? Self.bounds.count] += 1
        }
        buckets = Self.bounds.enumerated().map { Bucket(label: $1.label, upTo: $1.seconds, count: counts[$0]) }
            + [Bucket(label: "> 2w", upTo: nil, count: counts[Self.bounds.count])]
    }
}

/// A path of the highest class and how many counted commits touched it.
public struct PathCount: Sendable, Hashable, Codable {
    public var path: String
    public var `class`: String
    public var commits: Int
    public var agent: Int
    public var human: Int
    public var bot: Int

    public init(path: String, class: String, commits: Int, agent: Int, human: Int, bot: Int) {
        self.path = path
        self.class = `class`
        self.commits = commits
        self.agent = agent
        self.human = human
        self.bot = bot
    }
}

/// A commit a break-glass override let through: who signed it, when, and why.
public struct OverrideItem: Sendable, Hashable, Codable {
    public var commit: String
    public var subject: String?
    public var writer: String?
    public var `class`: String?
    public var signer: String
    /// UTC, to the second.
    public var date: String
    public var reason: String
    /// `notes` (the approvals notes, read with the history) or `audit` (the audit log only).
    public var source: String

    public init(
        commit: String, subject: String?, writer: String?, class: String?, signer: String, date: String, reason: String,
        source: String
    ) {
        self.commit = commit
        self.subject = subject
        self.writer = writer
        self.class = `class`
        self.signer = signer
        self.date = date
        self.reason = reason
        self.source = source
    }
}

/// What the audit log says, per month of its entries' times.
public struct AuditFigures: Sendable, Hashable, Codable {
    /// The log as given.
    public var file: String
    /// Entries read (ref updates judged), and those the window left out.
    public var entries: Int
    public var months: [Month]
    /// Refused ref updates out of all judged in the window.
    public var refused: Ratio
    /// Ref updates with at least one overridden commit, out of all judged in the window.
    public var overridden: Ratio

    public struct Month: Sendable, Hashable, Codable {
        public var month: String
        /// Ref updates judged.
        public var judged: Int
        /// Refused: the verdict blocked the update (an enforced ref, or a refusal of the whole push).
        public var refused: Int
        /// With at least one commit let through by an override.
        public var overridden: Int

        public init(month: String, judged: Int, refused: Int, overridden: Int) {
            self.month = month
            self.judged = judged
            self.refused = refused
            self.overridden = overridden
        }
    }

    public init(file: String, entries: Int, months: [Month], refused: Ratio, overridden: Ratio) {
        self.file = file
        self.entries = entries
        self.months = months
        self.refused = refused
        self.overridden = overridden
    }
}

/// Agent lines rewritten within `days` of their commit: of the lines agent commits added,
/// those no longer attributed to their commit by `git blame` at the first commit on the tip's
/// first-parent line dated within `days` of it; people's commits the same, to compare.
public struct ChurnFigures: Sendable, Hashable, Codable {
    public var days: Int
    /// Lines rewritten, out of lines added, by agent commits old enough to measure.
    public var agent: Ratio
    /// The same for human commits.
    public var human: Ratio
    /// Commits too recent to measure (their window has not ended at the walk's tip).
    public var tooRecent: Int
    /// Commits the first-parent line does not contain within their window (a branch merged
    /// later): in no figure.
    public var skipped: Int
    /// Files blamed: the cost.
    public var blamed: Int

    public init(days: Int, agent: Ratio, human: Ratio, tooRecent: Int, skipped: Int = 0, blamed: Int) {
        self.days = days
        self.agent = agent
        self.human = human
        self.tooRecent = tooRecent
        self.skipped = skipped
        self.blamed = blamed
    }

    private enum CodingKeys: String, CodingKey {
        case days, agent, human, blamed, skipped
        case tooRecent = "too_recent"
    }
}

extension AuditFigures {
    /// The figures of an audit log's entries whose time falls within the window (`since`,
    /// `until`: entry times as they are written, `2026-11-28T15:04:05.123Z`, compared as text).
    public init(file: String, entries: [AuditEntry], since: String?, until: String?) {
        var months: [String: Month] = [:]
        var judged = 0, refused = 0, overridden = 0
        for entry in entries where Self.within(entry, since: since, until: until) {
            let key = String(entry.time.prefix(7))
            var month = months[key] ?? Month(month: key, judged: 0, refused: 0, overridden: 0)
            month.judged += 1
            judged += 1
            if entry.verdict == .blocked {
                month.refused += 1
                refused += 1
            }
            if entry.commits.contains(where: { $0.override != nil }) {
                month.overridden += 1
                overridden += 1
            }
            months[key] = month
        }
        self.init(
            file: file, entries: entries.count, months: months.keys.sorted().map { months[$0]! },
            refused: Ratio(refused, of: judged), overridden: Ratio(overridden, of: judged))
    }

    private static func within(_ entry: AuditEntry, since: String?, until: String?) -> Bool {
        (since.map { entry.time >= $0 } ?? true) && (until.map { entry.time <= $0 } ?? true)
    }

    /// The overrides the log records, one per commit, for those `known` does not list.
    public static func overrides(in entries: [AuditEntry], since: String?, until: String?, known: Set<String>) -> [OverrideItem] {
        var seen = known
        var items = [OverrideItem]()
        for entry in entries.reversed() where within(entry, since: since, until: until) {
            for commit in entry.commits {
                guard let override = commit.override, seen.insert(commit.id).inserted else { continue }
                items.append(
                    OverrideItem(
                        commit: commit.id, subject: nil, writer: CommitReport.writer(agent: commit.agent, bot: commit.bot),
                        class: commit.class, signer: override.signer, date: override.date, reason: override.reason, source: "audit"))
            }
        }
        return items
    }
}
