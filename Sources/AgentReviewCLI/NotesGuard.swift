import AgentReviewCore
import AgentReviewGit
import Foundation

/// What the server lets into the approvals ref: it only moves forward, is never deleted,
/// and only gains records that parse and verify against the trusted signers, each in the
/// note of the commit it names.
enum NotesGuard {
    static func check(_ update: RefUpdate, in repository: Repository, pinnedPolicy: String?, now: Date = Date()) throws {
        let ref = SignoffRecords.notesRef
        guard !update.new.isZero else {
            throw CLIError("\(ref) cannot be deleted: approvals are the audit record")
        }
        if !update.old.isZero, update.old != update.new, !(try repository.isAncestor(update.old, of: update.new)) {
            throw CLIError(
                "\(ref) only moves forward: this push would drop records (non-fast-forward); run `agentreview sync` and push again")
        }
        // Signers come from the default branch, as for a new ref.
        let base = try TrustedBase.forUpdate(old: .zero, ref: nil, in: repository)
        guard base != nil || pinnedPolicy != nil else {
            throw CLIError("no trusted signers to check records against: the repository has no default branch yet")
        }
        let configuration = try TrustedBase.load(from: base, in: repository, policyFile: pinnedPolicy)

        var old = [ObjectID: ObjectID]()
        if !update.old.isZero {
            for entry in try repository.notes(atNotesCommit: update.old) { old[entry.target] = entry.blob }
        }
        var problems = [String]()
        var seen = Set<ObjectID>()
        for entry in try repository.notes(atNotesCommit: update.new) {
            seen.insert(entry.target)
            let previous = old[entry.target]
            guard previous != entry.blob else { continue }
            let target = entry.target.hex.prefix(12)
            let (added, removed) = RecordNote.changes(
                from: try previous.map { try repository.blob($0) } ?? [], to: try repository.blob(entry.blob))
            if !removed.isEmpty {
                problems.append("the note on \(target) would lose \(removed.count) record\(removed.count == 1 ? "" : "s")")
            }
            for record in added {
                switch record.record {
                case .failure(let error):
                    problems.append("unreadable record in the note on \(target): \(error)")
                case .success(let signed):
                    if signed.body.commit != entry.target.hex {
                        problems.append("a record for \(signed.body.commit.prefix(12)) is stored in the note on \(target)")
                    } else if case .failure(let refusal) = signed.verify(
                        signers: configuration.signers, revoked: configuration.revoked, now: now) {
                        problems.append("record in the note on \(target) does not verify: \(refusal)")
                    }
                }
            }
        }
        for target in old.keys where !seen.contains(target) {
            problems.append("the note on \(target.hex.prefix(12)) would be removed")
        }
        if !problems.isEmpty {
            throw CLIError(problems.prefix(20).joined(separator: "; ") + (problems.count > 20 ? "; and \(problems.count - 20) more" : ""))
        }
    }
}
