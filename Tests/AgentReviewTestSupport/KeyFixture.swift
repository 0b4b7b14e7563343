import AgentReviewCore
import Foundation

/// Key types exercised against ssh-keygen.
public enum KeyKind: String, CaseIterable, Sendable {
    case ed25519, ecdsa256, ecdsa384, ecdsa521, rsa2048

    public var keygenArguments: [String] {
        switch self {
        case .ed25519: ["-t", "ed25519"]
        case .ecdsa256: ["-t", "ecdsa", "-b", "256"]
        case .ecdsa384: ["-t", "ecdsa", "-b", "384"]
        case .ecdsa521: ["-t", "ecdsa", "-b", "521"]
        case .rsa2048: ["-t", "rsa", "-b", "2048"]
        }
    }

    public var sshType: String {
        switch self {
        case .ed25519: "ssh-ed25519"
        case .ecdsa256: "ecdsa-sha2-nistp256"
        case .ecdsa384: "ecdsa-sha2-nistp384"
        case .ecdsa521: "ecdsa-sha2-nistp521"
        case .rsa2048: "ssh-rsa"
        }
    }
}

/// Real keys made once per test run by ssh-keygen, in a temporary directory.
public struct KeyFixture: Sendable {
    public struct Key: Sendable {
        public var privateKey: URL
        /// `TYPE BASE64 COMMENT`, as in the .pub file.
        public var publicLine: String
        public var publicKey: SSHPublicKey
        /// `TYPE BASE64`, for allowed_signers lines.
        public var keyText: String { publicKey.authorizedKeysText }
    }

    public var directory: URL
    public var keys: [KeyKind: Key]
    /// A second ed25519 key, for "signed by someone else".
    public var other: Key

    public subscript(kind: KeyKind) -> Key { keys[kind]! }

    public static let shared = Result { () throws -> KeyFixture in try make() }

    public static func make() throws -> KeyFixture {
        let directory = try GitProcess.temporaryDirectory("agentreview-sshsig")
        removeAtExit(directory)
        var keys = [KeyKind: Key]()
        for kind in KeyKind.allCases {
            keys[kind] = try generate(kind.keygenArguments, name: kind.rawValue, in: directory)
        }
        let other = try generate(["-t", "ed25519"], name: "other", in: directory)
        return KeyFixture(directory: directory, keys: keys, other: other)
    }

    public static func generate(_ arguments: [String], name: String, in directory: URL) throws -> Key {
        let path = directory.appendingPathComponent(name)
        try SSHKeygen.check(["-q"] + arguments + ["-N", "", "-C", "\(name)@test", "-f", path.path], in: directory)
        let line = try String(contentsOf: path.appendingPathExtension("pub"), encoding: .utf8)
            .trimmingCharacters(in: .newlines)
        return Key(privateKey: path, publicLine: line, publicKey: try SSHPublicKey(authorizedKeysLine: line))
    }

    /// A fresh scratch directory inside the fixture's, for one test's files.
    public func scratch() throws -> URL {
        let url = directory.appendingPathComponent("t-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The fixture's directory, removed when the test process exits (the fixture lives for
/// the whole run, so no single test can remove it).
nonisolated(unsafe) private var fixtureDirectoryToRemove: String?

private func removeAtExit(_ directory: URL) {
    fixtureDirectoryToRemove = directory.path
    atexit {
        if let path = fixtureDirectoryToRemove { try? FileManager.default.removeItem(atPath: path) }
    }
}
