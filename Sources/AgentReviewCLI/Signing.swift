import AgentReviewCore
import AgentReviewGit
import AgentReviewSupport
import Foundation

/// Signs records with the reviewer's own SSH key through `ssh-keygen -Y sign`, so keys in
/// ssh-agent and hardware keys work, and writes them into the notes ref.
struct RecordSigner {
    let repository: Repository
    /// A private key file, a public key file (the agent holds the private half), or a
    /// git-style `key::ssh-ed25519 AAAA…` literal.
    let key: String

    /// The key from `--key`, else git's `user.signingkey`.
    static func key(option: String?, in repository: Repository) throws -> String {
        if let option { return option }
        if let configured = try repository.configString("user.signingkey"), !configured.isEmpty { return configured }
        throw CLIError(
            "no signing key: pass --key ~/.ssh/id_ed25519, or set one with `git config user.signingkey ~/.ssh/id_ed25519.pub`")
    }

    /// Who signs: `--as`, else `user.email`.
    static func principal(option: String?, in repository: Repository) throws -> String {
        if let option { return option }
        if let email = try repository.configString("user.email"), !email.isEmpty { return email }
        throw CLIError("no reviewer identity: set `git config user.email`, or pass --as EMAIL")
    }

    /// Signs a record body and returns the signed record, checked before it is stored.
    func sign(_ body: RecordBody) throws -> SignedRecord {
        let text = try body.rendered()
        let keyFile: String
        var temporary: URL?
        if key.hasPrefix("key::") {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("agentreview-key-\(UUID().uuidString).pub")
            try Data((String(key.dropFirst("key::".count)) + "\n").utf8).write(to: url)
            temporary = url
            keyFile = url.path
        } else {
            keyFile = (key as NSString).expandingTildeInPath
        }
        defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
        let result = try Subprocess.run(
            "ssh-keygen", ["-q", "-Y", "sign", "-n", SignedRecord.namespace, "-f", keyFile], input: Data(text.utf8))
        guard result.status == 0 else {
            let reason = result.stderr.split(separator: "\n").last.map(String.init) ?? "exit \(result.status)"
            throw CLIError("ssh-keygen could not sign with \(keyFile): \(reason)")
        }
        let record = try SignedRecord(body: body, armoredSignature: result.text)
        try record.verifySignature()
        return record
    }

    /// Adds a record to the note on `commit`, keeping every record already there.
    func store(_ record: SignedRecord, on commit: ObjectID) throws {
        var existing = ""
        if let tip = try repository.referenceTarget(SignoffRecords.notesRef),
           let blob = try repository.note(on: commit, atNotesCommit: tip) {
            existing = String(decoding: try repository.blob(blob), as: UTF8.self)
        }
        try repository.setNote(RecordNote.adding(record, to: existing), on: commit, in: SignoffRecords.notesRef)
    }

    /// Why a record would not count with the signers this clone trusts, if it would not.
    func warning(for record: SignedRecord) throws -> String? {
        guard let base = try TrustedBase.forLocalWork(in: repository, explicit: nil) else { return nil }
        guard let configuration = try? TrustedBase.load(from: base, in: repository, policyFile: nil) else { return nil }
        if case .failure(let refusal) = record.verify(signers: configuration.signers, revoked: configuration.revoked, now: Date()) {
            return "this record will not count: \(refusal)"
        }
        return nil
    }
}
