import AgentReviewCore
import AgentReviewGit
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AgentReviewCommand {
    struct Override: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "override",
            abstract: "Break the glass: sign an override of commits into refs/notes/agentreview, with a reason.",
            discussion: """
                For when a commit must go in without what the policy requires (production is down, the reviewers \
                are asleep). One `agentreview override v1` record per commit, bound to the commit id and its \
                patch-id, dated now, with the reason, signed with your SSH key through \
                `ssh-keygen -Y sign -n agentreview` (--key, else git's user.signingkey or gpg.ssh.defaultKeyCommand; \
                ssh-agent keys work). The signer is user.email unless --as says otherwise. Share it with \
                `agentreview sync` or `git push origin refs/notes/agentreview`.

                An override satisfies every requirement of that commit only (or of a rebased copy with the same \
                patch-id), never of the commits around it. It is loud: the commit's verdict is `overridden`, never \
                `pass`, and every report shows who overrode it, when and why. It counts for the policy's \
                `overrides.max_age` (default 24h) after it is signed, so review the commit after the fact. Only the \
                principals the policy lists in `overrides: {signers: [...]}` may override, and never the commit's own \
                people (author, committer, co-authors, Agent-Operator, or an alias or key listed for one of them).

                An override that would not count by the trust root as the remote has it is not written: the command \
                exits 1 and says why. --force writes it anyway.
                """)

        @Argument(help: "The commits to override.")
        var revisions: [String]

        @Option(help: "Why the glass is broken: one line, signed with the override and shown in every report.")
        var reason: String

        @Option(help: "The SSH key to sign with (a private key, a public key whose private half is in ssh-agent, or key::ssh-… ).")
        var key: String?

        @Option(name: .customLong("as"), help: "The principal to sign as (default: user.email).")
        var principal: String?

        @Flag(help: "Write the record even when it would not count (or there is no trust root to check it against).")
        var force = false

        @Option(name: .customShort("C"), help: "Run as if started in this directory.")
        var directory: String?

        func validate() throws {
            if revisions.isEmpty { throw ValidationError("name at least one commit to override") }
            if reason.trimming(.whitespaces).isEmpty {
                throw ValidationError("--reason is empty: say why the glass is broken (it is signed and shown in every report)")
            }
            if reason.contains(where: \.isNewline) { throw ValidationError("--reason has a line break: give it on one line") }
            let bytes = Self.trimmed(reason).utf8.count
            if bytes > OverrideRecord.maxReasonBytes {
                throw ValidationError(
                    "--reason is \(bytes) bytes, over the limit of \(OverrideRecord.maxReasonBytes): shorten it (link to the incident)")
            }
            if let problem = OverrideRecord.problem(ofReason: Self.trimmed(reason)) {
                throw ValidationError("--reason cannot be signed: \(problem)")
            }
        }

        /// The reason as signed: without leading or trailing spaces (the record forbids them).
        static func trimmed(_ reason: String) -> String { reason.trimming(.whitespaces) }

        func run() throws {
            try guarded {
                let repository = try Repository.open(directory ?? FileManager.default.currentDirectoryPath)
                let signer = RecordSigner(repository: repository, key: try RecordSigner.signingKey(option: key, in: repository))
                let who = try RecordSigner.principal(option: principal, in: repository)
                let publicKey = try signer.publicKey()
                let now = Date()
                let hygiene = try RecordHygiene.forLocalWork(in: repository, now: now)
                let reason = Self.trimmed(reason)

                var bodies = [(id: ObjectID, commit: CommitInfo, body: RecordBody)]()
                for revision in revisions {
                    let id = try repository.resolveCommit(revision)
                    let commit = try repository.commit(id)
                    let body = RecordBody.override(OverrideRecord(
                        commit: id.hex, patchID: try Judge.patchID(of: id, in: repository), signer: who, date: now, reason: reason))
                    bodies.append((id, commit, body))
                }
                // Every record is checked before any is signed: nothing is written unless all would count.
                let batch = RecordBatch(
                    signer: signer, publicKey: publicKey, hygiene: hygiene, force: force,
                    whoCan: { hygiene, _ in hygiene.whoCanOverride().map { "who may override it: \($0)" } })
                guard let signed = try batch.signAndStore(bodies.map { ($0.id, $0.body) }) else { return 1 }
                for ((id, commit, _), record) in zip(bodies, signed) {
                    print("overridden \(id.hex.prefix(12)) \(commit.subject) — as \(who), key \(record.signature.publicKey.fingerprint): \"\(reason)\"")
                }
                let which = signed.count == 1 ? "this override is" : "these \(signed.count) overrides are"
                printError("break-glass: \(which) recorded, signed as \(who), and shown in every report")
                print("share it: agentreview sync (or git push origin \(SignoffRecords.notesRef))")
                return 0
            }
        }
    }
}
