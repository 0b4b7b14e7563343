import AgentReviewCore
import AgentReviewGit
import ArgumentParser

extension AgentReviewCommand {
    /// The server hook: the enforcement point nobody can skip.
    struct PreReceive: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pre-receive",
            abstract: "Judge every ref update of a push (stdin: OLD NEW REF lines); refuse it when enforced commits lack sign-off.",
            discussion: """
                The repository is opened from git's environment, so objects still in quarantine are seen.
                Nothing is written into the repository: no ref, note or object. Each ref update's judgement is
                appended to the audit log (`git config agentreview.auditLog`, default $GIT_DIR/agentreview/audit.jsonl;
                `agentreview.audit false` turns it off); a judgement that cannot be recorded refuses an enforced ref.
                Fails closed: in enforce mode any error refuses the push.
                Every ref is judged by one trust root: the policy, signers and owners at the current value of
                `git config agentreview.policyRef` (else the default branch), or the file named by
                `git config agentreview.policy`. A symbolic ref is judged by the stricter of its name and its target.
                Exit 0 accepts the push, 1 refuses it (sign-off missing), 2 refuses it (error).
                """)

        @Flag(help: "Print the judgements as JSON (an array, one object per ref).")
        var json = false

        @Flag(help: "Also send each audit entry to syslog (as `git config agentreview.syslog true` does; the address from agentreview.syslogAddress, else /dev/log).")
        var syslog = false

        func run() throws {
            let status = Self.judge(input: try readStandardInput(), json: json, syslog: syslog)
            if status != 0 { throw ExitCode(status) }
        }

        /// Judges the push; returns the exit status.
        static func judge(input: String, json: Bool, syslog: Bool = false) -> Int32 {
            let stream = JudgementStream.forHook(
                json: json, refusal: "push refused", closing: "push refused. Supply what is missing above, then push again (reviewers share approvals with `agentreview sync`).")
            judge(input: input, into: stream, syslog: syslog)
            return stream.finish().status
        }

        /// Every failure refuses the push, except a failure judging a ref whose policy puts
        /// it in warn or off mode.
        static func judge(input: String, into stream: JudgementStream, syslog: Bool = false) {
            let repository: Repository
            let updates: [RefUpdate]
            let knownRefs: [KnownRef]
            let configuration: TrustedConfiguration
            let modes: RefModes
            var audit: AuditSink?
            do {
                repository = try Repository.openFromEnvironment()
                // Recorded from here on, refusals of the whole push included.
                audit = try AuditSink.configured(in: repository, source: "pre-receive", configuration: nil, syslog: syslog)
                if let audit { stream.attach(audit) }
                updates = try input.split(separator: "\n").map { try RefUpdate(line: String($0)) }
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
                audit?.policy(configuration.origin)
                modes = RefModes(policy: configuration.policy, root: root.ref, symbolicRefs: repository)
            } catch {
                stream.fail(ref: nil, heading: Heading("agentreview"), error)
                return
            }

            // Approvals pushed with the branch count for it: check the notes update first.
            var notesTip: ObjectID?
            do {
                notesTip = try repository.referenceTarget(SignoffRecords.notesRef)
                if let update = updates.first(where: { $0.ref == SignoffRecords.notesRef }) {
                    try NotesGuard.check(update, in: repository, configuration: configuration)
                    notesTip = update.new
                }
            } catch {
                stream.fail(
                    ref: SignoffRecords.notesRef, update: updates.first { $0.ref == SignoffRecords.notesRef }, policy: configuration.source,
                    heading: Heading("agentreview \(SignoffRecords.notesRef)"), error)
                return
            }
            for update in updates where update.ref != SignoffRecords.notesRef {
                let title = "agentreview \(update.ref ?? "")"
                let mode: EnforcementMode
                do {
                    mode = try modes.mode(for: update.ref)
                } catch {
                    stream.fail(ref: update.ref, update: update, policy: configuration.source, heading: Heading(title), error)
                    continue
                }
                stream.judge(ref: update.ref, update: update, mode: mode, configuration: configuration, title: title) { add in
                    let records = try SignoffRecords.index(notesCommits: [notesTip], in: repository, configuration: configuration)
                    return try UpdateJudge.judge(
                        update, mode: mode, in: repository, configuration: configuration, modes: modes,
                        knownRefs: knownRefs, records: records, add: add)
                }
            }
        }
    }
}
