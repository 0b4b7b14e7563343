import AgentReviewCore
import AgentReviewGit
import Foundation

/// The configuration a judgement trusts, read from the base, never from the commits
/// being judged: the policy and the code owners.
struct TrustedConfiguration {
    var policy: Policy
    var owners: CodeOwners?
    /// Who may sign approvals and attestations, and the keys that no longer count.
    var signers: AllowedSigners
    var revoked: RevokedKeys
    /// Where the policy came from, for reports.
    var source: String
}

/// The revision configuration is read from, and what it is called in messages.
struct TrustedBase {
    var commit: ObjectID
    var name: String

    /// Loads the policy and owners. `policyFile` (a `--policy` option or a server's
    /// pinned `agentreview.policy`) replaces the policy read from the base; owners
    /// still come from the base when there is one.
    static func load(from base: TrustedBase?, in repository: Repository?, policyFile: String?) throws -> TrustedConfiguration {
        let policy: Policy
        if let policyFile {
            policy = try PolicyLoader.load(contentsOf: policyFile)
        } else if let base, let repository {
            let source = "\(base.name)@\(base.commit.hex.prefix(12)):\(PolicyLoader.defaultPath)"
            guard let bytes = try repository.file(at: PolicyLoader.defaultPath, in: base.commit) else {
                throw CLIError(
                    "no policy at \(source): run `agentreview init`, commit .agentreview/ and push it, or pass --policy FILE")
            }
            policy = try PolicyLoader.load(bytes: bytes, file: source)
        } else {
            throw CLIError("no trusted base to read the policy from: pass --base REV or --policy FILE")
        }
        var owners: CodeOwners?
        var signers = AllowedSigners(text: "", source: policy.signers)
        var revoked = RevokedKeys.none
        if let base, let repository {
            owners = try loadOwners(policy: policy, base: base, repository: repository)
            if let bytes = try repository.file(at: policy.signers, in: base.commit) {
                signers = AllowedSigners(text: String(decoding: bytes, as: UTF8.self), source: "\(base.name):\(policy.signers)")
            }
            if let path = policy.revoked {
                // A revocation list the policy names must exist: without it, revoked keys would count.
                guard let bytes = try repository.file(at: path, in: base.commit) else {
                    throw CLIError("the policy names revoked keys at \(path), but \(base.name) has no such file")
                }
                revoked = RevokedKeys(text: String(decoding: bytes, as: UTF8.self), source: "\(base.name):\(path)")
            }
        } else if policy.revoked != nil {
            throw CLIError("the policy names a revoked keys file, but there is no trusted base to read it from")
        }
        return TrustedConfiguration(policy: policy, owners: owners, signers: signers, revoked: revoked, source: policy.source)
    }

    private static func loadOwners(policy: Policy, base: TrustedBase, repository: Repository) throws -> CodeOwners? {
        let candidates: [String]
        switch policy.owners {
        case .auto: candidates = CodeOwners.locations
        case .path(let path): candidates = [path]
        }
        for path in candidates {
            if let bytes = try repository.file(at: path, in: base.commit) {
                return CodeOwners(text: String(decoding: bytes, as: UTF8.self), source: "\(base.name):\(path)")
            }
        }
        return nil
    }

    /// The base for a local range (status, explain): the current branch's upstream,
    /// else the remote's default branch (`refs/remotes/origin/HEAD`).
    static func forLocalWork(in repository: Repository, explicit: String?) throws -> TrustedBase? {
        if let explicit {
            return TrustedBase(commit: try repository.resolveCommit(explicit), name: explicit)
        }
        let branch = try repository.symbolicTarget("HEAD")
        if let branch, let upstream = try repository.upstream(of: branch),
           let commit = try repository.referenceTarget(upstream) {
            return TrustedBase(commit: commit, name: upstream)
        }
        // No upstream configured: the same branch on a remote, origin first.
        if let branch, branch.hasPrefix("refs/heads/") {
            let short = branch.dropFirst("refs/heads/".count)
            let candidates = try repository.referenceNames(matching: "refs/remotes/*")
                .filter { $0.hasSuffix("/" + short) && $0.split(separator: "/").count == 3 + short.split(separator: "/").count }
                .sorted { ($0.hasPrefix("refs/remotes/origin/") ? 0 : 1, $0) < ($1.hasPrefix("refs/remotes/origin/") ? 0 : 1, $1) }
            if let name = candidates.first, let commit = try repository.referenceTarget(name) {
                return TrustedBase(commit: commit, name: name)
            }
        }
        for remoteHead in try repository.referenceNames(matching: "refs/remotes/*/HEAD").sorted() {
            if let target = try repository.symbolicTarget(remoteHead), let commit = try repository.referenceTarget(target) {
                return TrustedBase(commit: commit, name: target)
            }
        }
        return nil
    }

    /// The base for a ref update, as the server sees it: the ref's current tip (OLD);
    /// for a new ref, the repository's default branch.
    static func forUpdate(old: ObjectID, ref: String?, in repository: Repository) throws -> TrustedBase? {
        if !old.isZero {
            return TrustedBase(commit: old, name: ref ?? old.hex)
        }
        if let defaultBranch = try repository.symbolicTarget("HEAD"), defaultBranch != ref,
           let commit = try repository.referenceTarget(defaultBranch) {
            return TrustedBase(commit: commit, name: defaultBranch)
        }
        return nil
    }
}
