import AgentReviewCore
import AgentReviewSupport
import AgentReviewTestSupport
import Foundation
import Testing

/// Records that cannot count are never written, end to end: real keys, a clone with the
/// client hook and a bare server with the server hook. `approve` and `attest` refuse (exit 1)
/// what the trust root would not count, unless `--force`; `approve --undo` withdraws one's
/// own records that were not pushed; `sync` shares what the server takes and leaves out,
/// naming them, what it would refuse.
@Suite struct RecordHygieneTests {
    let sandbox: Sandbox
    let server: URL
    let clone: URL
    let keys: URL

    static let policy = """
        version: 1
        classes:
          - name: low
          - name: medium
            approvals: 1
          - name: high
            approvals: 2
        default_class: medium
        paths:
          - { pattern: "docs/", class: low }
          - { pattern: "infra/", class: high }
        refs:
          - { pattern: "refs/heads/main", mode: enforce }
        default_mode: warn
        gates:
          tests: { signers: [ci@example.com] }
        revoked: .agentreview/revoked_keys

        """

    init() throws {
        sandbox = try Sandbox()
        keys = sandbox.root.appendingPathComponent("keys")
        var signers = ""
        var revoked = "# revoked keys\n"
        for person in ["alice", "bob", "ci", "carol", "gitonly", "mallory", "rita"] {
            let publicKey = try sandbox.sshKey(person, in: keys).publicKey
            switch person {
            case "mallory": continue  // not listed at all
            case "carol": signers += "carol@example.com namespaces=\"agentreview\",valid-before=\"20200101\" \(publicKey)\n"
            case "gitonly": signers += "gitonly@example.com namespaces=\"git\" \(publicKey)\n"
            case "rita":
                signers += "rita@example.com namespaces=\"agentreview\" \(publicKey)\n"
                revoked += publicKey + "\n"
            default: signers += "\(person)@example.com namespaces=\"agentreview\" \(publicKey)\n"
            }
        }
        (server, clone) = try sandbox.server(with: [
            ".agentreview/policy.yml": Self.policy, ".agentreview/allowed_signers": signers,
            ".agentreview/revoked_keys": revoked, "README.md": "# project\n",
        ])
        try #require(try sandbox.agentreview(["install"], in: clone).status == 0)
    }

    func key(_ person: String) -> String { keys.appendingPathComponent(person).path }

    /// `approve REV` with `person`'s key, as `person@example.com`, whatever the exit status.
    func approve(_ revision: String, by person: String, _ extra: [String] = []) throws -> Sandbox.Output {
        try sandbox.agentreview(["approve", revision, "--key", key(person), "--as", "\(person)@example.com"] + extra, in: clone)
    }

    func agentCommit(_ path: String, author: String? = nil, trailers: String = "Agent: codex/1") throws -> String {
        try sandbox.write(path, "\(path) \(UUID().uuidString)\n", in: clone)
        return try sandbox.commit("Change \(path)\n\n\(trailers)", in: clone, author: author)
    }

    /// The note on `commit` in `repository`'s refs/notes/agentreview; nil when there is none.
    func note(_ commit: String, in repository: URL? = nil) throws -> String? {
        let output = try Sandbox.run(
            "/usr/bin/git", ["notes", "--ref=refs/notes/agentreview", "show", commit], in: repository ?? clone)
        return output.status == 0 ? output.stdout : nil
    }

    func notesRefExists(in repository: URL) throws -> Bool {
        try Sandbox.run("/usr/bin/git", ["rev-parse", "-q", "--verify", "refs/notes/agentreview"], in: repository).status == 0
    }

    func status() throws -> CommitReport {
        let (judgement, _) = try sandbox.judgement(["status"], in: clone)
        return try #require(judgement.commits.first)
    }

    // MARK: approve refuses what would not count

    @Test("the commit's own people are refused, and told who can approve", arguments: ["author", "co-author", "operator"])
    func ownCommitRefused(role: String) throws {
        let id: String
        switch role {
        case "author": id = try agentCommit("src/app.swift", author: "Bob <bob@example.com>")
        case "co-author": id = try agentCommit("src/app.swift", trailers: "Agent: codex/1\nCo-authored-by: Bob <bob@example.com>")
        default: id = try agentCommit("src/app.swift", trailers: "Agent: codex/1\nAgent-Operator: Bob <bob@example.com>")
        }
        let refused = try approve("HEAD", by: "bob")
        #expect(refused.status == 1, "\(role): \(refused.stderr)")
        #expect(refused.stderr.contains("approval by bob@example.com would not count: they authored, committed or operated this commit"), "\(refused.stderr)")
        #expect(refused.stderr.contains("who can approve it: one of alice@example.com, ci@example.com"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("one of alice@example.com, bob@example.com"))
        #expect(refused.stderr.contains("nothing was written"))
        #expect(!(try notesRefExists(in: clone)))

        // --force writes it; it does not count.
        let forced = try approve("HEAD", by: "bob", ["--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stderr.contains("written anyway (--force)"))
        #expect(try note(id)?.contains("reviewer bob@example.com") == true)
        let report = try status()
        #expect(report.approvals.isEmpty)
        #expect(report.refused.contains { $0.contains("approval by bob@example.com does not count") })

        // Withdrawn, and the notes share cleanly.
        let undone = try sandbox.agentreview(["approve", "--undo", "HEAD", "--as", "bob@example.com"], in: clone)
        #expect(undone.status == 0, "\(undone.stderr)")
        #expect(undone.stdout.contains("withdrew the approval by bob@example.com on \(id.prefix(12))"))
        #expect(try note(id) == nil)
        let synced = try sandbox.agentreview(["sync"], in: clone)
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(try note(id, in: server) == nil)
    }

    @Test func anAliasOfTheAuthorIsRefusedThroughItsKey() throws {
        // alice's key is also listed for the author's address: an approval with it is the author's.
        let aliceKey = try String(contentsOfFile: key("alice") + ".pub", encoding: .utf8)
        try sandbox.write(".agentreview/allowed_signers", try String(contentsOf: clone.appendingPathComponent(".agentreview/allowed_signers"), encoding: .utf8)
            + "hugh@example.com namespaces=\"git\" \(aliceKey)", in: clone)
        try sandbox.commit("List alice's key for hugh's commits too", in: clone)
        #expect(try Sandbox.run("/usr/bin/git", ["push", "-q", "origin", "main"], in: clone).status == 0)
        try agentCommit("src/app.swift")
        let refused = try approve("HEAD", by: "alice")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("is also listed for hugh@example.com"), "\(refused.stderr)")
        #expect(!(try notesRefExists(in: clone)))
    }

    /// Keys the trusted allowed_signers would not count, each refused with its reason before
    /// anything is written.
    @Test("untrusted keys are refused", arguments: [
        ("mallory", "is not in refs/remotes/origin/main:.agentreview/allowed_signers"),
        ("carol", "the key expired"),
        ("gitonly", "allows this key only in namespaces \"git\""),
        ("rita", "is revoked"),
    ])
    func untrustedKeyRefused(person: String, reason: String) throws {
        try agentCommit("src/app.swift")
        let refused = try approve("HEAD", by: person)
        #expect(refused.status == 1, "\(person): \(refused.stderr)")
        #expect(refused.stderr.contains(reason), "\(person): \(refused.stderr)")
        #expect(refused.stderr.contains("who can approve it: one of alice@example.com"), "\(refused.stderr)")
        #expect(!(try notesRefExists(in: clone)))
    }

    @Test func anUnlistedKeyIsRefusedBeforeSigning() throws {
        // Only the public half, no agent: signing would fail; the refusal comes first.
        let alone = sandbox.root.appendingPathComponent("alone")
        try FileManager.default.createDirectory(at: alone, withIntermediateDirectories: true)
        let pub = alone.appendingPathComponent("mallory.pub").path
        try FileManager.default.copyItem(atPath: key("mallory") + ".pub", toPath: pub)
        try agentCommit("src/app.swift")
        var environment = Sandbox.environment
        environment.removeValue(forKey: "SSH_AUTH_SOCK")
        let result = try Subprocess.run(
            Sandbox.binary.path, ["approve", "HEAD", "--key", pub, "--as", "mallory@example.com"], directory: clone,
            environment: environment)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("would not count, and the server would refuse it: key"), "\(result.stderr)")
        #expect(result.stderr.contains("is not in refs/remotes/origin/main:.agentreview/allowed_signers"))
        #expect(!result.stderr.contains("ssh-agent"), "\(result.stderr)")
        #expect(!(try notesRefExists(in: clone)))
    }

    @Test func aRecordDatedBeforeItsCommitIsRefused() throws {
        try sandbox.write("src/app.swift", "x\n", in: clone)
        let future = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
        try sandbox.git("add", "-A", in: clone)
        try sandbox.git(["commit", "-q", "-m", "App\n\nAgent: codex/1"], in: clone,
                        environment: ["GIT_COMMITTER_DATE": future, "GIT_AUTHOR_DATE": future])
        let refused = try approve("HEAD", by: "alice")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("before the commit it names was committed"), "\(refused.stderr)")
        #expect(!(try notesRefExists(in: clone)))
    }

    @Test func withNoTrustRootYetApproveRefusesUnlessForced() throws {
        // A repository nobody has pushed: nothing says whose approvals count.
        let (repository, _) = try sandbox.repositoryWithPolicy(name: "fresh")
        try sandbox.write("src/app.swift", "x\n", in: repository)
        let id = try sandbox.commit("App\n\nAgent: codex/1", in: repository)
        let arguments = ["approve", id, "--key", key("alice"), "--as", "alice@example.com"]
        let refused = try sandbox.agentreview(arguments, in: repository)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("there is no trusted base to check it against yet"), "\(refused.stderr)")
        #expect(!(try notesRefExists(in: repository)))
        let forced = try sandbox.agentreview(arguments + ["--force"], in: repository)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try note(id, in: repository)?.contains("reviewer alice@example.com") == true)
    }

    @Test func attestByASignerTheGateDoesNotAllowIsRefused() throws {
        let id = try agentCommit("src/app.swift")
        let refused = try sandbox.agentreview(
            ["attest", "tests", "HEAD", "--result", "pass", "--key", key("alice"), "--as", "alice@example.com"], in: clone)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("tests attestation by alice@example.com would not count: the policy allows ci@example.com for that gate"), "\(refused.stderr)")
        #expect(refused.stderr.contains("who can attest tests: ci@example.com"))
        #expect(!(try notesRefExists(in: clone)))
        let unlisted = try sandbox.agentreview(
            ["attest", "tests", "HEAD", "--result", "pass", "--key", key("mallory"), "--as", "ci@example.com"], in: clone)
        #expect(unlisted.status == 1)
        #expect(unlisted.stderr.contains("is listed with other keys"), "\(unlisted.stderr)")
        let accepted = try sandbox.agentreview(
            ["attest", "tests", "HEAD", "--result", "pass", "--key", key("ci"), "--as", "ci@example.com"], in: clone)
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(try note(id)?.contains("signer ci@example.com") == true)
    }

    // MARK: sync shares what the server takes

    @Test func syncSharesTheGoodRecordsAndLeavesOutTheBad() throws {
        let first = try agentCommit("src/a.swift")
        let second = try agentCommit("src/b.swift")
        #expect(try approve(first, by: "alice").status == 0)
        // mallory's key is listed nowhere: written only with --force, refused by the server.
        #expect(try approve(first, by: "mallory", ["--force"]).status == 0)
        #expect(try approve(second, by: "mallory", ["--force"]).status == 0)

        let synced = try sandbox.agentreview(["sync"], in: clone)
        #expect(synced.status == 1, "\(synced.stdout)\(synced.stderr)")
        #expect(synced.stdout.contains("approvals pushed to origin, but 2 records the server would refuse left out"), "\(synced.stdout)")
        for id in [first, second] {
            let short = id.prefix(12)
            #expect(synced.stderr.contains("not shared: the approval by mallory@example.com on \(short): record in the note on \(short) does not verify"), "\(synced.stderr)")
            #expect(synced.stderr.contains("drop it with `agentreview approve --undo \(short) --as mallory@example.com`"))
        }
        // The server has alice's approval, and nothing of mallory's.
        let onServer = try #require(try note(first, in: server))
        #expect(onServer.contains("reviewer alice@example.com"))
        #expect(!onServer.contains("mallory"))
        #expect(try note(second, in: server) == nil)
        // This clone keeps both, and knows the server has alice's.
        #expect(try note(first)?.contains("reviewer mallory@example.com") == true)
        #expect(try sandbox.git("merge-base", "--is-ancestor", "refs/agentreview/remotes/origin", "refs/notes/agentreview", in: clone).isEmpty)

        // Again: nothing else to share, still partial.
        let again = try sandbox.agentreview(["sync"], in: clone)
        #expect(again.status == 1)
        #expect(again.stdout.contains("nothing else to share with origin: 2 records the server would refuse left out"), "\(again.stdout)")

        // Dropped as told: sync succeeds.
        for id in [first, second] {
            let undone = try sandbox.agentreview(["approve", "--undo", id, "--as", "mallory@example.com"], in: clone)
            #expect(undone.status == 0, "\(undone.stderr)")
        }
        let clean = try sandbox.agentreview(["sync"], in: clone)
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(!(try note(first) ?? "").contains("mallory"))
        #expect(try note(first, in: server)?.contains("reviewer alice@example.com") == true)
        #expect(try sandbox.git("rev-parse", "refs/notes/agentreview", in: server)
            == (try sandbox.git("rev-parse", "refs/notes/agentreview", in: clone)))
    }

    @Test func syncWithOnlyBadRecordsPushesNothing() throws {
        let id = try agentCommit("src/a.swift")
        #expect(try approve(id, by: "carol", ["--force"]).status == 0)
        let synced = try sandbox.agentreview(["sync"], in: clone)
        #expect(synced.status == 1)
        #expect(synced.stderr.contains("the key expired"), "\(synced.stderr)")
        #expect(synced.stdout.contains("nothing else to share with origin: 1 record the server would refuse left out"), "\(synced.stdout)")
        #expect(!(try notesRefExists(in: server)))
    }

    @Test func aForcedOverrideTheServerWouldRefuseIsLeftOutBySyncAndWithdrawnByUndo() throws {
        let id = try agentCommit("src/a.swift")
        // This policy names nobody who may override, and mallory's key is listed nowhere.
        let refused = try sandbox.agentreview(
            ["override", id, "--reason", "INC-9", "--key", key("mallory"), "--as", "mallory@example.com"], in: clone)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("override by mallory@example.com would not count, and the server would refuse it"), "\(refused.stderr)")
        #expect(refused.stderr.contains("the policy names nobody who may override"), "\(refused.stderr)")
        #expect(!(try notesRefExists(in: clone)))
        let forced = try sandbox.agentreview(
            ["override", id, "--reason", "INC-9", "--key", key("mallory"), "--as", "mallory@example.com", "--force"], in: clone)
        #expect(forced.status == 0, "\(forced.stderr)")

        let short = id.prefix(12)
        let synced = try sandbox.agentreview(["sync"], in: clone)
        #expect(synced.status == 1)
        #expect(synced.stderr.contains("not shared: the override by mallory@example.com on \(short): record in the note on \(short) does not verify"), "\(synced.stderr)")
        #expect(synced.stderr.contains("drop it with `agentreview approve --undo \(short) --as mallory@example.com`"))
        #expect(!(try notesRefExists(in: server)))

        let undone = try sandbox.agentreview(["approve", "--undo", id, "--as", "mallory@example.com"], in: clone)
        #expect(undone.status == 0, "\(undone.stderr)")
        #expect(undone.stdout.contains("withdrew the override by mallory@example.com on \(short)"), "\(undone.stdout)")
        #expect(try note(id) == nil)
    }

    // MARK: approve --undo

    @Test func undoTouchesOnlyOnesOwnRecordsAndNotThoseAlreadyPushed() throws {
        let id = try agentCommit("infra/main.tf")
        #expect(try approve(id, by: "alice").status == 0)
        #expect(try approve(id, by: "bob").status == 0)
        let undone = try sandbox.agentreview(["approve", "--undo", id, "--key", key("bob"), "--as", "bob@example.com"], in: clone)
        #expect(undone.status == 0, "\(undone.stderr)")
        let kept = try #require(try note(id))
        #expect(kept.contains("reviewer alice@example.com"))
        #expect(!kept.contains("reviewer bob@example.com"))
        // Nothing of bob's is left to withdraw.
        let nothing = try sandbox.agentreview(["approve", "--undo", id, "--as", "bob@example.com"], in: clone)
        #expect(nothing.status == 1)
        #expect(nothing.stderr.contains("no record of yours (bob@example.com) on it in this clone"), "\(nothing.stderr)")

        // Once pushed, a record stays: the way to cancel it is a rejection.
        #expect(try approve(id, by: "bob").status == 0)
        #expect(try sandbox.agentreview(["sync"], in: clone).status == 0)
        let pushed = try sandbox.agentreview(["approve", "--undo", id, "--as", "bob@example.com"], in: clone)
        #expect(pushed.status == 1)
        #expect(pushed.stderr.contains("is already pushed: the server keeps notes append-only"), "\(pushed.stderr)")
        #expect(pushed.stderr.contains("`agentreview approve --reject \(id.prefix(12))`"))
        #expect(try note(id)?.contains("reviewer bob@example.com") == true)
        #expect(try note(id)?.contains("reviewer alice@example.com") == true)
    }
}
