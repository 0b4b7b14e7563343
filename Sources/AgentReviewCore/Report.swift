/// One judged path, as reports show it.
public struct PathReport: Sendable, Hashable, Codable {
    public var path: String
    public var `class`: String
    public var rule: String

    public init(path: String, class: String, rule: String) {
        self.path = path
        self.class = `class`
        self.rule = rule
    }
}

/// The judgement of one commit: who wrote it, its class, what it needs and has, the verdict.
public struct CommitReport: Sendable, Hashable, Codable {
    public var id: String
    public var subject: String
    public var author: String
    /// The agent, or nil for a human commit.
    public var agent: String?
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

    public init(commit: CommitFacts, attribution: Attribution, classification: Classification, policy: Policy) {
        id = commit.id
        subject = commit.subject
        author = commit.author.description
        agent = attribution.agent
        evidence = attribution.evidence
        `class` = policy.classes[classification.rank].name
        paths = classification.paths.map {
            PathReport(path: $0.path.description, class: policy.classes[$0.rank].name, rule: $0.rule)
        }
        verdict = .pass
        reasons = []
        missing = []
        approvals = []
        refused = []
    }

    public var shortID: String { String(id.prefix(12)) }
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

    public init(approval: Signoff.Approval, meets: [String]) {
        reviewer = approval.reviewer
        comment = approval.comment
        rebasedFrom = approval.rebasedFrom
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
