import AgentReviewCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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
    /// Judge each commit as of when it was pushed, not now (for metrics over a history): at
    /// its committer date, or at its latest override's date when it has overrides (as if
    /// pushed with it). A contract then expires, and an override grows old, as they did then.
    var historical = false

    /// - Parameter now: the time of the judgement (a push's): contracts expire and overrides
    ///   grow old against it.
    init(
        repository: Repository, configuration: TrustedConfiguration, records: RecordSource? = nil, published: RecordSource? = nil,
        now: Date = Date()
    ) {
        self.repository = repository
        self.configuration = configuration
        self.evaluator = Evaluator(
            policy: configuration.policy, owners: configuration.owners, signersListed: !configuration.signers.entries.isEmpty,
            reviewers: configuration.signers.listedPrincipals(for: SignedRecord.namespace), contracts: configuration.contracts,
            now: now)
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
        try judge(walk, mode: mode, base: base, using: gatherer) { try add($0.report) }
    }

    /// One commit judged, with what it was judged on.
    struct Judged {
        /// The commit object, as read (its changes are in `facts`).
        var commit: CommitObject
        /// The commit parsed (its message, for what it says about other commits).
        var info: CommitInfo
        var facts: CommitFacts
        var report: CommitReport
        /// The sign-off records the report was judged with (dated decisions, overrides).
        var signoff: Signoff
        var signoffNotes: [String]
    }

    /// As `judge(_:mode:base:add:)`, gathering with `gatherer` (its own contents and lines)
    /// and handing on what each commit was judged on.
    func judge(
        _ walk: RevisionWalk, mode: EnforcementMode, base: TrustedBase?, using gatherer: FactGatherer, add: (Judged) throws -> Void
    ) throws {
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
        func judged(_ gathered: FactGatherer.Gathered) throws -> Judged {
            let parsed = try gatherer.parsed(gathered)
            let (facts, report, signoff, notes) = try judgement(
                gathered.commit.id, facts: gatherer.facts(from: gathered, parsed: parsed), mode: mode)
            return Judged(commit: gathered.commit, info: parsed.info, facts: facts, report: report, signoff: signoff, signoffNotes: notes)
        }
        let first = try nextBatch(Self.sequentialLimit)
        guard first.count == Self.sequentialLimit else {
            for step in first { try add(try judged(try gatherer.gather(step))) }
            return
        }
        // Counting every commit's lines (metrics) keeps the workers busy and this thread idle:
        // a worker per core then.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let pipeline = try FactPipeline<Judged>(
            gatherer: gatherer, threads: gatherer.linesOver == -1 ? cores : max(1, cores - 1), finish: judgedOnWorker(mode: mode))
        try Self.pipelined(first: pipeline.start(first)) {
            let next = try nextBatch(Self.batchSize)
            return next.isEmpty ? nil : pipeline.start(next)
        } paths: { $0.gatheredPaths } judge: { batch in
            try batch.wait()
            // Each commit is handed back once judged, for the worker that made it to let go of.
            for index in 0..<batch.count {
                switch batch.take(index) {
                case .finished(let finished):
                    try add(finished)
                    batch.handBack(finished: finished, at: index, paths: finished.facts.changes.count)
                case .gathered(let gathered):
                    try add(try judged(gathered))
                    batch.handBack(gathered: gathered, at: index)
                }
            }
            pipeline.release(batch)
        }
    }

    /// Judges batches in the walk's order, `first` first, keeping up to `batchesAhead`
    /// started (`start`: the next batch, nil once the walk is done) ahead of the one judged,
    /// so that each thread has work while the other is held up: the worker on a commit of
    /// thousands of paths (a tree diff), this thread on judging one (no worker takes a commit
    /// past `workerPathLimit`). Fewer while those batches hold `pathsAhead` changed paths
    /// (`paths`), but always one. A walk that fails is reported after every batch walked
    /// before it is judged.
    static func pipelined<Batch>(
        first: Batch, start: () throws -> Batch?, paths: (Batch) -> Int, judge: (Batch) throws -> Void
    ) throws {
        var started = [first]
        var walking = true
        var walkFailure: (any Error)?
        while true {
            while walking, started.count < batchesAhead && started.reduce(0, { $0 + paths($1) }) < pathsAhead {
                do {
                    if let next = try start() { started.append(next) } else { walking = false }
                } catch {
                    walkFailure = error
                    walking = false
                }
            }
            guard !started.isEmpty else { break }
            try judge(started.removeFirst())
        }
        if let walkFailure { throw walkFailure }
    }

    /// How a worker judges a commit it has gathered, when its judgement depends on nothing
    /// but its facts: no sign-off records are read (with records, each commit's are loaded
    /// into an index only this thread may change), and it names no task contract (whose
    /// facts may be read with this thread's repository). Those commits are left to this
    /// thread, as is one the worker cannot parse (its error is then reported in order), and
    /// one that changes more than `workerPathLimit` paths: its facts and report, held until
    /// this thread reaches it, would be the largest allocations of the run.
    private func judgedOnWorker(mode: EnforcementMode) -> FactPipeline<Judged>.Finish? {
        if let records, !records.tips.isEmpty { return nil }
        let (evaluator, historical) = (evaluator, historical)
        return { gatherer, gathered in
            guard gathered.changes.count <= Self.workerPathLimit else { return nil }
            guard let parsed = try? gatherer.parsed(gathered) else { return nil }
            let facts = gatherer.facts(from: gathered, parsed: parsed)
            guard Evaluator.contractNames(facts.trailers).isEmpty else { return nil }
            let report = Self.evaluate(facts, by: evaluator, historical: historical, mode: mode, classified: gatherer.classified)
            return Judged(commit: gathered.commit, info: parsed.info, facts: facts, report: report, signoff: .none, signoffNotes: [])
        }
    }

    /// Up to this many commits are judged on one thread: threads cost more than they save.
    static let sequentialLimit = 64
    static let batchSize = 128
    static let workerPathLimit = 256
    /// Measured on ghostty's and libgit2's histories with a build that timed both threads'
    /// waits (`docs/performance.md`, ninth round): with one batch started ahead, the two
    /// threads waited 90–190 ms in all per run; with four, 4–110 ms. Each batch ahead holds
    /// its commits' gathered changes (and the reports of those a worker finished): 1–6 MiB
    /// more peak RSS on libgit2's history, and past 64 MiB with eight unbounded, so
    /// `pathsAhead` bounds them where the commits are large.
    static let batchesAhead = 4
    static let pathsAhead = 4_096

    /// Judges one commit with the sign-off its records give it: first the notes on the
    /// commit itself; only when something is still missing, every note (an approval given
    /// before a rebase with the same patch-id, an attestation given to another commit with
    /// the same tree). The patch-id (a diff with contents) is computed only then, and only
    /// when there are approvals at all.
    func judge(_ id: ObjectID, mode: EnforcementMode) throws -> CommitReport {
        try judge(id, facts: try gatherer.facts(for: id), mode: mode)
    }

    func judge(_ id: ObjectID, facts: CommitFacts, mode: EnforcementMode) throws -> CommitReport {
        try judgement(id, facts: facts, mode: mode).report
    }

    /// A commit's judgement and what it was made on: the facts with what its contract asks
    /// for, the records that counted, approvals not yet on the remote marked.
    private func judgement(
        _ id: ObjectID, facts: CommitFacts, mode: EnforcementMode
    ) throws -> (facts: CommitFacts, report: CommitReport, signoff: Signoff, notes: [String]) {
        let facts = try withContractFacts(facts, id: id)
        var (report, signoff, notes) = try judgeWithRecords(id, facts: facts, mode: mode)
        if let published, !report.approvals.isEmpty { try markUnpublished(&report, in: published) }
        return (facts, report, signoff, notes)
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

    private func judgeWithRecords(
        _ id: ObjectID, facts: CommitFacts, mode: EnforcementMode
    ) throws -> (report: CommitReport, signoff: Signoff, notes: [String]) {
        guard let records, !records.tips.isEmpty else { return (evaluate(facts, mode: mode), .none, []) }
        let policy = configuration.policy
        try records.load(commit: id)
        let (signoff, notes) = records.index.signoff(commit: facts.id, patchID: nil, tree: facts.tree, policy: policy)
        let report = evaluate(facts, signoff: signoff, notes: notes, mode: mode)
        // Done when nothing is missing and nothing counted: records elsewhere could only add.
        // A commit that passes on approvals or gates is read again with every note, since a
        // later rejection of the same patch-id, or a failed gate on the same tree, recorded
        // on another commit, takes them back.
        if report.missing.isEmpty && report.approvals.isEmpty && signoff.passedGates.isEmpty { return (report, signoff, notes) }
        try records.prepare(commit: id, patchID: nil, tree: facts.tree)
        let patchID = records.index.hasApprovals ? try Self.patchID(of: id, in: repository) : nil
        if patchID != nil { try records.prepare(commit: id, patchID: patchID, tree: facts.tree) }
        // A decision carried over a rebase is dated against the commit it names.
        let (more, moreNotes) = records.index.signoff(
            commit: facts.id, patchID: patchID, tree: facts.tree, policy: policy,
            committerTime: { [repository] hex in
                ObjectID(hex: hex).flatMap { repository.contains($0) ? try? repository.commit($0).committer.time : nil }
            })
        return (evaluate(facts, signoff: more, notes: moreNotes, mode: mode), more, moreNotes)
    }

    /// When a commit is judged (`historical`): as of its push, where the time matters (a
    /// commit that names a contract, or has overrides); nil: now, as this judge's evaluator.
    func historicalTime(of facts: CommitFacts, _ signoff: Signoff = .none) -> Date? {
        Self.historicalTime(of: facts, signoff, historical: historical)
    }

    private static func historicalTime(of facts: CommitFacts, _ signoff: Signoff, historical: Bool) -> Date? {
        guard historical, !signoff.overrides.isEmpty || !Evaluator.contractNames(facts.trailers).isEmpty else { return nil }
        if let latest = signoff.overrides.map(\.date).max() { return latest }
        return Date(timeIntervalSince1970: TimeInterval(facts.committerTime ?? facts.authorTime))
    }

    /// The evaluator's judgement, at the commit's historical time when that matters.
    /// Judges on this thread, whose gatherer's memo of classified paths it uses.
    private func evaluate(_ facts: CommitFacts, signoff: Signoff = .none, notes: [String] = [], mode: EnforcementMode) -> CommitReport {
        Self.evaluate(facts, by: evaluator, historical: historical, signoff: signoff, notes: notes, mode: mode, classified: gatherer.classified)
    }

    private static func evaluate(
        _ facts: CommitFacts, by evaluator: Evaluator, historical: Bool, signoff: Signoff = .none, notes: [String] = [],
        mode: EnforcementMode, classified: Classifier.Memo
    ) -> CommitReport {
        if let time = historicalTime(of: facts, signoff, historical: historical) {
            return evaluator.at(time).judge(facts, signoff: signoff, signoffNotes: notes, mode: mode, classified: classified)
        }
        return evaluator.judge(facts, signoff: signoff, signoffNotes: notes, mode: mode, classified: classified)
    }

    /// The facts a commit's task contract needs beyond what the policy made the gatherer
    /// read: blob contents (binary content, line counts) and git's rename detection, only
    /// for a commit that names one contract that asks for them.
    func withContractFacts(_ facts: CommitFacts, id: ObjectID) throws -> CommitFacts {
        let names = Evaluator.contractNames(facts.trailers)
        guard names.count == 1, case .found(let contract) = configuration.contracts.lookup(names[0]) else { return facts }
        var facts = facts
        if contract.needsContents, facts.changes.contains(where: { $0.isBinary == nil || $0.changedLines == nil }) {
            // Every line counted (a threshold below any count), binary content detected.
            let reader = FactGatherer(repository: repository, contents: true, linesOver: -1)
            facts.changes = try reader.changes(of: try repository.commitObject(id)).paths
        }
        if contract.needsRenames, facts.changes.contains(where: { $0.kind == .added }),
           facts.changes.contains(where: { $0.kind == .deleted }), let parent = facts.parents.first.flatMap(ObjectID.init(hex:)) {
            let pairs = try repository.renames(from: try repository.tree(ofCommit: parent), to: try repository.tree(ofCommit: id))
            facts.changes = Self.applying(pairs, to: facts.changes)
        }
        return facts
    }

    /// `changes` with each detected rename's deletion and addition made one `.renamed` change.
    /// Its line count is the deletion's and the addition's together (as without rename
    /// detection): never less than the edit.
    static func applying(_ pairs: [(old: [UInt8], new: [UInt8])], to changes: [PathChange]) -> [PathChange] {
        var changes = changes
        for (old, new) in pairs {
            guard let deleted = changes.firstIndex(where: { $0.kind == .deleted && $0.oldPath.bytes == old }),
                  let added = changes.firstIndex(where: { $0.kind == .added && $0.newPath.bytes == new })
            else { continue }
            let (from, to) = (changes[deleted], changes[added])
            var lines: Int?
            if let a = from.changedLines, let b = to.changedLines { lines = a + b }
            let binary: Bool? = if from.isBinary == true || to.isBinary == true { true }
                else if let a = from.isBinary, let b = to.isBinary { a || b } else { nil }
            changes[added] = PathChange(
                kind: .renamed, oldPath: from.oldPath, newPath: to.newPath, oldMode: from.oldMode, newMode: to.newMode,
                isBinary: binary, changedLines: lines)
            changes.remove(at: deleted)
        }
        return changes
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
