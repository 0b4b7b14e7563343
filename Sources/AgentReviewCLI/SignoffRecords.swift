import AgentReviewCore
import AgentReviewGit
import Foundation

/// Where approvals and attestations live, and how they are read into a `RecordIndex`.
enum SignoffRecords {
    /// The notes ref that holds signed records.
    static let notesRef = "refs/notes/agentreview"

    /// Where `sync` keeps a remote's copy of the notes ref.
    static func remoteCopy(of remote: String) -> String { "refs/agentreview/remotes/\(remote)" }

    /// Reads and verifies every record of the given notes commits (nil entries are skipped).
    static func index(
        notesCommits: [ObjectID?], in repository: Repository, configuration: TrustedConfiguration, now: Date = Date()
    ) throws -> RecordIndex {
        var index = RecordIndex(signers: configuration.signers, revoked: configuration.revoked, now: now)
        var seen = Set<ObjectID>()
        var notes = [(bytes: [UInt8], target: String)]()
        for case let commit? in notesCommits where seen.insert(commit).inserted {
            for entry in try repository.notes(atNotesCommit: commit) {
                notes.append((try repository.blob(entry.blob), entry.target.hex))
            }
        }
        index.add(notes: notes)
        return index
    }

    /// The local notes ref and every remote copy `sync` fetched: what `status` counts.
    static func localTips(in repository: Repository) throws -> [ObjectID?] {
        var tips = [try repository.referenceTarget(notesRef)]
        for name in try repository.referenceNames(matching: "refs/agentreview/remotes/*") {
            tips.append(try repository.referenceTarget(name))
        }
        return tips
    }
}
