#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The signed records found in notes, verified against the trusted signers and indexed
/// by what they bind to: approvals and overrides by commit and by patch-id, attestations by tree.
/// Records that do not verify are kept as reasons, for the commit they name.
public struct RecordIndex: Sendable {
    public let signers: AllowedSigners
    public let revoked: RevokedKeys
    public let now: Date
    /// Which principals of `signers` are one reviewer.
    public let aliases: PrincipalAliases
    /// How a batch of records is verified: one after another unless the caller says otherwise.
    private let verifyBatch: RecordVerification.Batch

    /// A verified approval or rejection, with the key that signed it and who that key could be.
    private struct Decision {
        var record: ApprovalRecord
        var key: String
        var keyListings: [String]
        /// The signed record's id (``SignedRecord/id``).
        var id: String
    }

    /// A verified override, with the key that signed it and who that key could be.
    private struct Override {
        var record: OverrideRecord
        var key: String
        var keyListings: [String]
        var id: String
    }

    private var seen = Set<[UInt8]>()
    private var approvalsByCommit: [String: [Decision]] = [:]
    private var approvalsByPatchID: [String: [Decision]] = [:]
    private var listingsByKey: [SSHPublicKey: [String]] = [:]
    private var overridesByCommit: [String: [Override]] = [:]
    private var overridesByPatchID: [String: [Override]] = [:]
    private var attestationsByTree: [String: [AttestationRecord]] = [:]
    private var refusedByCommit: [String: [String]] = [:]
    /// Records read but not yet verified (``add(notes:verify:)`` with `verify: false`), and
    /// where each could count: by the commit it names, its patch-id, its tree. Verified by
    /// ``prepare(commit:patchID:tree:)`` when a commit that could use them is judged, so a
    /// notes ref of thousands of records costs a parse, not thousands of verifications.
    private var pending: [SignedRecord?] = []
    private var pendingByKey: [String: [Int]] = [:]
    private var hasPendingApprovals = false

    /// - Parameter verifyBatch: how the records read are verified, many at a time: by
    ///   default one after another on the calling thread. The caller may spread them over
    ///   threads (the CLI does); each verification is independent of the others.
    public init(
        signers: AllowedSigners, revoked: RevokedKeys = .none, now: Date,
        verifyBatch: @escaping RecordVerification.Batch = RecordVerification.oneAtATime
    ) {
        self.signers = signers
        self.revoked = revoked
        self.now = now
        self.aliases = signers.aliases
        self.verifyBatch = verifyBatch
    }

    /// Whether any approval or override might carry over a rebase: only then is a commit's
    /// patch-id worth computing.
    public var hasApprovals: Bool { !approvalsByCommit.isEmpty || !overridesByCommit.isEmpty || hasPendingApprovals }

    /// Reads every record of these notes (each with the commit it is on), verifying the
    /// signatures (with the index's `verifyBatch`), or with `verify: false` leaving that to ``prepare(commit:patchID:tree:)``.
    /// The same record seen twice (in two notes refs) counts once.
    public mutating func add(notes: [(bytes: [UInt8], target: String)], verify: Bool = true) {
        var records = [SignedRecord]()
        for (note, target) in notes {
            for entry in RecordNote.parse(note) where seen.insert(entry.bytes).inserted {
                switch entry.record {
                case .failure(let error):
                    refusedByCommit[target, default: []].append("unreadable record in the note on \(target.prefix(12)): \(error)")
                case .success(let record):
                    records.append(record)
                }
            }
        }
        guard verify else {
            for record in records {
                let index = pending.count
                pending.append(record)
                switch record.body {
                case .approval(let approval):
                    hasPendingApprovals = true
                    pendingByKey["c" + approval.commit, default: []].append(index)
                    pendingByKey["p" + approval.patchID, default: []].append(index)
                case .attestation(let attestation):
                    pendingByKey["t" + attestation.tree, default: []].append(index)
                case .override(let override):
                    hasPendingApprovals = true
                    pendingByKey["c" + override.commit, default: []].append(index)
                    pendingByKey["p" + override.patchID, default: []].append(index)
                }
            }
            return
        }
        index(records)
    }

    /// Verifies the records read unverified that could count for this commit: those naming
    /// it, those with its patch-id, those on its tree.
    public mutating func prepare(commit: String, patchID: String?, tree: String) {
        var indices = Set<Int>()
        for key in ["c" + commit, "t" + tree] + (patchID.map { ["p" + $0] } ?? []) {
            indices.formUnion(pendingByKey.removeValue(forKey: key) ?? [])
        }
        var records = [SignedRecord]()
        for index in indices.sorted() {
            if let record = pending[index] { records.append(record) }
            pending[index] = nil
        }
        if !records.isEmpty { index(records) }
    }

    /// Verifies records (with the index's `verifyBatch`) and indexes those that verify.
    private mutating func index(_ records: [SignedRecord]) {
        let verdicts = verifyBatch(RecordVerification(signers: signers, revoked: revoked, now: now), records)
        for (record, verdict) in zip(records, verdicts) {
            let match: SignerMatch
            switch verdict {
            case .failure(let refusal):
                refusedByCommit[record.body.commit, default: []].append("\(Self.describe(record.body)) does not count: \(refusal)")
                continue
            case .success(let signer):
                match = signer
            }
            let listings = listingsByKey[match.key] ?? signers.listings(of: match.key)
            listingsByKey[match.key] = listings
            switch record.body {
            case .approval(let approval):
                let decision = Decision(record: approval, key: match.key.fingerprint, keyListings: listings, id: record.id)
                approvalsByCommit[approval.commit, default: []].append(decision)
                approvalsByPatchID[approval.patchID, default: []].append(decision)
            case .attestation(let attestation):
                attestationsByTree[attestation.tree, default: []].append(attestation)
            case .override(let body):
                let override = Override(record: body, key: match.key.fingerprint, keyListings: listings, id: record.id)
                overridesByCommit[body.commit, default: []].append(override)
                overridesByPatchID[body.patchID, default: []].append(override)
            }
        }
    }

    /// The sign-off found for a commit: every verified decision (approval or rejection) on
    /// this commit or on one with the same patch-id (a rebase that changed nothing), each with
    /// the key that signed it, for the evaluator to count (``Evaluator``: dates, one per
    /// reviewer, the latest, not the commit's own people); and the gates whose latest
    /// attestation on this tree, by a signer the policy allows for the gate, passed; and every
    /// verified override of this commit or of one with the same patch-id, by date, for the
    /// evaluator to judge (``Evaluator``: a listed signer, not the commit's own people, within
    /// `overrides.max_age`). With the reasons records did not count.
    /// - Parameter committerTime: the committer date (seconds since the epoch) of a commit by
    ///   id, when known: for a decision carried over from another commit, checked against the
    ///   date of the commit it names. Without it that check is skipped for carried-over decisions.
    public func signoff(
        commit: String, patchID: String?, tree: String, policy: Policy, committerTime: ((String) -> Int64?)? = nil
    ) -> (signoff: Signoff, refused: [String]) {
        var candidates = approvalsByCommit[commit] ?? []
        if let patchID {
            candidates += (approvalsByPatchID[patchID] ?? []).filter { $0.record.commit != commit }
        }
        candidates.sort { ($0.record.date, $0.record.reviewer, $0.key) < ($1.record.date, $1.record.reviewer, $1.key) }
        let decisions = candidates.map { decision in
            let record = decision.record
            let carried = record.commit != commit
            return Signoff.Approval(
                reviewer: record.reviewer, comment: record.comment, rebasedFrom: carried ? record.commit : nil,
                decision: record.decision, date: record.date,
                rebasedFromTime: carried ? committerTime?(record.commit) : nil, key: decision.key,
                keyListings: decision.keyListings, record: decision.id)
        }
        var overrideCandidates = overridesByCommit[commit] ?? []
        if let patchID {
            overrideCandidates += (overridesByPatchID[patchID] ?? []).filter { $0.record.commit != commit }
        }
        overrideCandidates.sort { ($0.record.date, $0.record.signer, $0.key) < ($1.record.date, $1.record.signer, $1.key) }
        let overrides = overrideCandidates.map { override in
            let record = override.record
            let carried = record.commit != commit
            return Signoff.Override(
                signer: record.signer, reason: record.reason, date: record.date, rebasedFrom: carried ? record.commit : nil,
                rebasedFromTime: carried ? committerTime?(record.commit) : nil, key: override.key,
                keyListings: override.keyListings, record: override.id)
        }
        var refused = refusedByCommit[commit] ?? []

        var passed = Set<String>()
        var latestAttestation = [String: AttestationRecord]()
        for attestation in attestationsByTree[tree] ?? [] {
            let allowed = (policy.gates[attestation.gate]?.signers ?? []).map { $0.lowercased() }
            guard allowed.contains(attestation.signer.lowercased()) else {
                refused.append(
                    "\(attestation.gate) attestation by \(attestation.signer) does not count: the policy allows \(allowed.isEmpty ? "nobody" : allowed.joined(separator: ", ")) for that gate")
                continue
            }
            if let current = latestAttestation[attestation.gate], current.date > attestation.date { continue }
            latestAttestation[attestation.gate] = attestation
        }
        for (gate, attestation) in latestAttestation where attestation.result == .pass {
            passed.insert(gate)
        }
        for (gate, attestation) in latestAttestation where attestation.result == .fail {
            refused.append("\(gate) failed on this tree (attested by \(attestation.signer) on \(Self.format(attestation.date)))")
        }
        return (Signoff(approvals: decisions, passedGates: passed, aliases: aliases, overrides: overrides), refused)
    }

    static func describe(_ body: RecordBody) -> String {
        switch body {
        case .approval(let approval): "\(approval.decision == .approve ? "approval" : "rejection") by \(approval.reviewer)"
        case .attestation(let attestation): "\(attestation.gate) attestation by \(attestation.signer)"
        case .override(let override): "override by \(override.signer)"
        }
    }

    /// `2026-11-29T09:45:00Z`: UTC, to the second.
    package static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
