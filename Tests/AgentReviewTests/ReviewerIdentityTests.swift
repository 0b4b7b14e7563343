import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

/// A key is one reviewer whatever principals it is listed for, end to end: real ssh-keygen
/// keys listed in allowed_signers under several principals (and a pattern), approvals made
/// with `agentreview approve --as`, and pushes to a bare server whose hook decides.
@Suite struct ReviewerIdentityTests {
    let sandbox: Sandbox
    let server: URL
    let clone: URL
    let keys: URL

    /// Each key and the principals allowed_signers lists it for.
    static let listings = [
        "alice": "alice@example.com,alice@corp.example",
        "bob": "bob@example.com",
        "wild": "*@corp.example",
        "carl": "ci@example.com,carl@example.com",
    ]

    static let policy = """
        version: 1
        classes:
          - name: low
          - name: medium
            approvals: 1
          - name: high
            approvals: 2
          - name: person
            approvals: 1
            human_signoff: true
        default_class: medium
        paths:
          - { pattern: "docs/", class: low }
          - { pattern: "infra/", class: high }
          - { pattern: "deploy/", class: person }
        refs:
          - { pattern: "refs/heads/main", mode: enforce }
        default_mode: warn
        bots: [ci@example.com]

        """

    init() throws {
        sandbox = try Sandbox()
        keys = sandbox.root.appendingPathComponent("keys")
        var signers = ""
        for (person, principals) in Self.listings.sorted(by: { $0.key < $1.key }) {
            signers += "\(principals) namespaces=\"agentreview\" \(try sandbox.sshKey(person, in: keys).publicKey)\n"
        }
        (server, clone) = try sandbox.server(with: [
            ".agentreview/policy.yml": Self.policy, ".agentreview/allowed_signers": signers, "README.md": "# project\n",
        ])
        try #require(try sandbox.agentreview(["install"], in: clone).status == 0)
    }

    /// Signs with `person`'s key as `principal`.
    func approve(as principal: String, key person: String, _ extra: [String] = []) throws {
        let output = try sandbox.agentreview(
            ["approve", "HEAD", "--key", keys.appendingPathComponent(person).path, "--as", principal] + extra, in: clone)
        try #require(output.status == 0, "\(output.stderr)")
    }

    func agentCommit(_ path: String, author: String? = nil) throws -> String {
        try sandbox.write(path, "\(path) \(UUID().uuidString)\n", in: clone)
        return try sandbox.commit("Change \(path)\n\nAgent: codex/1", in: clone, author: author)
    }

    func status() throws -> CommitReport {
        let (judgement, _) = try sandbox.judgement(["status"], in: clone)
        return try #require(judgement.commits.first)
    }

    /// Pushes the branch with its approvals past the local hook: the server alone decides.
    func pushToServer() throws -> Sandbox.Output {
        try Sandbox.run("/usr/bin/git", ["push", "--no-verify", "origin", "main", "refs/notes/agentreview"], in: clone)
    }

    func serverMain() throws -> String { try sandbox.git("rev-parse", "main", in: server) }

    func fingerprint(_ person: String) throws -> String {
        let text = try String(contentsOfFile: keys.appendingPathComponent(person).path + ".pub", encoding: .utf8)
        return try SSHPublicKey(authorizedKeysLine: text.trimmingCharacters(in: .whitespacesAndNewlines)).fingerprint
    }

    @Test func oneKeyUnderTwoPrincipalsIsOneApproval() throws {
        let before = try serverMain()
        let id = try agentCommit("infra/main.tf")
        try approve(as: "alice@example.com", key: "alice")
        try approve(as: "alice@corp.example", key: "alice")
        let report = try status()
        #expect(report.approvals.count == 1)
        #expect(report.missing.map(\.detail) == ["2 approvals (class high), has 1: 1 more"])
        let sameKey = "is the same reviewer (signed with the same key \(try fingerprint("alice")))"
        #expect(report.refused.contains { $0.contains(sameKey) }, "\(report.refused)")
        let refused = try pushToServer()
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("has 1: 1 more"), "\(refused.stderr)")
        #expect(try serverMain() == before)

        // A second person makes two.
        try approve(as: "bob@example.com", key: "bob")
        let accepted = try pushToServer()
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(try serverMain() == id)
    }

    @Test func theAuthorCannotApproveUnderHerAlias() throws {
        let before = try serverMain()
        let id = try agentCommit("src/app.swift", author: "Alice <alice@example.com>")
        // `approve` refuses to write it (RecordHygieneTests); --force does, for the hooks to refuse.
        try approve(as: "alice@corp.example", key: "alice", ["--force"])
        let report = try status()
        #expect(report.approvals.isEmpty)
        let reason = "approval by alice@corp.example does not count: its key \(try fingerprint("alice")) is also listed for alice@example.com, who authored"
        #expect(report.refused.contains { $0.contains(reason) }, "\(report.refused)")
        let refused = try pushToServer()
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("approval by alice@corp.example does not count"), "\(refused.stderr)")
        #expect(try serverMain() == before)

        try approve(as: "bob@example.com", key: "bob")
        let accepted = try pushToServer()
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(try serverMain() == id)
    }

    @Test func aWildcardKeyIsOneReviewer() throws {
        let before = try serverMain()
        let id = try agentCommit("infra/main.tf")
        try approve(as: "x@corp.example", key: "wild")
        try approve(as: "y@corp.example", key: "wild")
        try approve(as: "z@corp.example", key: "wild")
        let report = try status()
        #expect(report.approvals.count == 1)
        #expect(report.missing.map(\.detail) == ["2 approvals (class high), has 1: 1 more"])
        let refused = try pushToServer()
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("has 1: 1 more"), "\(refused.stderr)")
        #expect(try serverMain() == before)

        try approve(as: "bob@example.com", key: "bob")
        let accepted = try pushToServer()
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(try serverMain() == id)
    }

    @Test func aRejectionUnderOneAliasCancelsAnApprovalUnderAnother() throws {
        let before = try serverMain()
        try agentCommit("src/app.swift")
        try approve(as: "alice@example.com", key: "alice")
        #expect(try status().verdict == .pass)
        try approve(as: "alice@corp.example", key: "alice", ["--reject"])
        let report = try status()
        #expect(report.verdict == .blocked)
        #expect(report.refused.contains {
            $0.contains("alice@corp.example rejected this commit") && $0.contains("which cancels the approval by alice@example.com")
        }, "\(report.refused)")
        let refused = try pushToServer()
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("alice@corp.example rejected this commit"), "\(refused.stderr)")
        #expect(try serverMain() == before)
    }

    @Test func aKeyListedForABotIsNoPerson() throws {
        let before = try serverMain()
        let id = try agentCommit("deploy/app.yml")
        try approve(as: "carl@example.com", key: "carl")
        let report = try status()
        #expect(report.approvals.map(\.reviewer) == ["carl@example.com"])
        #expect(report.missing.map(\.requirement) == ["human_signoff"])
        let refused = try pushToServer()
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("an approval from a person, not a bot"), "\(refused.stderr)")
        #expect(try serverMain() == before)

        try approve(as: "bob@example.com", key: "bob")
        let accepted = try pushToServer()
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(try serverMain() == id)
    }
}
