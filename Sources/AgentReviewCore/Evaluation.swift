/// The sign-off found for one commit, already verified by the approvals layer:
/// signatures checked against the trusted signers, records bound to this commit.
public struct Signoff: Sendable, Hashable {
    public struct Approval: Sendable, Hashable, Codable {
        /// The principal the signature verified as (an email).
        public var reviewer: String
        public var comment: String?
        /// Set when the approval was given to another commit with the same patch-id (a rebase).
        public var rebasedFrom: String?
        public init(reviewer: String, comment: String? = nil, rebasedFrom: String? = nil) {
            self.reviewer = reviewer
            self.comment = comment
            self.rebasedFrom = rebasedFrom
        }
    }

    public var approvals: [Approval]
    /// Gates with a passing attestation from a signer the policy allows.
    public var passedGates: Set<String>

    public init(approvals: [Approval] = [], passedGates: Set<String> = []) {
        self.approvals = approvals
        self.passedGates = passedGates
    }

    public static let none = Signoff()
}

public enum Verdict: String, Sendable, Hashable, Codable, Comparable {
    case pass
    case warn
    case blocked

    private var severity: Int {
        switch self {
        case .pass: 0
        case .warn: 1
        case .blocked: 2
        }
    }

    public static func < (a: Verdict, b: Verdict) -> Bool { a.severity < b.severity }
}

/// A requirement a commit does not meet yet, and the command that supplies it.
public struct Missing: Sendable, Hashable, Codable {
    /// `approvals`, `owners`, `human_signoff` or `gate`.
    public var requirement: String
    public var detail: String
    public var command: String
}

/// Judges commits: facts and policy in, a report with reasons out. Pure.
public struct Evaluator: Sendable {
    public let policy: Policy
    public let classifier: Classifier
    public let attributor: Attributor
    public let owners: CodeOwners?

    public init(policy: Policy, owners: CodeOwners? = nil) {
        self.policy = policy
        self.classifier = Classifier(policy: policy)
        self.attributor = Attributor(settings: policy.agents)
        self.owners = owners
    }

    /// Judges one commit for a ref in `mode`.
    /// - Parameter signedByKnownHuman: whether the commit is signed by a known human
    ///   signer (for `unsigned_is_agent`); nil when not checked.
    /// - Parameter signoffNotes: why records found for this commit did not count, for the reasons.
    public func judge(
        _ commit: CommitFacts, signoff: Signoff = .none, signoffNotes: [String] = [], mode: EnforcementMode,
        signedByKnownHuman: Bool? = nil
    ) -> CommitReport {
        let attribution = attributor.attribute(
            author: commit.author, committer: commit.committer, trailers: commit.trailers,
            signedByKnownHuman: signedByKnownHuman)
        let classification = classifier.classify(commit.changes)
        let riskClass = policy.classes[classification.rank]
        var report = CommitReport(
            commit: commit, attribution: attribution, classification: classification, policy: policy)

        if let agent = attribution.agent {
            let evidence = attribution.evidence.first.map { ": \($0)" } ?? ""
            report.reasons.append("agent-authored (\(agent))\(evidence)")
        } else {
            report.reasons.append("not agent-authored")
        }
        report.reasons.append("class \(riskClass.name): \(classification.rule)")
        report.reasons.append(contentsOf: classification.escalations)

        if mode == .off {
            report.reasons.append("ref mode is off: not enforced")
            return report
        }
        if attribution.agent == nil && policy.appliesTo == .agents {
            report.reasons.append("policy applies to agent commits only")
            return report
        }

        let (counted, refused) = countable(signoff.approvals, for: commit)
        let owned = ownedPaths(classification.paths)
        report.approvals = counted.enumerated().map { index, approval in
            ApprovalReport(approval: approval, meets: met(by: approval, index: index, riskClass, owned: owned))
        }
        report.reasons.append(contentsOf: report.approvals.map(\.description))
        report.refused = signoffNotes + refused
        report.reasons.append(contentsOf: report.refused)
        report.missing = missing(riskClass, owned: owned, approvals: counted, gates: signoff.passedGates, commit: commit)
        if !report.missing.isEmpty {
            report.verdict = mode == .enforce ? .blocked : .warn
            report.reasons.append(contentsOf: report.missing.map { "missing: \($0.detail)" })
        } else if riskClass.requiresSignoff {
            report.reasons.append("sign-off for class \(riskClass.name) complete")
        }
        return report
    }

    /// The approvals that count: one per reviewer, none from the commit's own people.
    func countable(_ approvals: [Signoff.Approval], for commit: CommitFacts) -> (counted: [Signoff.Approval], refused: [String]) {
        if approvals.isEmpty { return ([], []) }
        var own = Set([commit.author.email.lowercased(), commit.committer.email.lowercased()])
        for identity in Attributor.coAuthors(commit.trailers) { own.insert(identity.email.lowercased()) }
        for trailer in commit.trailers where trailer.hasKey("Agent-Operator") {
            own.insert((Identity.parse(trailer.value)?.email ?? trailer.value.trimmingSpaces).lowercased())
        }
        var seen = Set<String>()
        var counted = [Signoff.Approval]()
        var refused = [String]()
        for approval in approvals {
            let reviewer = approval.reviewer.lowercased()
            if own.contains(reviewer) {
                refused.append("approval by \(approval.reviewer) does not count: they authored, committed or operated this commit")
            } else if seen.insert(reviewer).inserted {
                counted.append(approval)
            }
        }
        return (counted, refused)
    }

    private func missing(
        _ riskClass: RiskClass, owned: [OwnedPath], approvals: [Signoff.Approval], gates: Set<String>,
        commit: CommitFacts
    ) -> [Missing] {
        var missing = [Missing]()
        let approve = "agentreview approve \(commit.shortID)"
        if approvals.count < riskClass.approvals {
            let needed = riskClass.approvals - approvals.count
            missing.append(Missing(
                requirement: "approvals",
                detail: "\(riskClass.approvals) approval\(riskClass.approvals == 1 ? "" : "s") (class \(riskClass.name)), has \(approvals.count): \(needed) more",
                command: approve))
        }
        if riskClass.owners {
            let reviewers = Set(approvals.map { $0.reviewer.lowercased() })
            for path in owned where path.principals.isDisjoint(with: reviewers) {
                missing.append(Missing(
                    requirement: "owners",
                    detail: "approval from an owner of \(path.path) (\(path.owners.joined(separator: ", ")))",
                    command: approve))
            }
        }
        if riskClass.humanSignoff {
            let bots = Set(policy.bots.map { $0.lowercased() })
            if !approvals.contains(where: { !bots.contains($0.reviewer.lowercased()) }) {
                missing.append(Missing(
                    requirement: "human_signoff", detail: "an approval from a person, not a bot", command: approve))
            }
        }
        for gate in riskClass.gates where !gates.contains(gate) {
            missing.append(Missing(
                requirement: "gate",
                detail: "a passing \(gate) attestation",
                command: "agentreview attest \(gate) \(commit.shortID) --result pass"))
        }
        return missing
    }

    /// A touched path that has code owners, and who may approve for it.
    struct OwnedPath {
        var path: GitPath
        /// As CODEOWNERS names them.
        var owners: [String]
        /// Lowercased principals that can approve for them.
        var principals: Set<String>
    }

    private func ownedPaths(_ paths: [ClassifiedPath]) -> [OwnedPath] {
        guard let owners else { return [] }
        return paths.compactMap { classified in
            let path = classified.path
            guard let names = owners.owners(of: path), !names.isEmpty else { return nil }
            return OwnedPath(path: path, owners: names, principals: Set(names.flatMap(resolve).map { $0.lowercased() }))
        }
    }

    /// Which requirements of the class an approval meets, in words.
    private func met(by approval: Signoff.Approval, index: Int, _ riskClass: RiskClass, owned: [OwnedPath]) -> [String] {
        var meets = [String]()
        if index < riskClass.approvals {
            meets.append("approval \(index + 1) of \(riskClass.approvals)")
        }
        let reviewer = approval.reviewer.lowercased()
        if riskClass.owners {
            let paths = owned.filter { $0.principals.contains(reviewer) }.map(\.path.description)
            if !paths.isEmpty { meets.append("owner of \(paths.joined(separator: ", "))") }
        }
        if riskClass.humanSignoff && !policy.bots.contains(where: { $0.lowercased() == reviewer }) {
            meets.append("human sign-off")
        }
        return meets
    }

    /// A CODEOWNERS owner as the principals that can approve for it.
    private func resolve(_ owner: String) -> [String] {
        guard owner.hasPrefix("@") else { return [owner] }
        let name = String(owner.dropFirst())
        if let members = policy.teams[name] { return members }
        if let slash = name.lastIndex(of: "/"), let members = policy.teams[String(name[name.index(after: slash)...])] {
            return members
        }
        if let email = policy.users[name] { return [email] }
        return []
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return String(slice)
    }
}
