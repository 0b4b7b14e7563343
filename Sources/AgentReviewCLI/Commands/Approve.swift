import AgentReviewCore
import AgentReviewGit
import AgentReviewSupport
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AgentReviewCommand {
    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "approve",
            abstract: "Sign an approval (or a rejection) of commits into refs/notes/agentreview.",
            discussion: """
                One record per commit, bound to the commit id and its patch-id, signed with your SSH key through
                `ssh-keygen -Y sign -n agentreview` (--key, else git's user.signingkey or gpg.ssh.defaultKeyCommand;
                ssh-agent keys work). The reviewer is user.email unless --as says otherwise. Share the records with
                `agentreview sync` or `git push origin refs/notes/agentreview`.

                A record that would not count by the trust root as the remote has it (your own commit, a key not
                listed for you, revoked or expired) is not written: the command exits 1 and says who can approve.
                --force writes it anyway. --undo withdraws your records on the commits from this clone's notes.
                """)

        @Argument(help: "The commits to approve.")
        var revisions: [String]

        @Option(help: "The SSH key to sign with (a private key, a public key whose private half is in ssh-agent, or key::ssh-… ).")
        var key: String?

        @Option(help: "One line of comment to sign with the approval.")
        var comment: String?

        @Flag(help: "Record a rejection instead: it cancels your earlier approval.")
        var reject = false

        @Option(name: .customLong("as"), help: "The principal to sign as (default: user.email).")
        var principal: String?

        @Flag(help: "Write the record even when it would not count (or there is no trust root to check it against).")
        var force = false

        @Flag(help: "Withdraw your own records on these commits from this clone's notes (those not pushed yet).")
        var undo = false

        @Option(name: .customShort("C"), help: "Run as if started in this directory.")
        var directory: String?

        func validate() throws {
            if revisions.isEmpty { throw ValidationError("name at least one commit to approve") }
            if undo && (reject || comment != nil || force) {
                throw ValidationError("--undo withdraws records: it takes no --reject, --comment or --force")
            }
        }

        func run() throws {
            try guarded {
                let repository = try Repository.open(directory ?? FileManager.default.currentDirectoryPath)
                if undo { return try RecordWithdrawal(repository: repository, key: key, principal: principal).run(revisions) }
                let signer = RecordSigner(repository: repository, key: try RecordSigner.signingKey(option: key, in: repository))
                let reviewer = try RecordSigner.principal(option: principal, in: repository)
                let publicKey = try signer.publicKey()
                let now = Date()
                let hygiene = try RecordHygiene.forLocalWork(in: repository, now: now)

                var bodies = [(id: ObjectID, commit: CommitInfo, body: RecordBody)]()
                for revision in revisions {
                    let id = try repository.resolveCommit(revision)
                    let commit = try repository.commit(id)
                    let body = RecordBody.approval(ApprovalRecord(
                        commit: id.hex, patchID: try Judge.patchID(of: id, in: repository), reviewer: reviewer,
                        decision: reject ? .reject : .approve, date: now, comment: comment))
                    bodies.append((id, commit, body))
                }
                // Every record is checked before any is signed: nothing is written unless all would count.
                let batch = RecordBatch(
                    signer: signer, publicKey: publicKey, hygiene: hygiene, force: force,
                    whoCan: { hygiene, id in reject ? nil : (try? hygiene.whoCanApprove(id)).map { "who can approve it: \($0)" } })
                guard let signed = try batch.signAndStore(bodies.map { ($0.id, $0.body) }) else { return 1 }
                for ((id, commit, _), record) in zip(bodies, signed) {
                    print("\(reject ? "rejected" : "approved") \(id.hex.prefix(12)) \(commit.subject) — as \(reviewer), key \(record.signature.publicKey.fingerprint)")
                }
                print("share it: agentreview sync (or git push origin \(SignoffRecords.notesRef))")
                return 0
            }
        }
    }

    struct Attest: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "attest",
            abstract: "Sign a gate attestation (tests, lint, …) for a commit's tree into refs/notes/agentreview.",
            discussion: """
                A class's gates need a passing attestation from a signer the policy allows for that gate. An
                attestation that would not count (a signer the policy does not allow for the gate, a key not listed,
                revoked or expired) is not written unless --force.
                """)

        @Argument(help: "The gate: tests, lint, … as the policy names it.")
        var gate: String

        @Argument(help: "The commit whose tree the gate ran on.")
        var revision: String

        @Option(help: "pass or fail.")
        var result: AttestationRecord.Outcome

        @Option(help: "The SSH key to sign with.")
        var key: String?

        @Option(name: .customLong("as"), help: "The principal to sign as (default: user.email).")
        var principal: String?

        @Flag(help: "Write the record even when it would not count.")
        var force = false

        @Option(name: .customShort("C"), help: "Run as if started in this directory.")
        var directory: String?

        func run() throws {
            try guarded {
                let repository = try Repository.open(directory ?? FileManager.default.currentDirectoryPath)
                let signer = RecordSigner(repository: repository, key: try RecordSigner.signingKey(option: key, in: repository))
                let principal = try RecordSigner.principal(option: principal, in: repository)
                let id = try repository.resolveCommit(revision)
                let commit = try repository.commit(id)
                let now = Date()
                let body = RecordBody.attestation(AttestationRecord(
                    commit: id.hex, tree: commit.tree.hex, gate: gate, result: result, signer: principal, date: now))
                let hygiene = try RecordHygiene.forLocalWork(in: repository, now: now)
                var problems: [String]
                switch hygiene {
                case .success(let hygiene): problems = try hygiene.refusals(of: body, key: try signer.publicKey(), on: id)
                case .failure(let none): problems = [none.message]
                }
                if !report(problems, on: id, hygiene) { return 1 }
                let record = try signer.sign(body)
                if case .success(let hygiene) = hygiene, !force {
                    problems = try hygiene.refusals(signed: record, on: id)
                    if !report(problems, on: id, .success(hygiene)) { return 1 }
                }
                try signer.store(record, on: id)
                print("attested \(gate) \(result.rawValue) for \(id.hex.prefix(12)) (tree \(commit.tree.hex.prefix(12))) — as \(principal)")
                print("share it: agentreview sync (or git push origin \(SignoffRecords.notesRef))")
                return 0
            }
        }

        /// Says why the attestation would not count and who can attest; true when it may be written.
        private func report(_ problems: [String], on id: ObjectID, _ hygiene: Result<RecordHygiene, CLIError>) -> Bool {
            guard !problems.isEmpty else { return true }
            let short = id.hex.prefix(12)
            for problem in problems { printError("\(short): \(force ? "written anyway (--force): " : "")\(problem)") }
            if force { return true }
            if case .success(let hygiene) = hygiene { printError("\(short): who can attest \(gate): \(hygiene.whoCanAttest(gate))") }
            printError("nothing was written: --force writes it anyway")
            return false
        }
    }
}

extension AttestationRecord.Outcome: ExpressibleByArgument {}

/// `approve --undo`: withdraws the signer's own records on commits from this clone's notes.
/// Only records signed as the signer's principal, or with the signer's key, are touched,
/// never anyone else's. A record the remote already has stays: the server keeps notes
/// append-only (a later `sync` would bring it back), and a `--reject` record cancels it.
struct RecordWithdrawal {
    let repository: Repository
    let key: String?
    let principal: String?

    func run(_ revisions: [String]) throws -> Int32 {
        let principal = try RecordSigner.principal(option: principal, in: repository)
        // The key is optional here: records signed as the principal are found without it.
        let mine = (try? RecordSigner.signingKey(option: key, in: repository))
            .flatMap { try? RecordSigner(repository: repository, key: $0).publicKey() }
        let notes = SignoffRecords.notesRef
        var status: Int32 = 0
        for revision in revisions {
            let id = try repository.resolveCommit(revision)
            let short = id.hex.prefix(12)
            guard let tip = try repository.referenceTarget(notes), let blob = try repository.note(on: id, atNotesCommit: tip) else {
                printError("\(short): this clone has no records on it")
                status = 1
                continue
            }
            let entries = RecordNote.parse(try repository.blob(blob))
            let pushed = try remoteRecords(on: id)
            var kept = [[UInt8]]()
            var withdrawn = [String]()
            var stays = [String]()
            for entry in entries {
                guard let record = entry.signedRecord,
                      record.body.principal.lowercased() == principal.lowercased() || record.signature.publicKey == mine
                else {
                    kept.append(entry.bytes)
                    continue
                }
                let what = RecordHygiene.phrase(record.body)
                if let remote = pushed[entry.bytes] {
                    kept.append(entry.bytes)
                    stays.append("\(what) (\(remote))")
                } else {
                    withdrawn.append(what)
                }
            }
            if !withdrawn.isEmpty {
                try write(kept, on: id)
                for what in withdrawn { print("withdrew the \(what) on \(short) from this clone's notes") }
            }
            for what in stays {
                printError(
                    "\(short): the \(what) is already pushed: the server keeps notes append-only, so it stays there; cancel it with a rejection: `agentreview approve --reject \(short)`")
            }
            if withdrawn.isEmpty {
                if stays.isEmpty { printError("\(short): no record of yours (\(principal)\(mine.map { ", key \($0.fingerprint)" } ?? "")) on it in this clone") }
                status = 1
            }
        }
        return status
    }

    /// The records each remote copy (as `sync` last fetched it) holds on `id`, with the remote's name.
    private func remoteRecords(on id: ObjectID) throws -> [[UInt8]: String] {
        var found = [[UInt8]: String]()
        let prefix = "refs/agentreview/remotes/"
        for name in try repository.referenceNames(matching: prefix + "*") {
            guard let tip = try repository.referenceTarget(name), let blob = try repository.note(on: id, atNotesCommit: tip) else { continue }
            for entry in RecordNote.parse(try repository.blob(blob)) where found[entry.bytes] == nil {
                found[entry.bytes] = "on \(name.dropFirst(prefix.count))"
            }
        }
        return found
    }

    /// Replaces the note on `id` with `records` (their exact bytes), or removes it when none are left.
    private func write(_ records: [[UInt8]], on id: ObjectID) throws {
        let notes = SignoffRecords.notesRef
        guard !records.isEmpty else {
            let workTree = URL(fileURLWithPath: repository.workingDirectory ?? repository.gitDirectory)
            var environment = ProcessInfo.processInfo.environment
            // git writes a notes commit: an identity is needed even where none is configured.
            for (key, fallback) in [("name", "agentreview"), ("email", "agentreview@localhost")]
            where try repository.configString("user.\(key)") == nil {
                for role in ["AUTHOR", "COMMITTER"] where environment["GIT_\(role)_\(key.uppercased())"] == nil {
                    environment["GIT_\(role)_\(key.uppercased())"] = fallback
                }
            }
            let removed = try Subprocess.run(
                "git", ["notes", "--ref=\(notes)", "remove", "--ignore-missing", id.hex], directory: workTree, environment: environment)
            guard removed.status == 0 else {
                throw CLIError("git notes remove failed: \(removed.stderr.trimming(.whitespacesAndNewlines))")
            }
            return
        }
        let text = records.reduce([UInt8]()) { RecordNote.merge($0, $1) }
        try repository.setNote(String(decoding: text, as: UTF8.self), on: id, in: notes)
    }
}
