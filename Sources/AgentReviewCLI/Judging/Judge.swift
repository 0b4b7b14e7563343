import AgentReviewCore
import AgentReviewGit

/// Gathers facts commit by commit and judges each: the engine under status, check and the hooks.
struct Judge {
    let repository: Repository
    let configuration: TrustedConfiguration
    let evaluator: Evaluator
    let gatherer: FactGatherer
    /// The verified approvals and attestations that count, if any were read.
    let records: RecordSource?
    /// The records a remote already has (for `status`): an approval found only in `records`
    /// is marked as not pushed yet.
    let published: RecordSource?

    init(repository: Repository, configuration: TrustedConfiguration, records: RecordSource? = nil, published: RecordSource? = nil) {
        self.repository = repository
        self.configuration = configuration
        self.evaluator = Evaluator(
            policy: configuration.policy, owners: configuration.owners, signersListed: !configuration.signers.entries.isEmpty,
            reviewers: configuration.signers.listedPrincipals(for: SignedRecord.namespace))
        self.gatherer = FactGatherer(repository: repository, configuration: configuration)
        self.records = records
        self.published = published
    }

    /// Judges every commit of the walk, newest first, handing each to `add` as it is judged. A
    /// commit that is the trusted base itself means the range and the base overlap:
    /// refused, since the commits being judged would be judging themselves.
    ///
    /// A push of a few commits is judged on this thread alone. A longer range is read in
    /// batches: facts (tree diffs, the costly part) are gathered on worker threads, each
    /// with its own repository handle, while this thread judges and hands on the batch before.
    func judge(_ walk: RevisionWalk, mode: EnforcementMode, base: TrustedBase?, add: (CommitReport) throws -> Void) throws {
        func nextBatch(_ size: Int) throws -> [WalkStep] {
            var steps = [WalkStep]()
            while steps.count < size, let step = try walk.nextStep() {
                if let base, step.id == base.commit {
                    throw CLIError(
                        "the trusted base \(base.name) is itself among the commits being judged: judge a range that excludes it, or pass --policy FILE")
                }
                steps.append(step)
            }
            return steps
        }
        var current = try nextBatch(Self.sequentialLimit)
        guard current.count == Self.sequentialLimit else {
            for step in current {
                try add(try judge(step.id, facts: try gatherer.facts(from: try gatherer.gather(step)), mode: mode))
            }
            return
        }
        let pipeline = try FactPipeline(gatherer: gatherer)
        var inflight = pipeline.start(current)
        while true {
            let next = try nextBatch(Self.batchSize)
            let facts = try inflight.wait()
            if !next.isEmpty { inflight = pipeline.start(next) }
            for (step, gathered) in zip(current, facts) {
                try add(try judge(step.id, facts: try gatherer.facts(from: gathered), mode: mode))
            }
            if next.isEmpty { return }
            current = next
        }
    }

    /// Up to this many commits are judged on one thread: threads cost more than they save.
    static let sequentialLimit = 64
    static let batchSize = 256

    /// Judges one commit with the sign-off its records give it: first the notes on the
    /// commit itself; only when something is still missing, every note (an approval given
    /// before a rebase with the same patch-id, an attestation given to another commit with
    /// the same tree). The patch-id (a diff with contents) is computed only then, and only
    /// when there are approvals at all.
    func judge(_ id: ObjectID, mode: EnforcementMode) throws -> CommitReport {
        try judge(id, facts: try gatherer.facts(for: id), mode: mode)
    }

    func judge(_ id: ObjectID, facts: CommitFacts, mode: EnforcementMode) throws -> CommitReport {
        var report = try judgeWithRecords(id, facts: facts, mode: mode)
        if let published, !report.approvals.isEmpty { try markUnpublished(&report, in: published) }
        return report
    }

    /// Marks the approvals of `report` that the remote's records lack: an approval by the
    /// same reviewer on the same commit counts as published.
    private func markUnpublished(_ report: inout CommitReport, in published: RecordSource) throws {
        for index in report.approvals.indices {
            let approval = report.approvals[index]
            let target = approval.rebasedFrom ?? report.id
            guard let id = ObjectID(hex: target) else { continue }
            try published.load(commit: id)
            let there = published.index.signoff(commit: target, patchID: nil, tree: "", policy: configuration.policy).signoff
            let found = there.approvals.contains {
                $0.decision == .approve && $0.reviewer.lowercased() == approval.reviewer.lowercased()
            }
            if !found { report.approvals[index].notPushed = true }
        }
    }

    private func judgeWithRecords(_ id: ObjectID, facts: CommitFacts, mode: EnforcementMode) throws -> CommitReport {
        guard let records, !records.tips.isEmpty else { return evaluator.judge(facts, mode: mode) }
        let policy = configuration.policy
        try records.load(commit: id)
        let (signoff, notes) = records.index.signoff(commit: facts.id, patchID: nil, tree: facts.tree, policy: policy)
        let report = evaluator.judge(facts, signoff: signoff, signoffNotes: notes, mode: mode)
        // Done when nothing is missing and nothing counted: records elsewhere could only add.
        // A commit that passes on approvals or gates is read again with every note, since a
        // later rejection of the same patch-id, or a failed gate on the same tree, recorded
        // on another commit, takes them back.
        if report.missing.isEmpty && report.approvals.isEmpty && signoff.passedGates.isEmpty { return report }
        try records.prepare(commit: id, patchID: nil, tree: facts.tree)
        let patchID = records.index.hasApprovals ? try Self.patchID(of: id, in: repository) : nil
        if patchID != nil { try records.prepare(commit: id, patchID: patchID, tree: facts.tree) }
        // A decision carried over a rebase is dated against the commit it names.
        let (more, moreNotes) = records.index.signoff(
            commit: facts.id, patchID: patchID, tree: facts.tree, policy: policy,
            committerTime: { [repository] hex in
                ObjectID(hex: hex).flatMap { repository.contains($0) ? try? repository.commit($0).committer.time : nil }
            })
        return evaluator.judge(facts, signoff: more, signoffNotes: moreNotes, mode: mode)
    }

    /// The patch-id an approval binds to (see `PatchBinding`).
    static func patchID(of id: ObjectID, in repository: Repository) throws -> String {
        let commit = try repository.commit(id)
        let parentTree = try commit.parents.first.map { try repository.tree(ofCommit: $0) }
        let modes = try repository.changes(from: parentTree, to: commit.tree, contents: false, maxDepth: Limits.treeDepth).map {
            PatchBinding.ModeChange(path: $0.newPath.isEmpty ? $0.oldPath : $0.newPath, oldMode: $0.oldMode, newMode: $0.newMode)
        }
        let patchID = try repository.patchID(of: id, maxDepth: Limits.treeDepth, whitespace: .kept)
        return PatchBinding.patchID(gitPatchID: patchID.hex, modeChanges: modes)
    }
}
