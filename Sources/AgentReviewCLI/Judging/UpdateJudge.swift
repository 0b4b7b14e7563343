import AgentReviewCore
import AgentReviewGit

/// Judges one ref update the way the server does, wherever it runs.
enum UpdateJudge {
    /// Judges the commits an update brings to its ref in `mode`, handing each report to
    /// `add`; returns why nothing was judged when nothing was. For an update, the commits
    /// not reachable from OLD; for a new ref (or an OLD this repository lacks), those not
    /// reachable from any other known ref judged at least as strictly — so a commit parked on
    /// a warn-mode branch or a tag is judged when it reaches an enforced ref. `ownRefs` are
    /// the refs that never hide anything: the updated ref itself and, for `check` without a
    /// ref, the branches NEW is the tip of. A deletion brings nothing; a tag of a tree or
    /// blob brings nothing.
    ///
    /// The trust root only moves forward: deleting it, or rewinding it to an older policy,
    /// is refused (a person with access to the server can still move it by hand).
    static func judge(
        _ update: RefUpdate, mode: EnforcementMode, in repository: Repository, configuration: TrustedConfiguration,
        modes: RefModes, knownRefs: [KnownRef], ownRefs: Set<String>? = nil, records: RecordSource?,
        add: (CommitReport) throws -> Void
    ) throws -> String? {
        let ref = update.ref ?? "the ref"
        guard mode != .off else { return "\(ref) is in off mode: not judged" }
        if try modes.writesRoot(update.ref) {
            if update.new.isZero {
                throw CLIError("\(ref) holds the trust root (the policy every push is judged by): it cannot be deleted")
            }
            if !update.old.isZero, update.old != update.new, repository.contains(update.old),
               !(try repository.isAncestor(update.old, of: update.new)) {
                throw CLIError(
                    "\(ref) holds the trust root (the policy every push is judged by): it only moves forward, and this push would rewind it; merge or revert instead")
            }
        }
        guard !update.new.isZero else { return "a deletion brings no commits" }
        guard let tip = try repository.peelToCommit(update.new) else {
            return "\(update.new.hex.prefix(12)) is not a commit (a tag of a tree or blob brings no commits)"
        }
        var hiding = [KnownRef]()
        if !update.old.isZero, repository.contains(update.old) {
            hiding = [KnownRef(name: "OLD \(update.old.hex.prefix(12))", commit: try repository.peelToCommit(update.old) ?? update.old)]
        } else {
            let own = ownRefs ?? Set([update.ref].compactMap { $0 })
            for known in knownRefs where !own.contains(known.name) {
                if try modes.mode(for: known.name) >= mode { hiding.append(known) }
            }
        }
        let walk = try repository.walk(from: [tip], hiding: hiding.map(\.commit))
        var judged = 0
        try Judge(repository: repository, configuration: configuration, records: records)
            .judge(walk, mode: mode, base: nil) { report in
                judged += 1
                try add(report)
            }
        guard judged == 0 else { return nil }
        return try Self.holders(of: tip, among: hiding, in: repository)
    }

    /// Why a walk from `tip` met no commit: the refs that already hold it, at most three
    /// named (those at `tip` itself first; each other one costs a walk).
    static func holders(of tip: ObjectID, among refs: [KnownRef], in repository: Repository) throws -> String {
        if let old = refs.first, old.name.hasPrefix("OLD "), refs.count == 1 {
            return "every commit is already in the history of \(old.name)"
        }
        var names = refs.filter { $0.commit == tip }.map(\.name)
        for known in refs where names.count < 3 && known.commit != tip {
            if try repository.isAncestor(tip, of: known.commit) { names.append(known.name) }
        }
        guard !names.isEmpty else { return "every commit is already on another ref" }
        return "every commit is already on \(names.prefix(3).joined(separator: ", ")), judged at least as strictly"
    }
}
