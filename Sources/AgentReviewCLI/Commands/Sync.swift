import AgentReviewCore
import AgentReviewGit
import AgentReviewSupport
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AgentReviewCommand {
    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sync",
            abstract: "Share approvals: fetch the remote's refs/notes/agentreview, merge, push.",
            discussion: """
                The merge is the union of records, so two reviewers approving at once both survive. A push that
                loses the race (non-fast-forward) fetches, merges and tries again. Records the server would refuse
                (checked as its hook checks them, against the remote's trust root as this clone last fetched it)
                stay in this clone and are left out of the push, each named with how to drop it; the others are
                shared, and the exit status is then 1.
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
                let configuration = try serverConfiguration(in: repository)
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
                    // What the server would take: all of it, or the records it would not refuse.
                    var outgoing = NotesOutgoing(tip: merged, left: [])
                    if let configuration {
                        outgoing = try NotesOutgoing.split(
                            merged, over: theirs, in: repository, configuration: configuration, now: Date())
                    }
                    for left in outgoing.left { printError(left.message) }
                    guard let tip = outgoing.tip, tip != theirs else {
                        print("nothing else to share with \(remote): \(Self.count(outgoing.left)) left out (above)")
                        return 1
                    }
                    let push = try Subprocess.run(
                        "git", ["push", "--quiet", remote, "\(tip.hex):\(notes)"], directory: workTree)
                    if push.status == 0 {
                        try repository.updateReference(copy, to: tip, expected: theirs, message: "agentreview sync")
                        if outgoing.left.isEmpty {
                            print("approvals pushed to \(remote)")
                            return 0
                        }
                        // This clone keeps what it left out, on top of what the remote now has.
                        let current = try repository.referenceTarget(notes)
                        if let joined = try NotesMerge.merge(ours: current, theirs: tip, in: repository), joined != current {
                            try repository.updateReference(notes, to: joined, expected: current, message: "agentreview sync")
                        }
                        print("approvals pushed to \(remote), but \(Self.count(outgoing.left)) left out (above)")
                        return 1
                    }
                    let raced = ["non-fast-forward", "fetch first", "stale info", "rejected"].contains { push.stderr.contains($0) }
                    guard raced, attempt < Self.attempts else {
                        throw CLIError("push of \(notes) to \(remote) failed: \(push.stderr.trimming(.whitespacesAndNewlines))")
                    }
                }
                return 0
            }
        }

        static func count(_ left: [NotesOutgoing.Left]) -> String {
            "\(left.count) record\(left.count == 1 ? "" : "s") the server would refuse"
        }

        /// What the server will check the notes by, as this clone last fetched the remote's
        /// trust root (and a pinned `agentreview.policy`, as `pre-push` does); nil when there is
        /// neither (the server then decides alone).
        private func serverConfiguration(in repository: Repository) throws -> TrustedConfiguration? {
            let pinned = try repository.configString("agentreview.policy")
            let root = try TrustedBase.root(ofRemote: remote, in: repository)
            guard root.base != nil || pinned != nil else { return nil }
            do {
                return try TrustedBase.load(from: root.base, in: repository, policyFile: pinned)
            } catch {
                printError("cannot check the records as \(remote) will (\(describe(error))): sharing them all; \(remote) decides")
                return nil
            }
        }

        /// Fetches the remote's notes ref into `copy`; nil when the remote has none yet.
        private func fetch(into copy: String, repository: Repository, directory: URL) throws -> ObjectID? {
            let notes = SignoffRecords.notesRef
            let listed = try Subprocess.run("git", ["ls-remote", remote, notes], directory: directory)
            guard listed.status == 0 else {
                throw CLIError("cannot reach \(remote): \(listed.stderr.trimming(.whitespacesAndNewlines))")
            }
            guard !listed.text.trimming(.whitespacesAndNewlines).isEmpty else { return nil }
            let fetched = try Subprocess.run("git", ["fetch", "--quiet", remote, "+\(notes):\(copy)"], directory: directory)
            guard fetched.status == 0 else {
                throw CLIError("fetch of \(notes) from \(remote) failed: \(fetched.stderr.trimming(.whitespacesAndNewlines))")
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

/// What `sync` pushes: the merged notes, less the records the server would refuse
/// (`NotesGuard.refusal`, the hook's own check of a new record).
struct NotesOutgoing {
    /// A record left out, and why.
    struct Left {
        var commit: ObjectID
        var message: String
    }

    /// The notes commit to push: the merged tip when nothing is refused, else a commit on top
    /// of the remote's tip holding its notes and every record the server would take; nil when
    /// the server would take nothing that it lacks.
    var tip: ObjectID?
    var left: [Left]

    static func split(
        _ merged: ObjectID, over theirs: ObjectID?, in repository: Repository, configuration: TrustedConfiguration, now: Date
    ) throws -> NotesOutgoing {
        var remote = [ObjectID: ObjectID]()
        if let theirs {
            for entry in try repository.notes(atNotesCommit: theirs) { remote[entry.target] = entry.blob }
        }
        var left = [Left]()
        // Per changed note: the text to push, when it differs from the merged one.
        var filtered = [(target: ObjectID, text: [UInt8])]()
        var clean = true
        var seen = Set<ObjectID>()
        for entry in try repository.notes(atNotesCommit: merged) {
            seen.insert(entry.target)
            guard remote[entry.target] != entry.blob else { continue }
            let theirText = try remote[entry.target].map { try repository.blob($0) } ?? []
            let ourText = try repository.blob(entry.blob)
            let (added, removed) = RecordNote.changes(from: theirText, to: ourText)
            var good = [[UInt8]]()
            for record in added {
                if let refusal = try NotesGuard.refusal(
                    of: record, inNoteOn: entry.target, in: repository, configuration: configuration, now: now) {
                    left.append(Left(commit: entry.target, message: leftOut(record, on: entry.target, refusal)))
                } else {
                    good.append(record.bytes)
                }
            }
            if good.count < added.count || !removed.isEmpty {
                clean = false
                if !good.isEmpty { filtered.append((entry.target, good.reduce(theirText) { RecordNote.merge($0, $1) })) }
            } else {
                filtered.append((entry.target, ourText))
            }
        }
        // A note the remote has and the merge lacks: the server would refuse losing it.
        if remote.keys.contains(where: { !seen.contains($0) }) { clean = false }
        if clean { return NotesOutgoing(tip: merged, left: left) }
        guard !filtered.isEmpty else {
            // Nothing the server would take: push nothing.
            return NotesOutgoing(tip: nil, left: left)
        }
        var tip = theirs
        for (target, text) in filtered {
            tip = try repository.commitNote(String(decoding: text, as: UTF8.self), on: target, parent: tip)
        }
        return NotesOutgoing(tip: tip, left: left)
    }

    /// One line: which record stays here, why the server would refuse it, how to drop it.
    private static func leftOut(_ entry: RecordNote.Entry, on target: ObjectID, _ refusal: String) -> String {
        let short = target.hex.prefix(12)
        guard let record = entry.signedRecord else {
            return "not shared: \(refusal); drop it with `git notes --ref=\(SignoffRecords.notesRef) edit \(short)`"
        }
        let principal = record.body.principal
        return "not shared: the \(RecordHygiene.phrase(record.body)) on \(short): \(refusal); drop it with `agentreview approve --undo \(short) --as \(principal)`"
    }
}
