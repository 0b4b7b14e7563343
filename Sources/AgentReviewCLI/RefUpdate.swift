import AgentReviewCore
import AgentReviewGit

/// One ref update a push asks for: `OLD NEW REF`. A zero OLD creates the ref, a zero NEW deletes it.
struct RefUpdate: Sendable, Hashable {
    var old: ObjectID
    var new: ObjectID
    /// The ref as the server names it; nil when `check` was given none.
    var ref: String?

    /// Parses one `OLD NEW REF` line of pre-receive input.
    init(line: String) throws {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 3, let old = ObjectID(hex: String(fields[0])), let new = ObjectID(hex: String(fields[1])),
              fields[2].hasPrefix("refs/")
        else {
            throw CLIError("unreadable ref update \"\(line.prefix(200))\": expected OLD NEW REF")
        }
        self.init(old: old, new: new, ref: String(fields[2]))
    }

    init(old: ObjectID, new: ObjectID, ref: String?) {
        self.old = old
        self.new = new
        self.ref = ref
    }
}

/// A ref the server already has, by the server's name for it, and the commit it holds.
struct KnownRef {
    var name: String
    var commit: ObjectID

    /// The server's branches and tags, tags peeled to their commits. Symbolic refs are left
    /// out: what they hold is listed, and judged, under the name of the ref they point at.
    static func serverRefs(in repository: Repository) throws -> [KnownRef] {
        var refs = [KnownRef]()
        for (name, target) in try repository.directReferences(matching: "refs/*")
        where name.hasPrefix("refs/heads/") || name.hasPrefix("refs/tags/") {
            if let commit = try repository.peelToCommit(target) {
                refs.append(KnownRef(name: name, commit: commit))
            }
        }
        return refs
    }

    /// What a client knows of a remote's branches: its remote-tracking refs, named as
    /// the server names them (`refs/remotes/origin/main` → `refs/heads/main`).
    static func trackingRefs(of remote: String, in repository: Repository) throws -> [KnownRef] {
        let prefix = "refs/remotes/\(remote)/"
        var refs = [KnownRef]()
        for name in try repository.referenceNames(matching: "refs/remotes/*")
        where name.hasPrefix(prefix) && name != prefix + "HEAD" {
            if let target = try repository.referenceTarget(name), let commit = try repository.peelToCommit(target) {
                refs.append(KnownRef(name: "refs/heads/" + name.dropFirst(prefix.count), commit: commit))
            }
        }
        return refs
    }
}

/// How strictly a ref is judged. The policy's mode for its name; for a symbolic ref on the
/// server, the strictest of its name and every ref it leads to (git writes through to the
/// target); and for the trust root, at least the strictest mode the policy gives any ref —
/// whoever may change the root may change how every ref is judged.
struct RefModes {
    var policy: Policy
    /// The server's name for the ref the policy is read from.
    var root: String?
    /// Where symbolic refs are resolved: the server's repository; nil on a client, which
    /// cannot see the server's symbolic refs.
    var symbolicRefs: Repository?

    /// git's own bound on a chain of symbolic refs.
    private static let maxSymbolicDepth = 5

    func mode(for ref: String?) throws -> EnforcementMode {
        guard let ref else { return policy.defaultMode }
        let names = try self.names(ref)
        var mode = names.map { policy.mode(for: $0).mode }.max() ?? policy.defaultMode
        if let root, names.contains(root) { mode = max(mode, policy.strictestMode) }
        return mode
    }

    /// Whether an update of `ref` writes the trust root (itself, or through a symbolic ref).
    func writesRoot(_ ref: String?) throws -> Bool {
        guard let ref, let root else { return false }
        return try names(ref).contains(root)
    }

    /// The ref and, on the server, every ref its symbolic chain leads to.
    private func names(_ ref: String) throws -> [String] {
        var names = [ref]
        if let repository = symbolicRefs {
            while let target = try repository.symbolicTarget(names[names.count - 1]) {
                guard names.count <= Self.maxSymbolicDepth, !names.contains(target) else {
                    throw CLIError("\(ref) is a symbolic ref that loops or goes deeper than \(Self.maxSymbolicDepth) refs")
                }
                names.append(target)
            }
        }
        return names
    }
}

/// Judges one ref update the way the server does, wherever it runs.
enum UpdateJudge {
    /// Judges the commits an update brings to its ref into `writer` (made for the ref's
    /// mode) and returns the verdict. For an update, those not reachable from OLD; for a new
    /// ref (or an OLD this repository lacks), those not reachable from any other known ref
    /// judged at least as strictly — so a commit parked on a warn-mode branch or a tag is
    /// judged when it reaches an enforced ref. A deletion brings nothing; a tag of a tree or
    /// blob brings nothing.
    ///
    /// The trust root only moves forward: deleting it, or rewinding it to an older policy,
    /// is refused (a person with access to the server can still move it by hand).
    @discardableResult
    static func judge(
        _ update: RefUpdate, in repository: Repository, configuration: TrustedConfiguration, modes: RefModes,
        knownRefs: [KnownRef], records: RecordSource?, into writer: JudgementWriter
    ) throws -> Verdict {
        let mode = writer.mode
        if mode != .off, try modes.writesRoot(update.ref) {
            let ref = update.ref ?? ""
            if update.new.isZero {
                throw CLIError("\(ref) holds the trust root (the policy every push is judged by): it cannot be deleted")
            }
            if !update.old.isZero, update.old != update.new, repository.contains(update.old),
               !(try repository.isAncestor(update.old, of: update.new)) {
                throw CLIError(
                    "\(ref) holds the trust root (the policy every push is judged by): it only moves forward, and this push would rewind it; merge or revert instead")
            }
        }
        if mode != .off, !update.new.isZero, let tip = try repository.peelToCommit(update.new) {
            var hidden = [ObjectID]()
            if !update.old.isZero, repository.contains(update.old) {
                hidden = [try repository.peelToCommit(update.old) ?? update.old]
            } else {
                for known in knownRefs where known.name != update.ref {
                    if try modes.mode(for: known.name) >= mode { hidden.append(known.commit) }
                }
            }
            let walk = try repository.walk(from: [tip], hiding: hidden)
            try Judge(repository: repository, configuration: configuration, records: records)
                .judge(walk, mode: mode, base: nil, into: writer)
        }
        return try writer.finish()
    }
}
