/// One judged path, as reports show it.
///
/// In JSON: `path`, `class`, `rule` (the rule that set the class, naming the policy it is in:
/// `"infra/" at refs/heads/main@1a2b3c4d5e6f:.agentreview/policy.yml:47`) and, when a path
/// rule of the policy set the class, `line` (47). `brief` is the rule for a reader told the
/// policy once (`"infra/" (line 47)`); it is not in JSON, and a report read back from JSON
/// has the full `rule` there.
public struct PathReport: Sendable, Hashable, Codable {
    public var path: String
    public var `class`: String
    public var rule: String
    /// The policy line of the path rule that set the class; nil when no path rule did.
    public var line: Int?
    /// The rule without the policy's origin: `"infra/" (line 47)`.
    public var brief: String

    public init(path: String, class: String, rule: String, line: Int? = nil, brief: String? = nil) {
        self.path = path
        self.class = `class`
        self.rule = rule
        self.line = line
        self.brief = brief ?? rule
    }

    public init(_ classified: ClassifiedPath, class: String) {
        self.init(path: classified.path.description, class: `class`, rule: classified.rule, line: classified.line, brief: classified.brief)
    }

    /// In key order, as JSON has them: encoded in this order, a report needs no reordering
    /// (see `StreamingJSONEncoder`).
    private enum CodingKeys: String, CodingKey {
        case `class`, line, path, rule
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            path: try container.decode(String.self, forKey: .path), class: try container.decode(String.self, forKey: .class),
            rule: try container.decode(String.self, forKey: .rule), line: try container.decodeIfPresent(Int.self, forKey: .line))
    }
}

/// The judgement of one commit: who wrote it, its class, what it needs and has, the verdict.
public struct CommitReport: Sendable, Hashable, Codable {
    public var id: String
    public var subject: String
    public var author: String
    /// The agent, or nil for a human commit (or a bot's).
    public var agent: String?
    /// The dependency or release bot, for a commit no agent wrote and a bot did: `dependabot`.
    public var bot: String?
    /// The agent's evidence, or the bot's.
    public var evidence: [Evidence]
    public var `class`: String
    public var paths: [PathReport]
    public var verdict: Verdict
    /// Why, in order: attribution, class, requirements met or missing.
    public var reasons: [String]
    public var missing: [Missing]
    public var approvals: [ApprovalReport]
    /// Sign-off records found for this commit that do not count, and why.
    public var refused: [String]
    /// Every marker attribution checked and what matched: set by `explain` only.
    public var attribution: AttributionExplanation?
    /// The task contract the commit names (or should have named), and how it broke it.
    public var contract: ContractReport?
    /// The class the commit declared with `Execution-Class:`, against the class computed.
    public var declared: DeclaredClassReport?
    /// The break-glass override that satisfied what was missing: set when the verdict is `overridden`.
    public var override: OverrideReport?
    /// The agent session that produced the commit, as a trailer names it (`Claude-Session:`, …).
    public var session: String?
    /// The person who ran the agent (`Agent-Operator:`), as written.
    public var `operator`: String?

    /// In key order, as JSON has them: encoded in this order, a report needs no reordering
    /// (see `StreamingJSONEncoder`). A judgement's stream writes a report member by member
    /// (`ReportJSON` in the CLI), with its paths, evidence and missing requirements: a member
    /// added here, or to `PathReport`, `Evidence` or `Missing`, is added there too.
    private enum CodingKeys: String, CodingKey {
        case agent, approvals, attribution, author, bot, `class`, contract, declared, evidence, id, missing, `operator`,
            override, paths, reasons, refused, session, subject, verdict
    }

    /// The facts, the classification and the policy are borrowed, not passed owned as an
    /// initializer's parameters are: a copy of each retains every string and array in it.
    public init(commit: borrowing CommitFacts, attribution: Attribution, classification: borrowing Classification, policy: borrowing Policy) {
        id = commit.id
        subject = commit.subject
        author = commit.author.description
        agent = attribution.agent
        bot = attribution.bot
        evidence = attribution.evidence
        `class` = policy.classes[classification.rank].name
        paths = classification.paths.map { PathReport($0, class: policy.classes[$0.rank].name) }
        verdict = .pass
        reasons = []
        missing = []
        approvals = []
        refused = []
    }

    public var shortID: String { String(id.prefix(12)) }

    /// Who wrote it, for a table's agent column: the agent, `bot:NAME`, or `human`.
    public var writer: String { Self.writer(agent: agent, bot: bot) }

    /// `claude-code`, `bot:dependabot` or `human`.
    public static func writer(agent: String?, bot: String?) -> String { agent ?? bot.map { "bot:\($0)" } ?? "human" }
}

/// An approval that counts for a commit, and the requirements it meets.
public struct ApprovalReport: Sendable, Hashable, Codable, CustomStringConvertible {
    public var reviewer: String
    public var comment: String?
    /// Set when the approval was given to another commit with the same patch-id (a rebase).
    public var rebasedFrom: String?
    /// `approval 1 of 2`, `owner of infra/main.tf`, `human sign-off`.
    public var meets: [String]
    /// True when the approval exists only in this clone: not yet on the remote, so a push
    /// is not judged with it unless the notes go along (`agentreview sync`). Nil otherwise,
    /// and wherever it is not known (the hooks).
    public var notPushed: Bool?
    /// The fingerprint of the key that signed it (`SHA256:…`).
    public var key: String?
    /// The id of its signed record (the SHA-256 of the record's bytes).
    public var record: String?

    public init(approval: Signoff.Approval, meets: [String]) {
        reviewer = approval.reviewer
        comment = approval.comment
        rebasedFrom = approval.rebasedFrom
        key = approval.key
        record = approval.record
        self.meets = meets
    }

    public var description: String {
        var text = "approved by \(reviewer)"
        if !meets.isEmpty { text += " (\(meets.joined(separator: ", ")))" }
        if let rebasedFrom { text += ", given to \(rebasedFrom.prefix(12)) with the same patch-id" }
        if notPushed == true { text += " — not pushed yet: agentreview sync" }
        return text
    }
}

/// The task contract a commit was judged against: which one, and each clause it broke.
/// With no usable contract (none named where one is required, a name that is no file name,
/// no such contract, a malformed one) `name` is what was named, if anything, and the one
/// violation says why.
public struct ContractReport: Sendable, Hashable, Codable {
    public var name: String?
    /// Where the contract was read from; nil when none was read.
    public var source: String?
    public var goal: String?
    public var owner: String?
    /// The contract's ceiling class.
    public var `class`: String?
    public var violations: [ContractViolation]

    public init(
        name: String?, source: String? = nil, goal: String? = nil, owner: String? = nil, class: String? = nil,
        violations: [ContractViolation]
    ) {
        self.name = name
        self.source = source
        self.goal = goal
        self.owner = owner
        self.class = `class`
        self.violations = violations
    }

    /// One line: `contract docs-only (owner docs-lead@example.com): kept` or `… broken: 2 violations`.
    public var summary: String {
        guard let name else { return "no task contract" }
        let owner = self.owner.map { " (owner \($0))" } ?? ""
        if violations.isEmpty { return "contract \(name)\(owner): kept" }
        return "contract \(name)\(owner): \(violations.count) violation\(violations.count == 1 ? "" : "s")"
    }
}

/// The class a commit declared (`Execution-Class:`) against the class its paths give it.
public struct DeclaredClassReport: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// Declared below the computed class (or unknown, or declared twice differently).
        case under
        case match
        /// Declared above the computed class: fine, and recorded.
        case over
    }

    /// As written (several different values joined with `, `).
    public var `class`: String
    public var computed: String
    public var status: Status
    /// Why it counts as under-declared when the declaration itself is unusable.
    public var note: String?

    public init(class: String, computed: String, status: Status, note: String? = nil) {
        self.class = `class`
        self.computed = computed
        self.status = status
        self.note = note
    }

    public var description: String {
        switch status {
        case .match: "declared class \(`class`) matches"
        case .over: "declared class \(`class`), above the computed \(computed): recorded"
        case .under:
            if let note { "under-declared: \(note); computed class \(computed)" }
            else { "under-declared: Execution-Class \(`class`), but the computed class is \(computed)" }
        }
    }
}

/// The break-glass override that satisfied a commit's requirements: who, when, why, with
/// what key, and what it satisfied.
public struct OverrideReport: Sendable, Hashable, Codable {
    public var signer: String
    /// UTC, to the second: `2026-11-28T10:00:00Z`.
    public var date: String
    public var reason: String
    /// The fingerprint of the key that signed.
    public var key: String?
    /// Set when the override was given to another commit with the same patch-id.
    public var rebasedFrom: String?
    /// The id of its signed record (the SHA-256 of the record's bytes).
    public var record: String?
    /// What was missing, and is satisfied by the override instead.
    public var satisfied: [Missing]

    public init(override: Signoff.Override, satisfied: [Missing]) {
        signer = override.signer
        date = CivilTime.format(override.date)
        reason = override.reason
        key = override.key
        rebasedFrom = override.rebasedFrom
        record = override.record
        self.satisfied = satisfied
    }

    /// `OVERRIDDEN by oncall@example.com on 2026-11-28T10:00:00Z: "prod down: INC-4211"`.
    public var line: String {
        var text = "OVERRIDDEN by \(signer) on \(date): \"\(reason)\""
        if let rebasedFrom { text += " (given to \(rebasedFrom.prefix(12)) with the same patch-id)" }
        return text
    }
}
