#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Something in a valid policy that cannot work as written with the files beside it: a
/// requirement no key the allowed_signers lists can ever meet. Not an error: the policy is
/// valid, and the keys may be added later, but until then every commit in that class is
/// blocked whatever its reviewers do.
public struct PolicyWarning: Sendable, Hashable, CustomStringConvertible {
    /// The file the warning is about: the policy, CODEOWNERS or the allowed_signers.
    public var file: String
    /// 1-based; 0 for the file as a whole.
    public var line: Int
    /// Known only for what was read from the policy's YAML.
    public var column: Int?
    public var message: String

    public init(file: String, line: Int, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public init(_ location: SourceLocation?, file: String, message: String) {
        self.init(file: location?.file ?? file, line: location?.line ?? 0, column: location?.column, message: message)
    }

    public var description: String {
        line > 0 ? "\(file):\(line): warning: \(message)" : "\(file): warning: \(message)"
    }
}

/// The requirements of a policy that no listed key can meet, found by reading the policy
/// with the allowed_signers, revoked keys and CODEOWNERS it would be judged with. Pure: the
/// caller reads the files (`policy check` reads them beside the policy in the working tree).
///
/// A key counts when an allowed_signers line lists it for the `agentreview` namespace, it
/// is not revoked, it is no certificate authority, and its `valid-before` (if any) is after
/// `now`. Reviewers are counted as the evaluator counts them: keys listed for a common
/// principal are one reviewer, and a key listed by a pattern may be anyone it matches.
///
/// - `approvals: N` with fewer than N reviewers;
/// - `human_signoff: true` when every key is a bot's (listed, directly or by a pattern, for
///   a principal in `bots:`), or there is none;
/// - `owners: true`, for each owner CODEOWNERS names: an email no key is listed for; an
///   `@user` or `@team` that `users`/`teams` do not resolve, or whose people have no key;
/// - task contracts and overrides that cannot work as written (`governanceWarnings`).
public enum PolicyWarnings {
    /// The namespace approvals are signed in.
    static let namespace = "agentreview"

    public static func check(
        policy: Policy, signers: AllowedSigners, revoked: RevokedKeys = .none, owners: CodeOwners?, now: Date
    ) -> [PolicyWarning] {
        let keys = ListedKeys(signers: signers, revoked: revoked, now: now)
        var warnings = [PolicyWarning]()
        let listed = keys.reviewers == 1 ? "1 reviewer" : "\(keys.reviewers) reviewers"
        for riskClass in policy.classes where riskClass.approvals > keys.reviewers {
            let needs = riskClass.approvals == 1 ? "1 approval" : "\(riskClass.approvals) approvals"
            warnings.append(PolicyWarning(riskClass.location, file: policy.source, message:
                "class '\(riskClass.name)' needs \(needs), but \(signers.source) lists \(listed) (keys for namespace \"\(namespace)\", one per person): its commits can never pass"))
        }
        let bots = policy.bots
        for riskClass in policy.classes where riskClass.humanSignoff {
            let people = keys.keys.filter { key in !keys.listings(key).contains { list in bots.contains { OpenSSHPattern.mayList(list, $0) } } }
            guard people.isEmpty else { continue }
            let why = keys.keys.isEmpty
                ? "\(signers.source) lists no key for namespace \"\(namespace)\""
                : "every key \(signers.source) lists is a bot's (bots: \(bots.joined(separator: ", ")))"
            warnings.append(PolicyWarning(riskClass.location, file: policy.source, message:
                "class '\(riskClass.name)' requires a human sign-off, but \(why): its commits can never pass"))
        }
        if let owners, let requiring = policy.classes.first(where: \.owners) {
            warnings += ownerWarnings(policy: policy, owners: owners, keys: keys, signers: signers.source, requiring: requiring.name)
        }
        warnings += governanceWarnings(policy: policy, keys: keys, signers: signers.source)
        return warnings
    }

    /// Task contracts and overrides written so that they cannot do what they say:
    /// - `contracts.required: all` under `applies_to: agents`, which judges agent commits only;
    /// - `contracts.on_violation: raise-class` when the highest class requires no sign-off
    ///   (raising a commit there changes nothing);
    /// - each `overrides.signers` principal no usable key is listed for (an `@team` or
    ///   `@user` through `teams`/`users`), as owners are read.
    private static func governanceWarnings(policy: Policy, keys: ListedKeys, signers: String) -> [PolicyWarning] {
        var warnings = [PolicyWarning]()
        let contracts = policy.contracts
        if contracts.required == .all, policy.appliesTo == .agents {
            warnings.append(PolicyWarning(contracts.location, file: policy.source, message:
                "contracts.required: all, but applies_to: agents judges agent commits only: 'all' then means every agent commit, as 'agents' does (write applies_to: all for a contract on every commit)"))
        }
        if contracts.onViolation == .raiseClass, let highest = policy.classes.last, !highest.requiresSignoff {
            warnings.append(PolicyWarning(contracts.location, file: policy.source, message:
                "contracts.on_violation: raise-class raises a commit that breaks its contract to class '\(highest.name)', which requires no sign-off: raising changes nothing, and every violation passes (use on_violation: block, or give '\(highest.name)' a requirement)"))
        }
        for signer in policy.overrides.signers {
            guard let reason = unapprovable(signer, policy: policy, keys: keys, signers: signers) else { continue }
            warnings.append(PolicyWarning(policy.overrides.location, file: policy.source, message:
                "override signer \(signer) cannot sign an override: \(reason)"))
        }
        return warnings
    }

    /// One warning for each owner no key can approve as, at the first CODEOWNERS line naming
    /// it: whether the other owners of its paths still can, or which paths nobody can approve.
    private static func ownerWarnings(
        policy: Policy, owners: CodeOwners, keys: ListedKeys, signers: String, requiring: String
    ) -> [PolicyWarning] {
        var why = [String: String?]()
        var order = [String]()
        for rule in owners.rules {
            for owner in rule.owners where why[owner] == nil {
                order.append(owner)
                why[owner] = .some(unapprovable(owner, policy: policy, keys: keys, signers: signers))
            }
        }
        var warnings = [PolicyWarning]()
        for owner in order {
            guard let reason = why[owner] ?? nil else { continue }
            let naming = owners.rules.filter { $0.owners.contains(owner) }
            // The lines whose every owner is unable to approve: their paths never can be.
            let stuck = naming.filter { rule in rule.owners.allSatisfy { (why[$0] ?? nil) != nil } }
            var message = "owner \(owner) cannot approve: \(reason)"
            if stuck.isEmpty {
                message += "; the other owners of its paths still can"
            } else {
                let shown = stuck.prefix(3).map { "'\($0.pattern.source)' (line \($0.line))" }.joined(separator: ", ")
                let more = stuck.count > 3 ? " and \(stuck.count - 3) more" : ""
                message += "; class '\(requiring)' requires owners, so a commit touching \(shown)\(more) can never pass"
            }
            warnings.append(PolicyWarning(file: owners.source, line: naming.first?.line ?? 0, message: message))
        }
        return warnings
    }

    /// Why nobody can approve as `owner`, or nil when somebody can.
    static func unapprovable(_ owner: String, policy: Policy, keys: ListedKeys, signers: String) -> String? {
        guard owner.hasPrefix("@") else {
            return keys.canSign(as: owner) ? nil : "no key in \(signers) is listed for \(owner)"
        }
        guard let members = policy.members(of: owner) else {
            let name = String(owner.dropFirst())
            let last = name.lastIndex(of: "/").map { String(name[name.index(after: $0)...]) }
            let names = last.map { "'\(name)' or '\($0)'" } ?? "'\(name)'"
            return "neither the policy's teams nor its users name \(names)"
        }
        if members.isEmpty { return "the policy's team lists nobody" }
        if members.contains(where: keys.canSign) { return nil }
        let who = members.count == 1 ? members[0] : "any of " + members.prefix(5).joined(separator: ", ") + (members.count > 5 ? " and \(members.count - 5) more" : "")
        return "no key in \(signers) is listed for \(who)"
    }
}

/// The keys of an allowed_signers that can sign approvals now, and who they are.
struct ListedKeys {
    /// Each usable key once, in file order.
    let keys: [SSHPublicKey]
    /// The lines that let them sign approvals.
    private let entries: [AllowedSigners.Entry]
    private let signers: AllowedSigners
    /// How many people those keys are, as the evaluator tells reviewers apart.
    let reviewers: Int

    init(signers: AllowedSigners, revoked: RevokedKeys, now: Date) {
        self.signers = signers
        let entries = signers.entries.filter { entry in
            !entry.isCertificateAuthority && entry.allows(namespace: PolicyWarnings.namespace) && !revoked.contains(entry.key)
                && (entry.validBefore.map { $0 > now } ?? true)
        }
        self.entries = entries
        var keys = [SSHPublicKey]()
        for entry in entries where !keys.contains(entry.key) { keys.append(entry.key) }
        self.keys = keys
        // One identity per key, grouped exactly as decisions signed with these keys would be.
        let aliases = signers.aliases
        let identities = keys.map { key in
            let listings = signers.listings(of: key)
            let principal = listings.lazy.flatMap(OpenSSHPattern.positives).first { !$0.isEmpty } ?? key.fingerprint
            return ReviewerIdentity(
                Signoff.Approval(reviewer: principal, key: key.fingerprint, keyListings: listings), aliases: aliases)
        }
        self.reviewers = ReviewerIdentity.groups(identities).count
    }

    func listings(_ key: SSHPublicKey) -> [String] { signers.listings(of: key) }

    /// Whether some usable key may sign an approval as `principal` (ignoring case, as owners are compared).
    func canSign(as principal: String) -> Bool {
        entries.contains { OpenSSHPattern.mayList($0.principals, principal) }
    }
}
