import Foundation

/// The signed records found in notes, verified against the trusted signers and indexed
/// by what they bind to: approvals by commit and by patch-id, attestations by tree.
/// Records that do not verify are kept as reasons, for the commit they name.
public struct RecordIndex: Sendable {
    public let signers: AllowedSigners
    public let revoked: RevokedKeys
    public let now: Date

    private var seen = Set<[UInt8]>()
    private var approvalsByCommit: [String: [ApprovalRecord]] = [:]
    private var approvalsByPatchID: [String: [ApprovalRecord]] = [:]
    private var attestationsByTree: [String: [AttestationRecord]] = [:]
    private var refusedByCommit: [String: [String]] = [:]

    public init(signers: AllowedSigners, revoked: RevokedKeys = .none, now: Date) {
        self.signers = signers
        self.revoked = revoked
        self.now = now
    }

    /// Whether any approval might carry over a rebase: only then is a commit's patch-id worth computing.
    public var hasApprovals: Bool { !approvalsByCommit.isEmpty }

    /// Reads every record of these notes (each with the commit it is on), verifying the
    /// signatures on all cores. The same record seen twice (in two notes refs) counts once.
    public mutating func add(notes: [(bytes: [UInt8], target: String)]) {
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
        let verdicts = RecordVerification.verify(records, signers: signers, revoked: revoked, now: now)
        for (record, verdict) in zip(records, verdicts) {
            if case .failure(let refusal) = verdict {
                refusedByCommit[record.body.commit, default: []].append("\(Self.describe(record.body)) does not count: \(refusal)")
                continue
            }
            switch record.body {
            case .approval(let approval):
                approvalsByCommit[approval.commit, default: []].append(approval)
                approvalsByPatchID[approval.patchID, default: []].append(approval)
            case .attestation(let attestation):
                attestationsByTree[attestation.tree, default: []].append(attestation)
            }
        }
    }

    /// The sign-off that counts for a commit: each reviewer's latest decision on this
    /// commit or on one with the same patch-id (a rebase that changed nothing), kept
    /// when it approves; and the gates whose latest attestation on this tree, by a signer
    /// the policy allows for the gate, passed. With the reasons records did not count.
    public func signoff(commit: String, patchID: String?, tree: String, policy: Policy) -> (signoff: Signoff, refused: [String]) {
        var candidates = approvalsByCommit[commit] ?? []
        if let patchID {
            candidates += (approvalsByPatchID[patchID] ?? []).filter { $0.commit != commit }
        }
        var latest = [String: ApprovalRecord]()
        for approval in candidates {
            let reviewer = approval.reviewer.lowercased()
            guard let current = latest[reviewer] else {
                latest[reviewer] = approval
                continue
            }
            // The later decision wins; at the same second a rejection wins.
            if approval.date > current.date || (approval.date == current.date && approval.decision == .reject) {
                latest[reviewer] = approval
            }
        }
        var refused = refusedByCommit[commit] ?? []
        var approvals = [Signoff.Approval]()
        for approval in latest.values.sorted(by: { ($0.date, $0.reviewer) < ($1.date, $1.reviewer) }) {
            if approval.decision == .reject {
                refused.append("\(approval.reviewer) rejected this commit on \(Self.format(approval.date))")
                continue
            }
            approvals.append(Signoff.Approval(
                reviewer: approval.reviewer, comment: approval.comment,
                rebasedFrom: approval.commit == commit ? nil : approval.commit))
        }

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
        return (Signoff(approvals: approvals, passedGates: passed), refused)
    }

    static func describe(_ body: RecordBody) -> String {
        switch body {
        case .approval(let approval): "\(approval.decision == .approve ? "approval" : "rejection") by \(approval.reviewer)"
        case .attestation(let attestation): "\(attestation.gate) attestation by \(attestation.signer)"
        }
    }

    static func format(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}

/// Verifies many records at once, spread over the cores: each verification is
/// independent, and a push or a notes ref can carry hundreds.
public enum RecordVerification {
    public static func verify(
        _ records: [SignedRecord], signers: AllowedSigners, revoked: RevokedKeys, now: Date
    ) -> [Result<SignerMatch, RecordRefusal>] {
        let verifyOne: @Sendable (SignedRecord) -> Result<SignerMatch, RecordRefusal> = { record in
            record.verify(signers: signers, revoked: revoked, now: now)
        }
        let threads = ProcessInfo.processInfo.activeProcessorCount
        guard records.count >= 64, threads > 1 else { return records.map(verifyOne) }
        var results = [Result<SignerMatch, RecordRefusal>?](repeating: nil, count: records.count)
        results.withUnsafeMutableBufferPointer { buffer in
            let slots = Slots(base: buffer.baseAddress!)
            // Each index is written by exactly one iteration; concurrentPerform returns after all.
            DispatchQueue.concurrentPerform(iterations: threads) { worker in
                for index in stride(from: worker, to: records.count, by: threads) {
                    slots.base[index] = verifyOne(records[index])
                }
            }
        }
        return results.map { $0! }
    }

    private struct Slots: @unchecked Sendable {
        let base: UnsafeMutablePointer<Result<SignerMatch, RecordRefusal>?>
    }
}
