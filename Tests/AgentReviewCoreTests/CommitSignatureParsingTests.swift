import AgentReviewTestSupport
import Foundation
import Testing

@testable import AgentReviewCore

/// A commit's own signature: read from the object as git reads it
/// (`parse_buffer_signed_by_header`), then checked against allowed_signers for
/// `unsigned_is_agent` (``CommitSigners``).
@Suite("Commit signatures")
struct CommitSignatureParsingTests {
    static let head = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@example.com> 1700000000 +0000\ncommitter A <a@example.com> 1700000000 +0000\n"

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var raw: String
        /// The signature git extracts, or nil for an unsigned commit.
        var signature: String?
        /// The signed payload git extracts (checked only for a signed commit).
        var payload: String = ""
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "unsigned", raw: head + "\nMessage\n", signature: nil),
        Case(
            name: "continuation lines join, without their space",
            raw: head + "gpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lH\n -----END SSH SIGNATURE-----\n\nMessage\n",
            signature: "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n",
            payload: head + "\nMessage\n"),
        Case(
            name: "a blank continuation line is an empty line of the signature",
            raw: head + "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQ==\n -----END PGP SIGNATURE-----\n\nM\n",
            signature: "-----BEGIN PGP SIGNATURE-----\n\niQ==\n-----END PGP SIGNATURE-----\n",
            payload: head + "\nM\n"),
        Case(
            name: "a header after the signature ends it and stays in the payload",
            raw: head + "gpgsig A\n B\nencoding ISO-8859-1\n\nM\n",
            signature: "A\nB\n",
            payload: head + "encoding ISO-8859-1\n\nM\n"),
        Case(
            name: "headers before the signature stay in the payload",
            raw: head.replacingOccurrences(of: "author", with: "parent 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor")
                + "mergetag object x\n type commit\ngpgsig S\n\nM\n",
            signature: "S\n",
            payload: head.replacingOccurrences(of: "author", with: "parent 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor")
                + "mergetag object x\n type commit\n\nM\n"),
        Case(
            name: "lines of the message that look like a signature are message",
            raw: head + "\nSubject\n\ngpgsig not a header\n continued\n",
            signature: nil),
        Case(
            name: "message lines starting with a space after the signature are message",
            raw: head + "gpgsig S\n\n indented message\n",
            signature: "S\n",
            payload: head + "\n indented message\n"),
        Case(
            name: "gpgsig-sha256 is another header, dropped from the payload with its continuation",
            raw: head + "gpgsig-sha256 X\n Y\ngpgsig S\n T\n\nM\n",
            signature: "S\nT\n",
            payload: head + "\nM\n"),
        Case(
            name: "gpgsig-sha256 alone is not a signature",
            raw: head + "gpgsig-sha256 X\n Y\n\nM\n",
            signature: nil),
        Case(
            name: "gpgsig with no value is another header, not a signature",
            raw: head + "gpgsig\n X\n\nM\n",
            signature: nil),
        Case(
            name: "gpgsigx is another header",
            raw: head + "gpgsigx V\ngpgsig S\n\nM\n",
            signature: "S\n",
            payload: head + "\nM\n"),
        Case(
            name: "two gpgsig headers make one signature",
            raw: head + "gpgsig A\n B\ngpgsig C\n\nM\n",
            signature: "A\nB\nC\n",
            payload: head + "\nM\n"),
        Case(
            name: "a continuation after another header is not the signature's",
            raw: head + "gpgsig A\nmergetag m\n B\n\nM\n",
            signature: "A\n",
            payload: head + "mergetag m\n B\n\nM\n"),
        Case(
            name: "no message, no final newline",
            raw: head + "gpgsig S",
            signature: "S",
            payload: head),
        Case(
            name: "a line starting with NUL ends reading, as in git",
            raw: head + "gpgsig S\n\0gpgsig T\n\nM\n",
            signature: "S\n",
            payload: head),
        Case(
            name: "a NUL inside the message is message",
            raw: head + "gpgsig S\n\nM\0N\n",
            signature: "S\n",
            payload: head + "\nM\0N\n"),
    ]

    @Test("extract reads gpgsig as git does", arguments: cases)
    func extract(_ testCase: Case) {
        let extraction = CommitSignature.extract(from: Array(testCase.raw.utf8))
        guard let signature = testCase.signature else {
            #expect(extraction == .unsigned)
            return
        }
        #expect(
            extraction == .signed(CommitSignature(signature: Array(signature.utf8), payload: Array(testCase.payload.utf8))),
            "\(extraction)")
    }

    @Test("a signature over the limit is not kept, only measured")
    func tooLarge() {
        let lines = String(repeating: " " + String(repeating: "A", count: 69) + "\n", count: 20)
        let raw = Array((Self.head + "gpgsig X\n" + lines + "\nM\n").utf8)
        #expect(CommitSignature.extract(from: raw, maxBytes: 2 + 20 * 70) != .tooLarge(bytes: 2 + 20 * 70))
        #expect(CommitSignature.extract(from: raw, maxBytes: 2 + 20 * 70 - 1) == .tooLarge(bytes: 2 + 20 * 70))
        #expect(CommitSignature.extract(from: raw, maxBytes: 100) == .tooLarge(bytes: 2 + 20 * 70))
        #expect(Limits.commitSignatureBytes >= 16 * 1024)
    }

    @Test("formats, by the first line as git tells them apart", arguments: [
        ("-----BEGIN SSH SIGNATURE-----\nx\n", CommitSignature.Format.ssh),
        ("-----BEGIN PGP SIGNATURE-----\n\nx\n", .openpgp),
        ("-----BEGIN PGP MESSAGE-----\nx\n", .openpgp),
        ("-----BEGIN SIGNED MESSAGE-----\nx\n", .x509),
        ("-----BEGIN SSH SIGNATURE----", .unknown),
        (" -----BEGIN SSH SIGNATURE-----\n", .unknown),
        ("", .unknown),
    ])
    func format(_ text: String, _ format: CommitSignature.Format) {
        #expect(CommitSignature(signature: Array(text.utf8), payload: []).format == format)
    }

    // MARK: - Checking against allowed_signers

    /// The commit date every case signs at, and the judge's clock an hour later.
    static let committed = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28
    static let payload = Array((head + "\nA commit\n").utf8)

    enum Expected: Sendable {
        case person(String)
        case unknownKey
        case botKey(String)
        case keyNotValid(principal: String, reason: String)
        case doesNotVerify(String)
    }

    struct SignerCase: Sendable, CustomTestStringConvertible {
        var name: String
        /// allowed_signers, with `{key}` for the signing key and `{other}` for another.
        var signers: String
        var expected: Expected
        var key: KeyKind = .ed25519
        var revoked = false
        var bots: [String] = []
        var namespace = "git"
        var tampered = false
        /// How far after `committed` the judge's clock is.
        var clock: TimeInterval = 3600
        var testDescription: String { name }
    }

    static let signerCases: [SignerCase] = [
        SignerCase(name: "a listed person", signers: "alice@example.com {key}\n", expected: .person("alice@example.com")),
        SignerCase(
            name: "a person listed for git among namespaces",
            signers: "alice@example.com namespaces=\"agentreview,git\" {key}\n", expected: .person("alice@example.com")),
        SignerCase(name: "ecdsa", signers: "alice@example.com {key}\n", expected: .person("alice@example.com"), key: .ecdsa256),
        SignerCase(name: "rsa", signers: "alice@example.com {key}\n", expected: .person("alice@example.com"), key: .rsa2048),
        SignerCase(
            name: "a person by a pattern", signers: "*@example.com {key}\n", expected: .person("*@example.com")),
        SignerCase(
            name: "the first principal whose line counts",
            signers: "old@example.com valid-before=\"20260101Z\" {key}\nalice@example.com {key}\n", expected: .person("alice@example.com")),
        SignerCase(name: "an unknown key", signers: "alice@example.com {other}\n", expected: .unknownKey),
        SignerCase(name: "no signers at all", signers: "", expected: .unknownKey),
        SignerCase(name: "a key listed only negated", signers: "!alice@example.com {key}\n", expected: .unknownKey),
        SignerCase(
            name: "a bot's key", signers: "ci@example.com {key}\n", expected: .botKey("ci@example.com"), bots: ["ci@example.com"]),
        SignerCase(
            name: "a bot named in another case", signers: "CI@example.com {key}\n", expected: .botKey("ci@example.com"),
            bots: ["ci@Example.com"]),
        SignerCase(
            name: "a key listed for a bot and a person is the bot's",
            signers: "alice@example.com {key}\nci@example.com {key}\n", expected: .botKey("ci@example.com"), bots: ["ci@example.com"]),
        SignerCase(
            name: "a key listed by a pattern that covers a bot",
            signers: "*@example.com {key}\n", expected: .botKey("ci@example.com"), bots: ["ci@example.com"]),
        SignerCase(
            name: "a bot's other key does not make a person's key a bot's",
            signers: "alice@example.com {key}\nci@example.com {other}\n", expected: .person("alice@example.com"),
            bots: ["ci@example.com"]),
        SignerCase(
            name: "a revoked key", signers: "alice@example.com {key}\n",
            expected: .keyNotValid(principal: "alice@example.com", reason: "is revoked"), revoked: true),
        SignerCase(
            name: "a key expired before the commit", signers: "alice@example.com valid-before=\"20260101Z\" {key}\n",
            expected: .keyNotValid(principal: "alice@example.com", reason: "the key expired at 2026-01-01T00:00:00Z")),
        SignerCase(
            name: "a key valid only after the commit", signers: "alice@example.com valid-after=\"20270101Z\" {key}\n",
            expected: .keyNotValid(principal: "alice@example.com", reason: "the key is not valid until 2027-01-01T00:00:00Z")),
        SignerCase(
            name: "a key allowed only for approvals", signers: "alice@example.com namespaces=\"agentreview\" {key}\n",
            expected: .keyNotValid(principal: "alice@example.com", reason: "not \"git\"")),
        SignerCase(
            name: "a commit dated after the judge's clock", signers: "alice@example.com {key}\n",
            expected: .keyNotValid(principal: "alice@example.com", reason: "after the current time"), clock: -3600),
        SignerCase(
            name: "changed after signing", signers: "alice@example.com {key}\n",
            expected: .doesNotVerify("the commit or its signature was changed after signing"), tampered: true),
        SignerCase(
            name: "signed in another namespace", signers: "alice@example.com {key}\n",
            expected: .doesNotVerify("it was made for namespace \"file\", not \"git\""), namespace: "file"),
    ]

    @Test("checked against allowed_signers, bots and revoked keys", arguments: signerCases)
    func check(_ testCase: SignerCase) throws {
        let fixture = try KeyFixture.shared.get()
        let key = fixture[testCase.key]
        let scratch = try fixture.scratch()
        let armored = try SSHKeygen.sign(Self.payload, key: key.privateKey, namespace: testCase.namespace, in: scratch)
        let text = testCase.signers.replacingOccurrences(of: "{key}", with: key.keyText)
            .replacingOccurrences(of: "{other}", with: fixture.other.keyText)
        let signers = CommitSigners(
            signers: AllowedSigners(text: text), revoked: RevokedKeys(text: testCase.revoked ? key.publicLine : ""),
            bots: testCase.bots, now: Self.committed.addingTimeInterval(testCase.clock))
        var payload = Self.payload
        if testCase.tampered { payload[payload.count - 2] ^= 1 }
        let check = signers.check(
            .signed(CommitSignature(signature: Array(armored.utf8), payload: payload)), committed: Self.committed)
        let fingerprint = key.publicKey.fingerprint
        switch testCase.expected {
        case .person(let principal):
            #expect(check == .person(principal: principal, fingerprint: fingerprint))
            #expect(check.isPerson)
        case .unknownKey:
            #expect(check == .unknownKey(fingerprint: fingerprint))
            #expect(check.description == "signed by an unknown key \(fingerprint)")
        case .botKey(let bot):
            #expect(check == .botKey(fingerprint: fingerprint, principal: bot))
            #expect(check.description == "signed by a bot key \(fingerprint) (principal \(bot))")
        case .keyNotValid(let principal, let reason):
            guard case .keyNotValid(fingerprint, principal, let why) = check else {
                Issue.record("\(check)")
                return
            }
            #expect(why.contains(reason), "\(why)")
            #expect(check.description.hasPrefix("signed by \(principal) with key \(fingerprint), which does not count: "))
        case .doesNotVerify(let why):
            #expect(check.description.hasPrefix("signature does not verify: \(why)"), "\(check)")
        }
        #expect(!check.description.contains("\n"))
        // OpenSSH agrees on the signature and on each line's namespaces and window, at the
        // commit's date (bots, revocation and the clock are agentreview's own rules).
        if testCase.bots.isEmpty && !testCase.revoked && testCase.clock > 0, case .person(let principal) = testCase.expected {
            #expect(
                try SSHKeygen.verifies(
                    armored, message: payload, principal: principal, namespace: "git", allowedSigners: text, time: Self.committed,
                    in: scratch))
        }
        if case .keyNotValid = testCase.expected, !testCase.revoked, testCase.clock > 0 {
            #expect(
                !(try SSHKeygen.verifies(
                    armored, message: payload, principal: "alice@example.com", namespace: "git", allowedSigners: text,
                    time: Self.committed, in: scratch)))
        }
    }

    @Test("what is not an SSH signature is said so, and counts as unsigned")
    func notChecked() throws {
        let signers = CommitSigners(signers: AllowedSigners(text: ""), now: Self.committed)
        func check(_ signature: String) -> CommitSignatureCheck {
            signers.check(.signed(CommitSignature(signature: Array(signature.utf8), payload: Self.payload)), committed: Self.committed)
        }
        let gpg = check("-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEE\n-----END PGP SIGNATURE-----\n")
        #expect(gpg == .notSSH(.openpgp))
        #expect(gpg.description == "GPG signature (not checked: only SSH signatures are verified)")
        #expect(check("-----BEGIN SIGNED MESSAGE-----\nMIAG\n-----END SIGNED MESSAGE-----\n").description
            == "x509 signature (not checked: only SSH signatures are verified)")
        #expect(check("hello\n").description == "unrecognised signature (not checked: only SSH signatures are verified)")
        let damaged = check("-----BEGIN SSH SIGNATURE-----\nnot base64!\n-----END SSH SIGNATURE-----\n")
        #expect(damaged == .unreadable(SignatureError.invalidBase64.description))
        #expect(damaged.description.hasPrefix("signature cannot be read: "))
        #expect(check("-----BEGIN SSH SIGNATURE-----\r\nU1NI\r\n-----END SSH SIGNATURE-----\r\n").description.hasPrefix("signature cannot be read"))
        #expect(signers.check(.unsigned, committed: Self.committed).description == "no signature")
        #expect(signers.check(.tooLarge(bytes: 70000), committed: Self.committed).description
            == "signature of 70000 bytes, over the limit of \(Limits.commitSignatureBytes) (not read)")
        for outcome in [gpg, damaged, .unsigned, .tooLarge(bytes: 1)] { #expect(!outcome.isPerson) }
    }
}
