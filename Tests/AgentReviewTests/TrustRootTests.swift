import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

/// The second attack round against the server hook, end to end: one trust root judges
/// every ref, symbolic refs are judged by their stricter target, trusted files and notes
/// are bounded, new records must be fresh, and the hook has a time limit. Each test pushes
/// to a real bare server with the hook installed.
@Suite struct TrustRootTests {
    let sandbox: Sandbox
    let server: URL
    let clone: URL

    /// Enforced main and release branches; everything else (develop, topics) in warn mode.
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
          - { pattern: "refs/heads/release/*", mode: enforce }
        default_mode: warn

        """

    static let agent = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>"

    init() throws {
        sandbox = try Sandbox()
        (server, clone) = try sandbox.server(with: [".agentreview/policy.yml": Self.policy, "README.md": "# project\n"])
        // Every hook in this suite runs in at most 512 MiB of address space: a push that
        // needed more would die without the refusals the tests expect.
        let hooks = server.appendingPathComponent("hooks")
        try FileManager.default.moveItem(
            at: hooks.appendingPathComponent("pre-receive"), to: hooks.appendingPathComponent("pre-receive.bounded"))
        try sandbox.write(
            "pre-receive", "#!/bin/sh\nulimit -v 524288\nexec \"$0.bounded\" \"$@\"\n", in: hooks, executable: true)
    }

    /// Pushes without the client hook (the server is the one under test), timed.
    func push(_ arguments: String...) throws -> (output: Sandbox.Output, seconds: Double) {
        let start = Date()
        let output = try Sandbox.run("/usr/bin/git", ["push", "--no-verify"] + arguments, in: clone)
        return (output, Date().timeIntervalSince(start))
    }

    func serverRef(_ name: String) -> String? {
        try? sandbox.git("rev-parse", "--verify", "-q", name, in: server)
    }

    func agentCommit(_ path: String, _ content: String = UUID().uuidString + "\n") throws -> String {
        try sandbox.write(path, content, in: clone)
        return try sandbox.commit("Change \(path)" + Self.agent, in: clone)
    }

    // MARK: Bypasses

    @Test func symbolicRefIsJudgedByTheStricterOfNameAndTarget() throws {
        // master renamed to main, the old name kept as a symbolic ref (warn mode by its name).
        try sandbox.git("symbolic-ref", "refs/heads/master", "refs/heads/main", in: server)
        let before = serverRef("refs/heads/main")
        try agentCommit("infra/main.tf")
        let (output, _) = try push("origin", "HEAD:refs/heads/master")
        #expect(output.status != 0, "pushing through master must be judged as main")
        #expect(output.stderr.contains("missing: 2 approvals"), "\(output.stderr)")
        #expect(serverRef("refs/heads/main") == before)
    }

    @Test func theDefaultBranchIsTheRootAndIsJudgedAsStrictlyAsAnyRef() throws {
        // develop is the default branch and in warn mode by name; release/* is enforced.
        try sandbox.git("checkout", "-q", "-b", "develop", in: clone)
        #expect(try push("origin", "develop").output.status == 0)
        try sandbox.git("symbolic-ref", "HEAD", "refs/heads/develop", in: server)
        let loosened = Self.policy.replacingOccurrences(of: "release/*\", mode: enforce", with: "release/*\", mode: warn")
        try sandbox.write(".agentreview/policy.yml", loosened, in: clone)
        try sandbox.commit("Relax release branches" + Self.agent, in: clone)
        let (output, _) = try push("origin", "develop")
        #expect(output.status != 0, "the root ref may not be loosened without sign-off")
        #expect(output.stderr.contains("trusted file"), "\(output.stderr)")
        #expect(serverRef("refs/heads/develop") != (try sandbox.git("rev-parse", "HEAD", in: clone)))
    }

    @Test func aNewEnforcedRefIsJudgedByTheConfiguredRootNotByAWarnBranch() throws {
        try sandbox.git("config", "agentreview.policyRef", "refs/heads/main", in: server)
        try sandbox.git("checkout", "-q", "-b", "develop", in: clone)
        #expect(try push("origin", "develop").output.status == 0)
        try sandbox.git("symbolic-ref", "HEAD", "refs/heads/develop", in: server)
        // An agent loosens the policy on warn-mode develop: accepted, with a warning.
        let loosened = Self.policy
            .replacingOccurrences(of: "release/*\", mode: enforce", with: "release/*\", mode: warn")
            .replacingOccurrences(of: "\"infra/\", class: high", with: "\"infra/\", class: low")
        try sandbox.write(".agentreview/policy.yml", loosened, in: clone)
        try sandbox.commit("Relax the policy" + Self.agent, in: clone)
        let relaxed = try push("origin", "develop").output
        #expect(relaxed.status == 0, "\(relaxed.stderr)")
        // Then creates an enforced release branch with infrastructure on it: main's policy judges.
        try agentCommit("infra/main.tf")
        let (output, _) = try push("origin", "HEAD:refs/heads/release/9")
        #expect(output.status != 0, "release/9 must be judged by main's policy")
        #expect(output.stderr.contains("refs/heads/main@"), "\(output.stderr)")
        #expect(serverRef("refs/heads/release/9") == nil)
    }

    @Test func theRootCannotBeDeletedOrRewoundButOtherRefsCan() throws {
        let first = try sandbox.git("rev-parse", "HEAD", in: clone)
        try sandbox.write("docs/a.md", in: clone)
        try sandbox.commit("Docs", in: clone)
        #expect(try push("origin", "main", "HEAD:refs/heads/release/1").output.status == 0)
        let deleted = try push("origin", "--delete", "main").output
        #expect(deleted.status != 0)
        #expect(deleted.stderr.contains("refs/heads/main holds the trust root"), "\(deleted.stderr)")
        let rewound = try push("--force", "origin", "\(first):refs/heads/main").output
        #expect(rewound.status != 0)
        #expect(rewound.stderr.contains("it only moves forward"), "\(rewound.stderr)")
        // An enforced ref that is not the root may be rewound: nothing new reaches it.
        #expect(try push("--force", "origin", "\(first):refs/heads/release/1").output.status == 0)
        #expect(serverRef("refs/heads/release/1") == first)
    }

    @Test func theRootIsReadAsTheServerHadItBeforeThePush() throws {
        // A policy loosened and used in one push still meets the old policy.
        try sandbox.write(".agentreview/policy.yml", Self.policy.replacingOccurrences(of: "approvals: 2", with: "approvals: 0"), in: clone)
        try sandbox.write("infra/main.tf", "x\n", in: clone)
        try sandbox.commit("Loosen and use it" + Self.agent, in: clone)
        let (output, _) = try push("origin", "main")
        #expect(output.status != 0)
        #expect(output.stderr.contains("missing: 2 approvals"), "\(output.stderr)")
    }

    @Test func statusAndPrePushReadTheRootAsTheRemoteHasIt() throws {
        // An agent's loosened policy lands on a warn-mode topic branch (with a warning).
        try sandbox.git("checkout", "-q", "-b", "topic", in: clone)
        let loosened = Self.policy.replacingOccurrences(of: "\"infra/\", class: high", with: "\"infra/\", class: low")
        try sandbox.write(".agentreview/policy.yml", loosened, in: clone)
        try sandbox.commit("Relax the policy" + Self.agent, in: clone)
        #expect(try push("-u", "origin", "topic").output.status == 0)
        // status on topic (upstream origin/topic) still judges by origin's default branch.
        let id = try agentCommit("infra/main.tf")
        let (judgement, _) = try sandbox.judgement(["status"], in: clone)
        let report = try #require(judgement.commits.first { $0.id == id })
        #expect(report.class == "high")
        #expect(judgement.policy?.hasPrefix("refs/remotes/origin/main@") == true, "\(judgement.policy)")
        // And so does pre-push, for a new enforced branch.
        try #require(try sandbox.agentreview(["install"], in: clone).status == 0)
        let stopped = try Sandbox.run("/usr/bin/git", ["push", "origin", "HEAD:refs/heads/release/2"], in: clone)
        #expect(stopped.status != 0)
        #expect(stopped.stdout.contains("push stopped before it left") || stopped.stderr.contains("push stopped before it left"),
                "\(stopped.stdout)\(stopped.stderr)")
        #expect(serverRef("refs/heads/release/2") == nil)
    }

    // MARK: Bounded work

    @Test func aWarnBranchCannotPlantWorkForTheHook() throws {
        // Patterns that once took minutes, and a policy with 999 duplicate keys, on a warn-mode
        // branch: they are not read, since every ref is judged by the root.
        let slow = String(repeating: "**/", count: 12) + "never"
        try sandbox.write("CODEOWNERS", "\(slow) @nobody\n", in: clone)
        var duplicated = Self.policy
        for index in 0..<999 { duplicated += "default_mode: warn # \(index)\n" }
        try sandbox.write(".agentreview/policy.yml", duplicated, in: clone)
        try sandbox.write((0..<30).map { "d\($0)" }.joined(separator: "/") + "/file", in: clone)
        try sandbox.commit("Plant" + Self.agent, in: clone)
        let (first, firstSeconds) = try push("origin", "HEAD:refs/heads/topic")
        #expect(first.status == 0, "\(first.stderr)")
        try agentCommit("src/next.swift")
        let (second, secondSeconds) = try push("origin", "HEAD:refs/heads/topic")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(firstSeconds < 20 && secondSeconds < 20, "\(firstSeconds) s, \(secondSeconds) s")
        #expect(!second.stderr.contains("duplicate key"), "the planted policy must not be read: \(second.stderr)")
    }

    @Test("an oversized trusted file on the root is refused in seconds", arguments: [
        (".agentreview/policy.yml", Limits.policyBytes),
        ("CODEOWNERS", Limits.codeOwnersBytes),
        (".agentreview/allowed_signers", Limits.signersBytes),
    ])
    func oversizedTrustedFileRefused(path: String, limit: Int) throws {
        // A person commits it (people's commits are not judged under applies_to: agents).
        var text = path.hasSuffix("policy.yml") ? Self.policy : ""
        let line = "# " + String(repeating: "x", count: 1021) + "\n"
        while text.utf8.count <= limit * 4 { text += line }
        try sandbox.write(path, text, in: clone)
        try sandbox.commit("A person's large \(path)", in: clone)
        #expect(try push("origin", "main").output.status == 0)
        try agentCommit("docs/next.md")
        let (output, seconds) = try push("origin", "main")
        #expect(output.status != 0)
        #expect(output.stderr.contains("\(path) is \(text.utf8.count) bytes, over the limit of \(limit)"), "\(output.stderr)")
        #expect(seconds < 20, "\(seconds) s")
    }

    @Test func hostilePatternsAndDuplicatesOnTheRootCostSeconds() throws {
        // A person commits owners with a pattern that once spun for minutes; an agent then
        // pushes a path thirty directories deep that it does not match.
        let slow = String(repeating: "**/", count: 12) + "never"
        try sandbox.write("CODEOWNERS", "\(slow) @nobody\n", in: clone)
        try sandbox.commit("Owners", in: clone)
        #expect(try push("origin", "main").output.status == 0)
        try sandbox.git("checkout", "-q", "-b", "topic", in: clone)
        try agentCommit((0..<30).map { "d\($0)" }.joined(separator: "/") + "/file.md")
        let (judged, judgedSeconds) = try push("origin", "HEAD:refs/heads/topic")
        #expect(judged.status == 0, "\(judged.stderr)")
        #expect(judgedSeconds < 20, "\(judgedSeconds) s")

        // A policy with 999 duplicate keys on the root: refused, every duplicate counted, at once.
        var duplicated = Self.policy
        for index in 0..<999 { duplicated += "default_mode: warn # \(index)\n" }
        try sandbox.git("checkout", "-q", "main", in: clone)
        try sandbox.write(".agentreview/policy.yml", duplicated, in: clone)
        try sandbox.commit("A person's broken policy", in: clone)
        #expect(try push("origin", "main").output.status == 0)
        try agentCommit("docs/next.md")
        let (refused, refusedSeconds) = try push("origin", "main")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("duplicate key 'default_mode'"), "\(refused.stderr)")
        #expect(refusedSeconds < 20, "\(refusedSeconds) s")
    }

    @Test func anOverlongOwnersPatternIsRefusedWithItsLine() throws {
        try sandbox.write("CODEOWNERS", "/docs/ @docs\n" + String(repeating: "a", count: Limits.patternBytes + 1) + " @x\n", in: clone)
        try sandbox.commit("Owners", in: clone)
        #expect(try push("origin", "main").output.status == 0)
        try agentCommit("docs/next.md")
        let (output, _) = try push("origin", "main")
        #expect(output.status != 0)
        #expect(output.stderr.contains("CODEOWNERS:2"), "\(output.stderr)")
    }

    @Test func oversizedNoteRefusedInSeconds() throws {
        let id = try agentCommit("src/app.swift")
        let file = sandbox.root.appendingPathComponent("note")
        try Data(repeating: UInt8(ascii: "\n"), count: 20 << 20).write(to: file)
        // -C keeps the blob as it is (-F would strip the blank lines to nothing).
        let blob = try sandbox.git("hash-object", "-w", file.path, in: clone)
        try sandbox.git("notes", "--ref=refs/notes/agentreview", "add", "-C", blob, id, in: clone)
        let (output, seconds) = try push("origin", "main", "refs/notes/agentreview")
        #expect(output.status != 0)
        #expect(output.stderr.contains("over the limit of \(Limits.noteBytes)"), "\(output.stderr)")
        #expect(serverRef("refs/notes/agentreview") == nil)
        #expect(seconds < 20, "\(seconds) s")
    }

    // MARK: Time

    @Test func theHookRefusesPastItsTimeLimit() throws {
        try sandbox.git("config", "agentreview.timeLimit", "0.001", in: server)
        for index in 0..<20 { try agentCommit("infra/file\(index).tf") }
        let (output, _) = try push("origin", "main")
        #expect(output.status != 0)
        #expect(output.stderr.contains("longer than the hook's time limit of 0.001 s"), "\(output.stderr)")

        try sandbox.git("config", "agentreview.timeLimit", "soon", in: server)
        let (unreadable, _) = try push("origin", "main")
        #expect(unreadable.status != 0)
        #expect(unreadable.stderr.contains("agentreview.timeLimit is \"soon\""), "\(unreadable.stderr)")
    }
}

/// Records new to the server must be fresh: a record is signed for the push that carries it.
@Suite struct RecordFreshnessTests {
    let sandbox: Sandbox
    let server: URL
    let clone: URL
    let key: String
    /// Eve's key stopped being valid an hour ago.
    let expiredKey: String

    init() throws {
        sandbox = try Sandbox()
        let keys = sandbox.root.appendingPathComponent("keys")
        let bob = try sandbox.sshKey("bob", in: keys)
        let eve = try sandbox.sshKey("eve", in: keys)
        (key, expiredKey) = (bob.path, eve.path)
        let expired = Self.stamp(Date().addingTimeInterval(-3600))
        let signers = """
            bob@example.com namespaces="agentreview" \(bob.publicKey)
            eve@example.com namespaces="agentreview",valid-before="\(expired)" \(eve.publicKey)

            """
        (server, clone) = try sandbox.server(with: [
            ".agentreview/policy.yml": TrustRootTests.policy, ".agentreview/allowed_signers": signers, "README.md": "# project\n",
        ])
    }

    /// An allowed_signers time, `YYYYMMDDHHMMZ`.
    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmm'Z'"
        return formatter.string(from: date)
    }

    /// Signs a copy of the record `agentreview approve` left on `commit`, with another date
    /// (and reviewer), as a signer who controls its clock can; replaces the note with it.
    func resign(_ commit: String, date: Date, as reviewer: String, key: String) throws {
        let note = try sandbox.git("notes", "--ref=refs/notes/agentreview", "show", commit, in: clone)
        let body = note.components(separatedBy: "-----BEGIN SSH SIGNATURE-----")[0]
        let text = body.split(separator: "\n").map { line -> String in
            if line.hasPrefix("date ") { return "date \(ISO8601DateFormatter().string(from: date))" }
            if line.hasPrefix("reviewer ") { return "reviewer \(reviewer)" }
            return String(line)
        }.joined(separator: "\n") + "\n"
        let signed = try Sandbox.run(
            "/usr/bin/ssh-keygen", ["-q", "-Y", "sign", "-n", "agentreview", "-f", key], in: clone, input: Data(text.utf8))
        try #require(signed.status == 0, "\(signed.stderr)")
        try sandbox.git(["notes", "--ref=refs/notes/agentreview", "add", "-f", "-m", text + signed.stdout, commit], in: clone)
    }

    @Test func anExpiredKeyCannotAddARecordDatedWhileItWasValid() throws {
        try sandbox.write("src/app.swift", "x\n", in: clone)
        let threeHoursAgo = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-3 * 3600))
        try sandbox.git("add", "-A", in: clone)
        try sandbox.git(
            ["commit", "-q", "-m", "App" + TrustRootTests.agent], in: clone,
            environment: ["GIT_COMMITTER_DATE": threeHoursAgo, "GIT_AUTHOR_DATE": threeHoursAgo])
        let id = try sandbox.git("rev-parse", "HEAD", in: clone)
        let approved = try sandbox.agentreview(["approve", id, "--key", key, "--as", "bob@example.com"], in: clone)
        try #require(approved.status == 0, "\(approved.stderr)")
        // Dated two hours ago: after the commit, inside the 24-hour window, and while eve's
        // key was still valid; pushed now, when it no longer is.
        try resign(id, date: Date().addingTimeInterval(-2 * 3600), as: "eve@example.com", key: expiredKey)
        let output = try pushNotes()
        #expect(output.status != 0)
        #expect(output.stderr.contains("does not verify"), "\(output.stderr)")
        #expect(output.stderr.contains("cannot be added at"), "\(output.stderr)")
    }

    func pushNotes() throws -> Sandbox.Output {
        try Sandbox.run("/usr/bin/git", ["push", "--no-verify", "origin", "refs/notes/agentreview"], in: clone)
    }

    @Test func aBackdatedRecordIsRefused() throws {
        try sandbox.write("src/app.swift", "x\n", in: clone)
        let id = try sandbox.commit("App" + TrustRootTests.agent, in: clone)
        let approved = try sandbox.agentreview(["approve", id, "--key", key, "--as", "bob@example.com"], in: clone)
        try #require(approved.status == 0, "\(approved.stderr)")
        // Re-sign the same record dated two days ago.
        try resign(id, date: Date().addingTimeInterval(-2 * 24 * 3600), as: "bob@example.com", key: key)
        let output = try pushNotes()
        #expect(output.status != 0)
        #expect(output.stderr.contains("more than 24 hours before this push"), "\(output.stderr)")
    }

    @Test func aRecordDatedBeforeItsCommitIsRefused() throws {
        try sandbox.write("src/app.swift", "x\n", in: clone)
        let future = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
        try sandbox.git("add", "-A", in: clone)
        try sandbox.git(
            ["commit", "-q", "-m", "App" + TrustRootTests.agent], in: clone,
            environment: ["GIT_COMMITTER_DATE": future, "GIT_AUTHOR_DATE": future])
        let id = try sandbox.git("rev-parse", "HEAD", in: clone)
        // `approve` refuses to write it (RecordHygieneTests); --force does, for the server to refuse.
        let approved = try sandbox.agentreview(["approve", id, "--key", key, "--as", "bob@example.com", "--force"], in: clone)
        try #require(approved.status == 0, "\(approved.stderr)")
        // It does not count where it is, either.
        let (judgement, _) = try sandbox.judgement(["status"], in: clone)
        let report = try #require(judgement.commits.first { $0.id == id })
        #expect(report.approvals.isEmpty)
        #expect(report.verdict == .blocked)
        let output = try Sandbox.run(
            "/usr/bin/git", ["push", "--no-verify", "origin", "main", "refs/notes/agentreview"], in: clone)
        #expect(output.status != 0)
        #expect(output.stderr.contains("before the commit it names was committed"), "\(output.stderr)")
    }
}
