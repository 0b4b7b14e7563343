import AgentReviewCore
import AgentReviewGit
import ArgumentParser

extension AgentReviewCommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Judge one ref update as the server would.",
            discussion: """
                OLD may be all zeros (a new ref: every commit reachable from NEW that no other ref judged at
                least as strictly already holds). NEW all zeros is a deletion. The policy is read from the trust
                root as the server has it (in a clone, origin's default branch or agentreview.policyRef; OLD when
                REF is the root itself), or from `git config agentreview.policy`.
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
                // The root as the server has it: in a clone, origin's copy; else this repository's.
                var root = try TrustedBase.root(ofRemote: "origin", in: repository)
                if repository.isBare || root.base == nil { root = try TrustedBase.root(in: repository) }
                var base = root.base
                // The root's value before this very update, as the server would read it.
                if let ref, ref == root.ref, !oldID.isZero { base = TrustedBase(commit: oldID, name: ref) }
                let configuration = try TrustedBase.load(from: base, in: repository, policyFile: options.policy ?? pinned)
                let modes = RefModes(policy: configuration.policy, root: root.ref, symbolicRefs: repository)
                let update = RefUpdate(old: oldID, new: newID, ref: ref)
                let writer = JudgementWriter(
                    json: options.json, title: "check \(ref ?? "\(old)..\(new)")", ref: ref,
                    mode: try modes.mode(for: ref), configuration: configuration)
                let verdict = try UpdateJudge.judge(
                    update, in: repository, configuration: configuration, modes: modes,
                    knownRefs: try KnownRef.serverRefs(in: repository),
                    records: try SignoffRecords.index(
                        notesCommits: [try repository.referenceTarget(SignoffRecords.notesRef)], in: repository,
                        configuration: configuration),
                    into: writer)
                return verdict == .blocked ? 1 : 0
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
