import AgentReviewCore
import AgentReviewGit
import AgentReviewSupport
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Whether this reviewer can sign approvals that count: the key `approve` would use (found by
/// `RecordSigner.signingKey`: `--key`, else git's) loads, ssh-keygen reads it, it is listed in the
/// trusted allowed_signers under the reviewer's identity, and, when only its public half is at
/// hand, ssh-agent holds it (`RecordSigner.agentProblem`).
struct KeyDoctor {
    /// The key loaded, or the check that says why not.
    enum Loaded {
        case key(SSHPublicKey, signer: RecordSigner, described: String)
        case problem(DoctorCheck)
    }

    let loaded: Loaded

    init(repository: Repository, option: String?) {
        loaded = Self.load(repository: repository, option: option)
    }

    /// The public key as allowed_signers lists it (`TYPE BASE64`), when it loaded.
    var publicKeyText: String? {
        if case .key(let key, _, _) = loaded { return key.authorizedKeysText }
        return nil
    }

    /// The `signing-key`, `key-listed` and `ssh-agent` checks.
    func checks(configuration: TrustedConfiguration?, principal: Result<String, any Error>) -> [DoctorCheck] {
        switch loaded {
        case .problem(let problem):
            let why = problem.status == .fail ? "the signing key does not load" : "no signing key"
            return [problem, .notChecked("key-listed", why), .notChecked("ssh-agent", why)]
        case .key(let key, let signer, let described):
            return [
                .ok("signing-key", described), listedCheck(key, configuration: configuration, principal: principal),
                agentCheck(key, signer: signer),
            ]
        }
    }

    // MARK: Loading

    private static let fixKey = "git config user.signingkey ~/.ssh/id_ed25519.pub"

    private static func load(repository: Repository, option: String?) -> Loaded {
        let signingKey: SigningKey
        do {
            if option == nil, try !configured(repository) {
                return .problem(.warn("signing-key", "no signing key (user.signingkey): you cannot sign approvals", fix: fixKey))
            }
            signingKey = try RecordSigner.signingKey(option: option, in: repository)
        } catch {
            let gpg = (try? repository.configString("gpg.format")).flatMap { $0 }.map { $0.lowercased() != "ssh" } ?? false
            return .problem(.fail("signing-key", describe(error), fix: gpg && option == nil ? "git config gpg.format ssh" : fixKey))
        }
        let signer = RecordSigner(repository: repository, key: signingKey)
        let what: String
        switch signingKey {
        case .literal(_, let text):
            what = "key:: literal"
            if let problem = unreadable(text: text, name: "the key:: literal") { return .problem(problem) }
        case .file(let path):
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory else {
                return .problem(.fail("signing-key", "\(signingKey) is not a key file: no such file", fix: fixKey))
            }
            if isPrivateKey(path) {
                what = "private key \(path)"
                // ssh-keygen refuses a private key others can read.
                let mode = FileIO.status(path)?.permissions ?? 0
                if mode & 0o077 != 0 {
                    return .problem(.fail(
                        "signing-key",
                        "\(path) is a private key others can read (mode \(String(mode, radix: 8))): ssh-keygen refuses to use it",
                        fix: "chmod 600 \(shellQuoted(path))"))
                }
            } else {
                what = "public key \(path)"
                if let problem = unreadable(file: path, name: path) { return .problem(problem) }
            }
        }
        let key: SSHPublicKey
        do {
            guard let found = try signer.publicKey() else {
                guard case .file(let path) = signingKey else { throw CLIError("no public key in \(signingKey)") }
                return .problem(.fail(
                    "signing-key", "cannot read the public half of \(path) without its passphrase, and there is no \(path).pub",
                    fix: "ssh-keygen -y -f \(shellQuoted(path)) > \(shellQuoted(path + ".pub"))"))
            }
            key = found
        } catch {
            return .problem(.fail("signing-key", describe(error), fix: fixKey))
        }
        return .key(key, signer: signer, described: "\(what): \(key.type) \(key.fingerprint)")
    }

    /// Whether git names a key at all: `user.signingkey`, `gpg.ssh.defaultKeyCommand`, or a
    /// `gpg.format` other than ssh (whose key agentreview refuses: a failure, not an absence).
    private static func configured(_ repository: Repository) throws -> Bool {
        for name in ["user.signingkey", "gpg.ssh.defaultKeyCommand"] {
            if let value = try repository.configString(name), !value.trimming(.whitespaces).isEmpty { return true }
        }
        if let format = try repository.configString("gpg.format")?.trimming(.whitespaces), !format.isEmpty,
           format.lowercased() != "ssh"
        {
            return true
        }
        return false
    }

    private static func isPrivateKey(_ path: String) -> Bool {
        let head = (try? FileIO.read(path, upTo: 64)) ?? []
        return String(decoding: head, as: UTF8.self).hasPrefix("-----BEGIN")
    }

    /// Why ssh-keygen cannot read a public key given as text, if it cannot.
    private static func unreadable(text: String, name: String) -> DoctorCheck? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agentreview-doctor-\(UUID().uuidString).pub")
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            try Data((text + "\n").utf8).write(to: file)
        } catch {
            return .fail("signing-key", "cannot write a temporary file: \(describe(error))")
        }
        return unreadable(file: file.path, name: name)
    }

    /// Why `ssh-keygen -l` cannot read a public key file, if it cannot.
    private static func unreadable(file: String, name: String) -> DoctorCheck? {
        do {
            let listed = try Subprocess.run("ssh-keygen", ["-l", "-f", file])
            guard listed.status == 0 else {
                let reason = listed.stderr.split(separator: "\n").last.map(String.init) ?? "exit \(listed.status)"
                return .fail("signing-key", "ssh-keygen cannot read the public key \(name): \(reason)", fix: fixKey)
            }
            return nil
        } catch {
            return .fail("signing-key", "cannot run ssh-keygen: \(describe(error))", fix: "apt-get install openssh-client")
        }
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

    private func listedCheck(
        _ key: SSHPublicKey, configuration: TrustedConfiguration?, principal identity: Result<String, any Error>
    ) -> DoctorCheck {
        let principal: String
        switch identity {
        case .success(let name): principal = name
        case .failure(let error):
            return .warn("key-listed", "\(describe(error)): approvals need a reviewer identity", fix: "git config user.email you@example.com")
        }
        guard let configuration else { return .notChecked("key-listed", "no valid policy") }
        let now = Date()
        switch configuration.signers.verify(
            principal: principal, key: key, namespace: SignedRecord.namespace, at: now, now: now, revoked: configuration.revoked)
        {
        case .success(let match):
            return .ok("key-listed", "\(key.fingerprint) is listed for \(principal) at \(match.source):\(match.line)")
        case .failure(let refusal):
            let path = configuration.policy.signers
            let fix: String
            if case .revoked = refusal {
                fix = "make a new key (ssh-keygen -t ed25519), then \(Self.addLine(principal: principal, key: nil, signers: path))"
            } else {
                fix = Self.addLine(principal: principal, key: key.authorizedKeysText, signers: path)
            }
            return .warn("key-listed", "your approvals as \(principal) will not count: \(refusal)", fix: fix)
        }
    }

    // MARK: ssh-agent

    private func agentCheck(_ key: SSHPublicKey, signer: RecordSigner) -> DoctorCheck {
        var keyFile = "KEYFILE"
        switch signer.key {
        case .literal:
            break
        case .file(let path):
            if Self.isPrivateKey(path) { return .ok("ssh-agent", "not needed: \(path) is a private key") }
            if path.hasSuffix(".pub") {
                let beside = String(path.dropLast(4))
                // ssh-keygen -Y sign -f KEY.pub signs with the private key KEY beside it when the agent lacks it.
                if FileManager.default.fileExists(atPath: beside) {
                    var holds = false
                    do { holds = try signer.agentProblem(for: key) == nil } catch {}
                    if holds { return .ok("ssh-agent", "ssh-agent holds \(key.fingerprint)") }
                    return .ok("ssh-agent", "not needed: ssh-keygen signs with \(beside), beside \(path)")
                }
                keyFile = shellQuoted(beside)
            }
        }
        let add = "ssh-add \(keyFile)"
        do {
            guard let problem = try signer.agentProblem(for: key) else {
                return .ok("ssh-agent", "ssh-agent holds \(key.fingerprint)")
            }
            let running = problem.contains("does not hold")
            return .fail("ssh-agent", problem, fix: running ? add : "eval \"$(ssh-agent -s)\" && \(add)")
        } catch {
            return .fail("ssh-agent", "cannot ask ssh-agent: \(describe(error))", fix: "eval \"$(ssh-agent -s)\" && \(add)")
        }
    }
}
