import AgentReviewCore
import AgentReviewGit
import ArgumentParser
import Foundation

extension AgentReviewCommand {
    /// The client hook: the server's answer, before the push leaves the machine.
    struct PrePush: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pre-push",
            abstract: "Judge what a push would send (stdin: LOCALREF LOCALSHA REMOTEREF REMOTESHA lines).",
            discussion: """
                Commits already on the remote's tracking refs are not judged again. The policy is read from the
                remote's trust root as last fetched (its copy of agentreview.policyRef, else the remote's default branch).
                Exit 0 lets the push go, 1 stops it (sign-off missing), 2 stops it (error).
                """)

        @Argument(help: "The remote's name (or its URL when pushing to a URL).")
        var remote: String

        @Argument(help: "The remote's URL.")
        var url: String?

        @Flag(help: "Print the judgements as JSON (an array, one object per ref).")
        var json = false

        func run() throws {
            let stream = JudgementStream.forHook(
                json: json, refusal: "push stopped",
                closing: "push stopped before it left. Supply what is missing above, then push again (approvals given in other clones arrive with `agentreview sync`).")
            judge(input: readStandardInput(), into: stream)
            let status = stream.finish().status
            if status != 0 { throw ExitCode(status) }
        }

        private struct Line {
            var local: ObjectID
            var ref: String
            var remote: ObjectID
        }

        /// The server's checks of a notes update (`NotesGuard`), against what the remote has.
        private func checkNotes(_ pushed: Line, root: TrustedBase?, pinned: String?, in repository: Repository) throws {
            guard root != nil || pinned != nil else {
                throw CLIError("no policy to check the approvals by: run `git fetch \(remote)` and push again")
            }
            if !pushed.remote.isZero, !repository.contains(pushed.remote) {
                throw CLIError("\(remote) has approvals this clone has not seen: run `agentreview sync`, then push again")
            }
            let configuration = try TrustedBase.load(from: root, in: repository, policyFile: pinned)
            try NotesGuard.check(
                RefUpdate(old: pushed.remote, new: pushed.local, ref: SignoffRecords.notesRef), in: repository,
                configuration: configuration)
        }

        func judge(input: String, into stream: JudgementStream) {
            let repository: Repository
            let knownRefs: [KnownRef]
            let pinned: String?
            let root: (ref: String?, base: TrustedBase?)
            var lines = [Line]()
            var notesTips = [ObjectID?]()
            do {
                repository = try Repository.open(FileManager.default.currentDirectoryPath)
                try HookTimeLimit.start(in: repository, refusal: "push stopped")
                knownRefs = try KnownRef.trackingRefs(of: remote, in: repository)
                pinned = try repository.configString("agentreview.policy")
                root = try TrustedBase.root(ofRemote: remote, in: repository)
                for line in input.split(separator: "\n") {
                    let fields = line.split(separator: " ")
                    guard fields.count == 4, let local = ObjectID(hex: String(fields[1])),
                          let remoteID = ObjectID(hex: String(fields[3]))
                    else {
                        throw CLIError("unreadable pre-push line \"\(line.prefix(200))\": expected LOCALREF LOCALSHA REMOTEREF REMOTESHA")
                    }
                    lines.append(Line(local: local, ref: String(fields[2]), remote: remoteID))
                }
                // The server counts approvals it has and approvals pushed with the branch: so does this.
                notesTips = [try repository.referenceTarget(SignoffRecords.remoteCopy(of: remote))]
                if let pushed = lines.first(where: { $0.ref == SignoffRecords.notesRef }), !pushed.local.isZero {
                    notesTips.append(pushed.local)
                }
            } catch {
                stream.fail(ref: nil, heading: Heading("agentreview"), error)
                return
            }
            // Approvals pushed along are checked as the server will check them: a record it
            // would refuse stops the push here, not after the branch was reported to pass.
            if let pushed = lines.first(where: { $0.ref == SignoffRecords.notesRef }) {
                do {
                    try checkNotes(pushed, root: root.base, pinned: pinned, in: repository)
                } catch {
                    stream.fail(ref: SignoffRecords.notesRef, heading: Heading("agentreview \(SignoffRecords.notesRef) → \(remote)"), error)
                    return
                }
            }
            for line in lines where line.ref != SignoffRecords.notesRef {
                let title = "agentreview \(line.ref) → \(remote)"
                // A remote sha this repository lacks (someone pushed first) cannot hide anything.
                let old = repository.contains(line.remote) ? line.remote : .zero
                let configuration: TrustedConfiguration
                let modes: RefModes
                let mode: EnforcementMode
                do {
                    // The root as the remote has it; when this push updates the root, its value there now.
                    var base = root.base
                    if line.ref == root.ref, !old.isZero { base = TrustedBase(commit: old, name: "\(remote):\(line.ref)") }
                    if base == nil && pinned == nil {
                        throw CLIError(
                            "no policy to judge by: this repository has no copy of \(remote)'s \(root.ref ?? "default branch"); run `git fetch \(remote)` (or `git remote set-head \(remote) --auto`) and push again")
                    }
                    configuration = try TrustedBase.load(from: base, in: repository, policyFile: pinned)
                    modes = RefModes(policy: configuration.policy, root: root.ref, symbolicRefs: nil)
                    mode = try modes.mode(for: line.ref)
                } catch {
                    stream.fail(ref: line.ref, heading: Heading(title), error)
                    continue
                }
                let update = RefUpdate(old: old, new: line.local, ref: line.ref)
                stream.judge(ref: line.ref, mode: mode, configuration: configuration, title: title) { add in
                    let records = try SignoffRecords.index(notesCommits: notesTips, in: repository, configuration: configuration)
                    return try UpdateJudge.judge(
                        update, mode: mode, in: repository, configuration: configuration, modes: modes,
                        knownRefs: knownRefs, records: records, add: add)
                }
            }
        }
    }
}
