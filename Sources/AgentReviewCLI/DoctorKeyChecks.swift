import AgentReviewCore
import AgentReviewGit
import AgentReviewSupport
import Foundation

/// Whether this reviewer can sign approvals that count: the key `approve` would use
/// (`--key`, else `user.signingkey`) loads, is listed in the trusted allowed_signers under
/// the reviewer's identity, and, when only its public half is at hand, is in ssh-agent.
struct KeyDoctor {
    /// How the key is given.
    enum Kind {
        /// A private key file: ssh-keygen signs with it directly.
        case privateFile(path: String)
        /// A public key file: ssh-keygen signs through ssh-agent, else with the private key beside it.
        case publicFile(path: String)
        /// A git-style `key::TYPE BASE64` literal: ssh-keygen signs through ssh-agent only.
        case literal
    }

    /// The key loaded, or the check that says why not.
    enum Loaded {
        case key(SSHPublicKey, kind: Kind, described: String)
        case problem(DoctorCheck)
    }

    let configured: String?
    let loaded: Loaded

    init(repository: Repository, option: String?) {
        let setting = try? RecordSigner.key(option: option, in: repository)
        configured = setting
        loaded = Self.load(setting, fromOption: option != nil)
    }

    /// The public key as allowed_signers lists it (`TYPE BASE64`), when it loaded.
    var publicKeyText: String? {
        if case .key(let key, _, _) = loaded { return key.authorizedKeysText }
        return nil
    }

    /// The `signing-key`, `key-listed` and `ssh-agent` checks.
    func checks(configuration: TrustedConfiguration?, principal: Result<String, any Error>) -> [DoctorCheck] {
        guard case .key(let key, let kind, let described) = loaded else {
            guard case .problem(let problem) = loaded else { return [] }
            let why = problem.status == .fail ? "the signing key does not load" : "no signing key"
            return [problem, .notChecked("key-listed", why), .notChecked("ssh-agent", why)]
        }
        return [.ok("signing-key", described), listedCheck(key, configuration: configuration, principal: principal), agentCheck(key, kind: kind)]
    }

    // MARK: Loading

    private static let fixKey = "git config user.signingkey ~/.ssh/id_ed25519.pub"

    private static func load(_ setting: String?, fromOption: Bool) -> Loaded {
        guard let setting else {
            return .problem(.warn("signing-key", "no signing key (user.signingkey): you cannot sign approvals", fix: fixKey))
        }
        let name = fromOption ? "--key" : "user.signingkey"
        if setting.hasPrefix("key::") {
            let literal = String(setting.dropFirst("key::".count))
            return loadPublic(text: literal, kind: .literal, name: "\(name)'s key:: literal")
        }
        if setting.hasPrefix("ssh-") || setting.hasPrefix("ecdsa-") || setting.hasPrefix("sk-") {
            // git reads a bare key as a literal (deprecated); approve reads it as a file name.
            return .problem(.fail(
                "signing-key", "\(name) is a key, not a file: agentreview reads it as a file name",
                fix: "git config user.signingkey \(shellQuoted("key::" + setting))"))
        }
        let path = (setting as NSString).expandingTildeInPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return .problem(.fail("signing-key", "\(name) is \(setting): no such file", fix: fixKey))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .problem(.fail("signing-key", "\(path) cannot be read (permissions?)", fix: fixKey))
        }
        let data = (try? handle.read(upToCount: 1 << 16)) ?? Data()
        try? handle.close()
        let text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("-----BEGIN") {
            return loadPrivate(path: path)
        }
        return loadPublic(text: text, kind: .publicFile(path: path), name: path)
    }

    /// A private key file: ssh-keygen refuses one others can read; its public half comes
    /// from the `.pub` beside it, else from ssh-keygen when it has no passphrase.
    private static func loadPrivate(path: String) -> Loaded {
        let mode = ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int) ?? 0
        if mode & 0o077 != 0 {
            return .problem(.fail(
                "signing-key", "\(path) is a private key others can read (mode \(String(mode, radix: 8))): ssh-keygen refuses to use it",
                fix: "chmod 600 \(shellQuoted(path))"))
        }
        let pub = path + ".pub"
        if FileManager.default.fileExists(atPath: pub) {
            return loadPublic(text: (try? String(contentsOfFile: pub, encoding: .utf8)) ?? "", kind: .privateFile(path: path), name: pub)
        }
        guard let derived = try? Subprocess.run("ssh-keygen", ["-y", "-P", "", "-f", path]), derived.status == 0 else {
            return .problem(.fail(
                "signing-key", "cannot read the public half of \(path) without its passphrase, and there is no \(pub)",
                fix: "ssh-keygen -y -f \(shellQuoted(path)) > \(shellQuoted(pub))"))
        }
        return loadPublic(text: derived.text, kind: .privateFile(path: path), name: path)
    }

    /// A public key: ssh-keygen must read it, and agentreview must be able to verify its type.
    private static func loadPublic(text: String, kind: Kind, name: String) -> Loaded {
        let line = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty && !$0.hasPrefix("#") } ?? ""
        // ssh-keygen reads it from a file, as `approve` will hand it over.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agentreview-doctor-\(UUID().uuidString).pub")
        defer { try? FileManager.default.removeItem(at: file) }
        let fingerprint: String
        do {
            try Data((line + "\n").utf8).write(to: file)
            let listed = try Subprocess.run("ssh-keygen", ["-l", "-f", file.path])
            guard listed.status == 0 else {
                let reason = listed.stderr.split(separator: "\n").last.map(String.init) ?? "exit \(listed.status)"
                return .problem(.fail("signing-key", "ssh-keygen cannot read the public key \(name): \(reason)", fix: fixKey))
            }
            fingerprint = listed.text.split(separator: " ").dropFirst().first.map(String.init) ?? ""
        } catch {
            return .problem(.fail("signing-key", "cannot run ssh-keygen: \(describe(error))", fix: "apt-get install openssh-client"))
        }
        let key: SSHPublicKey
        do {
            key = try SSHPublicKey(authorizedKeysLine: line)
        } catch {
            return .problem(.fail(
                "signing-key", "\(name): \(error): records signed with it would never verify",
                fix: "ssh-keygen -t ed25519, then \(fixKey)"))
        }
        let what = switch kind {
        case .privateFile(let path): "private key \(path)"
        case .publicFile(let path): "public key \(path)"
        case .literal: "key:: literal"
        }
        return .key(key, kind: kind, described: "\(what): \(key.type) \(fingerprint.isEmpty ? key.fingerprint : fingerprint)")
    }

    // MARK: Listed

    /// The line that adds `principal`'s key to `signers`.
    static func addLine(principal: String?, key: String?, signers: String) -> String {
        let who = principal ?? "EMAIL"
        if let key {
            return "echo \(shellQuoted("\(who) namespaces=\"agentreview\" \(key)")) >> \(shellQuoted(signers))"
        }
        return "echo \"\(who) namespaces=\\\"agentreview\\\" $(cat ~/.ssh/id_ed25519.pub)\" >> \(shellQuoted(signers))"
    }

    private func listedCheck(_ key: SSHPublicKey, configuration: TrustedConfiguration?, principal identity: Result<String, any Error>)
        -> DoctorCheck
    {
        let principal: String
        switch identity {
        case .success(let name): principal = name
        case .failure(let error):
            return .warn("key-listed", "\(describe(error)): approvals need a reviewer identity", fix: "git config user.email you@example.com")
        }
        guard let configuration else { return .notChecked("key-listed", "no valid policy") }
        let signers = configuration.signers
        let now = Date()
        switch signers.verify(
            principal: principal, key: key, namespace: SignedRecord.namespace, at: now, now: now, revoked: configuration.revoked)
        {
        case .success(let match):
            return .ok("key-listed", "\(key.fingerprint) is listed for \(principal) at \(match.source):\(match.line)")
        case .failure(let refusal):
            let fix: String
            switch refusal {
            case .revoked: fix = "make a new key (ssh-keygen -t ed25519), then \(Self.addLine(principal: principal, key: nil, signers: configuration.policy.signers))"
            default: fix = Self.addLine(principal: principal, key: key.authorizedKeysText, signers: configuration.policy.signers)
            }
            return .warn("key-listed", "your approvals as \(principal) will not count: \(refusal)", fix: fix)
        }
    }

    // MARK: ssh-agent

    private func agentCheck(_ key: SSHPublicKey, kind: Kind) -> DoctorCheck {
        var privateBeside: String?
        switch kind {
        case .privateFile(let path):
            return .ok("ssh-agent", "not needed: \(path) is a private key")
        case .publicFile(let path):
            // ssh-keygen -Y sign -f KEY.pub falls back to the private key KEY beside it.
            if path.hasSuffix(".pub") {
                let candidate = String(path.dropLast(4))
                if FileManager.default.isReadableFile(atPath: candidate) { privateBeside = candidate }
            }
        case .literal:
            break
        }
        let held: Result<Bool, CLIError>
        do {
            let listed = try Subprocess.run("ssh-add", ["-L"])
            switch listed.status {
            case 0:
                held = .success(listed.text.split(separator: "\n").contains { (try? SSHPublicKey(authorizedKeysLine: String($0))) == key })
            case 1:
                held = .success(false)
            default:
                let reason = listed.stderr.split(separator: "\n").last.map(String.init) ?? "exit \(listed.status)"
                held = .failure(CLIError(reason))
            }
        } catch {
            held = .failure(CLIError(describe(error)))
        }
        if case .success(true) = held { return .ok("ssh-agent", "ssh-agent holds \(key.fingerprint)") }
        if let privateBeside {
            return .ok("ssh-agent", "ssh-agent does not hold \(key.fingerprint); ssh-keygen signs with \(privateBeside) beside it")
        }
        let privateKey = "~/.ssh/id_ed25519"
        switch held {
        case .failure(let error):
            return .fail(
                "ssh-agent", "no ssh-agent to sign with (\(error.message)), and only the public key is at hand: approve cannot sign",
                fix: "eval \"$(ssh-agent -s)\" && ssh-add \(privateKey)")
        default:
            return .fail(
                "ssh-agent", "ssh-agent does not hold \(key.fingerprint), and only the public key is at hand: approve cannot sign",
                fix: "ssh-add \(privateKey)")
        }
    }
}
