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
                Before anything is pushed, the working tree's .agentreview/ is read instead (said on stderr).
                Exit 0 when everything passes, 1 when something is blocked, 2 on error.
                """)

        @Argument(help: "A..B, or a revision to use instead of HEAD.")
        var range: String?

        @Option(help: "Read the policy from this revision instead of the upstream.")
        var base: String?

        @OptionGroup var options: CommonOptions

        func run() throws {
            let stream = JudgementStream.forCommand(json: options.json)
            judge(into: stream)
            let status = stream.finish().status
            if status != 0 { throw ExitCode(status) }
        }

        func judge(into stream: JudgementStream) {
            var title = "status"
            let repository: Repository
            let configuration: TrustedConfiguration
            let trustedBase: TrustedBase?
            let walk: RevisionWalk
            let ref: String?
            let mode: EnforcementMode
            let modes: RefModes
            let hiddenBy: String
            do {
                repository = try options.openRepository()
                ref = try destinationRef(in: repository)
                title = "status \(ref ?? "(no branch)")"
                let root = try TrustedBase.rootForLocalWork(in: repository)
                trustedBase = try base.map { TrustedBase(commit: try repository.resolveCommit($0), name: $0) } ?? root.base
                if trustedBase == nil && options.policy == nil {
                    configuration = try WorkingTreePolicy.load(in: repository)
                } else {
                    configuration = try TrustedBase.load(from: trustedBase, in: repository, policyFile: options.policy)
                }
                if let range, let dots = range.range(of: "..") {
                    let from = String(range[..<dots.lowerBound]), to = String(range[dots.upperBound...])
                    guard !to.hasPrefix("."), !from.isEmpty, !to.isEmpty else {
                        throw CLIError("range \(range): use A..B (both ends named)")
                    }
                    walk = try repository.walk(
                        from: [try repository.resolveCommit(to)], hiding: [try repository.resolveCommit(from)])
                    hiddenBy = "every commit of \(to) is already in \(from)"
                } else {
                    let tip = try repository.resolveCommit(range ?? "HEAD")
                    if let trustedBase, trustedBase.name.hasPrefix("refs/remotes/"), base == nil {
                        walk = try repository.walk(from: [tip], hiding: [trustedBase.commit])
                        hiddenBy = "every commit of \(range ?? "HEAD") is already on \(trustedBase.name)"
                    } else {
                        walk = try repository.walk(from: [tip], hidingGlobs: ["refs/remotes/*"])
                        hiddenBy = "every commit of \(range ?? "HEAD") is already on a remote-tracking ref"
                    }
                }
                // The root branch is judged as strictly as the server judges it.
                modes = RefModes(policy: configuration.policy, root: root.ref, symbolicRefs: nil)
                mode = try modes.mode(for: ref)
            } catch {
                stream.fail(ref: nil, heading: Heading(title), error)
                return
            }
            stream.judge(ref: ref, mode: mode, configuration: configuration, title: title) { add in
                let records = try SignoffRecords.index(
                    notesCommits: try SignoffRecords.localTips(in: repository), in: repository, configuration: configuration)
                // What the remotes already have: an approval found only here is marked "not pushed yet".
                let published = try SignoffRecords.index(
                    notesCommits: try SignoffRecords.remoteTips(in: repository), in: repository, configuration: configuration)
                let judge = Judge(repository: repository, configuration: configuration, records: records, published: published)
                try judge.judge(walk, mode: mode, base: base == nil ? nil : trustedBase, add: add)
                return hiddenBy
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
