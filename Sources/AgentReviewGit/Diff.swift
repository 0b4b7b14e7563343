internal import Clibgit2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One file's change between two trees.
public struct FileChange: Sendable, Hashable {
    public enum Status: Sendable, Hashable {
        case added, deleted, modified, typeChange
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
    /// Only when contents were summarised: the least and the most lines (added plus
    /// deleted) a line diff could find, from the two sides' line counts.
    public var lineBounds: ClosedRange<Int>?

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
    ///
    /// Directories are walked with a stack on the heap, not by recursion, and a tree that
    /// nests directories more than `maxDepth` deep (callers pass `Limits.treeDepth`, git's
    /// `core.maxTreeDepth`) is refused with a `GitError` naming the limit and the path
    /// where it was passed.
    public func changes(from oldTree: ObjectID?, to newTree: ObjectID, contents: Bool, maxDepth: Int) throws(GitError) -> [FileChange] {
        let old = try oldTree.map { id throws(GitError) in try rawObject(id, .tree) } ?? []
        let new = try rawObject(newTree, .tree)
        var result = [FileChange]()
        try compare(old, new, maxDepth: maxDepth, into: &result) { () -> String in
            "diff \(oldTree?.description ?? "empty tree")..\(newTree)"
        }
        if contents {
            for index in result.indices {
                try countLines(of: &result[index])
            }
        }
        return result
    }

    /// What a merge introduces: the changes against its first parent's tree at the files
    /// that differ from every parent's, as `git diff-tree -c` lists them. One tree diff is
    /// made, against the first parent; each path it lists is then looked up in every other
    /// parent. (A diff against the second parent would list all that the first parent's
    /// line changed since the two lines parted: on libgit2's history, three times as many
    /// paths.) A path differs from a parent when the file at that path (its mode and id; no
    /// file, or a directory, is no file) is not the same in both trees. A path whose
    /// directories are not in git's order, in either tree, counts as differing: what a
    /// lookup finds there would not be what a diff finds. A directory with the same id in
    /// the merge and a parent is not read.
    ///
    /// Nor is it diffed against the first parent: every file under it is the same as in
    /// that parent, so none of its changes would be kept. (In a merge of two lines, most
    /// directories the merge changes against its first parent are the second parent's as
    /// they stand: libgit2's and ghostty's merges were most of the time spent on tree diffs.)
    public func mergeChanges(parents: [ObjectID], to tree: ObjectID, maxDepth: Int) throws(GitError) -> [FileChange] {
        guard let first = parents.first else { return try changes(from: nil, to: tree, contents: false, maxDepth: maxDepth) }
        if parents.dropFirst().contains(tree) { return [] }
        var others = parents.dropFirst().map { TreePairFiles(merged: tree, other: $0) }
        let old = try rawObject(first, .tree)
        let new = try rawObject(tree, .tree)
        var changes = [FileChange]()
        // Each path is looked up as the diff reaches it: the directories above it were
        // mostly read for the path before.
        try compare(old, new, maxDepth: maxDepth, into: &changes, operation: { "diff \(first)..\(tree)" }) { path, directory throws(GitError) in
            for index in others.indices {
                if try directory ? others[index].sameDirectory(at: path, in: self) : others[index].same(at: path, in: self) { return true }
            }
            return false
        }
        return changes
    }

    /// One pair of directories being compared: both trees' bytes, how far each has been
    /// read, and the length of the path prefix (`dir/sub/`) of their entries.
    private struct DirectoryPair {
        var old: [UInt8]
        var new: [UInt8]
        var oldPosition = 0
        var newPosition = 0
        var prefixLength: Int
    }

    /// Walks two sorted trees side by side (git's tree order), descending only into
    /// subtrees whose ids differ, depth first with an explicit stack: one `DirectoryPair`
    /// per directory level, so a deep tree costs heap, never the thread's stack. An entry
    /// whose bytes (mode, name and id) are the same on both sides, the usual case, is
    /// passed over without being decoded.
    ///
    /// With `omit`, a change at a path for which it is true is left out, and a directory of
    /// the new tree for which it is true (`directory`) is not descended into: what is under
    /// it, on either side, is left out.
    private func compare(
        _ old: [UInt8], _ new: [UInt8], maxDepth: Int, into result: inout [FileChange], operation: () -> String,
        omit: Omit? = nil
    ) throws(GitError) {
        var stack = [DirectoryPair(old: old, new: new, prefixLength: 0)]
        var prefix = [UInt8]()
        while !stack.isEmpty {
            let top = stack.count - 1
            prefix.removeSubrange(stack[top].prefixLength...)
            guard let descent = try compareEntries(of: &stack[top], prefix: &prefix, into: &result, omit: omit) else {
                stack.removeLast()
                continue
            }
            // The new directory's depth (the root tree's is 0) is the number of pairs on the stack.
            if stack.count > maxDepth {
                throw GitError(
                    code: .other(-1), operation: operation(),
                    message: "the tree nests directories deeper than the limit of \(maxDepth), at \(Self.shortened(prefix))")
            }
            stack.append(descent)
        }
    }

    /// A path for a one-line message: a long one is cut, with its length.
    private static func shortened(_ path: [UInt8]) -> String {
        guard path.count > 160 else { return String(decoding: path, as: UTF8.self) }
        return String(decoding: path.prefix(160), as: UTF8.self) + "… (\(path.count) bytes)"
    }

    /// Compares the entries of one pair of directories from where it was left, until both
    /// are read (nil) or a subtree differs: the pair's positions are saved past the entries
    /// taken, the subtree's path ends `prefix` (with its `/`), and the subtree pair is
    /// returned for the caller to walk before coming back here.
    private func compareEntries(
        of pair: inout DirectoryPair, prefix: inout [UInt8], into result: inout [FileChange],
        omit: Omit?
    ) throws(GitError) -> DirectoryPair? {
        var failure: GitError?
        var descent: DirectoryPair?
        var oldPosition = pair.oldPosition, newPosition = pair.newPosition
        pair.old.withUnsafeBytes { oldBytes in
            pair.new.withUnsafeBytes { newBytes in
                do throws(GitError) {
                    // The entries before the lookaheads `o` and `n` are done with; `oNext`
                    // and `nNext` stand past them.
                    var oldEntries = TreeEntries(oldBytes, position: oldPosition)
                    var newEntries = TreeEntries(newBytes, position: newPosition)
                    TreeEntries.skipCommonEntries(&oldEntries, &newEntries)
                    var oNext = oldEntries, nNext = newEntries
                    var o = try oNext.next(), n = try nNext.next()
                    while o != nil || n != nil {
                        let taken: (old: TreeEntries.Entry?, new: TreeEntries.Entry?)
                        if let oldEntry = o, let newEntry = n {
                            if oldEntry.raw.count == newEntry.raw.count,
                               memcmp(oldEntry.raw.baseAddress!, newEntry.raw.baseAddress!, oldEntry.raw.count) == 0 {
                                oldEntries = oNext
                                newEntries = nNext
                                TreeEntries.skipCommonEntries(&oldEntries, &newEntries)
                                oNext = oldEntries
                                nNext = newEntries
                                o = try oNext.next()
                                n = try nNext.next()
                                continue
                            }
                            let order = TreeEntries.order(oldEntry, newEntry)
                            if order < 0 {
                                taken = (oldEntry, nil)
                            } else if order > 0 {
                                taken = (nil, newEntry)
                            } else if oldEntry.id != newEntry.id || oldEntry.mode != newEntry.mode {
                                taken = (oldEntry, newEntry)
                            } else {
                                oldEntries = oNext
                                newEntries = nNext
                                o = try oNext.next()
                                n = try nNext.next()
                                continue
                            }
                        } else {
                            taken = (o, n)
                        }
                        let subtree = try entry(taken.old, taken.new, prefix: &prefix, into: &result, omit: omit)
                        if taken.old != nil {
                            oldEntries = oNext
                            o = try oNext.next()
                        }
                        if taken.new != nil {
                            newEntries = nNext
                            n = try nNext.next()
                        }
                        if let subtree {
                            oldPosition = oldEntries.position
                            newPosition = newEntries.position
                            descent = DirectoryPair(old: subtree.old, new: subtree.new, prefixLength: prefix.count)
                            return
                        }
                    }
                } catch {
                    failure = error
                }
            }
        }
        if let failure { throw failure }
        pair.oldPosition = oldPosition
        pair.newPosition = newPosition
        return descent
    }

    /// One name in the two trees: absent on one side, or present on both and different.
    /// A file is added to `result`; for a directory on either side, `prefix` is left
    /// ending in its path and `/`, and both sides' trees (empty where it is no directory)
    /// are returned to be compared, unless `omit` says to leave the new side's directory.
    private func entry(
        _ old: TreeEntries.Entry?, _ new: TreeEntries.Entry?, prefix: inout [UInt8], into result: inout [FileChange],
        omit: Omit?
    ) throws(GitError) -> (old: [UInt8], new: [UInt8])? {
        let treeMode = UInt32(GIT_FILEMODE_TREE.rawValue)
        let oldMode = old?.mode ?? 0
        let newMode = new?.mode ?? 0
        let oldID = old?.id ?? .zero
        let newID = new?.id ?? .zero

        let length = prefix.count
        prefix.append(contentsOf: (old ?? new)!.name)
        func add(_ change: @autoclosure () -> FileChange) throws(GitError) {
            if let omit, try omit(prefix, false) { return }
            result.append(change())
        }

        if oldMode == treeMode || newMode == treeMode {
            // A directory on at least one side: descend; a file on the other side is a change of its own.
            if oldMode != treeMode && old != nil {
                try add(FileChange(status: .deleted, path: prefix, oldMode: oldMode, newMode: 0, oldID: oldID, newID: .zero))
            }
            if newMode != treeMode && new != nil {
                try add(FileChange(status: .added, path: prefix, oldMode: 0, newMode: newMode, oldID: .zero, newID: newID))
            }
            if newMode == treeMode, let omit, try omit(prefix, true) {
                prefix.removeSubrange(length...)
                return nil
            }
            let oldSubtree = oldMode == treeMode ? try rawObject(oldID, .tree) : []
            let newSubtree = newMode == treeMode ? try rawObject(newID, .tree) : []
            prefix.append(UInt8(ascii: "/"))
            return (oldSubtree, newSubtree)
        }
        defer { prefix.removeSubrange(length...) }
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
        try add(FileChange(status: status, path: prefix, oldMode: oldMode, newMode: newMode, oldID: oldID, newID: newID))
        return nil
    }

    /// Whether a merge's diff leaves out the change at a path (`directory` false), or
    /// everything under the directory there (true).
    private typealias Omit = (_ path: [UInt8], _ directory: Bool) throws(GitError) -> Bool

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

    /// The renames git's rename detection finds between two trees, as `git diff -M` does
    /// by default: exact renames, then a deleted and an added file at least 50% similar.
    /// Reads the blobs of deleted and added files (only those). Each pair is (deleted path,
    /// added path), in the diff's order.
    public func renames(from oldTree: ObjectID?, to newTree: ObjectID) throws(GitError) -> [(old: [UInt8], new: [UInt8])] {
        try withDiff(from: oldTree, to: newTree, contents: true) { diff throws(GitError) in
            var options = git_diff_find_options()
            try git("initialise rename detection") { git_diff_find_options_init(&options, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION)) }
            options.flags = GIT_DIFF_FIND_RENAMES.rawValue
            try git("find renames \(oldTree?.description ?? "empty tree")..\(newTree)") { git_diff_find_similar(diff, &options) }
            var pairs = [(old: [UInt8], new: [UInt8])]()
            for index in 0..<git_diff_num_deltas(diff) {
                guard let delta = git_diff_get_delta(diff, index)?.pointee, delta.status == GIT_DELTA_RENAMED,
                      let old = delta.old_file.path, let new = delta.new_file.path
                else { continue }
                pairs.append((Array(UnsafeBufferPointer(start: old, count: strlen(old)).map { UInt8(bitPattern: $0) }),
                              Array(UnsafeBufferPointer(start: new, count: strlen(new)).map { UInt8(bitPattern: $0) })))
            }
            return pairs
        }
    }

    /// Reads both sides of a changed file to count lines and detect binary content.
    public func countLines(of change: inout FileChange) throws(GitError) {
        guard !change.isGitlink else { return }
        let (old, new) = try contents(of: change)
        try countLines(of: &change, old: old, new: new)
    }

    /// Counts lines and detects binary content from both sides' bytes, as read by `contents(of:)`.
    public func countLines(of change: inout FileChange, old: [UInt8], new: [UInt8]) throws(GitError) {
        guard !change.isGitlink else { return }
        var patch: OpaquePointer?
        try git("read the change to \(String(decoding: change.newPath, as: UTF8.self))") {
            old.withUnsafeBytes { oldBytes in
                new.withUnsafeBytes { newBytes in
                    let oldAddress = change.oldID.isZero ? nil : oldBytes.baseAddress
                    let newAddress = change.newID.isZero ? nil : newBytes.baseAddress
                    // libgit2 would hash both buffers for the diff's ids, only to see whether
                    // they are equal (then it diffs nothing). Two different ids are given
                    // instead: the diff is then made whatever the ids, and two equal buffers
                    // count no lines anyway, so the count does not depend on them. Equal ids
                    // (a mode change) are left for libgit2 to hash.
                    let known = change.oldID == change.newID
                        ? [] : [(oldAddress, oldBytes.count, change.oldID), (newAddress, newBytes.count, change.newID)]
                    return KnownBlobs.with(known) {
                        git_patch_from_buffers(&patch, oldAddress, oldBytes.count, nil, newAddress, newBytes.count, nil, nil)
                    }
                }
            }
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

    /// Both sides' bytes (empty for an absent side); nothing for a gitlink.
    public func contents(of change: FileChange) throws(GitError) -> (old: [UInt8], new: [UInt8]) {
        guard !change.isGitlink else { return ([], []) }
        return (
            change.oldID.isZero ? [] : try rawObject(change.oldID, .blob),
            change.newID.isZero ? [] : try rawObject(change.newID, .blob)
        )
    }
}

extension FileChange {
    var isGitlink: Bool { oldMode == 0o160000 || newMode == 0o160000 }

    /// Summarises both sides' bytes without diffing them: whether the change is binary as
    /// libgit2 decides (a NUL in the first 8000 bytes of either side, or a side over its
    /// 512 MiB limit), and bounds on the lines a diff would count (`lineBounds(_:_:)`); a
    /// binary change or a gitlink counts none, as libgit2 counts none.
    public mutating func summarise(old: [UInt8], new: [UInt8]) {
        guard !isGitlink else {
            lineBounds = 0...0
            return
        }
        let binary = Self.looksBinary(old) || Self.looksBinary(new)
        isBinary = binary
        lineBounds = binary ? 0...0 : Self.lineBounds(old, new)
    }

    private static func looksBinary(_ bytes: [UInt8]) -> Bool {
        bytes.count > 512 << 20 || bytes.prefix(8000).contains(0)
    }

    /// The least and the most lines a line diff of two texts adds plus deletes. With `a`
    /// and `b` lines, at least |a − b|. At most a + b, less the lines both share at the
    /// start and at the end: a line diff (xdiff's included) sets those aside before it looks
    /// for changes. Shared lines are counted conservatively: at the start, lines ending
    /// before the first differing byte; at the end, lines that begin after a newline inside
    /// the shared tail.
    static func lineBounds(_ old: [UInt8], _ new: [UInt8]) -> ClosedRange<Int> {
        let a = lineCount(old), b = lineCount(new)
        let (head, tail) = old.withUnsafeBytes { x in
            new.withUnsafeBytes { y -> (Int, Int) in
                guard let xs = x.baseAddress, let ys = y.baseAddress else { return (0, 0) }
                let shortest = min(x.count, y.count)
                let same = sharedPrefix(xs, ys, count: shortest)
                var back = 0
                while back < shortest, x[x.count - 1 - back] == y[y.count - 1 - back] { back += 1 }
                let head = newlines(UnsafeRawBufferPointer(start: xs, count: same))
                let tail = max(0, newlines(UnsafeRawBufferPointer(start: xs + x.count - back, count: back)) - 1)
                return (head, tail)
            }
        }
        let shared = min(min(a, b), head + tail)
        return abs(a - b)...(a + b - 2 * shared)
    }

    private static func newlines(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard var cursor = bytes.baseAddress else { return 0 }
        let end = cursor + bytes.count
        var count = 0
        while cursor < end, let found = memchr(cursor, 0x0a, end - cursor) {
            count += 1
            cursor = UnsafeRawPointer(found) + 1
        }
        return count
    }

    /// Lines as a line diff counts them: each newline ends one, and text after the last is one more.
    static func lineCount(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { raw in
            newlines(raw) + (raw.last.map { $0 != 0x0a } ?? false ? 1 : 0)
        }
    }
}

extension Repository {
    private func lookupTree(_ id: ObjectID) throws(GitError) -> OpaquePointer {
        var tree: OpaquePointer?
        var oid = id.oid
        try git("read tree \(id)") { git_tree_lookup(&tree, pointer, &oid) }
        return tree!
    }
}

/// How many bytes two buffers share at their start, compared a word at a time.
private func sharedPrefix(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Int {
    var same = 0
    while same + 8 <= count, a.loadUnaligned(fromByteOffset: same, as: UInt64.self) == b.loadUnaligned(fromByteOffset: same, as: UInt64.self) {
        same += 8
    }
    while same < count, a.load(fromByteOffset: same, as: UInt8.self) == b.load(fromByteOffset: same, as: UInt8.self) {
        same += 1
    }
    return same
}

/// Whether the files at given paths are the same in two trees (a merge's and one of its
/// parents'), descending both side by side: a directory with the same id in both holds
/// the same files, and is not read. The directories of the path before are kept (a diff
/// lists paths in tree order, so most lookups share them), and in each a lookup starts
/// where the one before found its entry.
struct TreePairFiles {
    /// One directory on the path, in one tree.
    private struct Directory {
        var bytes: [UInt8]
        /// Where the last entry found starts.
        var cursor = 0
    }

    /// A directory level of the path looked up last: where its path ends (after its `/`;
    /// 0 for the root), and the directory in each tree (nil: none there). `ordered` is false
    /// when either is not in git's order (or names an entry twice).
    private struct Level {
        var end: Int
        var merged: Directory?
        var other: Directory?
        var ordered: Bool
    }

    private let roots: (merged: ObjectID, other: ObjectID)
    private var levels: [Level] = []
    private var last: [UInt8] = []

    init(merged: ObjectID, other: ObjectID) {
        roots = (merged, other)
    }

    /// Whether both trees have the same file at `path` (the same mode and id, or no file:
    /// nothing there, or a directory). A path under a directory not in git's order differs.
    mutating func same(at path: [UInt8], in repository: Repository) throws(GitError) -> Bool {
        try same(at: path, directory: false, in: repository)
    }

    /// Whether both trees have the same directory (the same id) at `path`, so that every
    /// path under it is `same` in both. A path under a directory not in git's order differs.
    mutating func sameDirectory(at path: [UInt8], in repository: Repository) throws(GitError) -> Bool {
        try same(at: path, directory: true, in: repository)
    }

    private mutating func same(at path: [UInt8], directory: Bool, in repository: Repository) throws(GitError) -> Bool {
        if levels.isEmpty {
            if roots.merged == roots.other { return true }
            levels.append(try Self.level(end: 0, merged: roots.merged, other: roots.other, in: repository))
        }
        // Keep the directories this path shares with the last one.
        var kept = 1
        while kept < levels.count {
            let end = levels[kept].end
            guard end <= path.count, path[..<end].elementsEqual(last[..<end]) else { break }
            kept += 1
        }
        levels.removeSubrange(kept...)
        last = path
        while true {
            let top = levels.count - 1
            guard levels[top].ordered else { return false }
            let start = levels[top].end
            let slash = path[start...].firstIndex(of: UInt8(ascii: "/"))
            let name = path[start..<(slash ?? path.count)]
            let merged = try Self.find(name, in: &levels[top].merged)
            let other = try Self.find(name, in: &levels[top].other)
            let treeMode = UInt32(GIT_FILEMODE_TREE.rawValue)
            let tree = merged.flatMap { $0.mode == treeMode ? $0.id : nil }
            let otherTree = other.flatMap { $0.mode == treeMode ? $0.id : nil }
            guard let slash else {
                if directory { return tree != nil && tree == otherTree }
                let file = merged.flatMap { $0.mode == treeMode ? nil : $0 }
                let otherFile = other.flatMap { $0.mode == treeMode ? nil : $0 }
                return file?.mode == otherFile?.mode && file?.id == otherFile?.id
            }
            if tree == otherTree { return true }
            levels.append(try Self.level(end: slash + 1, merged: tree, other: otherTree, in: repository))
        }
    }

    private static func level(end: Int, merged: ObjectID?, other: ObjectID?, in repository: Repository) throws(GitError) -> Level {
        let mergedBytes = try merged.map { id throws(GitError) in try repository.rawObject(id, .tree) }
        let otherBytes = try other.map { id throws(GitError) in try repository.rawObject(id, .tree) }
        var ordered = true
        if let mergedBytes { ordered = try isOrdered(mergedBytes) }
        if ordered, let otherBytes { ordered = try isOrdered(otherBytes) }
        return Level(end: end, merged: mergedBytes.map { Directory(bytes: $0) }, other: otherBytes.map { Directory(bytes: $0) }, ordered: ordered)
    }

    /// Whether a tree's entries are in git's order, each name once. (A file and a
    /// directory of the same name are both in order, the file first, with only names that
    /// extend it by a byte below `/` between them.)
    private static func isOrdered(_ bytes: [UInt8]) throws(GitError) -> Bool {
        var inOrder = true
        var failure: GitError?
        // The names before, in a buffer made once: an entry takes at least 23 bytes.
        bytes.withUnsafeBytes { raw in withUnsafeTemporaryAllocation(of: UnsafeRawBufferPointer.self, capacity: raw.count / 23 + 1) { before in
            do throws(GitError) {
                var entries = TreeEntries(raw)
                var names = 0
                var previous: TreeEntries.Entry?
                while let entry = try entries.next() {
                    if let before = previous, TreeEntries.order(before, entry) >= 0 {
                        inOrder = false
                        return
                    }
                    if entry.mode == UInt32(GIT_FILEMODE_TREE.rawValue) {
                        for earlier in before[..<names].reversed() {
                            guard earlier.starts(with: entry.name) else { break }
                            if earlier.count == entry.name.count {
                                inOrder = false
                                return
                            }
                        }
                    }
                    before[names] = entry.name
                    names += 1
                    previous = entry
                }
            } catch {
                failure = error
            }
        } }
        if let failure { throw failure }
        return inOrder
    }

    /// The entry named `name` in `directory` (nil: no directory), looked for from its
    /// cursor on, then from its start.
    private static func find(_ name: ArraySlice<UInt8>, in directory: inout Directory?) throws(GitError) -> (mode: UInt32, id: ObjectID)? {
        guard let cursor = directory?.cursor else { return nil }
        var found: (mode: UInt32, id: ObjectID, at: Int)?
        var failure: GitError?
        directory!.bytes.withUnsafeBytes { raw in
            do throws(GitError) {
                for (from, to) in [(cursor, raw.count), (0, cursor)] {
                    var entries = TreeEntries(raw, position: from)
                    while entries.position < to {
                        let at = entries.position
                        guard let entry = try entries.next() else { break }
                        if entry.name.elementsEqual(name) {
                            found = (entry.mode, entry.id, at)
                            return
                        }
                    }
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        guard let found else { return nil }
        directory!.cursor = found.at
        return (found.mode, found.id)
    }
}

/// The entries of a tree object as git stores them: `MODE NAME\0` and 20 bytes of id,
/// sorted by name with a directory's name compared as if it ended in `/`. A view of bytes
/// that the caller keeps alive.
struct TreeEntries {
    struct Entry {
        /// The whole entry as stored.
        var raw: UnsafeRawBufferPointer
        var name: UnsafeRawBufferPointer
        /// Normalised as libgit2 does: 040000, 100644, 100755, 120000 or 160000.
        var mode: UInt32
        var id: ObjectID
    }

    private let bytes: UnsafeRawBufferPointer
    /// Where the next entry starts.
    private(set) var position = 0

    /// Moves both past the entries they share byte for byte from where they stand: the
    /// bytes are compared a word at a time, and only the entry boundaries before the first
    /// difference are found (each entry ends 20 bytes after the NUL that ends its name).
    static func skipCommonEntries(_ a: inout TreeEntries, _ b: inout TreeEntries) {
        guard let aBase = a.bytes.baseAddress, let bBase = b.bytes.baseAddress else { return }
        let aStart = aBase + a.position, bStart = bBase + b.position
        let same = sharedPrefix(aStart, bStart, count: min(a.bytes.count - a.position, b.bytes.count - b.position))
        var boundary = 0
        while boundary < same, let terminator = memchr(aStart + boundary, 0, same - boundary) {
            let end = aStart.distance(to: UnsafeRawPointer(terminator)) + 21
            guard end <= same else { break }
            boundary = end
        }
        a.position += boundary
        b.position += boundary
    }

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    mutating func next() throws(GitError) -> Entry? {
        guard position < bytes.count, let base = bytes.baseAddress else { return nil }
        let start = position
        // The mode: octal digits up to a space, at most 7 of them.
        var index = start
        var mode: UInt32 = 0
        while true {
            guard index < bytes.count, index - start < 8 else { throw Self.damaged }
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            if byte == UInt8(ascii: " ") { break }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 8 else { throw Self.damaged }
            mode = mode << 3 | UInt32(digit)
            index += 1
        }
        let nameStart = index + 1
        guard nameStart < bytes.count, let terminator = memchr(base + nameStart, 0, bytes.count - nameStart) else {
            throw Self.damaged
        }
        let nameEnd = base.distance(to: UnsafeRawPointer(terminator))
        guard nameEnd > nameStart, nameEnd + 21 <= bytes.count else { throw Self.damaged }
        position = nameEnd + 21
        return Entry(
            raw: UnsafeRawBufferPointer(start: base + start, count: position - start),
            name: UnsafeRawBufferPointer(start: base + nameStart, count: nameEnd - nameStart),
            mode: Self.normalise(mode),
            id: ObjectID(raw: base + nameEnd + 1))
    }

    /// libgit2's normalisation of tree entry modes (git's is the same in effect).
    static func normalise(_ mode: UInt32) -> UInt32 {
        switch mode & 0o170000 {
        case 0o040000: return 0o040000
        case _ where mode & 0o100 != 0: return 0o100755
        case 0o160000: return 0o160000
        case 0o120000: return 0o120000
        default: return 0o100644
        }
    }

    /// git's order of tree entries: bytewise, a tree's name as if followed by `/`.
    static func order(_ a: Entry, _ b: Entry) -> Int {
        let common = min(a.name.count, b.name.count)
        let bytes = memcmp(a.name.baseAddress!, b.name.baseAddress!, common)
        if bytes != 0 { return Int(bytes) }
        let slash = Int(UInt8(ascii: "/"))
        let x = a.name.count > common ? Int(a.name[common]) : (a.mode == 0o040000 ? slash : 0)
        let y = b.name.count > common ? Int(b.name[common]) : (b.mode == 0o040000 ? slash : 0)
        return x - y
    }

    private static let damaged = GitError(code: .other(-1), operation: "read tree", message: "damaged tree entry")
}
