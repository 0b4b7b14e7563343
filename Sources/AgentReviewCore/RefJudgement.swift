/// The judgement of one ref update (or of a range, for `status`), decided here while its
/// commits stream past. Outputs render it; none of them decides anything.
///
/// It holds no commit reports, so a whole history is judged in constant memory: each
/// report goes to the outputs as it is made and only its verdict is kept, in `counts`.
public struct RefJudgement: Sendable, Hashable, Codable {
    /// The ref as the server names it; nil for a range or a run that failed before any ref.
    public var ref: String?
    /// How strictly the ref is judged; nil when the run failed before the mode was known.
    public var mode: EnforcementMode?
    /// Where the policy came from: `refs/heads/main@1a2b3c4d5e6f:.agentreview/policy.yml`.
    public var policy: String?
    /// The update judged, for a push: the ref's old and new values (40 zeros for none).
    public var old: String?
    public var new: String?
    public private(set) var verdict: Verdict = .pass
    /// Why nothing was judged, in one line (which refs already held the commits, a
    /// deletion, off mode); nil when something was judged.
    public var nothingJudged: String?
    /// The error that stopped the judgement, if any.
    public private(set) var error: String?
    /// Commits judged, by verdict: overrides are counted here for the audit log and metrics.
    public private(set) var counts = VerdictCounts()

    public init(ref: String?, mode: EnforcementMode?, policy: String?) {
        self.ref = ref
        self.mode = mode
        self.policy = policy
    }

    /// Commits judged so far.
    public var judged: Int { counts.total }

    /// Counts a commit's verdict: the ref's verdict is the worst of its commits'.
    public mutating func add(_ commit: CommitReport) {
        counts.add(commit.verdict)
        verdict = max(verdict, commit.verdict)
        nothingJudged = nil
    }

    /// Records the error that stopped the judgement. Fails closed: an enforced ref, or one
    /// whose mode was never learnt, is blocked; a ref in warn or off mode is a warning,
    /// since its policy says not to stop anyone for it.
    public mutating func fail(_ message: String) {
        error = message
        verdict = max(verdict, mode.map { $0 == .enforce ? .blocked : .warn } ?? .blocked)
    }

    /// Whether this ref stops the push (or fails the check).
    public var refuses: Bool { verdict == .blocked }

    private enum CodingKeys: String, CodingKey {
        case ref, old, new, mode, policy, verdict, nothingJudged, error, counts
    }
}

/// How many commits got each verdict. In JSON: `{"blocked":0,"overridden":1,"pass":3,"warn":0}`.
public struct VerdictCounts: Sendable, Hashable, Codable {
    public private(set) var pass = 0
    public private(set) var overridden = 0
    public private(set) var warn = 0
    public private(set) var blocked = 0

    public init() {}

    public subscript(verdict: Verdict) -> Int? {
        switch verdict {
        case .pass: pass
        case .overridden: overridden
        case .warn: warn
        case .blocked: blocked
        }
    }

    public mutating func add(_ verdict: Verdict) {
        switch verdict {
        case .pass: pass += 1
        case .overridden: overridden += 1
        case .warn: warn += 1
        case .blocked: blocked += 1
        }
    }

    public var total: Int { pass + overridden + warn + blocked }
}

/// A judgement as `--json` writes it: the ref's judgement with every commit report.
public struct Judgement: Sendable, Hashable, Codable {
    public var commits: [CommitReport]
    public var ref: String?
    public var mode: EnforcementMode?
    public var policy: String?
    public var verdict: Verdict
    public var nothingJudged: String?
    public var error: String?
    public var counts: VerdictCounts

    /// The document for `commits` judged into `judgement`.
    public init(_ judgement: RefJudgement, commits: [CommitReport]) {
        self.commits = commits
        counts = judgement.counts
        ref = judgement.ref
        mode = judgement.mode
        policy = judgement.policy
        verdict = judgement.verdict
        nothingJudged = judgement.nothingJudged
        error = judgement.error
    }

    /// The judgement of `commits` for a ref in `mode`, as the judging path would make it.
    public init(ref: String?, mode: EnforcementMode, policy: String, commits: [CommitReport]) {
        var judgement = RefJudgement(ref: ref, mode: mode, policy: policy)
        for commit in commits { judgement.add(commit) }
        self.init(judgement, commits: commits)
    }
}
