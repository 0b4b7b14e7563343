import Foundation
import AgentReviewCore
import Testing

/// Evaluation on plain values: facts, policy and sign-off in; a verdict with reasons out.
@Suite struct EvaluatorTests {
    static let policy = try! PolicyLoader.load(yaml: """
        version: 1
        classes:
          - name: low
          - name: medium
            approvals: 1
          - name: high
            approvals: 2
            owners: true
            human_signoff: true
            gates: [tests]
        default_class: medium
        paths:
          - { pattern: "docs/", class: low }
          - { pattern: "infra/", class: high }
        bots: [ci@example.com]
        teams: { infra: [ivy@example.com] }
        gates:
          tests: { signers: [ci@example.com] }
        """, file: "policy.yml")

    static let owners = CodeOwners(text: "/infra/ @infra\n", source: "CODEOWNERS")
    let evaluator = Evaluator(policy: policy, owners: owners)

    static func commit(_ paths: [String], trailers: [Trailer] = [Trailer(key: "Agent", value: "bot/1")]) -> CommitFacts {
        CommitFacts(
            id: "0123456789abcdef0123456789abcdef01234567",
            author: Identity(name: "Ann Author", email: "ann@example.com"),
            committer: Identity(name: "Ann Author", email: "ann@example.com"),
            subject: "Change",
            trailers: trailers,
            changes: paths.map { PathChange(.modified, $0) })
    }

    @Test func agentDocsCommitPasses() {
        let report = evaluator.judge(Self.commit(["docs/a.txt"]), mode: .enforce)
        #expect(report.agent == "bot")
        #expect(report.class == "low")
        #expect(report.verdict == .pass)
        #expect(report.missing.isEmpty)
    }

    @Test func agentCodeCommitNeedsAnApproval() {
        let report = evaluator.judge(Self.commit(["src/a.swift"]), mode: .enforce)
        #expect(report.verdict == .blocked)
        #expect(report.missing.map(\.requirement) == ["approvals"])
        #expect(report.missing[0].command == "agentreview approve 0123456789ab")
        #expect(report.missing[0].detail == "1 approval (class medium), has 0: 1 more")
        let approved = evaluator.judge(
            Self.commit(["src/a.swift"]), signoff: Signoff(approvals: [.init(reviewer: "rex@example.com")]), mode: .enforce)
        #expect(approved.verdict == .pass)
        #expect(approved.approvals.map(\.reviewer) == ["rex@example.com"])
    }

    @Test func highClassNeedsEverything() {
        let report = evaluator.judge(Self.commit(["infra/main.tf"]), mode: .enforce)
        #expect(report.verdict == .blocked)
        #expect(report.missing.map(\.requirement) == ["approvals", "owners", "human_signoff", "gate"])
        // A team is named with who is in it.
        #expect(report.missing[1].detail == "approval from an owner of infra/main.tf: @infra (ivy@example.com)")
        #expect(report.missing[1].by == "an owner of infra/main.tf: @infra (ivy@example.com)")
        #expect(report.missing[3].command == "agentreview attest tests 0123456789ab --result pass")
    }

    @Test func highClassSatisfied() {
        let signoff = Signoff(
            approvals: [.init(reviewer: "ivy@example.com"), .init(reviewer: "ci@example.com")], passedGates: ["tests"])
        let report = evaluator.judge(Self.commit(["infra/main.tf"]), signoff: signoff, mode: .enforce)
        #expect(report.missing.isEmpty)
        #expect(report.verdict == .pass)
        // Each approval says which requirements it met.
        #expect(report.approvals.map(\.meets) == [
            ["approval 1 of 2", "owner of infra/main.tf", "human sign-off"], ["approval 2 of 2"],
        ])
        #expect(report.reasons.contains("approved by ci@example.com (approval 2 of 2)"))
    }

    @Test func botsAreNoHumanSignoffAndOwnersMustApprove() {
        let signoff = Signoff(
            approvals: [.init(reviewer: "ci@example.com"), .init(reviewer: "rex@example.com")], passedGates: ["tests"])
        let report = evaluator.judge(Self.commit(["infra/main.tf"]), signoff: signoff, mode: .enforce)
        // rex is a person but not an owner; ci is neither a person nor an owner.
        #expect(report.missing.map(\.requirement) == ["owners"])
        let botsOnly = evaluator.judge(
            Self.commit(["infra/main.tf"]),
            signoff: Signoff(approvals: [.init(reviewer: "ci@example.com")], passedGates: ["tests"]),
            mode: .enforce)
        #expect(botsOnly.missing.map(\.requirement) == ["approvals", "owners", "human_signoff"])
    }

    @Test("the commit's own people never count", arguments: [
        "ann@example.com", "ANN@example.com", "olly@example.com", "cora@example.com",
    ])
    func selfApprovalRefused(reviewer: String) {
        let commit = Self.commit(["src/a.swift"], trailers: [
            Trailer(key: "Agent", value: "bot/1"),
            Trailer(key: "Agent-Operator", value: "Olly Operator <olly@example.com>"),
            Trailer(key: "Co-authored-by", value: "Cora <cora@example.com>"),
        ])
        let report = evaluator.judge(commit, signoff: Signoff(approvals: [.init(reviewer: reviewer)]), mode: .enforce)
        #expect(report.verdict == .blocked)
        #expect(report.approvals.isEmpty)
        #expect(report.reasons.contains { $0.contains("approval by \(reviewer) does not count") })
    }

    @Test func oneReviewerCountsOnce() {
        let signoff = Signoff(approvals: [.init(reviewer: "rex@example.com"), .init(reviewer: "Rex@Example.com")])
        let commit = Self.commit(["src/a.swift", "docs/x"])
        var policy = Self.policy
        policy.classes[1].approvals = 2
        let report = Evaluator(policy: policy).judge(commit, signoff: signoff, mode: .enforce)
        #expect(report.approvals.count == 1)
        #expect(report.verdict == .blocked)
    }

    @Test func humanCommitsPassUnlessThePolicyAppliesToAll() {
        let human = Self.commit(["infra/main.tf"], trailers: [])
        #expect(evaluator.judge(human, mode: .enforce).verdict == .pass)
        var policy = Self.policy
        policy.appliesTo = .all
        let strict = Evaluator(policy: policy, owners: Self.owners).judge(human, mode: .enforce)
        #expect(strict.agent == nil)
        #expect(strict.verdict == .blocked)
    }

    @Test("the mode decides what a missing sign-off means", arguments: [
        (EnforcementMode.enforce, Verdict.blocked), (.warn, .warn), (.off, .pass),
    ])
    func modes(mode: EnforcementMode, verdict: Verdict) {
        #expect(evaluator.judge(Self.commit(["src/a.swift"]), mode: mode).verdict == verdict)
    }

    @Test func reasonsExplainTheVerdict() {
        let report = evaluator.judge(Self.commit(["infra/main.tf"]), mode: .enforce)
        #expect(report.reasons.first == "agent-authored (bot): trailer Agent: bot/1")
        #expect(report.reasons[1] == "class high: infra/main.tf: \"infra/\" at policy.yml:14")
        #expect(report.reasons.contains("missing: a passing tests attestation"))
    }

    @Test func judgementVerdictIsTheWorst() {
        let pass = evaluator.judge(Self.commit(["docs/a"]), mode: .enforce)
        let blocked = evaluator.judge(Self.commit(["src/a"]), mode: .enforce)
        #expect(Judgement(ref: nil, mode: .enforce, policy: "p", commits: [pass, blocked]).verdict == .blocked)
        #expect(Judgement(ref: nil, mode: .enforce, policy: "p", commits: [pass]).verdict == .pass)
        #expect(Judgement(ref: nil, mode: .enforce, policy: "p", commits: []).verdict == .pass)
    }
}

@Suite struct PatchBindingTests {
    let gitPatchID = "ed4367ec9c7d2d0c4be2a2ad9bafa9edb1a4be54"

    @Test("plain changes keep git's patch-id", arguments: [
        (UInt32(0o100644), UInt32(0o100644)), (0, 0o100644), (0o100755, 0), (0o100755, 0o100755),
    ])
    func plain(old: UInt32, new: UInt32) {
        let change = PatchBinding.ModeChange(path: Array("a".utf8), oldMode: old, newMode: new)
        #expect(PatchBinding.patchID(gitPatchID: gitPatchID, modeChanges: [change]) == gitPatchID)
    }

    @Test func modesGitIgnoresAreBound() {
        let executable = PatchBinding.ModeChange(path: Array("run.sh".utf8), oldMode: 0, newMode: 0o100755)
        let madeExecutable = PatchBinding.ModeChange(path: Array("run.sh".utf8), oldMode: 0o100644, newMode: 0o100755)
        let symlink = PatchBinding.ModeChange(path: Array("run.sh".utf8), oldMode: 0, newMode: 0o120000)
        let ids = [executable, madeExecutable, symlink].map { PatchBinding.patchID(gitPatchID: gitPatchID, modeChanges: [$0]) }
        #expect(Set(ids).count == 3)
        #expect(!ids.contains(gitPatchID))
        #expect(ids.allSatisfy { $0.count == 40 && $0.allSatisfy(\.isHexDigit) })
        // The order changes arrive in does not matter.
        let other = PatchBinding.ModeChange(path: Array("b".utf8), oldMode: 0o100644, newMode: 0o100755)
        #expect(
            PatchBinding.patchID(gitPatchID: gitPatchID, modeChanges: [executable, other])
                == PatchBinding.patchID(gitPatchID: gitPatchID, modeChanges: [other, executable]))
    }
}

/// Who counts as a reviewer, on plain values: a key is one reviewer whatever principals it
/// is listed for; the commit's own people and bots are recognised by every principal their
/// keys are listed for; records dated before their commit do not count.
@Suite struct ReviewerRuleTests {
    static let evaluator = Evaluator(policy: EvaluatorTests.policy, owners: EvaluatorTests.owners)
    static let committed = utc("2026-11-25T12:00:00Z")

    /// A decision as a record gives it: `key` names the key, `listings` its allowed_signers lines.
    static func decision(
        _ reviewer: String, key: String? = nil, _ listings: [String] = [], _ decision: ApprovalRecord.Decision = .approve,
        at date: String? = "2026-11-25T13:00:00Z", rebasedFrom: String? = nil, rebasedFromTime: String? = nil
    ) -> Signoff.Approval {
        Signoff.Approval(
            reviewer: reviewer, rebasedFrom: rebasedFrom, decision: decision, date: date.map(utc),
            rebasedFromTime: rebasedFromTime.map { Int64(utc($0).timeIntervalSince1970) }, key: key, keyListings: listings)
    }

    /// An agent commit of src/ by Ann, operated by Olly, co-authored by Cora, committed at noon.
    static func commit(_ paths: [String] = ["src/a.swift"], committed: Date? = ReviewerRuleTests.committed) -> CommitFacts {
        var commit = EvaluatorTests.commit(paths, trailers: [
            Trailer(key: "Agent", value: "bot/1"),
            Trailer(key: "Agent-Operator", value: "Olly Operator <olly@example.com>"),
            Trailer(key: "Co-authored-by", value: "Cora <cora@example.com>"),
        ])
        commit.committerTime = committed.map { Int64($0.timeIntervalSince1970) }
        return commit
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var decisions: [Signoff.Approval]
        /// allowed_signers lines as (key, principals), for the aliases.
        var lines: [(key: String, principals: String)] = []
        /// The reviewers that count, in order.
        var counted: [String]
        /// Text each expected refusal contains, in order.
        var refused: [String] = []
        var committed: Date? = ReviewerRuleTests.committed
        var testDescription: String { name }
    }

    static func run(_ c: Case) -> CommitReport {
        let aliases = PrincipalAliases(c.lines)
        return evaluator.judge(
            commit(committed: c.committed), signoff: Signoff(approvals: c.decisions, aliases: aliases), mode: .enforce)
    }

    static func check(_ c: Case) {
        let report = run(c)
        #expect(report.approvals.map(\.reviewer) == c.counted, "\(c.name): \(report.refused)")
        #expect(report.refused.count == c.refused.count, "\(c.name): \(report.refused)")
        for (text, expected) in zip(report.refused, c.refused) {
            #expect(text.contains(expected), "\(c.name): \(text)")
        }
    }

    static let alice = "alice@example.com,alice@corp.example"

    static let oneReviewerCases: [Case] = [
        Case(
            name: "one key listed for two aliases is one reviewer; the latest approval stands",
            decisions: [decision("alice@example.com", key: "K1", [alice], at: "2026-11-25T13:00:00Z"),
                        decision("alice@corp.example", key: "K1", [alice], at: "2026-11-25T13:01:00Z")],
            counted: ["alice@corp.example"],
            refused: ["approval by alice@example.com is not counted again: alice@corp.example is the same reviewer (signed with the same key K1)"]),
        Case(
            name: "two keys of one principal are one reviewer",
            decisions: [decision("alice@example.com", key: "K1", ["alice@example.com"]),
                        decision("alice@example.com", key: "K2", ["alice@example.com"])],
            counted: ["alice@example.com"]),
        Case(
            name: "a second key listed only under an alias is the same reviewer",
            decisions: [decision("alice@example.com", key: "K1", [alice]),
                        decision("alice@corp.example", key: "K2", ["alice@corp.example"], at: "2026-11-25T13:05:00Z")],
            lines: [(key: "K1", principals: alice), (key: "K2", principals: "alice@corp.example")],
            counted: ["alice@corp.example"],
            refused: ["approval by alice@example.com is not counted again: alice@corp.example is the same reviewer (their keys are listed for a common principal)"]),
        Case(
            name: "keys that share a principal are one reviewer, even without the aliases",
            decisions: [decision("a@x.example", key: "K1", ["a@x.example,shared@x.example"]),
                        decision("b@x.example", key: "K2", ["b@x.example,shared@x.example"], at: "2026-11-25T13:05:00Z")],
            counted: ["b@x.example"], refused: ["is not counted again"]),
        Case(
            name: "a wildcard key is one reviewer whatever it signs as",
            decisions: [decision("x@corp.example", key: "W", ["*@corp.example"]),
                        decision("y@corp.example", key: "W", ["*@corp.example"], at: "2026-11-25T13:05:00Z"),
                        decision("z@corp.example", key: "W", ["*@corp.example"], at: "2026-11-25T13:06:00Z")],
            counted: ["z@corp.example"], refused: ["approval by x@corp.example is not counted again", "approval by y@corp.example is not counted again"]),
        Case(
            name: "a wildcard key and someone it could sign as are one reviewer",
            decisions: [decision("x@corp.example", key: "W", ["*@corp.example"]),
                        decision("bob@corp.example", key: "K2", ["bob@corp.example"], at: "2026-11-25T13:05:00Z")],
            counted: ["bob@corp.example"], refused: ["is not counted again"]),
        Case(
            name: "a wildcard key and someone it cannot sign as are two",
            decisions: [decision("x@corp.example", key: "W", ["*@corp.example"]),
                        decision("bob@example.com", key: "K2", ["bob@example.com"], at: "2026-11-25T13:05:00Z")],
            counted: ["x@corp.example", "bob@example.com"]),
        Case(
            name: "two wildcard keys that could sign as one principal are one reviewer",
            decisions: [decision("x@corp.example", key: "W1", ["*@corp.example"]),
                        decision("xy@other.example", key: "W2", ["x*"], at: "2026-11-25T13:05:00Z")],
            counted: ["xy@other.example"], refused: ["is not counted again"]),
        Case(
            name: "two wildcard keys that never could are two",
            decisions: [decision("x@corp.example", key: "W1", ["*@corp.example"]),
                        decision("x@other.example", key: "W2", ["*@other.example"], at: "2026-11-25T13:05:00Z")],
            counted: ["x@corp.example", "x@other.example"]),
        Case(
            name: "negated principals do not split reviewers (what a list could match, at most)",
            decisions: [decision("x@corp.example", key: "W", ["*@corp.example,!bob@corp.example"]),
                        decision("bob@corp.example", key: "K2", ["bob@corp.example"], at: "2026-11-25T13:05:00Z")],
            counted: ["bob@corp.example"], refused: ["is not counted again"]),
        Case(
            name: "case does not make two reviewers",
            decisions: [decision("Rex@Example.com", key: "K1", ["Rex@Example.com"]),
                        decision("rex@example.com", key: "K2", ["rex@example.com"], at: "2026-11-25T13:05:00Z")],
            counted: ["rex@example.com"]),
        Case(
            name: "different people with different keys are two",
            decisions: [decision("rex@example.com", key: "K1", ["rex@example.com"]),
                        decision("sam@example.com", key: "K2", ["sam@example.com"], at: "2026-11-25T13:05:00Z")],
            counted: ["rex@example.com", "sam@example.com"]),
        Case(
            name: "chains: a key listed for two people joins their approvals",
            decisions: [decision("rex@example.com", key: "K1", ["rex@example.com"]),
                        decision("sam@example.com", key: "K2", ["sam@example.com"], at: "2026-11-25T13:05:00Z"),
                        decision("rex@example.com", key: "K3", ["rex@example.com,sam@example.com"], at: "2026-11-25T13:06:00Z")],
            counted: ["rex@example.com"], refused: ["approval by sam@example.com is not counted again"]),
    ]

    @Test("one approval per reviewer, and a key is one reviewer", arguments: oneReviewerCases)
    func oneReviewer(c: Case) { Self.check(c) }

    static let ownCases: [Case] = [
        Case(
            name: "the author signing as her own alias, with the key listed for both",
            decisions: [decision("ann@corp.example", key: "K1", ["ann@example.com,ann@corp.example"])],
            counted: [],
            refused: ["approval by ann@corp.example does not count: its key K1 is also listed for ann@example.com, who authored, committed, co-authored or operated this commit"]),
        Case(
            name: "the author with another key, listed only under her alias",
            decisions: [decision("ann@corp.example", key: "K2", ["ann@corp.example"])],
            lines: [(key: "K1", principals: "ann@example.com,ann@corp.example"), (key: "K2", principals: "ann@corp.example")],
            counted: [],
            refused: ["approval by ann@corp.example does not count: its key K2 is also listed for ann@corp.example, an alias of ann@example.com, who"]),
        Case(
            name: "signed as the author's alias, no key known",
            decisions: [decision("ann@corp.example")],
            lines: [(key: "K1", principals: "ann@example.com,ann@corp.example")],
            counted: [],
            refused: ["approval by ann@corp.example does not count: ann@corp.example is an alias of ann@example.com (one key is listed for both)"]),
        Case(
            name: "a wildcard key that could sign as the author",
            decisions: [decision("zed@example.com", key: "W", ["*@example.com"])],
            counted: [], refused: ["approval by zed@example.com does not count: its key W is also listed for ann@example.com, who"]),
        Case(
            name: "a wildcard key that could sign as the author's alias",
            decisions: [decision("x@corp.example", key: "W", ["*@corp.example"])],
            lines: [(key: "K1", principals: "ann@example.com,ann@corp.example")],
            counted: [], refused: ["its key W is also listed for ann@corp.example, an alias of ann@example.com, who"]),
        Case(
            name: "a co-author's alias",
            decisions: [decision("cora@corp.example", key: "K1", ["cora@example.com,cora@corp.example"])],
            counted: [], refused: ["its key K1 is also listed for cora@example.com, who"]),
        Case(
            name: "the operator's alias",
            decisions: [decision("o@corp.example", key: "K1", ["o@corp.example", "olly@example.com"])],
            counted: [], refused: ["its key K1 is also listed for olly@example.com, who"]),
        Case(
            name: "a listing that differs only in case",
            decisions: [decision("ann@corp.example", key: "K1", ["ANN@Example.com,ann@corp.example"])],
            counted: [], refused: ["its key K1 is also listed for ann@example.com"]),
        Case(
            name: "a wildcard key with the commit's people negated may approve",
            decisions: [decision("zed@example.com", key: "W", ["*@example.com,!ann@example.com,!cora@example.com,!olly@example.com"])],
            counted: ["zed@example.com"]),
        Case(
            name: "someone else's key counts",
            decisions: [decision("rex@example.com", key: "K1", ["rex@example.com,rex@corp.example"])],
            counted: ["rex@example.com"]),
        Case(
            name: "the author's own approval outranks nothing: her alias's approval in the same group does not count either",
            decisions: [decision("ann@example.com", key: "K1", ["ann@example.com,ann@corp.example"]),
                        decision("ann@corp.example", key: "K1", ["ann@example.com,ann@corp.example"], at: "2026-11-25T13:05:00Z")],
            counted: [], refused: ["approval by ann@corp.example does not count"]),
    ]

    @Test("the commit's own people never count, under any principal their keys are listed for", arguments: ownCases)
    func ownPeople(c: Case) { Self.check(c) }

    static let latestCases: [Case] = [
        Case(
            name: "a rejection signed as one alias cancels an approval signed as another",
            decisions: [decision("alice@example.com", key: "K1", [alice], at: "2026-11-25T13:00:00Z"),
                        decision("alice@corp.example", key: "K1", [alice], .reject, at: "2026-11-25T13:01:00Z")],
            counted: [],
            refused: ["alice@corp.example rejected this commit on 2026-11-25T13:01:00Z, which cancels the approval by alice@example.com (the same reviewer: signed with the same key K1)"]),
        Case(
            name: "an approval after a rejection stands",
            decisions: [decision("alice@corp.example", key: "K1", [alice], .reject, at: "2026-11-25T13:00:00Z"),
                        decision("alice@example.com", key: "K1", [alice], at: "2026-11-25T13:01:00Z")],
            counted: ["alice@example.com"]),
        Case(
            name: "at the same second a rejection wins",
            decisions: [decision("alice@example.com", key: "K1", [alice], at: "2026-11-25T13:00:00Z"),
                        decision("alice@corp.example", key: "K1", [alice], .reject, at: "2026-11-25T13:00:00Z")],
            counted: [], refused: ["alice@corp.example rejected this commit"]),
        Case(
            name: "a wildcard key's later rejection cancels its approval under another name",
            decisions: [decision("x@corp.example", key: "W", ["*@corp.example"], at: "2026-11-25T13:00:00Z"),
                        decision("y@corp.example", key: "W", ["*@corp.example"], .reject, at: "2026-11-25T13:01:00Z")],
            counted: [], refused: ["y@corp.example rejected this commit"]),
        Case(
            name: "someone else's rejection cancels nothing",
            decisions: [decision("alice@example.com", key: "K1", [alice], at: "2026-11-25T13:00:00Z"),
                        decision("rex@example.com", key: "K2", ["rex@example.com"], .reject, at: "2026-11-25T13:01:00Z")],
            counted: ["alice@example.com"], refused: ["rex@example.com rejected this commit"]),
    ]

    @Test("each reviewer's latest decision counts, whatever name it is signed as", arguments: latestCases)
    func latestDecision(c: Case) { Self.check(c) }

    static let datedCases: [Case] = [
        Case(
            name: "an approval dated before the commit",
            decisions: [decision("rex@example.com", key: "K1", ["rex@example.com"], at: "2026-11-25T11:00:00Z")],
            counted: [],
            refused: ["approval by rex@example.com does not count: it is dated 2026-11-25T11:00:00Z, before 0123456789ab was committed (2026-11-25T12:00:00Z)"]),
        Case(name: "dated at the commit", decisions: [decision("rex@example.com", at: "2026-11-25T12:00:00Z")], counted: ["rex@example.com"]),
        Case(name: "five minutes early (clock skew)", decisions: [decision("rex@example.com", at: "2026-11-25T11:55:00Z")], counted: ["rex@example.com"]),
        Case(
            name: "a second more than five minutes early", decisions: [decision("rex@example.com", at: "2026-11-25T11:54:59Z")],
            counted: [], refused: ["before 0123456789ab was committed"]),
        Case(name: "a day later", decisions: [decision("rex@example.com", at: "2026-11-26T12:00:00Z")], counted: ["rex@example.com"]),
        Case(
            name: "commit date unknown: not checked", decisions: [decision("rex@example.com", at: "2020-01-01T00:00:00Z")],
            counted: ["rex@example.com"], committed: nil),
        Case(
            name: "carried over: dated after the commit it names, before this one",
            decisions: [decision("rex@example.com", at: "2026-11-24T12:00:00Z", rebasedFrom: "fedcba9876543210fedcba9876543210fedcba98", rebasedFromTime: "2026-11-23T12:00:00Z")],
            counted: ["rex@example.com"]),
        Case(
            name: "carried over: dated before the commit it names",
            decisions: [decision("rex@example.com", at: "2026-11-22T12:00:00Z", rebasedFrom: "fedcba9876543210fedcba9876543210fedcba98", rebasedFromTime: "2026-11-23T12:00:00Z")],
            counted: [], refused: ["approval by rex@example.com does not count: it is dated 2026-11-22T12:00:00Z, before fedcba987654 was committed (2026-11-23T12:00:00Z)"]),
        Case(
            name: "carried over from a commit whose date is unknown: not checked",
            decisions: [decision("rex@example.com", at: "2020-01-01T00:00:00Z", rebasedFrom: "fedcba9876543210fedcba9876543210fedcba98")],
            counted: ["rex@example.com"]),
        Case(
            name: "a rejection dated before the commit it names cancels nothing",
            decisions: [decision("rex@example.com", key: "K1", ["rex@example.com"], at: "2026-11-25T12:10:00Z"),
                        decision("rex@example.com", key: "K1", ["rex@example.com"], .reject, at: "2026-11-25T12:20:00Z",
                                 rebasedFrom: "fedcba9876543210fedcba9876543210fedcba98", rebasedFromTime: "2026-11-25T12:30:00Z")],
            counted: ["rex@example.com"],
            refused: ["rejection by rex@example.com does not count: it is dated 2026-11-25T12:20:00Z, before fedcba987654 was committed"]),
        Case(
            name: "a backdated approval does not outvote the same reviewer's rejection",
            decisions: [decision("rex@example.com", key: "K1", ["rex@example.com"], .reject, at: "2026-11-25T12:10:00Z"),
                        decision("rex@corp.example", key: "K1", ["rex@example.com,rex@corp.example"], at: "2026-11-25T12:20:00Z",
                                 rebasedFrom: "fedcba9876543210fedcba9876543210fedcba98", rebasedFromTime: "2026-11-25T12:30:00Z")],
            counted: [], refused: ["approval by rex@corp.example does not count: it is dated", "rex@example.com rejected this commit"]),
    ]

    @Test("a decision dated before the commit it names does not count", arguments: datedCases)
    func dates(c: Case) { Self.check(c) }

    struct Person: Sendable, CustomTestStringConvertible {
        var name: String
        var approval: Signoff.Approval
        var isPerson: Bool
        var testDescription: String { name }
    }

    static let persons: [Person] = [
        Person(name: "signed as the bot", approval: decision("ci@example.com", key: "K1", ["ci@example.com"]), isPerson: false),
        Person(name: "a key listed for the bot and a person", approval: decision("carl@example.com", key: "K1", ["ci@example.com,carl@example.com"]), isPerson: false),
        Person(name: "the bot on another line of the same key", approval: decision("carl@example.com", key: "K1", ["carl@example.com", "ci@example.com"]), isPerson: false),
        Person(name: "a pattern that could sign as the bot", approval: decision("carl@example.com", key: "W", ["c?@example.com,carl@example.com"]), isPerson: false),
        Person(name: "the bot listed in other case", approval: decision("carl@example.com", key: "K1", ["CI@example.com,carl@example.com"]), isPerson: false),
        Person(name: "a person's own key", approval: decision("carl@example.com", key: "K2", ["carl@example.com"]), isPerson: true),
        Person(name: "a pattern with the bot negated", approval: decision("carl@example.com", key: "W", ["c?@example.com,carl@example.com,!ci@example.com"]), isPerson: true),
    ]

    @Test("human sign-off: a key listed for a bot is a bot's, whatever else it is listed for", arguments: persons)
    func humanSignoff(person: Person) {
        var policy = EvaluatorTests.policy
        policy.classes[1].humanSignoff = true
        // carl's other key is also listed for ci: that makes neither carl's own key a bot's.
        let aliases = PrincipalAliases([(key: "K1", principals: "ci@example.com,carl@example.com")])
        let report = Evaluator(policy: policy).judge(
            Self.commit(), signoff: Signoff(approvals: [person.approval], aliases: aliases), mode: .enforce)
        // It counts as an approval either way; only whether it is a person's differs.
        #expect(report.approvals.map(\.reviewer) == [person.approval.reviewer])
        #expect(report.missing.contains { $0.requirement == "human_signoff" } == !person.isPerson)
        #expect(report.approvals.first?.meets.contains("human sign-off") == person.isPerson)
    }

    @Test("owners: only the principal an approval is signed as makes it an owner's")
    func ownersGoByTheSignedPrincipal() {
        let ivy = "ivy@example.com,ivy@corp.example"
        let asAlias = Self.evaluator.judge(
            Self.commit(["infra/main.tf"]),
            signoff: Signoff(approvals: [Self.decision("ivy@corp.example", key: "K1", [ivy])], passedGates: ["tests"]), mode: .enforce)
        #expect(asAlias.missing.contains { $0.requirement == "owners" })
        let asOwner = Self.evaluator.judge(
            Self.commit(["infra/main.tf"]),
            signoff: Signoff(approvals: [Self.decision("ivy@example.com", key: "K1", [ivy])], passedGates: ["tests"]), mode: .enforce)
        #expect(!asOwner.missing.contains { $0.requirement == "owners" })
        #expect(asOwner.approvals.first?.meets.contains("owner of infra/main.tf") == true)
    }
}
