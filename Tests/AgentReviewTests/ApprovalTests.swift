import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

/// Signed approvals end to end: real ssh-keygen keys and signatures, real pushes to a
/// bare server with the hook, the notes ref moved by `approve` and `sync`.
@Suite struct ApprovalTests {
    let sandbox: Sandbox
    let server: URL
    let clone: URL
    let keys: URL

    static let people = ["alice", "bob", "ivy", "ci", "carol", "gitonly", "mallory"]

    static let policy = """
        version: 1
        classes:
          - name: low
          - name: medium
            approvals: 1
          - name: high
            approvals: 2
            owners: true
            human_signoff: true
            gates: [tests]
        default_class: medium
        paths:
          - { pattern: "docs/", class: low }
          - { pattern: "infra/", class: high }
        refs:
          - { pattern: "refs/heads/main", mode: enforce }
        default_mode: warn
        bots: [ci@example.com]
        teams: { infra: [ivy@example.com] }
        gates:
          tests: { signers: [ci@example.com] }
        revoked: .agentreview/revoked_keys

        """

    init() throws {
        sandbox = try Sandbox()
        keys = sandbox.root.appendingPathComponent("keys")
        var signers = ""
        for person in Self.people {
            let publicKey = try sandbox.sshKey(person, in: keys).publicKey
            switch person {
            case "mallory": continue  // not trusted at all
            case "carol": signers += "carol@example.com namespaces=\"agentreview\",valid-before=\"20200101\" \(publicKey)\n"
            case "gitonly": signers += "gitonly@example.com namespaces=\"git\" \(publicKey)\n"
            default: signers += "\(person)@example.com namespaces=\"agentreview\" \(publicKey)\n"
            }
        }
        (server, clone) = try sandbox.server(with: [
            ".agentreview/policy.yml": Self.policy, ".agentreview/allowed_signers": signers,
            ".agentreview/revoked_keys": "# none yet\n", "CODEOWNERS": "/infra/ @infra\n", "README.md": "# project\n",
        ])
        try #require(try sandbox.agentreview(["install"], in: clone).status == 0)
    }

    func key(_ person: String) -> String { keys.appendingPathComponent(person).path }

    @discardableResult
    func approve(_ revision: String, by person: String, in repository: URL? = nil, extra: [String] = []) throws -> Sandbox.Output {
        let output = try sandbox.agentreview(
            ["approve", revision, "--key", key(person), "--as", "\(person)@example.com"] + extra, in: repository ?? clone)
        #expect(output.status == 0, "\(output.stderr)")
        return output
    }

    func push(_ arguments: String...) throws -> Sandbox.Output {
        try Sandbox.run("/usr/bin/git", ["push"] + arguments, in: clone)
    }

    func status() throws -> CommitReport {
        let (judgement, _) = try sandbox.judgement(["status"], in: clone)
        return try #require(judgement.commits.first)
    }

    func agentCommit(_ path: String, in repository: URL? = nil) throws -> String {
        let repository = repository ?? clone
        try sandbox.write(path, "\(path) \(UUID().uuidString)\n", in: repository)
        return try sandbox.commit("Change \(path)\n\nAgent: codex/1", in: repository)
    }

    func noteOnServer(_ commit: String) throws -> String {
        try sandbox.git("notes", "--ref=refs/notes/agentreview", "show", commit, in: server)
    }

    @Test func approveThenPushIsAccepted() throws {
        let id = try agentCommit("src/app.swift")
        #expect(try status().verdict == .blocked)
        let approved = try approve("HEAD", by: "bob", extra: ["--comment", "looks right"])
        #expect(approved.stdout.contains("approved \(id.prefix(12))"))
        let report = try status()
        #expect(report.verdict == .pass)
        #expect(report.approvals.map(\.reviewer) == ["bob@example.com"])
        // The branch and its approvals in one push: both hooks count them.
        let output = try push("origin", "main", "refs/notes/agentreview")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(try sandbox.git("rev-parse", "main", in: server) == id)
        #expect(try noteOnServer(id).contains("reviewer bob@example.com"))
        #expect(try noteOnServer(id).contains("comment looks right"))
    }

    @Test func approvalsNotPushedDoNotCount() throws {
        try agentCommit("src/app.swift")
        try approve("HEAD", by: "bob")
        let output = try push("--no-verify", "origin", "main")
        #expect(output.status != 0)
        #expect(output.stderr.contains("missing: 1 approval"))
    }

    /// Records that must never count, each refused by the server with its reason.
    @Test("records the server refuses", arguments: [
        ("mallory", "key", "not listed"),
        ("carol", "expired", "valid-before"),
        ("gitonly", "namespace", "namespace"),
    ])
    func untrustedSigner(person: String, what: String, reason: String) throws {
        let id = try agentCommit("src/app.swift")
        // `approve` refuses to write it (RecordHygieneTests); --force does, for the server to refuse.
        try approve("HEAD", by: person, extra: ["--force"])
        let report = try status()
        #expect(report.verdict == .blocked, "\(what)")
        #expect(report.refused.contains { $0.contains("approval by \(person)@example.com does not count") })
        let before = try sandbox.git("for-each-ref", in: server)
        let output = try push("--no-verify", "origin", "main", "refs/notes/agentreview")
        #expect(output.status != 0)
        #expect(output.stderr.contains("refs/notes/agentreview refused"))
        #expect(output.stderr.contains("note on \(id.prefix(12)) does not verify"))
        #expect(try sandbox.git("for-each-ref", in: server) == before)
    }

    @Test func gitCommitSignatureCannotPassAsAnApproval() throws {
        let id = try agentCommit("src/app.swift")
        // A record signed in the `git` namespace by a trusted key, as a commit signature would be.
        let body = "agentreview approval v1\ncommit \(id)\npatch-id \(String(repeating: "0", count: 40))\nreviewer bob@example.com\ndecision approve\ndate 2026-01-01T00:00:00Z\n"
        let signature = try Sandbox.run(
            "/usr/bin/ssh-keygen", ["-q", "-Y", "sign", "-n", "git", "-f", key("bob")], in: keys, input: Data(body.utf8))
        try #require(signature.status == 0)
        try sandbox.git("notes", "--ref=refs/notes/agentreview", "add", "-m", body + signature.stdout, id, in: clone)
        let report = try status()
        #expect(report.verdict == .blocked)
        #expect(report.refused.contains { $0.contains("namespace") })
    }

    @Test func tamperedRecordRefused() throws {
        let id = try agentCommit("src/app.swift")
        try approve("HEAD", by: "bob", extra: ["--comment", "reviewed the diff"])
        let note = try sandbox.git("notes", "--ref=refs/notes/agentreview", "show", id, in: clone)
        let tampered = note.replacingOccurrences(of: "reviewed the diff", with: "reviewed nothing")
        try sandbox.git("notes", "--ref=refs/notes/agentreview", "add", "-f", "-m", tampered, id, in: clone)
        let report = try status()
        #expect(report.verdict == .blocked)
        #expect(report.refused.contains { $0.contains("does not count") })
        #expect(try push("--no-verify", "origin", "main", "refs/notes/agentreview").status != 0)
    }

    @Test func recordCopiedOntoAnotherCommitRefused() throws {
        let first = try agentCommit("src/a.swift")
        try approve("HEAD", by: "bob")
        let note = try sandbox.git("notes", "--ref=refs/notes/agentreview", "show", first, in: clone)
        let second = try agentCommit("src/b.swift")
        try sandbox.git("notes", "--ref=refs/notes/agentreview", "add", "-m", note, second, in: clone)
        let (judgement, _) = try sandbox.judgement(["status"], in: clone)
        let report = try #require(judgement.commits.first { $0.id == second })
        #expect(report.verdict == .blocked)
        #expect(report.approvals.isEmpty)
        let output = try push("--no-verify", "origin", "main", "refs/notes/agentreview")
        #expect(output.status != 0)
        #expect(output.stderr.contains("a record for \(first.prefix(12)) is stored in the note on \(second.prefix(12))"))
    }

    @Test func revokedKeyRefused() throws {
        // A person revokes bob's key on main first.
        let bobKey = try String(contentsOfFile: key("bob") + ".pub", encoding: .utf8)
        try sandbox.write(".agentreview/revoked_keys", bobKey, in: clone)
        try sandbox.commit("Revoke bob's key", in: clone)
        #expect(try push("origin", "main").status == 0)
        try agentCommit("src/app.swift")
        try approve("HEAD", by: "bob", extra: ["--force"])
        let report = try status()
        #expect(report.verdict == .blocked)
        #expect(report.refused.contains { $0.contains("revoked") })
        #expect(try push("--no-verify", "origin", "main", "refs/notes/agentreview").stderr.contains("revoked"))
    }

    @Test("the commit's own people never count", arguments: ["author", "committer", "operator"])
    func selfApproval(role: String) throws {
        try sandbox.write("src/app.swift", "x\n", in: clone)
        switch role {
        case "author": try sandbox.commit("Change\n\nAgent: codex/1", in: clone, author: "Bob <bob@example.com>")
        case "committer": try sandbox.commit("Change\n\nAgent: codex/1", in: clone, committer: "Bob <bob@example.com>")
        default: try sandbox.commit("Change\n\nAgent: codex/1\nAgent-Operator: Bob <bob@example.com>", in: clone)
        }
        try approve("HEAD", by: "bob", extra: ["--force"])
        let report = try status()
        #expect(report.verdict == .blocked)
        #expect(report.approvals.isEmpty)
        #expect(report.refused.contains { $0.contains("approval by bob@example.com does not count: they authored, committed or operated this commit") })
    }

    @Test func sameReviewerTwiceCountsOnce() throws {
        try agentCommit("infra/main.tf")
        try approve("HEAD", by: "ivy")
        try approve("HEAD", by: "ivy", extra: ["--comment", "again"])
        let report = try status()
        #expect(report.approvals.map(\.reviewer) == ["ivy@example.com"])
        #expect(report.missing.contains { $0.requirement == "approvals" && $0.detail.contains("has 1") })
    }

    @Test func rejectionCancelsAnEarlierApproval() throws {
        try agentCommit("src/app.swift")
        try approve("HEAD", by: "bob")
        #expect(try status().verdict == .pass)
        try approve("HEAD", by: "bob", extra: ["--reject"])
        let report = try status()
        #expect(report.verdict == .blocked)
        #expect(report.refused.contains { $0.contains("bob@example.com rejected this commit") })
    }

    @Test func rejectingARebasedCopyTakesBackTheOriginalsApproval() throws {
        let original = try agentCommit("src/app.swift")
        try approve("HEAD", by: "bob")
        #expect(try status().verdict == .pass)
        // The same change picked onto other work; bob rejects that copy.
        try sandbox.git("checkout", "-q", "-b", "copy", "origin/main", in: clone)
        try sandbox.write("docs/other.md", in: clone)
        try sandbox.commit("Docs", in: clone)
        try sandbox.git("cherry-pick", original, in: clone)
        try approve("HEAD", by: "bob", extra: ["--reject"])
        // The original, approved in its own note, no longer passes.
        try sandbox.git("checkout", "-q", "main", in: clone)
        let report = try status()
        #expect(report.id == original)
        #expect(report.verdict == .blocked)
        #expect(report.refused.contains { $0.contains("bob@example.com rejected") }, "\(report.refused)")
    }

    @Test func aWhitespaceChangeDropsTheApproval() throws {
        try sandbox.write("src/run.sh", "rm -rf /tmp/x\n", in: clone)
        try sandbox.commit("Clean up\n\nAgent: codex/1", in: clone)
        try approve("HEAD", by: "bob")
        #expect(try status().verdict == .pass)
        // One space more, committed in place of the approved commit: a different command.
        try sandbox.write("src/run.sh", "rm -rf / tmp/x\n", in: clone)
        try sandbox.git(["commit", "-q", "-a", "--amend", "--no-edit"], in: clone)
        let report = try status()
        #expect(report.verdict == .blocked)
        #expect(report.approvals.isEmpty)
        let before = try sandbox.git("rev-parse", "main", in: server)
        #expect(try push("--no-verify", "origin", "main", "refs/notes/agentreview").status != 0)
        #expect(try sandbox.git("rev-parse", "main", in: server) == before)
    }

    @Test func contentChangeDropsApprovalsAndPureRebaseKeepsThem() throws {
        try agentCommit("src/app.swift")
        try approve("HEAD", by: "bob")
        // A rebase onto new work on main that leaves the patch unchanged keeps the approval.
        let original = try sandbox.git("rev-parse", "HEAD", in: clone)
        try sandbox.git("checkout", "-q", "-b", "other", "origin/main", in: clone)
        try sandbox.write("docs/other.md", in: clone)
        try sandbox.commit("Docs", in: clone)
        #expect(try push("origin", "other:main").status == 0)
        try sandbox.git("checkout", "-q", "main", in: clone)
        try sandbox.git("fetch", "-q", "origin", in: clone)
        try sandbox.git("rebase", "-q", "origin/main", in: clone)
        let rebased = try sandbox.git("rev-parse", "HEAD", in: clone)
        #expect(rebased != original)
        let report = try status()
        #expect(report.id == rebased)
        #expect(report.verdict == .pass)
        #expect(report.approvals.first?.rebasedFrom == original)
        #expect(try push("origin", "main", "refs/notes/agentreview").status == 0)

        // Any change of content drops it.
        try agentCommit("src/app.swift")
        try approve("HEAD", by: "bob")
        try sandbox.write("src/app.swift", "changed after review\n", in: clone)
        try sandbox.git(["commit", "-q", "-a", "--amend", "--no-edit"], in: clone)
        let amended = try status()
        #expect(amended.verdict == .blocked)
        #expect(amended.approvals.isEmpty)
    }

    @Test func ownersAndGates() throws {
        let id = try agentCommit("infra/main.tf")
        var report = try status()
        #expect(Set(report.missing.map(\.requirement)) == ["approvals", "owners", "human_signoff", "gate"])
        #expect(report.missing.contains { $0.command == "agentreview attest tests \(id.prefix(12)) --result pass" })
        // Two approvals, neither from an owner: owners still missing.
        try approve("HEAD", by: "alice")
        try approve("HEAD", by: "bob")
        report = try status()
        #expect(report.missing.map(\.requirement) == ["owners", "gate"])
        #expect(report.missing[0].detail.contains("infra/main.tf: @infra (ivy@example.com)"))
        // The owner approves; a failing gate does not pass, a passing one by an allowed signer does.
        try approve("HEAD", by: "ivy")
        let failing = try sandbox.agentreview(["attest", "tests", "HEAD", "--result", "fail", "--key", key("ci"), "--as", "ci@example.com"], in: clone)
        #expect(failing.status == 0, "\(failing.stderr)")
        report = try status()
        #expect(report.missing.map(\.requirement) == ["gate"])
        #expect(report.refused.contains { $0.contains("tests failed on this tree") })
        // An attestation by someone the policy does not allow for the gate does not count.
        let notAllowed = try sandbox.agentreview(
            ["attest", "tests", "HEAD", "--result", "pass", "--key", key("alice"), "--as", "alice@example.com", "--force"], in: clone)
        #expect(notAllowed.status == 0, "\(notAllowed.stderr)")
        #expect(try status().missing.map(\.requirement) == ["gate"])
        Thread.sleep(forTimeInterval: 1.1)  // a later date than the failing attestation
        let passing = try sandbox.agentreview(["attest", "tests", "HEAD", "--result", "pass", "--key", key("ci"), "--as", "ci@example.com"], in: clone)
        #expect(passing.status == 0)
        report = try status()
        #expect(report.verdict == .pass, "\(report.missing)")
        let output = try push("origin", "main", "refs/notes/agentreview")
        #expect(output.status == 0, "\(output.stderr)")
    }

    @Test func approvalsAlreadyOnTheRemoteCountForBothHooks() throws {
        let id = try agentCommit("src/app.swift")
        try approve("HEAD", by: "bob")
        // The approvals travel first (sync), the branch later, on its own.
        let synced = try sandbox.agentreview(["sync"], in: clone)
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(try noteOnServer(id).contains("reviewer bob@example.com"))
        let output = try push("origin", "main")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("approved by bob@example.com") || output.stderr.contains("approved by bob@example.com"))
        #expect(try sandbox.git("rev-parse", "main", in: server) == id)
    }

    @Test func concurrentApprovalsMergedBySyncWithoutLoss() throws {
        let id = try agentCommit("infra/main.tf")
        #expect(try push("--no-verify", "origin", "HEAD:refs/heads/topic").status == 0)
        let second = sandbox.root.appendingPathComponent("second")
        try sandbox.git("clone", "-q", server.path, second.path, in: sandbox.root)
        try sandbox.git("fetch", "-q", "origin", "topic", in: second)
        // Two reviewers approve the same commit at once, in two clones.
        try approve(id, by: "alice")
        try approve(id, by: "ivy", in: second)
        let first = try sandbox.agentreview(["sync"], in: clone)
        #expect(first.status == 0, "\(first.stderr)")
        let other = try sandbox.agentreview(["sync"], in: second)
        #expect(other.status == 0, "\(other.stderr)")
        #expect(other.stdout.contains("pushed"))
        let note = try noteOnServer(id)
        #expect(note.contains("reviewer alice@example.com"))
        #expect(note.contains("reviewer ivy@example.com"))
        // The first clone catches up and counts both.
        #expect(try sandbox.agentreview(["sync"], in: clone).status == 0)
        let (judgement, _) = try sandbox.judgement(["check", "origin/main", id, "--ref", "refs/heads/main"], in: clone)
        #expect(Set(judgement.commits.first?.approvals.map(\.reviewer) ?? []) == ["alice@example.com", "ivy@example.com"])
    }

    @Test func serverRefusesNonFastForwardDeletionAndGarbage() throws {
        try agentCommit("src/app.swift")
        try approve("HEAD", by: "bob")
        #expect(try push("origin", "main", "refs/notes/agentreview").status == 0)
        let serverNotes = try sandbox.git("rev-parse", "refs/notes/agentreview", in: server)
        // Rewrite the local notes history: a push that would drop records.
        try sandbox.git("update-ref", "-d", "refs/notes/agentreview", in: clone)
        try agentCommit("src/b.swift")
        try approve("HEAD", by: "bob")
        let forced = try push("--force", "--no-verify", "origin", "refs/notes/agentreview")
        #expect(forced.status != 0)
        #expect(forced.stderr.contains("only moves forward"))
        let deleted = try push("--no-verify", "origin", ":refs/notes/agentreview")
        #expect(deleted.status != 0)
        #expect(deleted.stderr.contains("cannot be deleted"))
        // A note that is not a record at all.
        try sandbox.git("fetch", "-q", "origin", "+refs/notes/agentreview:refs/notes/agentreview", in: clone)
        try sandbox.git("notes", "--ref=refs/notes/agentreview", "add", "-f", "-m", "LGTM!", "HEAD", in: clone)
        let garbage = try push("--no-verify", "origin", "refs/notes/agentreview")
        #expect(garbage.status != 0)
        #expect(garbage.stderr.contains("unreadable record"))
        #expect(try sandbox.git("rev-parse", "refs/notes/agentreview", in: server) == serverNotes)
        let fsck = try Sandbox.run("/usr/bin/git", ["fsck", "--no-dangling"], in: server)
        #expect(fsck.status == 0)
    }
}

extension ApprovalTests {
    @Test func recordsVerifyAgreesWithSshKeygen() throws {
        let id = try agentCommit("src/app.swift")
        try approve("HEAD", by: "bob")
        let note = try sandbox.git("notes", "--ref=refs/notes/agentreview", "show", id, in: clone) + "\n"
        let noteFile = sandbox.root.appendingPathComponent("note")
        try Data(note.utf8).write(to: noteFile)
        let signers = clone.appendingPathComponent(".agentreview/allowed_signers").path
        let ours = try sandbox.agentreview(["records", "verify", "--signers", signers, noteFile.path], in: clone)
        #expect(ours.status == 0, "\(ours.stdout)\(ours.stderr)")
        #expect(ours.stdout.contains("ok: bob@example.com"))
        // ssh-keygen on the same record: the signed bytes are the lines before the armour.
        let parts = note.components(separatedBy: "-----BEGIN SSH SIGNATURE-----")
        let message = sandbox.root.appendingPathComponent("message")
        try Data(parts[0].utf8).write(to: message)
        let signature = sandbox.root.appendingPathComponent("message.sig")
        try Data(("-----BEGIN SSH SIGNATURE-----" + parts[1]).utf8).write(to: signature)
        let theirs = try Sandbox.run(
            "/usr/bin/ssh-keygen", ["-Y", "verify", "-f", signers, "-I", "bob@example.com", "-n", "agentreview", "-s", signature.path],
            in: sandbox.root, input: Data(parts[0].utf8))
        #expect(theirs.status == 0, "\(theirs.stderr)")
        // Someone else's name on it: both refuse.
        let wrong = try sandbox.agentreview(
            ["records", "verify", "--signers", signers, "-"], in: clone,
            input: Data(note.replacingOccurrences(of: "reviewer bob@example.com", with: "reviewer alice@example.com").utf8))
        #expect(wrong.status == 1)
        let theirsWrong = try Sandbox.run(
            "/usr/bin/ssh-keygen", ["-Y", "verify", "-f", signers, "-I", "alice@example.com", "-n", "agentreview", "-s", signature.path],
            in: sandbox.root, input: Data(parts[0].utf8))
        #expect(theirsWrong.status != 0)
    }
}

extension ApprovalTests {
    @Test func makingAFileExecutableDropsTheApproval() throws {
        try sandbox.write("src/run.sh", "echo hi\n", in: clone)
        try sandbox.commit("Add a script\n\nAgent: codex/1", in: clone)
        try approve("HEAD", by: "bob")
        #expect(try status().verdict == .pass)
        // Same content, now executable: git's own patch-id would not change.
        try sandbox.git("update-index", "--chmod=+x", "src/run.sh", in: clone)
        try sandbox.git(["commit", "-q", "--amend", "--no-edit"], in: clone)
        let report = try status()
        #expect(report.approvals.isEmpty)
        #expect(report.verdict == .blocked)
    }
}

extension ApprovalTests {
    /// Many records go through the verification spread over the cores: each answer must
    /// stay with its own record.
    @Test func manyRecordsKeepTheirOwnVerdicts() throws {
        let id = try agentCommit("src/app.swift")
        try approve("HEAD", by: "bob")
        let record = try sandbox.git("notes", "--ref=refs/notes/agentreview", "show", id, in: clone) + "\n"
        let tampered = record.replacingOccurrences(of: "decision approve", with: "decision reject")
        let bad: Set<Int> = [0, 37, 99]
        let note = (0..<100).map { bad.contains($0) ? tampered : record }.joined(separator: "\n")
        let signers = clone.appendingPathComponent(".agentreview/allowed_signers").path
        let output = try sandbox.agentreview(["records", "verify", "--signers", signers, "-"], in: clone, input: Data(note.utf8))
        #expect(output.status == 1)
        let lines = output.stdout.split(separator: "\n").dropLast()
        try #require(lines.count == 100)
        for (index, line) in lines.enumerated() {
            #expect(line.contains(bad.contains(index) ? ": refused: " : ": ok: bob@example.com"), "record \(index): \(line)")
        }
        #expect(output.stdout.hasSuffix("97 verified, 3 refused\n"))
    }
}

extension ApprovalTests {
    /// Without --key and --as: git's own user.signingkey and user.email, as for signed commits.
    @Test func approveUsesGitsSigningConfiguration() throws {
        let id = try agentCommit("src/app.swift")
        let missing = try sandbox.agentreview(["approve", "HEAD"], in: clone)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("user.signingkey"))
        try sandbox.git("config", "user.signingkey", key("bob"), in: clone)
        try sandbox.git("config", "user.email", "bob@example.com", in: clone)
        let output = try sandbox.agentreview(["approve", "HEAD"], in: clone)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(try sandbox.git("notes", "--ref=refs/notes/agentreview", "show", id, in: clone).contains("reviewer bob@example.com"))
        #expect(try status().verdict == .pass)
    }
}
