import Foundation

/// The sign-off found for one commit, verified by the approvals layer (signatures checked
/// against the trusted signers, each record bound to this commit or to one with the same
/// patch-id): every reviewer decision, approvals and rejections alike, and the gates that
/// passed. Which decisions count (dates, one per reviewer, the latest, not from the commit's
/// own people) is the evaluator's rule, on these plain values.
public struct Signoff: Sendable, Hashable {
    /// One reviewer decision (an approval, or a rejection, which cancels the reviewer's approvals).
    public struct Approval: Sendable, Hashable, Codable {
        /// The principal the signature verified as (an email).
        public var reviewer: String
        public var comment: String?
        /// Set when the approval was given to another commit with the same patch-id (a rebase).
        public var rebasedFrom: String?
        public var decision: ApprovalRecord.Decision
        /// The record's date, as its signer wrote it; nil when not read from a record.
        public var date: Date?
        /// The committer date (seconds since the epoch) of `rebasedFrom`, when known.
        public var rebasedFromTime: Int64?
        /// The fingerprint of the key that signed (`SHA256:…`); nil when not read from a record.
        public var key: String?
        /// The principal lists, as written, of every allowed_signers line that lists that key
        /// (any namespace, any validity): everyone the key could belong to.
        public var keyListings: [String]

        public init(
            reviewer: String, comment: String? = nil, rebasedFrom: String? = nil, decision: ApprovalRecord.Decision = .approve,
            date: Date? = nil, rebasedFromTime: Int64? = nil, key: String? = nil, keyListings: [String] = []
        ) {
            self.reviewer = reviewer
            self.comment = comment
            self.rebasedFrom = rebasedFrom
            self.decision = decision
            self.date = date
            self.rebasedFromTime = rebasedFromTime
            self.key = key
            self.keyListings = keyListings
        }
    }

    /// A verified break-glass override of one commit (an `agentreview override v1` record
    /// whose signature the trusted allowed_signers accept for its signer). Whether it counts
    /// (a listed override signer, not the commit's own people, within `max_age`, a reason)
    /// is the evaluator's rule.
    public struct Override: Sendable, Hashable, Codable {
        /// The principal the signature verified as.
        public var signer: String
        public var reason: String
        public var date: Date
        /// Set when the override was given to another commit with the same patch-id (a rebase).
        public var rebasedFrom: String?
        /// The committer date (seconds since the epoch) of `rebasedFrom`, when known.
        public var rebasedFromTime: Int64?
        /// The fingerprint of the key that signed (`SHA256:…`).
        public var key: String?
        /// The principal lists of every allowed_signers line that lists that key.
        public var keyListings: [String]

        public init(
            signer: String, reason: String, date: Date, rebasedFrom: String? = nil, rebasedFromTime: Int64? = nil,
            key: String? = nil, keyListings: [String] = []
        ) {
            self.signer = signer
            self.reason = reason
            self.date = date
            self.rebasedFrom = rebasedFrom
            self.rebasedFromTime = rebasedFromTime
            self.key = key
            self.keyListings = keyListings
        }
    }

    /// Every decision found, approvals and rejections.
    public var approvals: [Approval]
    /// Every verified override found for the commit (or a commit with its patch-id).
    public var overrides: [Override]
    /// Gates with a passing attestation from a signer the policy allows.
    public var passedGates: Set<String>
    /// Which principals of the trusted allowed_signers are one reviewer.
    public var aliases: PrincipalAliases

    public init(
        approvals: [Approval] = [], passedGates: Set<String> = [], aliases: PrincipalAliases = .none, overrides: [Override] = []
    ) {
        self.approvals = approvals
        self.overrides = overrides
        self.passedGates = passedGates
        self.aliases = aliases
    }

    public static let none = Signoff()
}

/// Who a decision could be from. Two decisions are by one reviewer when they are signed
/// with the same key, or when some principal could be signed as by both keys: the
/// principals each key is listed for, their aliases (``PrincipalAliases``) and what its
/// patterns match; chains of such links are one reviewer.
struct ReviewerIdentity {
    /// Lowercased plain principals: the signed one, those the key is listed for, and their aliases.
    var names: Set<String>
    /// Lowercased patterns the key is listed with (negations left out: they match at most that).
    var patterns: [String]
    var key: String?

    init(_ decision: Signoff.Approval, aliases: PrincipalAliases) {
        names = Set(aliases.aliases(of: decision.reviewer))
        patterns = OpenSSHPattern.isPattern(decision.reviewer) ? [decision.reviewer.lowercased()] : []
        key = decision.key
        for list in decision.keyListings {
            for item in OpenSSHPattern.positives(list) where !item.isEmpty {
                if OpenSSHPattern.isPattern(item) {
                    patterns.append(item)
                } else {
                    names.formUnion(aliases.aliases(of: item))
                }
            }
        }
    }

    func overlaps(_ other: ReviewerIdentity) -> Bool {
        if let key, key == other.key { return true }
        if !names.isDisjoint(with: other.names) { return true }
        for pattern in patterns {
            if other.names.contains(where: { OpenSSHPattern.match($0.utf8, pattern.utf8) }) { return true }
            if other.patterns.contains(where: { OpenSSHPattern.intersect(pattern.utf8, $0.utf8) }) { return true }
        }
        return other.patterns.contains { pattern in names.contains { OpenSSHPattern.match($0.utf8, pattern.utf8) } }
    }

    /// The reviewers: indices into `identities` grouped by the chains of links, each group in
    /// index order, groups in the order of their first member.
    static func groups(_ identities: [ReviewerIdentity]) -> [[Int]] {
        var parent = Array(identities.indices)
        func root(_ i: Int) -> Int {
            var r = i
            while parent[r] != r { r = parent[r] }
            return r
        }
        for i in identities.indices {
            for j in identities.indices where j > i && identities[i].overlaps(identities[j]) {
                let (a, b) = (root(i), root(j))
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var groups = [Int: [Int]]()
        for i in identities.indices { groups[root(i), default: []].append(i) }
        return groups.keys.sorted().map { groups[$0]! }
    }
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

/// A requirement a commit does not meet yet, the command that supplies it, and who can run it.
public struct Missing: Sendable, Hashable, Codable {
    /// `signers`, `approvals`, `owners`, `human_signoff` or `gate`.
    public var requirement: String
    public var detail: String
    public var command: String
    /// Who can supply it, when that is not whoever reads the report: an approval is never
    /// the commit's own people's to give.
    public var by: String?

    public init(requirement: String, detail: String, command: String, by: String? = nil) {
        self.requirement = requirement
        self.detail = detail
        self.command = command
        self.by = by
    }
}

/// Judges commits: facts and policy in, a report with reasons out. Pure.
public struct Evaluator: Sendable {
    public let policy: Policy
    public let classifier: Classifier
    public let attributor: Attributor
    public let owners: CodeOwners?
    /// Whether the trusted allowed_signers lists anyone: with nobody listed no approval can
    /// count, and a report says that first.
    public let signersListed: Bool
    /// The principals the trusted allowed_signers lists for approvals: a refusal names
    /// those who can give what is missing.
    public let reviewers: [String]

    public init(policy: Policy, owners: CodeOwners? = nil, signersListed: Bool = true, reviewers: [String] = []) {
        self.policy = policy
        self.classifier = Classifier(policy: policy)
        self.attributor = Attributor(settings: policy.agents)
        self.owners = owners
        self.signersListed = signersListed
        self.reviewers = reviewers
    }

    /// Judges one commit for a ref in `mode`. For `unsigned_is_agent`, the commit's own
    /// signature is `commit.signature`, as the fact gatherer checked it.
    /// - Parameter signoffNotes: why records found for this commit did not count, for the reasons.
    public func judge(
        _ commit: CommitFacts, signoff: Signoff = .none, signoffNotes: [String] = [], mode: EnforcementMode
    ) -> CommitReport {
        let attribution = attributor.attribute(commit)
        let classification = classifier.classify(commit.changes)
        let riskClass = policy.classes[classification.rank]
        var report = CommitReport(
            commit: commit, attribution: attribution, classification: classification, policy: policy)

        if let agent = attribution.agent {
            let evidence = attribution.evidence.first.map { ": \($0)" } ?? ""
            report.reasons.append("agent-authored (\(agent))\(evidence)")
        } else if let bot = attribution.bot {
            let evidence = attribution.evidence.first.map { ": \($0)" } ?? ""
            report.reasons.append("bot-authored (\(bot)), not an agent\(evidence)")
        } else {
            report.reasons.append("not agent-authored")
        }
        report.reasons.append("class \(riskClass.name): \(classification.rule)")
        report.reasons.append(contentsOf: classification.escalations)

        if mode == .off {
            report.reasons.append("ref mode is off: not enforced")
            return report
        }
        if !policy.appliesTo.covers(attribution) {
            report.reasons.append(policy.appliesTo.notCovered)
            return report
        }

        let (counted, refused) = countable(signoff.approvals, for: commit, aliases: signoff.aliases)
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

    /// The approvals that count, in date order, and why the other decisions do not:
    /// 1. a decision dated (beyond the allowed clock skew) before the committer date of the
    ///    commit it names does not count: nobody reviews a commit that did not exist yet. For
    ///    a decision carried over from another commit with the same patch-id that commit's
    ///    date is used when known; otherwise that check is skipped;
    /// 2. one reviewer (see ``ReviewerIdentity``: a key is one reviewer whatever principals it
    ///    is listed for) counts once, with their latest decision (at the same second, a
    ///    rejection): a rejection signed as one alias cancels an approval signed as another;
    /// 3. none from the commit's own people: not signed as the author, committer, a co-author
    ///    or the `Agent-Operator`, or an alias of theirs, nor with a key listed (directly or by
    ///    a pattern) for any of them.
    func countable(
        _ decisions: [Signoff.Approval], for commit: CommitFacts, aliases: PrincipalAliases = .none
    ) -> (counted: [Signoff.Approval], refused: [String]) {
        if decisions.isEmpty { return ([], []) }
        var refused = [String]()
        var live = [Signoff.Approval]()
        for decision in decisions {
            let named = decision.rebasedFrom ?? commit.id
            if let date = decision.date, let committed = decision.rebasedFrom == nil ? commit.committerTime : decision.rebasedFromTime,
                date.timeIntervalSince1970 + AllowedSigners.allowedClockSkew < TimeInterval(committed)
            {
                refused.append(
                    "\(decision.decision == .approve ? "approval" : "rejection") by \(decision.reviewer) does not count: it is dated \(CivilTime.format(date)), before \(named.prefix(12)) was committed (\(CivilTime.format(Date(timeIntervalSince1970: TimeInterval(committed))))): nobody reviews a commit before it exists")
                continue
            }
            live.append(decision)
        }

        // Each reviewer's latest decision, in date order (undated ones first, as given).
        var latest = [(best: Int, group: [Int])]()
        for group in ReviewerIdentity.groups(live.map { ReviewerIdentity($0, aliases: aliases) }) {
            var best = group[0]
            for index in group.dropFirst() where Self.supersedes(live[index], live[best]) { best = index }
            latest.append((best, group))
        }
        latest.sort { a, b in
            let (x, y) = (live[a.best].date ?? .distantPast, live[b.best].date ?? .distantPast)
            return x != y ? x < y : a.best < b.best
        }

        let own = ownPrincipals(commit, aliases: aliases)
        var counted = [Signoff.Approval]()
        for (best, group) in latest {
            let decision = live[best]
            // The same reviewer's approvals under other names, which this decision stands for.
            let others = group.filter { $0 != best }.map { live[$0] }.filter {
                $0.decision == .approve && $0.reviewer.lowercased() != decision.reviewer.lowercased()
            }
            if decision.decision == .reject {
                var text = "\(decision.reviewer) rejected this commit" + (decision.date.map { " on \(CivilTime.format($0))" } ?? "")
                if !others.isEmpty {
                    text += ", which cancels the approval by \(Self.names(others)) (the same reviewer: \(Self.link(others[0], decision)))"
                }
                refused.append(text)
                continue
            }
            if let reason = ownReason(decision, own: own) {
                refused.append("approval by \(decision.reviewer) does not count: \(reason)")
                continue
            }
            counted.append(decision)
            for other in others {
                refused.append(
                    "approval by \(other.reviewer) is not counted again: \(decision.reviewer) is the same reviewer (\(Self.link(other, decision)))")
            }
        }
        return (counted, refused)
    }

    /// Whether `a` replaces `b` as a reviewer's decision: it is later, or a rejection at the same time.
    static func supersedes(_ a: Signoff.Approval, _ b: Signoff.Approval) -> Bool {
        let (x, y) = (a.date ?? .distantPast, b.date ?? .distantPast)
        return x > y || (x == y && a.decision == .reject)
    }

    static func names(_ decisions: [Signoff.Approval]) -> String {
        var seen = [String]()
        for decision in decisions where !seen.contains(decision.reviewer) { seen.append(decision.reviewer) }
        return seen.joined(separator: ", ")
    }

    static func link(_ a: Signoff.Approval, _ b: Signoff.Approval) -> String {
        if let key = a.key, key == b.key { return "signed with the same key \(key)" }
        return "their keys are listed for a common principal"
    }

    /// The commit's own people (author, committer, co-authors, `Agent-Operator`) and all their
    /// aliases, lowercased, each with the person it stands for. Public for `approve`, which
    /// refuses to sign what this rule would not count.
    public func ownPrincipals(_ commit: CommitFacts, aliases: PrincipalAliases) -> [String: String] {
        var people = [commit.author.email, commit.committer.email]
        people += Attributor.coAuthors(commit.trailers).map(\.email)
        for trailer in commit.trailers where trailer.hasKey("Agent-Operator") {
            people.append(Identity.parse(trailer.value)?.email ?? trailer.value.trimmingSpaces)
        }
        var own = [String: String]()
        for person in people.map({ $0.lowercased() }) where own[person] != person {
            own[person] = person
            for alias in aliases.aliases(of: person) where own[alias] == nil { own[alias] = person }
        }
        return own
    }

    /// Why an approval is the commit's own people's, or nil.
    public func ownReason(_ approval: Signoff.Approval, own: [String: String]) -> String? {
        let reviewer = approval.reviewer.lowercased()
        if own[reviewer] == reviewer { return "they authored, committed or operated this commit" }
        // The people themselves first, then their aliases.
        for principal in own.keys.sorted(by: { (own[$0] == $0 ? 0 : 1, $0) < (own[$1] == $1 ? 0 : 1, $1) }) {
            guard approval.keyListings.contains(where: { OpenSSHPattern.mayList($0, principal) }) else { continue }
            let person = own[principal]!
            let alias = principal == person ? "" : ", an alias of \(person)"
            return "its key \(approval.key ?? "") is also listed for \(principal)\(alias), who authored, committed, co-authored or operated this commit"
        }
        if let person = own[reviewer] {
            return "\(approval.reviewer) is an alias of \(person) (one key is listed for both), who authored, committed, co-authored or operated this commit"
        }
        return nil
    }

    /// Whether an approval is a person's for `human_signoff`: not signed as a bot, and by a key
    /// not listed (directly or by a pattern) for any bot. A key listed for a bot and a person
    /// is the bot's; the person's other keys still count as the person.
    func isPerson(_ approval: Signoff.Approval) -> Bool {
        let bots = policy.bots.map { $0.lowercased() }
        if bots.contains(approval.reviewer.lowercased()) { return false }
        return !approval.keyListings.contains { list in bots.contains { OpenSSHPattern.mayList(list, $0) } }
    }

    private func missing(
        _ riskClass: RiskClass, owned: [OwnedPath], approvals: [Signoff.Approval], gates: Set<String>,
        commit: CommitFacts
    ) -> [Missing] {
        var missing = [Missing]()
        let approve = "agentreview approve \(commit.shortID)"
        let needsApproval = approvals.count < riskClass.approvals || riskClass.owners || riskClass.humanSignoff
        if needsApproval && !signersListed {
            missing.append(Missing(
                requirement: "signers",
                detail: "nobody can approve yet: the trusted \(policy.signers) lists no reviewer",
                command: "add a line `EMAIL namespaces=\"agentreview\" ssh-ed25519 AAAA…` for each reviewer to \(policy.signers), then push it to the trust root",
                by: "a maintainer of the trust root"))
        }
        // The commit's own people cannot approve it: say so to the author reading the report.
        let people = Set([commit.author.email, commit.committer.email].map { $0.lowercased() }).sorted()
        let own = ownPrincipals(commit, aliases: .none)
        let eligible = reviewers.filter { own[$0] == nil }
        let bots = Set(policy.bots.map { $0.lowercased() })
        // Who can approve: the listed reviewers, never the commit's own people (author,
        // committer, co-authors, operator), who are named so the author reading it knows.
        func reviewer(_ eligible: [String]) -> String {
            let own = "\(people.joined(separator: " or ")), who wrote it"
            guard !eligible.isEmpty else { return "a reviewer listed in \(policy.signers) other than \(own)" }
            let names = eligible.prefix(5).joined(separator: ", ") + (eligible.count > 5 ? " and \(eligible.count - 5) more" : "")
            return "one of \(names) (not \(own))"
        }
        if approvals.count < riskClass.approvals {
            let needed = riskClass.approvals - approvals.count
            missing.append(Missing(
                requirement: "approvals",
                detail: "\(riskClass.approvals) approval\(riskClass.approvals == 1 ? "" : "s") (class \(riskClass.name)), has \(approvals.count): \(needed) more",
                command: approve, by: reviewer(eligible)))
        }
        if riskClass.owners {
            // Ownership goes by the principal an approval is signed as, never by the key's other listings.
            let reviewers = Set(approvals.map { $0.reviewer.lowercased() })
            // A team or user is named with who it resolves to, through the policy's `teams` and `users`.
            func named(_ owner: String) -> String {
                guard owner.hasPrefix("@") else { return owner }
                let members = resolve(owner)
                if members.isEmpty { return "\(owner) (in neither the policy's teams nor its users: nobody)" }
                return "\(owner) (" + members.prefix(5).joined(separator: ", ") + (members.count > 5 ? " and \(members.count - 5) more" : "") + ")"
            }
            for path in owned where path.principals.isDisjoint(with: reviewers) {
                let owners = path.owners.map(named).joined(separator: ", ")
                missing.append(Missing(
                    requirement: "owners",
                    detail: "approval from an owner of \(path.path): \(owners)",
                    command: approve, by: "an owner of \(path.path): \(owners)"))
            }
        }
        if riskClass.humanSignoff {
            if !approvals.contains(where: isPerson) {
                missing.append(Missing(
                    requirement: "human_signoff", detail: "an approval from a person, not a bot", command: approve,
                    by: reviewer(eligible.filter { !bots.contains($0) })))
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
        if riskClass.humanSignoff && isPerson(approval) {
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
