import AgentReviewCore
import AgentReviewGit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the server lets into the approvals ref: it only moves forward, is never deleted,
/// and only gains records that parse and verify against the trusted signers, each in the
/// note of the commit it names. A notes tree that holds one commit's note at two paths is
/// refused whole (which one counts would depend on the reader). Each note is bounded in
/// bytes and records, and a record new to the server must be fresh: dated within
/// `Limits.recordAge` before the push, not before its commit's committer date, and signed
/// by a key the signers file allows at the time of the push (not only at the record's date).
enum NotesGuard {
    static func check(
        _ update: RefUpdate, in repository: Repository, configuration: TrustedConfiguration, now: Date = Date()
    ) throws {
        let ref = SignoffRecords.notesRef
        guard !update.new.isZero else {
            throw CLIError("\(ref) cannot be deleted: approvals are the audit record")
        }
        if !update.old.isZero, update.old != update.new, !(try repository.isAncestor(update.old, of: update.new)) {
            throw CLIError(
                "\(ref) only moves forward: this push would drop records (non-fast-forward); run `agentreview sync` and push again")
        }

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
            let size = try repository.objectSize(entry.blob)
            if size > Limits.noteBytes {
                problems.append("the note on \(target) is \(size) bytes, over the limit of \(Limits.noteBytes)")
                continue
            }
            let (added, removed) = RecordNote.changes(
                from: try previous.map { try repository.blob($0) } ?? [], to: try repository.blob(entry.blob))
            if !removed.isEmpty {
                problems.append("the note on \(target) would lose \(removed.count) record\(removed.count == 1 ? "" : "s")")
            }
            if added.count > Limits.recordsPerNote {
                problems.append("the note on \(target) gains \(added.count) records, over the limit of \(Limits.recordsPerNote)")
                continue
            }
            for record in added {
                if let problem = try refusal(of: record, inNoteOn: entry.target, in: repository, configuration: configuration, now: now) {
                    problems.append(problem)
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

    /// Why the server would refuse one record new to it in the note on `target`, nil when it
    /// would take it: the record reads, names that commit, is fresh, and verifies against the
    /// root's signers with the key valid now. The one check of a record, shared by the hooks,
    /// `sync` (which leaves out what the server would refuse) and `approve` (which checks
    /// what it signed before storing it).
    static func refusal(
        of entry: RecordNote.Entry, inNoteOn target: ObjectID, in repository: Repository,
        configuration: TrustedConfiguration, now: Date
    ) throws -> String? {
        switch entry.record {
        case .failure(let error):
            return "unreadable record in the note on \(target.hex.prefix(12)): \(error)"
        case .success(let signed):
            return try refusal(of: signed, inNoteOn: target, in: repository, configuration: configuration, now: now)
        }
    }

    /// Why the server would refuse a record that reads, in the note on `target`; nil when it would take it.
    static func refusal(
        of signed: SignedRecord, inNoteOn target: ObjectID, in repository: Repository,
        configuration: TrustedConfiguration, now: Date
    ) throws -> String? {
        let short = target.hex.prefix(12)
        if signed.body.commit != target.hex {
            return "a record for \(signed.body.commit.prefix(12)) is stored in the note on \(short)"
        }
        if let stale = try freshness(of: signed.body, on: target, in: repository, now: now) {
            return "record in the note on \(short) is refused: \(stale)"
        }
        if case .failure(let refusal) = signed.verify(
            signers: configuration.signers, revoked: configuration.revoked, now: now, keyValidAt: now) {
            return "record in the note on \(short) does not verify: \(refusal)"
        }
        return nil
    }

    /// Why a record new to the server is too old to accept, nil when it is fresh: signed no
    /// earlier than `Limits.recordAge` before now, and not before the commit it names was
    /// committed (when the server has that commit). A key that expired or was revoked cannot
    /// sign backdated records that the server would still take.
    static func freshness(of body: RecordBody, on commit: ObjectID, in repository: Repository, now: Date) throws -> String? {
        let oldest = now.addingTimeInterval(-Limits.recordAge)
        if body.date < oldest {
            let command = switch body {
            case .approval: "agentreview approve"
            case .attestation: "agentreview attest"
            case .override: "agentreview override"
            }
            return "dated \(format(body.date)), more than \(Int(Limits.recordAge / 3600)) hours before this push; sign it again (`\(command)`) and push it at once"
        }
        if repository.contains(commit), let object = try repository.peelToCommit(commit) {
            let committed = Date(timeIntervalSince1970: TimeInterval(try repository.commit(object).committer.time))
            if body.date < committed {
                return "dated \(format(body.date)), before the commit it names was committed (\(format(committed)))"
            }
        }
        return nil
    }

    private static func format(_ date: Date) -> String { RecordIndex.format(date) }
}
