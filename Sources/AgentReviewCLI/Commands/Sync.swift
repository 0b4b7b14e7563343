import AgentReviewCore
import AgentReviewGit
import AgentReviewSupport
import ArgumentParser
import Foundation

extension AgentReviewCommand {
    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Share approvals: fetch the remote's refs/notes/agentreview, merge, push.",
            discussion: """
                The merge is the union of records, so two reviewers approving at once both survive. A push that
                loses the race (non-fast-forward) fetches, merges and tries again.
                """)

        @Argument(help: "The remote.")
        var remote: String = "origin"

        @Option(name: .customShort("C"), help: "Run as if started in this directory.")
        var directory: String?

        static let attempts = 5

        func run() throws {
            try guarded {
                let repository = try Repository.open(directory ?? FileManager.default.currentDirectoryPath)
                let workTree = URL(fileURLWithPath: repository.workingDirectory ?? repository.gitDirectory)
                let notes = SignoffRecords.notesRef
                let copy = SignoffRecords.remoteCopy(of: remote)
                for attempt in 1...Self.attempts {
                    let theirs = try fetch(into: copy, repository: repository, directory: workTree)
                    let ours = try repository.referenceTarget(notes)
                    let merged = try NotesMerge.merge(ours: ours, theirs: theirs, in: repository)
                    guard let merged else {
                        print("no approvals here or on \(remote)")
                        return 0
                    }
                    if merged != ours { try repository.updateReference(notes, to: merged, expected: ours, message: "agentreview sync") }
                    if merged == theirs {
                        print("approvals in sync with \(remote)")
                        return 0
                    }
                    let push = try Subprocess.run("git", ["push", "--quiet", remote, "\(notes):\(notes)"], directory: workTree)
                    if push.status == 0 {
                        try repository.updateReference(copy, to: merged, expected: theirs, message: "agentreview sync")
                        print("approvals pushed to \(remote)")
                        return 0
                    }
                    let raced = ["non-fast-forward", "fetch first", "stale info", "rejected"].contains { push.stderr.contains($0) }
                    guard raced, attempt < Self.attempts else {
                        throw CLIError("push of \(notes) to \(remote) failed: \(push.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
                    }
                }
                return 0
            }
        }

        /// Fetches the remote's notes ref into `copy`; nil when the remote has none yet.
        private func fetch(into copy: String, repository: Repository, directory: URL) throws -> ObjectID? {
            let notes = SignoffRecords.notesRef
            let listed = try Subprocess.run("git", ["ls-remote", remote, notes], directory: directory)
            guard listed.status == 0 else {
                throw CLIError("cannot reach \(remote): \(listed.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            guard !listed.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
            let fetched = try Subprocess.run("git", ["fetch", "--quiet", remote, "+\(notes):\(copy)"], directory: directory)
            guard fetched.status == 0 else {
                throw CLIError("fetch of \(notes) from \(remote) failed: \(fetched.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            return try repository.referenceTarget(copy)
        }
    }
}

/// Merging two histories of the notes ref: the union of their records, note by note.
enum NotesMerge {
    /// The notes commit that holds both sides' records: one side when it already
    /// contains the other, else a merge commit whose parents are both.
    static func merge(ours: ObjectID?, theirs: ObjectID?, in repository: Repository) throws -> ObjectID? {
        guard let ours else { return theirs }
        guard let theirs, theirs != ours else { return ours }
        if try repository.isAncestor(ours, of: theirs) { return theirs }
        if try repository.isAncestor(theirs, of: ours) { return ours }
        var mine = [ObjectID: ObjectID]()
        for entry in try repository.notes(atNotesCommit: ours) { mine[entry.target] = entry.blob }
        var tip = ours
        for entry in try repository.notes(atNotesCommit: theirs) where mine[entry.target] != entry.blob {
            let theirText = try repository.blob(entry.blob)
            let ourText = try mine[entry.target].map { try repository.blob($0) } ?? []
            let union = RecordNote.merge(ourText, theirText)
            tip = try repository.commitNote(String(decoding: union, as: UTF8.self), on: entry.target, parent: tip)
        }
        return try repository.commit(treeOf: tip, parents: [ours, theirs], message: "agentreview sync: union of approvals")
    }
}
