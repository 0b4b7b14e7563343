import AgentReviewSupport
import Foundation

/// Runs the real `git` binary for tests that check our rules against git itself.
/// The environment is isolated from the machine's git configuration (no system or
/// global config, so no `core.excludesFile`), with a fixed identity.
public struct GitProcess {
    public struct Failure: Error, CustomStringConvertible {
        public var arguments: [String]
        public var status: Int32
        public var stderr: String
        public var description: String { "git \(arguments.joined(separator: " ")) exited \(status): \(stderr)" }

        public init(arguments: [String], status: Int32, stderr: String) {
            self.arguments = arguments
            self.status = status
            self.stderr = stderr
        }
    }

    public struct Output {
        public var status: Int32
        public var stdout: Data
        public var stderr: String
        public var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    public static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        env["GIT_AUTHOR_NAME"] = "Test Author"
        env["GIT_AUTHOR_EMAIL"] = "author@example.com"
        env["GIT_COMMITTER_NAME"] = "Test Committer"
        env["GIT_COMMITTER_EMAIL"] = "committer@example.com"
        env["LC_ALL"] = "C"
        return env
    }

    /// Runs git and returns what it printed, whatever its exit status.
    @discardableResult
    public static func run(_ arguments: [String], in directory: URL? = nil, input: Data? = nil) throws -> Output {
        let result = try Subprocess.run("git", arguments, input: input ?? Data(), directory: directory, environment: environment)
        return Output(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// Runs git and throws unless it exits 0.
    @discardableResult
    public static func check(_ arguments: [String], in directory: URL? = nil, input: Data? = nil) throws -> Output {
        let output = try run(arguments, in: directory, input: input)
        guard output.status == 0 else { throw Failure(arguments: arguments, status: output.status, stderr: output.stderr) }
        return output
    }

    /// A fresh temporary directory, removed by the caller with `FileManager.removeItem`.
    public static func temporaryDirectory(_ name: String = "agentreview-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
