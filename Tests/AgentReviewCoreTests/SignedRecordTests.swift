import Crypto
import AgentReviewTestSupport
import Foundation
import Testing

@testable import AgentReviewCore

@Suite struct SignedRecordTests {
    static let commit = "0123456789abcdef0123456789abcdef01234567"
    static let patchID = "89abcdef0123456789abcdef0123456789abcdef"
    static let tree = "fedcba9876543210fedcba9876543210fedcba98"

    static func approval(
        reviewer: String = "alice@example.com", decision: ApprovalRecord.Decision = .approve, comment: String? = "looks good",
        date: String = "2026-11-25T12:00:00Z"
    ) -> RecordBody {
        .approval(
            ApprovalRecord(commit: commit, patchID: patchID, reviewer: reviewer, decision: decision, date: utc(date), comment: comment))
    }

    static let attestation = RecordBody.attestation(
        AttestationRecord(commit: commit, tree: tree, gate: "tests", result: .pass, signer: "ci@example.com", date: utc("2026-11-25T12:30:00Z")))

    /// Renders `body`, signs it with ssh-keygen and assembles the record.
    static func sign(_ body: RecordBody, with kind: KeyKind = .ed25519, namespace: String = "agentreview") throws -> SignedRecord {
        let fixture = try KeyFixture.shared.get()
        let text = try body.rendered()
        let armored = try SSHKeygen.sign(Array(text.utf8), key: fixture[kind].privateKey, namespace: namespace, in: try fixture.scratch())
        return try SignedRecord(body: body, armoredSignature: armored)
    }

    /// The error `SignedRecord.parse` reports for `text`, or nil.
    static func parseError(_ text: String) -> RecordError? {
        parseError(bytes: Array(text.utf8))
    }

    static func parseError(bytes: [UInt8]) -> RecordError? {
        do {
            _ = try SignedRecord.parse(bytes: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test("the unsigned body renders exactly as docs/design.md shows it")
    func renderedBodies() throws {
        #expect(
            try Self.approval().rendered() == """
                agentreview approval v1
                commit \(Self.commit)
                patch-id \(Self.patchID)
                reviewer alice@example.com
                decision approve
                date 2026-11-25T12:00:00Z
                comment looks good

                """)
        #expect(try Self.approval(decision: .reject, comment: nil).rendered().hasSuffix("decision reject\ndate 2026-11-25T12:00:00Z\n"))
        #expect(
            try Self.attestation.rendered() == """
                agentreview attestation v1
                commit \(Self.commit)
                tree \(Self.tree)
                gate tests
                result pass
                signer ci@example.com
                date 2026-11-25T12:30:00Z

                """)
    }

    @Test("rendering refuses what parsing would refuse")
    func renderingRefuses() {
        func error(_ body: RecordBody) -> RecordError.Problem? {
            do {
                _ = try body.rendered()
                return nil
            } catch {
                return error.problem
            }
        }
        #expect(error(Self.approval(comment: "two\nlines")) == .lineBreakInValue(field: "comment"))
        #expect(error(Self.approval(comment: "carriage\rreturn")) == .lineBreakInValue(field: "comment"))
        #expect(error(Self.approval(comment: "tab\there")) == .controlCharacter)
        #expect(error(Self.approval(comment: "")) == .emptyValue(field: "comment"))
        #expect(error(Self.approval(reviewer: "alice bob")) == .invalidValue(field: "reviewer", value: "alice bob", expected: "a principal without spaces, commas or quotes"))
        var bad = ApprovalRecord(commit: "ABC", patchID: Self.patchID, reviewer: "a@x", decision: .approve, date: utc("2026-11-25T12:00:00Z"))
        #expect(error(.approval(bad)) == .invalidObjectID(field: "commit", value: "ABC"))
        bad.commit = Self.commit
        bad.date = Date(timeIntervalSince1970: -1e12)
        #expect(error(.approval(bad)) != nil)
    }

    @Test("a signed record keeps the exact signed bytes and verifies; ssh-keygen agrees", arguments: [KeyKind.ed25519, .ecdsa521, .rsa2048])
    func signedRoundTrip(kind: KeyKind) throws {
        let fixture = try KeyFixture.shared.get()
        let body = Self.approval()
        let record = try Self.sign(body, with: kind)
        let rendered = try body.rendered()
        #expect(record.body == body)
        #expect(record.signedBytes == Array(rendered.utf8))
        #expect(record.text.hasPrefix(rendered + SSHSignature.beginLine + "\n"))
        #expect(record.text.hasSuffix(SSHSignature.endLine + "\n"))
        #expect(try SignedRecord.parse(record.text) == record)
        #expect(record.signature.publicKey == fixture[kind].publicKey)

        let signersText = "alice@example.com \(fixture[kind].keyText)\n"
        let signers = AllowedSigners(text: signersText)
        let now = utc("2026-11-25T12:01:00Z")
        let result = record.verify(signers: signers, now: now)
        #expect((try? result.get())?.principal == "alice@example.com")
        #expect(
            try SSHKeygen.verifies(
                record.signature.armored, message: record.signedBytes, principal: "alice@example.com", namespace: "agentreview",
                allowedSigners: signersText, time: body.date, in: try fixture.scratch()))
    }

    @Test("attestations round-trip and verify as their signer")
    func attestations() throws {
        let fixture = try KeyFixture.shared.get()
        let record = try Self.sign(Self.attestation, with: .ecdsa256)
        #expect(try SignedRecord.parse(record.text).body == Self.attestation)
        let signers = AllowedSigners(text: "ci@example.com namespaces=\"agentreview\" \(fixture[.ecdsa256].keyText)\n")
        #expect((try? record.verify(signers: signers, now: utc("2026-11-25T12:30:00Z")).get())?.principal == "ci@example.com")
        let other = AllowedSigners(text: "alice@example.com \(fixture[.ecdsa256].keyText)\n")
        guard case .failure(.signer(.principalNotListed)) = record.verify(signers: other, now: utc("2026-11-25T12:30:00Z")) else {
            Issue.record("an attestation must verify as its signer")
            return
        }
    }

    @Test("a changed record, a git signature, a stranger's key and a revoked key do not count")
    func refusals() throws {
        let fixture = try KeyFixture.shared.get()
        let signers = AllowedSigners(text: "alice@example.com \(fixture[.ed25519].keyText)\n")
        let now = utc("2026-11-25T12:01:00Z")
        let record = try Self.sign(Self.approval())

        let changed = try SignedRecord.parse(record.text.replacingOccurrences(of: "decision approve", with: "decision reject"))
        #expect(changed.verify(signers: signers, now: now) == .failure(.signature(.invalidSignature(fingerprint: fixture[.ed25519].publicKey.fingerprint))))

        let git = try Self.sign(Self.approval(), namespace: "git")
        #expect(git.verify(signers: signers, now: now) == .failure(.signature(.namespaceMismatch(expected: "agentreview", found: "git"))))

        let stranger = try Self.sign(Self.approval(), with: .ecdsa384)
        guard case .failure(.signer(.keyNotListedForPrincipal)) = stranger.verify(signers: signers, now: now) else {
            Issue.record("a stranger's key must not count")
            return
        }

        let claimsBob = try Self.sign(Self.approval(reviewer: "bob@example.com"))
        guard case .failure(.signer(.principalNotListed)) = claimsBob.verify(signers: signers, now: now) else {
            Issue.record("alice's key must not sign as bob")
            return
        }

        let revoked = RevokedKeys(text: fixture[.ed25519].publicLine + "\n")
        guard case .failure(.signer(.revoked)) = record.verify(signers: signers, revoked: revoked, now: now) else {
            Issue.record("a revoked key must not count")
            return
        }

        let postDated = try Self.sign(Self.approval(date: "2026-12-25T12:00:00Z"))
        guard case .failure(.signer(.dateInFuture)) = postDated.verify(signers: signers, now: now) else {
            Issue.record("a post-dated record must not count")
            return
        }
    }

    @Test("each kind of malformed record is refused with its line and reason")
    func malformedRecords() throws {
        let good = try Self.sign(Self.approval()).text
        func edit(_ from: String, _ to: String) -> String {
            precondition(good.contains(from))
            return good.replacingOccurrences(of: from, with: to)
        }
        let reviewerLine = "reviewer alice@example.com\n"
        let cases: [(String, String, Int, RecordError.Problem)] = [
            ("newer version", edit("approval v1", "approval v2"), 1, .newerVersion(kind: "approval", version: "v2")),
            ("version 0", edit("approval v1", "approval v0"), 1, .unsupportedVersion(kind: "approval", version: "v0")),
            ("unknown kind", edit("approval v1", "review v1"), 1, .unknownRecordKind("review")),
            ("not a record", edit("agentreview approval v1", "hello"), 1, .notARecord(firstLine: "hello")),
            ("unknown field", edit(reviewerLine, reviewerLine + "color blue\n"), 5, .unknownField("color")),
            ("duplicate field", edit(reviewerLine, reviewerLine + "reviewer bob@example.com\n"), 5, .duplicateField("reviewer", firstLine: 4)),
            ("missing field", edit("decision approve\n", ""), 6, .missingField("decision")),
            ("out of order", edit("commit \(Self.commit)\npatch-id \(Self.patchID)\n", "patch-id \(Self.patchID)\ncommit \(Self.commit)\n"), 3, .fieldOutOfOrder("commit", mustPrecede: "patch-id")),
            ("uppercase hex", edit("commit \(Self.commit)", "commit \(Self.commit.uppercased())"), 2, .invalidObjectID(field: "commit", value: Self.commit.uppercased())),
            ("short hex", edit("patch-id \(Self.patchID)", "patch-id abc123"), 3, .invalidObjectID(field: "patch-id", value: "abc123")),
            ("date with a space", edit("T12:00:00Z", " 12:00:00Z"), 6, .invalidDate("2026-11-25 12:00:00Z")),
            ("date with an offset", edit("T12:00:00Z", "T12:00:00+01:00"), 6, .invalidDate("2026-11-25T12:00:00+01:00")),
            ("no such day", edit("2026-11-25T", "2026-02-30T"), 6, .invalidDate("2026-02-30T12:00:00Z")),
            ("hour 24", edit("T12:00:00Z", "T24:00:00Z"), 6, .invalidDate("2026-11-25T24:00:00Z")),
            ("bad decision", edit("decision approve", "decision maybe"), 5, .invalidValue(field: "decision", value: "maybe", expected: "approve or reject")),
            ("carriage return", edit(reviewerLine, "reviewer alice@example.com\r\n"), 4, .carriageReturn),
            ("control character", edit("comment looks good", "comment looks\u{7}good"), 7, .controlCharacter),
            ("empty comment", edit("comment looks good", "comment "), 7, .emptyValue(field: "comment")),
            ("bare field name", edit("comment looks good", "comment"), 7, .emptyValue(field: "comment")),
            ("no space", edit("comment looks good", "looksgood"), 7, .malformedField),
            ("reviewer with a comma", edit(reviewerLine, "reviewer alice@example.com,bob@example.com\n"), 4, .invalidValue(field: "reviewer", value: "alice@example.com,bob@example.com", expected: "a principal without spaces, commas or quotes")),
            ("comment with leading space", edit("comment looks good", "comment  looks good"), 7, .invalidValue(field: "comment", value: " looks good", expected: "no leading or trailing spaces")),
            ("no signature", String(good[..<good.range(of: SSHSignature.beginLine)!.lowerBound]), 7, .missingSignature),
            ("unterminated signature", edit(SSHSignature.endLine + "\n", ""), 8, .unterminatedSignature),
            ("text after the signature", good + "extra\n", 14, .textAfterSignature),
            ("blank line inside", edit(reviewerLine, reviewerLine + "\n"), 5, .blankLineInRecord),
        ]
        for (name, text, line, problem) in cases {
            let error = Self.parseError(text)
            #expect(error?.problem == problem, "\(name): \(error?.description ?? "accepted")")
            #expect(error?.line == line, "\(name): \(error?.description ?? "accepted")")
        }
        let damaged = edit("\n-----END", "AAAA\n-----END")
        guard case .invalidSignature = Self.parseError(damaged)?.problem else {
            Issue.record("a damaged signature must be refused")
            return
        }
        var bytes = Array(edit("comment looks good", "comment looks ~ood").utf8)
        bytes[bytes.firstIndex(of: UInt8(ascii: "~"))!] = 0xFF
        #expect(Self.parseError(bytes: bytes) == RecordError(line: 7, .notUTF8))
        #expect(
            Self.parseError(edit("approval v1", "approval v2"))?.description
                == "line 1: agentreview approval v2 is newer than this agentreview understands (v1): upgrade agentreview")
    }

    @Test("a note: one bad record never hides a good one")
    func notes() throws {
        let first = try Self.sign(Self.approval())
        let second = try Self.sign(Self.attestation)
        let bad = first.text.replacingOccurrences(of: "approval v1", with: "approval v9")
        let note = first.text + "\n" + bad + "\n" + second.text
        let entries = RecordNote.parse(note)
        #expect(entries.count == 3)
        #expect(entries.map(\.line) == [1, 15, 29])
        #expect(entries[0].signedRecord == first)
        #expect(entries[1].signedRecord == nil)
        #expect(entries[1].record == .failure(RecordError(line: 15, .newerVersion(kind: "approval", version: "v9"))))
        #expect(entries[2].signedRecord == second)
        #expect(entries[1].bytes == Array(bad.utf8))

        // A record cut short (no END line, no blank line after) does not swallow the next.
        let cut = String(first.text.dropLast(SSHSignature.endLine.count + 1))
        let damaged = RecordNote.parse(cut + second.text)
        #expect(damaged.count == 2)
        #expect(damaged[0].record == .failure(RecordError(line: 8, .unterminatedSignature)))
        #expect(damaged[1].signedRecord == second)

        // Extra blank lines and a missing final newline are tolerated between records.
        let loose = RecordNote.parse("\n\n" + first.text + "\n\n\n" + String(second.text.dropLast()))
        #expect(loose.compactMap(\.signedRecord) == [first, second])
        #expect(RecordNote.parse("").isEmpty)
        #expect(RecordNote.render([first, second]) == first.text + "\n" + second.text)
    }

    @Test("merging two notes is the union of their records, in a stable order")
    func merge() throws {
        let a = try Self.sign(Self.approval())
        let b = try Self.sign(Self.approval(reviewer: "bob@example.com", decision: .reject, comment: nil))
        let c = try Self.sign(Self.attestation)
        let ours = RecordNote.render([a, b])
        let theirs = RecordNote.render([b, c])
        #expect(RecordNote.merge(ours, theirs) == RecordNote.render([a, b, c]))
        #expect(RecordNote.merge(theirs, ours) == RecordNote.render([b, c, a]))
        #expect(RecordNote.merge(ours, ours) == ours)
        #expect(RecordNote.merge("", theirs) == theirs)
        #expect(RecordNote.merge(ours, "") == ours)
        #expect(RecordNote.adding(c, to: ours) == RecordNote.render([a, b, c]))
        #expect(RecordNote.adding(a, to: ours) == ours)
        // Duplicates within one side collapse; unreadable records are carried, not dropped.
        let junk = "agentreview approval v7\n"
        let merged = RecordNote.merge(RecordNote.render([a, a]) + "\n" + junk, RecordNote.render([c]))
        #expect(merged == a.text + "\n" + junk + "\n" + c.text)
        // Same records, different separators: merge compares records, not whole notes.
        #expect(RecordNote.merge(a.text + "\n\n\n" + b.text, RecordNote.render([a, b])) == ours)
    }

    @Test("changes between two versions of a note, record by record")
    func changes() throws {
        let a = try Self.sign(Self.approval())
        let b = try Self.sign(Self.attestation)
        let old = Array(RecordNote.render([a]).utf8)
        let grown = RecordNote.changes(from: old, to: Array(RecordNote.render([a, b]).utf8))
        #expect(grown.added.compactMap(\.signedRecord) == [b])
        #expect(grown.removed.isEmpty)
        let replaced = RecordNote.changes(from: old, to: Array((b.text + "\ngarbage\n").utf8))
        #expect(replaced.removed.compactMap(\.signedRecord) == [a])
        #expect(replaced.added.count == 2)
        #expect(replaced.added.filter { $0.signedRecord == nil }.map(\.line) == [15])
        let same = RecordNote.changes(from: old, to: Array(("\n" + a.text).utf8))
        #expect(same.added.isEmpty && same.removed.isEmpty)
    }

    @Test("keyValidAt: a key past its valid-before adds no record, however the record is dated")
    func keyValidAt() throws {
        let fixture = try KeyFixture.shared.get()
        let key = fixture[.ed25519].keyText
        let expiring = AllowedSigners(
            text: "alice@example.com namespaces=\"agentreview\",valid-after=\"20261120\",valid-before=\"20261201\" \(key)\n",
            source: "signers")
        let backdated = try Self.sign(Self.approval(date: "2026-11-25T12:00:00Z"))
        let now = utc("2027-01-01T00:00:00Z")

        // Already in the notes, the record counts: its date is inside the key's window.
        #expect((try? backdated.verify(signers: expiring, now: now).get())?.principal == "alice@example.com")
        #expect((try? backdated.verify(signers: expiring, now: now, keyValidAt: nil).get())?.principal == "alice@example.com")
        // Taken in as new at `now`, it is refused.
        let refused = backdated.verify(signers: expiring, now: now, keyValidAt: now)
        #expect(refused == .failure(.signer(.keyNotValid(
            at: now, validAfter: utc("2026-11-20T00:00:00Z"), validBefore: utc("2026-12-01T00:00:00Z"), source: "signers", line: 1))))
        #expect(
            refused.failure?.description
                == "signers:1: the key expired at 2026-12-01T00:00:00Z; a record signed with it cannot be added at 2027-01-01T00:00:00Z, whatever its own date")
        // Inside the window at both times, it counts; valid-before is inclusive.
        #expect((try? backdated.verify(signers: expiring, now: now, keyValidAt: utc("2026-11-30T00:00:00Z")).get()) != nil)
        #expect((try? backdated.verify(signers: expiring, now: now, keyValidAt: utc("2026-12-01T00:00:00Z")).get()) != nil)
        #expect(backdated.verify(signers: expiring, now: now, keyValidAt: utc("2026-12-01T00:00:01Z")).failure != nil)
        // Before valid-after.
        let early = backdated.verify(signers: expiring, now: now, keyValidAt: utc("2026-11-10T00:00:00Z"))
        #expect(early.failure?.description.contains("the key is not valid until 2026-11-20T00:00:00Z") == true)
        // keyValidAt never rescues a record dated outside the window.
        let late = try Self.sign(Self.approval(date: "2026-12-05T00:00:00Z"))
        guard case .failure(.signer(.expired)) = late.verify(signers: expiring, now: now, keyValidAt: utc("2026-11-30T00:00:00Z")) else {
            Issue.record("a record dated after valid-before must stay refused")
            return
        }
        // Another line for the same key and principal, valid at both times, admits it.
        let renewed = AllowedSigners(
            text: "alice@example.com valid-before=\"20261201\" \(key)\nalice@example.com valid-after=\"20261101\" \(key)\n")
        #expect((try? backdated.verify(signers: renewed, now: now, keyValidAt: now).get())?.line == 2)
        #expect((try? backdated.verify(signers: renewed, now: now).get())?.line == 1)
        // Many at once: each answer the same as one at a time.
        let records = Array(repeating: backdated, count: 70) + [late]
        let batch = RecordVerification(signers: expiring, revoked: .none, now: now, keyValidAt: now).verify(records)
        #expect(batch == records.map { $0.verify(signers: expiring, now: now, keyValidAt: now) })
        #expect(batch.allSatisfy { $0.failure != nil })
        #expect(RecordVerification(signers: expiring, revoked: .none, now: now).verify(records).filter { $0.failure == nil }.count == 70)
    }

    @Test("the index hands the evaluator each decision with its key, who the key could be, and the named commit's date")
    func indexCarriesKeys() throws {
        let fixture = try KeyFixture.shared.get()
        let signers = AllowedSigners(text: """
            alice@example.com,alice@corp.example \(fixture[.ed25519].keyText)
            alice@corp.example namespaces="git" \(fixture[.ed25519].keyText)
            bob@example.com \(fixture[.ecdsa256].keyText)
            alice@corp.example \(fixture[.ecdsa384].keyText)

            """)
        let other = "fedcba9876543210fedcba9876543210fedcba98"
        func approval(_ reviewer: String, _ commit: String, _ decision: ApprovalRecord.Decision, _ date: String) -> RecordBody {
            .approval(ApprovalRecord(commit: commit, patchID: Self.patchID, reviewer: reviewer, decision: decision, date: utc(date)))
        }
        let first = try Self.sign(approval("alice@example.com", Self.commit, .approve, "2026-11-25T12:00:00Z"))
        let second = try Self.sign(approval("alice@corp.example", Self.commit, .reject, "2026-11-25T12:01:00Z"))
        let carried = try Self.sign(approval("bob@example.com", other, .approve, "2026-11-24T12:00:00Z"), with: .ecdsa256)
        var index = RecordIndex(signers: signers, now: utc("2026-11-26T00:00:00Z"))
        index.add(notes: [
            (bytes: Array((first.text + "\n" + second.text).utf8), target: Self.commit),
            (bytes: Array(carried.text.utf8), target: other),
        ])
        let committed: Int64 = 1_795_000_000
        let (signoff, refused) = index.signoff(
            commit: Self.commit, patchID: Self.patchID, tree: Self.tree, policy: Policy(classes: [RiskClass(name: "low")], defaultClass: 0),
            committerTime: { $0 == other ? committed : nil })
        #expect(refused.isEmpty)
        let alice = fixture[.ed25519].publicKey.fingerprint
        #expect(signoff.approvals == [
            Signoff.Approval(
                reviewer: "bob@example.com", rebasedFrom: other, decision: .approve, date: utc("2026-11-24T12:00:00Z"),
                rebasedFromTime: committed, key: fixture[.ecdsa256].publicKey.fingerprint, keyListings: ["bob@example.com"],
                record: carried.id),
            Signoff.Approval(
                reviewer: "alice@example.com", decision: .approve, date: utc("2026-11-25T12:00:00Z"), key: alice,
                keyListings: ["alice@example.com,alice@corp.example", "alice@corp.example"], record: first.id),
            Signoff.Approval(
                reviewer: "alice@corp.example", decision: .reject, date: utc("2026-11-25T12:01:00Z"), key: alice,
                keyListings: ["alice@example.com,alice@corp.example", "alice@corp.example"], record: second.id),
        ])
        // A record's id is the SHA-256 of its bytes, as `sha256sum` gives it for the record alone.
        #expect(first.id == SHA256.hash(data: first.bytes).map { String(format: "%02x", $0) }.joined())
        #expect(first.id.count == 64 && first.id != second.id)
        #expect(signoff.aliases.same("alice@example.com", "alice@corp.example"))
        #expect(!signoff.aliases.same("alice@example.com", "bob@example.com"))
    }

    @Test("records read unverified count only once prepared, and only for what they bind to")
    func unverifiedRecordsArePreparedOnDemand() throws {
        let fixture = try KeyFixture.shared.get()
        let signers = AllowedSigners(text: "bob@example.com \(fixture[.ecdsa256].keyText)\n")
        let other = "fedcba9876543210fedcba9876543210fedcba98"
        let good = try Self.sign(
            .approval(ApprovalRecord(commit: other, patchID: Self.patchID, reviewer: "bob@example.com", decision: .approve,
                                     date: utc("2026-11-24T12:00:00Z"))), with: .ecdsa256)
        // Signed by a key the signers file does not list: refused once it is verified.
        let stranger = try Self.sign(
            .approval(ApprovalRecord(commit: Self.commit, patchID: String(repeating: "0", count: 40), reviewer: "bob@example.com", decision: .approve,
                                     date: utc("2026-11-24T12:00:00Z"))))
        var index = RecordIndex(signers: signers, now: utc("2026-11-26T00:00:00Z"))
        index.add(notes: [(bytes: Array(good.text.utf8), target: other), (bytes: Array(stranger.text.utf8), target: Self.commit)],
                  verify: false)
        let policy = Policy(classes: [RiskClass(name: "low")], defaultClass: 0)
        #expect(index.hasApprovals)
        // Not prepared: nothing counts and nothing is refused yet.
        var (signoff, refused) = index.signoff(commit: Self.commit, patchID: Self.patchID, tree: Self.tree, policy: policy)
        #expect(signoff.approvals.isEmpty && refused.isEmpty)
        // Prepared without the patch-id: the record naming the commit is verified (and refused);
        // the one that would carry over by patch-id is not yet.
        index.prepare(commit: Self.commit, patchID: nil, tree: Self.tree)
        (signoff, refused) = index.signoff(commit: Self.commit, patchID: Self.patchID, tree: Self.tree, policy: policy)
        #expect(signoff.approvals.isEmpty)
        #expect(refused.count == 1 && refused[0].contains("does not count"), "\(refused)")
        index.prepare(commit: Self.commit, patchID: Self.patchID, tree: Self.tree)
        (signoff, _) = index.signoff(commit: Self.commit, patchID: Self.patchID, tree: Self.tree, policy: policy)
        #expect(signoff.approvals.map(\.rebasedFrom) == [other])
    }
}

extension SignedRecordTests {
    static func override(
        signer: String = "oncall@example.com", reason: String = "prod down: INC-4211, hotfix reviewed after the fact",
        commit: String = SignedRecordTests.commit, patchID: String = SignedRecordTests.patchID, date: String = "2026-11-25T12:00:00Z"
    ) -> RecordBody {
        .override(OverrideRecord(commit: commit, patchID: patchID, signer: signer, date: utc(date), reason: reason))
    }

    @Test("an override renders as docs/design.md shows it, parses back, and verifies as its signer; ssh-keygen agrees")
    func overrideRoundTrip() throws {
        let fixture = try KeyFixture.shared.get()
        let body = Self.override()
        let rendered = try body.rendered()
        #expect(
            rendered == """
                agentreview override v1
                commit \(Self.commit)
                patch-id \(Self.patchID)
                signer oncall@example.com
                date 2026-11-25T12:00:00Z
                reason prod down: INC-4211, hotfix reviewed after the fact

                """)
        #expect(body.principal == "oncall@example.com")
        #expect(body.commit == Self.commit)
        #expect(body.date == utc("2026-11-25T12:00:00Z"))

        let record = try Self.sign(body, with: .ecdsa256)
        #expect(record.body == body)
        #expect(record.signedBytes == Array(rendered.utf8))
        #expect(try SignedRecord.parse(record.text) == record)
        #expect(RecordNote.parse(record.text).compactMap(\.signedRecord) == [record])

        let signersText = "oncall@example.com namespaces=\"agentreview\" \(fixture[.ecdsa256].keyText)\n"
        let now = utc("2026-11-25T12:01:00Z")
        #expect((try? record.verify(signers: AllowedSigners(text: signersText), now: now).get())?.principal == "oncall@example.com")
        #expect(
            try SSHKeygen.verifies(
                record.signature.armored, message: record.signedBytes, principal: "oncall@example.com", namespace: "agentreview",
                allowedSigners: signersText, time: body.date, in: try fixture.scratch()))
        // Signed as someone else's principal, it does not verify; changed, the signature breaks.
        let other = AllowedSigners(text: "alice@example.com \(fixture[.ecdsa256].keyText)\n")
        guard case .failure(.signer(.principalNotListed)) = record.verify(signers: other, now: now) else {
            Issue.record("an override must verify as its signer")
            return
        }
        let changed = try SignedRecord.parse(record.text.replacingOccurrences(of: "INC-4211", with: "INC-4212"))
        guard case .failure(.signature) = changed.verify(signers: AllowedSigners(text: signersText), now: now) else {
            Issue.record("a changed reason must break the signature")
            return
        }

        // Subseconds are dropped on rendering, as for the other kinds.
        let precise = RecordBody.override(OverrideRecord(
            commit: Self.commit, patchID: Self.patchID, signer: "oncall@example.com",
            date: utc("2026-11-25T12:00:00Z").addingTimeInterval(0.75), reason: "why"))
        #expect(try precise.rendered().contains("date 2026-11-25T12:00:00Z\n"))
    }

    @Test("rendering an override refuses what parsing would refuse")
    func overrideRenderingRefuses() {
        func error(_ body: RecordBody) -> RecordError.Problem? {
            do {
                _ = try body.rendered()
                return nil
            } catch {
                return error.problem
            }
        }
        #expect(error(Self.override(reason: "two\nlines")) == .lineBreakInValue(field: "reason"))
        #expect(error(Self.override(reason: "")) == .emptyValue(field: "reason"))
        #expect(error(Self.override(reason: " padded")) == .invalidValue(field: "reason", value: " padded", expected: "no leading or trailing spaces"))
        let long = String(repeating: "x", count: OverrideRecord.maxReasonBytes + 1)
        #expect(error(Self.override(reason: long)) == .invalidValue(field: "reason", value: long, expected: "at most 1000 bytes (it has 1001)"))
        #expect(error(Self.override(reason: String(repeating: "x", count: OverrideRecord.maxReasonBytes))) == nil)
        // Bytes, not characters: 334 three-byte characters are 1002 bytes.
        #expect(error(Self.override(reason: String(repeating: "€", count: 334))) != nil)
        #expect(error(Self.override(signer: "on call")) == .invalidValue(field: "signer", value: "on call", expected: "a principal without spaces, commas or quotes"))
        #expect(error(Self.override(patchID: "abc")) == .invalidObjectID(field: "patch-id", value: "abc"))

        #expect(OverrideRecord.problem(ofReason: "prod down") == nil)
        #expect(OverrideRecord.problem(ofReason: "  ") == "the reason is empty")
        #expect(OverrideRecord.problem(ofReason: "a\nb") == "the reason has a line break: it is one line")
        #expect(OverrideRecord.problem(ofReason: long) == "the reason is 1001 bytes, over the limit of 1000")
        #expect(OverrideRecord.problem(ofReason: "a ") == "the reason has leading or trailing spaces")
        #expect(OverrideRecord.problem(ofReason: "a\tb") == "the reason contains a control character")
    }

    @Test("each kind of malformed override is refused with its line and reason")
    func malformedOverrides() throws {
        let good = try Self.sign(Self.override()).text
        func edit(_ from: String, _ to: String) -> String {
            precondition(good.contains(from), from)
            return good.replacingOccurrences(of: from, with: to)
        }
        let reasonLine = "reason prod down: INC-4211, hotfix reviewed after the fact\n"
        let signerLine = "signer oncall@example.com\n"
        let long = String(repeating: "y", count: 1001)
        let cases: [(String, String, Int, RecordError.Problem)] = [
            ("missing reason", edit(reasonLine, ""), 5, .missingField("reason")),
            ("empty reason", edit(reasonLine, "reason \n"), 6, .emptyValue(field: "reason")),
            ("bare reason", edit(reasonLine, "reason\n"), 6, .emptyValue(field: "reason")),
            ("reason with a leading space", edit(reasonLine, "reason  prod down\n"), 6, .invalidValue(field: "reason", value: " prod down", expected: "no leading or trailing spaces")),
            ("reason with a trailing space", edit(reasonLine, "reason prod down \n"), 6, .invalidValue(field: "reason", value: "prod down ", expected: "no leading or trailing spaces")),
            ("reason over 1000 bytes", edit(reasonLine, "reason \(long)\n"), 6, .invalidValue(field: "reason", value: long, expected: "at most 1000 bytes (it has 1001)")),
            ("reason with a control character", edit(reasonLine, "reason prod\u{1B}down\n"), 6, .controlCharacter),
            ("reason with a CR", edit(reasonLine, "reason prod down\r\n"), 6, .carriageReturn),
            ("unknown field", edit(reasonLine, reasonLine + "ticket INC-4211\n"), 7, .unknownField("ticket")),
            ("a comment is not an override field", edit(reasonLine, "comment hi\n"), 6, .unknownField("comment")),
            ("duplicate reason", edit(reasonLine, reasonLine + "reason again\n"), 7, .duplicateField("reason", firstLine: 6)),
            ("out of order", edit(signerLine + "date 2026-11-25T12:00:00Z\n", "date 2026-11-25T12:00:00Z\n" + signerLine), 5, .fieldOutOfOrder("signer", mustPrecede: "date")),
            ("reason before date", edit("date 2026-11-25T12:00:00Z\n" + reasonLine, reasonLine + "date 2026-11-25T12:00:00Z\n"), 6, .fieldOutOfOrder("date", mustPrecede: "reason")),
            ("missing patch-id", edit("patch-id \(Self.patchID)\n", ""), 5, .missingField("patch-id")),
            ("missing signer", edit(signerLine, ""), 5, .missingField("signer")),
            ("signer with a comma", edit(signerLine, "signer a@example.com,b@example.com\n"), 4, .invalidValue(field: "signer", value: "a@example.com,b@example.com", expected: "a principal without spaces, commas or quotes")),
            ("bad date", edit("T12:00:00Z", "T12:00Z"), 5, .invalidDate("2026-11-25T12:00Z")),
            ("uppercase commit", edit("commit \(Self.commit)", "commit \(Self.commit.uppercased())"), 2, .invalidObjectID(field: "commit", value: Self.commit.uppercased())),
            ("newer version", edit("override v1", "override v2"), 1, .newerVersion(kind: "override", version: "v2")),
            ("version 0", edit("override v1", "override v0"), 1, .unsupportedVersion(kind: "override", version: "v0")),
            ("approval fields", edit(signerLine, "reviewer oncall@example.com\n"), 4, .unknownField("reviewer")),
        ]
        for (name, text, line, problem) in cases {
            let error = Self.parseError(text)
            #expect(error?.problem == problem, "\(name): \(error?.description ?? "accepted")")
            #expect(error?.line == line, "\(name): \(error?.description ?? "accepted")")
        }
        #expect(
            Self.parseError(edit(reasonLine, "reason \(long)\n"))?.description.hasSuffix("is not valid: expected at most 1000 bytes (it has 1001)") == true)
        #expect(
            Self.parseError(edit("override v1", "overrule v1"))?.description
                == "line 1: unknown record kind \"agentreview overrule\"; expected approval, attestation or override")
        #expect(
            Self.parseError(edit("agentreview override v1", "hello"))?.description
                == "line 1: \"hello\" is not a record header; expected \"agentreview approval v1\", \"agentreview attestation v1\" or \"agentreview override v1\"")
    }

    @Test("the index hands the evaluator every override of the commit or of one with its patch-id, by date, with its key")
    func indexCarriesOverrides() throws {
        let fixture = try KeyFixture.shared.get()
        let signers = AllowedSigners(text: """
            oncall@example.com,ops@example.com \(fixture[.ed25519].keyText)
            lead@example.com \(fixture[.ecdsa256].keyText)

            """)
        let rebased = "fedcba9876543210fedcba9876543210fedcba98"
        let unrelated = "1111111111111111111111111111111111111111"
        let otherPatch = "2222222222222222222222222222222222222222"
        let own = try Self.sign(Self.override(reason: "on this one", date: "2026-11-25T12:00:00Z"))
        let carried = try Self.sign(Self.override(signer: "lead@example.com", reason: "before the rebase", commit: rebased, date: "2026-11-25T11:00:00Z"), with: .ecdsa256)
        let elsewhere = try Self.sign(Self.override(reason: "another change", commit: unrelated, patchID: otherPatch))
        // A stranger's key: refused, with its reason, on the commit it names.
        let stranger = try Self.sign(Self.override(signer: "lead@example.com", reason: "not me"), with: .ecdsa384)
        let approval = try Self.sign(Self.approval())
        let notes: [(bytes: [UInt8], target: String)] = [
            (Array(RecordNote.render([own, stranger, approval]).utf8), Self.commit),
            (Array(carried.text.utf8), rebased),
            (Array(elsewhere.text.utf8), unrelated),
        ]
        let policy = Policy(classes: [RiskClass(name: "low")], defaultClass: 0)
        let committed: Int64 = 1_795_000_000

        for verify in [true, false] {
            var index = RecordIndex(signers: signers, now: utc("2026-11-26T00:00:00Z"))
            index.add(notes: notes, verify: verify)
            #expect(index.hasApprovals)
            if !verify {
                index.prepare(commit: Self.commit, patchID: Self.patchID, tree: Self.tree)
                index.prepare(commit: unrelated, patchID: otherPatch, tree: Self.tree)
            }
            let (signoff, refused) = index.signoff(
                commit: Self.commit, patchID: Self.patchID, tree: Self.tree, policy: policy,
                committerTime: { $0 == rebased ? committed : nil })
            #expect(signoff.overrides == [
                Signoff.Override(
                    signer: "lead@example.com", reason: "before the rebase", date: utc("2026-11-25T11:00:00Z"), rebasedFrom: rebased,
                    rebasedFromTime: committed, key: fixture[.ecdsa256].publicKey.fingerprint, keyListings: ["lead@example.com"],
                    record: carried.id),
                Signoff.Override(
                    signer: "oncall@example.com", reason: "on this one", date: utc("2026-11-25T12:00:00Z"),
                    key: fixture[.ed25519].publicKey.fingerprint, keyListings: ["oncall@example.com,ops@example.com"], record: own.id),
            ], "verify: \(verify)")
            // alice is not listed: her approval is refused beside the stranger's override.
            #expect(signoff.approvals.isEmpty)
            #expect(refused.count == 2, "\(refused)")
            #expect(refused.contains { $0.hasPrefix("approval by alice@example.com does not count: ") }, "\(refused)")
            #expect(refused.contains { $0.hasPrefix("override by lead@example.com does not count: ") }, "\(refused)")

            // Without the patch-id only the commit's own override is found.
            let bare = index.signoff(commit: Self.commit, patchID: nil, tree: Self.tree, policy: policy).signoff
            #expect(bare.overrides.map(\.reason) == ["on this one"])
            // A commit with a different patch-id gets neither.
            let different = index.signoff(commit: unrelated, patchID: otherPatch, tree: Self.tree, policy: policy).signoff
            #expect(different.overrides.map(\.reason) == ["another change"])
            #expect(different.overrides.first?.rebasedFrom == nil)
            let unknown = index.signoff(commit: String(repeating: "3", count: 40), patchID: String(repeating: "4", count: 40), tree: Self.tree, policy: policy)
            #expect(unknown.signoff.overrides.isEmpty)
        }

        // Overrides alone make a patch-id worth computing.
        var onlyOverrides = RecordIndex(signers: signers, now: utc("2026-11-26T00:00:00Z"))
        #expect(!onlyOverrides.hasApprovals)
        onlyOverrides.add(notes: [(Array(carried.text.utf8), rebased)])
        #expect(onlyOverrides.hasApprovals)
        var pending = RecordIndex(signers: signers, now: utc("2026-11-26T00:00:00Z"))
        pending.add(notes: [(Array(carried.text.utf8), rebased)], verify: false)
        #expect(pending.hasApprovals)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
