import AgentReviewCore
import AgentReviewGit
import ArgumentParser

extension AgentReviewCommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Judge one ref update as the server would.",
            discussion: """
                OLD may be all zeros (a new ref: every commit reachable from NEW that no other ref judged at
                least as strictly already holds; without --ref, the branches NEW is the tip of hide nothing).
                NEW all zeros is a deletion. The policy is read from the trust root as the server has it: in a
                clone, the remote's copy (origin's default branch or agentreview.policyRef), never a local branch;
                in a bare repository or one with no remote, its own root ref; OLD when REF is the root itself. Or
                from `git config agentreview.policy`.
                Exit 0 pass, 1 blocked, 2 error or usage error.
                """)

        @Argument(help: "The ref's current value (40 hex digits, all zeros for a new ref) or a revision.")
        var old: String

        @Argument(help: "The proposed value (all zeros for a deletion) or a revision.")
        var new: String

        @Option(help: "The ref being updated; decides the mode (enforce, warn, off).")
        var ref: String?

        @Flag(help: "Also append the judgement to this repository's audit log, as the server hook does.")
        var audit = false

        @OptionGroup var options: CommonOptions

        func run() throws {
            let stream = JudgementStream.forCommand(json: options.json)
            judge(into: stream)
            let status = stream.finish().status
            if status != 0 { throw ExitCode(status) }
        }

        func judge(into stream: JudgementStream) {
            let title = "check \(ref ?? "\(old)..\(new)")"
            let repository: Repository
            let update: RefUpdate
            let configuration: TrustedConfiguration
            let modes: RefModes
            let mode: EnforcementMode
            do {
                repository = try options.openRepository()
                let oldID = try Self.resolve(old, in: repository)
                let newID = try Self.resolve(new, in: repository)
                let pinned = try repository.configString("agentreview.policy")
                let root = try Self.root(in: repository)
                var base = root.base
                // The root's value before this very update, as the server would read it.
                if let ref, ref == root.ref, !oldID.isZero { base = TrustedBase(commit: oldID, name: ref) }
                if base == nil, options.policy == nil, pinned == nil, !repository.isBare,
                   try TrustedBase.hasRemoteTrackingRefs(in: repository) {
                    throw CLIError(
                        "no trusted base: this clone has no copy of \(root.remote ?? "origin")'s \(root.ref ?? "default branch") to read the policy from (its local branches are not trusted): \(TrustedBase.fetchHint(remote: root.remote, ref: root.ref)), or pass --policy FILE")
                }
                configuration = try TrustedBase.load(from: base, in: repository, policyFile: options.policy ?? pinned)
                modes = RefModes(policy: configuration.policy, root: root.ref, symbolicRefs: repository)
                mode = try modes.mode(for: ref)
                update = RefUpdate(old: oldID, new: newID, ref: ref)
                if audit {
                    guard let sink = try AuditSink.configured(in: repository, source: "check", configuration: configuration) else {
                        throw CLIError("--audit: the audit log is off in this repository (git config agentreview.audit false)")
                    }
                    stream.attach(sink)
                }
            } catch {
                stream.fail(ref: ref, heading: Heading(title), error)
                return
            }
            stream.judge(ref: ref, update: update, mode: mode, configuration: configuration, title: title) { add in
                let knownRefs = try KnownRef.serverRefs(in: repository)
                let records = try SignoffRecords.index(
                    notesCommits: [try repository.referenceTarget(SignoffRecords.notesRef)], in: repository,
                    configuration: configuration)
                do {
                    return try UpdateJudge.judge(
                        update, mode: mode, in: repository, configuration: configuration, modes: modes, knownRefs: knownRefs,
                        ownRefs: ref == nil ? try ownRefs(of: update.new, among: knownRefs, in: repository) : nil,
                        records: records, add: add)
                } catch {
                    let judging = update.old.isZero ? "the commits \(new) brings" : "\(old)..\(new)"
                    throw Shallow.explained(error, judging: judging, reaching: update.old.isZero ? nil : old)
                }
            }
        }

        /// The root as the server has it, never a ref in the range being judged. In a clone
        /// (anything fetched from a remote): the remote's copy only — origin's, else the one
        /// local work uses — since a local branch such as a checked-out main may hold the very
        /// commits being judged, a loosened policy among them. In a bare repository, or one with
        /// no remote, this repository is the server: its own root ref.
        static func root(in repository: Repository) throws -> (remote: String?, ref: String?, base: TrustedBase?) {
            if try repository.isBare || !TrustedBase.hasRemoteTrackingRefs(in: repository) {
                let own = try TrustedBase.root(in: repository)
                return (nil, own.ref, own.base)
            }
            let origin = try TrustedBase.root(ofRemote: "origin", in: repository)
            if origin.base != nil { return ("origin", origin.ref, origin.base) }
            return try TrustedBase.remoteRootForLocalWork(in: repository)
        }

        /// Without `--ref`, the refs NEW is the tip of, and the branch a revision such as
        /// `HEAD~2` starts from: the branch a person means, which would otherwise hide every
        /// commit on it.
        private func ownRefs(of new: ObjectID, among knownRefs: [KnownRef], in repository: Repository) throws -> Set<String> {
            guard !new.isZero else { return [] }
            let tip = try repository.peelToCommit(new)
            var own = Set(knownRefs.filter { $0.commit == tip }.map(\.name))
            // The ref a revision such as `HEAD~2` or `main^` starts from.
            let start = String(self.new.prefix { !"~^@:".contains($0) })
            if start == "HEAD", let branch = try repository.symbolicTarget("HEAD") { own.insert(branch) }
            for name in [start, "refs/heads/\(start)", "refs/tags/\(start)"] where name.hasPrefix("refs/") {
                own.insert(name)
            }
            return own
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
