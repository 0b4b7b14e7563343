import Clibgit2

/// One note in a notes tree: the object it annotates and the blob that holds it.
public struct NoteEntry: Sendable, Hashable {
    public var target: ObjectID
    public var blob: ObjectID
}

extension Repository {
    /// Every note in a notes commit (the tip of a notes ref).
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
        while true {
            var blob = git_oid()
            var target = git_oid()
            let result = git_note_next(&blob, &target, iterator)
            if result == GIT_ITEROVER.rawValue {
                git_error_clear()
                break
            }
            try git("list notes in \(commit)") { result }
            entries.append(NoteEntry(target: ObjectID(target), blob: ObjectID(blob)))
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
    /// against the empty tree), equal to `git patch-id --stable`.
    public func patchID(of commit: ObjectID) throws(GitError) -> ObjectID {
        let info = try self.commit(commit)
        let oldTree = try info.parents.first.map { parent throws(GitError) in try tree(ofCommit: parent) }
        return try withDiff(from: oldTree, to: info.tree, contents: true) { diff throws(GitError) in
            var options = git_diff_patchid_options()
            try git("initialise patch-id options") {
                git_diff_patchid_options_init(&options, UInt32(GIT_DIFF_PATCHID_OPTIONS_VERSION))
            }
            var out = git_oid()
            try git("compute the patch-id of \(commit)") { git_diff_patchid(&out, diff, &options) }
            return ObjectID(out)
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
