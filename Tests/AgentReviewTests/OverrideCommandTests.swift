import AgentReviewCore
import AgentReviewGit
import AgentReviewSupport
import AgentReviewTestSupport
import Foundation
import Testing

@testable import AgentReviewCLI

/// `agentreview override`, end to end: real keys, a clone with the client hook and a bare
/// server with the server hook. The break-glass record is written only for a signer the
/// policy lists in `overrides.signers` who is not the commit's own people (unless
/// `--force`), verifies and parses back, is taken by the server, and carries over a rebase
/// that leaves the patch unchanged, never to other content.
@Suite struct OverrideCommandTests {
    let sandbox: Sandbox
    let server: URL
    let clone: URL
    let keys: URL
    let signers: String

    static let policy = """
        version: 1
        classes:
          - name: low
          - name: medium
            approvals: 1
          - name: high
            approvals: 2
        default_class: medium
        paths:
          - { pattern: "docs/", class: low }
          - { pattern: "infra/", class: high }
        refs:
          - { pattern: "refs/heads/main", mode: enforce }
        default_mode: warn
        teams: { sre: [sam@example.com] }
        overrides: { signers: [oncall@example.com, "@sre"], max_age: 24h }

        """

    static let reason = "prod down: INC-4211, hotfix reviewed after the fact"

    init() throws {
        try self.init(policy: Self.policy)
    }

    init(policy: String) throws {
        sandbox = try Sandbox()
        keys = sandbox.root.appendingPathComponent("keys")
        var signers = ""
        for person in ["alice", "bob", "oncall", "sam", "mallory"] {
            let publicKey = try sandbox.sshKey(person, in: keys).publicKey
            if person == "mallory" { continue }  // not listed at all
            signers += "\(person)@example.com namespaces=\"agentreview\" \(publicKey)\n"
        }
        self.signers = signers
        (server, clone) = try sandbox.server(with: [
            ".agentreview/policy.yml": policy, ".agentreview/allowed_signers": signers, "README.md": "# project\n",
        ])
        try #require(try sandbox.agentreview(["install"], in: clone).status == 0)
    }

    func key(_ person: String) -> String { keys.appendingPathComponent(person).path }

    /// `override REVS… --reason REASON` with `person`'s key, as `person@example.com`, whatever the exit status.
    func override(_ revisions: [String], by person: String, reason: String = Self.reason, _ extra: [String] = []) throws -> Sandbox.Output {
        try sandbox.agentreview(
            ["override"] + revisions + ["--reason", reason, "--key", key(person), "--as", "\(person)@example.com"] + extra, in: clone)
    }

    func agentCommit(_ path: String, author: String? = nil, trailers: String = "Agent: codex/1") throws -> String {
        try sandbox.write(path, "\(path) \(UUID().uuidString)\n", in: clone)
        return try sandbox.commit("Change \(path)\n\n\(trailers)", in: clone, author: author)
    }

    /// The note on `commit` in `repository`'s refs/notes/agentreview; nil when there is none.
    func note(_ commit: String, in repository: URL? = nil) throws -> String? {
        let output = try Sandbox.run(
            "/usr/bin/git", ["notes", "--ref=refs/notes/agentreview", "show", commit], in: repository ?? clone)
        return output.status == 0 ? output.stdout : nil
    }

    func notesRefExists(in repository: URL? = nil) throws -> Bool {
        try Sandbox.run("/usr/bin/git", ["rev-parse", "-q", "--verify", "refs/notes/agentreview"], in: repository ?? clone).status == 0
    }

    /// The signed records of the note on `commit`.
    func records(on commit: String) throws -> [SignedRecord] {
        RecordNote.parse(try #require(try note(commit))).compactMap(\.signedRecord)
    }

    // MARK: writing

    @Test func anOverrideIsWrittenBoundToTheCommitAndVerifies() throws {
        let id = try agentCommit("src/app.swift")
        let before = Date().addingTimeInterval(-1)
        let written = try override(["HEAD"], by: "oncall")
        #expect(written.status == 0, "\(written.stderr)")
        let record = try #require(try records(on: id).first)
        let fingerprint = record.signature.publicKey.fingerprint
        #expect(written.stdout.contains(
            "overridden \(id.prefix(12)) Change src/app.swift — as oncall@example.com, key \(fingerprint): \"\(Self.reason)\""), "\(written.stdout)")
        #expect(written.stdout.contains("share it: agentreview sync (or git push origin refs/notes/agentreview)"))
        #expect(written.stderr.contains("break-glass: this override is recorded, signed as oncall@example.com, and shown in every report"), "\(written.stderr)")

        guard case .override(let body) = record.body else {
            Issue.record("expected an override record, got \(record.body)")
            return
        }
        #expect(body.commit == id)
        #expect(body.signer == "oncall@example.com")
        #expect(body.reason == Self.reason)
        #expect(body.date >= before.addingTimeInterval(-1) && body.date <= Date())
        let repository = try Repository(path: clone.path)
        #expect(body.patchID == (try Judge.patchID(of: try #require(ObjectID(hex: id)), in: repository)))
        #expect(try note(id)?.hasPrefix("agentreview override v1\ncommit \(id)\npatch-id \(body.patchID)\nsigner oncall@example.com\n") == true)
        // Parses back byte for byte and verifies against the trusted signers.
        #expect(try SignedRecord.parse(record.text) == record)
        #expect((try? record.verify(signers: AllowedSigners(text: signers), now: Date()).get())?.principal == "oncall@example.com")

        // The server takes it: the check of a new record is the same for every kind.
        let synced = try sandbox.agentreview(["sync"], in: clone)
        #expect(synced.status == 0, "\(synced.stdout)\(synced.stderr)")
        #expect(try note(id, in: server)?.contains("reason \(Self.reason)") == true)
    }

    @Test func aTeamNamedInOverrideSignersMayOverride() throws {
        let id = try agentCommit("src/app.swift")
        let written = try override(["HEAD"], by: "sam", reason: "  INC-7 padded  ")
        #expect(written.status == 0, "\(written.stderr)")
        // Leading and trailing spaces are dropped from the reason, as the record requires.
        #expect(try note(id)?.contains("\nreason INC-7 padded\n") == true)
    }

    @Test func oneRecordPerCommitAndNothingWrittenUnlessAllWouldCount() throws {
        let first = try agentCommit("src/a.swift")
        let second = try agentCommit("src/b.swift", author: "Oncall <oncall@example.com>")
        let refused = try override([first, second], by: "oncall")
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("\(second.prefix(12)): override by oncall@example.com would not count: they authored, committed or operated this commit"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("\(first.prefix(12)): override"), "\(refused.stderr)")
        #expect(!(try notesRefExists()))

        let both = try override([first, second], by: "sam")
        #expect(both.status == 0, "\(both.stderr)")
        #expect(both.stdout.contains("overridden \(first.prefix(12))") && both.stdout.contains("overridden \(second.prefix(12))"))
        #expect(both.stderr.contains("these 2 overrides are recorded"), "\(both.stderr)")
        #expect(try records(on: first).count == 1)
        #expect(try records(on: second).count == 1)
    }

    // MARK: refusals

    @Test func aSignerNotListedInOverrideSignersIsRefused() throws {
        let id = try agentCommit("src/app.swift")
        let refused = try override(["HEAD"], by: "bob")
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("override by bob@example.com would not count: bob@example.com is not among the policy's overrides.signers"), "\(refused.stderr)")
        #expect(refused.stderr.contains("who may override it: one of oncall@example.com, @sre (overrides.signers in "), "\(refused.stderr)")
        #expect(refused.stderr.contains("nothing was written: --force writes it anyway"))
        #expect(refused.stdout.isEmpty)
        #expect(!(try notesRefExists()))

        // --force writes it anyway, and says so.
        let forced = try override(["HEAD"], by: "bob", ["--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stderr.contains("written anyway (--force): override by bob@example.com would not count"), "\(forced.stderr)")
        #expect(forced.stdout.contains("overridden \(id.prefix(12))"))
        let record = try #require(try records(on: id).first)
        #expect(record.body.principal == "bob@example.com")
    }

    @Test("the commit's own people may not override it", arguments: ["author", "co-author", "operator"])
    func theCommitsOwnPeopleAreRefused(role: String) throws {
        switch role {
        case "author": try agentCommit("src/app.swift", author: "Oncall <oncall@example.com>")
        case "co-author": try agentCommit("src/app.swift", trailers: "Agent: codex/1\nCo-authored-by: Oncall <oncall@example.com>")
        default: try agentCommit("src/app.swift", trailers: "Agent: codex/1\nAgent-Operator: Oncall <oncall@example.com>")
        }
        let refused = try override(["HEAD"], by: "oncall")
        #expect(refused.status == 1, "\(role): \(refused.stderr)")
        #expect(refused.stderr.contains("override by oncall@example.com would not count: they authored, committed or operated this commit; nobody overrides their own commit"), "\(refused.stderr)")
        #expect(!(try notesRefExists()))
    }

    @Test func anUnlistedKeyIsRefused() throws {
        try agentCommit("src/app.swift")
        // mallory's key signing as oncall: the trusted signers list another key for oncall.
        let refused = try sandbox.agentreview(
            ["override", "HEAD", "--reason", Self.reason, "--key", key("mallory"), "--as", "oncall@example.com"], in: clone)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("override by oncall@example.com would not count, and the server would refuse it"), "\(refused.stderr)")
        #expect(!(try notesRefExists()))
    }

    @Test("a reason that cannot be signed is a usage error (exit 2), before anything is read", arguments: [
        ("", "--reason is empty"),
        ("   ", "--reason is empty"),
        ("two\nlines", "--reason has a line break"),
        (String(repeating: "x", count: 1001), "--reason is 1001 bytes, over the limit of 1000"),
        ("tab\there", "--reason cannot be signed: the reason contains a control character"),
    ])
    func badReasons(reason: String, message: String) throws {
        try agentCommit("src/app.swift")
        let refused = try override(["HEAD"], by: "oncall", reason: reason)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains(message), "\(refused.stderr)")
        #expect(!(try notesRefExists()))
    }

    @Test func theReasonIsRequired() throws {
        try agentCommit("src/app.swift")
        let missing = try sandbox.agentreview(["override", "HEAD", "--key", key("oncall")], in: clone)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--reason"), "\(missing.stderr)")
        let noCommit = try sandbox.agentreview(["override", "--reason", "x"], in: clone)
        #expect(noCommit.status == 2)
        #expect(!(try notesRefExists()))
        // 1000 bytes is the limit, not over it.
        let longest = try override(["HEAD"], by: "oncall", reason: String(repeating: "y", count: 1000))
        #expect(longest.status == 0, "\(longest.stderr)")
    }

    @Test func aPolicyNamingNoOverrideSignersRefusesEveryone() throws {
        let bare = try OverrideCommandTests(policy: Self.policy.replacingOccurrences(
            of: "overrides: { signers: [oncall@example.com, \"@sre\"], max_age: 24h }\n", with: ""))
        try bare.agentCommit("src/app.swift")
        let refused = try bare.override(["HEAD"], by: "oncall")
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("override by oncall@example.com would not count: the policy names nobody who may override (`overrides: {signers: [...]}` in "), "\(refused.stderr)")
        #expect(!refused.stderr.contains("who may override it"))
        #expect(!(try bare.notesRefExists()))
    }

    // MARK: rebases

    @Test func theOverrideCarriesOverAPureRebaseAndNothingElse() throws {
        let original = try agentCommit("src/app.swift")
        #expect(try override([original], by: "oncall").status == 0)
        // The same change picked onto other work: same patch-id, another commit.
        try sandbox.git("checkout", "-q", "-b", "copy", "origin/main", in: clone)
        try sandbox.write("docs/other.md", in: clone)
        try sandbox.commit("Docs", in: clone)
        try sandbox.git("cherry-pick", original, in: clone)
        let copy = try sandbox.git("rev-parse", "HEAD", in: clone)
        // The change made again with other content: another patch-id.
        try sandbox.write("src/app.swift", "other content\n", in: clone)
        let changed = try sandbox.commit("Change src/app.swift\n\nAgent: codex/1", in: clone)

        let repository = try Repository(path: clone.path)
        var index = RecordIndex(signers: AllowedSigners(text: signers), now: Date())
        let tip = try #require(try repository.referenceTarget(SignoffRecords.notesRef))
        var notes = [(bytes: [UInt8], target: String)]()
        for entry in try repository.notes(atNotesCommit: tip) {
            notes.append((try repository.blob(entry.blob), entry.target.hex))
        }
        index.add(notes: notes)
        #expect(index.hasApprovals)
        let policy = Policy(classes: [RiskClass(name: "low")], defaultClass: 0)
        func overrides(_ id: String) throws -> [Signoff.Override] {
            let object = try #require(ObjectID(hex: id))
            let tree = try repository.commit(object).tree.hex
            return index.signoff(
                commit: id, patchID: try Judge.patchID(of: object, in: repository), tree: tree, policy: policy,
                committerTime: { _ in 42 }
            ).signoff.overrides
        }
        let own = try overrides(original)
        #expect(own.map(\.signer) == ["oncall@example.com"])
        #expect(own.first?.rebasedFrom == nil)
        let carried = try overrides(copy)
        #expect(carried.map(\.signer) == ["oncall@example.com"])
        #expect(carried.first?.rebasedFrom == original)
        #expect(carried.first?.rebasedFromTime == 42)
        #expect(carried.first?.reason == Self.reason)
        #expect(try overrides(changed).isEmpty)
    }
}
