import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

@testable import AgentReviewCLI

/// `agentreview doctor` end to end: a healthy clone and server pass every check; then each
/// thing a team gets wrong is broken in turn, on real repositories with real keys, and the
/// check that finds it says so with the command that fixes it.
@Suite struct DoctorTests {
    let sandbox: Sandbox
    let server: URL
    let clone: URL
    let keys: URL
    let alice: (path: String, publicKey: String)

    static let policy = """
        version: 1
        classes:
          - name: low
          - name: medium
            approvals: 1
        default_class: medium
        paths:
          - { pattern: "docs/", class: low }
        refs:
          - { pattern: "refs/heads/main", mode: enforce }
        default_mode: warn

        """

    /// A server whose main holds the policy and alice's key, and a clone with the pre-push
    /// hook, alice as its reviewer (key listed, loadable), and one approval shared with the server.
    init() throws {
        try self.init(signers: nil, policy: Self.policy)
    }

    /// The same with other signers or another policy on the server's main.
    init(signers: String?, policy: String = DoctorTests.policy) throws {
        sandbox = try Sandbox()
        keys = sandbox.root.appendingPathComponent("keys")
        alice = try sandbox.sshKey("alice", in: keys)
        let listed = signers ?? "alice@example.com namespaces=\"agentreview\" \(alice.publicKey)\n"
        (server, clone) = try sandbox.server(with: [
            ".agentreview/policy.yml": policy, ".agentreview/allowed_signers": listed, "README.md": "# project\n",
        ])
        try #require(try sandbox.agentreview(["install"], in: clone).status == 0)
        try sandbox.git("config", "user.email", "alice@example.com", in: clone)
        try sandbox.git("config", "user.signingkey", alice.path, in: clone)
    }

    /// Adds a person's commit, pushed, and alice's approval of it, synced: two commits on the
    /// server and the notes the same on both sides.
    func share() throws {
        try sandbox.write("docs/guide.md", "# guide\n", in: clone)
        try sandbox.commit("Add the guide", in: clone)
        try sandbox.git("push", "-q", "origin", "main", in: clone)
        let approved = try sandbox.agentreview(["approve", "HEAD"], in: clone)
        try #require(approved.status == 0, "\(approved.stderr)")
        let synced = try sandbox.agentreview(["sync"], in: clone)
        try #require(synced.status == 0, "\(synced.stderr)")
    }

    /// Runs `doctor --json` and decodes it.
    func doctor(
        _ arguments: [String] = [], in directory: URL? = nil, environment: [String: String] = [:]
    ) throws -> (report: DoctorReport, output: Sandbox.Output) {
        let output = try Sandbox.run(
            Sandbox.binary.path, ["doctor", "--json"] + arguments, in: directory ?? clone, environment: environment)
        guard output.status == 0 || output.status == 1 else { throw Sandbox.Failure(command: "doctor \(arguments)", output: output) }
        return (try JSONDecoder().decode(DoctorReport.self, from: Data(output.stdout.utf8)), output)
    }

    func check(_ name: String, _ report: DoctorReport) throws -> DoctorCheck {
        try #require(report.checks.first { $0.name == name }, "no check \(name) in \(report.checks.map(\.name))")
    }

    // MARK: Healthy

    @Test func healthyCloneAndServerPassEveryCheck() throws {
        try share()
        let (report, output) = try doctor()
        #expect(output.status == 0, "\(output.stdout)")
        #expect(report.checks.map(\.name) == DoctorChecks.clientNames)
        for check in report.checks {
            #expect(check.status == .ok, "\(check)")
            #expect(check.fix == nil)
        }
        #expect(try check("notes", report).detail.hasPrefix("in sync with origin"))
        #expect(try check("key-listed", report).detail.contains("alice@example.com"))
        // JSON: sorted keys, no fix member when there is nothing to fix.
        #expect(output.stdout.hasPrefix("{\"checks\":[{\"detail\":"))
        #expect(!output.stdout.contains("\"fix\""))

        // Text: one line a check, then the counts.
        let text = try sandbox.agentreview(["doctor"], in: clone)
        #expect(text.status == 0)
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.count == DoctorChecks.clientNames.count + 1)
        #expect(lines.dropLast().allSatisfy { $0.hasPrefix("ok ") })
        #expect(lines.last == "\(DoctorChecks.clientNames.count) ok, 0 warn, 0 fail")

        let (served, serverOutput) = try doctor(["--server", server.path], in: sandbox.root)
        #expect(serverOutput.status == 0, "\(serverOutput.stdout)")
        #expect(served.checks.map(\.name) == DoctorChecks.serverNames)
        #expect(served.checks.allSatisfy { $0.status == .ok }, "\(served.checks)")
        #expect(try check("trust-root", served).detail.hasPrefix("refs/heads/main at "))
    }

    @Test func notARepositoryIsAnErrorInOneLine() throws {
        let elsewhere = sandbox.root.appendingPathComponent("plain")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let output = try sandbox.agentreview(["doctor"], in: elsewhere)
        #expect(output.status == 2)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.split(separator: "\n").count == 1)
        #expect(output.stderr.contains("not a git repository"))
        let server = try sandbox.agentreview(["doctor", "--server", elsewhere.path], in: sandbox.root)
        #expect(server.status == 2)
        #expect(server.stderr.contains("not a git repository"))
    }

    // MARK: The hook

    @Test func hookRemovedOrNotExecutable() throws {
        let hook = clone.appendingPathComponent(".git/hooks/pre-push")
        try FileManager.default.removeItem(at: hook)
        var (report, output) = try doctor()
        #expect(output.status == 1)
        var found = try check("hook", report)
        #expect(found.status == .fail)
        #expect(found.detail.contains("no pre-push hook"))
        #expect(found.fix == "agentreview install")

        try #require(try sandbox.agentreview(["install"], in: clone).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: hook.path)
        (report, output) = try doctor()
        #expect(output.status == 1)
        found = try check("hook", report)
        #expect(found.status == .fail)
        #expect(found.detail.contains("not executable"))
        #expect(found.fix == "chmod +x \(hook.path)")
        // The text form puts the fix on the check's line.
        let text = try sandbox.agentreview(["doctor"], in: clone)
        #expect(text.status == 1)
        #expect(text.stdout.split(separator: "\n").contains { $0.hasPrefix("fail  hook ") && $0.hasSuffix("fix: chmod +x \(hook.path)") })

        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)
        #expect(try doctor().output.status == 0)
    }

    @Test func hookOutsideCoreHooksPathIsNotInstalled() throws {
        try sandbox.git("config", "core.hooksPath", ".githooks", in: clone)
        var (report, output) = try doctor()
        #expect(output.status == 1)
        let found = try check("hook", report)
        #expect(found.status == .fail)
        #expect(found.detail.contains("core.hooksPath"))
        #expect(found.detail.contains(".git/hooks/pre-push is there"))
        #expect(found.fix == "agentreview install")
        try #require(try sandbox.agentreview(["install"], in: clone).status == 0)
        (report, output) = try doctor()
        #expect(output.status == 0)
        #expect(try check("hook", report).detail.contains(".githooks/pre-push"))
    }

    @Test func aHookThatIsNotTheShimFails() throws {
        let hook = clone.appendingPathComponent(".git/hooks/pre-push")
        try Data("#!/bin/sh\nexit 0\n".utf8).write(to: hook)
        let (report, output) = try doctor()
        #expect(output.status == 1)
        let found = try check("hook", report)
        #expect(found.status == .fail)
        #expect(found.detail.contains("not agentreview's shim"))
        #expect(found.fix?.hasPrefix("agentreview install") == true)
        #expect(try check("hook-binary", report).status == .warn)
    }

    @Test func shimPointingAtAMissingBinary() throws {
        // Installed from a binary that is then removed (an upgrade that moved it).
        let bin = sandbox.root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let moved = bin.appendingPathComponent("agentreview")
        try FileManager.default.copyItem(at: Sandbox.binary, to: moved)
        let installed = try Sandbox.run(moved.path, ["install"], in: clone)
        try #require(installed.status == 0, "\(installed.stderr)")
        var (report, output) = try doctor(environment: ["PATH": "/usr/bin:/bin"])
        #expect(try check("hook", report).status == .ok)
        #expect(try check("hook-binary", report).detail.contains(moved.path))
        #expect(output.status == 0)

        try FileManager.default.removeItem(at: moved)
        (report, output) = try doctor(environment: ["PATH": "/usr/bin:/bin"])
        #expect(output.status == 1)
        let found = try check("hook-binary", report)
        #expect(found.status == .fail)
        #expect(found.detail.contains("\(moved.path) does not exist"))
        #expect(found.fix == "agentreview install")
        // The fix: install again, from the binary at hand.
        try #require(try sandbox.agentreview(["install"], in: clone).status == 0)
        (report, output) = try doctor(environment: ["PATH": "/usr/bin:/bin"])
        #expect(output.status == 0)
        #expect(try check("hook-binary", report).detail.contains("runs (version "))
    }

    // MARK: The trust root

    @Test func defaultBranchUnknownAndNoUpstream() throws {
        try sandbox.git("remote", "set-head", "origin", "-d", in: clone)
        try sandbox.git("switch", "-q", "-c", "topic", in: clone)
        let (report, output) = try doctor()
        #expect(output.status == 0)
        let head = try check("default-branch", report)
        #expect(head.status == .warn)
        #expect(head.fix == "git remote set-head origin --auto")
        let upstream = try check("upstream", report)
        #expect(upstream.status == .warn)
        #expect(upstream.detail.contains("topic has no upstream"))
        #expect(upstream.fix == "git push -u origin topic")
        // Without origin/HEAD the root is still found, as origin's main.
        #expect(try check("trust-root", report).status == .ok)
    }

    @Test func noCopyOfTheRootIsAFailure() throws {
        try sandbox.git("remote", "set-head", "origin", "-d", in: clone)
        try sandbox.git("update-ref", "-d", "refs/remotes/origin/main", in: clone)
        let (report, output) = try doctor()
        #expect(output.status == 1)
        let root = try check("trust-root", report)
        #expect(root.status == .fail)
        #expect(root.fix == "git fetch origin")
        #expect(try check("policy", report).detail.hasPrefix("not checked"))
        try sandbox.git("fetch", "-q", "origin", in: clone)
        #expect(try doctor().output.status == 0)
    }

    // MARK: Signers and the reviewer's key

    @Test func noSignersListedFailsWithTheLineToAdd() throws {
        let empty = try DoctorTests(signers: "# nobody yet\n")
        let (report, output) = try empty.doctor()
        #expect(output.status == 1)
        let signers = try empty.check("signers", report)
        #expect(signers.status == .fail)
        #expect(signers.detail.contains("lists no reviewer"))
        let line = "alice@example.com namespaces=\"agentreview\" \(empty.alice.publicKey.split(separator: " ").prefix(2).joined(separator: " "))"
        #expect(signers.fix == "echo '\(line)' >> .agentreview/allowed_signers")
        // The line it gives, added and pushed, is the fix.
        try empty.sandbox.git("pull", "-q", in: empty.clone)
        try empty.sandbox.write(".agentreview/allowed_signers", line + "\n", in: empty.clone)
        try empty.sandbox.commit("List alice", in: empty.clone)
        let pushed = try Sandbox.run("/usr/bin/git", ["push", "-q", "origin", "main"], in: empty.clone)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        let (fixed, fixedOutput) = try empty.doctor()
        #expect(try empty.check("signers", fixed).status == .ok)
        #expect(try empty.check("key-listed", fixed).status == .ok)
        #expect(fixedOutput.status == 0, "\(fixed.checks)")

        // The server says the same of its own root.
        let other = try DoctorTests(signers: "")
        let served = try other.doctor(["--server", other.server.path], in: other.sandbox.root)
        #expect(served.output.status == 1)
        #expect(try other.check("signers", served.report).status == .fail)
    }

    @Test func malformedSignerLinesAreReported() throws {
        let mixed = try DoctorTests(signers: "# reviewers\nbob@example.com ssh-ed25519 not-base64\n")
        var signers = "alice@example.com namespaces=\"agentreview\" \(mixed.alice.publicKey)\n"
        signers += "bob@example.com ssh-ed25519 not-base64\n"
        let fine = try DoctorTests(signers: signers)
        let (report, output) = try fine.doctor()
        #expect(output.status == 0)
        let found = try fine.check("signers", report)
        #expect(found.status == .warn)
        #expect(found.detail.contains("allowed_signers:2"))
        #expect(found.fix?.contains("that line of .agentreview/allowed_signers") == true)
        // Only malformed lines: nobody is listed, which fails, and the ignored line is named.
        let (broken, brokenOutput) = try mixed.doctor()
        #expect(brokenOutput.status == 1)
        let none = try mixed.check("signers", broken)
        #expect(none.status == .fail)
        #expect(none.detail.contains("allowed_signers:2"))
    }

    @Test func keyNotListedWarnsThatApprovalsWillNotCount() throws {
        let mallory = try sandbox.sshKey("mallory", in: keys)
        try sandbox.git("config", "user.signingkey", mallory.path, in: clone)
        var (report, output) = try doctor()
        #expect(output.status == 0)
        var found = try check("key-listed", report)
        #expect(found.status == .warn)
        #expect(found.detail.contains("will not count"))
        let key = mallory.publicKey.split(separator: " ").prefix(2).joined(separator: " ")
        #expect(found.fix == "echo 'alice@example.com namespaces=\"agentreview\" \(key)' >> .agentreview/allowed_signers")

        // alice's key, but another identity: not listed under it.
        try sandbox.git("config", "user.signingkey", alice.path, in: clone)
        try sandbox.git("config", "user.email", "bob@example.com", in: clone)
        (report, output) = try doctor()
        found = try check("key-listed", report)
        #expect(found.status == .warn)
        #expect(found.detail.contains("belongs to alice@example.com"))
        #expect(found.fix?.hasPrefix("echo 'bob@example.com ") == true)
        // --as names the identity to check.
        (report, output) = try doctor(["--as", "alice@example.com"])
        #expect(try check("key-listed", report).status == .ok)
    }

    @Test func signingKeyThatDoesNotLoad() throws {
        try sandbox.git("config", "user.signingkey", keys.appendingPathComponent("nobody").path, in: clone)
        var (report, output) = try doctor()
        #expect(output.status == 1)
        var found = try check("signing-key", report)
        #expect(found.status == .fail)
        #expect(found.detail.contains("no such file"))
        #expect(found.fix == "git config user.signingkey ~/.ssh/id_ed25519.pub")
        #expect(try check("key-listed", report).detail.hasPrefix("not checked"))

        // A private key others can read: ssh-keygen refuses it.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: alice.path)
        (report, output) = try doctor(["--key", alice.path])
        found = try check("signing-key", report)
        #expect(found.status == .fail)
        #expect(found.fix == "chmod 600 \(alice.path)")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: alice.path)

        // A file that is not a key.
        let junk = keys.appendingPathComponent("junk.pub")
        try Data("not a key\n".utf8).write(to: junk)
        (report, output) = try doctor(["--key", junk.path])
        found = try check("signing-key", report)
        #expect(found.status == .fail)
        #expect(found.detail.contains("ssh-keygen cannot read"))

        // No key at all: a warning, not a failure (not everyone reviews).
        try sandbox.git("config", "--unset", "user.signingkey", in: clone)
        (report, output) = try doctor()
        #expect(output.status == 0)
        found = try check("signing-key", report)
        #expect(found.status == .warn)
        #expect(found.fix == "git config user.signingkey ~/.ssh/id_ed25519.pub")
    }

    /// A public key (a file alone, or a `key::` literal) signs only through ssh-agent: the
    /// check asks a real agent.
    @Test func publicKeyNeedsTheAgent() throws {
        // Only the public half at hand.
        let publicOnly = keys.appendingPathComponent("alice-only.pub")
        try FileManager.default.copyItem(atPath: alice.path + ".pub", toPath: publicOnly.path)
        let noAgent = ["SSH_AUTH_SOCK": sandbox.root.appendingPathComponent("no-agent").path]
        var (report, output) = try doctor(["--key", publicOnly.path], environment: noAgent)
        #expect(output.status == 1)
        #expect(try check("signing-key", report).status == .ok)
        #expect(try check("key-listed", report).status == .ok)
        var found = try check("ssh-agent", report)
        #expect(found.status == .fail)
        #expect(found.fix?.contains("ssh-add") == true)
        // The same for a key:: literal.
        (report, output) = try doctor(["--key", "key::\(alice.publicKey)"], environment: noAgent)
        #expect(output.status == 1)
        #expect(try check("ssh-agent", report).status == .fail)
        // The public key beside its private key: ssh-keygen signs with the private one.
        (report, output) = try doctor(["--key", alice.path + ".pub"], environment: noAgent)
        #expect(output.status == 0)
        #expect(try check("ssh-agent", report).detail.contains("signs with \(alice.path)"))

        // A real agent, with alice's key added.
        let socket = sandbox.root.appendingPathComponent("agent.sock").path
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-agent")
        agent.arguments = ["-D", "-a", socket]
        agent.standardOutput = FileHandle.nullDevice
        agent.standardError = FileHandle.nullDevice
        try agent.run()
        defer {
            // SIGKILL: the agent inherits the test runner's signal mask, which may block SIGTERM.
            kill(agent.processIdentifier, SIGKILL)
            agent.waitUntilExit()
        }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: socket) { Thread.sleep(forTimeInterval: 0.05) }
        let withAgent = ["SSH_AUTH_SOCK": socket]
        (report, output) = try doctor(["--key", publicOnly.path], environment: withAgent)
        found = try check("ssh-agent", report)
        #expect(found.status == .fail)
        #expect(found.detail.contains("does not hold"))
        #expect(found.fix == "ssh-add \(publicOnly.path.dropLast(4))")
        let added = try Sandbox.run("/usr/bin/ssh-add", ["-q", alice.path], in: sandbox.root, environment: withAgent)
        try #require(added.status == 0, "\(added.stderr)")
        (report, output) = try doctor(["--key", publicOnly.path], environment: withAgent)
        #expect(output.status == 0)
        #expect(try check("ssh-agent", report).detail.hasPrefix("ssh-agent holds"))
        (report, output) = try doctor(["--key", "key::\(alice.publicKey)"], environment: withAgent)
        #expect(output.status == 0)
        #expect(try check("ssh-agent", report).status == .ok)
        // And approve does sign with it.
        let approved = try Sandbox.run(
            Sandbox.binary.path, ["approve", "HEAD", "--key", publicOnly.path], in: clone, environment: withAgent)
        #expect(approved.status == 0, "\(approved.stderr)")
    }

    // MARK: Approvals shared with the remote

    @Test func notesAheadBehindAndDiverged() throws {
        try share()
        // Ahead: a local approval not synced.
        try sandbox.write("docs/more.md", "more\n", in: clone)
        try sandbox.commit("More docs", in: clone)
        try sandbox.git("push", "-q", "origin", "main", in: clone)
        try #require(try sandbox.agentreview(["approve", "HEAD"], in: clone).status == 0)
        var (report, output) = try doctor()
        #expect(output.status == 0)
        var notes = try check("notes", report)
        #expect(notes.status == .warn)
        #expect(notes.detail.hasPrefix("ahead"))
        #expect(notes.fix == "agentreview sync")
        // --offline compares with the copy from the last sync, and says so.
        (report, output) = try doctor(["--offline"])
        notes = try check("notes", report)
        #expect(notes.detail.hasPrefix("ahead"))
        #expect(notes.detail.contains("refs/agentreview/remotes/origin"))
        #expect(try sandbox.agentreview(["sync"], in: clone).status == 0)
        #expect(try check("notes", doctor().report).status == .ok)

        // Behind: another reviewer's clone has what this one lacks.
        let other = sandbox.root.appendingPathComponent("other")
        try sandbox.git("clone", "-q", server.path, other.path, in: sandbox.root)
        try sandbox.git("config", "user.email", "alice@example.com", in: other)
        try sandbox.git("config", "user.signingkey", alice.path, in: other)
        #expect(try sandbox.agentreview(["sync"], in: other).status == 0)
        try sandbox.write("docs/third.md", "third\n", in: other)
        try sandbox.commit("Third", in: other)
        try sandbox.git("push", "-q", "origin", "main", in: other)
        #expect(try sandbox.agentreview(["approve", "HEAD"], in: other).status == 0)
        #expect(try sandbox.agentreview(["sync"], in: other).status == 0)
        (report, output) = try doctor()
        notes = try check("notes", report)
        #expect(notes.status == .warn)
        #expect(notes.detail.hasPrefix("behind"))
        #expect(notes.fix == "agentreview sync")

        // Diverged: both sides have approvals the other lacks.
        try sandbox.git("pull", "-q", "origin", "main", in: clone)
        try sandbox.write("docs/fourth.md", "fourth\n", in: clone)
        try sandbox.commit("Fourth", in: clone)
        try sandbox.git("push", "-q", "origin", "main", in: clone)
        #expect(try sandbox.agentreview(["approve", "HEAD"], in: clone).status == 0)
        try sandbox.git("fetch", "-q", "origin", "+refs/notes/agentreview:refs/agentreview/remotes/origin", in: clone)
        (report, output) = try doctor()
        notes = try check("notes", report)
        #expect(notes.status == .warn)
        #expect(notes.detail.hasPrefix("diverged"))
        #expect(notes.fix == "agentreview sync")
        #expect(try sandbox.agentreview(["sync"], in: clone).status == 0)
        #expect(try check("notes", doctor().report).status == .ok)

        // Pushed by hand: in sync, but the copy pre-push counts is older.
        try sandbox.write("docs/fifth.md", "fifth\n", in: clone)
        try sandbox.commit("Fifth", in: clone)
        #expect(try sandbox.agentreview(["approve", "HEAD"], in: clone).status == 0)
        try sandbox.git("push", "-q", "origin", "main", "refs/notes/agentreview", in: clone)
        notes = try check("notes", doctor().report)
        #expect(notes.status == .warn)
        #expect(notes.detail.contains("the copy pre-push counts"))
        #expect(notes.fix == "agentreview sync")
    }

    // MARK: git settings

    @Test func shallowCloneWarns() throws {
        try share()
        let shallow = sandbox.root.appendingPathComponent("shallow")
        try sandbox.git("clone", "-q", "--depth", "1", "file://\(server.path)", shallow.path, in: sandbox.root)
        let (report, _) = try doctor(in: shallow)
        let found = try check("shallow", report)
        #expect(found.status == .warn)
        #expect(found.fix == "git fetch --unshallow")
        try sandbox.git("fetch", "-q", "--unshallow", in: shallow)
        #expect(try check("shallow", doctor(in: shallow).report).status == .ok)
    }

    @Test func gpgFormatOtherThanSSHWarns() throws {
        try sandbox.git("config", "gpg.format", "openpgp", in: clone)
        var (report, output) = try doctor()
        let found = try check("gpg-format", report)
        #expect(found.status == .warn)
        #expect(found.detail.contains("openpgp"))
        #expect(found.fix == "git config gpg.format ssh")
        // approve will not sign with git's key then: that fails.
        #expect(output.status == 1)
        let key = try check("signing-key", report)
        #expect(key.status == .fail)
        #expect(key.detail.contains("gpg.format is openpgp"))
        #expect(key.fix == "git config gpg.format ssh")
        // With --key, approve signs whatever gpg.format says.
        (report, output) = try doctor(["--key", alice.path])
        #expect(output.status == 0)
        #expect(try check("signing-key", report).status == .ok)
        #expect(try check("gpg-format", report).status == .warn)
        try sandbox.git("config", "gpg.format", "ssh", in: clone)
        (report, output) = try doctor()
        #expect(output.status == 0)
        #expect(try check("gpg-format", report).status == .ok)
    }

    // MARK: The server

    @Test func serverWithAnInvalidPolicy() throws {
        let invalid = try DoctorTests(signers: nil, policy: "version: 1\nclasses:\n  - name: low\ndefault_class: nope\n")
        let (report, output) = try invalid.doctor(["--server", invalid.server.path], in: invalid.sandbox.root)
        #expect(output.status == 1)
        let policy = try invalid.check("policy", report)
        #expect(policy.status == .fail)
        #expect(policy.detail.hasPrefix("invalid: refs/heads/main@"))
        #expect(policy.detail.contains(".agentreview/policy.yml:"))
        #expect(policy.fix?.contains("agentreview policy check") == true)
        #expect(try invalid.check("signers", report).detail.hasPrefix("not checked"))
        // The clone reads the same root as origin has it.
        let client = try invalid.doctor()
        #expect(client.output.status == 1)
        #expect(try invalid.check("policy", client.report).status == .fail)
    }

    @Test func serverHookNotExecutableAndRootWithoutCommit() throws {
        let hook = server.appendingPathComponent("hooks/pre-receive")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: hook.path)
        var (report, output) = try doctor(["--server", server.path], in: sandbox.root)
        #expect(output.status == 1)
        var found = try check("hook", report)
        #expect(found.status == .fail)
        #expect(found.fix == "chmod +x \(hook.path)")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)

        // HEAD names a branch with no commit (master, while the work is on main).
        try sandbox.git("--git-dir", server.path, "symbolic-ref", "HEAD", "refs/heads/master", in: sandbox.root)
        (report, output) = try doctor(["--server", server.path], in: sandbox.root)
        #expect(output.status == 1)
        found = try check("trust-root", report)
        #expect(found.status == .fail)
        #expect(found.detail.contains("refs/heads/master, which has no commit"))
        #expect(found.fix?.hasPrefix("git --git-dir=\(server.path) symbolic-ref HEAD refs/heads/main") == true)
        try sandbox.git("--git-dir", server.path, "symbolic-ref", "HEAD", "refs/heads/main", in: sandbox.root)
        #expect(try doctor(["--server", server.path], in: sandbox.root).output.status == 0)

        // Removed: the install command names the server.
        try FileManager.default.removeItem(at: hook)
        (report, output) = try doctor(["--server", server.path], in: sandbox.root)
        #expect(output.status == 1)
        #expect(try check("hook", report).fix == "agentreview install --server \(server.path)")
    }

    /// Gitea runs every executable of hooks/pre-receive.d/ from its own pre-receive: the shim
    /// counts there too.
    @Test func serverShimInGiteasDispatchDirectory() throws {
        let hooks = server.appendingPathComponent("hooks")
        let dispatch = hooks.appendingPathComponent("pre-receive.d")
        try FileManager.default.createDirectory(at: dispatch, withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: hooks.appendingPathComponent("pre-receive"), to: dispatch.appendingPathComponent("agentreview"))
        try sandbox.write("pre-receive", "#!/bin/sh\n# Gitea's dispatcher\nexit 0\n", in: hooks, executable: true)
        var (report, output) = try doctor(["--server", server.path], in: sandbox.root)
        #expect(output.status == 0, "\(report.checks)")
        #expect(try check("hook", report).detail.contains("pre-receive.d/agentreview"))
        #expect(try check("hook-binary", report).status == .ok)
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o644], ofItemAtPath: dispatch.appendingPathComponent("agentreview").path)
        (report, output) = try doctor(["--server", server.path], in: sandbox.root)
        #expect(output.status == 1)
        #expect(try check("hook", report).fix == "chmod +x \(dispatch.appendingPathComponent("agentreview").path)")
    }
}
