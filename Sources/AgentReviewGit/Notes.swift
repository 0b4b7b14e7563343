internal import Clibgit2

/// One note in a notes tree: the object it annotates and the blob that holds it.
public struct NoteEntry: Sendable, Hashable {
    public var target: ObjectID
    public var blob: ObjectID
}

extension Repository {
    /// Every note in a notes commit (the tip of a notes ref), one per annotated object.
    ///
    /// A notes tree can name one object at two paths (`ab/cdef…` and `abcdef…`, or in
    /// upper and lower case); readers then disagree on which note is the object's (git
    /// joins them, libgit2 reads one, a map keeps the last), so a record could be hidden
    /// from one reader. Such a tree, and a file in it whose path is no object id, is
    /// refused with a `GitError` naming what it holds.
    public func notes(atNotesCommit commit: ObjectID) throws(GitError) -> [NoteEntry] {
        var handle: OpaquePointer?
        var oid = commit.oid
        try git("read notes commit \(commit)") { git_commit_lookup(&handle, pointer, &oid) }
        defer { git_commit_free(handle) }
        var iterator: OpaquePointer?
        let started = git_note_commit_iterator_new(&iterator, handle)
        if started == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return []
        }
        try git("list notes in \(commit)") { started }
        defer { git_note_iterator_free(iterator) }
        var entries = [NoteEntry]()
        var seen = Set<ObjectID>()
        while true {
            var blob = git_oid()
            var target = git_oid()
            let result = git_note_next(&blob, &target, iterator)
            if result == GIT_ITEROVER.rawValue {
                git_error_clear()
                break
            }
            try git("list notes in \(commit)") { result }
            // libgit2 leaves the target untouched (here: zero) for a path that is no object id.
            let entry = NoteEntry(target: ObjectID(target), blob: ObjectID(blob))
            if entry.target.isZero {
                throw GitError(
                    code: .other(-1), operation: "list notes in \(commit)",
                    message: "the notes tree holds a file (blob \(entry.blob)) whose path is not an object id")
            }
            if !seen.insert(entry.target).inserted {
                throw GitError(
                    code: .other(-1), operation: "list notes in \(commit)",
                    message: "the notes tree holds two notes for \(entry.target) (at two paths): which one counts is ambiguous")
            }
            entries.append(entry)
        }
        return entries
    }

    /// The blob of the note on `target` in a notes commit; nil when there is none.
    public func note(on target: ObjectID, atNotesCommit commit: ObjectID) throws(GitError) -> ObjectID? {
        var handle: OpaquePointer?
        var oid = commit.oid
        try git("read notes commit \(commit)") { git_commit_lookup(&handle, pointer, &oid) }
        defer { git_commit_free(handle) }
        var note: OpaquePointer?
        var targetOID = target.oid
        let result = git_note_commit_read(&note, pointer, handle, &targetOID)
        if result == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try git("read the note on \(target)") { result }
        defer { git_note_free(note) }
        return ObjectID(git_note_id(note).pointee)
    }

    /// A blob's exact bytes.
    public func blob(_ id: ObjectID) throws(GitError) -> [UInt8] {
        var handle: OpaquePointer?
        var oid = id.oid
        try git("read blob \(id)") { git_blob_lookup(&handle, pointer, &oid) }
        defer { git_blob_free(handle) }
        let size = Int(git_blob_rawsize(handle))
        guard size > 0, let raw = git_blob_rawcontent(handle) else { return [] }
        return Array(UnsafeRawBufferPointer(start: raw, count: size))
    }

    /// Sets the note on `target` in `notesRef` (replacing any note there) and moves the
    /// ref; returns the new notes commit. The notes commit is made by the repository's
    /// configured identity, else by "agentreview".
    @discardableResult
    public func setNote(_ text: String, on target: ObjectID, in notesRef: String) throws(GitError) -> ObjectID {
        let signature = try defaultSignature()
        defer { git_signature_free(signature) }
        var oid = target.oid
        var blob = git_oid()
        try git("write the note on \(target)") {
            git_note_create(&blob, pointer, notesRef, signature, signature, &oid, text, 1)
        }
        guard let tip = try referenceTarget(notesRef) else {
            throw GitError(code: .notFound, operation: "write the note on \(target)", message: "\(notesRef) was not created")
        }
        return tip
    }

    /// Sets the note on `target` on top of the notes commit `parent` (nil: a new notes
    /// tree) without moving any ref; returns the new notes commit.
    public func commitNote(_ text: String, on target: ObjectID, parent: ObjectID?) throws(GitError) -> ObjectID {
        let signature = try defaultSignature()
        defer { git_signature_free(signature) }
        var parentHandle: OpaquePointer?
        if let parent {
            var parentOID = parent.oid
            try git("read notes commit \(parent)") { git_commit_lookup(&parentHandle, pointer, &parentOID) }
        }
        defer { if let parentHandle { git_commit_free(parentHandle) } }
        var oid = target.oid
        var commit = git_oid()
        var blob = git_oid()
        try git("write the note on \(target)") {
            git_note_commit_create(&commit, &blob, pointer, parentHandle, signature, signature, &oid, text, 1)
        }
        return ObjectID(commit)
    }

    /// A commit with the tree of `treeOf` and the given parents: how two notes histories
    /// are joined after their notes were merged.
    public func commit(treeOf source: ObjectID, parents: [ObjectID], message: String) throws(GitError) -> ObjectID {
        let signature = try defaultSignature()
        defer { git_signature_free(signature) }
        var sourceHandle: OpaquePointer?
        var sourceOID = source.oid
        try git("read commit \(source)") { git_commit_lookup(&sourceHandle, pointer, &sourceOID) }
        defer { git_commit_free(sourceHandle) }
        var tree: OpaquePointer?
        try git("read the tree of \(source)") { git_commit_tree(&tree, sourceHandle) }
        defer { git_tree_free(tree) }
        var handles = [OpaquePointer?]()
        defer { for handle in handles { git_commit_free(handle) } }
        for parent in parents {
            var handle: OpaquePointer?
            var parentOID = parent.oid
            try git("read commit \(parent)") { git_commit_lookup(&handle, pointer, &parentOID) }
            handles.append(handle)
        }
        var out = git_oid()
        try git("write a commit") {
            handles.withUnsafeMutableBufferPointer { buffer in
                git_commit_create(
                    &out, pointer, nil, signature, signature, "UTF-8", message, tree, buffer.count, buffer.baseAddress)
            }
        }
        return ObjectID(out)
    }

    /// Moves a ref to `target` only if it still holds `expected` (nil: must not exist yet).
    public func updateReference(_ name: String, to target: ObjectID, expected: ObjectID?, message: String) throws(GitError) {
        var reference: OpaquePointer?
        var oid = target.oid
        if let expected {
            var expectedOID = expected.oid
            try git("update \(name)") {
                git_reference_create_matching(&reference, pointer, name, &oid, 1, &expectedOID, message)
            }
        } else {
            try git("create \(name)") { git_reference_create(&reference, pointer, name, &oid, 0, message) }
        }
        git_reference_free(reference)
    }

    /// The patch-id of a commit's change against its first parent (a root commit:
    /// against the empty tree): git's patch-id algorithm — per file, a SHA-1 of the diff's
    /// lines (hunk headers, index lines and "no newline" markers left out), the files'
    /// SHA-1s summed. With `whitespace: .ignored` every whitespace byte is taken out first,
    /// which is `git patch-id --stable`; with `.kept` nothing is, which is `git patch-id
    /// --verbatim` (git 2.42 and later): what approvals bind to, since `rm -rf /tmp/x` and
    /// `rm -rf / tmp/x`, or two indentations of Python, are not the same change. For a
    /// binary file, whose diff is only "Binary files a/x and b/x differ", its header and
    /// then its old and new blob ids are hashed instead of that line, as git's patch-ids do
    /// (`git patch-id` takes the ids from the `index` line; diff.c hashes them too):
    /// libgit2's `git_diff_patchid` hashes the line, so any two binary changes at one path
    /// shared a patch-id, and an approval of one carried over to the other.
    ///
    /// A tree nested deeper than `maxDepth` (callers pass `Limits.treeDepth`) is refused
    /// before libgit2 walks it.
    public func patchID(of commit: ObjectID, maxDepth: Int, whitespace: PatchIDWhitespace = .kept) throws(GitError) -> ObjectID {
        let info = try self.commit(commit)
        let oldTree = try info.parents.first.map { parent throws(GitError) in try tree(ofCommit: parent) }
        _ = try changes(from: oldTree, to: info.tree, contents: false, maxDepth: maxDepth)
        return try withDiff(from: oldTree, to: info.tree, contents: true) { diff throws(GitError) in
            let state = PatchIDState(stripWhitespace: whitespace == .ignored)
            let result = withExtendedLifetime(state) {
                git_diff_print(diff, GIT_DIFF_FORMAT_PATCH_ID, patchIDLine, Unmanaged.passUnretained(state).toOpaque())
            }
            try git("compute the patch-id of \(commit)") { result }
            state.endFile()
            return state.sum.withUnsafeBytes { ObjectID(raw: $0.baseAddress!) }
        }
    }

    private func defaultSignature() throws(GitError) -> UnsafeMutablePointer<git_signature>? {
        var signature: UnsafeMutablePointer<git_signature>?
        if git_signature_default(&signature, pointer) == 0 { return signature }
        git_error_clear()
        try git("make a signature") { git_signature_now(&signature, "agentreview", "agentreview@localhost") }
        return signature
    }
}

/// Whether a patch-id sees whitespace: `git patch-id --stable` takes it all out,
/// `--verbatim` keeps it.
public enum PatchIDWhitespace: Sendable {
    case ignored
    case kept
}

/// A patch-id being computed: the SHA-1 of the current file's lines, and the sum of the
/// files done (20 bytes, least significant first, as libgit2 and git add them).
private final class PatchIDState {
    var file = SHA1()
    var sum = [UInt8](repeating: 0, count: 20)
    var firstFile = true
    let stripWhitespace: Bool

    init(stripWhitespace: Bool) {
        self.stripWhitespace = stripWhitespace
    }

    /// Adds the current file's SHA-1 to the sum and starts the next file's.
    func endFile() {
        let digest = file.finalize()
        file = SHA1()
        var carry = 0
        for index in 0..<20 {
            carry += Int(sum[index]) + Int(digest[index])
            sum[index] = UInt8(truncatingIfNeeded: carry)
            carry >>= 8
        }
    }

    /// Hashes a line's bytes: as they are, or with every ASCII whitespace byte taken out
    /// as `git patch-id --stable` does (all of them: a NUL does not end the line here).
    func addLine(_ bytes: UnsafeRawBufferPointer) {
        guard stripWhitespace else {
            file.update(bytes)
            return
        }
        var kept = [UInt8]()
        kept.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D: continue
            default: kept.append(byte)
            }
        }
        kept.withUnsafeBytes { file.update($0) }
    }

    func add(_ text: String) {
        var text = text
        text.withUTF8 { file.update(UnsafeRawBufferPointer($0)) }
    }
}

/// Each line libgit2 prints in its patch-id format: a file's header (which starts a new
/// file), its lines, or for a binary file the "Binary files … differ" line, replaced here
/// by the file's old and new blob ids.
private let patchIDLine: git_diff_line_cb = { delta, _, line, payload in
    guard let line, let payload else { return -1 }
    let state = Unmanaged<PatchIDState>.fromOpaque(payload).takeUnretainedValue()
    let origin = UInt32(UInt8(bitPattern: line.pointee.origin))
    switch origin {
    case GIT_DIFF_LINE_CONTEXT_EOFNL.rawValue, GIT_DIFF_LINE_ADD_EOFNL.rawValue, GIT_DIFF_LINE_DEL_EOFNL.rawValue:
        return 0
    case GIT_DIFF_LINE_FILE_HDR.rawValue:
        if state.firstFile {
            state.firstFile = false
        } else {
            state.endFile()
        }
    case GIT_DIFF_LINE_BINARY.rawValue:
        guard let delta else { return -1 }
        state.add(ObjectID(delta.pointee.old_file.id).hex)
        state.add(ObjectID(delta.pointee.new_file.id).hex)
        return 0
    case GIT_DIFF_LINE_ADDITION.rawValue, GIT_DIFF_LINE_DELETION.rawValue:
        var mark = UInt8(truncatingIfNeeded: origin)
        withUnsafeBytes(of: &mark) { state.file.update($0) }
    default:
        break
    }
    if let content = line.pointee.content, line.pointee.content_len > 0 {
        state.addLine(UnsafeRawBufferPointer(start: content, count: line.pointee.content_len))
    }
    return 0
}

/// SHA-1 (FIPS 180-4), for patch-ids: git's and libgit2's patch-id is a sum of SHA-1s of
/// each file's lines, and this module has no other hash to call.
struct SHA1 {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
    private var block = [UInt8](repeating: 0, count: 64)
    private var blockCount = 0
    private var length: UInt64 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        for byte in bytes {
            block[blockCount] = byte
            blockCount += 1
            if blockCount == 64 {
                compress()
                blockCount = 0
            }
        }
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest; the hasher is spent.
    mutating func finalize() -> [UInt8] {
        let bits = length &* 8
        var padding: [UInt8] = [0x80]
        padding += [UInt8](repeating: 0, count: (119 - blockCount) % 64)
        for shift in stride(from: 56, through: 0, by: -8) { padding.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        let total = length
        update(padding)
        length = total
        var digest = [UInt8]()
        for word in [state.0, state.1, state.2, state.3, state.4] {
            for shift in stride(from: 24, through: 0, by: -8) { digest.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) }
        }
        return digest
    }

    private mutating func compress() {
        var w = [UInt32](repeating: 0, count: 80)
        for index in 0..<16 {
            w[index] = UInt32(block[index * 4]) << 24 | UInt32(block[index * 4 + 1]) << 16
                | UInt32(block[index * 4 + 2]) << 8 | UInt32(block[index * 4 + 3])
        }
        for index in 16..<80 {
            let x = w[index - 3] ^ w[index - 8] ^ w[index - 14] ^ w[index - 16]
            w[index] = x << 1 | x >> 31
        }
        var (a, b, c, d, e) = state
        for index in 0..<80 {
            let f: UInt32, k: UInt32
            switch index {
            case 0..<20: f = (b & c) | (~b & d); k = 0x5A82_7999
            case 20..<40: f = b ^ c ^ d; k = 0x6ED9_EBA1
            case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1B_BCDC
            default: f = b ^ c ^ d; k = 0xCA62_C1D6
            }
            let temp = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[index]
            e = d
            d = c
            c = b << 30 | b >> 2
            b = a
            a = temp
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e)
    }
}
