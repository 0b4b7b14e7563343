#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// When a commit's sign-off happened, by the dates its signers wrote on their records.
public struct SignoffTimes: Sendable, Hashable {
    /// Whether the commit's class asks for approvals, code owners or a person's sign-off,
    /// and the policy covers the commit (an agent's, under `applies_to: agents`).
    public var needsApproval: Bool
    /// The date of the earliest approval that counts.
    public var first: Date?
    /// The date of the approval that completed the sign-off: the earliest record date at
    /// which the approvals signed by then give the class everything it requires. Nil when
    /// the sign-off is not complete, or an override let the commit through instead.
    public var completed: Date?

    public init(needsApproval: Bool, first: Date? = nil, completed: Date? = nil) {
        self.needsApproval = needsApproval
        self.first = first
        self.completed = completed
    }
}

extension Evaluator {
    /// When `report` (this evaluator's judgement of `commit` with `signoff`) got its approvals.
    /// The judgement is replayed with the decisions dated up to each approval's date in turn
    /// (rejections included, overrides left out, gate attestations as they are); the first
    /// that leaves nothing missing completed it. A few evaluations per approved commit.
    public func signoffTimes(
        of report: CommitReport, commit: CommitFacts, signoff: Signoff, signoffNotes: [String] = []
    ) -> SignoffTimes {
        guard let rank = policy.classes.firstIndex(where: { $0.name == report.class }) else { return SignoffTimes(needsApproval: false) }
        let riskClass = policy.classes[rank]
        let asks = riskClass.approvals > 0 || riskClass.owners || riskClass.humanSignoff
        guard asks, policy.appliesTo.covers(agent: report.agent != nil, bot: report.bot != nil) else {
            return SignoffTimes(needsApproval: false)
        }
        // The records behind the approvals that count, by record id (or reviewer, for records without one).
        let counted = report.approvals.compactMap { approval in
            signoff.approvals.first { candidate in
                candidate.decision == .approve
                    && (approval.record != nil ? candidate.record == approval.record : candidate.reviewer == approval.reviewer)
            }?.date
        }
        var times = SignoffTimes(needsApproval: true, first: counted.min())
        guard report.verdict == .pass, !report.approvals.isEmpty else { return times }
        for date in Set(counted).sorted() {
            var then = signoff
            then.approvals = signoff.approvals.filter { ($0.date ?? .distantPast) <= date }
            then.overrides = []
            let replay = judge(commit, signoff: then, signoffNotes: signoffNotes, mode: .enforce)
            if replay.missing.isEmpty && replay.verdict == .pass {
                times.completed = date
                break
            }
        }
        return times
    }
}
