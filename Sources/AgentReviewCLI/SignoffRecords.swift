import Dispatch
import AgentReviewCore
import AgentReviewGit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where approvals and attestations live, and how they are read into a `RecordIndex`.
enum SignoffRecords {
    /// The notes ref that holds signed records.
    static let notesRef = "refs/notes/agentreview"

    /// Where `sync` keeps a remote's copy of the notes ref.
    static func remoteCopy(of remote: String) -> String { "refs/agentreview/remotes/\(remote)" }

    /// The records of the given notes commits (nil entries are skipped), read lazily.
    static func index(
        notesCommits: [ObjectID?], in repository: Repository, configuration: TrustedConfiguration, now: Date = Date()
    ) throws -> RecordSource {
        var tips = [ObjectID]()
        for case let commit? in notesCommits where !tips.contains(commit) { tips.append(commit) }
        return RecordSource(
            repository: repository, tips: tips,
            index: RecordIndex(
                signers: configuration.signers, revoked: configuration.revoked, now: now,
                verifyBatch: RecordVerification.onAllCores))
    }

    /// The local notes ref and every remote copy `sync` fetched: what `status` counts.
    static func localTips(in repository: Repository) throws -> [ObjectID?] {
        [try repository.referenceTarget(notesRef)] + (try remoteTips(in: repository))
    }

    /// Every remote's notes as `sync` last fetched them: what the remotes are known to have.
    static func remoteTips(in repository: Repository) throws -> [ObjectID?] {
        try repository.referenceNames(matching: "refs/agentreview/remotes/*").map { try repository.referenceTarget($0) }
    }
}

/// Signed records read as they are needed: a push reads the notes on the commits it
/// judges, and reads every note (for approvals carried over a rebase, or attestations
/// given to another commit with the same tree) only when a commit still lacks sign-off.
/// So the hook's cost does not grow with the number of approvals ever given.
final class RecordSource {
    let repository: Repository
    let tips: [ObjectID]
    private(set) var index: RecordIndex
    private var loaded = Set<ObjectID>()
    private(set) var loadedAll = false

    init(repository: Repository, tips: [ObjectID], index: RecordIndex) {
        self.repository = repository
        self.tips = tips
        self.index = index
    }

    /// Reads the notes on one commit, from every tip.
    func load(commit: ObjectID) throws {
        guard !loadedAll, !tips.isEmpty, loaded.insert(commit).inserted else { return }
        var notes = [(bytes: [UInt8], target: String)]()
        for tip in tips {
            if let blob = try repository.note(on: commit, atNotesCommit: tip), let bytes = try read(blob, on: commit) {
                notes.append((bytes, commit.hex))
            }
        }
        index.add(notes: notes)
    }

    /// Verifies what every note holds for this commit (by id, patch-id or tree); reads
    /// every note first, once.
    func prepare(commit: ObjectID, patchID: String?, tree: String) throws {
        try loadAll()
        index.prepare(commit: commit.hex, patchID: patchID, tree: tree)
    }

    /// Reads every note of every tip, once, leaving their records unverified until a commit
    /// that could use them is judged.
    private func loadAll() throws {
        guard !loadedAll else { return }
        loadedAll = true
        var notes = [(bytes: [UInt8], target: String)]()
        for tip in tips {
            for entry in try repository.notes(atNotesCommit: tip) where !loaded.contains(entry.target) {
                if let bytes = try read(entry.blob, on: entry.target) { notes.append((bytes, entry.target.hex)) }
            }
        }
        index.add(notes: notes, verify: false)
    }

    /// A note's bytes; nil, with a warning, for a note over `Limits.noteBytes` (the server
    /// never accepts one; a copy fetched from elsewhere may hold one). Its records do not count.
    private func read(_ blob: ObjectID, on target: ObjectID) throws -> [UInt8]? {
        let size = try repository.objectSize(blob)
        guard size <= Limits.noteBytes else {
            printError(
                "agentreview: the note on \(target.hex.prefix(12)) is \(size) bytes, over the limit of \(Limits.noteBytes): its records are not read")
            return nil
        }
        return try repository.blob(blob)
    }
}

/// Signed records verified on all cores: each verification is independent, and a push or a
/// notes ref can carry hundreds. Core verifies a batch one record after another; spreading
/// it over threads is decided here.
extension RecordVerification {
    /// From this many records on, a batch is spread over the cores; below it, starting the
    /// threads would cost more than it saves.
    static let parallelFrom = 64

    /// Each record's result, in order: worker `w` of `n` verifies records `w`, `w + n`, …
    static let onAllCores: Batch = { verification, records in
        let threads = ProcessInfo.processInfo.activeProcessorCount
        guard records.count >= parallelFrom, threads > 1 else { return verification.verify(records) }
        var results = [Result<SignerMatch, RecordRefusal>?](repeating: nil, count: records.count)
        results.withUnsafeMutableBufferPointer { buffer in
            let slots = VerdictSlots(base: buffer.baseAddress!)
            // Each index is written by exactly one iteration; concurrentPerform returns after all.
            DispatchQueue.concurrentPerform(iterations: threads) { worker in
                for index in stride(from: worker, to: records.count, by: threads) {
                    slots.base[index] = verification.verify(records[index])
                }
            }
        }
        return results.map { $0! }
    }

    /// Each record's result, in order, on all cores for a large batch.
    func onAllCores(_ records: [SignedRecord]) -> [Result<SignerMatch, RecordRefusal>] {
        Self.onAllCores(self, records)
    }
}

/// Result slots that the verifying threads write disjointly.
private struct VerdictSlots: @unchecked Sendable {
    let base: UnsafeMutablePointer<Result<SignerMatch, RecordRefusal>?>
}
