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
}

extension Repository {
    /// The files that differ between two trees (nil: the empty tree), without rename
    /// detection, so a rename is its deletion and its addition. With `contents` false
    /// no blob is read: the cost is the two trees. With `contents` true each changed
    /// blob is read to count lines and detect binary content.
    public func changes(from oldTree: ObjectID?, to newTree: ObjectID, contents: Bool) throws(GitError) -> [FileChange] {
        try withDiff(from: oldTree, to: newTree, contents: contents) { diff throws(GitError) in
            let count = git_diff_num_deltas(diff)
            var result = [FileChange]()
            result.reserveCapacity(count)
            for index in 0..<count {
                guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
                var change = FileChange(
                    status: FileChange.Status(delta.status),
                    oldPath: delta.old_file.path.map(Self.bytes) ?? [],
                    newPath: delta.new_file.path.map(Self.bytes) ?? [],
                    oldMode: UInt32(delta.old_file.mode),
                    newMode: UInt32(delta.new_file.mode),
                    oldID: ObjectID(delta.old_file.id),
                    newID: ObjectID(delta.new_file.id)
                )
                if contents {
                    try countLines(of: &change, in: diff, at: index)
                }
                result.append(change)
            }
            return result
        }
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

    private func countLines(of change: inout FileChange, in diff: OpaquePointer?, at index: Int) throws(GitError) {
        let gitlink: UInt32 = 0o160000
        guard change.oldMode != gitlink, change.newMode != gitlink else { return }
        var patch: OpaquePointer?
        try git("read the change to \(String(decoding: change.newPath, as: UTF8.self))") {
            git_patch_from_diff(&patch, diff, index)
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
