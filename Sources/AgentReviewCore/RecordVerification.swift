#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Verifies signed records against the trusted signers: ``SignedRecord/verify(signers:revoked:now:keyValidAt:)``
/// with the arguments fixed, for one record or a batch.
///
/// A push or a notes ref can carry hundreds of records, and each verification is
/// independent of every other, so a batch may be spread over threads. Whether it is, is
/// the caller's choice: this module starts no threads. `verify(_:)` given a collection runs
/// a batch (or any slice of one) on the calling thread; a caller that wants the cores hands
/// slices of the batch to threads of its own, and ``RecordIndex`` takes such a ``Batch``.
public struct RecordVerification: Sendable {
    public let signers: AllowedSigners
    public let revoked: RevokedKeys
    public let now: Date
    /// The time the key must also be valid at, for records new to the server (see
    /// ``SignedRecord/verify(signers:revoked:now:keyValidAt:)``); nil for records already held.
    public let keyValidAt: Date?

    public init(signers: AllowedSigners, revoked: RevokedKeys = .none, now: Date, keyValidAt: Date? = nil) {
        self.signers = signers
        self.revoked = revoked
        self.now = now
        self.keyValidAt = keyValidAt
    }

    /// One record.
    public func verify(_ record: SignedRecord) -> Result<SignerMatch, RecordRefusal> {
        record.verify(signers: signers, revoked: revoked, now: now, keyValidAt: keyValidAt)
    }

    /// Each record, in order, one after another on the calling thread.
    public func verify(_ records: some Collection<SignedRecord>) -> [Result<SignerMatch, RecordRefusal>] {
        records.map(verify)
    }

    /// A way to verify a batch: each record's result, in the records' order.
    public typealias Batch = @Sendable (RecordVerification, [SignedRecord]) -> [Result<SignerMatch, RecordRefusal>]

    /// The batch verified one record after another, on the calling thread.
    public static let oneAtATime: Batch = { verification, records in verification.verify(records) }
}
