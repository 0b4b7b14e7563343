import Foundation
import Testing
import AgentReviewTestSupport

@testable import AgentReviewCore

/// Short names for the outcome of a signer check, to compare in tables.
func outcomeName(_ result: Result<SignerMatch, SignerRefusal>) -> String {
    switch result {
    case .success: "ok"
    case .failure(let refusal):
        switch refusal {
        case .revoked: "revoked"
        case .dateInFuture: "dateInFuture"
        case .keyNotListed: "keyNotListed"
        case .principalNotListed: "principalNotListed"
        case .keyNotListedForPrincipal: "keyNotListedForPrincipal"
        case .namespaceNotAllowed: "namespaceNotAllowed"
        case .notYetValid: "notYetValid"
        case .expired: "expired"
        case .certificateAuthorityUnsupported: "certificateAuthorityUnsupported"
        case .keyNotValid: "keyNotValid"
        }
    }
}

func utc(_ text: String) -> Date {
    guard let date = RecordParser.parseRecordDate(text) else { preconditionFailure("bad test date \(text)") }
    return date
}

@Suite struct AllowedSignersTests {
    /// One question put to both our code and `ssh-keygen -Y verify`.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// allowed_signers text; `KEY` is replaced by the signing key, `OTHER` by another key.
        var signers: String
        var principal = "alice@example.com"
        /// The namespace the signature is made in (always checked as `agentreview`).
        var signedNamespace = "agentreview"
        var date = "2026-11-25T12:00:00Z"
        var revoked: String? = nil
        var expected: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "listed", signers: "alice@example.com KEY\n", expected: "ok"),
        Case(name: "listed among several, with comments", signers: "# reviewers\n\nbob@example.com OTHER\nbob@example.com,alice@example.com KEY alice's laptop\n", expected: "ok"),
        Case(name: "wildcard principal", signers: "*@example.com KEY\n", expected: "ok"),
        Case(name: "negated principal wins over a wildcard", signers: "!alice@example.com,*@example.com KEY\n", expected: "principalNotListed"),
        Case(name: "quoted principals", signers: "\"carol@example.com,alice@example.com\" KEY\n", expected: "ok"),
        Case(name: "principal not in the file", signers: "bob@example.com OTHER\n", expected: "keyNotListed"),
        Case(name: "key listed for another principal", signers: "bob@example.com KEY\n", expected: "principalNotListed"),
        Case(name: "principal listed with another key", signers: "alice@example.com OTHER\n", expected: "keyNotListedForPrincipal"),
        Case(name: "a git commit signature", signers: "alice@example.com KEY\n", signedNamespace: "git", expected: "namespace"),
        Case(name: "namespaces= excludes agentreview", signers: "alice@example.com namespaces=\"git\" KEY\n", expected: "namespaceNotAllowed"),
        Case(name: "namespaces= admits agentreview by pattern", signers: "alice@example.com namespaces=\"git,agent*\" KEY\n", expected: "ok"),
        Case(name: "namespaces= negation", signers: "alice@example.com namespaces=\"*,!agentreview\" KEY\n", expected: "namespaceNotAllowed"),
        Case(name: "valid-before in the past", signers: "alice@example.com valid-before=\"20200101\" KEY\n", expected: "expired"),
        Case(name: "valid-after in the future", signers: "alice@example.com valid-after=\"20300101Z\" KEY\n", expected: "notYetValid"),
        Case(name: "inside the validity window", signers: "alice@example.com valid-after=\"20260101\",valid-before=\"202612010000Z\" KEY\n", expected: "ok"),
        Case(name: "valid-before is inclusive", signers: "alice@example.com valid-before=\"20261125120000Z\" KEY\n", expected: "ok"),
        Case(name: "one second after valid-before", signers: "alice@example.com valid-before=\"20261125115959Z\" KEY\n", expected: "expired"),
        Case(name: "expired line, then a valid one", signers: "alice@example.com valid-before=\"20200101\" KEY\nalice@example.com KEY\n", expected: "ok"),
        Case(name: "option names are case-insensitive", signers: "alice@example.com NAMESPACES=\"git\" KEY\n", expected: "namespaceNotAllowed"),
        Case(name: "cert-authority line", signers: "alice@example.com cert-authority KEY\n", expected: "certificateAuthorityUnsupported"),
        Case(name: "revoked key", signers: "alice@example.com KEY\n", revoked: "# revoked\nKEY old laptop\n", expected: "revoked"),
        Case(name: "revocation list without the key", signers: "alice@example.com KEY\n", revoked: "OTHER\n", expected: "ok"),
    ]

    @Test("our answer agrees with ssh-keygen -Y verify", arguments: cases, [KeyKind.ed25519, .ecdsa256, .rsa2048])
    func agreesWithSSHKeygen(testCase: Case, kind: KeyKind) throws {
        let fixture = try KeyFixture.shared.get()
        let dir = try fixture.scratch()
        let key = fixture[kind]
        func fill(_ text: String) -> String {
            text.replacingOccurrences(of: "OTHER", with: fixture.other.keyText).replacingOccurrences(of: "KEY", with: key.keyText)
        }
        let signersText = fill(testCase.signers)
        let message = Array("agentreview approval v1\n".utf8)
        let armored = try SSHKeygen.sign(message, key: key.privateKey, namespace: testCase.signedNamespace, in: dir)
        let date = utc(testCase.date)

        let signature = try SSHSignature.parse(armored: armored)
        let ours: String
        switch signatureError({ () throws(SignatureError) in try signature.verify(message: message, namespace: "agentreview") }) {
        case nil:
            let signers = AllowedSigners(text: signersText)
            let revoked = testCase.revoked.map { RevokedKeys(text: fill($0)) } ?? .none
            ours = outcomeName(
                signers.verify(
                    principal: testCase.principal, key: signature.publicKey, namespace: "agentreview", at: date,
                    now: date.addingTimeInterval(60), revoked: revoked))
        case .namespaceMismatch?:
            ours = "namespace"
        case let other?:
            ours = "signature: \(other)"
        }
        #expect(ours == testCase.expected)

        let theirs = try SSHKeygen.verifies(
            armored, message: message, principal: testCase.principal, namespace: "agentreview", allowedSigners: signersText,
            time: date, revoked: testCase.revoked.map(fill), in: dir)
        #expect(theirs == (testCase.expected == "ok"), "ssh-keygen disagrees")
    }

    @Test("a signature dated more than five minutes after now is refused")
    func futureDates() throws {
        let fixture = try KeyFixture.shared.get()
        let key = fixture[.ed25519].publicKey
        let signers = AllowedSigners(text: "alice@example.com \(key.authorizedKeysText)\n")
        let now = utc("2026-11-25T12:00:00Z")
        func check(_ date: String) -> String {
            outcomeName(signers.verify(principal: "alice@example.com", key: key, namespace: "agentreview", at: utc(date), now: now))
        }
        #expect(check("2026-11-25T12:05:00Z") == "ok")
        #expect(check("2026-11-25T12:05:01Z") == "dateInFuture")
        #expect(check("2020-01-01T00:00:00Z") == "ok")
        let refusal = signers.verify(
            principal: "alice@example.com", key: key, namespace: "agentreview", at: utc("2027-01-01T00:00:00Z"), now: now)
        guard case .failure(let reason) = refusal else {
            Issue.record("expected a refusal")
            return
        }
        #expect(reason.description.contains("2027-01-01T00:00:00Z"))
        #expect(reason.description.contains("clock"))
    }

    @Test("refusals name the line and what to do")
    func refusalMessages() throws {
        let fixture = try KeyFixture.shared.get()
        let key = fixture[.ed25519].publicKey
        let text = """
            bob@example.com \(key.authorizedKeysText)
            alice@example.com \(fixture.other.keyText)
            carol@example.com valid-before="20200101" \(key.authorizedKeysText)
            """
        let signers = AllowedSigners(text: text, source: ".agentreview/allowed_signers")
        let date = utc("2026-11-25T12:00:00Z")
        func reason(_ principal: String) -> String {
            switch signers.verify(principal: principal, key: key, namespace: "agentreview", at: date, now: date) {
            case .success: "ok"
            case .failure(let refusal): refusal.description
            }
        }
        #expect(reason("alice@example.com") == "key \(key.fingerprint) belongs to bob@example.com, carol@example.com in .agentreview/allowed_signers, not to alice@example.com")
        #expect(reason("carol@example.com") == ".agentreview/allowed_signers:3: the key expired at 2020-01-01T00:00:00Z; the signature is dated 2026-11-25T12:00:00Z")
        let unknown = AllowedSigners(text: "alice@example.com \(fixture.other.keyText)\n")
        if case .failure(let refusal) = unknown.verify(principal: "alice@example.com", key: key, namespace: "agentreview", at: date, now: date) {
            #expect(refusal.description == "alice@example.com is listed with other keys (allowed_signers:1), not with key \(key.fingerprint)")
        } else {
            Issue.record("expected a refusal")
        }
    }

    @Test("bad lines are reported with their numbers and do not stop the others")
    func diagnostics() throws {
        let fixture = try KeyFixture.shared.get()
        let key = fixture[.ed25519].publicKey.authorizedKeysText
        let lines = [
            "# comment",  // 1
            "",  // 2
            "alice@example.com \(key)",  // 3: fine
            "bob@example.com",  // 4: no key
            "bob@example.com bogus=\"x\" \(key)",  // 5: unknown option
            "bob@example.com namespaces=git \(key)",  // 6: unquoted value
            "bob@example.com valid-before=\"2026\" \(key)",  // 7: bad time
            "bob@example.com valid-after=\"20270101\",valid-before=\"20260101\" \(key)",  // 8: window backwards
            "bob@example.com namespaces=\"a\",namespaces=\"b\" \(key)",  // 9: twice
            "bob@example.com ssh-ed25519 AAAA",  // 10: bad key
            "bob@example.com sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t",  // 11: unsupported
            "\"bob@example.com \(key)",  // 12: unterminated quote
            "bob@example.com namespaces=\"git\", \(key)",  // 13: trailing comma
            "bob@example.com cert-authority \(key)",  // 14: cert-authority (read, reported)
            "bob@example.com valid-before=\"20260230\" \(key)",  // 15: no such day
            "   carol@example.com   \(key)   comment here\r",  // 16: fine (blanks, CRLF)
            "dave@example.com \(key)\r",  // 17: fine (CRLF)
            "bob@example.com",  // 18: no key
        ]
        let signers = AllowedSigners(text: lines.joined(separator: "\n"), source: "signers")
        #expect(signers.entries.map(\.line) == [3, 14, 16, 17])
        #expect(signers.diagnostics.map(\.location.line) == [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18])
        #expect(signers.diagnostics.allSatisfy { $0.location.file == "signers" })
        let messages = signers.diagnostics.map(\.message)
        #expect(messages[0].hasPrefix("no key after the principals"))
        #expect(messages[1].hasPrefix("unknown option \"bogus\""))
        #expect(messages[2].hasPrefix("the namespaces= value must be in double quotes"))
        #expect(messages[3].hasPrefix("valid-before=\"2026\" is not a time"))
        #expect(messages[4].hasPrefix("valid-before is not after valid-after"))
        #expect(messages[5].hasPrefix("namespaces= is given twice"))
        #expect(messages[7].hasPrefix("sk-ssh-ed25519@openssh.com keys are not supported"))
        #expect(messages[8].hasPrefix("the principals have an opening quote but no closing one"))
        #expect(messages[9].hasPrefix("the options end with a comma"))
        #expect(messages[10].hasPrefix("cert-authority lines are not supported"))
        #expect(messages.allSatisfy { $0.hasSuffix("this line is ignored") || $0.hasSuffix("never matches") })
        #expect(signers.diagnostics[0].description.hasPrefix("signers:4: "))
        #expect(signers.entries.map(\.principals) == ["alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com"])
        // Only unreadable lines are named as such when a key is not listed.
        guard case .failure(.keyNotListed(_, _, _, let ignored)) = signers.verify(
            principal: "erin@example.com", key: fixture.other.publicKey, namespace: "agentreview", at: Date(timeIntervalSince1970: 1e9),
            now: Date(timeIntervalSince1970: 1e9))
        else {
            Issue.record("expected keyNotListed")
            return
        }
        #expect(ignored == [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 18])
    }

    @Test("options: quoting, escapes and times")
    func options() throws {
        let fixture = try KeyFixture.shared.get()
        let key = fixture[.ed25519].publicKey.authorizedKeysText
        let signers = AllowedSigners(
            text: "a@x namespaces=\"git,agent\\\"review\",valid-after=\"202601021530UTC\",VALID-BEFORE=\"20270101120000\" \(key)\n")
        #expect(signers.diagnostics.isEmpty)
        let entry = try #require(signers.entries.first)
        #expect(entry.namespaces == "git,agent\"review")
        #expect(entry.validAfter == utc("2026-01-02T15:30:00Z"))
        #expect(entry.validBefore == utc("2027-01-01T12:00:00Z"))
        #expect(!entry.isCertificateAuthority)
    }

    @Test("principals(for:) lists who a key may sign as")
    func principalsForKey() throws {
        let fixture = try KeyFixture.shared.get()
        let key = fixture[.ed25519].publicKey
        let text = """
            alice@example.com,!mallory@example.com \(key.authorizedKeysText)
            bob@example.com \(fixture.other.keyText)
            ops@example.com namespaces="git" \(key.authorizedKeysText)
            old@example.com valid-before="20200101" \(key.authorizedKeysText)
            alice@example.com,*@corp.example \(key.authorizedKeysText)
            """
        let signers = AllowedSigners(text: text)
        let date = utc("2026-11-25T12:00:00Z")
        #expect(signers.principals(for: key, namespace: "agentreview", at: date) == ["alice@example.com", "*@corp.example"])
        #expect(signers.principals(for: key, namespace: "git", at: date) == ["alice@example.com", "ops@example.com", "*@corp.example"])
        #expect(signers.principals(for: fixture.other.publicKey, namespace: "agentreview", at: date) == ["bob@example.com"])
        #expect(signers.principals(for: fixture[.ecdsa256].publicKey, namespace: "agentreview", at: date).isEmpty)
    }

    @Test("revocation lists: comments, blank lines, bad lines reported")
    func revokedKeys() throws {
        let fixture = try KeyFixture.shared.get()
        let revoked = RevokedKeys(
            text: "# gone\r\n\n\(fixture[.ecdsa384].publicLine)\r\n  \(fixture[.rsa2048].keyText)\nnot a key\n", source: "revoked")
        #expect(revoked.contains(fixture[.ecdsa384].publicKey))
        #expect(revoked.contains(fixture[.rsa2048].publicKey))
        #expect(!revoked.contains(fixture[.ed25519].publicKey))
        #expect(revoked.diagnostics.map(\.location.line) == [5])
        #expect(RevokedKeys.none.keys.isEmpty)
    }

    @Test(
        "OpenSSH pattern lists",
        arguments: [
            ("alice@example.com", "alice@example.com", 1),
            ("alice@example.com", "bob@example.com,alice@example.com", 1),
            ("alice@example.com", "*@example.com", 1),
            ("alice@example.com", "alice@*.com", 1),
            ("alice@example.com", "?lice@example.com", 1),
            ("alice@example.com", "??lice@example.com", 0),
            ("alice@example.com", "Alice@example.com", 0),
            ("alice@example.com", "*", 1),
            ("alice@example.com", "!alice@example.com,*", -1),
            ("alice@example.com", "*,!alice@example.com", -1),
            ("bob@example.com", "*,!alice@example.com", 1),
            ("alice@example.com", "!bob@example.com", 0),
            ("alice@example.com", "a*e*m", 1),
            ("alice@example.com", "a**x", 0),
            ("agentreview", "git,agent*", 1),
            ("", "", 1),
            ("a", "", 0),
        ])
    func patterns(string: String, list: String, expected: Int) {
        #expect(OpenSSHPattern.matchList(string, list) == expected)
    }

    @Test("times: every accepted form, read as UTC")
    func times() {
        #expect(CivilTime.parseSSHTime("20261125") == utc("2026-11-25T00:00:00Z"))
        #expect(CivilTime.parseSSHTime("20261125z") == utc("2026-11-25T00:00:00Z"))
        #expect(CivilTime.parseSSHTime("202611251234") == utc("2026-11-25T12:34:00Z"))
        #expect(CivilTime.parseSSHTime("20261125123456Z") == utc("2026-11-25T12:34:56Z"))
        #expect(CivilTime.parseSSHTime("20240229utc") == utc("2024-02-29T00:00:00Z"))
        for bad in ["2026112", "202611251", "2026-11-25", "20261325", "20230229", "20261125246000", "19700101", "Z", "abcdefgh"] {
            #expect(CivilTime.parseSSHTime(bad) == nil, "\(bad)")
        }
        #expect(CivilTime.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(CivilTime.format(utc("2000-02-29T23:59:59Z")) == "2000-02-29T23:59:59Z")
        #expect(CivilTime.format(Date(timeIntervalSince1970: 1_795_608_000.75)) == "2026-11-25T12:00:00Z")
    }
}

/// Who a key could be: its listings, the aliases they make, and pattern overlaps.
@Suite struct KeyIdentityTests {
    @Test("listings(of:) gives every line of the key, whatever its namespaces, validity or kind")
    func listings() throws {
        let fixture = try KeyFixture.shared.get()
        let key = fixture[.ed25519].publicKey
        let text = """
            alice@example.com,!mallory@example.com \(key.authorizedKeysText)
            bob@example.com \(fixture.other.keyText)
            ops@example.com namespaces="git" \(key.authorizedKeysText)
            old@example.com valid-before="20200101" \(key.authorizedKeysText)
            ca@example.com cert-authority \(key.authorizedKeysText)
            ops@example.com namespaces="git" \(key.authorizedKeysText)
            """
        let signers = AllowedSigners(text: text)
        #expect(signers.listings(of: key) == [
            "alice@example.com,!mallory@example.com", "ops@example.com", "old@example.com", "ca@example.com",
        ])
        #expect(signers.listings(of: fixture.other.publicKey) == ["bob@example.com"])
        #expect(signers.listings(of: fixture[.ecdsa256].publicKey).isEmpty)
        // The aliases read from the same file: every plain principal of one key.
        let aliases = signers.aliases
        #expect(aliases.aliases(of: "OPS@example.com") == ["alice@example.com", "ca@example.com", "old@example.com", "ops@example.com"])
        #expect(!aliases.same("alice@example.com", "mallory@example.com"))
        #expect(aliases.aliases(of: "bob@example.com") == ["bob@example.com"])
    }

    @Test("aliases: plain principals of one key, chained through keys; patterns and negations join nobody")
    func aliases() {
        let aliases = PrincipalAliases([
            (key: "laptop", principals: "alice@example.com"),
            (key: "token", principals: "Alice@Example.com,alice@corp.example"),
            (key: "old", principals: "alice@corp.example,a.smith@corp.example"),
            (key: "wild", principals: "*@corp.example,bob@example.com"),
            (key: "any", principals: "c?rol@example.com,!dave@example.com,carol@example.com"),
            (key: "dave", principals: "dave@example.com"),
        ])
        #expect(aliases.aliases(of: "alice@example.com") == ["a.smith@corp.example", "alice@corp.example", "alice@example.com"])
        #expect(aliases.same("a.smith@corp.example", "ALICE@example.com"))
        #expect(aliases.aliases(of: "bob@example.com") == ["bob@example.com"])
        #expect(!aliases.same("bob@example.com", "alice@corp.example"))
        #expect(aliases.aliases(of: "carol@example.com") == ["carol@example.com"])
        #expect(!aliases.same("carol@example.com", "dave@example.com"))
        #expect(PrincipalAliases.none.aliases(of: "X@y") == ["x@y"])
    }

    @Test("pattern intersections", arguments: [
        ("*@corp.example", "x*", true), ("*@corp.example", "*@example.com", false), ("a?c", "abc", true), ("a?c", "abd", false),
        ("*", "", true), ("", "", true), ("a", "", false), ("*a", "b*", true), ("a*b", "*c", false), ("a*", "b*", false),
        ("?", "", false), ("**", "x", true), ("x@corp.example", "x@corp.example", true), ("?*?", "a", false),
    ])
    func intersections(a: String, b: String, expected: Bool) {
        #expect(OpenSSHPattern.intersect(a.utf8, b.utf8) == expected)
        #expect(OpenSSHPattern.intersect(b.utf8, a.utf8) == expected)
    }

    /// Against brute force: some string of a, b, c (c standing for every other byte), no
    /// longer than both patterns together, matches both.
    @Test("pattern intersections agree with brute force")
    func intersectionsByBruteForce() {
        var strings = [[UInt8]()]
        var frontier = [[UInt8]()]
        for _ in 0..<8 {
            frontier = frontier.flatMap { s in [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "c")].map { s + [$0] } }
            strings += frontier
        }
        var generator = SplitMix64(seed: 42)
        let alphabet: [UInt8] = Array("ab*?".utf8)
        func pattern() -> [UInt8] {
            (0..<Int(generator.next() % 5)).map { _ in alphabet[Int(generator.next() % 4)] }
        }
        for _ in 0..<300 {
            let (p, q) = (pattern(), pattern())
            let expected = strings.contains { $0.count <= p.count + q.count && OpenSSHPattern.match($0, p) && OpenSSHPattern.match($0, q) }
            #expect(OpenSSHPattern.intersect(p, q) == expected, "\(String(decoding: p, as: UTF8.self)) ∩ \(String(decoding: q, as: UTF8.self))")
        }
    }
}
