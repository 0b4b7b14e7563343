internal import Clibgit2

extension Repository {
    /// How many lines of the file at `path` in `newest` `git blame` attributes to `commit`,
    /// blaming from `newest` back to `oldest` (the commit's first parent; nil for a root
    /// commit, blamed back to the root). `git blame -s OLDEST..NEWEST -- PATH`, counting the
    /// lines of `commit`.
    ///
    /// 0 when `newest` has no file at `path` (it was deleted, or is a directory or a
    /// submodule there), and for a path `commit` did not touch: neither is an error.
    ///
    /// Blame follows every parent of a merge, as `git blame` does, not only the first
    /// (`GIT_BLAME_FIRST_PARENT`): a commit of a side branch merged before `newest` keeps
    /// its lines; blamed along first parents only, they would all go to the merge. Lines
    /// older than `oldest` stop there (boundary lines, attributed to `oldest`, never to
    /// `commit`). The boundary flag is not consulted: libgit2 also marks as boundary the
    /// lines of a root commit it reaches, so a root commit's own lines carry it.
    ///
    /// The cost is libgit2's blame: for each commit that changed the file between `newest`
    /// and `oldest`, a diff of the two trees (with rename detection, to follow the file) and
    /// a diff of the two versions of the file.
    public func linesAttributed(to commit: ObjectID, inFile path: [UInt8], at newest: ObjectID, oldest: ObjectID?) throws(GitError) -> Int {
        let shown = String(decoding: path, as: UTF8.self)
        guard try isBlob(at: path, in: newest) else { return 0 }
        var options = git_blame_options()
        try git("initialise blame options") { git_blame_options_init(&options, UInt32(GIT_BLAME_OPTIONS_VERSION)) }
        options.newest_commit = newest.oid
        if let oldest { options.oldest_commit = oldest.oid }
        var blame: OpaquePointer?
        let terminated = path + [0]
        try git("blame \(shown) at \(newest.hex.prefix(12))") {
            terminated.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { git_blame_file(&blame, pointer, $0.baseAddress, &options) }
            }
        }
        defer { git_blame_free(blame) }
        var lines = 0
        for index in 0..<git_blame_get_hunk_count(blame) {
            guard let hunk = git_blame_get_hunk_byindex(blame, index)?.pointee else { continue }
            if ObjectID(hunk.final_commit_id) == commit { lines += hunk.lines_in_hunk }
        }
        return lines
    }

    /// Whether the history of `descendant` contains `ancestor`: it is `ancestor`, or reaches it
    /// through its parents. By libgit2's
    /// merge-base search (`git_graph_descendant_of`, as `git merge-base --is-ancestor`): it
    /// stops near where the two histories meet, so a negative answer costs the commits
    /// since they parted, not the whole history (as `isAncestor(_:of:)` can).
    public func history(of descendant: ObjectID, contains ancestor: ObjectID) throws(GitError) -> Bool {
        guard ancestor != descendant else { return true }
        var a = ancestor.oid, d = descendant.oid
        let result = try git("is \(ancestor.hex.prefix(12)) an ancestor of \(descendant.hex.prefix(12))") {
            git_graph_descendant_of(pointer, &d, &a)
        }
        return result == 1
    }

    /// Whether a commit's tree holds a blob (a file or a symlink) at `path`, given as bytes.
    private func isBlob(at path: [UInt8], in commit: ObjectID) throws(GitError) -> Bool {
        let tree = try tree(ofCommit: commit)
        var handle: OpaquePointer?
        var oid = tree.oid
        try git("read tree \(tree)") { git_tree_lookup(&handle, pointer, &oid) }
        defer { git_tree_free(handle) }
        var entry: OpaquePointer?
        let terminated = path + [0]
        let found = terminated.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { git_tree_entry_bypath(&entry, handle, $0.baseAddress) }
        }
        if found == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return false
        }
        try git("find \(String(decoding: path, as: UTF8.self)) in \(commit)") { found }
        defer { git_tree_entry_free(entry) }
        return git_tree_entry_type(entry) == GIT_OBJECT_BLOB
    }
}
