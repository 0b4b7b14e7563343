import AgentReviewCore
import AgentReviewSupport
import Foundation

/// A temporary directory for end-to-end tests: real repositories made with the real
/// `git`, and the real `agentreview` binary run on them as a process.
public final class Sandbox {
    public let root: URL

    public struct Output {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public var command: String
        public var output: Output
        public init(command: String, output: Output) {
            self.command = command
            self.output = output
        }
        public var description: String { "\(command) exited \(output.status)\nstdout: \(output.stdout)\nstderr: \(output.stderr)" }
    }

    public init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("agentreview-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    /// git and agentreview see no machine-wide or user configuration.
    public static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        env["GIT_AUTHOR_NAME"] = "Hugh Mann"
        env["GIT_AUTHOR_EMAIL"] = "hugh@example.com"
        env["GIT_COMMITTER_NAME"] = "Hugh Mann"
        env["GIT_COMMITTER_EMAIL"] = "hugh@example.com"
        env["LC_ALL"] = "C"
        env.removeValue(forKey: "GIT_DIR")
        env.removeValue(forKey: "GIT_WORK_TREE")
        return env
    }

    /// The binary under test, built beside the test bundle.
    public static let binary: URL = {
        var directory = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("agentreview")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("agentreview")
    }()

    public static func run(_ executable: String, _ arguments: [String], in directory: URL, input: Data? = nil, environment extra: [String: String] = [:]) throws -> Output {
        let result = try Subprocess.run(
            executable, arguments, input: input ?? Data(), directory: directory, environment: environment.merging(extra) { $1 })
        return Output(status: result.status, stdout: result.text, stderr: result.stderr)
    }

    /// Runs git; throws unless it exits 0. Returns stdout without the trailing newline.
    @discardableResult
    public func git(_ arguments: String..., in directory: URL, environment: [String: String] = [:]) throws -> String {
        try git(arguments, in: directory, environment: environment)
    }

    @discardableResult
    public func git(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> String {
        let output = try Self.run("/usr/bin/git", arguments, in: directory, environment: environment)
        guard output.status == 0 else { throw Failure(command: "git \(arguments.joined(separator: " "))", output: output) }
        return output.stdout.trimmingCharacters(in: .newlines)
    }

    /// Runs agentreview, whatever its exit status.
    public func agentreview(_ arguments: [String], in directory: URL, input: Data? = nil) throws -> Output {
        try Self.run(Self.binary.path, arguments, in: directory, input: input)
    }

    /// Runs a judging command with --json and decodes its judgement.
    public func judgement(_ arguments: [String], in directory: URL) throws -> (Judgement, Output) {
        let output = try agentreview(arguments + ["--json"], in: directory)
        guard output.status == 0 || output.status == 1 else { throw Failure(command: "agentreview \(arguments)", output: output) }
        return (try JSONDecoder().decode(Judgement.self, from: Data(output.stdout.utf8)), output)
    }

    /// A new repository with `main` checked out.
    public func repository(_ name: String = "repo") throws -> URL {
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try git("init", "-q", "-b", "main", in: url)
        return url
    }

    /// Writes a file (creating folders), optionally executable.
    public func write(_ path: String, _ content: String = "content\n", in repository: URL, executable: Bool = false) throws {
        let url = repository.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: url)
        if executable {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
    }

    /// Stages everything and commits; returns the new commit id.
    /// - Parameters:
    ///   - author: `Name <email>`; the committer is the same unless given.
    @discardableResult
    public func commit(_ message: String, in repository: URL, author: String? = nil, committer: String? = nil) throws -> String {
        try git("add", "-A", in: repository)
        var env = [String: String]()
        if let author, let identity = Identity.split(author) {
            env["GIT_AUTHOR_NAME"] = identity.name
            env["GIT_AUTHOR_EMAIL"] = identity.email
            env["GIT_COMMITTER_NAME"] = identity.name
            env["GIT_COMMITTER_EMAIL"] = identity.email
        }
        if let committer, let identity = Identity.split(committer) {
            env["GIT_COMMITTER_NAME"] = identity.name
            env["GIT_COMMITTER_EMAIL"] = identity.email
        }
        try git(["commit", "-q", "--allow-empty", "-m", message], in: repository, environment: env)
        return try git("rev-parse", "HEAD", in: repository)
    }

    /// The policy the end-to-end tests judge by.
    public static let policy = """
        version: 1
        classes:
          - name: low
            approvals: 0
          - name: medium
            approvals: 1
          - name: high
            approvals: 2
        default_class: medium
        paths:
          - { pattern: "docs/", class: low }
          - { pattern: "*.md", class: low }
          - { pattern: "infra/", class: high }
        escalations:
          submodule: high
          symlink: high
          executable: high
        refs:
          - { pattern: "refs/heads/main", mode: enforce }
        default_mode: warn

        """

    /// A new ed25519 key pair at `directory/name`; returns the private key's path and the
    /// public key's line (`ssh-ed25519 AAAA… name`).
    public func sshKey(_ name: String, in directory: URL) throws -> (path: String, publicKey: String) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        let made = try Self.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path], in: directory)
        guard made.status == 0 else { throw Failure(command: "ssh-keygen \(name)", output: made) }
        return (path, try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// A bare server (`server.git`) whose main holds `files`, committed by a person, with
    /// the pre-receive hook installed, and a clone of it (`clone`, without the client hook).
    public func server(with files: [String: String]) throws -> (server: URL, clone: URL) {
        let seed = try repository("seed")
        for (path, content) in files { try write(path, content, in: seed) }
        try commit("Policy, signers and owners", in: seed)
        let server = root.appendingPathComponent("server.git")
        try git("init", "-q", "--bare", "-b", "main", server.path, in: root)
        try git("push", "-q", server.path, "main", in: seed)
        let installed = try agentreview(["install", "--server", server.path], in: root)
        guard installed.status == 0 else { throw Failure(command: "agentreview install --server", output: installed) }
        let clone = root.appendingPathComponent("clone")
        try git("clone", "-q", server.path, clone.path, in: root)
        return (server, clone)
    }

    /// A repository whose first commit, by a person, holds the policy: the trusted base.
    public func repositoryWithPolicy(_ policy: String = Sandbox.policy, name: String = "repo") throws -> (URL, base: String) {
        let repository = try repository(name)
        try write(".agentreview/policy.yml", policy, in: repository)
        try write("README.md", "# project\n", in: repository)
        let base = try commit("Add the review policy", in: repository)
        return (repository, base)
    }
}

extension Identity {
    /// `Name <email>` split in two.
    public static func split(_ text: String) -> Identity? {
        guard let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else { return nil }
        let name = text[..<open].trimmingCharacters(in: .whitespaces)
        return Identity(name: name, email: String(text[text.index(after: open)..<close]))
    }
}
