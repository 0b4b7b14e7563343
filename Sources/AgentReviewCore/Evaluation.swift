#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
        /// The id of the signed record it was read from (``SignedRecord/id``).
        public var record: String?

        public init(
            reviewer: String, comment: String? = nil, rebasedFrom: String? = nil, decision: ApprovalRecord.Decision = .approve,
            date: Date? = nil, rebasedFromTime: Int64? = nil, key: String? = nil, keyListings: [String] = [], record: String? = nil
        ) {
            self.record = record
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
        /// The id of the signed record it was read from (``SignedRecord/id``).
        public var record: String?

        public init(
            signer: String, reason: String, date: Date, rebasedFrom: String? = nil, rebasedFromTime: Int64? = nil,
            key: String? = nil, keyListings: [String] = [], record: String? = nil
        ) {
            self.record = record
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

/// A commit's verdict, and a ref's (the worst of its commits'), least severe first.
public enum Verdict: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
    case pass
    /// Something was missing and a valid break-glass override satisfied it: accepted, never
    /// as `pass`, and shown with who, when and why.
    case overridden
    /// Something is missing on a ref that is not enforced (or a warning such as an under-declared class).
    case warn
    case blocked

    private var severity: Int {
        switch self {
        case .pass: 0
        case .overridden: 1
        case .warn: 2
        case .blocked: 3
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
    /// The task contracts of the trusted base.
    public let contracts: ContractBook
    /// The time of the judgement (a push's): when contracts expire and overrides grow old.
    public var now: Date

    public init(
        policy: Policy, owners: CodeOwners? = nil, signersListed: Bool = true, reviewers: [String] = [],
        contracts: ContractBook = .empty, now: Date = Date()
    ) {
        self.policy = policy
        self.classifier = Classifier(policy: policy)
        self.attributor = Attributor(settings: policy.agents)
        self.owners = owners
        self.signersListed = signersListed
        self.reviewers = reviewers
        self.contracts = contracts
        self.now = now
    }

    /// This evaluator judging at another time.
    public func at(_ time: Date) -> Evaluator {
        var evaluator = self
        evaluator.now = time
        return evaluator
    }

    /// Judges one commit for a ref in `mode`. For `unsigned_is_agent`, the commit's own
    /// signature is `commit.signature`, as the fact gatherer checked it.
    /// - Parameters:
    ///   - signoffNotes: why records found for this commit did not count, for the reasons.
    ///   - classified: the calling thread's memo of the paths it has classified.
    public func judge(
        _ commit: CommitFacts, signoff: Signoff = .none, signoffNotes: [String] = [], mode: EnforcementMode,
        classified: Classifier.Memo? = nil
    ) -> CommitReport {
        let attribution = attributor.attribute(commit)
        let classification = classifier.classify(commit.changes, memo: classified)
        var report = CommitReport(
            commit: commit, attribution: attribution, classification: classification, policy: policy)
        report.session = Self.session(commit.trailers)
        report.operator = commit.trailers.first { $0.hasKey("Agent-Operator") }?.value

        report.reasons.reserveCapacity(8)
        let evidence = attribution.evidence.first.map { String(joining: ": ", $0.source, " ", $0.value) } ?? ""
        if let agent = attribution.agent {
            report.reasons.append(String(joining: "agent-authored (", agent, ")", evidence))
        } else if let bot = attribution.bot {
            report.reasons.append(String(joining: "bot-authored (", bot, "), not an agent", evidence))
        } else {
            report.reasons.append("not agent-authored")
        }
        report.reasons.append(String(joining: "class ", policy.classes[classification.rank].name, ": ", classification.rule))
        report.reasons.append(contentsOf: classification.escalations)
        if let session = report.session { report.reasons.append("agent session \(session)") }

        if mode == .off {
            report.reasons.append("ref mode is off: not enforced")
            return report
        }
        if !policy.appliesTo.covers(attribution) {
            report.reasons.append(policy.appliesTo.notCovered)
            return report
        }

        // Governance first: what the commit's contract and declared class add (never remove).
        var rank = classification.rank
        var governance = [Missing]()
        if let contract = contractReport(commit, attribution: attribution, rank: classification.rank) {
            report.contract = contract
            report.reasons.append(contract.summary + (contract.source.map { " at \($0)" } ?? ""))
            if !contract.violations.isEmpty {
                switch policy.contracts.onViolation {
                case .block:
                    governance += contract.violations.map { contractMissing($0, contract: contract, commit: commit) }
                case .raiseClass:
                    // Listed here: they block nothing, so they are not among what is missing.
                    report.reasons.append(contentsOf: contract.violations.map { "contract violation: \($0)" })
                    let at = policy.contracts.location.map { " at \($0)" } ?? ""
                    if rank < policy.highestClass {
                        rank = policy.highestClass
                        report.class = policy.classes[rank].name
                        report.reasons.append(
                            "class \(report.class): raised from \(policy.classes[classification.rank].name), the commit breaks its contract (contracts.on_violation: raise-class\(at))")
                    }
                }
            }
        }
        var underDeclaredWarning = false
        if let declared = declaredClass(commit.trailers, computed: classification.rank) {
            report.declared = declared
            report.reasons.append(declared.description)
            if declared.status == .under {
                let at = policy.declaredClass.location.map { " at \($0)" } ?? ""
                switch policy.declaredClass.under {
                case .block:
                    governance.append(Missing(
                        requirement: "declared_class",
                        detail: "\(declared.description) (declared_class.under: block\(at))",
                        command: "declare the class the commit has: git commit --amend --trailer 'Execution-Class: \(declared.computed)', or \(overrideCommand(commit))",
                        by: overrideSignersPhrase))
                case .warn: underDeclaredWarning = true
                case .ignore: break
                }
            }
        }

        let riskClass = policy.classes[rank]
        let (counted, refused) = countable(signoff.approvals, for: commit, aliases: signoff.aliases)
        let owned = ownedPaths(classification.paths)
        report.approvals = counted.enumerated().map { index, approval in
            ApprovalReport(approval: approval, meets: met(by: approval, index: index, riskClass, owned: owned))
        }
        report.reasons.append(contentsOf: report.approvals.map(\.description))
        let (override, overrideRefusals) = countableOverride(signoff.overrides, for: commit, aliases: signoff.aliases)
        report.refused = signoffNotes + refused + overrideRefusals
        report.reasons.append(contentsOf: report.refused)
        let missing = governance + missing(riskClass, owned: owned, approvals: counted, gates: signoff.passedGates, commit: commit)
        if !missing.isEmpty, let override {
            // Break-glass: everything missing is satisfied, and nobody can miss that it was.
            report.override = OverrideReport(override: override, satisfied: missing)
            report.verdict = .overridden
            report.reasons.append(report.override!.line)
            report.reasons.append(contentsOf: missing.map { "overridden: \($0.detail)" })
        } else if !missing.isEmpty {
            report.missing = missing
            report.verdict = mode == .enforce ? .blocked : .warn
            report.reasons.append(contentsOf: missing.map { String(joining: "missing: ", $0.detail) })
        } else {
            if riskClass.requiresSignoff { report.reasons.append("sign-off for class \(riskClass.name) complete") }
            if let override {
                report.reasons.append("override by \(override.signer) not needed: nothing is missing")
            }
            if underDeclaredWarning { report.verdict = .warn }
        }
        return report
    }

    // MARK: Governance: sessions, contracts, declared class, overrides

    /// Trailers that name the agent session a commit came from, in the order looked for.
    public static let sessionTrailers = [
        "Agent-Session", "Claude-Session", "Copilot-Session", "Amp-Thread-ID", "Replit-Commit-Session-Id", "Entire-Session",
    ]

    /// The session a commit names: the first of ``sessionTrailers`` it carries, its value as written.
    static func session(_ trailers: [Trailer]) -> String? {
        for key in sessionTrailers {
            if let trailer = trailers.first(where: { $0.hasKey(key) }), !trailer.value.isEmpty { return trailer.value }
        }
        return nil
    }

    /// The contract names a commit's `Task-Contract:` trailers give, each once, in order.
    public static func contractNames(_ trailers: [Trailer]) -> [String] {
        var names = [String]()
        for trailer in trailers where trailer.hasKey("Task-Contract") {
            let name = trailer.value.trimmingSpaces
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The contract a commit is judged against and how it breaks it; nil when it names none
    /// and the policy requires none of it.
    func contractReport(_ commit: CommitFacts, attribution: Attribution, rank: Int) -> ContractReport? {
        let names = Self.contractNames(commit.trailers)
        let at = policy.contracts.location.map { "\($0)" }
        guard let name = names.first else {
            let required = policy.contracts.required == .all || (policy.contracts.required == .agents && attribution.isAgent)
            guard required else { return nil }
            let whose = policy.contracts.required == .all ? "every commit it judges" : "agent commits"
            return ContractReport(name: nil, violations: [ContractViolation(
                clause: "Task-Contract",
                detail: "no Task-Contract: trailer; the policy requires a task contract of \(whose) (contracts.required: \(policy.contracts.required.rawValue))",
                location: at)])
        }
        guard names.count == 1 else {
            let listed = names.prefix(5).map { "'\($0.prefix(60))'" }.joined(separator: ", ")
            return ContractReport(name: names.joined(separator: ", "), violations: [ContractViolation(
                clause: "Task-Contract", detail: "the commit names \(names.count) contracts (\(listed)): name exactly one")])
        }
        switch contracts.lookup(name) {
        case .unusable(let violation):
            return ContractReport(name: name, violations: [violation])
        case .found(let contract):
            return ContractReport(
                name: contract.name, source: contract.source, goal: contract.goal, owner: contract.owner,
                class: policy.classes[contract.ceiling].name,
                violations: contract.violations(of: commit.changes, classRank: rank, policy: policy, now: now))
        }
    }

    private func contractMissing(_ violation: ContractViolation, contract: ContractReport, commit: CommitFacts) -> Missing {
        let keep = contract.source == nil
            ? "name a contract that exists on the trusted base (.agentreview/contracts/NAME.yml): git commit --amend --trailer 'Task-Contract: NAME'"
            : "rewrite the commit within contract \(contract.name ?? "")"
        return Missing(
            requirement: "contract", detail: "\(violation)", command: "\(keep), or \(overrideCommand(commit))",
            by: overrideSignersPhrase)
    }

    private func overrideCommand(_ commit: CommitFacts) -> String {
        "break the glass: agentreview override \(commit.shortID) --reason TEXT"
    }

    /// Who can break the glass, for a refusal.
    private var overrideSignersPhrase: String {
        let signers = policy.overrides.signers
        guard !signers.isEmpty else { return "nobody can override: the policy lists no overrides.signers" }
        guard !policy.overrideSigners.isEmpty else {
            return "nobody can override: the policy's overrides.signers stand for nobody (teams and users do not name them)"
        }
        return "an override signer: " + signers.prefix(5).joined(separator: ", ") + (signers.count > 5 ? " and \(signers.count - 5) more" : "")
    }

    /// The class a commit declares (`Execution-Class:`) against `computed`; nil when it declares none.
    /// Several different declarations, or a name the policy does not have, count as under-declared.
    func declaredClass(_ trailers: [Trailer], computed: Int) -> DeclaredClassReport? {
        var values = [String]()
        for trailer in trailers where trailer.hasKey("Execution-Class") {
            let value = trailer.value.trimmingSpaces
            if !values.contains(value) { values.append(value) }
        }
        guard let value = values.first else { return nil }
        let computedName = policy.classes[computed].name
        guard values.count == 1 else {
            return DeclaredClassReport(
                class: values.joined(separator: ", "), computed: computedName, status: .under,
                note: "Execution-Class is declared \(values.count) different ways")
        }
        guard let rank = policy.rank(of: value) else {
            let names = policy.classes.map(\.name).joined(separator: ", ")
            return DeclaredClassReport(
                class: value, computed: computedName, status: .under,
                note: "Execution-Class '\(value.prefix(60))' names no class of the policy (\(names))")
        }
        let status: DeclaredClassReport.Status = rank < computed ? .under : rank == computed ? .match : .over
        return DeclaredClassReport(class: value, computed: computedName, status: status)
    }

    /// The override that counts for a commit, if any (the latest), and why the others do not:
    /// its signer must be listed in `overrides.signers` (directly, or through a team or user),
    /// not be the commit's own people (as for approvals), give a reason, and have signed no
    /// more than `overrides.max_age` before the judgement and not before the commit (or the
    /// commit with its patch-id it was given to) was committed.
    func countableOverride(
        _ overrides: [Signoff.Override], for commit: CommitFacts, aliases: PrincipalAliases = .none
    ) -> (counted: Signoff.Override?, refused: [String]) {
        guard !overrides.isEmpty else { return (nil, []) }
        let allowed = policy.overrideSigners
        let own = ownPrincipals(commit, aliases: aliases)
        let maxAge = policy.overrides.maxAge
        var counted: Signoff.Override?
        var refused = [String]()
        for override in overrides.sorted(by: { $0.date < $1.date }) {
            let why: String?
            let committed = override.rebasedFrom == nil ? commit.committerTime : override.rebasedFromTime
            let decision = Signoff.Approval(
                reviewer: override.signer, date: override.date, key: override.key, keyListings: override.keyListings)
            if !allowed.contains(override.signer.lowercased()) {
                why = policy.overrides.signers.isEmpty
                    ? "the policy lists no overrides.signers"
                    : allowed.isEmpty
                        ? "the policy's overrides.signers (\(policy.overrides.signers.joined(separator: ", "))) stand for nobody: teams and users do not name them"
                        : "\(override.signer) is not among the policy's overrides.signers"
            } else if override.reason.trimmingSpaces.isEmpty {
                why = "it gives no reason"
            } else if let reason = ownReason(decision, own: own) {
                why = reason
            } else if let committed, override.date.timeIntervalSince1970 + AllowedSigners.allowedClockSkew < TimeInterval(committed) {
                why = "it is dated \(CivilTime.format(override.date)), before the commit was committed"
            } else if override.date.addingTimeInterval(maxAge) < now {
                why = "it was signed \(CivilTime.format(override.date)), more than \(Self.duration(maxAge)) (overrides.max_age) before \(CivilTime.format(now))"
            } else {
                why = nil
            }
            if let why {
                refused.append("override by \(override.signer) does not count: \(why)")
            } else {
                counted = override
            }
        }
        return (counted, refused)
    }

    /// `24h`, `90m`, `2d`, `45s`: the largest unit that divides it.
    static func duration(_ interval: TimeInterval) -> String {
        let seconds = Int(interval)
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] where seconds % size == 0 && seconds >= size {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
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
        // What the findings below say is made only for a finding that says it: most
        // commits judged miss one or two things, or nothing.
        lazy var approve = String(joining: "agentreview approve ", commit.shortID)
        let needsApproval = approvals.count < riskClass.approvals || riskClass.owners || riskClass.humanSignoff
        if needsApproval && !signersListed {
            missing.append(Missing(
                requirement: "signers",
                detail: "nobody can approve yet: the trusted \(policy.signers) lists no reviewer",
                command: "add a line `EMAIL namespaces=\"agentreview\" ssh-ed25519 AAAA…` for each reviewer to \(policy.signers), then push it to the trust root",
                by: "a maintainer of the trust root"))
        }
        // The commit's own people cannot approve it: say so to the author reading the report.
        lazy var people: [String] = {
            // The two addresses, lowercased, each once and in order (without hashing them into a set).
            let author = commit.author.email.lowercasedIfNeeded(), committer = commit.committer.email.lowercasedIfNeeded()
            return author == committer ? [author] : [author, committer].sorted()
        }()
        lazy var eligible: [String] = {
            guard !reviewers.isEmpty else { return [] }
            let own = ownPrincipals(commit, aliases: .none)
            return reviewers.filter { own[$0] == nil }
        }()
        // Who can approve: the listed reviewers, never the commit's own people (author,
        // committer, co-authors, operator), who are named so the author reading it knows.
        func reviewer(_ eligible: [String]) -> String {
            let own = String(joining: people.joined(separator: " or "), ", who wrote it")
            guard !eligible.isEmpty else { return String(joining: "a reviewer listed in ", policy.signers, " other than ", own) }
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
                let bots = Set(policy.bots.map { $0.lowercased() })
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
        policy.members(of: owner) ?? []
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
