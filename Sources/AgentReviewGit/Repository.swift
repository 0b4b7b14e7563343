internal import Clibgit2

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// An open git repository. The only owner of a `git_repository` handle.
public final class Repository {
    let pointer: OpaquePointer
    /// How it was opened, so that another handle on the same repository can be opened
    /// for another thread (a handle is used by one thread at a time).
    private let origin: String?
    /// The pack files, read directly for the trees and blobs of long histories.
    lazy var packReader = PackReader(
        directory: String(cString: git_repository_commondir(pointer)) + "objects/pack",
        cacheBytes: packCaches.bases, linkBytes: packCaches.links)
    /// What the pack reader is to keep of delta chains.
    private var packCaches = PackCaches.withBlobs

    /// What a handle's pack reader keeps of delta chains, by what it reads: the budgets
    /// are in `PackReader`.
    public enum PackCaches: Sendable {
        /// Trees and blobs (line counts, binary detection); also a handle for anything else.
        case withBlobs
        /// Trees only: more of the objects deltas are applied to, fewer inflated deltas.
        case treesOnly
    }

    private init(pointer: OpaquePointer, origin: String?) {
        self.pointer = pointer
        self.origin = origin
    }

    /// Another handle on the same repository, opened the same way, for a thread that reads
    /// what `packCaches` says.
    public func reopen(packCaches: PackCaches = .withBlobs) throws(GitError) -> Repository {
        let handle: Repository
        if let origin { handle = try Repository(path: origin) } else { handle = try Repository.openFromEnvironment() }
        handle.packCaches = packCaches
        return handle
    }

    deinit {
        git_repository_free(pointer)
    }

    /// Opens the repository at `path` or the first one above it.
    public convenience init(path: String) throws(GitError) {
        _ = libgit2Initialised
        var handle: OpaquePointer?
        try git("open repository at \(path)") { git_repository_open_ext(&handle, path, 0, nil) }
        self.init(pointer: handle!, origin: path)
    }

    /// Opens the repository the way git's own hooks see it: from `GIT_DIR`,
    /// `GIT_OBJECT_DIRECTORY` and `GIT_ALTERNATE_OBJECT_DIRECTORIES`, so that a
    /// pre-receive hook sees the pushed objects still in quarantine.
    public static func openFromEnvironment() throws(GitError) -> Repository {
        _ = libgit2Initialised
        var handle: OpaquePointer?
        let flags = GIT_REPOSITORY_OPEN_FROM_ENV.rawValue
        try git("open repository from the environment") { git_repository_open_ext(&handle, nil, flags, nil) }
        return Repository(pointer: handle!, origin: nil)
    }

    public var isBare: Bool { git_repository_is_bare(pointer) == 1 }

    /// The `.git` directory (or the bare repository itself).
    public var gitDirectory: String { String(cString: git_repository_path(pointer)) }

    /// The working tree, nil for a bare repository.
    public var workingDirectory: String? { git_repository_workdir(pointer).map { String(cString: $0) } }

    // MARK: Objects

    /// Whether the object database holds this object.
    public func contains(_ id: ObjectID) -> Bool {
        var odb: OpaquePointer?
        guard git_repository_odb(&odb, pointer) == 0, let odb else { return false }
        defer { git_odb_free(odb) }
        var oid = id.oid
        return git_odb_exists(odb, &oid) == 1
    }

    /// Resolves a revision expression (`HEAD~2`, a ref, an abbreviated id) to a commit.
    public func resolveCommit(_ spec: String) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        try git("resolve \(spec)") { git_revparse_single(&object, pointer, spec) }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try git("\(spec) is not a commit") { git_object_peel(&commit, object, GIT_OBJECT_COMMIT) }
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit).pointee)
    }

    /// The commit an object leads to: itself for a commit, the peeled target for an
    /// annotated tag (through any chain of tags), nil for a tag of a tree or blob.
    public func peelToCommit(_ id: ObjectID) throws(GitError) -> ObjectID? {
        var current = id
        for _ in 0..<64 {
            var object: OpaquePointer?
            var oid = current.oid
            try git("look up \(current)") { git_object_lookup(&object, pointer, &oid, GIT_OBJECT_ANY) }
            defer { git_object_free(object) }
            switch git_object_type(object) {
            case GIT_OBJECT_COMMIT:
                return current
            case GIT_OBJECT_TAG:
                current = ObjectID(git_tag_target_id(object).pointee)
            default:
                return nil
            }
        }
        throw GitError(code: .other(-1), operation: "peel \(id)", message: "too many nested tags")
    }

    /// Whether `ancestor` is reachable from `descendant` (a commit is not its own descendant).
    ///
    /// The parents of `descendant` are searched, newest committer date first, until
    /// `ancestor` is found or nothing is left: right whatever the dates say (a revision walk
    /// with a hidden commit is not, when clocks went backwards), and quick when the answer
    /// is near the tip, as for a fast-forward. Commits are read through the pack reader:
    /// libgit2's `git_graph_descendant_of` cost a hook a sixth of its time for one commit.
    public func isAncestor(_ ancestor: ObjectID, of descendant: ObjectID) throws(GitError) -> Bool {
        guard ancestor != descendant else { return false }
        var queue = DateQueue<[ObjectID]>()
        var seen: Set<ObjectID> = [descendant]
        var parents: [ObjectID]? = try datedCommit(descendant).1.parents
        while let current = parents {
            for parent in current where seen.insert(parent).inserted {
                if parent == ancestor { return true }
                let (date, commit) = try datedCommit(parent)
                queue.push(commit.parents, date: date)
            }
            parents = queue.pop()
        }
        return false
    }

    // MARK: Commits

    /// A commit as plain values, once its headers are checked (`checkedCommit(_:)`): a
    /// commit with two authors is refused, never read as one of them. A commit in the usual
    /// form (see `CommitInfo.init?(id:raw:)`) is read from its bytes; any other is left to
    /// libgit2's parser.
    public func commit(_ id: ObjectID) throws(GitError) -> CommitInfo {
        guard !shallowEdge.isEmpty, shallowEdge.contains(id) else { return try checkedCommit(id) }
        // At the edge of a shallow clone: its parents as stored. Its date, identities and
        // message are all here; only what it changes is not. Headers checked first, as ever.
        let raw = try rawObject(id, .commit)
        let (tree, parents) = CommitInfo.treeAndParents(raw) ?? (ObjectID.zero, [])
        return try checkedCommit(CommitObject(id: id, tree: tree, parents: parents, raw: raw, parsed: nil))
    }

    /// A commit's tree and parents, from its first lines; the rest is parsed by `commit(_:)`,
    /// on whichever thread needs it.
    ///
    /// In a shallow clone, a commit at the edge (`shallowEdge`) has no parents here, as git
    /// itself reads it: walks stop there instead of failing on parents never fetched. Such a
    /// commit can still be hidden by a walk, but not judged: `commit(_:)` of it throws
    /// (`GitError.Code.shallowHistory`), since what it changes is not known without its parent.
    public func commitObject(_ id: ObjectID) throws(GitError) -> CommitObject {
        let object = try commitObjectAsStored(id)
        guard isCutAtShallowEdge(object) else { return object }
        return CommitObject(id: id, tree: object.tree, parents: [], raw: object.raw, parsed: object.parsed)
    }

    /// Whether a commit as stored is at the edge of a shallow clone with a parent missing.
    /// A commit listed in `shallow` whose parents are all here (fetched since, by another
    /// branch) is read whole.
    private func isCutAtShallowEdge(_ stored: CommitObject) -> Bool {
        guard !stored.parents.isEmpty, !shallowEdge.isEmpty, shallowEdge.contains(stored.id) else { return false }
        return stored.parents.contains { !contains($0) }
    }

    /// A commit's tree and parents as its object says, the edge of a shallow clone or not.
    func commitObjectAsStored(_ id: ObjectID) throws(GitError) -> CommitObject {
        let raw: [UInt8]
        do {
            raw = try rawObject(id, .commit)
        } catch {
            throw shallowExplained(error, commit: id)
        }
        if let (tree, parents) = CommitInfo.treeAndParents(raw) {
            return CommitObject(id: id, tree: tree, parents: parents, raw: raw, parsed: nil)
        }
        let info = try parsedByLibgit2(id)
        return CommitObject(id: id, tree: info.tree, parents: info.parents, raw: nil, parsed: info)
    }

    /// The tree of the commit's parent number `index`: known from the walk that read the
    /// commit, or read now.
    public func parentTree(of commit: CommitObject, at index: Int) throws(GitError) -> ObjectID {
        if let known = commit.parentTrees[index] { return known }
        return try tree(ofCommit: commit.parents[index])
    }

    /// The whole commit, from an object read by `commitObject(_:)` (in any handle on this repository).
    public func commit(_ object: CommitObject) throws(GitError) -> CommitInfo {
        if object.parents.isEmpty, !shallowEdge.isEmpty, shallowEdge.contains(object.id),
           isCutAtShallowEdge(try commitObjectAsStored(object.id)) {
            throw GitError(
                code: .shallowHistory, operation: "judge commit \(object.id.hex.prefix(12))",
                message: "this shallow clone lacks its parent, so what it changes is unknown: \(Self.shallowFix)")
        }
        if let parsed = object.parsed { return parsed }
        if let raw = object.raw, let info = CommitInfo(id: object.id, raw: raw) { return info }
        return try parsedByLibgit2(object.id)
    }

    /// A commit as libgit2 parses it.
    func parsedByLibgit2(_ id: ObjectID) throws(GitError) -> CommitInfo {
        var handle: OpaquePointer?
        var oid = id.oid
        try git("read commit \(id)") { git_commit_lookup(&handle, pointer, &oid) }
        defer { git_commit_free(handle) }
        let count = git_commit_parentcount(handle)
        var parents = [ObjectID]()
        parents.reserveCapacity(Int(count))
        for index in 0..<count {
            parents.append(ObjectID(git_commit_parent_id(handle, index).pointee))
        }
        return CommitInfo(
            id: id,
            tree: ObjectID(git_commit_tree_id(handle).pointee),
            parents: parents,
            author: Signature(git_commit_author(handle)),
            committer: Signature(git_commit_committer(handle)),
            message: git_commit_message(handle).map { decodeLossy($0) } ?? ""
        )
    }

    /// A commit's tree id, from its first lines, without parsing the rest of the commit.
    public func tree(ofCommit id: ObjectID) throws(GitError) -> ObjectID {
        try commitObject(id).tree
    }

    /// The bytes of the file at `path` in a commit; nil when there is none (or it is not a
    /// blob). A blob over `maxBytes` is not read: it throws `GitError` with `.tooLarge`.
    public func file(at path: String, in commit: ObjectID, maxBytes: Int) throws(GitError) -> [UInt8]? {
        guard let id = try fileID(at: path, in: commit) else { return nil }
        let size = try objectSize(id)
        if size > maxBytes {
            throw GitError(
                code: .tooLarge, operation: "read \(path) in \(commit.hex.prefix(12))",
                message: "\(size) bytes, over the limit of \(maxBytes)")
        }
        return try blob(id)
    }

    /// The id and type of the entry at `path` in a commit's tree; nil when there is none.
    private func entry(at path: String, in commit: ObjectID) throws(GitError) -> (id: ObjectID, type: git_object_t)? {
        var handle: OpaquePointer?
        var oid = commit.oid
        try git("read commit \(commit)") { git_commit_lookup(&handle, pointer, &oid) }
        defer { git_commit_free(handle) }
        var tree: OpaquePointer?
        try git("read the tree of \(commit)") { git_commit_tree(&tree, handle) }
        defer { git_tree_free(tree) }
        var entry: OpaquePointer?
        let found = git_tree_entry_bypath(&entry, tree, path)
        if found == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try git("find \(path) in \(commit)") { found }
        defer { git_tree_entry_free(entry) }
        return (ObjectID(git_tree_entry_id(entry).pointee), git_tree_entry_type(entry))
    }

    /// One entry of a directory in a commit's tree.
    public struct DirectoryEntry: Sendable, Hashable {
        /// The entry's name, as stored (bytes, not necessarily UTF-8).
        public var name: [UInt8]
        public var id: ObjectID
        /// The git file mode: 0o100644, 0o100755, 0o120000 (symlink), 0o040000 (directory), 0o160000 (submodule).
        public var mode: UInt32
    }

    /// The entries of the directory at `path` in a commit's tree, in tree order; nil when there
    /// is no such path or it is not a directory.
    public func directory(at path: String, in commit: ObjectID) throws(GitError) -> [DirectoryEntry]? {
        guard let found = try entry(at: path, in: commit), found.type == GIT_OBJECT_TREE else { return nil }
        var tree: OpaquePointer?
        var oid = found.id.oid
        try git("read \(path) in \(commit)") { git_tree_lookup(&tree, pointer, &oid) }
        defer { git_tree_free(tree) }
        var entries = [DirectoryEntry]()
        for index in 0..<git_tree_entrycount(tree) {
            guard let item = git_tree_entry_byindex(tree, index), let name = git_tree_entry_name(item) else { continue }
            entries.append(DirectoryEntry(
                name: Array(UnsafeBufferPointer(start: name, count: strlen(name)).map { UInt8(bitPattern: $0) }),
                id: ObjectID(git_tree_entry_id(item).pointee), mode: git_tree_entry_filemode(item).rawValue))
        }
        return entries
    }

    /// The id of the blob at `path` in a commit's tree; nil when there is no such file.
    public func fileID(at path: String, in commit: ObjectID) throws(GitError) -> ObjectID? {
        guard let found = try entry(at: path, in: commit), found.type == GIT_OBJECT_BLOB else { return nil }
        return found.id
    }

    /// The id `bytes` have as a blob in this repository (`git hash-object`), nothing written.
    public func blobID(of bytes: [UInt8]) throws(GitError) -> ObjectID {
        var oid = git_oid()
        try git("hash a blob") {
            bytes.withUnsafeBytes { git_odb_hash(&oid, $0.baseAddress, $0.count, GIT_OBJECT_BLOB) }
        }
        return ObjectID(oid)
    }

    /// An object's size in bytes, from its header alone (the object is not inflated).
    public func objectSize(_ id: ObjectID) throws(GitError) -> Int {
        var odb: OpaquePointer?
        try git("open the object database") { git_repository_odb(&odb, pointer) }
        defer { git_odb_free(odb) }
        var size = 0
        var type = GIT_OBJECT_INVALID
        var oid = id.oid
        try git("read the header of \(id)") { git_odb_read_header(&size, &type, odb, &oid) }
        return size
    }

    // MARK: Shallow clones

    /// Whether this is a shallow clone (`git clone --depth`, CI checkouts): `$GIT_DIR/shallow`
    /// lists commits whose parents were never fetched.
    public var isShallow: Bool { !shallowEdge.isEmpty }

    /// The commits listed in `$GIT_DIR/shallow` (in the common directory, as git keeps it):
    /// the edge of a shallow clone's history. Empty when the clone is complete.
    public private(set) lazy var shallowEdge: Set<ObjectID> = {
        let path = String(cString: git_repository_commondir(pointer)) + "shallow"
        guard let file = fopen(path, "r") else { return [] }
        defer { fclose(file) }
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        var edge = Set<ObjectID>()
        for line in bytes.split(whereSeparator: { $0 == 10 || $0 == 13 }) {
            if let id = ObjectID(hex: String(decoding: line, as: UTF8.self).filter { $0 != " " }) { edge.insert(id) }
        }
        return edge
    }()

    /// What to run when a shallow clone lacks history: one clause, for the end of a line.
    public static let shallowFix = "run `git fetch --unshallow`, or `git fetch --deepen=N` for N more commits of history"

    /// A missing object in a shallow clone is history never fetched: said so, with the fix,
    /// instead of libgit2's "object not found".
    func shallowExplained(_ error: GitError, commit id: ObjectID) -> GitError {
        guard error.code == .notFound, isShallow else { return error }
        return GitError(
            code: .shallowHistory, operation: "read commit \(id.hex.prefix(12))",
            message: "not in this shallow clone: \(Self.shallowFix)")
    }

    // MARK: References

    /// The object a reference points at (following symbolic refs); nil when it does not exist.
    public func referenceTarget(_ name: String) throws(GitError) -> ObjectID? {
        var oid = git_oid()
        let result = git_reference_name_to_id(&oid, pointer, name)
        if result == GIT_ENOTFOUND.rawValue || result == GIT_EINVALIDSPEC.rawValue {
            git_error_clear()
            return nil
        }
        try git("resolve \(name)") { result }
        return ObjectID(oid)
    }

    /// The ref a symbolic ref names (`HEAD` → `refs/heads/main`), nil when it is not symbolic.
    public func symbolicTarget(_ name: String) throws(GitError) -> String? {
        var reference: OpaquePointer?
        let result = git_reference_lookup(&reference, pointer, name)
        if result == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try git("look up \(name)") { result }
        defer { git_reference_free(reference) }
        guard git_reference_type(reference) == GIT_REFERENCE_SYMBOLIC else { return nil }
        return git_reference_symbolic_target(reference).map { String(cString: $0) }
    }

    /// Names of the references matching a glob such as `refs/remotes/*`.
    public func referenceNames(matching glob: String) throws(GitError) -> [String] {
        var iterator: OpaquePointer?
        try git("list references \(glob)") { git_reference_iterator_glob_new(&iterator, pointer, glob) }
        defer { git_reference_iterator_free(iterator) }
        var names = [String]()
        while true {
            var name: UnsafePointer<CChar>?
            let result = git_reference_next_name(&name, iterator)
            if result == GIT_ITEROVER.rawValue {
                git_error_clear()
                break
            }
            try git("list references \(glob)") { result }
            if let name { names.append(String(cString: name)) }
        }
        return names
    }

    /// The references matching a glob that point at an object directly, with that object:
    /// symbolic refs are left out (their targets are listed under their own names).
    public func directReferences(matching glob: String) throws(GitError) -> [(name: String, target: ObjectID)] {
        var iterator: OpaquePointer?
        try git("list references \(glob)") { git_reference_iterator_glob_new(&iterator, pointer, glob) }
        defer { git_reference_iterator_free(iterator) }
        var references = [(name: String, target: ObjectID)]()
        while true {
            var reference: OpaquePointer?
            let result = git_reference_next(&reference, iterator)
            if result == GIT_ITEROVER.rawValue {
                git_error_clear()
                break
            }
            try git("list references \(glob)") { result }
            defer { git_reference_free(reference) }
            guard git_reference_type(reference) == GIT_REFERENCE_DIRECT, let target = git_reference_target(reference) else {
                continue
            }
            references.append((String(cString: git_reference_name(reference)), ObjectID(target.pointee)))
        }
        return references
    }

    /// The remote-tracking ref a local branch follows (`refs/heads/topic` →
    /// `refs/remotes/origin/main`); nil when it has none.
    public func upstream(of branch: String) throws(GitError) -> String? {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        let result = git_branch_upstream_name(&buffer, pointer, branch)
        if result == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try git("find the upstream of \(branch)") { result }
        return String(cString: buffer.ptr)
    }

    // MARK: Configuration

    /// A configuration value as git would read it for this repository; nil when unset.
    public func configString(_ key: String) throws(GitError) -> String? {
        var config: OpaquePointer?
        try git("read configuration") { git_repository_config_snapshot(&config, pointer) }
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        let result = git_config_get_string(&value, config, key)
        if result == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try git("read \(key)") { result }
        return value.map { String(cString: $0) }
    }
}

extension GitError.Code {
    /// History a shallow clone never fetched was needed (see `Repository.isShallow`).
    public static var shallowHistory: Self { .other(-7_001) }
}

/// Decodes C text that should be UTF-8 but may not be, replacing what is not.
func decodeLossy(_ text: UnsafePointer<CChar>) -> String {
    var length = 0
    while text[length] != 0 { length += 1 }
    return text.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
}
