import AgentReviewSupport
import AgentReviewCore
import AgentReviewGit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
    /// The task contracts beside the policy (`.agentreview/contracts/`).
    var contracts: ContractBook = .empty
    /// Where the policy was read from, as the audit log records it.
    var origin: AuditEntry.PolicyOrigin?
}

/// One entry of a directory where trusted files are read (the base's tree, or a working tree).
struct ListedEntry {
    enum Kind { case file, symlink, directory, other }
    var name: String
    var kind: Kind
}

extension PolicyLoader {
    /// Reads, parses and validates the policy file at `path` (a `--policy` option, a
    /// server's pinned `agentreview.policy`, `policy check FILE`). `file` names it in
    /// diagnostics (default: `path`). An unreadable file is a `PolicyError` whose one
    /// diagnostic has line 0 and says why. Core only parses; reading files is the CLI's.
    static func load(contentsOf path: String, file: String? = nil) throws(PolicyError) -> Policy {
        let name = file ?? path
        func unreadable(_ why: String) -> PolicyError {
            PolicyError(diagnostics: [
                PolicyDiagnostic(location: SourceLocation(file: name, line: 0), message: "cannot read the policy: \(why)")
            ])
        }
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw unreadable("no such file")
        }
        if isDirectory { throw unreadable("it is a directory, not a file") }
        // Never more than the limit and one byte is read, whatever the file's size.
        let read: [UInt8]?
        do {
            read = try FileIO.read(path, upTo: Limits.policyBytes + 1)
        } catch {
            throw unreadable(describe(error))
        }
        guard let data = read else { throw unreadable("the file exists but could not be read (permissions?)") }
        if data.count > Limits.policyBytes {
            let size = FileIO.status(path)?.size
            throw tooLarge(size, file: name)
        }
        return try load(bytes: data, file: name)
    }
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
            guard let bytes = try read(PolicyLoader.defaultPath, in: base, in: repository, maxBytes: Limits.policyBytes) else {
                throw CLIError(
                    "no policy at \(source): run `agentreview init`, commit .agentreview/ and push it, or pass --policy FILE")
            }
            policy = try PolicyLoader.load(bytes: bytes, file: source)
        } else {
            throw CLIError("no trusted base to read the policy from: pass --base REV or --policy FILE")
        }
        var origin: AuditEntry.PolicyOrigin?
        if let policyFile {
            let bytes = try? FileIO.read(policyFile, upTo: Limits.policyBytes)
            origin = AuditEntry.PolicyOrigin(
                ref: nil, commit: nil, path: policyFile, blob: try bytes.flatMap { try repository?.blobID(of: [UInt8]($0)).hex })
        } else if let base, let repository {
            origin = AuditEntry.PolicyOrigin(
                ref: base.name, commit: base.commit.hex, path: PolicyLoader.defaultPath,
                blob: try repository.fileID(at: PolicyLoader.defaultPath, in: base.commit)?.hex)
        }
        if let base, let repository {
            var loaded = try configuration(
                policy, prefix: base.name, place: base.name, contractsPrefix: "\(base.name)@\(base.commit.hex.prefix(12))",
                read: { path, limit in try read(path, in: base, in: repository, maxBytes: limit) },
                list: { path in try list(path, in: base, in: repository) })
            loaded.origin = origin
            return loaded
        }
        if policy.revoked != nil {
            throw CLIError("the policy names a revoked keys file, but there is no trusted base to read it from")
        }
        return TrustedConfiguration(
            policy: policy, owners: nil, signers: AllowedSigners(text: "", source: policy.signers), revoked: .none,
            source: policy.source, origin: origin)
    }

    /// The policy with the files it names beside it — CODEOWNERS (the first of its
    /// candidates that exists), the allowed signers (none when absent), the revoked keys
    /// (which must exist when named: without them, revoked keys would count) and the task
    /// contracts — read by `read(path, limit)` (nil: no such file) and `list(directory)`
    /// from `place`, each named `prefix:path` (contracts `contractsPrefix:path`, which names
    /// the base's commit as the policy's source does).
    static func configuration(
        _ policy: Policy, prefix: String, place: String, contractsPrefix: String? = nil,
        read: (String, Int) throws -> [UInt8]?, list: (String) throws -> [ListedEntry]?
    ) throws -> TrustedConfiguration {
        var owners: CodeOwners?
        for path in policy.owners.candidates {
            guard let bytes = try read(path, Limits.codeOwnersBytes) else { continue }
            do {
                owners = try CodeOwners(bytes: bytes, source: "\(prefix):\(path)")
            } catch {
                throw CLIError(error.description)
            }
            break
        }
        var signers = AllowedSigners(text: "", source: policy.signers)
        if let bytes = try read(policy.signers, Limits.signersBytes) {
            signers = AllowedSigners(text: String(decoding: bytes, as: UTF8.self), source: "\(prefix):\(policy.signers)")
        }
        var revoked = RevokedKeys.none
        if let path = policy.revoked {
            guard let bytes = try read(path, Limits.signersBytes) else {
                throw CLIError("the policy names revoked keys at \(path), but \(place) has no such file")
            }
            revoked = RevokedKeys(text: String(decoding: bytes, as: UTF8.self), source: "\(prefix):\(path)")
        }
        return TrustedConfiguration(
            policy: policy, owners: owners, signers: signers, revoked: revoked, source: policy.source,
            contracts: try contracts(policy, prefix: contractsPrefix ?? prefix, read: read, list: list))
    }

    /// The task contracts in `.agentreview/contracts/`, each read within `Limits.contractBytes`.
    /// A contract that cannot be read (too large, a symbolic link, a directory) is kept with
    /// why: it breaks only the commits that name it, never the whole judgement.
    static func contracts(
        _ policy: Policy, prefix: String, read: (String, Int) throws -> [UInt8]?, list: (String) throws -> [ListedEntry]?
    ) throws -> ContractBook {
        guard let entries = try list(TaskContract.directory) else { return .empty }
        var files = [ContractBook.File]()
        for entry in entries.prefix(Limits.contracts + 1) {
            let path = TaskContract.directory + "/" + entry.name
            var bytes: [UInt8]?
            var unreadable: String?
            switch entry.kind {
            case .file:
                do {
                    bytes = try read(path, Limits.contractBytes)
                    if bytes == nil { unreadable = "it cannot be read" }
                } catch {
                    unreadable = describe(error)
                }
            case .symlink: unreadable = "it is a symbolic link, which is never followed"
            case .directory: unreadable = "it is a directory"
            case .other: unreadable = "it is not a file"
            }
            files.append(ContractBook.File(path: path, source: "\(prefix):\(path)", bytes: bytes, unreadable: unreadable))
        }
        return ContractBook(files: files, directory: "\(prefix):\(TaskContract.directory)/", policy: policy)
    }

    /// The entries of a directory of the base's tree; nil when there is none.
    private static func list(_ path: String, in base: TrustedBase, in repository: Repository) throws -> [ListedEntry]? {
        try repository.directory(at: path, in: base.commit)?.map { entry in
            let kind: ListedEntry.Kind = switch entry.mode & 0o170000 {
            case 0o100000: .file
            case 0o120000: .symlink
            case 0o040000: .directory
            default: .other
            }
            return ListedEntry(name: String(decoding: entry.name, as: UTF8.self), kind: kind)
        }
    }

    /// A trusted file's bytes, refused with one line when it is over its limit.
    private static func read(_ path: String, in base: TrustedBase, in repository: Repository, maxBytes: Int) throws -> [UInt8]? {
        let result = Result { () throws(GitError) in try repository.file(at: path, in: base.commit, maxBytes: maxBytes) }
        if case .failure(let error) = result, error.code == .tooLarge {
            throw CLIError("\(base.name):\(path) is \(error.message) (see Limits in the README): not read")
        }
        return try result.get()
    }

    /// The configured root ref: `git config agentreview.policyRef` (a full ref name such as
    /// `refs/heads/main`), nil when unset.
    static func configuredRootRef(in repository: Repository) throws -> String? {
        guard let value = try repository.configString("agentreview.policyRef")?.trimming(.whitespaces),
              !value.isEmpty
        else { return nil }
        guard value.hasPrefix("refs/"), !value.hasPrefix("refs/remotes/") else {
            throw CLIError("agentreview.policyRef is \"\(value)\": name a full ref such as refs/heads/main")
        }
        return value
    }

    /// The trust root as this repository holds it, the way the server sees it: the
    /// configured policy ref, else the ref `HEAD` names (the default branch), with its
    /// current value. `ref` is nil only when neither is known; `base` is nil while the
    /// root ref has no commit yet.
    static func root(in repository: Repository) throws -> (ref: String?, base: TrustedBase?) {
        let ref = try configuredRootRef(in: repository) ?? repository.symbolicTarget("HEAD")
        guard let ref else { return (nil, nil) }
        guard let target = try repository.referenceTarget(ref), let commit = try repository.peelToCommit(target) else {
            return (ref, nil)
        }
        return (ref, TrustedBase(commit: commit, name: ref))
    }

    /// The trust root as a remote has it, from what this repository last fetched: the
    /// remote's copy of the configured policy ref, else of the remote's default branch.
    /// `ref` is the server's name for the root ref.
    static func root(ofRemote remote: String, in repository: Repository) throws -> (ref: String?, base: TrustedBase?) {
        let prefix = "refs/remotes/\(remote)/"
        var branches = [String]()
        if let configured = try configuredRootRef(in: repository) {
            guard configured.hasPrefix("refs/heads/") else {
                // Only branches have remote-tracking copies.
                return (configured, nil)
            }
            branches = [String(configured.dropFirst("refs/heads/".count))]
        } else if let head = try repository.symbolicTarget(prefix + "HEAD"), head.hasPrefix(prefix) {
            branches = [String(head.dropFirst(prefix.count))]
        } else {
            branches = ["main", "master"]
        }
        for branch in branches {
            if let commit = try repository.referenceTarget(prefix + branch) {
                return ("refs/heads/" + branch, TrustedBase(commit: commit, name: prefix + branch))
            }
        }
        return (branches.first.map { "refs/heads/" + $0 }, nil)
    }

    /// The base for local work (status, explain, approve): `--base REV` when given, else
    /// the trust root as the remote has it (see `rootForLocalWork`).
    static func forLocalWork(in repository: Repository, explicit: String?) throws -> TrustedBase? {
        if let explicit {
            return TrustedBase(commit: try repository.resolveCommit(explicit), name: explicit)
        }
        return try rootForLocalWork(in: repository).base
    }

    /// The trust root as the remote has it, for local work: the remote of the current
    /// branch's upstream, else `origin`, else the first remote with a copy of the root.
    /// `ref` is the server's name for the root ref (nil when no remote names one).
    /// Never a local branch: on a detached HEAD (a CI checkout) or a branch with no upstream
    /// it is still the remote's copy.
    static func rootForLocalWork(in repository: Repository) throws -> (ref: String?, base: TrustedBase?) {
        let root = try remoteRootForLocalWork(in: repository)
        return (root.ref, root.base)
    }

    /// `rootForLocalWork`, with the remote it was read from (the first candidate when none
    /// has a copy; nil when there is no remote at all).
    static func remoteRootForLocalWork(in repository: Repository) throws -> (remote: String?, ref: String?, base: TrustedBase?) {
        var remotes = [String]()
        if let branch = try repository.symbolicTarget("HEAD"), branch.hasPrefix("refs/heads/"),
           let remote = try repository.configString("branch.\(branch.dropFirst("refs/heads/".count)).remote"), remote != "." {
            remotes.append(remote)
        }
        if !remotes.contains("origin") { remotes.append("origin") }
        for name in try repository.referenceNames(matching: "refs/remotes/*") {
            let remote = name.split(separator: "/").dropFirst(2).first.map(String.init)
            if let remote, !remotes.contains(remote) { remotes.append(remote) }
        }
        var first: (remote: String, ref: String)?
        for remote in remotes {
            let root = try root(ofRemote: remote, in: repository)
            if root.base != nil { return (remote, root.ref, root.base) }
            if first == nil, let ref = root.ref { first = (remote, ref) }
        }
        return (first?.remote ?? remotes.first, first?.ref, nil)
    }

    /// Whether anything was ever fetched from (or pushed to) a remote: a ref under
    /// `refs/remotes/`. Then this is a clone, and its local branches are never a trust root.
    static func hasRemoteTrackingRefs(in repository: Repository) throws -> Bool {
        !(try repository.referenceNames(matching: "refs/remotes/*")).isEmpty
    }

    /// The one line that says how to get the remote's copy of the root.
    static func fetchHint(remote: String?, ref: String?) -> String {
        let remote = remote ?? "origin"
        if let ref, ref.hasPrefix("refs/heads/") {
            let branch = ref.dropFirst("refs/heads/".count)
            return "run `git fetch \(remote) \(branch)` (if \(remote)'s default branch is not \(branch): `git remote set-head \(remote) --auto`, or `git config agentreview.policyRef refs/heads/BRANCH`)"
        }
        return "run `git fetch \(remote)` and `git remote set-head \(remote) --auto`"
    }
}
