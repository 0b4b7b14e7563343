#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One entry of the audit log: the judgement of one ref update (by the pre-receive hook,
/// or by `check --audit`), as one line of JSON in an append-only file (docs/design.md,
/// "The audit log").
///
/// The first members chain the entries: `chain` names the segment (a random id), `seq`
/// counts entries within it from 1, and `prev` is the SHA-256 (hex) of the previous
/// entry's line in the segment, its exact bytes without the newline (of nothing for
/// `seq` 1). A segment that starts after a torn line (a writer killed mid-write) names it
/// in `after`. The rest says what was decided, about what, for whom, by which policy.
public struct AuditEntry: Sendable, Hashable, Codable {
    public static let version = 1

    /// The entry format's version.
    public var v: Int
    public var chain: String
    public var seq: Int
    public var prev: String
    /// On the first entry of a segment started after a torn line: which line that was.
    public var after: Torn?

    /// UTC, to the millisecond: `2026-11-28T15:04:05.123Z`.
    public var time: String
    /// What judged: `pre-receive` or `check`.
    public var source: String
    /// The machine that judged and wrote the entry (a server node); nil in entries written
    /// before it was recorded.
    public var host: String?
    /// The repository as the server knows it: its path (or `GL_PROJECT_PATH`, `GITEA_REPO_NAME`, … when set).
    public var repository: String
    public var ref: String?
    public var old: String?
    public var new: String?
    /// Who pushed, as the server knows them; nil when no variable says (say which was read).
    public var pusher: Pusher?
    public var mode: EnforcementMode?
    public var verdict: Verdict
    /// The error that stopped the judgement, if any.
    public var error: String?
    /// Why nothing was judged, when nothing was.
    public var nothingJudged: String?
    /// Where the policy came from.
    public var policy: PolicyOrigin?
    public var counts: VerdictCounts
    public var commits: [Commit]

    public struct Torn: Sendable, Hashable, Codable {
        /// The SHA-256 (hex) of the torn line's bytes, as found.
        public var sha256: String
        /// Its length in bytes.
        public var bytes: Int
        /// The segment and entry it followed: the last whole entry before it.
        public var chain: String?
        public var seq: Int?

        public init(sha256: String, bytes: Int, chain: String?, seq: Int?) {
            self.sha256 = sha256
            self.bytes = bytes
            self.chain = chain
            self.seq = seq
        }
    }

    /// Who pushed, and which environment variable said so (`GL_USERNAME`, `GITEA_PUSHER_NAME`, …).
    public struct Pusher: Sendable, Hashable, Codable {
        public var name: String
        public var from: String
        public init(name: String, from: String) {
            self.name = name
            self.from = from
        }
    }

    /// The policy that judged: the ref and commit it was read from, its path and blob id; or
    /// the pinned file it was read from.
    public struct PolicyOrigin: Sendable, Hashable, Codable {
        public var ref: String?
        public var commit: String?
        public var path: String
        /// The git blob id of the policy's bytes.
        public var blob: String?
        public init(ref: String?, commit: String?, path: String, blob: String?) {
            self.ref = ref
            self.commit = commit
            self.path = path
            self.blob = blob
        }
    }

    /// One judged commit, as much as an incident review needs.
    public struct Commit: Sendable, Hashable, Codable {
        public var id: String
        public var agent: String?
        public var bot: String?
        public var evidence: [String]
        public var session: String?
        public var `operator`: String?
        public var `class`: String
        public var declared: String?
        public var contract: Contract?
        public var verdict: Verdict
        public var approvals: [Signature]
        public var override: Override?
        public var missing: [Missing]

        public struct Contract: Sendable, Hashable, Codable {
            public var name: String?
            public var source: String?
            public var violations: [String]
        }

        /// An approval that counted: who, with which key, in which record.
        public struct Signature: Sendable, Hashable, Codable {
            public var reviewer: String
            public var key: String?
            public var record: String?
        }

        public struct Override: Sendable, Hashable, Codable {
            public var signer: String
            public var key: String?
            public var record: String?
            public var date: String
            public var reason: String
            /// What it satisfied, in words.
            public var satisfied: [String]
        }

        public struct Missing: Sendable, Hashable, Codable {
            public var requirement: String
            public var detail: String
        }

        public init(_ report: CommitReport) {
            id = report.id
            agent = report.agent
            bot = report.bot
            evidence = report.evidence.map(\.description)
            session = report.session
            self.operator = report.operator
            `class` = report.class
            declared = report.declared.map { $0.status == .match ? $0.class : "\($0.class) (\($0.status.rawValue))" }
            contract = report.contract.map {
                Contract(name: $0.name, source: $0.source, violations: $0.violations.map(\.description))
            }
            verdict = report.verdict
            approvals = report.approvals.map { Signature(reviewer: $0.reviewer, key: $0.key, record: $0.record) }
            override = report.override.map {
                Override(
                    signer: $0.signer, key: $0.key, record: $0.record, date: $0.date, reason: $0.reason,
                    satisfied: $0.satisfied.map(\.detail))
            }
            missing = report.missing.map { Missing(requirement: $0.requirement, detail: $0.detail) }
        }
    }

    /// What a judgement is, before it is chained: everything but `chain`, `seq`, `prev`, `after`.
    public struct Context: Sendable, Hashable {
        public var time: Date
        public var source: String
        public var repository: String
        public var old: String?
        public var new: String?
        public var pusher: Pusher?
        public var policy: PolicyOrigin?
        public var host: String?

        public init(
            time: Date, source: String, repository: String, old: String? = nil, new: String? = nil, pusher: Pusher? = nil,
            policy: PolicyOrigin? = nil, host: String? = nil
        ) {
            self.host = host
            self.time = time
            self.source = source
            self.repository = repository
            self.old = old
            self.new = new
            self.pusher = pusher
            self.policy = policy
        }
    }

    /// The entry for a ref's judgement and its commits, not yet chained (`chain` empty,
    /// `seq` 0): the log chains it under its lock, after the entry before it.
    public init(_ judgement: RefJudgement, commits: [Commit], context: Context) {
        v = Self.version
        chain = ""
        seq = 0
        prev = ""
        time = Self.format(context.time)
        source = context.source
        host = context.host
        repository = context.repository
        ref = judgement.ref
        old = context.old
        new = context.new
        pusher = context.pusher
        mode = judgement.mode
        verdict = judgement.verdict
        error = judgement.error
        nothingJudged = judgement.nothingJudged
        policy = context.policy
        counts = judgement.counts
        self.commits = commits
    }

    /// UTC to the millisecond.
    public static func format(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = Date(timeIntervalSince1970: TimeInterval(millis / 1000))
        let whole = CivilTime.format(seconds)
        let fraction = String(millis % 1000)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - fraction.count) + fraction + "Z"
    }

    /// Who pushed, from the variables git hosts set for their hooks, first found wins:
    /// GitLab `GL_USERNAME`, Gitea and Forgejo `GITEA_PUSHER_NAME`, GitHub Enterprise
    /// `GITHUB_USER_LOGIN`, Bitbucket Data Center `BB_USER_NAME`, then `REMOTE_USER` (smart
    /// HTTP behind a web server's authentication), then for ssh the account the ssh server
    /// ran the push as (`USER`, with `SSH_CONNECTION` set). Nil when none is set.
    public static func pusher(from environment: [String: String]) -> Pusher? {
        for key in pusherVariables {
            if let value = environment[key], !value.isEmpty { return Pusher(name: value, from: key) }
        }
        if environment["SSH_CONNECTION"] != nil, let user = environment["USER"] ?? environment["LOGNAME"], !user.isEmpty {
            return Pusher(name: user, from: environment["USER"] != nil ? "USER" : "LOGNAME")
        }
        return nil
    }

    /// The hosts' variables, in the order they are read.
    public static let pusherVariables = ["GL_USERNAME", "GITEA_PUSHER_NAME", "GITHUB_USER_LOGIN", "BB_USER_NAME", "REMOTE_USER"]

    /// Every variable `pusher(from:)` reads.
    public static let pusherEnvironment = pusherVariables + ["SSH_CONNECTION", "USER", "LOGNAME"]
}
