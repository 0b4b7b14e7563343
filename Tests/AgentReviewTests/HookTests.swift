import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

/// End to end through real pushes: a bare server with the pre-receive hook, a clone with
/// the pre-push hook, the real binary behind both.
@Suite struct HookTests {
    let sandbox: Sandbox
    let server: URL
    let clone: URL

    init() throws {
        sandbox = try Sandbox()
        (server, clone) = try sandbox.server(with: [".agentreview/policy.yml": Sandbox.policy, "README.md": "# project\n"])
        let clientInstall = try sandbox.agentreview(["install"], in: clone)
        try #require(clientInstall.status == 0, "\(clientInstall.stderr)")
    }

    /// Pushes and returns git's output, whatever the outcome.
    func push(_ arguments: String...) throws -> Sandbox.Output {
        try Sandbox.run("/usr/bin/git", ["push"] + arguments, in: clone)
    }

    func serverRefs() throws -> String {
        try sandbox.git("for-each-ref", "--format=%(objectname) %(refname)", in: server)
    }

    /// A refused push leaves the server as it was: same refs, and a clean fsck.
    func expectRefusedCleanly(_ output: Sandbox.Output, refsBefore: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        #expect(output.status != 0, "push should have been refused", sourceLocation: sourceLocation)
        #expect(try serverRefs() == refsBefore, sourceLocation: sourceLocation)
        let fsck = try Sandbox.run("/usr/bin/git", ["fsck", "--no-dangling"], in: server)
        #expect(fsck.status == 0, "\(fsck.stdout)\(fsck.stderr)", sourceLocation: sourceLocation)
        #expect(fsck.stdout.isEmpty && !fsck.stderr.contains("error"), sourceLocation: sourceLocation)
    }

    @Test func humanCommitAccepted() throws {
        try sandbox.write("infra/main.tf", in: clone)
        let id = try sandbox.commit("Human infra change", in: clone)
        let output = try push("origin", "main")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(try sandbox.git("rev-parse", "main", in: server) == id)
    }

    @Test func agentDocsCommitAccepted() throws {
        try sandbox.write("docs/guide.md", in: clone)
        let id = try sandbox.commit("Docs\n\nCo-Authored-By: Claude <noreply@anthropic.com>", in: clone)
        let output = try push("origin", "main")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(try sandbox.git("rev-parse", "main", in: server) == id)
    }

    @Test func agentInfraCommitRefusedByTheServerEvenWithNoVerify() throws {
        try sandbox.write("infra/main.tf", in: clone)
        let id = try sandbox.commit("Add a bucket\n\nCo-Authored-By: Claude <noreply@anthropic.com>", in: clone)
        let before = try serverRefs()
        let output = try push("--no-verify", "origin", "main")
        try expectRefusedCleanly(output, refsBefore: before)
        // The report the pusher sees, through git's `remote:` prefix.
        #expect(output.stderr.contains("remote: "))
        #expect(output.stderr.contains(String(id.prefix(12))))
        #expect(output.stderr.contains("Add a bucket"))
        #expect(output.stderr.contains("claude-code"))
        #expect(output.stderr.contains("\"infra/\""))
        #expect(output.stderr.contains("missing: 2 approvals"))
        #expect(output.stderr.contains("agentreview approve \(id.prefix(12))"))
        #expect(output.stderr.contains("pre-receive hook declined"))
    }

    @Test func agentInfraCommitStoppedByPrePush() throws {
        try sandbox.write("infra/main.tf", in: clone)
        let id = try sandbox.commit("Add a bucket\n\nAgent: codex/1", in: clone)
        let before = try serverRefs()
        let output = try push("origin", "main")
        try expectRefusedCleanly(output, refsBefore: before)
        // Stopped on the client: the report has no `remote:` prefix.
        #expect(output.stderr.contains("agentreview approve \(id.prefix(12))") || output.stdout.contains("agentreview approve \(id.prefix(12))"))
        #expect(output.stderr.contains("failed to push"))
        #expect(!output.stderr.contains("remote: "))
    }

    @Test func loosenedPolicyInTheSamePushStillRefused() throws {
        try sandbox.write(".agentreview/policy.yml", "version: 1\nclasses:\n  - name: low\ndefault_class: low\n", in: clone)
        try sandbox.write("src/app.swift", in: clone)
        try sandbox.commit("Relax the rules\n\nAgent: codex/1", in: clone)
        let before = try serverRefs()
        let output = try push("--no-verify", "origin", "main")
        try expectRefusedCleanly(output, refsBefore: before)
        #expect(output.stderr.contains("trusted file"))
    }

    @Test func warnModeBranchAcceptedWithReportThenJudgedOnMain() throws {
        try sandbox.git("checkout", "-q", "-b", "topic", in: clone)
        try sandbox.write("src/feature.swift", in: clone)
        let id = try sandbox.commit("Feature\n\nAgent: codex/1", in: clone)
        let parked = try push("origin", "topic")
        #expect(parked.status == 0, "\(parked.stderr)")
        #expect(parked.stderr.contains("warn"))
        #expect(parked.stderr.contains("remote: "))
        #expect(try sandbox.git("rev-parse", "refs/heads/topic", in: server) == id)
        // The same commit reaching the enforced branch is judged again, and refused.
        let before = try serverRefs()
        let promoted = try push("--no-verify", "origin", "topic:main")
        try expectRefusedCleanly(promoted, refsBefore: before)
        #expect(promoted.stderr.contains(String(id.prefix(12))))
    }

    @Test func newEnforcedBranchJudgesCommitsNotOnOtherEnforcedRefs() throws {
        // A policy that enforces release branches too, pushed by a person.
        let policy = Sandbox.policy.replacingOccurrences(
            of: "  - { pattern: \"refs/heads/main\", mode: enforce }",
            with: "  - { pattern: \"refs/heads/main\", mode: enforce }\n  - { pattern: \"refs/heads/release/*\", mode: enforce }")
        try sandbox.write(".agentreview/policy.yml", policy, in: clone)
        try sandbox.commit("Enforce release branches", in: clone)
        #expect(try push("origin", "main").status == 0)
        try sandbox.git("checkout", "-q", "-b", "release/1", in: clone)
        try sandbox.write("src/fix.swift", in: clone)
        let id = try sandbox.commit("Fix\n\nAgent: codex/1", in: clone)
        let before = try serverRefs()
        let output = try push("--no-verify", "origin", "release/1")
        try expectRefusedCleanly(output, refsBefore: before)
        #expect(output.stderr.contains(String(id.prefix(12))))
        // Commits already on main are not judged again: a human release branch passes.
        try sandbox.git("checkout", "-q", "main", in: clone)
        try sandbox.git("checkout", "-q", "-b", "release/2", in: clone)
        let accepted = try push("origin", "release/2")
        #expect(accepted.status == 0, "\(accepted.stderr)")
    }

    @Test func deletionAccepted() throws {
        try sandbox.git("checkout", "-q", "-b", "topic", in: clone)
        try sandbox.write("docs/a.md", in: clone)
        try sandbox.commit("Docs", in: clone)
        #expect(try push("origin", "topic").status == 0)
        let output = try push("origin", "--delete", "topic")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(!(try serverRefs()).contains("refs/heads/topic"))
    }

    @Test func tagsAreJudgedAndTheirCommitsJudgedAgainOnMain() throws {
        try sandbox.write("infra/main.tf", in: clone)
        let id = try sandbox.commit("Infra\n\nAgent: codex/1", in: clone)
        try sandbox.git("tag", "light", in: clone)
        try sandbox.git("tag", "-a", "-m", "Annotated", "v1.0", in: clone)
        let tags = try push("origin", "light", "v1.0")
        #expect(tags.status == 0, "\(tags.stderr)")
        // Both tags are warn-mode refs: reported, not refused.
        #expect(tags.stderr.contains("refs/tags/light"))
        #expect(tags.stderr.contains("refs/tags/v1.0"))
        #expect(tags.stderr.contains(String(id.prefix(12))))
        let before = try serverRefs()
        let main = try push("--no-verify", "origin", "main")
        try expectRefusedCleanly(main, refsBefore: before)
    }

    @Test func forcePush() throws {
        try sandbox.write("docs/a.md", in: clone)
        try sandbox.commit("Docs", in: clone)
        #expect(try push("origin", "main").status == 0)
        // Rewind: nothing new reaches main, but main holds the trust root, which only moves forward.
        try sandbox.git("reset", "-q", "--hard", "HEAD~1", in: clone)
        let rewound = try serverRefs()
        let rewind = try push("--force", "--no-verify", "origin", "main")
        try expectRefusedCleanly(rewind, refsBefore: rewound)
        #expect(rewind.stderr.contains("holds the trust root (the policy every push is judged by): it only moves forward"))
        // Rewrite with an agent's infra change: refused.
        try sandbox.write("infra/x.tf", in: clone)
        try sandbox.commit("Rewrite\n\nAgent: codex/1", in: clone)
        let before = try serverRefs()
        try expectRefusedCleanly(try push("--force", "--no-verify", "origin", "main"), refsBefore: before)
    }

    @Test func agentMergeOfReviewedWorkPasses() throws {
        try sandbox.git("checkout", "-q", "-b", "topic", in: clone)
        try sandbox.write("infra/a.tf", in: clone)
        try sandbox.commit("Human infra", in: clone)
        try sandbox.git("checkout", "-q", "main", in: clone)
        try sandbox.write("docs/b.md", in: clone)
        try sandbox.commit("Human docs", in: clone)
        try sandbox.git(["merge", "-q", "--no-ff", "-m", "Merge topic\n\nAgent: codex/1", "topic"], in: clone)
        let output = try push("origin", "main")
        #expect(output.status == 0, "\(output.stderr)")
    }

    @Test func brokenPolicyInEnforceModeRefusesWithTheReason() throws {
        try sandbox.write(".agentreview/policy.yml", "version: 1\nclasses: nope\n", in: clone)
        try sandbox.commit("Break the policy (a person may push this: it is judged by the old one)", in: clone)
        #expect(try push("--no-verify", "origin", "main").status == 0)
        try sandbox.write("README.md", "changed\n", in: clone)
        try sandbox.commit("Human change", in: clone)
        let before = try serverRefs()
        let output = try push("--no-verify", "origin", "main")
        try expectRefusedCleanly(output, refsBefore: before)
        #expect(output.stderr.contains("remote: agentreview: push refused: invalid policy"))
        #expect(output.stderr.contains(".agentreview/policy.yml:2"))
    }

    @Test func pinnedPolicyOnTheServerWins() throws {
        let pinned = sandbox.root.appendingPathComponent("pinned.yml")
        try Data("version: 1\nclasses:\n  - name: low\n  - name: strict\n    approvals: 3\ndefault_class: strict\n".utf8).write(to: pinned)
        try sandbox.git("config", "agentreview.policy", pinned.path, in: server)
        try sandbox.write("docs/a.md", in: clone)
        try sandbox.commit("Docs\n\nAgent: codex/1", in: clone)
        let before = try serverRefs()
        let output = try push("--no-verify", "origin", "main")
        try expectRefusedCleanly(output, refsBefore: before)
        #expect(output.stderr.contains("3 approvals"))
    }

    @Test func garbageInputRefused() throws {
        let output = try Sandbox.run(
            Sandbox.binary.path, ["hook", "pre-receive"], in: server, input: Data("not a ref update\n".utf8),
            environment: ["GIT_DIR": server.path])
        #expect(output.status == 2)  // an error, not a block
        #expect(output.stderr.contains("unreadable ref update"))
    }

    @Test func existingHookIsChainedAndItsFailureBlocks() throws {
        let hook = server.appendingPathComponent("hooks/pre-receive")
        // Replace our shim with a foreign hook, then install again.
        #expect(try sandbox.agentreview(["install", "--server", server.path, "--uninstall"], in: sandbox.root).status == 0)
        let foreign = "#!/bin/sh\nwhile read old new ref; do echo \"site policy saw $ref\"; done\nexit ${SITE_HOOK_STATUS:-1}\n"
        try Data(foreign.utf8).write(to: hook)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)
        let install = try sandbox.agentreview(["install", "--server", server.path], in: sandbox.root)
        #expect(install.status == 0)
        #expect(install.stdout.contains("pre-receive.local"))
        #expect(try String(contentsOf: server.appendingPathComponent("hooks/pre-receive.local"), encoding: .utf8) == foreign)

        try sandbox.write("docs/a.md", in: clone)
        try sandbox.commit("Human docs", in: clone)
        let before = try serverRefs()
        let output = try push("origin", "main")
        try expectRefusedCleanly(output, refsBefore: before)
        #expect(output.stderr.contains("site policy saw refs/heads/main"))

        // Uninstall puts the foreign hook back exactly.
        #expect(try sandbox.agentreview(["install", "--server", server.path, "--uninstall"], in: sandbox.root).status == 0)
        #expect(try String(contentsOf: hook, encoding: .utf8) == foreign)
        #expect(!FileManager.default.fileExists(atPath: server.appendingPathComponent("hooks/pre-receive.local").path))
    }

    @Test func installIsIdempotentAndRespectsHooksPath() throws {
        let hook = clone.appendingPathComponent(".git/hooks/pre-push")
        let first = try String(contentsOf: hook, encoding: .utf8)
        let again = try sandbox.agentreview(["install"], in: clone)
        #expect(again.status == 0)
        #expect(again.stdout.contains("already installed"))
        #expect(try String(contentsOf: hook, encoding: .utf8) == first)
        #expect(!FileManager.default.fileExists(atPath: clone.appendingPathComponent(".git/hooks/pre-push.local").path))
        #expect(first.contains(Sandbox.binary.path))

        try sandbox.git("config", "core.hooksPath", "githooks", in: clone)
        #expect(try sandbox.agentreview(["install"], in: clone).status == 0)
        #expect(FileManager.default.isExecutableFile(atPath: clone.appendingPathComponent("githooks/pre-push").path))
        // git runs it from there: an agent's infra commit is stopped on the client.
        try sandbox.write("infra/x.tf", in: clone)
        try sandbox.commit("Infra\n\nAgent: codex/1", in: clone)
        let output = try push("origin", "main")
        #expect(output.status != 0)
        #expect(!output.stderr.contains("remote: "))

        #expect(try sandbox.agentreview(["install", "--uninstall"], in: clone).status == 0)
        #expect(!FileManager.default.fileExists(atPath: clone.appendingPathComponent("githooks/pre-push").path))
    }

    @Test func shimsMatchTheHooksFolder() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for name in ["pre-push", "pre-receive"] {
            let template = try String(contentsOf: root.appendingPathComponent("hooks/\(name)"), encoding: .utf8)
            let installed = try String(
                contentsOf: (name == "pre-push" ? clone.appendingPathComponent(".git/hooks") : server.appendingPathComponent("hooks"))
                    .appendingPathComponent(name),
                encoding: .utf8)
            #expect(installed == template.replacingOccurrences(of: "@AGENTREVIEW@", with: Sandbox.binary.path))
        }
    }

    @Test func prePushWithEmptyInputOrAnUnknownRemoteSha() throws {
        let empty = try Sandbox.run(Sandbox.binary.path, ["hook", "pre-push", "origin", server.path], in: clone, input: Data())
        #expect(empty.status == 0, "\(empty.stderr)")
        // Someone pushed first: the remote sha is not here. It cannot hide anything, and is no error.
        try sandbox.write("infra/x.tf", in: clone)
        let local = try sandbox.commit("Infra\n\nAgent: codex/1", in: clone)
        let unknown = String(repeating: "ab", count: 20)
        let line = "refs/heads/main \(local) refs/heads/main \(unknown)\n"
        let output = try Sandbox.run(Sandbox.binary.path, ["hook", "pre-push", "origin", server.path], in: clone, input: Data(line.utf8))
        #expect(output.status == 1)
        #expect(output.stdout.contains(String(local.prefix(12))))
        #expect(!output.stderr.contains("unreadable"))
        // Deleting a branch sends no commits: nothing to judge.
        let deletion = "(delete) \(String(repeating: "0", count: 40)) refs/heads/topic \(local)\n"
        let deleted = try Sandbox.run(Sandbox.binary.path, ["hook", "pre-push", "origin", server.path], in: clone, input: Data(deletion.utf8))
        #expect(deleted.status == 0, "\(deleted.stderr)")
    }
}
