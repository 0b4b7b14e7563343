import AgentReviewCore
import AgentReviewGit
import ArgumentParser
import Foundation

extension AgentReviewCommand {
    struct Hook: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run as a git hook (the shims in hooks/ call these).",
            subcommands: [PreReceive.self, PrePush.self])
    }

    /// The server hook: the enforcement point nobody can skip.
    struct PreReceive: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pre-receive",
            abstract: "Judge every ref update of a push (stdin: OLD NEW REF lines); refuse it when enforced commits lack sign-off.",
            discussion: """
                The repository is opened from git's environment, so objects still in quarantine are seen.
                Nothing is written: no ref, note or object. Fails closed: in enforce mode any error refuses the push.
                Every ref is judged by one trust root: the policy, signers and owners at the current value of
                `git config agentreview.policyRef` (else the default branch), or the file named by
                `git config agentreview.policy`. A symbolic ref is judged by the stricter of its name and its target.
                """)

        @Flag(help: "Print the judgements as JSON.")
        var json = false

        func run() throws {
            let input = readStandardInput()
            let status = Self.judge(input: input, json: json)
            if status != 0 { throw ExitCode(status) }
        }

        /// Judges the push; returns the exit status. Every failure refuses the push, except
        /// a failure judging a ref whose policy puts it in warn or off mode.
        static func judge(input: String, json: Bool) -> Int32 {
            let repository: Repository
            let updates: [RefUpdate]
            let knownRefs: [KnownRef]
            let configuration: TrustedConfiguration
            let modes: RefModes
            do {
                updates = try input.split(separator: "\n").map { try RefUpdate(line: String($0)) }
                repository = try Repository.openFromEnvironment()
                try HookTimeLimit.start(in: repository, refusal: "push refused")
                knownRefs = try KnownRef.serverRefs(in: repository)
                // One trust root judges every ref of the push, warn or enforced, and the notes.
                let pinned = try repository.configString("agentreview.policy")
                let root = try TrustedBase.root(in: repository)
                if root.base == nil && pinned == nil {
                    throw CLIError(
                        "no policy to judge by: \(root.ref ?? "the default branch") has no commit yet; push its first commit before installing the hook, or pin one with `git config agentreview.policy FILE` on the server")
                }
                configuration = try TrustedBase.load(from: root.base, in: repository, policyFile: pinned)
                modes = RefModes(policy: configuration.policy, root: root.ref, symbolicRefs: repository)
            } catch {
                refuse("push refused: \(describe(error))")
                return 1
            }

            var refused = false
            var judged = 0
            if json { print("[", terminator: "") }
            // Approvals pushed with the branch count for it: check the notes update first.
            var notesTip: ObjectID?
            do {
                notesTip = try repository.referenceTarget(SignoffRecords.notesRef)
                if let update = updates.first(where: { $0.ref == SignoffRecords.notesRef }) {
                    try NotesGuard.check(update, in: repository, configuration: configuration)
                    notesTip = update.new
                }
            } catch {
                refuse("\(SignoffRecords.notesRef) refused: \(describe(error))")
                return 1
            }
            for update in updates where update.ref != SignoffRecords.notesRef {
                var mode = EnforcementMode.enforce
                do {
                    mode = try modes.mode(for: update.ref)
                    let records = try SignoffRecords.index(
                        notesCommits: [notesTip], in: repository, configuration: configuration)
                    if json && judged > 0 { print(",", terminator: "") }
                    judged += 1
                    let writer = JudgementWriter(
                        json: json, title: "agentreview \(update.ref ?? "")", ref: update.ref, mode: mode,
                        configuration: configuration, showEmpty: false)
                    let verdict = try UpdateJudge.judge(
                        update, in: repository, configuration: configuration, modes: modes, knownRefs: knownRefs,
                        records: records, into: writer)
                    if verdict == .blocked { refused = true }
                } catch {
                    if mode == .enforce {
                        refused = true
                        refuse("\(update.ref ?? "") refused: \(describe(error))")
                    } else {
                        printError("\(update.ref ?? ""): not judged (\(mode.rawValue) mode): \(describe(error))")
                    }
                }
            }
            if json { print("]") }
            if refused && !json {
                print("agentreview: push refused. Supply what is missing above, then push again.")
            }
            return refused ? 1 : 0
        }
    }

    /// The client hook: the server's answer, before the push leaves the machine.
    struct PrePush: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pre-push",
            abstract: "Judge what a push would send (stdin: LOCALREF LOCALSHA REMOTEREF REMOTESHA lines).",
            discussion: """
                Commits already on the remote's tracking refs are not judged again. The policy is read from the
                remote's trust root as last fetched (its copy of agentreview.policyRef, else the remote's default branch).
                """)

        @Argument(help: "The remote's name (or its URL when pushing to a URL).")
        var remote: String

        @Argument(help: "The remote's URL.")
        var url: String?

        @Flag(help: "Print the judgements as JSON.")
        var json = false

        func run() throws {
            let input = readStandardInput()
            var refused = false
            var judged = 0
            if json { print("[", terminator: "") }
            do {
                let repository = try Repository(path: FileManager.default.currentDirectoryPath)
                try HookTimeLimit.start(in: repository, refusal: "push stopped")
                let knownRefs = try KnownRef.trackingRefs(of: remote, in: repository)
                let pinned = try repository.configString("agentreview.policy")
                let root = try TrustedBase.root(ofRemote: remote, in: repository)
                var lines = [(local: ObjectID, ref: String, remote: ObjectID)]()
                for line in input.split(separator: "\n") {
                    let fields = line.split(separator: " ")
                    guard fields.count == 4, let local = ObjectID(hex: String(fields[1])),
                          let remoteID = ObjectID(hex: String(fields[3]))
                    else {
                        throw CLIError("unreadable pre-push line \"\(line.prefix(200))\": expected LOCALREF LOCALSHA REMOTEREF REMOTESHA")
                    }
                    lines.append((local, String(fields[2]), remoteID))
                }
                // The server counts approvals it has and approvals pushed with the branch: so does this.
                var notesTips = [try repository.referenceTarget(SignoffRecords.remoteCopy(of: remote))]
                if let pushed = lines.first(where: { $0.ref == SignoffRecords.notesRef }), !pushed.local.isZero {
                    notesTips.append(pushed.local)
                }
                for (local, ref, remoteID) in lines where ref != SignoffRecords.notesRef {
                    // A remote sha this repository lacks (someone pushed first) cannot hide anything.
                    let old = repository.contains(remoteID) ? remoteID : .zero
                    // The root as the remote has it; when this push updates the root, its value there now.
                    var base = root.base
                    if ref == root.ref, !old.isZero { base = TrustedBase(commit: old, name: "\(remote):\(ref)") }
                    if base == nil && pinned == nil {
                        throw CLIError(
                            "no policy to judge by: this repository has no copy of \(remote)'s \(root.ref ?? "default branch"); run `git fetch \(remote)` (or `git remote set-head \(remote) --auto`) and push again")
                    }
                    let configuration = try TrustedBase.load(from: base, in: repository, policyFile: pinned)
                    let modes = RefModes(policy: configuration.policy, root: root.ref, symbolicRefs: nil)
                    let records = try SignoffRecords.index(
                        notesCommits: notesTips, in: repository, configuration: configuration)
                    let update = RefUpdate(old: old, new: local, ref: ref)
                    if json && judged > 0 { print(",", terminator: "") }
                    judged += 1
                    let writer = JudgementWriter(
                        json: json, title: "agentreview \(ref) → \(remote)", ref: ref,
                        mode: try modes.mode(for: ref), configuration: configuration, showEmpty: false)
                    let verdict = try UpdateJudge.judge(
                        update, in: repository, configuration: configuration, modes: modes, knownRefs: knownRefs,
                        records: records, into: writer)
                    if verdict == .blocked { refused = true }
                }
            } catch {
                refuse("push stopped: \(describe(error))")
                throw ExitCode(1)
            }
            if json { print("]") }
            if refused {
                if !json { print("agentreview: push stopped before it left. Supply what is missing above, then push again.") }
                throw ExitCode(1)
            }
        }
    }
}

/// All of standard input, decoded leniently (a hook must read all of it).
func readStandardInput() -> String {
    String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
}

/// A refusal: on stderr, which git shows the pusher prefixed `remote:`.
func refuse(_ message: String) {
    printError(message)
}
