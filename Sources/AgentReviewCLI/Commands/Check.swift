import AgentReviewCore
import AgentReviewGit
import ArgumentParser

extension AgentReviewCommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Judge one ref update as the server would.",
            discussion: """
                OLD may be all zeros (a new ref: every commit reachable from NEW that no other ref judged at
                least as strictly already holds). NEW all zeros is a deletion. The policy is read from OLD,
                for a new ref from the default branch, or from `git config agentreview.policy`.
                Exit 0 pass, 1 blocked, 2 error.
                """)

        @Argument(help: "The ref's current value (40 hex digits, all zeros for a new ref) or a revision.")
        var old: String

        @Argument(help: "The proposed value (all zeros for a deletion) or a revision.")
        var new: String

        @Option(help: "The ref being updated; decides the mode (enforce, warn, off).")
        var ref: String?

        @OptionGroup var options: CommonOptions

        func run() throws {
            try guarded {
                let repository = try options.openRepository()
                let oldID = try Self.resolve(old, in: repository)
                let newID = try Self.resolve(new, in: repository)
                let pinned = try repository.configString("agentreview.policy")
                let base = try TrustedBase.forUpdate(old: oldID, ref: ref, in: repository)
                let configuration = try TrustedBase.load(from: base, in: repository, policyFile: options.policy ?? pinned)
                let mode = ref.map { configuration.policy.mode(for: $0).mode } ?? configuration.policy.defaultMode

                var commits = [CommitReport]()
                if !newID.isZero, let tip = try repository.peelToCommit(newID) {
                    let walk: RevisionWalk
                    if oldID.isZero {
                        let hidden = try UpdateRange.strictRefs(
                            atLeast: mode, policy: configuration.policy, in: repository, except: ref)
                        walk = try repository.walk(from: [tip], hiding: hidden)
                    } else {
                        walk = try repository.walk(from: [tip], hiding: [try repository.peelToCommit(oldID) ?? oldID])
                    }
                    let judge = Judge(repository: repository, configuration: configuration)
                    commits = try judge.judge(walk, mode: mode, base: nil)
                }
                let judgement = Judgement(ref: ref, mode: mode, policy: configuration.source, commits: commits)
                return try emit(judgement, json: options.json, title: "check \(ref ?? "\(old)..\(new)")")
            }
        }

        static func resolve(_ spec: String, in repository: Repository) throws -> ObjectID {
            if let id = ObjectID(hex: spec) {
                guard id.isZero || repository.contains(id) else { throw CLIError("\(spec): no such object in this repository") }
                return id
            }
            return try repository.resolveCommit(spec)
        }
    }
}

enum UpdateRange {
    /// The tips of the branches and tags judged at least as strictly as `mode`: what a
    /// new ref's commits need not be judged again for.
    static func strictRefs(atLeast mode: EnforcementMode, policy: Policy, in repository: Repository, except: String?) throws -> [ObjectID] {
        var tips = [ObjectID]()
        for name in try repository.referenceNames(matching: "refs/*")
        where name != except && (name.hasPrefix("refs/heads/") || name.hasPrefix("refs/tags/"))
            && policy.mode(for: name).mode >= mode {
            if let target = try repository.referenceTarget(name), let commit = try repository.peelToCommit(target) {
                tips.append(commit)
            }
        }
        return tips
    }
}
