import Foundation
import AgentReviewCore
import Testing

/// The governance rules of `Evaluator.judge` on plain values (no git): the declared class,
/// break-glass overrides, task contracts, sessions and operators, and how verdicts add up.
enum GovernanceEvaluationFixtures {
    /// Classes low (0), medium (1, one approval), high (2, two approvals); governance keys
    /// written at known lines: contracts 14, declared_class 17, overrides 19.
    static let policy = try! PolicyLoader.load(yaml: """
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
        teams: { sre: [sam@example.com, sue@example.com] }
        users: { olga: olga@example.com }
        contracts:
          required: none
          on_violation: block
        declared_class:
          under: warn
        overrides:
          signers: [oncall@example.com, "@sre", "@olga"]
          max_age: 2h
        """, file: "policy.yml")

    static let id = "0123456789abcdef0123456789abcdef01234567"
    static let shortID = "0123456789ab"
    static let rebasedID = "fedcba9876543210fedcba9876543210fedcba98"
    static let directory = "refs/heads/main@1a2b3c4d5e6f:.agentreview/contracts/"
    static let docsOnlySource = directory + "docs-only.yml"

    static func date(_ text: String) -> Date {
        guard let date = ISO8601DateFormatter().date(from: text) else { preconditionFailure("bad test date \(text)") }
        return date
    }

    static func seconds(_ text: String) -> Int64 { Int64(date(text).timeIntervalSince1970) }

    /// The judgement's time: an hour after the commit.
    static let now = "2026-11-25T13:00:00Z"
    static let committed = "2026-11-25T12:00:00Z"

    /// The agent trailers of every agent commit here: operated by Olly, co-authored by Cora.
    static let agentTrailers = [
        Trailer(key: "Agent", value: "bot/1"),
        Trailer(key: "Agent-Operator", value: "Olly Operator <olly@example.com>"),
        Trailer(key: "Co-authored-by", value: "Cora <cora@example.com>"),
    ]

    /// A commit by Ann, committed by Carl at noon; an agent's (with `agentTrailers`) unless `agent` is false.
    static func commit(
        _ paths: [String] = ["src/a.swift"], _ extra: [Trailer] = [], agent: Bool = true, committed: String? = committed
    ) -> CommitFacts {
        CommitFacts(
            id: id,
            author: Identity(name: "Ann Author", email: "ann@example.com"),
            committer: Identity(name: "Carl Committer", email: "carl@example.com"),
            committerTime: committed.map(seconds),
            subject: "Change",
            trailers: (agent ? agentTrailers : []) + extra,
            changes: paths.map { PathChange(.modified, $0) })
    }

    static let docsOnlyYAML = """
        version: 1
        goal: Keep the docs in step
        owner: docs-lead@example.com
        class: low
        paths:
          allow: [docs/]

        """

    /// docs-only (ceiling low, docs/ only) and broken (an unknown class).
    static let book = ContractBook(files: [
        ContractBook.File(path: ".agentreview/contracts/docs-only.yml", source: docsOnlySource, bytes: Array(docsOnlyYAML.utf8)),
        ContractBook.File(
            path: ".agentreview/contracts/broken.yml", source: directory + "broken.yml",
            bytes: Array("version: 1\ngoal: g\nowner: o\nclass: hgih\n".utf8)),
    ], directory: directory, policy: policy)

    static func evaluator(_ policy: Policy = policy, now: String = now, contracts: ContractBook = book) -> Evaluator {
        Evaluator(policy: policy, contracts: contracts, now: date(now))
    }

    static func override(
        _ signer: String = "oncall@example.com", reason: String = "prod down: INC-4211", at date: String = "2026-11-25T12:30:00Z",
        key: String? = nil, listings: [String] = [], rebasedFrom: String? = nil, rebasedFromTime: String? = nil
    ) -> Signoff.Override {
        Signoff.Override(
            signer: signer, reason: reason, date: Self.date(date), rebasedFrom: rebasedFrom,
            rebasedFromTime: rebasedFromTime.map(seconds), key: key, keyListings: listings)
    }

    /// What a medium commit misses with no approval.
    static let approvalMissing = Missing(
        requirement: "approvals", detail: "1 approval (class medium), has 0: 1 more", command: "agentreview approve \(shortID)",
        by: "a reviewer listed in .agentreview/allowed_signers other than ann@example.com or carl@example.com, who wrote it")

    static let overrideBy = "an override signer: oncall@example.com, @sre, @olga"
    static let breakGlass = "break the glass: agentreview override \(shortID) --reason TEXT"

    static let rex = Signoff.Approval(reviewer: "rex@example.com")
    static let sam = Signoff.Approval(reviewer: "sam@example.com")
}

private typealias F = GovernanceEvaluationFixtures

// MARK: - 1. The declared class

@Suite struct GovernanceEvaluationDeclaredClassTests {
    @Test func thePolicyFixtureIsWhereTheMessagesSayItIs() {
        #expect(F.policy.contracts.location?.description == "policy.yml:14")
        #expect(F.policy.declaredClass.location?.description == "policy.yml:17")
        #expect(F.policy.overrides.location?.description == "policy.yml:19")
        #expect(F.policy.overrides.maxAge == 2 * 3600)
        #expect(F.book.problems.map(\.location.file) == [F.directory + "broken.yml"])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var trailers: [Trailer]
        var declared: DeclaredClassReport?
        var testDescription: String { name }
    }

    static func ec(_ value: String, key: String = "Execution-Class") -> Trailer { Trailer(key: key, value: value) }

    /// On a medium commit (src/a.swift).
    static let cases: [Case] = [
        Case(name: "none declared", trailers: [], declared: nil),
        Case(name: "under", trailers: [ec("low")], declared: DeclaredClassReport(class: "low", computed: "medium", status: .under)),
        Case(name: "match", trailers: [ec("medium")], declared: DeclaredClassReport(class: "medium", computed: "medium", status: .match)),
        Case(name: "over", trailers: [ec("high")], declared: DeclaredClassReport(class: "high", computed: "medium", status: .over)),
        Case(
            name: "an unknown class", trailers: [ec("critical")],
            declared: DeclaredClassReport(
                class: "critical", computed: "medium", status: .under,
                note: "Execution-Class 'critical' names no class of the policy (low, medium, high)")),
        Case(
            name: "a class name in other case is no class of the policy", trailers: [ec("Medium")],
            declared: DeclaredClassReport(
                class: "Medium", computed: "medium", status: .under,
                note: "Execution-Class 'Medium' names no class of the policy (low, medium, high)")),
        Case(
            name: "two different values conflict, even when one matches", trailers: [ec("medium"), ec("high")],
            declared: DeclaredClassReport(
                class: "medium, high", computed: "medium", status: .under, note: "Execution-Class is declared 2 different ways")),
        Case(
            name: "the same value twice is no conflict", trailers: [ec("medium"), ec("medium")],
            declared: DeclaredClassReport(class: "medium", computed: "medium", status: .match)),
        Case(
            name: "the same value with spaces around it is no conflict", trailers: [ec("medium"), ec("  medium ")],
            declared: DeclaredClassReport(class: "medium", computed: "medium", status: .match)),
        Case(
            name: "the trailer key in lower case", trailers: [ec("medium", key: "execution-class")],
            declared: DeclaredClassReport(class: "medium", computed: "medium", status: .match)),
        Case(
            name: "the trailer key in upper case", trailers: [ec("low", key: "EXECUTION-CLASS")],
            declared: DeclaredClassReport(class: "low", computed: "medium", status: .under)),
    ]

    @Test("declared against computed", arguments: cases)
    func declared(c: Case) {
        // Approved, so only the declaration can change the verdict (under: warn, the default).
        let report = F.evaluator().judge(F.commit(["src/a.swift"], c.trailers), signoff: Signoff(approvals: [F.rex]), mode: .enforce)
        #expect(report.declared == c.declared)
        #expect(report.class == "medium")
        #expect(report.missing == [])
        #expect(report.verdict == (c.declared?.status == .under ? .warn : .pass))
        if let declared = c.declared {
            #expect(report.reasons.contains(declared.description))
        } else {
            #expect(!report.reasons.contains { $0.contains("declared") })
        }
    }

    @Test func descriptions() {
        #expect(DeclaredClassReport(class: "low", computed: "medium", status: .under).description
            == "under-declared: Execution-Class low, but the computed class is medium")
        #expect(DeclaredClassReport(class: "medium", computed: "medium", status: .match).description == "declared class medium matches")
        #expect(DeclaredClassReport(class: "high", computed: "medium", status: .over).description
            == "declared class high, above the computed medium: recorded")
        #expect(DeclaredClassReport(class: "x, y", computed: "medium", status: .under, note: "Execution-Class is declared 2 different ways").description
            == "under-declared: Execution-Class is declared 2 different ways; computed class medium")
    }

    @Test func declaringAboveTheComputedClassNeverRaisesIt() {
        let report = F.evaluator().judge(F.commit(["src/a.swift"], [Self.ec("high")]), mode: .enforce)
        #expect(report.class == "medium")
        #expect(report.declared?.status == .over)
        #expect(report.missing == [F.approvalMissing])
        #expect(report.verdict == .blocked)
        let approved = F.evaluator().judge(F.commit(["src/a.swift"], [Self.ec("high")]), signoff: Signoff(approvals: [F.rex]), mode: .enforce)
        #expect(approved.verdict == .pass)
        #expect(approved.reasons.contains("sign-off for class medium complete"))
    }

    struct UnderCase: Sendable, CustomTestStringConvertible {
        var under: DeclaredClassSettings.Under
        var mode: EnforcementMode
        var verdict: Verdict
        var blocksRequirement: Bool
        var testDescription: String { "under: \(under.rawValue), mode \(mode.rawValue)" }
    }

    static let underCases: [UnderCase] = [
        UnderCase(under: .block, mode: .enforce, verdict: .blocked, blocksRequirement: true),
        UnderCase(under: .block, mode: .warn, verdict: .warn, blocksRequirement: true),
        UnderCase(under: .warn, mode: .enforce, verdict: .warn, blocksRequirement: false),
        UnderCase(under: .warn, mode: .warn, verdict: .warn, blocksRequirement: false),
        UnderCase(under: .ignore, mode: .enforce, verdict: .pass, blocksRequirement: false),
        UnderCase(under: .ignore, mode: .warn, verdict: .pass, blocksRequirement: false),
    ]

    @Test("what an under-declared class does", arguments: underCases)
    func underDeclared(c: UnderCase) {
        var policy = F.policy
        policy.declaredClass.under = c.under
        let report = F.evaluator(policy).judge(
            F.commit(["src/a.swift"], [Self.ec("low")]), signoff: Signoff(approvals: [F.rex]), mode: c.mode)
        #expect(report.verdict == c.verdict)
        #expect(report.declared == DeclaredClassReport(class: "low", computed: "medium", status: .under))
        #expect(report.class == "medium")
        let expected = Missing(
            requirement: "declared_class",
            detail: "under-declared: Execution-Class low, but the computed class is medium (declared_class.under: block at policy.yml:17)",
            command: "declare the class the commit has: git commit --amend --trailer 'Execution-Class: medium', or \(F.breakGlass)",
            by: F.overrideBy)
        #expect(report.missing == (c.blocksRequirement ? [expected] : []))
        var ref = RefJudgement(ref: "refs/heads/main", mode: c.mode, policy: "p")
        ref.add(report)
        #expect(ref.refuses == (c.verdict == .blocked))
    }

    @Test func anUnderDeclaredWarningDoesNotHideWhatIsMissing() {
        let report = F.evaluator().judge(F.commit(["src/a.swift"], [Self.ec("low")]), mode: .enforce)
        #expect(report.verdict == .blocked)
        #expect(report.missing == [F.approvalMissing])
    }

    @Test func underDeclaredBlockWithNoOverrideSigners() {
        var policy = F.policy
        policy.declaredClass.under = .block
        policy.overrides.signers = []
        let report = F.evaluator(policy).judge(F.commit(["docs/a.md"], [Self.ec("bogus")]), mode: .enforce)
        #expect(report.verdict == .blocked)
        #expect(report.missing.map(\.requirement) == ["declared_class"])
        #expect(report.missing.first?.detail
            == "under-declared: Execution-Class 'bogus' names no class of the policy (low, medium, high); computed class low (declared_class.under: block at policy.yml:17)")
        #expect(report.missing.first?.command
            == "declare the class the commit has: git commit --amend --trailer 'Execution-Class: low', or \(F.breakGlass)")
        #expect(report.missing.first?.by == "nobody can override: the policy lists no overrides.signers")
    }
}

// MARK: - 2. Overrides

@Suite struct GovernanceEvaluationOverrideTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var override: Signoff.Override
        /// The policy's overrides.signers, when not the fixture's.
        var signers: [String]? = nil
        var now: String = F.now
        var committed: String? = F.committed
        /// The refusal, in full; nil when the override counts.
        var refused: String?
        var testDescription: String { name }
    }

    static let own = ["oncall@example.com", "ann@example.com", "carl@example.com", "cora@example.com", "olly@example.com"]

    static let cases: [Case] = [
        Case(name: "a listed signer", override: F.override(), refused: nil),
        Case(name: "a listed signer in other case", override: F.override("OnCall@Example.COM"), refused: nil),
        Case(name: "a member of an @team", override: F.override("sue@example.com"), refused: nil),
        Case(name: "an @org/team by its last part", override: F.override("sam@example.com"), signers: ["@acme/sre"], refused: nil),
        Case(name: "an @user", override: F.override("olga@example.com"), refused: nil),
        Case(
            name: "not among overrides.signers", override: F.override("rex@example.com"),
            refused: "override by rex@example.com does not count: rex@example.com is not among the policy's overrides.signers"),
        Case(
            name: "a team's name is not its member", override: F.override("sre@example.com"),
            refused: "override by sre@example.com does not count: sre@example.com is not among the policy's overrides.signers"),
        Case(
            name: "no signers in the policy", override: F.override(), signers: [],
            refused: "override by oncall@example.com does not count: the policy lists no overrides.signers"),
        Case(
            name: "the author", override: F.override("ann@example.com"), signers: own,
            refused: "override by ann@example.com does not count: they authored, committed or operated this commit"),
        Case(
            name: "the committer", override: F.override("carl@example.com"), signers: own,
            refused: "override by carl@example.com does not count: they authored, committed or operated this commit"),
        Case(
            name: "a co-author", override: F.override("cora@example.com"), signers: own,
            refused: "override by cora@example.com does not count: they authored, committed or operated this commit"),
        Case(
            name: "the operator", override: F.override("olly@example.com"), signers: own,
            refused: "override by olly@example.com does not count: they authored, committed or operated this commit"),
        Case(
            name: "the author, in other case", override: F.override("Ann@Example.com"), signers: own,
            refused: "override by Ann@Example.com does not count: they authored, committed or operated this commit"),
        Case(
            name: "a key also listed for the author", override: F.override(key: "SHA256:K1", listings: ["oncall@example.com,ann@example.com"]),
            refused: "override by oncall@example.com does not count: its key SHA256:K1 is also listed for ann@example.com, who authored, committed, co-authored or operated this commit"),
        Case(
            name: "a key also listed for the operator, on another line",
            override: F.override(key: "SHA256:K1", listings: ["oncall@example.com", "olly@example.com"]),
            refused: "override by oncall@example.com does not count: its key SHA256:K1 is also listed for olly@example.com, who authored, committed, co-authored or operated this commit"),
        Case(
            name: "a wildcard key that could sign as the commit's people", override: F.override(key: "SHA256:W", listings: ["*@example.com"]),
            refused: "override by oncall@example.com does not count: its key SHA256:W is also listed for ann@example.com, who authored, committed, co-authored or operated this commit"),
        Case(name: "a key listed only for the signer", override: F.override(key: "SHA256:K2", listings: ["oncall@example.com"]), refused: nil),
        Case(
            name: "an empty reason", override: F.override(reason: ""),
            refused: "override by oncall@example.com does not count: it gives no reason"),
        Case(
            name: "a reason of spaces", override: F.override(reason: "   "),
            refused: "override by oncall@example.com does not count: it gives no reason"),
        Case(
            name: "a reason of a tab and a newline", override: F.override(reason: "\t\n"),
            refused: "override by oncall@example.com does not count: it gives no reason"),
        Case(
            name: "dated at the commit", override: F.override(at: "2026-11-25T12:00:00Z"), refused: nil),
        Case(
            name: "dated five minutes before the commit (the allowed clock skew)", override: F.override(at: "2026-11-25T11:55:00Z"),
            refused: nil),
        Case(
            name: "dated beyond the allowed clock skew before the commit", override: F.override(at: "2026-11-25T11:54:59Z"),
            refused: "override by oncall@example.com does not count: it is dated 2026-11-25T11:54:59Z, before the commit was committed"),
        Case(
            name: "commit date unknown: not checked", override: F.override(at: "2026-11-25T11:30:00Z"), committed: nil, refused: nil),
        Case(
            name: "exactly max_age old", override: F.override(at: "2026-11-25T12:00:00Z"), now: "2026-11-25T14:00:00Z", refused: nil),
        Case(
            name: "one second older than max_age", override: F.override(at: "2026-11-25T12:00:00Z"), now: "2026-11-25T14:00:01Z",
            refused: "override by oncall@example.com does not count: it was signed 2026-11-25T12:00:00Z, more than 2h (overrides.max_age) before 2026-11-25T14:00:01Z"),
        Case(
            name: "signed one second before max_age", override: F.override(at: "2026-11-25T12:00:00Z"), now: "2026-11-25T13:59:59Z",
            refused: nil),
        Case(
            name: "rebased: dated after the commit it was given to, before this one",
            override: F.override(at: "2026-11-25T11:30:00Z", rebasedFrom: F.rebasedID, rebasedFromTime: "2026-11-25T11:00:00Z"),
            refused: nil),
        Case(
            name: "rebased: dated before the commit it was given to",
            override: F.override(at: "2026-11-25T11:30:00Z", rebasedFrom: F.rebasedID, rebasedFromTime: "2026-11-25T11:40:00Z"),
            refused: "override by oncall@example.com does not count: it is dated 2026-11-25T11:30:00Z, before the commit was committed"),
        Case(
            name: "rebased: dated after this commit but before the one it was given to",
            override: F.override(at: "2026-11-25T12:30:00Z", rebasedFrom: F.rebasedID, rebasedFromTime: "2026-11-25T12:40:00Z"),
            refused: "override by oncall@example.com does not count: it is dated 2026-11-25T12:30:00Z, before the commit was committed"),
        Case(
            name: "rebased from a commit whose date is unknown: not checked",
            override: F.override(at: "2026-11-25T11:30:00Z", rebasedFrom: F.rebasedID), refused: nil),
        Case(
            name: "rebased: max_age still counts from the override's date",
            override: F.override(at: "2026-11-25T11:30:00Z", rebasedFrom: F.rebasedID, rebasedFromTime: "2026-11-25T11:00:00Z"),
            now: "2026-11-25T13:30:01Z",
            refused: "override by oncall@example.com does not count: it was signed 2026-11-25T11:30:00Z, more than 2h (overrides.max_age) before 2026-11-25T13:30:01Z"),
    ]

    @Test("whether an override counts", arguments: cases)
    func counts(c: Case) {
        var policy = F.policy
        if let signers = c.signers { policy.overrides.signers = signers }
        let commit = F.commit(["src/a.swift"], committed: c.committed)
        let report = F.evaluator(policy, now: c.now).judge(commit, signoff: Signoff(overrides: [c.override]), mode: .enforce)
        if let refused = c.refused {
            #expect(report.verdict == .blocked)
            #expect(report.override == nil)
            #expect(report.missing.map(\.requirement) == ["approvals"])
            #expect(report.refused == [refused])
            #expect(report.reasons.contains(refused))
        } else {
            #expect(report.verdict == .overridden)
            #expect(report.refused == [])
            #expect(report.missing == [])
            #expect(report.override?.signer == c.override.signer)
            #expect(report.override?.satisfied.map(\.requirement) == ["approvals"])
            #expect(report.override?.rebasedFrom == c.override.rebasedFrom)
        }
    }

    @Test func aValidOverrideSatisfiesWhatIsMissingAndSaysSo() throws {
        let commit = F.commit()
        let without = F.evaluator().judge(commit, mode: .enforce)
        #expect(without.verdict == .blocked)
        #expect(without.missing == [F.approvalMissing])

        let signoff = Signoff(overrides: [F.override(key: "SHA256:K9", listings: ["oncall@example.com"])])
        let report = F.evaluator().judge(commit, signoff: signoff, mode: .enforce)
        #expect(report.verdict == .overridden)
        #expect(report.verdict != .pass)
        #expect(report.missing == [])
        let override = try #require(report.override)
        #expect(override.satisfied == without.missing)
        #expect(override.signer == "oncall@example.com")
        #expect(override.date == "2026-11-25T12:30:00Z")
        #expect(override.reason == "prod down: INC-4211")
        #expect(override.key == "SHA256:K9")
        #expect(override.rebasedFrom == nil)
        #expect(override.line == "OVERRIDDEN by oncall@example.com on 2026-11-25T12:30:00Z: \"prod down: INC-4211\"")
        #expect(report.reasons.suffix(2) == [
            "OVERRIDDEN by oncall@example.com on 2026-11-25T12:30:00Z: \"prod down: INC-4211\"",
            "overridden: 1 approval (class medium), has 0: 1 more",
        ])
        #expect(!report.reasons.contains { $0.hasPrefix("missing:") })
        // A warn ref too: overridden, not warn.
        #expect(F.evaluator().judge(commit, signoff: signoff, mode: .warn).verdict == .overridden)
    }

    @Test func aRebasedOverrideSaysWhichCommitItWasGivenTo() throws {
        let signoff = Signoff(overrides: [
            F.override(at: "2026-11-25T11:30:00Z", rebasedFrom: F.rebasedID, rebasedFromTime: "2026-11-25T11:00:00Z"),
        ])
        let report = F.evaluator().judge(F.commit(), signoff: signoff, mode: .enforce)
        let override = try #require(report.override)
        #expect(override.rebasedFrom == F.rebasedID)
        #expect(override.line
            == "OVERRIDDEN by oncall@example.com on 2026-11-25T11:30:00Z: \"prod down: INC-4211\" (given to fedcba987654 with the same patch-id)")
    }

    @Test func anOverrideOfACommitThatNeedsNothing() {
        let report = F.evaluator().judge(F.commit(["docs/a.md"]), signoff: Signoff(overrides: [F.override()]), mode: .enforce)
        #expect(report.verdict == .pass)
        #expect(report.override == nil)
        #expect(report.missing == [])
        #expect(report.reasons.last == "override by oncall@example.com not needed: nothing is missing")
        // Approved: nothing missing either.
        let approved = F.evaluator().judge(
            F.commit(), signoff: Signoff(approvals: [F.rex], overrides: [F.override("sam@example.com")]), mode: .enforce)
        #expect(approved.verdict == .pass)
        #expect(approved.override == nil)
        #expect(approved.reasons.suffix(2) == [
            "sign-off for class medium complete", "override by sam@example.com not needed: nothing is missing",
        ])
    }

    @Test func aRefusedOverrideOfACommitThatNeedsNothingIsStillListed() {
        let report = F.evaluator().judge(F.commit(["docs/a.md"]), signoff: Signoff(overrides: [F.override("rex@example.com")]), mode: .enforce)
        #expect(report.verdict == .pass)
        #expect(report.refused == ["override by rex@example.com does not count: rex@example.com is not among the policy's overrides.signers"])
        #expect(!report.reasons.contains { $0.contains("not needed") })
    }

    @Test func theLatestValidOverrideIsReported() throws {
        let signoff = Signoff(overrides: [
            F.override("sam@example.com", reason: "second", at: "2026-11-25T12:40:00Z"),
            F.override("oncall@example.com", reason: "first", at: "2026-11-25T12:10:00Z"),
            F.override("rex@example.com", reason: "last, not a signer", at: "2026-11-25T12:50:00Z"),
            F.override("olga@example.com", reason: " ", at: "2026-11-25T12:20:00Z"),
        ])
        let report = F.evaluator().judge(F.commit(), signoff: signoff, mode: .enforce)
        #expect(report.verdict == .overridden)
        let override = try #require(report.override)
        #expect(override.signer == "sam@example.com")
        #expect(override.reason == "second")
        #expect(override.date == "2026-11-25T12:40:00Z")
        // The refusals, in date order; the earlier valid one is simply not the latest.
        #expect(report.refused == [
            "override by olga@example.com does not count: it gives no reason",
            "override by rex@example.com does not count: rex@example.com is not among the policy's overrides.signers",
        ])
    }

    @Test func anOverrideAlsoSatisfiesContractViolationsAndAnUnderDeclaredClass() throws {
        var policy = F.policy
        policy.declaredClass.under = .block
        let commit = F.commit(["src/a.swift"], [
            Trailer(key: "Task-Contract", value: "docs-only"), Trailer(key: "Execution-Class", value: "low"),
        ])
        let without = F.evaluator(policy).judge(commit, mode: .enforce)
        #expect(without.verdict == .blocked)
        #expect(without.missing.map(\.requirement) == ["contract", "contract", "declared_class", "approvals"])

        let report = F.evaluator(policy).judge(commit, signoff: Signoff(overrides: [F.override()]), mode: .enforce)
        #expect(report.verdict == .overridden)
        #expect(report.missing == [])
        let override = try #require(report.override)
        #expect(override.satisfied == without.missing)
        #expect(override.satisfied.map(\.requirement) == ["contract", "contract", "declared_class", "approvals"])
        // What it overrode stays on record: the contract and the declaration.
        #expect(report.contract?.violations.count == 2)
        #expect(report.declared?.status == .under)
        #expect(report.reasons.contains(
            "overridden: under-declared: Execution-Class low, but the computed class is medium (declared_class.under: block at policy.yml:17)"))

        // Approved: only governance is missing, and the override satisfies just that.
        let approved = F.evaluator(policy).judge(commit, signoff: Signoff(approvals: [F.rex], overrides: [F.override()]), mode: .enforce)
        #expect(approved.verdict == .overridden)
        #expect(approved.override?.satisfied.map(\.requirement) == ["contract", "contract", "declared_class"])
    }

    @Test func theOverridesRecordIsReported() {
        let override = Signoff.Override(
            signer: "oncall@example.com", reason: "r", date: F.date("2026-11-25T12:30:00Z"), key: "SHA256:K9", record: "rec-1")
        let report = F.evaluator().judge(F.commit(), signoff: Signoff(overrides: [override]), mode: .enforce)
        #expect(report.override?.record == "rec-1")
        #expect(report.override?.key == "SHA256:K9")
    }

    @Test func anAliasOfTheAuthorCannotOverride() {
        var policy = F.policy
        policy.overrides.signers = ["ann@corp.example"]
        let aliases = PrincipalAliases([(key: "K1", principals: "ann@example.com,ann@corp.example")])
        let report = F.evaluator(policy).judge(
            F.commit(), signoff: Signoff(aliases: aliases, overrides: [F.override("ann@corp.example")]), mode: .enforce)
        #expect(report.verdict == .blocked)
        #expect(report.override == nil)
        #expect(report.refused == [
            "override by ann@corp.example does not count: ann@corp.example is an alias of ann@example.com (one key is listed for both), who authored, committed, co-authored or operated this commit",
        ])
    }

    /// `overrides.signers: ["@nobody"]` (a team in neither `teams` nor `users`): nobody can
    /// override, but the policy does list a signer, so neither message should say otherwise.
    @Test func signersThatResolveToNobody() {
        var policy = F.policy
        policy.overrides.signers = ["@nobody"]
        policy.declaredClass.under = .block
        let report = F.evaluator(policy).judge(
            F.commit(["docs/a.md"], [Trailer(key: "Execution-Class", value: "bogus")]),
            signoff: Signoff(overrides: [F.override()]), mode: .enforce)
        #expect(report.verdict == .blocked)
        #expect(report.override == nil)
        #expect(report.refused.count == 1)
        #expect(report.refused.first?.hasPrefix("override by oncall@example.com does not count: ") == true)
        #expect(report.refused.first
            == "override by oncall@example.com does not count: the policy's overrides.signers (@nobody) stand for nobody: teams and users do not name them")
        #expect(report.missing.first?.by
            == "nobody can override: the policy's overrides.signers stand for nobody (teams and users do not name them)")
    }

    /// With `declared_class.under: warn`, the verdict is `warn` once everything else is met;
    /// an override that satisfied the rest keeps the verdict `overridden` (README, design.md).
    @Test func anUnderDeclaredWarningOnAnOverriddenCommit() {
        let report = F.evaluator().judge(
            F.commit(["src/a.swift"], [Trailer(key: "Execution-Class", value: "low")]),
            signoff: Signoff(overrides: [F.override()]), mode: .enforce)
        #expect(report.override?.satisfied.map(\.requirement) == ["approvals"])
        #expect(report.declared?.status == .under)
        #expect(report.reasons.contains("under-declared: Execution-Class low, but the computed class is medium"))
        #expect(report.verdict == .overridden)
    }

    @Test func modeOffJudgesNoGovernance() {
        var policy = F.policy
        policy.contracts.required = .all
        policy.declaredClass.under = .block
        let commit = F.commit(["src/a.swift"], [
            Trailer(key: "Task-Contract", value: "nope"), Trailer(key: "Execution-Class", value: "low"),
            Trailer(key: "Claude-Session", value: "s-1"),
        ])
        let report = F.evaluator(policy).judge(
            commit, signoff: Signoff(overrides: [F.override(), F.override("rex@example.com")]), mode: .off)
        #expect(report.verdict == .pass)
        #expect(report.contract == nil)
        #expect(report.declared == nil)
        #expect(report.override == nil)
        #expect(report.missing == [])
        #expect(report.refused == [])
        #expect(report.reasons.last == "ref mode is off: not enforced")
        // Who and which session are still reported.
        #expect(report.session == "s-1")
        #expect(report.operator == "Olly Operator <olly@example.com>")
    }

    @Test func aCommitThePolicyDoesNotCoverHasNoContractCheck() {
        var policy = F.policy
        policy.contracts.required = .all
        policy.declaredClass.under = .block
        let human = F.commit(["src/a.swift"], [
            Trailer(key: "Task-Contract", value: "nope"), Trailer(key: "Execution-Class", value: "low"),
        ], agent: false)
        let report = F.evaluator(policy).judge(human, signoff: Signoff(overrides: [F.override()]), mode: .enforce)
        #expect(report.agent == nil)
        #expect(report.verdict == .pass)
        #expect(report.contract == nil)
        #expect(report.declared == nil)
        #expect(report.override == nil)
        #expect(report.missing == [])
        #expect(report.reasons.last == "policy applies to agent commits only")
    }
}

// MARK: - 3. Contracts in the evaluator

@Suite struct GovernanceEvaluationContractTests {
    struct RequiredCase: Sendable, CustomTestStringConvertible {
        var required: ContractSettings.Required
        var agent: Bool
        /// The violation's detail; nil when no contract report is expected.
        var detail: String?
        var testDescription: String { "required: \(required.rawValue), \(agent ? "agent" : "human") commit" }
    }

    static let requiredCases: [RequiredCase] = [
        RequiredCase(required: .none, agent: true, detail: nil),
        RequiredCase(required: .none, agent: false, detail: nil),
        RequiredCase(
            required: .agents, agent: true,
            detail: "no Task-Contract: trailer; the policy requires a task contract of agent commits (contracts.required: agents)"),
        RequiredCase(required: .agents, agent: false, detail: nil),
        RequiredCase(
            required: .all, agent: true,
            detail: "no Task-Contract: trailer; the policy requires a task contract of every commit it judges (contracts.required: all)"),
        RequiredCase(
            required: .all, agent: false,
            detail: "no Task-Contract: trailer; the policy requires a task contract of every commit it judges (contracts.required: all)"),
    ]

    /// A docs commit (class low, nothing else to sign off) with no Task-Contract trailer, on a
    /// policy that applies to all commits, so human commits are judged too.
    @Test("contracts.required without a Task-Contract trailer", arguments: requiredCases)
    func required(c: RequiredCase) {
        var policy = F.policy
        policy.appliesTo = .all
        policy.contracts.required = c.required
        let report = F.evaluator(policy).judge(F.commit(["docs/a.md"], agent: c.agent), mode: .enforce)
        #expect(report.agent == (c.agent ? "bot" : nil))
        if let detail = c.detail {
            let violation = ContractViolation(clause: "Task-Contract", detail: detail, location: "policy.yml:14")
            #expect(report.contract == ContractReport(name: nil, violations: [violation]))
            #expect(report.verdict == .blocked)
            #expect(report.missing == [Missing(
                requirement: "contract", detail: "Task-Contract: \(detail) (policy.yml:14)",
                command: "name a contract that exists on the trusted base (.agentreview/contracts/NAME.yml): git commit --amend --trailer 'Task-Contract: NAME', or \(F.breakGlass)",
                by: F.overrideBy)])
            #expect(report.reasons.contains("no task contract"))
        } else {
            #expect(report.contract == nil)
            #expect(report.verdict == .pass)
            #expect(report.missing == [])
        }
    }

    @Test func aNamedContractIsCheckedEvenWhenNoneIsRequired() {
        #expect(F.policy.contracts.required == .none)
        let report = F.evaluator().judge(F.commit(["docs/a.md"], [Trailer(key: "Task-Contract", value: "nope")]), mode: .enforce)
        let violation = ContractViolation(clause: "missing", detail: "no contract nope: \(F.directory) has no nope.yml")
        #expect(report.contract == ContractReport(name: "nope", violations: [violation]))
        #expect(report.verdict == .blocked)
        #expect(report.missing.map(\.requirement) == ["contract"])
        #expect(report.missing.first?.detail == "missing: no contract nope: \(F.directory) has no nope.yml")
        #expect(report.reasons.contains("contract nope: 1 violation"))
    }

    @Test func unusableContractsThroughTheEvaluator() {
        let malformed = F.evaluator().judge(F.commit(["docs/a.md"], [Trailer(key: "Task-Contract", value: "broken")]), mode: .enforce)
        #expect(malformed.contract?.violations.map(\.clause) == ["malformed"])
        #expect(malformed.contract?.violations.first?.location == F.directory + "broken.yml:4")
        #expect(malformed.verdict == .blocked)
        let badName = F.evaluator().judge(F.commit(["docs/a.md"], [Trailer(key: "Task-Contract", value: "../policy")]), mode: .enforce)
        #expect(badName.contract == ContractReport(name: "../policy", violations: [ContractViolation(
            clause: "Task-Contract", detail: "'../policy' is not a contract name: \(TaskContract.nameRule)")]))
        #expect(badName.verdict == .blocked)
    }

    @Test func twoDifferentNamesAreOneViolation() {
        let commit = F.commit(["docs/a.md"], [
            Trailer(key: "Task-Contract", value: "docs-only"), Trailer(key: "Task-Contract", value: "other"),
        ])
        let report = F.evaluator().judge(commit, mode: .enforce)
        #expect(report.contract == ContractReport(name: "docs-only, other", violations: [ContractViolation(
            clause: "Task-Contract", detail: "the commit names 2 contracts ('docs-only', 'other'): name exactly one")]))
        #expect(report.verdict == .blocked)
        #expect(report.missing.map(\.detail) == ["Task-Contract: the commit names 2 contracts ('docs-only', 'other'): name exactly one"])
    }

    @Test func theSameNameTwiceIsOneContract() {
        let commit = F.commit(["docs/a.md"], [
            Trailer(key: "Task-Contract", value: "docs-only"), Trailer(key: "task-contract", value: " docs-only "),
        ])
        let report = F.evaluator().judge(commit, mode: .enforce)
        #expect(report.contract?.name == "docs-only")
        #expect(report.contract?.violations == [])
        #expect(report.verdict == .pass)
    }

    @Test func aKeptContract() {
        var policy = F.policy
        policy.contracts.required = .agents
        let report = F.evaluator(policy).judge(F.commit(["docs/a.md"], [Trailer(key: "Task-Contract", value: "docs-only")]), mode: .enforce)
        #expect(report.contract == ContractReport(
            name: "docs-only", source: F.docsOnlySource, goal: "Keep the docs in step", owner: "docs-lead@example.com", class: "low",
            violations: []))
        #expect(report.verdict == .pass)
        #expect(report.missing == [])
        #expect(report.reasons.contains("contract docs-only (owner docs-lead@example.com): kept at \(F.docsOnlySource)"))
    }

    static let classViolation = ContractViolation(
        clause: "class", detail: "class medium is above the contract's ceiling low", location: F.docsOnlySource + ":4")
    static let allowViolation = ContractViolation(
        clause: "paths.allow", path: "src/a.swift", detail: "src/a.swift is outside the paths the contract allows (\"docs/\")",
        location: F.docsOnlySource + ":6")

    @Test func aBrokenContractBlocks() {
        #expect(F.policy.contracts.onViolation == .block)
        let commit = F.commit(["src/a.swift"], [Trailer(key: "Task-Contract", value: "docs-only")])
        let report = F.evaluator().judge(commit, signoff: Signoff(approvals: [F.rex]), mode: .enforce)
        #expect(report.contract?.violations == [Self.classViolation, Self.allowViolation])
        #expect(report.contract?.source == F.docsOnlySource)
        #expect(report.class == "medium")
        #expect(report.verdict == .blocked)
        let command = "rewrite the commit within contract docs-only, or \(F.breakGlass)"
        #expect(report.missing == [
            Missing(requirement: "contract", detail: Self.classViolation.description, command: command, by: F.overrideBy),
            Missing(requirement: "contract", detail: Self.allowViolation.description, command: command, by: F.overrideBy),
        ])
        #expect(report.missing.allSatisfy { $0.command.contains("agentreview override \(F.shortID) --reason") })
        #expect(report.missing[0].detail == "class: class medium is above the contract's ceiling low (\(F.docsOnlySource):4)")
        #expect(report.reasons.contains("contract docs-only (owner docs-lead@example.com): 2 violations at \(F.docsOnlySource)"))
        #expect(report.reasons.contains("missing: \(Self.allowViolation.description)"))
        // On a warn ref: a warning.
        #expect(F.evaluator().judge(commit, signoff: Signoff(approvals: [F.rex]), mode: .warn).verdict == .warn)
    }

    @Test func aBrokenContractRaisesTheClass() {
        var policy = F.policy
        policy.contracts.onViolation = .raiseClass
        let commit = F.commit(["src/a.swift"], [Trailer(key: "Task-Contract", value: "docs-only")])
        let report = F.evaluator(policy).judge(commit, signoff: Signoff(approvals: [F.rex]), mode: .enforce)
        #expect(report.class == "high")
        #expect(report.contract?.violations == [Self.classViolation, Self.allowViolation])
        // Not blocked by the contract itself: the highest class's approvals are what is missing.
        #expect(report.missing == [Missing(
            requirement: "approvals", detail: "2 approvals (class high), has 1: 1 more", command: "agentreview approve \(F.shortID)",
            by: F.approvalMissing.by)])
        #expect(report.verdict == .blocked)
        #expect(report.reasons.contains("contract violation: \(Self.classViolation)"))
        #expect(report.reasons.contains("contract violation: \(Self.allowViolation)"))
        #expect(report.reasons.contains(
            "class high: raised from medium, the commit breaks its contract (contracts.on_violation: raise-class at policy.yml:14)"))
        #expect(report.reasons.filter { $0.hasPrefix("class high: raised from") }.count == 1)
        #expect(!report.reasons.contains { $0.hasPrefix("missing: contract") || $0.hasPrefix("missing: class:") })

        // With the highest class's sign-off it passes.
        let approved = F.evaluator(policy).judge(commit, signoff: Signoff(approvals: [F.rex, F.sam]), mode: .enforce)
        #expect(approved.class == "high")
        #expect(approved.missing == [])
        #expect(approved.verdict == .pass)
        #expect(approved.reasons.contains("sign-off for class high complete"))
    }

    @Test func raiseClassWhenAlreadyHighest() {
        var policy = F.policy
        policy.contracts.onViolation = .raiseClass
        let commit = F.commit(["infra/main.tf"], [Trailer(key: "Task-Contract", value: "docs-only")])
        let report = F.evaluator(policy).judge(commit, mode: .enforce)
        #expect(report.class == "high")
        #expect(report.contract?.violations.map(\.clause) == ["class", "paths.allow"])
        #expect(!report.reasons.contains { $0.contains("raised from") })
        #expect(report.missing.map(\.requirement) == ["approvals"])
        #expect(report.missing.first?.detail == "2 approvals (class high), has 0: 2 more")
    }

    @Test func raiseClassForAMissingContract() {
        var policy = F.policy
        policy.contracts.onViolation = .raiseClass
        policy.contracts.required = .agents
        let report = F.evaluator(policy).judge(F.commit(["docs/a.md"]), mode: .enforce)
        #expect(report.class == "high")
        #expect(report.contract?.violations.map(\.clause) == ["Task-Contract"])
        #expect(report.reasons.contains(
            "class high: raised from low, the commit breaks its contract (contracts.on_violation: raise-class at policy.yml:14)"))
        #expect(report.missing.map(\.detail) == ["2 approvals (class high), has 0: 2 more"])
    }
}

// MARK: - 4. Sessions and the operator

@Suite struct GovernanceEvaluationSessionTests {
    static let values = [
        "Agent-Session": "agent-7f3c", "Claude-Session": "https://claude.ai/code/session_01AbC", "Copilot-Session": "cp 42/x",
        "Amp-Thread-ID": "T-0a1b2c3d", "Replit-Commit-Session-Id": "8e2f-11aa", "Entire-Session": "2026-11-25-abc",
    ]

    @Test func theTrailersInTheirOrder() {
        #expect(Evaluator.sessionTrailers == [
            "Agent-Session", "Claude-Session", "Copilot-Session", "Amp-Thread-ID", "Replit-Commit-Session-Id", "Entire-Session",
        ])
    }

    @Test("a session trailer's value, as written", arguments: Evaluator.sessionTrailers)
    func session(key: String) {
        let value = Self.values[key]!
        let report = F.evaluator().judge(F.commit(["docs/a.md"], [Trailer(key: key, value: value)]), mode: .enforce)
        #expect(report.session == value)
        #expect(report.reasons.contains("agent session \(value)"))
        // The key in any case.
        let lower = F.evaluator().judge(F.commit(["docs/a.md"], [Trailer(key: key.lowercased(), value: value)]), mode: .enforce)
        #expect(lower.session == value)
    }

    @Test("with two, the one earlier in sessionTrailers wins, whatever their order in the commit", arguments: 0..<6)
    func precedence(first: Int) {
        let keys = Evaluator.sessionTrailers
        for second in keys.indices where second > first {
            let trailers = [
                Trailer(key: keys[second], value: Self.values[keys[second]]!), Trailer(key: keys[first], value: Self.values[keys[first]]!),
            ]
            let report = F.evaluator().judge(F.commit(["docs/a.md"], trailers), mode: .enforce)
            #expect(report.session == Self.values[keys[first]], "\(keys[first]) over \(keys[second])")
            let reversed = F.evaluator().judge(F.commit(["docs/a.md"], trailers.reversed()), mode: .enforce)
            #expect(reversed.session == Self.values[keys[first]], "\(keys[first]) over \(keys[second])")
        }
    }

    @Test func noSession() {
        let report = F.evaluator().judge(F.commit(["docs/a.md"]), mode: .enforce)
        #expect(report.session == nil)
        #expect(!report.reasons.contains { $0.hasPrefix("agent session") })
        // An empty one names none: the next is used.
        let empty = F.evaluator().judge(F.commit(["docs/a.md"], [
            Trailer(key: "Agent-Session", value: ""), Trailer(key: "Entire-Session", value: "e-1"),
        ]), mode: .enforce)
        #expect(empty.session == "e-1")
        // A trailer that is not a session trailer is none.
        let other = F.evaluator().judge(F.commit(["docs/a.md"], [Trailer(key: "Session", value: "x")]), mode: .enforce)
        #expect(other.session == nil)
    }

    @Test func theOperator() {
        let report = F.evaluator().judge(F.commit(["docs/a.md"]), mode: .enforce)
        #expect(report.operator == "Olly Operator <olly@example.com>")
        let none = F.evaluator().judge(F.commit(["docs/a.md"], [Trailer(key: "Agent", value: "bot/1")], agent: false), mode: .enforce)
        #expect(none.operator == nil)
        let lower = F.evaluator().judge(
            F.commit(["docs/a.md"], [Trailer(key: "Agent", value: "bot/1"), Trailer(key: "agent-operator", value: "Name <e>")], agent: false),
            mode: .enforce)
        #expect(lower.operator == "Name <e>")
        // The first one, as written.
        let two = F.evaluator().judge(
            F.commit(["docs/a.md"], [Trailer(key: "Agent-Operator", value: "Second <s@example.com>")]), mode: .enforce)
        #expect(two.operator == "Olly Operator <olly@example.com>")
    }
}

// MARK: - 5. Verdict order and counts

@Suite struct GovernanceEvaluationVerdictTests {
    @Test func verdictOrder() {
        #expect(Verdict.allCases.sorted() == [.pass, .overridden, .warn, .blocked])
        #expect(Verdict.pass < .overridden)
        #expect(Verdict.overridden < .warn)
        #expect(Verdict.warn < .blocked)
        #expect(!(Verdict.overridden < .pass))
        #expect(max(Verdict.overridden, .pass) == .overridden)
        #expect(max(Verdict.overridden, .warn) == .warn)
        #expect(Verdict.overridden.rawValue == "overridden")
    }

    static func reports() -> (pass: CommitReport, overridden: CommitReport) {
        let pass = F.evaluator().judge(F.commit(["docs/a.md"]), mode: .enforce)
        let overridden = F.evaluator().judge(F.commit(), signoff: Signoff(overrides: [F.override()]), mode: .enforce)
        return (pass, overridden)
    }

    @Test func aRefCountsOverriddenCommits() {
        let (pass, overridden) = Self.reports()
        #expect(pass.verdict == .pass)
        #expect(overridden.verdict == .overridden)
        var ref = RefJudgement(ref: "refs/heads/main", mode: .enforce, policy: "p")
        ref.add(overridden)
        ref.add(pass)
        #expect(ref.verdict == .overridden)
        #expect(ref.counts.overridden == 1)
        #expect(ref.counts.pass == 1)
        #expect(ref.counts.warn == 0)
        #expect(ref.counts.blocked == 0)
        #expect(ref.counts[.overridden] == 1)
        #expect(ref.judged == 2)
        #expect(!ref.refuses)
        // A blocked commit still makes it blocked.
        ref.add(F.evaluator().judge(F.commit(), mode: .enforce))
        #expect(ref.verdict == .blocked)
        #expect(ref.counts.blocked == 1 && ref.counts.overridden == 1 && ref.judged == 3)
    }

    @Test func theJudgementJSONHasAllFourCounts() throws {
        let (pass, overridden) = Self.reports()
        let judgement = Judgement(ref: "refs/heads/main", mode: .enforce, policy: "p", commits: [pass, overridden])
        #expect(judgement.verdict == .overridden)
        let data = try JSONEncoder().encode(judgement)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let counts = try #require(object["counts"] as? [String: Int])
        #expect(counts == ["pass": 1, "overridden": 1, "warn": 0, "blocked": 0])
        #expect(object["verdict"] as? String == "overridden")
        let commits = try #require(object["commits"] as? [[String: Any]])
        #expect(commits.map { $0["verdict"] as? String } == ["pass", "overridden"])
        let override = try #require(commits[1]["override"] as? [String: Any])
        #expect(override["signer"] as? String == "oncall@example.com")

        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(judgement.counts), as: UTF8.self)
        #expect(text == #"{"blocked":0,"overridden":1,"pass":1,"warn":0}"#)
        // And it reads back.
        let decoded = try JSONDecoder().decode(Judgement.self, from: data)
        #expect(decoded.counts == judgement.counts)
        #expect(decoded.commits[1].override == overridden.override)
    }
}
