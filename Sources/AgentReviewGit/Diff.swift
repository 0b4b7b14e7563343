import Clibgit2

/// One file's change between two trees.
public struct FileChange: Sendable, Hashable {
    public enum Status: Sendable, Hashable {
        case added, deleted, modified, renamed, copied, typeChange, other
    }

    public var status: Status
    /// Repository paths as stored: bytes, not necessarily UTF-8.
    public var oldPath: [UInt8]
    public var newPath: [UInt8]
    /// Git file modes: 0o100644, 0o100755, 0o120000 (symlink), 0o160000 (submodule); 0 when absent.
    public var oldMode: UInt32
    public var newMode: UInt32
    public var oldID: ObjectID
    public var newID: ObjectID
    /// Only when contents were read: whether git sees binary content.
    public var isBinary: Bool?
    /// Only when contents were read: lines added and deleted.
    public var linesAdded: Int?
    public var linesDeleted: Int?

    init(status: Status, path: [UInt8], oldMode: UInt32, newMode: UInt32, oldID: ObjectID, newID: ObjectID) {
        self.status = status
        self.oldPath = status == .added ? [] : path
        self.newPath = status == .deleted ? [] : path
        self.oldMode = oldMode
        self.newMode = newMode
        self.oldID = oldID
        self.newID = newID
    }
}

extension Repository {
    /// The files that differ between two trees (nil: the empty tree), without rename
    /// detection, so a rename is its deletion and its addition. Subtrees with the same id
    /// on both sides are skipped without being read, as git does: the cost is the trees
    /// that changed, not the size of the repository (libgit2's own tree diff expands
    /// every tree). With `contents` false no blob is read. With `contents` true each
    /// changed blob is read to count lines and detect binary content.
    public func changes(from oldTree: ObjectID?, to newTree: ObjectID, contents: Bool) throws(GitError) -> [FileChange] {
        let old = try oldTree.map { id throws(GitError) in try lookupTree(id) }
        defer { if let old { git_tree_free(old) } }
        let new = try lookupTree(newTree)
        defer { git_tree_free(new) }
        var result = [FileChange]()
        var prefix = [UInt8]()
        try compare(old, new, prefix: &prefix, into: &result)
        if contents {
            for index in result.indices {
                try countLines(of: &result[index])
            }
        }
        return result
    }

    /// Walks two sorted trees side by side (git's tree order), descending only into
    /// subtrees whose ids differ.
    private func compare(
        _ old: OpaquePointer?, _ new: OpaquePointer?, prefix: inout [UInt8], into result: inout [FileChange]
    ) throws(GitError) {
        let oldCount = old.map { git_tree_entrycount($0) } ?? 0
        let newCount = new.map { git_tree_entrycount($0) } ?? 0
        var i = 0, j = 0
        while i < oldCount || j < newCount {
            let o = i < oldCount ? git_tree_entry_byindex(old, i) : nil
            let n = j < newCount ? git_tree_entry_byindex(new, j) : nil
            let order: Int32
            if let o, let n {
                order = git_tree_entry_cmp(o, n)
            } else {
                order = o == nil ? 1 : -1
            }
            if order < 0 {
                try entry(o, nil, prefix: &prefix, into: &result)
                i += 1
            } else if order > 0 {
                try entry(nil, n, prefix: &prefix, into: &result)
                j += 1
            } else {
                try entry(o, n, prefix: &prefix, into: &result)
                i += 1
                j += 1
            }
        }
    }

    /// One name in the two trees: absent on one side, or present on both.
    private func entry(
        _ old: OpaquePointer?, _ new: OpaquePointer?, prefix: inout [UInt8], into result: inout [FileChange]
    ) throws(GitError) {
        let treeMode = UInt32(GIT_FILEMODE_TREE.rawValue)
        let oldMode = old.map { UInt32(git_tree_entry_filemode($0).rawValue) } ?? 0
        let newMode = new.map { UInt32(git_tree_entry_filemode($0).rawValue) } ?? 0
        let oldID = old.map { ObjectID(git_tree_entry_id($0).pointee) } ?? .zero
        let newID = new.map { ObjectID(git_tree_entry_id($0).pointee) } ?? .zero
        if old != nil && new != nil && oldID == newID && oldMode == newMode { return }

        let name = Self.bytes(git_tree_entry_name(old ?? new!))
        let length = prefix.count
        prefix.append(contentsOf: name)
        defer { prefix.removeSubrange(length...) }

        if oldMode == treeMode || newMode == treeMode {
            // A directory on at least one side: descend; a file on the other side is a change of its own.
            let oldTree = oldMode == treeMode ? try lookupTree(oldID) : nil
            defer { if let oldTree { git_tree_free(oldTree) } }
            let newTree = newMode == treeMode ? try lookupTree(newID) : nil
            defer { if let newTree { git_tree_free(newTree) } }
            if oldMode != treeMode && old != nil {
                result.append(FileChange(status: .deleted, path: prefix, oldMode: oldMode, newMode: 0, oldID: oldID, newID: .zero))
            }
            if newMode != treeMode && new != nil {
                result.append(FileChange(status: .added, path: prefix, oldMode: 0, newMode: newMode, oldID: .zero, newID: newID))
            }
            prefix.append(UInt8(ascii: "/"))
            try compare(oldTree, newTree, prefix: &prefix, into: &result)
            return
        }
        let status: FileChange.Status
        if old == nil {
            status = .added
        } else if new == nil {
            status = .deleted
        } else if oldMode & 0o170000 != newMode & 0o170000 {
            status = .typeChange
        } else {
            status = .modified
        }
        result.append(FileChange(status: status, path: prefix, oldMode: oldMode, newMode: newMode, oldID: oldID, newID: newID))
    }

    /// Runs `body` with the tree-to-tree diff (no rename detection). Without `contents`
    /// no blob is read.
    func withDiff<T>(
        from oldTree: ObjectID?, to newTree: ObjectID, contents: Bool, _ body: (OpaquePointer?) throws(GitError) -> T
    ) throws(GitError) -> T {
        let old = try oldTree.map { id throws(GitError) in try lookupTree(id) }
        defer { if let old { git_tree_free(old) } }
        let new = try lookupTree(newTree)
        defer { git_tree_free(new) }

        var options = git_diff_options()
        try git("initialise diff options") { git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)) }
        if !contents {
            options.flags |= GIT_DIFF_SKIP_BINARY_CHECK.rawValue
        }
        var diff: OpaquePointer?
        try git("diff \(oldTree?.description ?? "empty tree")..\(newTree)") {
            git_diff_tree_to_tree(&diff, pointer, old, new, &options)
        }
        defer { git_diff_free(diff) }
        return try body(diff)
    }

    /// Reads both sides of a changed file to count lines and detect binary content.
    private func countLines(of change: inout FileChange) throws(GitError) {
        let gitlink: UInt32 = 0o160000
        guard change.oldMode != gitlink, change.newMode != gitlink else { return }
        let oldBlob = change.oldID.isZero ? nil : try lookupBlob(change.oldID)
        defer { if let oldBlob { git_blob_free(oldBlob) } }
        let newBlob = change.newID.isZero ? nil : try lookupBlob(change.newID)
        defer { if let newBlob { git_blob_free(newBlob) } }
        var patch: OpaquePointer?
        try git("read the change to \(String(decoding: change.newPath, as: UTF8.self))") {
            git_patch_from_blobs(&patch, oldBlob, nil, newBlob, nil, nil)
        }
        defer { git_patch_free(patch) }
        if let delta = git_patch_get_delta(patch)?.pointee {
            change.isBinary = delta.flags & GIT_DIFF_FLAG_BINARY.rawValue != 0
        }
        var context = 0, added = 0, deleted = 0
        try git("count lines") { git_patch_line_stats(&context, &added, &deleted, patch) }
        change.linesAdded = added
        change.linesDeleted = deleted
    }

    private func lookupBlob(_ id: ObjectID) throws(GitError) -> OpaquePointer {
        var blob: OpaquePointer?
        var oid = id.oid
        try git("read blob \(id)") { git_blob_lookup(&blob, pointer, &oid) }
        return blob!
    }

    private func lookupTree(_ id: ObjectID) throws(GitError) -> OpaquePointer {
        var tree: OpaquePointer?
        var oid = id.oid
        try git("read tree \(id)") { git_tree_lookup(&tree, pointer, &oid) }
        return tree!
    }

    private static func bytes(_ text: UnsafePointer<CChar>) -> [UInt8] {
        var length = 0
        while text[length] != 0 { length += 1 }
        return text.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }
}

extension FileChange.Status {
    init(_ status: git_delta_t) {
        switch status {
        case GIT_DELTA_ADDED: self = .added
        case GIT_DELTA_DELETED: self = .deleted
        case GIT_DELTA_MODIFIED: self = .modified
        case GIT_DELTA_RENAMED: self = .renamed
        case GIT_DELTA_COPIED: self = .copied
        case GIT_DELTA_TYPECHANGE: self = .typeChange
        default: self = .other
        }
    }
}
