import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

@testable import AgentReviewCLI

/// The CLI verifies large batches of records on all cores (`RecordVerification.onAllCores`):
/// each answer is the one Core gives verifying the records one at a time, in order.
@Suite struct RecordVerificationTests {
    @Test func onAllCoresAnswersAsOneAtATime() throws {
        let fixture = try KeyFixture.shared.get()
        func signed(_ reviewer: String, _ kind: KeyKind) throws -> SignedRecord {
            let body = RecordBody.approval(ApprovalRecord(
                commit: "0123456789abcdef0123456789abcdef01234567", patchID: "89abcdef0123456789abcdef0123456789abcdef",
                reviewer: reviewer, decision: .approve, date: Date(timeIntervalSince1970: 1_795_000_000)))
            let armored = try SSHKeygen.sign(
                Array(try body.rendered().utf8), key: fixture[kind].privateKey, namespace: "agentreview", in: try fixture.scratch())
            return try SignedRecord(body: body, armoredSignature: armored)
        }
        let good = try signed("alice@example.com", .ed25519)
        let stranger = try signed("alice@example.com", .ecdsa256)
        let bob = try signed("bob@example.com", .ed25519)
        // Enough records for the batch to be spread over the cores, the refusals among them.
        var records = [SignedRecord]()
        for index in 0..<(RecordVerification.parallelFrom * 2 + 3) {
            records.append([good, stranger, good, bob][index % 4])
        }
        let verification = RecordVerification(
            signers: AllowedSigners(text: "alice@example.com \(fixture[.ed25519].keyText)\n"),
            now: Date(timeIntervalSince1970: 1_795_000_100))
        let oneAtATime = verification.verify(records)
        #expect(verification.onAllCores(records) == oneAtATime)
        #expect(RecordVerification.oneAtATime(verification, records) == oneAtATime)
        #expect(oneAtATime.filter { if case .success = $0 { true } else { false } }.count == (records.count + 1) / 2)
        // A small batch is answered the same way.
        #expect(verification.onAllCores(Array(records.prefix(5))) == Array(oneAtATime.prefix(5)))
    }
}
