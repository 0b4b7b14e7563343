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
