import AgentReviewCore
import AgentReviewGit

/// Turns git's commits into the plain facts the rules judge. One commit at a time.
struct FactGatherer {
    let repository: Repository
    /// Read blob contents (binary detection, line counts): only when the policy asks.
    let contents: Bool

    func facts(for id: ObjectID) throws(GitError) -> CommitFacts {
        let commit = try repository.commit(id)
        return CommitFacts(
            id: id.hex,
            parents: commit.parents.map(\.hex),
            tree: commit.tree.hex,
            author: Identity(name: commit.author.name, email: commit.author.email),
            committer: Identity(name: commit.committer.name, email: commit.committer.email),
            authorTime: commit.author.time,
            subject: commit.subject,
            trailers: Trailers.parse(commit.message),
            changes: try changes(of: commit)
        )
    }

    /// What the commit introduces: against the empty tree for a root commit, the parent
    /// for an ordinary one, and for a merge only the paths that differ from every parent.
    func changes(of commit: CommitInfo) throws(GitError) -> [PathChange] {
        if commit.parents.isEmpty {
            return try repository.changes(from: nil, to: commit.tree, contents: contents).map(Self.convert)
        }
        var perParent = [[PathChange]]()
        for parent in commit.parents {
            let parentTree = try repository.tree(ofCommit: parent)
            perParent.append(try repository.changes(from: parentTree, to: commit.tree, contents: contents).map(Self.convert))
        }
        return MergeChanges.introduced(perParent)
    }

    static func convert(_ change: FileChange) -> PathChange {
        let kind: PathChange.Kind
        switch change.status {
        case .added: kind = .added
        case .deleted: kind = .deleted
        case .typeChange: kind = .typeChange
        default: kind = .modified
        }
        let lines = change.linesAdded.map { $0 + (change.linesDeleted ?? 0) }
        return PathChange(
            kind: kind,
            oldPath: GitPath(bytes: change.oldPath.isEmpty ? change.newPath : change.oldPath),
            newPath: GitPath(bytes: change.newPath.isEmpty ? change.oldPath : change.newPath),
            oldMode: FileMode(rawValue: change.oldMode),
            newMode: FileMode(rawValue: change.newMode),
            isBinary: change.isBinary,
            changedLines: lines
        )
    }
}
