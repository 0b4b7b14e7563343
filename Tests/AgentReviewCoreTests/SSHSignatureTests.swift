import AgentReviewTestSupport
import Crypto
import Foundation
import Testing
import _CryptoExtras

@testable import AgentReviewCore

// MARK: - Building damaged signatures

/// The parts of an SSHSIG blob, to rebuild real signatures with one thing changed.
struct SSHSIGParts {
    var magic = Array("SSHSIG".utf8)
    var version: UInt32 = 1
    var publicKey: [UInt8]
    var namespace: String
    var reserved: [UInt8] = []
    var hashAlgorithm: String
    var signatureAlgorithm: String
    var signature: [UInt8]
    var trailing: [UInt8] = []

    init(_ parsed: SSHSignature) {
        publicKey = parsed.publicKey.wireBlob
        namespace = parsed.namespace
        hashAlgorithm = parsed.hashAlgorithm.rawValue
        signatureAlgorithm = parsed.signatureAlgorithm
        signature = parsed.rawSignature
    }

    var blob: [UInt8] {
        var inner = WireWriter()
        inner.string(Array(signatureAlgorithm.utf8))
        inner.string(signature)
        var out = WireWriter()
        out.raw(magic)
        out.uint32(version)
        out.string(publicKey)
        out.string(Array(namespace.utf8))
        out.string(reserved)
        out.string(Array(hashAlgorithm.utf8))
        out.string(inner.bytes)
        out.raw(trailing)
        return out.bytes
    }

    var armored: String { armor(blob) }
}

/// Armors any blob as ssh-keygen does (70 base64 characters a line).
func armor(_ blob: [UInt8]) -> String {
    let base64 = Data(blob).base64EncodedString()
    var lines = [SSHSignature.beginLine]
    var index = base64.startIndex
    while index < base64.endIndex {
        let end = base64.index(index, offsetBy: 70, limitedBy: base64.endIndex) ?? base64.endIndex
        lines.append(String(base64[index..<end]))
        index = end
    }
    lines.append(SSHSignature.endLine)
    return lines.joined(separator: "\n") + "\n"
}

/// The error a throwing call threw, or nil.
func signatureError(_ body: () throws(SignatureError) -> Void) -> SignatureError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

// MARK: - Tests

@Suite struct SSHSignatureTests {
    let message = Array("agentreview approval v1\ncommit 0123\n".utf8)

    @Test("ssh-keygen's signatures verify in-process, and ssh-keygen agrees", arguments: KeyKind.allCases, ["sha512", "sha256"])
    func verifiesSSHKeygenSignatures(kind: KeyKind, hash: String) throws {
        let fixture = try KeyFixture.shared.get()
        let dir = try fixture.scratch()
        let key = fixture[kind]
        let armored = try SSHKeygen.sign(message, key: key.privateKey, namespace: "agentreview", hashAlgorithm: hash, in: dir)

        let signature = try SSHSignature.parse(armored: armored)
        #expect(signature.publicKey == key.publicKey)
        #expect(signature.publicKey.type == kind.sshType)
        #expect(signature.namespace == "agentreview")
        #expect(signature.hashAlgorithm.rawValue == hash)
        #expect(signature.signatureAlgorithm == (kind == .rsa2048 ? "rsa-sha2-512" : kind.sshType))
        #expect(signatureError { () throws(SignatureError) in try signature.verify(message: message, namespace: "agentreview") } == nil)
        #expect(signatureError { () throws(SignatureError) in
            try signature.verify(message: message, namespace: "agentreview", signedBy: key.publicKey)
        } == nil)
        #expect(
            try SSHKeygen.verifies(
                armored, message: message, principal: "alice@example.com", namespace: "agentreview",
                allowedSigners: "alice@example.com \(key.keyText)\n", in: dir))
    }

    @Test("armoring a parsed signature gives back ssh-keygen's text", arguments: KeyKind.allCases)
    func armorRoundTrip(kind: KeyKind) throws {
        let fixture = try KeyFixture.shared.get()
        let armored = try SSHKeygen.sign(message, key: fixture[kind].privateKey, namespace: "agentreview", in: try fixture.scratch())
        #expect(try SSHSignature.parse(armored: armored).armored == armored)
    }

    @Test("fingerprints match ssh-keygen -l", arguments: KeyKind.allCases)
    func fingerprints(kind: KeyKind) throws {
        let fixture = try KeyFixture.shared.get()
        let key = fixture[kind]
        let listed = try SSHKeygen.check(["-l", "-E", "sha256", "-f", key.privateKey.path + ".pub"], in: fixture.directory)
        let words = listed.stdout.split(separator: " ")
        #expect(words.count > 1)
        #expect(String(words[1]) == key.publicKey.fingerprint)
        #expect(key.publicKey.fingerprint.hasPrefix("SHA256:"))
        #expect(key.publicLine.hasPrefix(key.publicKey.authorizedKeysText + " "))
    }

    @Test("a git signature, or any other namespace, is refused like ssh-keygen refuses it", arguments: KeyKind.allCases)
    func wrongNamespace(kind: KeyKind) throws {
        let fixture = try KeyFixture.shared.get()
        let dir = try fixture.scratch()
        let key = fixture[kind]
        let signers = "alice@example.com \(key.keyText)\n"
        for (signedAs, checkedAs) in [("git", "agentreview"), ("agentreview", "git"), ("agentreview-x", "agentreview")] {
            let armored = try SSHKeygen.sign(message, key: key.privateKey, namespace: signedAs, in: dir)
            let signature = try SSHSignature.parse(armored: armored)
            let error = signatureError { () throws(SignatureError) in try signature.verify(message: message, namespace: checkedAs) }
            #expect(error == .namespaceMismatch(expected: checkedAs, found: signedAs))
            #expect(
                !(try SSHKeygen.verifies(
                    armored, message: message, principal: "alice@example.com", namespace: checkedAs, allowedSigners: signers,
                    in: dir)))
        }
        let git = SignatureError.namespaceMismatch(expected: "agentreview", found: "git").description
        #expect(git.contains("git signature"))
    }

    @Test("a changed message is refused like ssh-keygen refuses it", arguments: KeyKind.allCases)
    func tamperedMessage(kind: KeyKind) throws {
        let fixture = try KeyFixture.shared.get()
        let dir = try fixture.scratch()
        let key = fixture[kind]
        let armored = try SSHKeygen.sign(message, key: key.privateKey, namespace: "agentreview", in: dir)
        let signature = try SSHSignature.parse(armored: armored)
        var changed = message
        changed[changed.count - 2] ^= 0x01
        let error = signatureError { () throws(SignatureError) in try signature.verify(message: changed, namespace: "agentreview") }
        #expect(error == .invalidSignature(fingerprint: key.publicKey.fingerprint))
        #expect(
            !(try SSHKeygen.verifies(
                armored, message: changed, principal: "alice@example.com", namespace: "agentreview",
                allowedSigners: "alice@example.com \(key.keyText)\n", in: dir)))
    }

    @Test("a changed signature is refused like ssh-keygen refuses it", arguments: KeyKind.allCases)
    func tamperedSignature(kind: KeyKind) throws {
        let fixture = try KeyFixture.shared.get()
        let dir = try fixture.scratch()
        let key = fixture[kind]
        let original = try SSHSignature.parse(
            armored: try SSHKeygen.sign(message, key: key.privateKey, namespace: "agentreview", in: dir))
        var parts = SSHSIGParts(original)
        // The last byte of the signature value: ed25519 S, ECDSA s, the RSA signature's end.
        parts.signature[parts.signature.count - 1] ^= 0x01
        let armored = parts.armored
        let signature = try SSHSignature.parse(armored: armored)
        let error = signatureError { () throws(SignatureError) in try signature.verify(message: message, namespace: "agentreview") }
        #expect(error == .invalidSignature(fingerprint: key.publicKey.fingerprint))
        #expect(
            !(try SSHKeygen.verifies(
                armored, message: message, principal: "alice@example.com", namespace: "agentreview",
                allowedSigners: "alice@example.com \(key.keyText)\n", in: dir)))
    }

    @Test("damaged blobs are refused with a reason, and ssh-keygen refuses them too")
    func damagedBlobs() throws {
        let fixture = try KeyFixture.shared.get()
        let dir = try fixture.scratch()
        let key = fixture[.ed25519]
        let original = try SSHSignature.parse(
            armored: try SSHKeygen.sign(message, key: key.privateKey, namespace: "agentreview", in: dir))
        let ecdsaKey = fixture[.ecdsa256].publicKey.wireBlob

        var cases: [(String, SSHSIGParts, SignatureError)] = []
        var parts = SSHSIGParts(original)
        parts.trailing = [0, 0, 0, 0]
        cases.append(("trailing bytes", parts, .trailingData("signature blob")))
        parts = SSHSIGParts(original)
        parts.version = 2
        cases.append(("version 2", parts, .unsupportedVersion(2)))
        parts = SSHSIGParts(original)
        parts.magic = Array("SSHSIH".utf8)
        cases.append(("wrong magic", parts, .notSSHSIG))
        parts = SSHSIGParts(original)
        parts.hashAlgorithm = "sha384"
        cases.append(("unknown hash", parts, .unsupportedHashAlgorithm("sha384")))
        parts = SSHSIGParts(original)
        parts.signatureAlgorithm = "ecdsa-sha2-nistp256"
        cases.append(("algorithm of another key type", parts, .signatureAlgorithmMismatch(keyType: "ssh-ed25519", signatureAlgorithm: "ecdsa-sha2-nistp256")))
        parts = SSHSIGParts(original)
        parts.publicKey = ecdsaKey
        cases.append(("another key in the blob", parts, .signatureAlgorithmMismatch(keyType: "ecdsa-sha2-nistp256", signatureAlgorithm: "ssh-ed25519")))
        parts = SSHSIGParts(original)
        parts.signature.append(0)
        cases.append(("long ed25519 signature", parts, .malformed("an ed25519 signature has 64 bytes, this one 65")))
        parts = SSHSIGParts(original)
        parts.namespace = ""
        cases.append(("empty namespace", parts, .emptyNamespace))

        for (name, parts, expected) in cases {
            let error = signatureError { () throws(SignatureError) in
                try SSHSignature.parse(armored: parts.armored).verify(message: message, namespace: "agentreview")
            }
            #expect(error == expected, "\(name)")
            #expect(
                !(try SSHKeygen.verifies(
                    parts.armored, message: message, principal: "alice@example.com", namespace: "agentreview",
                    allowedSigners: "alice@example.com \(key.keyText)\n", in: dir)),
                "ssh-keygen accepted: \(name)")
        }
        // Truncation anywhere is a malformed signature, never a crash.
        let blob = SSHSIGParts(original).blob
        for length in stride(from: 0, to: blob.count, by: 7) {
            #expect(throws: SignatureError.self) { try SSHSignature(blob: Array(blob.prefix(length))) }
        }
    }

    @Test("rsa-sha2-256 verifies; SHA-1 ssh-rsa is refused; ssh-keygen agrees on both")
    func rsaSignatureAlgorithms() throws {
        let fixture = try KeyFixture.shared.get()
        let dir = try fixture.scratch()
        let key = fixture[.rsa2048]
        // ssh-keygen -Y sign always uses rsa-sha2-512: make the other two with the same key.
        let pem = dir.appendingPathComponent("rsa-pem")
        try FileManager.default.copyItem(at: key.privateKey, to: pem)
        try SSHKeygen.check(["-q", "-p", "-P", "", "-N", "", "-m", "PEM", "-f", pem.path], in: dir)
        let privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: try String(contentsOf: pem, encoding: .utf8))
        let template = try SSHSignature.parse(
            armored: try SSHKeygen.sign(message, key: key.privateKey, namespace: "agentreview", in: dir))
        var signed = WireWriter()
        signed.raw(Array("SSHSIG".utf8))
        signed.string(Array("agentreview".utf8))
        signed.string([])
        signed.string(Array("sha512".utf8))
        signed.string(Array(SHA512.hash(data: message)))
        let signers = "alice@example.com \(key.keyText)\n"

        var sha256 = SSHSIGParts(template)
        sha256.signatureAlgorithm = "rsa-sha2-256"
        sha256.signature = Array(
            try privateKey.signature(for: SHA256.hash(data: signed.bytes), padding: .insecurePKCS1v1_5).rawRepresentation)
        let parsed = try SSHSignature.parse(armored: sha256.armored)
        #expect(parsed.signatureAlgorithm == "rsa-sha2-256")
        #expect(signatureError { () throws(SignatureError) in try parsed.verify(message: message, namespace: "agentreview") } == nil)
        #expect(
            try SSHKeygen.verifies(
                sha256.armored, message: message, principal: "alice@example.com", namespace: "agentreview",
                allowedSigners: signers, in: dir))

        var sha1 = SSHSIGParts(template)
        sha1.signatureAlgorithm = "ssh-rsa"
        sha1.signature = Array(
            try privateKey.signature(for: Insecure.SHA1.hash(data: signed.bytes), padding: .insecurePKCS1v1_5).rawRepresentation)
        #expect(throws: SignatureError.insecureSignatureAlgorithm("ssh-rsa")) { try SSHSignature.parse(armored: sha1.armored) }
        #expect(
            !(try SSHKeygen.verifies(
                sha1.armored, message: message, principal: "alice@example.com", namespace: "agentreview",
                allowedSigners: signers, in: dir)))
    }

    @Test("verify(signedBy:) refuses a signature made with another key")
    func anotherKey() throws {
        let fixture = try KeyFixture.shared.get()
        let signature = try SSHSignature.parse(
            armored: try SSHKeygen.sign(message, key: fixture.other.privateKey, namespace: "agentreview", in: try fixture.scratch()))
        let error = signatureError { () throws(SignatureError) in
            try signature.verify(message: message, namespace: "agentreview", signedBy: fixture[.ed25519].publicKey)
        }
        #expect(
            error == .keyMismatch(expected: fixture[.ed25519].publicKey.fingerprint, found: fixture.other.publicKey.fingerprint))
    }

    @Test("armor problems are named")
    func armorProblems() throws {
        let fixture = try KeyFixture.shared.get()
        let armored = try SSHKeygen.sign(message, key: fixture[.ed25519].privateKey, namespace: "agentreview", in: try fixture.scratch())
        #expect(throws: SignatureError.notArmored("it does not start with -----BEGIN SSH SIGNATURE-----")) {
            try SSHSignature.parse(armored: "x" + armored)
        }
        #expect(throws: SignatureError.notArmored("it does not end with -----END SSH SIGNATURE-----")) {
            try SSHSignature.parse(armored: String(armored.dropLast(5)))
        }
        #expect(throws: SignatureError.notArmored("it contains a carriage return (CR)")) {
            try SSHSignature.parse(armored: armored.replacingOccurrences(of: "\n", with: "\r\n"))
        }
        #expect(throws: SignatureError.invalidBase64) {
            try SSHSignature.parse(armored: armored.replacingOccurrences(of: "U1NIU0lH", with: "U1NI*0lH"))
        }
        #expect(throws: SignatureError.notArmored("there is nothing between its first and last lines")) {
            try SSHSignature.parse(armored: "\(SSHSignature.beginLine)\n\(SSHSignature.endLine)\n")
        }
        // Without the final newline it still reads.
        #expect(try SSHSignature.parse(armored: String(armored.dropLast())).namespace == "agentreview")
    }

    @Test("public key lines: types must agree, unsupported types are named")
    func publicKeyLines() throws {
        let fixture = try KeyFixture.shared.get()
        let ed = fixture[.ed25519]
        let base64 = Data(ed.publicKey.wireBlob).base64EncodedString()
        #expect(try SSHPublicKey(authorizedKeysLine: "  \(ed.publicLine)") == ed.publicKey)
        #expect(try SSHPublicKey(authorizedKeysLine: "ssh-ed25519\t\(base64)") == ed.publicKey)
        #expect(throws: SignatureError.invalidPublicKey("the line says ssh-rsa but the key is ssh-ed25519")) {
            try SSHPublicKey(authorizedKeysLine: "ssh-rsa \(base64)")
        }
        #expect(throws: SignatureError.unsupportedKeyType("sk-ssh-ed25519@openssh.com")) {
            try SSHPublicKey(authorizedKeysLine: "sk-ssh-ed25519@openssh.com \(base64)")
        }
        #expect(throws: SignatureError.unsupportedKeyType("ssh-ed25519-cert-v01@openssh.com")) {
            try SSHPublicKey(authorizedKeysLine: "ssh-ed25519-cert-v01@openssh.com \(base64)")
        }
        #expect(throws: SignatureError.invalidPublicKey("the ssh-ed25519 key is not valid base64")) {
            try SSHPublicKey(authorizedKeysLine: "ssh-ed25519 AAAA!!!")
        }
        #expect(throws: SignatureError.self) { try SSHPublicKey(authorizedKeysLine: "ssh-ed25519") }
        var truncated = ed.publicKey.wireBlob
        truncated.removeLast()
        #expect(throws: SignatureError.malformed("the public key's ed25519 key is truncated")) {
            try SSHPublicKey(wireBlob: truncated)
        }
        #expect(throws: SignatureError.trailingData("public key")) { try SSHPublicKey(wireBlob: ed.publicKey.wireBlob + [0]) }

        // A 1024-bit RSA key, which OpenSSH still accepts, is refused by name.
        let dir = try fixture.scratch()
        try SSHKeygen.check(["-q", "-t", "rsa", "-b", "1024", "-N", "", "-f", "small"], in: dir)
        let line = try String(contentsOf: dir.appendingPathComponent("small.pub"), encoding: .utf8)
        #expect(throws: SignatureError.rsaKeyTooSmall(bits: 1024)) { try SSHPublicKey(authorizedKeysLine: line) }
    }
}
