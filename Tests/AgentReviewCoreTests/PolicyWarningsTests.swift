import Foundation
import Testing

@testable import AgentReviewCore

/// How the rule that set a path's class is represented: in full, naming the policy (a
/// reason, JSON's `rule`, unchanged), by its line alone (JSON's `line`), and briefly for a
/// report that names the policy once (`"infra/" (line 12)`).
@Suite struct RuleRepresentationTests {
    static let origin = "refs/heads/main@1a2b3c4d5e6f:.agentreview/policy.yml"
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
        escalations:
          executable: high
        """, file: origin)

    struct Case: Sendable, CustomTestStringConvertible {
        var path: String
        var rule: String
        var line: Int?
        var brief: String
        var testDescription: String { path }
    }

    @Test(arguments: [
        Case(path: "docs/guide.md", rule: "\"docs/\" at \(origin):10", line: 10, brief: "\"docs/\" (line 10)"),
        Case(path: "infra/main.tf", rule: "\"infra/\" at \(origin):11", line: 11, brief: "\"infra/\" (line 11)"),
        Case(path: "INFRA/main.tf", rule: "\"infra/\" at \(origin):11 (matched ignoring case)", line: 11,
             brief: "\"infra/\" (line 11, matched ignoring case)"),
        Case(path: "src/a.swift", rule: "default_class", line: nil, brief: "default_class"),
        Case(path: ".agentreview/policy.yml", rule: "trusted file (/.agentreview/): always the highest class", line: nil,
             brief: "trusted file (/.agentreview/): always the highest class"),
    ])
    func aPathsRuleInEachForm(_ example: Case) {
        let classified = Classifier(policy: Self.policy).classify(GitPath(example.path))
        #expect(classified.rule == example.rule)
        #expect(classified.line == example.line)
        #expect(classified.brief == example.brief)
    }

    /// An escalation replaces the path rule, line and all.
    @Test func anEscalationHasNoLine() {
        let result = Classifier(policy: Self.policy).classify([PathChange(.added, "docs/run.sh", from: .absent, to: .executable)])
        #expect(result.paths.map(\.rule) == ["escalation executable: file made executable"])
        #expect(result.paths.map(\.line) == [nil])
        #expect(result.paths.map(\.brief) == ["escalation executable: file made executable"])
    }

    /// JSON keeps `rule` as it was and gains `line` only where a path rule set the class;
    /// the brief form is not in it, and a report read back has the full rule there.
    @Test(arguments: [
        ("infra/main.tf", #"{"class":"high","line":11,"path":"infra/main.tf","rule":"\"infra/\" at refs/heads/main@1a2b3c4d5e6f:.agentreview/policy.yml:11"}"#),
        ("src/a.swift", #"{"class":"medium","path":"src/a.swift","rule":"default_class"}"#),
    ])
    func pathReportJSON(path: String, json: String) throws {
        let classified = Classifier(policy: Self.policy).classify(GitPath(path))
        let report = PathReport(classified, class: Self.policy.classes[classified.rank].name)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: try encoder.encode(report), as: UTF8.self) == json)
        let decoded = try JSONDecoder().decode(PathReport.self, from: Data(json.utf8))
        #expect(decoded.rule == report.rule)
        #expect(decoded.line == report.line)
        #expect(decoded.brief == report.rule)
    }
}

/// An unknown key in a policy is answered with the allowed key at most two edits away
/// (ignoring case and `-`/`_`; a key cut short or extended counts as one), else with the list.
@Suite struct KeySuggestionTests {
    static let classes = "version: 1\nclasses:\n  - name: high\n"

    static func problems(_ yaml: String) -> [String] {
        do {
            _ = try PolicyLoader.load(yaml: yaml, file: "p.yml")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test(arguments: [
        ("    aprovals: 2\n", "p.yml:4: unknown key 'aprovals' in class 'high'; did you mean 'approvals'?"),
        ("    aprvals: 2\n", "p.yml:4: unknown key 'aprvals' in class 'high'; did you mean 'approvals'?"),
        ("    aprvls: 2\n", "p.yml:4: unknown key 'aprvls' in class 'high' (known keys: name, approvals, owners, human_signoff, gates)"),
        ("    Human-Signoff: true\n", "p.yml:4: unknown key 'Human-Signoff' in class 'high'; did you mean 'human_signoff'?"),
        ("    humansignoff: true\n", "p.yml:4: unknown key 'humansignoff' in class 'high'; did you mean 'human_signoff'?"),
        ("    owner: true\n", "p.yml:4: unknown key 'owner' in class 'high'; did you mean 'owners'?"),
        ("defualt_mode: warn\n", "p.yml:4: unknown key 'defualt_mode' in the policy; did you mean 'default_mode'?"),
        ("escalation: {}\n", "p.yml:4: unknown key 'escalation' in the policy; did you mean 'escalations'?"),
        ("classses: []\n", "p.yml:4: unknown key 'classses' in the policy; did you mean 'classes'?"),
        ("gates:\n  tests: { singers: [ci@example.com] }\n",
         "p.yml:5: unknown key 'singers' in gate 'tests'; did you mean 'signers'?"),
        ("escalations:\n  changed_lines: { ovr: 10, over: 10, class: high }\n",
         "p.yml:5: unknown key 'ovr' in 'changed_lines'; did you mean 'over'?"),
        // A key of another level is three or more edits from every key allowed here.
        ("unsigned_is_agent: true\n",
         "p.yml:4: unknown key 'unsigned_is_agent' in the policy (known keys: version, classes, default_class, paths, escalations, agents, applies_to, refs, default_mode, signers, owners, teams, users, bots, revoked, gates, contracts, declared_class, overrides)"),
    ])
    func suggestion(yaml: String, expected: String) {
        #expect(Self.problems(Self.classes + yaml).contains(expected), "\(Self.problems(Self.classes + yaml))")
    }

    @Test func aMistypedKeyOfAnEntryIsSuggestedAlongsideWhatIsMissing() {
        #expect(Self.problems(Self.classes + "refs:\n  - { pattren: refs/heads/main, mode: warn }\n") == [
            "p.yml:5: refs entry has no 'pattern'",
            "p.yml:5: unknown key 'pattren' in refs entry; did you mean 'pattern'?",
        ])
    }
}

/// A missing owners approval names who is in each `@team` or `@user` (the policy's `teams`
/// and `users`), so the author knows whom to ask.
@Suite struct OwnersNamingTests {
    static let policy = try! PolicyLoader.load(yaml: """
        version: 1
        classes:
          - name: high
            owners: true
        teams:
          infra: [ivy@example.com, ike@example.com]
          big: [a@example.com, b@example.com, c@example.com, d@example.com, e@example.com, f@example.com, g@example.com]
        users:
          erin: erin@example.com
        """, file: "p.yml")
    static let owners = CodeOwners(text: """
        /a/ @infra
        /b/ @acme/infra
        /c/ @erin
        /d/ @ghost
        /e/ bob@example.com @erin
        /f/ @big

        """, source: "CODEOWNERS")

    @Test(arguments: [
        ("a/x", "an owner of a/x: @infra (ivy@example.com, ike@example.com)"),
        ("b/x", "an owner of b/x: @acme/infra (ivy@example.com, ike@example.com)"),
        ("c/x", "an owner of c/x: @erin (erin@example.com)"),
        ("d/x", "an owner of d/x: @ghost (in neither the policy's teams nor its users: nobody)"),
        ("e/x", "an owner of e/x: bob@example.com, @erin (erin@example.com)"),
        ("f/x", "an owner of f/x: @big (a@example.com, b@example.com, c@example.com, d@example.com, e@example.com and 2 more)"),
    ])
    func ownersAreNamedWithTheirPeople(path: String, by: String) {
        let commit = CommitFacts(
            id: "0123456789abcdef0123456789abcdef01234567",
            author: Identity(name: "Ann", email: "ann@example.com"), committer: Identity(name: "Ann", email: "ann@example.com"),
            subject: "Change", trailers: [Trailer(key: "Agent", value: "bot/1")], changes: [PathChange(.modified, path)])
        let report = Evaluator(policy: Self.policy, owners: Self.owners).judge(commit, mode: .enforce)
        let missing = report.missing.first { $0.requirement == "owners" }
        #expect(missing?.by == by)
        #expect(missing?.detail == "approval from " + by)
    }
}

/// `policy check`'s warnings: requirements no key the allowed_signers lists can meet.
@Suite struct PolicyWarningsTests {
    static let keyA = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMEHwk7EvaCCIkTiAg/eQ+a0O0Tnbq8mDm7srg8RgUfp"
    static let keyB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICt35+tzND06dJG1PrWRdFoxKTosuz7o9Jyyf/xbuCX+"
    static let keyC = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMI1m7tl9RRvV1Ar9hyOnPUJl3exNWWxOwQXFjLzUSYM"
    static let now = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15

    /// Line 6 is class high, line 4 class medium.
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
        paths:
          - { pattern: "infra/", class: high }
        bots: [ci@example.com, "deploy@bots.example"]
        teams:
          platform: [carol@example.com, dave@example.com]
          empty: []
        users:
          erin: erin@example.com
        """, file: "p.yml")

    static let twoApprovals = "p.yml:6: warning: class 'high' needs 2 approvals, but allowed_signers lists 1 reviewer (keys for namespace \"agentreview\", one per person): its commits can never pass"

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// allowed_signers text: `A`, `B`, `C` stand for three keys.
        var signers: String
        var owners: String? = nil
        var revoked: String = ""
        var expected: [String]
        var testDescription: String { name }

        func warnings(policy: Policy = PolicyWarningsTests.policy) -> [String] {
            func keys(_ text: String) -> String {
                text.replacingOccurrences(of: "KEY_A", with: PolicyWarningsTests.keyA)
                    .replacingOccurrences(of: "KEY_B", with: PolicyWarningsTests.keyB)
                    .replacingOccurrences(of: "KEY_C", with: PolicyWarningsTests.keyC)
            }
            return PolicyWarnings.check(
                policy: policy, signers: AllowedSigners(text: keys(signers), source: "allowed_signers"),
                revoked: RevokedKeys(text: keys(revoked), source: "revoked"),
                owners: owners.map { CodeOwners(text: $0, source: "CODEOWNERS") }, now: PolicyWarningsTests.now
            ).map(\.description)
        }
    }

    @Test(arguments: [
        Case(name: "two people", signers: "alice@example.com KEY_A\nbob@example.com KEY_B\n", expected: []),
        Case(name: "one person", signers: "alice@example.com KEY_A\n", expected: [twoApprovals]),
        Case(name: "one person with two keys", signers: "alice@example.com KEY_A\nalice@example.com KEY_B\n",
             expected: [twoApprovals]),
        Case(name: "aliases chain through keys",
             signers: "alice@example.com KEY_A\nalice@corp.example,alice@example.com KEY_B\n", expected: [twoApprovals]),
        Case(name: "a pattern key may be anyone it matches", signers: "*@example.com KEY_A\nbob@example.com KEY_B\n",
             expected: [twoApprovals]),
        Case(name: "a key for git signatures only", signers: "alice@example.com KEY_A\nbob@example.com namespaces=\"git\" KEY_B\n",
             expected: [twoApprovals]),
        Case(name: "a revoked key", signers: "alice@example.com KEY_A\nbob@example.com KEY_B\n", revoked: "KEY_B\n",
             expected: [twoApprovals]),
        Case(name: "an expired key", signers: "alice@example.com KEY_A\nbob@example.com valid-before=\"20200101Z\" KEY_B\n",
             expected: [twoApprovals]),
        Case(name: "a key valid from a later date counts", signers: "alice@example.com KEY_A\nbob@example.com valid-after=\"20300101Z\" KEY_B\n",
             expected: []),
        Case(name: "nobody listed", signers: "# nobody yet\n", expected: [
            "p.yml:4: warning: class 'medium' needs 1 approval, but allowed_signers lists 0 reviewers (keys for namespace \"agentreview\", one per person): its commits can never pass",
            "p.yml:6: warning: class 'high' needs 2 approvals, but allowed_signers lists 0 reviewers (keys for namespace \"agentreview\", one per person): its commits can never pass",
            "p.yml:6: warning: class 'high' requires a human sign-off, but allowed_signers lists no key for namespace \"agentreview\": its commits can never pass",
        ]),
        Case(name: "every key a bot's", signers: "ci@example.com KEY_A\n*@bots.example KEY_B\n", expected: [
            "p.yml:6: warning: class 'high' requires a human sign-off, but every key allowed_signers lists is a bot's (bots: ci@example.com, deploy@bots.example): its commits can never pass",
        ]),
        Case(name: "a key a bot shares with a person is the bot's", signers: "ci@example.com,alice@example.com KEY_A\nci@example.com KEY_B\n", expected: [
            twoApprovals,
            "p.yml:6: warning: class 'high' requires a human sign-off, but every key allowed_signers lists is a bot's (bots: ci@example.com, deploy@bots.example): its commits can never pass",
        ]),
    ])
    func approvalsAndHumanSignoff(_ example: Case) {
        #expect(example.warnings() == example.expected)
    }

    static let people = "alice@example.com KEY_A\nbob@example.com KEY_B\n"

    @Test(arguments: [
        Case(name: "an owner with a key", signers: people, owners: "infra/ alice@example.com\n", expected: []),
        Case(name: "owners are compared ignoring case", signers: people, owners: "infra/ Alice@Example.COM\n", expected: []),
        Case(name: "a team with one member listed", signers: people + "dave@example.com KEY_C\n", owners: "infra/ @acme/platform\n", expected: []),
        Case(name: "a user with a key", signers: people + "erin@example.com KEY_C\n", owners: "infra/ @erin\n", expected: []),
        Case(name: "an owner without a key", signers: people, owners: "# owners\ninfra/ carol@example.com\n", expected: [
            "CODEOWNERS:2: warning: owner carol@example.com cannot approve: no key in allowed_signers is listed for carol@example.com; class 'high' requires owners, so a commit touching 'infra/' (line 2) can never pass",
        ]),
        Case(name: "an owner without a key beside one with", signers: people, owners: "infra/ carol@example.com alice@example.com\n", expected: [
            "CODEOWNERS:1: warning: owner carol@example.com cannot approve: no key in allowed_signers is listed for carol@example.com; the other owners of its paths still can",
        ]),
        Case(name: "a team nobody of which has a key", signers: people, owners: "infra/ @acme/platform\n", expected: [
            "CODEOWNERS:1: warning: owner @acme/platform cannot approve: no key in allowed_signers is listed for any of carol@example.com, dave@example.com; class 'high' requires owners, so a commit touching 'infra/' (line 1) can never pass",
        ]),
        Case(name: "a team the policy does not name", signers: people, owners: "infra/ @acme/infra\n/deploy/ @ghost alice@example.com\n", expected: [
            "CODEOWNERS:1: warning: owner @acme/infra cannot approve: neither the policy's teams nor its users name 'acme/infra' or 'infra'; class 'high' requires owners, so a commit touching 'infra/' (line 1) can never pass",
            "CODEOWNERS:2: warning: owner @ghost cannot approve: neither the policy's teams nor its users name 'ghost'; the other owners of its paths still can",
        ]),
        Case(name: "an empty team", signers: people, owners: "infra/ @empty\n", expected: [
            "CODEOWNERS:1: warning: owner @empty cannot approve: the policy's team lists nobody; class 'high' requires owners, so a commit touching 'infra/' (line 1) can never pass",
        ]),
        Case(name: "a user without a key, once however many lines name them", signers: people, owners: "infra/ @erin\n*.tf @erin\n", expected: [
            "CODEOWNERS:1: warning: owner @erin cannot approve: no key in allowed_signers is listed for erin@example.com; class 'high' requires owners, so a commit touching 'infra/' (line 1), '*.tf' (line 2) can never pass",
        ]),
        Case(name: "a line naming nobody is no owner", signers: people, owners: "infra/\n", expected: []),
    ])
    func owners(_ example: Case) {
        #expect(example.warnings() == example.expected)
    }

    @Test func ownersAreCheckedOnlyWhenAClassRequiresThem() throws {
        let policy = try PolicyLoader.load(yaml: "version: 1\nclasses:\n  - name: low\n", file: "p.yml")
        let example = Case(name: "no class requires owners", signers: Self.people, owners: "infra/ @ghost carol@example.com\n", expected: [])
        #expect(example.warnings(policy: policy) == [])
    }

    /// A warning about the policy points at the class's line and column; one about CODEOWNERS at its line only.
    @Test func warningsSayWhere() {
        let warnings = PolicyWarnings.check(
            policy: Self.policy, signers: AllowedSigners(text: "", source: "allowed_signers"),
            owners: CodeOwners(text: "infra/ @ghost\n", source: "CODEOWNERS"), now: Self.now)
        let first = warnings.first
        #expect(first?.file == "p.yml" && first?.line == 4 && first?.column == 5)
        let owner = warnings.last
        #expect(owner?.file == "CODEOWNERS" && owner?.line == 1 && owner?.column == nil)
    }

    // MARK: Contracts and overrides

    static func governed(_ extra: String, appliesTo: String = "agents", highest: String = "    approvals: 1\n") throws -> Policy {
        try PolicyLoader.load(yaml: """
            version: 1
            classes:
              - name: low
              - name: high
            \(highest)applies_to: \(appliesTo)
            teams: { sre: [sam@example.com, sue@example.com], nobody: [] }
            users: { olga: olga@example.com }

            """ + extra, file: "p.yml")
    }

    static let oneKey = Case(name: "alice and bob", signers: "alice@example.com KEY_A\nbob@example.com KEY_B\n", expected: [])

    @Test func requiringAContractOfAllCommitsWhileJudgingAgentsOnlySaysWhatItMeans() throws {
        let all = "contracts:\n  required: all\n"
        #expect(Self.oneKey.warnings(policy: try Self.governed(all)) == [
            "p.yml:9: warning: contracts.required: all, but applies_to: agents judges agent commits only: 'all' then means every agent commit, as 'agents' does (write applies_to: all for a contract on every commit)",
        ])
        #expect(Self.oneKey.warnings(policy: try Self.governed(all, appliesTo: "all")) == [])
        #expect(Self.oneKey.warnings(policy: try Self.governed(all, appliesTo: "agents+bots")) == [])
        #expect(Self.oneKey.warnings(policy: try Self.governed("contracts:\n  required: agents\n")) == [])
    }

    @Test func raisingToAClassThatRequiresNothingChangesNothing() throws {
        let raise = "contracts:\n  on_violation: raise-class\n"
        #expect(Self.oneKey.warnings(policy: try Self.governed(raise, highest: "")) == [
            "p.yml:8: warning: contracts.on_violation: raise-class raises a commit that breaks its contract to class 'high', which requires no sign-off: raising changes nothing, and every violation passes (use on_violation: block, or give 'high' a requirement)",
        ])
        #expect(Self.oneKey.warnings(policy: try Self.governed(raise)) == [])
        #expect(Self.oneKey.warnings(policy: try Self.governed(raise, highest: "    human_signoff: true\n")) == [])
        #expect(Self.oneKey.warnings(policy: try Self.governed("contracts:\n  on_violation: block\n", highest: "")) == [])
    }

    @Test func overrideSignersWithoutAKey() throws {
        let policy = try Self.governed("""
            overrides:
              signers: [alice@example.com, Bob@Example.com, carol@example.com, "@sre", "@olga", "@nobody"]

            """)
        #expect(Self.oneKey.warnings(policy: policy) == [
            "p.yml:9: warning: override signer carol@example.com cannot sign an override: no key in allowed_signers is listed for carol@example.com",
            "p.yml:9: warning: override signer @sre cannot sign an override: no key in allowed_signers is listed for any of sam@example.com, sue@example.com",
            "p.yml:9: warning: override signer @olga cannot sign an override: no key in allowed_signers is listed for olga@example.com",
            "p.yml:9: warning: override signer @nobody cannot sign an override: the policy's team lists nobody",
        ])
        // One member of the team with a key is enough; a revoked key is no key.
        let sue = Case(name: "sue", signers: "alice@example.com KEY_A\nbob@example.com KEY_B\nsue@example.com,olga@example.com,carol@example.com KEY_C\n", expected: [])
        #expect(sue.warnings(policy: policy) == [
            "p.yml:9: warning: override signer @nobody cannot sign an override: the policy's team lists nobody",
        ])
        var revoked = sue
        revoked.revoked = "KEY_C\n"
        #expect(revoked.warnings(policy: policy).count == 4)
    }
}
