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
        #expect(report.missing[1].detail == "approval from an owner of infra/main.tf (@infra)")
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
