import AgentReviewCore
import AgentReviewGit
import ArgumentParser
import Foundation

extension AgentReviewCommand {
    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign an approval (or a rejection) of commits into refs/notes/agentreview.",
            discussion: """
                One record per commit, bound to the commit id and its patch-id, signed with your SSH key through
                `ssh-keygen -Y sign -n agentreview` (--key, else git's user.signingkey; ssh-agent keys work).
                The reviewer is user.email unless --as says otherwise. Share the records with `agentreview sync`
                or `git push origin refs/notes/agentreview`.
                """)

        @Argument(help: "The commits to approve.")
        var revisions: [String]

        @Option(help: "The SSH key to sign with (a private key, or a public key whose private half is in ssh-agent).")
        var key: String?

        @Option(help: "One line of comment to sign with the approval.")
        var comment: String?

        @Flag(help: "Record a rejection instead: it cancels your earlier approval.")
        var reject = false

        @Option(name: .customLong("as"), help: "The principal to sign as (default: user.email).")
        var principal: String?

        @Option(name: .customShort("C"), help: "Run as if started in this directory.")
        var directory: String?

        func validate() throws {
            if revisions.isEmpty { throw ValidationError("name at least one commit to approve") }
        }

        func run() throws {
            try guarded {
                let repository = try Repository.open(directory ?? FileManager.default.currentDirectoryPath)
                let signer = RecordSigner(repository: repository, key: try RecordSigner.key(option: key, in: repository))
                let reviewer = try RecordSigner.principal(option: principal, in: repository)
                for revision in revisions {
                    let id = try repository.resolveCommit(revision)
                    let commit = try repository.commit(id)
                    if [commit.author.email, commit.committer.email].contains(where: { $0.lowercased() == reviewer.lowercased() }) {
                        printError("\(id.hex.prefix(12)): you wrote or committed it; your own approval will not count")
                    }
                    let record = try signer.sign(.approval(ApprovalRecord(
                        commit: id.hex, patchID: try Judge.patchID(of: id, in: repository), reviewer: reviewer,
                        decision: reject ? .reject : .approve, date: Date(), comment: comment)))
                    try signer.store(record, on: id)
                    if let warning = try signer.warning(for: record) { printError("\(id.hex.prefix(12)): \(warning)") }
                    print("\(reject ? "rejected" : "approved") \(id.hex.prefix(12)) \(commit.subject) — as \(reviewer), key \(record.signature.publicKey.fingerprint)")
                }
                print("share it: agentreview sync (or git push origin \(SignoffRecords.notesRef))")
                return 0
            }
        }
    }

    struct Attest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a gate attestation (tests, lint, …) for a commit's tree into refs/notes/agentreview.",
            discussion: "A class's gates need a passing attestation from a signer the policy allows for that gate.")

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

        @Option(name: .customShort("C"), help: "Run as if started in this directory.")
        var directory: String?

        func run() throws {
            try guarded {
                let repository = try Repository.open(directory ?? FileManager.default.currentDirectoryPath)
                let signer = RecordSigner(repository: repository, key: try RecordSigner.key(option: key, in: repository))
                let principal = try RecordSigner.principal(option: principal, in: repository)
                let id = try repository.resolveCommit(revision)
                let commit = try repository.commit(id)
                let record = try signer.sign(.attestation(AttestationRecord(
                    commit: id.hex, tree: commit.tree.hex, gate: gate, result: result, signer: principal, date: Date())))
                try signer.store(record, on: id)
                if let warning = try signer.warning(for: record) { printError("\(id.hex.prefix(12)): \(warning)") }
                print("attested \(gate) \(result.rawValue) for \(id.hex.prefix(12)) (tree \(commit.tree.hex.prefix(12))) — as \(principal)")
                print("share it: agentreview sync (or git push origin \(SignoffRecords.notesRef))")
                return 0
            }
        }
    }
}

extension AttestationRecord.Outcome: ExpressibleByArgument {}
