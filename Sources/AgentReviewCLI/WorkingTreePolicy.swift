import AgentReviewSupport
import AgentReviewCore
import AgentReviewGit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Before the first push there is no trusted base: nothing on the remote to read the policy
/// from. So that `agentreview init` is followed by something that works, `status` and
/// `explain` then read `.agentreview/` (policy, signers, revoked keys) and CODEOWNERS from
/// the working tree, and say once on stderr that it is not yet a trusted base. Hooks and
/// `check` never do: they judge by what the remote holds, or refuse.
///
/// Only before anything was fetched or pushed, on a branch: a detached HEAD (a CI checkout)
/// or a clone with remote-tracking refs but no copy of the root (a PR fetched alone, a
/// default branch not fetched) would otherwise judge commits by the policy they bring.
enum WorkingTreePolicy {
    /// What local work is judged by: `base` (or `policyFile`); with neither, the working tree's.
    static func load(orFrom base: TrustedBase?, policyFile: String?, in repository: Repository) throws -> TrustedConfiguration {
        if base == nil && policyFile == nil { return try load(in: repository) }
        return try TrustedBase.load(from: base, in: repository, policyFile: policyFile)
    }

    static func load(in repository: Repository) throws -> TrustedConfiguration {
        guard let root = repository.workingDirectory else {
            throw CLIError("no trusted base to read the policy from (a bare repository with no default branch yet): pass --base REV or --policy FILE")
        }
        let detached = try repository.symbolicTarget("HEAD") == nil
        if try detached || TrustedBase.hasRemoteTrackingRefs(in: repository) {
            let remote = try TrustedBase.remoteRootForLocalWork(in: repository)
            let copy = remote.ref.map { "\(remote.remote ?? "origin")'s \($0)" } ?? "the remote's default branch"
            let situation = detached ? "HEAD is detached (a CI checkout?) and " : ""
            throw CLIError(
                "no trusted base: \(situation)this clone has no copy of \(copy), and the working tree is not trusted: \(TrustedBase.fetchHint(remote: remote.remote, ref: remote.ref)), or pass --base REV or --policy FILE")
        }
        let directory = URL(fileURLWithPath: root)
        func read(_ path: String, maxBytes: Int) throws -> [UInt8]? {
            let url = directory.appendingPathComponent(path)
            guard let bytes = try FileIO.read(url.path, upTo: maxBytes + 1) else { return nil }
            guard bytes.count <= maxBytes else {
                throw CLIError("\(path) in the working tree is over \(maxBytes) bytes (see Limits in the README): not read")
            }
            return bytes
        }
        let path = PolicyLoader.defaultPath
        guard let bytes = try read(path, maxBytes: Limits.policyBytes) else {
            throw CLIError(
                "no trusted base to read the policy from, and no \(path) in the working tree: run `agentreview init`, or pass --base REV or --policy FILE")
        }
        printError(
            "nothing pushed yet: reading \(path) from the working tree, which is not a trusted base; once it is pushed, the remote's copy is used")
        let policy = try PolicyLoader.load(bytes: bytes, file: "working tree:\(path)")
        return try TrustedBase.configuration(
            policy, prefix: "working tree", place: "the working tree", read: { path, limit in try read(path, maxBytes: limit) },
            list: { path in
                let url = directory.appendingPathComponent(path)
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { return nil }
                return names.sorted().map { name in
                    let type = (try? FileManager.default.attributesOfItem(atPath: url.appendingPathComponent(name).path))?[.type] as? FileAttributeType
                    let kind: ListedEntry.Kind = switch type {
                    case .typeRegular?: .file
                    case .typeSymbolicLink?: .symlink
                    case .typeDirectory?: .directory
                    default: .other
                    }
                    return ListedEntry(name: name, kind: kind)
                }
            })
    }
}
