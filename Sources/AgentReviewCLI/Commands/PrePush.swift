import AgentReviewCore
import AgentReviewGit
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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

                Under the pre-commit framework (a `stages: [pre-push]` hook, see .pre-commit-hooks.yaml), which
                passes hooks neither git's stdin nor its arguments: when stdin is empty and PRE_COMMIT_REMOTE_BRANCH
                is set, the update is built from PRE_COMMIT_REMOTE_NAME (the remote, unless given), PRE_COMMIT_TO_REF
                (else PRE_COMMIT_LOCAL_BRANCH resolved) and PRE_COMMIT_FROM_REF, taken as the remote's old value
                only when it is the clone's tracking copy of that ref (else the ref is judged as new, against
                every tracking ref, as when git names a remote sha this clone lacks). pre-commit hands hooks one
                ref per push, the first with new commits: push refs one at a time, or use `agentreview install`.
                """)

        @Argument(help: "The remote's name (or its URL when pushing to a URL); under pre-commit, PRE_COMMIT_REMOTE_NAME.")
        var remote: String?

        @Argument(help: "The remote's URL.")
        var url: String?

        @Flag(help: "Print the judgements as JSON (an array, one object per ref).")
        var json = false

        /// The remote is required unless pre-commit names it: a usage error, as for any missing argument.
        func validate() throws {
            if remote == nil, (ProcessInfo.processInfo.environment["PRE_COMMIT_REMOTE_NAME"] ?? "").isEmpty {
                throw ValidationError("Missing expected argument '<remote>' (under pre-commit, PRE_COMMIT_REMOTE_NAME names it)")
            }
        }

        func run() throws {
            let stream = JudgementStream.forHook(
                json: json, refusal: "push stopped",
                closing: "push stopped before it left. Supply what is missing above, then push again (approvals given in other clones arrive with `agentreview sync`).")
            judge(input: try readStandardInput(), environment: ProcessInfo.processInfo.environment, into: stream)
            let status = stream.finish().status
            if status != 0 { throw ExitCode(status) }
        }

        private struct Line {
            var local: ObjectID
            var ref: String
            var remote: ObjectID
        }

        /// The server's checks of a notes update (`NotesGuard`), against what the remote has.
        private func checkNotes(_ pushed: Line, remote: String, root: TrustedBase?, pinned: String?, in repository: Repository) throws {
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

        /// pre-commit's update (`PRE_COMMIT_*`), as the line git would have written on stdin;
        /// nil when pre-commit set none. Its FROM_REF is the remote's value only when it is the
        /// tracking copy; otherwise it is the parent of the first commit not on the remote, so
        /// the ref is judged as new (everything not on the remote's tracking refs), as git's
        /// hook does with a remote sha this clone lacks.
        static func preCommitLine(environment: [String: String], remote: String, in repository: Repository) throws -> String? {
            func value(_ name: String) -> String? {
                guard let text = environment[name]?.trimming(.whitespacesAndNewlines), !text.isEmpty else { return nil }
                return text
            }
            guard let remoteRef = value("PRE_COMMIT_REMOTE_BRANCH") else { return nil }
            let local = value("PRE_COMMIT_LOCAL_BRANCH") ?? "HEAD"
            let new: ObjectID
            if let to = value("PRE_COMMIT_TO_REF") {
                new = try ObjectID(hex: to) ?? repository.resolveCommit(to)
            } else {
                // pre-commit sets no range when the push brings a root commit (a whole history).
                new = try repository.resolveCommit(local)
            }
            var old = ObjectID.zero
            if let from = value("PRE_COMMIT_FROM_REF"), let fromID = ObjectID(hex: from) ?? (try? repository.resolveCommit(from)) {
                let tracking: String?
                if remoteRef == SignoffRecords.notesRef {
                    tracking = SignoffRecords.remoteCopy(of: remote)
                } else if remoteRef.hasPrefix("refs/heads/") {
                    tracking = "refs/remotes/\(remote)/" + remoteRef.dropFirst("refs/heads/".count)
                } else {
                    tracking = nil
                }
                if let tracking, try repository.referenceTarget(tracking) == fromID { old = fromID }
            }
            return "\(local) \(new.hex) \(remoteRef) \(old.hex)\n"
        }

        func judge(input: String, environment: [String: String] = [:], into stream: JudgementStream) {
            let remote = self.remote ?? environment["PRE_COMMIT_REMOTE_NAME"] ?? ""
            let repository: Repository
            let knownRefs: [KnownRef]
            let pinned: String?
            let root: (ref: String?, base: TrustedBase?)
            var lines = [Line]()
            var notesTips = [ObjectID?]()
            do {
                repository = try Repository.open(FileManager.default.currentDirectoryPath)
                try HookTimeLimit.start(in: repository, refusal: "push stopped")
                guard !remote.isEmpty else {
                    throw CLIError("no remote: give REMOTE (git passes it to the hook), or run under pre-commit, which sets PRE_COMMIT_REMOTE_NAME")
                }
                knownRefs = try KnownRef.trackingRefs(of: remote, in: repository)
                pinned = try repository.configString("agentreview.policy")
                root = try TrustedBase.root(ofRemote: remote, in: repository)
                var input = input
                if input.trimming(.whitespacesAndNewlines).isEmpty,
                   let line = try Self.preCommitLine(environment: environment, remote: remote, in: repository) {
                    input = line
                }
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
                    try checkNotes(pushed, remote: remote, root: root.base, pinned: pinned, in: repository)
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
