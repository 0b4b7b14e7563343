#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AgentReviewCore
import AgentReviewGit
import AgentReviewSupport
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The key a record is signed with, found the way git finds the key for an SSH commit
/// signature (`git help config`: `user.signingKey`, `gpg.ssh.defaultKeyCommand`).
enum SigningKey: CustomStringConvertible {
    /// A public key given as a literal (`key::ssh-ed25519 AAAA…`, or git's older form
    /// `ssh-ed25519 AAAA…`): its private half must be in ssh-agent.
    case literal(SSHPublicKey, text: String)
    /// A key file, `~` already expanded: a private key, or a public key whose private half is
    /// beside it (the same path without `.pub`) or in ssh-agent.
    case file(String)

    var description: String {
        switch self {
        case .literal(let key, _): "key::\(key.type) (\(key.fingerprint))"
        case .file(let path): path
        }
    }

    /// A `--key`, `user.signingkey` or `gpg.ssh.defaultKeyCommand` value as git reads it:
    /// `key::` and a public key, a bare `ssh-…` public key (git's deprecated form of the
    /// same), else a path, with `~/` taken from `$HOME` and `~user/` from the password
    /// database, as git's `interpolate_path` does.
    static func parse(_ text: String, from origin: String, environment: [String: String]) throws -> SigningKey {
        if text.hasPrefix("key::") || text.hasPrefix("ssh-") {
            let literal = text.hasPrefix("key::") ? String(text.dropFirst("key::".count)) : text
            let trimmed = literal.trimming(.whitespaces)
            do {
                return .literal(try SSHPublicKey(authorizedKeysLine: trimmed), text: trimmed)
            } catch {
                throw CLIError("\(origin) is not an SSH public key (\(error)): give `key::ssh-ed25519 AAAA…` or a key file")
            }
        }
        return .file(try expandPath(text, from: origin, environment: environment))
    }

    /// `~/…` from `$HOME` (git's rule: the environment, not the account's home directory),
    /// `~user/…` from the password database, anything else as written.
    static func expandPath(_ path: String, from origin: String, environment: [String: String]) throws -> String {
        guard path.hasPrefix("~") else { return path }
        let slash = path.firstIndex(of: "/") ?? path.endIndex
        let user = String(path[path.index(after: path.startIndex)..<slash])
        let rest = String(path[slash...])
        if user.isEmpty {
            guard let home = environment["HOME"], !home.isEmpty else {
                throw CLIError("\(origin) is \(path), but HOME is not set: cannot expand ~")
            }
            return home + rest
        }
        guard let entry = getpwnam(user), let directory = entry.pointee.pw_dir else {
            throw CLIError("\(origin) is \(path), but there is no user \(user) to expand ~\(user)")
        }
        return String(cString: directory) + rest
    }
}

/// Signs records with the reviewer's own SSH key through `ssh-keygen -Y sign`, so keys in
/// ssh-agent and hardware keys work, and writes them into the notes ref.
struct RecordSigner {
    let repository: Repository
    let key: SigningKey
    /// The environment ssh-keygen and ssh-add run in: `SSH_AUTH_SOCK` says where the agent is.
    var environment: [String: String] = ProcessInfo.processInfo.environment

    init(repository: Repository, key: SigningKey, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.repository = repository
        self.key = key
        self.environment = environment
    }

    /// The key from `--key`, else git's: `user.signingkey`, else the first line of what
    /// `gpg.ssh.defaultKeyCommand` prints. With `gpg.format` set to anything but `ssh`,
    /// git's key is a GPG key, which agentreview cannot sign with: that is said in one line.
    static func signingKey(
        option: String?, in repository: Repository, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> SigningKey {
        if let option { return try SigningKey.parse(option, from: "--key", environment: environment) }
        if let format = try repository.configString("gpg.format")?.trimming(.whitespaces),
           !format.isEmpty, format.lowercased() != "ssh" {
            throw CLIError(
                "git's gpg.format is \(format): agentreview signs with SSH keys only: set `git config gpg.format ssh` and `git config user.signingkey ~/.ssh/id_ed25519.pub`, or pass --key FILE")
        }
        if let configured = try repository.configString("user.signingkey")?.trimming(.whitespaces),
           !configured.isEmpty {
            return try SigningKey.parse(configured, from: "user.signingkey", environment: environment)
        }
        if let command = try repository.configString("gpg.ssh.defaultKeyCommand")?.trimming(.whitespaces),
           !command.isEmpty {
            return try defaultKey(command: command, in: repository, environment: environment)
        }
        throw CLIError(
            "no signing key: pass --key ~/.ssh/id_ed25519, or set one with `git config user.signingkey ~/.ssh/id_ed25519.pub`")
    }

    /// Runs `gpg.ssh.defaultKeyCommand` as git does (split at whitespace, no shell) and takes
    /// the first line of its output, which must be a public key (`key::…`, or `ssh-…`).
    static func defaultKey(command: String, in repository: Repository, environment: [String: String]) throws -> SigningKey {
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        let directory = URL(fileURLWithPath: repository.workingDirectory ?? repository.gitDirectory)
        let origin = "gpg.ssh.defaultKeyCommand (`\(command)`)"
        let program = try SigningKey.expandPath(words[0], from: origin, environment: environment)
        let result: Subprocess.Result
        do {
            result = try Subprocess.run(program, Array(words.dropFirst()), directory: directory, environment: environment)
        } catch {
            throw CLIError("\(origin) could not run: \(error)")
        }
        guard result.status == 0 else {
            let why = result.stderr.trimming(.whitespacesAndNewlines)
            throw CLIError("\(origin) failed (exit \(result.status))\(why.isEmpty ? "" : ": \(why)")")
        }
        let first = result.text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let line = first.trimming(.whitespacesAndNewlines)
        guard line.hasPrefix("key::") || line.hasPrefix("ssh-") else {
            throw CLIError("\(origin) printed no key: its first line must be `key::` and a public key, and is \"\(line.prefix(80))\"")
        }
        return try SigningKey.parse(line, from: origin, environment: environment)
    }

    /// Who signs: `--as`, else `user.email`.
    static func principal(option: String?, in repository: Repository) throws -> String {
        if let option { return option }
        if let email = try repository.configString("user.email"), !email.isEmpty { return email }
        throw CLIError("no reviewer identity: set `git config user.email`, or pass --as EMAIL")
    }

    /// The public key that will sign, when it can be known before signing: the literal, a
    /// public key file, a private key's `.pub` beside it, or what `ssh-keygen -y` derives from
    /// an unencrypted private key. nil for an encrypted private key without its `.pub` (the
    /// signed record is checked instead).
    func publicKey() throws -> SSHPublicKey? {
        switch key {
        case .literal(let key, _):
            return key
        case .file(let path):
            guard FileManager.default.fileExists(atPath: path) else {
                throw CLIError("no key file at \(path): pass --key with your SSH key, or fix `git config user.signingkey`")
            }
            if let key = Self.publicKey(inFile: path) { return key }
            if let key = Self.publicKey(inFile: path + ".pub") { return key }
            let derived = try Subprocess.run(
                "ssh-keygen", ["-y", "-P", "", "-f", path], environment: environment.filter { $0.key != "SSH_ASKPASS" })
            guard derived.status == 0 else { return nil }
            return try? SSHPublicKey(authorizedKeysLine: derived.text.trimming(.whitespacesAndNewlines))
        }
    }

    /// The public key on the first line of a small file, nil when it holds none.
    private static func publicKey(inFile path: String) -> SSHPublicKey? {
        guard let data = try? FileIO.read(path, upTo: 64 * 1024) else { return nil }
        let first = String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        return try? SSHPublicKey(authorizedKeysLine: first.trimming(.whitespaces))
    }

    /// Whether only ssh-agent can sign with this key: a literal, or a public key file whose
    /// private half is not beside it.
    private var needsAgent: Bool {
        switch key {
        case .literal: return true
        case .file(let path):
            guard Self.publicKey(inFile: path) != nil else { return false }
            return !(path.hasSuffix(".pub") && FileManager.default.fileExists(atPath: String(path.dropLast(4))))
        }
    }

    /// What to `ssh-add`: the private key beside a `.pub`, else a placeholder.
    private var keyFileToAdd: String {
        if case .file(let path) = key, path.hasSuffix(".pub") { return String(path.dropLast(4)) }
        return "KEYFILE"
    }

    /// Why ssh-agent cannot sign with `wanted`, with what to do; nil when it holds the key.
    func agentProblem(for wanted: SSHPublicKey) throws -> String? {
        let which = "the private half of \(wanted.type) \(wanted.fingerprint)"
        let add = "`ssh-add \(keyFileToAdd)`" + (keyFileToAdd == "KEYFILE" ? " (KEYFILE: the private key of \(wanted.fingerprint))" : "")
        guard let socket = environment["SSH_AUTH_SOCK"], !socket.isEmpty else {
            return "\(key) signs through ssh-agent, and none is running (SSH_AUTH_SOCK is not set): start one (`eval \"$(ssh-agent -s)\"`) and add \(which) with \(add), or pass --key with the private key file"
        }
        let listed = try Subprocess.run("ssh-add", ["-L"], environment: environment)
        if listed.status == 2 {
            return "\(key) signs through ssh-agent, which cannot be reached at SSH_AUTH_SOCK=\(socket): \(listed.stderr.trimming(.whitespacesAndNewlines)); start one and add the key with \(add)"
        }
        let held = listed.text.split(separator: "\n").compactMap {
            try? SSHPublicKey(authorizedKeysLine: $0.trimming(.whitespaces))
        }
        if held.contains(wanted) { return nil }
        return "ssh-agent does not hold \(which) (\(key) signs through the agent): add it with \(add)"
    }

    /// Signs a record body and returns the signed record, its signature checked.
    func sign(_ body: RecordBody) throws -> SignedRecord {
        let text = try body.rendered()
        let keyFile: String
        var temporary: URL?
        if needsAgent, let wanted = try publicKey(), let problem = try agentProblem(for: wanted) {
            throw CLIError(problem)
        }
        switch key {
        case .literal(_, let literal):
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("agentreview-key-\(UUID().uuidString).pub")
            try Data((literal + "\n").utf8).write(to: url)
            temporary = url
            keyFile = url.path
        case .file(let path):
            keyFile = path
        }
        defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
        let result = try Subprocess.run(
            "ssh-keygen", ["-q", "-Y", "sign", "-n", SignedRecord.namespace, "-f", keyFile], input: Data(text.utf8),
            environment: environment)
        guard result.status == 0 else {
            let reason = result.stderr.split(separator: "\n").last.map(String.init) ?? "exit \(result.status)"
            throw CLIError("ssh-keygen could not sign with \(key): \(reason)")
        }
        let record = try SignedRecord(body: body, armoredSignature: result.text)
        try record.verifySignature()
        return record
    }

    /// Adds a record to the note on `commit`, keeping every record already there.
    func store(_ record: SignedRecord, on commit: ObjectID) throws {
        var existing = ""
        if let tip = try repository.referenceTarget(SignoffRecords.notesRef),
           let blob = try repository.note(on: commit, atNotesCommit: tip) {
            existing = String(decoding: try repository.blob(blob), as: UTF8.self)
        }
        try repository.setNote(RecordNote.adding(record, to: existing), on: commit, in: SignoffRecords.notesRef)
    }
}
