import AgentReviewCore
import AgentReviewSupport
import AgentReviewTestSupport
import Foundation
import Testing

/// `approve` finds and uses the signing key as git does for SSH commit signatures: `~` from
/// `$HOME`, `key::` literals and `.pub` keys through a real ssh-agent (with `ssh-add` hints
/// when there is none or it lacks the key), `gpg.ssh.defaultKeyCommand` when no key is
/// configured, one clear line for `gpg.format openpgp`. And `init` outside a repository.
@Suite struct SigningConfigTests {
    let sandbox: Sandbox
    let server: URL
    let clone: URL
    /// A home directory holding bob's key at `.ssh/id_ed25519`.
    let home: URL
    let bob: (path: String, publicKey: String)

    init() throws {
        sandbox = try Sandbox()
        home = sandbox.root.appendingPathComponent("home")
        bob = try sandbox.sshKey("id_ed25519", in: home.appendingPathComponent(".ssh"))
        let signers = "bob@example.com namespaces=\"agentreview\" \(bob.publicKey)\n"
        (server, clone) = try sandbox.server(with: [
            ".agentreview/policy.yml": Sandbox.policy, ".agentreview/allowed_signers": signers, "README.md": "# project\n",
        ])
        try sandbox.git("config", "user.email", "bob@example.com", in: clone)
        try sandbox.write("src/app.swift", "print(1)\n", in: clone)
        try sandbox.commit("App\n\nAgent: codex/1", in: clone)
    }

    /// Runs agentreview in the clone with `set` added to the sandbox's environment and
    /// `unset` taken out of it.
    func agentreview(
        _ arguments: [String], set: [String: String] = [:], unset: [String] = []
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        var environment = Sandbox.environment.merging(set) { $1 }
        for name in unset { environment.removeValue(forKey: name) }
        let result = try Subprocess.run(Sandbox.binary.path, arguments, directory: clone, environment: environment)
        return (result.status, result.text, result.stderr)
    }

    func note() throws -> String? {
        let output = try Sandbox.run("/usr/bin/git", ["notes", "--ref=refs/notes/agentreview", "show", "HEAD"], in: clone)
        return output.status == 0 ? output.stdout : nil
    }

    func fingerprint() throws -> String { try SSHPublicKey(authorizedKeysLine: bob.publicKey).fingerprint }

    /// A real ssh-agent, started for one test in the foreground (`-D`, so it is this test's
    /// own child) on a socket in the sandbox, and stopped by its pid at the end.
    final class Agent {
        let socket: String
        let process = Process()
        var environment: [String: String] { ["SSH_AUTH_SOCK": socket] }

        init(in directory: URL) throws {
            socket = directory.appendingPathComponent("agent.sock").path
            process.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-agent")
            process.arguments = ["-D", "-a", socket]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Listening once its socket exists.
            let deadline = Date().addingTimeInterval(10)
            while !FileManager.default.fileExists(atPath: socket) {
                guard Date() < deadline, process.isRunning else {
                    stop()
                    throw AgentFailure(description: "ssh-agent -D -a \(socket) made no socket")
                }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }

        func add(_ key: String, in directory: URL) throws {
            let added = try Sandbox.run("/usr/bin/ssh-add", ["-q", key], in: directory, environment: environment)
            guard added.status == 0 else { throw Sandbox.Failure(command: "ssh-add", output: added) }
        }

        /// SIGKILL: a child started here may inherit a mask that blocks SIGTERM.
        func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        deinit { stop() }
    }

    struct AgentFailure: Error, CustomStringConvertible { var description: String }

    // MARK: Where the key is

    @Test func tildeIsTakenFromHOME() throws {
        try sandbox.git("config", "user.signingkey", "~/.ssh/id_ed25519", in: clone)
        let approved = try agentreview(["approve", "HEAD"], set: ["HOME": home.path], unset: ["SSH_AUTH_SOCK"])
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect(try note()?.contains("reviewer bob@example.com") == true)
        #expect(approved.stdout.contains("key \(try fingerprint())"))

        // Another HOME, another key file: $HOME decides, not the account's home directory.
        let elsewhere = sandbox.root.appendingPathComponent("elsewhere")
        let missing = try agentreview(["approve", "HEAD", "--comment", "again"], set: ["HOME": elsewhere.path], unset: ["SSH_AUTH_SOCK"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no key file at \(elsewhere.path)/.ssh/id_ed25519"), "\(missing.stderr)")
    }

    @Test func aKeyLiteralWithNoAgentSaysHowToAddIt() throws {
        try sandbox.git("config", "user.signingkey", "key::\(bob.publicKey)", in: clone)
        let output = try agentreview(["approve", "HEAD"], unset: ["SSH_AUTH_SOCK"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("none is running (SSH_AUTH_SOCK is not set)"), "\(output.stderr)")
        #expect(output.stderr.contains("`ssh-add KEYFILE` (KEYFILE: the private key of \(try fingerprint()))"), "\(output.stderr)")
        #expect(try note() == nil)
    }

    @Test func keysSignThroughARealAgent() throws {
        let agent = try Agent(in: sandbox.root)
        defer { agent.stop() }
        try sandbox.git("config", "user.signingkey", "key::\(bob.publicKey)", in: clone)

        // The agent runs, but does not hold the key yet.
        let lacking = try agentreview(["approve", "HEAD"], set: agent.environment)
        #expect(lacking.status == 2)
        #expect(lacking.stderr.contains("ssh-agent does not hold the private half of ssh-ed25519 \(try fingerprint())"), "\(lacking.stderr)")
        #expect(lacking.stderr.contains("ssh-add"))
        // A .pub alone names the private key to add.
        let alone = sandbox.root.appendingPathComponent("alone")
        try FileManager.default.createDirectory(at: alone, withIntermediateDirectories: true)
        let pub = alone.appendingPathComponent("id_ed25519.pub").path
        try FileManager.default.copyItem(atPath: bob.path + ".pub", toPath: pub)
        let lackingPub = try agentreview(["approve", "HEAD", "--key", pub], set: agent.environment)
        #expect(lackingPub.status == 2)
        #expect(lackingPub.stderr.contains("`ssh-add \(alone.path)/id_ed25519`"), "\(lackingPub.stderr)")
        #expect(try note() == nil)

        try agent.add(bob.path, in: sandbox.root)
        let approved = try agentreview(["approve", "HEAD"], set: agent.environment)
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect(approved.stdout.contains("key \(try fingerprint())"))
        let viaPub = try agentreview(["approve", "HEAD", "--key", pub, "--comment", "through the agent"], set: agent.environment)
        #expect(viaPub.status == 0, "\(viaPub.stderr)")
        let note = try #require(try note())
        #expect(note.contains("comment through the agent"))
        // Both count where it matters: the server takes them.
        let synced = try agentreview(["sync"], set: agent.environment)
        #expect(synced.status == 0, "\(synced.stderr)")
    }

    @Test func defaultKeyCommandGivesTheKey() throws {
        let agent = try Agent(in: sandbox.root)
        defer { agent.stop() }
        try agent.add(bob.path, in: sandbox.root)
        // git runs it without a shell and takes the first line.
        let script = sandbox.root.appendingPathComponent("which-key")
        try sandbox.write("which-key", "#!/bin/sh\necho 'key::\(bob.publicKey)'\necho 'key::ssh-ed25519 not-this-one'\n", in: sandbox.root, executable: true)
        try sandbox.git("config", "gpg.ssh.defaultKeyCommand", script.path, in: clone)
        let approved = try agentreview(["approve", "HEAD"], set: agent.environment)
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect(approved.stdout.contains("key \(try fingerprint())"))
        #expect(try note()?.contains("reviewer bob@example.com") == true)

        // A command that prints no key says so.
        try sandbox.write("no-key", "#!/bin/sh\necho 'no keys here'\n", in: sandbox.root, executable: true)
        try sandbox.git("config", "gpg.ssh.defaultKeyCommand", sandbox.root.appendingPathComponent("no-key").path, in: clone)
        let none = try agentreview(["approve", "HEAD"], set: agent.environment)
        #expect(none.status == 2)
        #expect(none.stderr.contains("printed no key"), "\(none.stderr)")
    }

    @Test func gpgFormatOpenPGPIsOneClearLine() throws {
        try sandbox.git("config", "gpg.format", "openpgp", in: clone)
        try sandbox.git("config", "user.signingkey", "3AA5C34371567BD2", in: clone)
        let output = try agentreview(["approve", "HEAD"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("agentreview signs with SSH keys only: set `git config gpg.format ssh`"), "\(output.stderr)")
        #expect(!output.stderr.contains("ssh-keygen"))
        #expect(output.stderr.split(separator: "\n").count == 1)
        #expect(try note() == nil)
    }

    @Test func initRefusesOutsideARepository() throws {
        let plain = sandbox.root.appendingPathComponent("plain")
        try FileManager.default.createDirectory(at: plain, withIntermediateDirectories: true)
        let output = try sandbox.agentreview(["init"], in: plain)
        #expect(output.status == 2)
        #expect(output.stderr.contains("not a git repository"), "\(output.stderr)")
        #expect(output.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: plain.appendingPathComponent(".agentreview").path))
        // In a repository's subdirectory it writes at the top.
        let inside = try sandbox.agentreview(["init", "--force"], in: clone.appendingPathComponent("src"))
        #expect(inside.status == 0, "\(inside.stderr)")
        #expect(FileManager.default.fileExists(atPath: clone.appendingPathComponent(".agentreview/policy.yml").path))
    }
}
