import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

/// `unsigned_is_agent` end to end: commits signed by the real `git commit -S` with
/// `gpg.format ssh` and real ssh-keygen keys, judged by `agentreview status` in the clone
/// and by the pre-receive hook of a bare server. A commit nothing else attributes is agent
/// "unknown" unless a person's key listed in the trusted allowed_signers signed it.
@Suite struct CommitSignatureTests {
    let sandbox: Sandbox
    let server: URL
    let clone: URL
    let keys: URL
    /// allowed_signers as the trust root holds it.
    let signers: String

    static let policy = """
        version: 1
        classes:
          - name: low
          - name: medium
            approvals: 1
        default_class: medium
        refs:
          - { pattern: "refs/heads/main", mode: enforce }
        default_mode: warn
        bots: [ci@example.com]
        agents:
          unsigned_is_agent: true

        """

    init() throws {
        sandbox = try Sandbox()
        keys = sandbox.root.appendingPathComponent("keys")
        var signers = ""
        for name in ["alice", "ci", "mallory"] {
            let publicKey = try sandbox.sshKey(name, in: keys).publicKey
            switch name {
            case "alice": signers += "alice@example.com namespaces=\"git,agentreview\" \(publicKey)\n"
            case "ci": signers += "ci@example.com \(publicKey)\n"
            default: continue  // mallory: nobody the repository trusts
            }
        }
        self.signers = signers
        (server, clone) = try sandbox.server(with: [
            ".agentreview/policy.yml": Self.policy, ".agentreview/allowed_signers": signers, "README.md": "# project\n",
        ])
    }

    // MARK: Helpers

    func key(_ name: String) -> String { keys.appendingPathComponent(name).path }

    func fingerprint(_ name: String) throws -> String {
        let line = try String(contentsOfFile: key(name) + ".pub", encoding: .utf8)
        return try SSHPublicKey(authorizedKeysLine: line.trimmingCharacters(in: .whitespacesAndNewlines)).fingerprint
    }

    /// Commits a change to `path`, signed with `signer`'s key by `git commit -S` when given.
    @discardableResult
    func commit(_ path: String, signedBy signer: String?, message: String = "Change", author: String = "Alice") throws -> String {
        try sandbox.write(path, "\(path) \(UUID().uuidString)\n", in: clone)
        try sandbox.git("add", "-A", in: clone)
        var arguments = ["commit", "-q", "-m", message]
        if let signer { arguments = ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(key(signer))"] + arguments + ["-S"] }
        let email = "\(author.lowercased())@example.com"
        try sandbox.git(arguments, in: clone, environment: [
            "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": email,
        ])
        return try sandbox.git("rev-parse", "HEAD", in: clone)
    }

    /// Writes `text` as a commit object as it stands (no checks) and moves main to it.
    func replaceHead(with text: String) throws -> String {
        let file = sandbox.root.appendingPathComponent("object-\(UUID().uuidString)")
        try Data(text.utf8).write(to: file)
        let id = try sandbox.git("hash-object", "-t", "commit", "-w", "--literally", file.path, in: clone)
        try sandbox.git("update-ref", "refs/heads/main", id, in: clone)
        return id
    }

    /// HEAD's one commit as `agentreview status` judges it in the clone.
    func status() throws -> CommitReport {
        let (judgement, _) = try sandbox.judgement(["status"], in: clone)
        try #require(judgement.commits.count == 1)
        return judgement.commits[0]
    }

    /// Pushes main past the client hook: the server's pre-receive hook alone decides.
    func push() throws -> Sandbox.Output {
        try Sandbox.run("/usr/bin/git", ["push", "--no-verify", "origin", "main"], in: clone)
    }

    func serverMain() throws -> String { try sandbox.git("rev-parse", "main", in: server) }

    /// What git itself says of HEAD's signature, with the same allowed_signers.
    func gitVerifies() throws -> Bool {
        let file = sandbox.root.appendingPathComponent("allowed_signers")
        try Data(signers.utf8).write(to: file)
        return try Sandbox.run(
            "/usr/bin/git", ["-c", "gpg.ssh.allowedSignersFile=\(file.path)", "verify-commit", "HEAD"], in: clone
        ).status == 0
    }

    /// The report names agent "unknown" with one piece of signature evidence, and the server
    /// refuses the push for want of the approval an agent's commit needs.
    func expectUnknownAgent(_ report: CommitReport, evidence: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        #expect(report.agent == "unknown", sourceLocation: sourceLocation)
        #expect(report.evidence == [Evidence(source: "signature", value: evidence, agent: "unknown")], sourceLocation: sourceLocation)
        #expect(report.reasons.first == "agent-authored (unknown): signature \(evidence)", sourceLocation: sourceLocation)
        #expect(report.verdict == .blocked, sourceLocation: sourceLocation)
        let before = try serverMain()
        let refused = try push()
        #expect(refused.status != 0, sourceLocation: sourceLocation)
        // The report wraps at 72 columns: read as one line, without git's `remote: ` prefixes.
        let report = refused.stderr.replacingOccurrences(of: #"\s*\n(remote:)?\s+"#, with: " ", options: .regularExpression)
        #expect(report.contains(evidence), "\(refused.stderr)", sourceLocation: sourceLocation)
        #expect(try serverMain() == before, sourceLocation: sourceLocation)
    }

    // MARK: Cases

    @Test func signedByAListedPersonIsHuman() throws {
        let id = try commit("src/app.swift", signedBy: "alice")
        #expect(try sandbox.git("cat-file", "commit", "HEAD", in: clone).contains("gpgsig -----BEGIN SSH SIGNATURE-----"))
        #expect(try gitVerifies())
        let report = try status()
        #expect(report.agent == nil)
        #expect(report.evidence.isEmpty)
        #expect(report.reasons.first == "not agent-authored")
        #expect(report.verdict == .pass)
        let pushed = try push()
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(try serverMain() == id)
    }

    @Test func unsignedIsUnknownAgent() throws {
        try commit("src/app.swift", signedBy: nil)
        try expectUnknownAgent(try status(), evidence: "no signature")
    }

    @Test func signedByAnUnknownKeyIsUnknownAgent() throws {
        try commit("src/app.swift", signedBy: "mallory", author: "Mallory")
        try expectUnknownAgent(try status(), evidence: "signed by an unknown key \(try fingerprint("mallory"))")
    }

    @Test func signedByABotKeyIsUnknownAgent() throws {
        try commit("src/app.swift", signedBy: "ci", author: "CI")
        #expect(try gitVerifies())  // git takes it: a bot is a valid signer, just not a person
        try expectUnknownAgent(try status(), evidence: "signed by a bot key \(try fingerprint("ci")) (principal ci@example.com)")
    }

    @Test func changedAfterSigningDoesNotVerify() throws {
        try commit("src/app.swift", signedBy: "alice", message: "Change")
        let object = try sandbox.git("cat-file", "commit", "HEAD", in: clone) + "\n"
        try #require(object.contains("gpgsig ") && object.hasSuffix("\n\nChange\n"))
        // The same headers and signature, another message.
        try replaceHead(with: String(object.dropLast("Change\n".count)) + "Change, and rm -rf the backups\n")
        #expect(try sandbox.git("cat-file", "commit", "HEAD", in: clone).contains("gpgsig -----BEGIN SSH SIGNATURE-----"))
        #expect(try !gitVerifies())
        try expectUnknownAgent(
            try status(),
            evidence: "signature does not verify: the commit or its signature was changed after signing (key \(try fingerprint("alice")))")
    }

    @Test func gpgSignedIsTreatedAsUnsigned() throws {
        try commit("src/app.swift", signedBy: nil)
        let object = try sandbox.git("cat-file", "commit", "HEAD", in: clone) + "\n"
        let split = try #require(object.range(of: "\n\n"))
        // As git writes an armored OpenPGP signature: each line after the first indented by
        // one space, the blank line after the armor header a lone space.
        let gpgsig = [
            "gpgsig -----BEGIN PGP SIGNATURE-----", " ",
            " iQEzBAABCAAdFiEEqk3bR0hUdWmK0cVYZ8pS2c3ZxWEFAmVgAAAACgkQZ8pS2c3Z",
            " xWE4aQf/Qm9ndXMgc2lnbmF0dXJlIGZvciBhIHRlc3Q=", " =abcd", " -----END PGP SIGNATURE-----",
        ].joined(separator: "\n")
        try replaceHead(with: String(object[..<split.lowerBound]) + "\n" + gpgsig + String(object[split.lowerBound...]))
        #expect(try sandbox.git("cat-file", "commit", "HEAD", in: clone).contains("gpgsig -----BEGIN PGP SIGNATURE-----"))
        try expectUnknownAgent(try status(), evidence: "GPG signature (not checked: only SSH signatures are verified)")
    }

    /// A commit an agent's trailer already attributes keeps that agent, signed or not: the
    /// signature is not what makes it an agent's.
    @Test func otherEvidenceComesFirst() throws {
        try commit("src/app.swift", signedBy: "alice", message: "Change\n\nAgent: codex/1")
        let report = try status()
        #expect(report.agent == "codex")
        #expect(report.evidence.map(\.source) == ["trailer"])
    }

    /// A long range is gathered on worker threads, which check the signatures: each commit
    /// keeps its own verdict, in order.
    @Test func longRangeChecksEachCommitsSignature() throws {
        let base = try serverMain()
        var expected = [(id: String, human: Bool)]()
        for index in 0..<80 {
            let signer: String? = index % 3 == 0 ? "alice" : index % 3 == 1 ? nil : "mallory"
            expected.append((try commit("docs/page\(index).md", signedBy: signer, message: "Change \(index)"), signer == "alice"))
        }
        let head = expected.last!.id
        let (judgement, _) = try sandbox.judgement(["check", base, head, "--ref", "refs/heads/main"], in: clone)
        #expect(judgement.commits.map(\.id) == expected.reversed().map(\.id))
        for (commit, want) in zip(judgement.commits, expected.reversed()) {
            #expect(commit.agent == (want.human ? nil : "unknown"), "\(commit.subject): \(commit.evidence)")
        }
        let mallory = try fingerprint("mallory")
        #expect(judgement.commits.filter { $0.evidence.first?.value == "signed by an unknown key \(mallory)" }.count == 26)
        #expect(judgement.commits.filter { $0.evidence.first?.value == "no signature" }.count == 27)
    }
}
