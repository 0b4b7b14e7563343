import AgentReviewCore
import AgentReviewGit

/// Gathers facts commit by commit and judges each: the engine under status, check and the hooks.
struct Judge {
    let repository: Repository
    let configuration: TrustedConfiguration
    let evaluator: Evaluator
    let gatherer: FactGatherer

    init(repository: Repository, configuration: TrustedConfiguration) {
        self.repository = repository
        self.configuration = configuration
        self.evaluator = Evaluator(policy: configuration.policy, owners: configuration.owners)
        self.gatherer = FactGatherer(repository: repository, contents: configuration.policy.escalations.needsContents)
    }

    /// Judges every commit of the walk, newest first. A commit that is the trusted base
    /// itself means the range and the base overlap: refused, since the commits being
    /// judged would be judging themselves.
    func judge(_ walk: RevisionWalk, mode: EnforcementMode, base: TrustedBase?) throws -> [CommitReport] {
        var reports = [CommitReport]()
        while let id = try walk.next() {
            if let base, id == base.commit {
                throw CLIError(
                    "the trusted base \(base.name) is itself among the commits being judged: judge a range that excludes it, or pass --policy FILE")
            }
            reports.append(try judge(id, mode: mode))
        }
        return reports
    }

    func judge(_ id: ObjectID, mode: EnforcementMode) throws -> CommitReport {
        evaluator.judge(try gatherer.facts(for: id), signoff: .none, mode: mode)
    }
}
