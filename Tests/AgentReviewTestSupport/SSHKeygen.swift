import AgentReviewSupport
import Foundation

/// Runs the real `ssh-keygen`, so our answers can be checked against OpenSSH's. The
/// environment pins `TZ=UTC` (ssh-keygen reads times without a `Z` in local time) and
/// drops any agent socket.
public struct SSHKeygen {
    public struct Output {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public var arguments: [String]
        public var output: Output
        public var description: String { "ssh-keygen \(arguments.joined(separator: " ")) exited \(output.status): \(output.stderr)" }
    }

    /// Runs ssh-keygen in `directory` with `stdin` (a file) or /dev/null as input.
    @discardableResult
    public static func run(_ arguments: [String], in directory: URL, stdin: URL? = nil) throws -> Output {
        var environment = ProcessInfo.processInfo.environment
        environment["TZ"] = "UTC"
        environment["LC_ALL"] = "C"
        environment.removeValue(forKey: "SSH_AUTH_SOCK")
        let input = try stdin.map { try Data(contentsOf: $0) } ?? Data()
        let result = try Subprocess.run("ssh-keygen", arguments, input: input, directory: directory, environment: environment)
        return Output(status: result.status, stdout: result.text, stderr: result.stderr)
    }

    @discardableResult
    public static func check(_ arguments: [String], in directory: URL, stdin: URL? = nil) throws -> Output {
        let output = try run(arguments, in: directory, stdin: stdin)
        guard output.status == 0 else { throw Failure(arguments: arguments, output: output) }
        return output
    }

    /// Signs `message` with the private key at `key` and returns the armored signature.
    public static func sign(_ message: [UInt8], key: URL, namespace: String, hashAlgorithm: String? = nil, in directory: URL) throws -> String {
        let file = directory.appendingPathComponent("msg-\(UUID().uuidString)")
        try Data(message).write(to: file)
        var arguments = ["-Y", "sign", "-f", key.path, "-n", namespace]
        if let hashAlgorithm { arguments += ["-O", "hashalg=\(hashAlgorithm)"] }
        try check(arguments + [file.path], in: directory)
        return try String(contentsOf: file.appendingPathExtension("sig"), encoding: .utf8)
    }

    /// Whether `ssh-keygen -Y verify` accepts `signature` over `message` as `principal` in
    /// `namespace`, with `allowedSigners` as the signers file, at `time` (`-Overify-time`),
    /// with `revoked` as the revocation list.
    public static func verifies(
        _ signature: String, message: [UInt8], principal: String, namespace: String, allowedSigners: String,
        time: Date? = nil, revoked: String? = nil, in directory: URL
    ) throws -> Bool {
        let id = UUID().uuidString
        let messageURL = directory.appendingPathComponent("vmsg-\(id)")
        let signatureURL = directory.appendingPathComponent("vsig-\(id)")
        let signersURL = directory.appendingPathComponent("signers-\(id)")
        try Data(message).write(to: messageURL)
        try Data(signature.utf8).write(to: signatureURL)
        try Data(allowedSigners.utf8).write(to: signersURL)
        var arguments = [
            "-Y", "verify", "-f", signersURL.path, "-I", principal, "-n", namespace, "-s", signatureURL.path,
        ]
        if let time { arguments += ["-Overify-time=\(sshTime(time))"] }
        if let revoked {
            let revokedURL = directory.appendingPathComponent("revoked-\(id)")
            try Data(revoked.utf8).write(to: revokedURL)
            arguments += ["-r", revokedURL.path]
        }
        return try run(arguments, in: directory, stdin: messageURL).status == 0
    }

    /// `YYYYMMDDHHMMSSZ`.
    public static func sshTime(_ date: Date) -> String {
        let iso = ISO8601DateFormatter().string(from: date)  // 2026-11-25T12:00:00Z
        return iso.filter { $0.isNumber } + "Z"
    }
}
