import AgentReviewCore
import AgentReviewGit
import ArgumentParser

extension AgentReviewCommand {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Judge the commits on HEAD that are not on its upstream (or a given range).",
            discussion: """
                With no range: HEAD's commits not on its upstream or the remote's copy of the trust root; with no
                upstream (a detached HEAD, a new branch), not on any of the remotes' tracking refs.
                RANGE is A..B (B's commits not on A) or a single revision used in place of HEAD.
                --ref REF names the ref the commits are for (in CI: the branch a pull request targets): its mode
                decides, as for check, and the commits judged are those not on the remote's copy of REF (for a new
                ref, not on any of its refs judged at least as strictly).
                The policy is read from the trust root as the remote has it (its default branch, never a local
                branch); --base or --policy override it. Before anything is fetched or pushed, the working tree's
                .agentreview/ is read instead (said on stderr).
                Exit 0 when everything passes, 1 when something is blocked, 2 on error or usage error.
                """)

        @Argument(help: "A..B, or a revision to use instead of HEAD.")
        var range: String?

        @Option(help: "Read the policy from this revision instead of the remote's trust root.")
        var base: String?

        @Option(help: "The ref the commits are destined for (refs/heads/main): decides the mode, as for check.")
        var ref: String?

        @OptionGroup var options: CommonOptions

        func run() throws {
            let stream = JudgementStream.forCommand(json: options.json)
            judge(into: stream)
            let status = stream.finish().status
            if status != 0 { throw ExitCode(status) }
        }

        /// What a walk hides, and how a run that judged nothing says so.
        private struct Hiding {
            var commits: [ObjectID]
            var names: [String]
            var why: String
        }

        func judge(into stream: JudgementStream) {
            var title = "status"
            let repository: Repository
            let configuration: TrustedConfiguration
            let trustedBase: TrustedBase?
            let walk: RevisionWalk
            let destination: String?
            let mode: EnforcementMode
            let modes: RefModes
            var hiding = Hiding(commits: [], names: [], why: "")
            let judging = range.map { "the commits of \($0)" } ?? "HEAD's commits"
            do {
                repository = try options.openRepository()
                if let ref, !ref.hasPrefix("refs/") {
                    throw CLIError("--ref \(ref): name the ref as the server does, such as refs/heads/\(ref)")
                }
                destination = try ref ?? destinationRef(in: repository)
                title = "status \(destination ?? "(no branch)")"
                let root = try TrustedBase.remoteRootForLocalWork(in: repository)
                trustedBase = try base.map { TrustedBase(commit: try repository.resolveCommit($0), name: $0) } ?? root.base
                configuration = try WorkingTreePolicy.load(orFrom: trustedBase, policyFile: options.policy, in: repository)
                // The root branch is judged as strictly as the server judges it.
                modes = RefModes(policy: configuration.policy, root: root.ref, symbolicRefs: nil)
                mode = try modes.mode(for: destination)
                let parsed = try range.map(RevisionRange.init)
                let tips = [try repository.resolveCommit(parsed?.to ?? "HEAD")]
                if let parsed, let from = parsed.from {
                    hiding = Hiding(
                        commits: [try repository.resolveCommit(from)], names: [from],
                        why: "every commit of \(parsed.to) is already in \(from)")
                } else {
                    hiding = try hidden(in: repository, remote: root.remote, rootCopy: root.base, modes: modes, mode: mode)
                }
                do {
                    walk = try repository.walk(from: tips, hiding: hiding.commits)
                } catch {
                    throw Shallow.explained(error, judging: judging, reaching: hiding.names.first)
                }
            } catch {
                stream.fail(ref: nil, heading: Heading(title), error)
                return
            }
            stream.judge(ref: destination, mode: mode, configuration: configuration, title: title) { add in
                let records = try SignoffRecords.index(
                    notesCommits: try SignoffRecords.localTips(in: repository), in: repository, configuration: configuration)
                // What the remotes already have: an approval found only here is marked "not pushed yet".
                let published = try SignoffRecords.index(
                    notesCommits: try SignoffRecords.remoteTips(in: repository), in: repository, configuration: configuration)
                let judge = Judge(repository: repository, configuration: configuration, records: records, published: published)
                do {
                    try judge.judge(walk, mode: mode, base: base == nil ? nil : trustedBase, add: add)
                } catch {
                    throw Shallow.explained(error, judging: judging, reaching: hiding.names.first)
                }
                return hiding.why
            }
        }

        /// What the remote already has, for a revision (HEAD) judged without a range.
        ///
        /// With `--ref`: the remote's copy of that ref, as a push of it would be judged; for a
        /// ref the remote does not have yet, its refs judged at least as strictly. Else HEAD's
        /// upstream and the remote's copy of the trust root; with no upstream (a detached HEAD,
        /// a new branch), every remote's tracking refs. Refs under `refs/remotes/` that belong
        /// to no configured remote (`refs/remotes/pull/1/merge` of a CI checkout, which is the
        /// commits under judgement) hide nothing.
        private func hidden(
            in repository: Repository, remote: String?, rootCopy: TrustedBase?, modes: RefModes, mode: EnforcementMode
        ) throws -> Hiding {
            let what = range ?? "HEAD"
            if let ref {
                let remote = remote ?? "origin"
                if ref.hasPrefix("refs/heads/") {
                    let copy = "refs/remotes/\(remote)/" + ref.dropFirst("refs/heads/".count)
                    if let target = try repository.referenceTarget(copy), let commit = try repository.peelToCommit(target) {
                        return Hiding(commits: [commit], names: [copy], why: "every commit of \(what) is already on \(copy)")
                    }
                }
                var hiding = Hiding(
                    commits: [], names: [],
                    why: "every commit of \(what) is already on a ref of \(remote) judged at least as strictly as \(ref)")
                for known in try KnownRef.trackingRefs(of: remote, in: repository) where known.name != ref {
                    if try modes.mode(for: known.name) >= mode {
                        hiding.commits.append(known.commit)
                        hiding.names.append("refs/remotes/\(remote)/" + known.name.dropFirst("refs/heads/".count))
                    }
                }
                return hiding
            }
            let branch: String? = if let range {
                try repository.referenceTarget("refs/heads/\(range)") != nil ? "refs/heads/\(range)" : nil
            } else {
                try repository.symbolicTarget("HEAD")
            }
            if let branch, let upstream = try repository.upstream(of: branch),
               let target = try repository.referenceTarget(upstream), let commit = try repository.peelToCommit(target) {
                var hiding = Hiding(commits: [commit], names: [upstream], why: "")
                if let rootCopy, rootCopy.name.hasPrefix("refs/remotes/"), rootCopy.name != upstream {
                    hiding.commits.append(rootCopy.commit)
                    hiding.names.append(rootCopy.name)
                }
                hiding.why = "every commit of \(what) is already on \(hiding.names.joined(separator: " or "))"
                return hiding
            }
            var hiding = Hiding(commits: [], names: [], why: "every commit of \(what) is already on a remote-tracking ref")
            // The root's copy first: the ref a shallow clone is asked to reach.
            if let rootCopy, rootCopy.name.hasPrefix("refs/remotes/") {
                hiding.commits.append(rootCopy.commit)
                hiding.names.append(rootCopy.name)
            }
            for name in try repository.referenceNames(matching: "refs/remotes/*") where !hiding.names.contains(name) {
                let parts = name.split(separator: "/", maxSplits: 3)
                guard parts.count == 4, parts[3] != "HEAD",
                      try repository.configString("remote.\(parts[2]).url") != nil,
                      let target = try repository.referenceTarget(name), let commit = try repository.peelToCommit(target)
                else { continue }
                hiding.commits.append(commit)
                hiding.names.append(name)
            }
            if hiding.names.count == 1 { hiding.why = "every commit of \(what) is already on \(hiding.names[0])" }
            return hiding
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
