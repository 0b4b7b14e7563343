import AgentReviewCore
import AgentReviewGit
import ArgumentParser

extension AgentReviewCommand {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Judge the commits on HEAD that are not on its upstream (or a given range).",
            discussion: """
                With no range: HEAD's commits not on its upstream, else not on any remote-tracking ref.
                RANGE is A..B (B's commits not on A) or a single revision used in place of HEAD.
                The policy is read from the upstream (the trusted base); --base or --policy override it.
                Exit 0 when everything passes, 1 when something is blocked, 2 on error.
                """)

        @Argument(help: "A..B, or a revision to use instead of HEAD.")
        var range: String?

        @Option(help: "Read the policy from this revision instead of the upstream.")
        var base: String?

        @OptionGroup var options: CommonOptions

        func run() throws {
            try guarded {
                let repository = try options.openRepository()
                let trustedBase = try TrustedBase.forLocalWork(in: repository, explicit: base)
                let configuration = try TrustedBase.load(from: trustedBase, in: repository, policyFile: options.policy)

                let walk: RevisionWalk
                if let range, let dots = range.range(of: "..") {
                    let from = String(range[..<dots.lowerBound]), to = String(range[dots.upperBound...])
                    guard !to.hasPrefix("."), !from.isEmpty, !to.isEmpty else {
                        throw CLIError("range \(range): use A..B (both ends named)")
                    }
                    walk = try repository.walk(
                        from: [try repository.resolveCommit(to)], hiding: [try repository.resolveCommit(from)])
                } else {
                    let tip = try repository.resolveCommit(range ?? "HEAD")
                    if let trustedBase, trustedBase.name.hasPrefix("refs/remotes/"), base == nil {
                        walk = try repository.walk(from: [tip], hiding: [trustedBase.commit])
                    } else {
                        walk = try repository.walk(from: [tip], hidingGlobs: ["refs/remotes/*"])
                    }
                }
                let ref = try destinationRef(in: repository)
                let mode = ref.map { configuration.policy.mode(for: $0).mode } ?? configuration.policy.defaultMode
                let records = try SignoffRecords.index(
                    notesCommits: try SignoffRecords.localTips(in: repository), in: repository, configuration: configuration)
                let judge = Judge(repository: repository, configuration: configuration, records: records)
                let writer = JudgementWriter(
                    json: options.json, title: "status \(ref ?? "(no branch)")", ref: ref, mode: mode,
                    configuration: configuration)
                try judge.judge(walk, mode: mode, base: base == nil ? nil : trustedBase, into: writer)
                return try writer.finish() == .blocked ? 1 : 0
            }
        }

        /// The ref a push of HEAD would update: the upstream's branch on the remote
        /// (`branch.NAME.merge`), else HEAD's own branch.
        private func destinationRef(in repository: Repository) throws -> String? {
            guard let branch = try repository.symbolicTarget("HEAD") else { return nil }
            let short = branch.hasPrefix("refs/heads/") ? String(branch.dropFirst("refs/heads/".count)) : branch
            return try repository.configString("branch.\(short).merge") ?? branch
        }
    }
}
