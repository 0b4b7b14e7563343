import Clibgit2

/// Walks the commits reachable from some tips and not from others, newest first,
/// one at a time: nothing is loaded ahead of the caller.
public final class RevisionWalk {
    private let pointer: OpaquePointer
    // Keeps the repository alive as long as the walk that borrows it.
    private let repository: Repository

    init(repository: Repository, tips: [ObjectID], hiding: [ObjectID], hidingGlobs: [String]) throws(GitError) {
        var handle: OpaquePointer?
        try git("start a revision walk") { git_revwalk_new(&handle, repository.pointer) }
        self.pointer = handle!
        self.repository = repository
        // Time sorting makes libgit2 read every commit of the walk before the first comes
        // out (55 ms for 10,000 commits). Without hidden commits there is nothing to limit:
        // the unsorted walk streams commits as it meets them, newest first by commit date
        // (libgit2 queues each commit's parents by date), so the judging starts at once.
        let sorting = hiding.isEmpty && hidingGlobs.isEmpty ? GIT_SORT_NONE : GIT_SORT_TIME
        try git("sort a revision walk") { git_revwalk_sorting(pointer, sorting.rawValue) }
        for tip in tips {
            var oid = tip.oid
            try git("walk from \(tip)") { git_revwalk_push(pointer, &oid) }
        }
        for hidden in hiding {
            var oid = hidden.oid
            try git("hide \(hidden)") { git_revwalk_hide(pointer, &oid) }
        }
        for glob in hidingGlobs {
            try git("hide \(glob)") { git_revwalk_hide_glob(pointer, glob) }
        }
    }

    deinit {
        git_revwalk_free(pointer)
    }

    /// The next commit, nil at the end. A failure (a missing or corrupt object) is an
    /// error, never a silent end of the walk.
    public func next() throws(GitError) -> ObjectID? {
        var oid = git_oid()
        let result = git_revwalk_next(&oid, pointer)
        if result == GIT_ITEROVER.rawValue {
            git_error_clear()
            return nil
        }
        try git("walk commits") { result }
        return ObjectID(oid)
    }
}

extension Repository {
    /// The commits reachable from `tips` and from none of `hiding` or of the refs
    /// matching `hidingGlobs` (`refs/remotes/*`). Every hidden id must exist.
    public func walk(from tips: [ObjectID], hiding: [ObjectID] = [], hidingGlobs: [String] = []) throws(GitError) -> RevisionWalk {
        try RevisionWalk(repository: self, tips: tips, hiding: hiding, hidingGlobs: hidingGlobs)
    }
}
