import Foundation
import Testing

@testable import AgentReviewCore

/// The diagnostics a policy text produces, as `file:line: message` strings ([] when it loads).
private func problems(_ yaml: String, file: String = "p.yml") -> [String] {
    do throws(PolicyError) {
        _ = try PolicyLoader.load(yaml: yaml, file: file)
        return []
    } catch {
        return error.diagnostics.map(\.description)
    }
}

/// Loads a policy that must be valid, recording its diagnostics as the failure otherwise.
private func valid(_ yaml: String, file: String = "p.yml", sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Policy? {
    do throws(PolicyError) {
        return try PolicyLoader.load(yaml: yaml, file: file)
    } catch {
        Issue.record("expected a valid policy, got:\n\(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A valid policy to which tests append one problem: classes low (line 3) and high (line 4).
private let base = """
    version: 1
    classes:
      - name: low
      - name: high

    """

@Suite struct PolicyLoaderTests {

    // MARK: Whole policies

    @Test func designExampleLoadsWithEveryValue() throws {
        let yaml = """
            version: 1
            classes:                  # ordered, lowest first
              - name: low
                approvals: 0
              - name: medium
                approvals: 1
                gates: [tests]
              - name: high
                approvals: 2
                owners: true          # an owner (CODEOWNERS) of every owned touched path must approve
                human_signoff: true   # at least one approver is a person, not a bot principal
                gates: [tests, lint]
            default_class: medium     # for paths no rule matches
            paths:                    # gitignore/CODEOWNERS patterns; the highest class among matches wins
              - { pattern: "docs/", class: low }
              - { pattern: "*.md", class: low }
              - { pattern: "infra/", class: high }
              - { pattern: ".github/workflows/", class: high }
            escalations:              # optional; binary and changed_lines need blob contents
              submodule: high
              symlink: high
              executable: high
              binary: medium
              changed_lines: { over: 1000, class: high }
            agents:
              builtin: true           # the identities in the table above
              identities: ["Build Bot <bot@corp.example>"]   # extra exact identities or glob patterns
              trailers: [Agent]       # trailer keys whose presence marks an agent commit
              unsigned_is_agent: false
            applies_to: agents        # agents | all
            refs:                     # first match wins; unmatched refs use default_mode
              - { pattern: "refs/heads/main", mode: enforce }
              - { pattern: "refs/heads/release/*", mode: enforce }
            default_mode: warn        # enforce | warn | off
            signers: .agentreview/allowed_signers   # OpenSSH allowed_signers
            owners: auto              # GitHub's CODEOWNERS locations, or a path
            teams: { infra: [alice@example.com, bob@example.com] }   # @infra in CODEOWNERS
            users: { alice: alice@example.com }                        # @alice in CODEOWNERS
            bots: [ci@example.com]    # principals that are machines: never a human sign-off
            revoked: .agentreview/revoked_keys      # public keys whose signatures no longer count
            gates:
              tests: { signers: [ci@example.com] }
              lint: { signers: [ci@example.com, lint@example.com] }

            """
        let policy = try #require(valid(yaml, file: "refs/heads/main:.agentreview/policy.yml"))
        #expect(policy.version == 1)
        #expect(policy.source == "refs/heads/main:.agentreview/policy.yml")
        #expect(policy.classes.map(\.name) == ["low", "medium", "high"])
        #expect(policy.classes.map(\.approvals) == [0, 1, 2])
        #expect(policy.classes.map(\.owners) == [false, false, true])
        #expect(policy.classes.map(\.humanSignoff) == [false, false, true])
        #expect(policy.classes.map(\.gates) == [[], ["tests"], ["tests", "lint"]])
        #expect(policy.classes.map { $0.location?.line } == [3, 5, 8])
        #expect(policy.defaultClass == 1)
        #expect(policy.paths.map(\.pattern.source) == ["docs/", "*.md", "infra/", ".github/workflows/"])
        #expect(policy.paths.map(\.classRank) == [0, 0, 2, 2])
        #expect(policy.paths.map { $0.location?.line } == [15, 16, 17, 18])
        #expect(policy.paths.first?.location?.file == "refs/heads/main:.agentreview/policy.yml")
        #expect(policy.escalations == Escalations(
            submodule: 2, symlink: 2, executable: 2, binary: 1, changedLines: .init(over: 1000, classRank: 2)))
        #expect(policy.agents == AgentSettings(
            builtin: true, identities: ["Build Bot <bot@corp.example>"], trailers: ["Agent"], unsignedIsAgent: false))
        #expect(policy.appliesTo == .agents)
        #expect(policy.refs.map(\.pattern.source) == ["refs/heads/main", "refs/heads/release/*"])
        #expect(policy.refs.map(\.mode) == [.enforce, .enforce])
        #expect(policy.refs.map { $0.location?.line } == [32, 33])
        #expect(policy.defaultMode == .warn)
        #expect(policy.signers == ".agentreview/allowed_signers")
        #expect(policy.owners == .auto)
        #expect(policy.teams == ["infra": ["alice@example.com", "bob@example.com"]])
        #expect(policy.users == ["alice": "alice@example.com"])
        #expect(policy.bots == ["ci@example.com"])
        #expect(policy.revoked == ".agentreview/revoked_keys")
        #expect(policy.gates == [
            "tests": GateRule(signers: ["ci@example.com"]),
            "lint": GateRule(signers: ["ci@example.com", "lint@example.com"]),
        ])
    }

    @Test func defaultsFailSafe() throws {
        let policy = try #require(valid("version: 1\nclasses: [{name: low}, {name: medium}, {name: high}]\n"))
        #expect(policy.defaultClass == 2, "unmatched paths get the highest class")
        #expect(policy.defaultMode == .enforce)
        #expect(policy.appliesTo == .agents)
        #expect(policy.agents == AgentSettings(builtin: true, identities: [], trailers: [], unsignedIsAgent: false))
        #expect(policy.signers == ".agentreview/allowed_signers")
        #expect(policy.owners == .auto)
        #expect(policy.paths.isEmpty)
        #expect(policy.refs.isEmpty)
        #expect(policy.escalations == Escalations())
        #expect(policy.teams.isEmpty && policy.users.isEmpty && policy.bots.isEmpty && policy.gates.isEmpty)
        #expect(policy.revoked == nil)
        #expect(policy.classes.map(\.approvals) == [0, 0, 0])
        #expect(policy.classes.allSatisfy { !$0.owners && !$0.humanSignoff && $0.gates.isEmpty })
        #expect(policy.source == "p.yml")
    }

    @Test func emptyValuesOfOptionalListsMeanNone() throws {
        let policy = try #require(valid(base + "paths:\nrefs:\nescalations:\nteams:\nbots:\ngates:\n"))
        #expect(policy.paths.isEmpty && policy.refs.isEmpty && policy.bots.isEmpty)
        #expect(policy.escalations == Escalations())
    }

    @Test func offIsAModeNotABoolean() throws {
        // YAML 1.1 reads a plain `off` as false; a mode is read as the word written.
        let policy = try #require(valid(base + "default_mode: off\nrefs:\n  - { pattern: refs/heads/main, mode: off }\n"))
        #expect(policy.defaultMode == .off)
        #expect(policy.refs.map(\.mode) == [.off])
    }

    @Test func ownersMayBeAPath() throws {
        let policy = try #require(valid(base + "owners: .github/CODEOWNERS\napplies_to: all\n"))
        #expect(policy.owners == .path(".github/CODEOWNERS"))
        #expect(policy.appliesTo == .all)
    }

    // MARK: The document

    @Test func yamlSyntaxErrorNamesTheLineYamsReports() {
        let yaml = """
            version: 1
            classes:
              - name: low
                approvals: [1, 2
            default_class: low

            """
        let found = problems(yaml)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("p.yml:5: invalid YAML: did not find expected ',' or ']'") == true, "\(found)")
        #expect(found.first?.contains("while parsing a flow sequence at line 4") == true, "\(found)")
    }

    @Test func tabIndentationIsASyntaxError() {
        #expect(problems("version: 1\nclasses:\n\t- name: low\n")
            == ["p.yml:3: invalid YAML: found character that cannot start any token (while scanning for the next token at line 3)"])
    }

    @Test func documentMustBeAMapping() {
        #expect(problems("- version\n- 1\n") == ["p.yml:1: the policy must be a mapping of keys to values, found a list"])
        #expect(problems("# a comment\nversion 1\n") == ["p.yml:2: the policy must be a mapping of keys to values, found the string \"version 1\""])
    }

    @Test func emptyPolicyIsAnError() {
        let message = "p.yml:1: the policy is empty; it needs at least 'version: 1' and 'classes'"
        #expect(problems("") == [message])
        #expect(problems("# nothing but a comment\n\n") == [message])
        #expect(problems("~\n") == [message])
    }

    @Test func aSecondDocumentIsRefused() {
        #expect(problems(base + "---\nversion: 1\n") == ["p.yml:5: a policy is a single YAML document, but another one starts here"])
    }

    // MARK: Version

    @Test func versionIsRequired() {
        #expect(problems("# policy\nclasses: [{name: low}]\n") == ["p.yml:2: missing required key 'version' (write 'version: 1')"])
    }

    @Test func versionMustBeAnInteger() {
        #expect(problems("version: \"1\"\nclasses: [{name: low}]\n") == ["p.yml:1: 'version' must be an integer, found the string \"1\""])
        #expect(problems("version: 1.0\nclasses: [{name: low}]\n") == ["p.yml:1: 'version' must be an integer, found the number 1.0"])
        // Tagged as an integer but quoted: no integer to Yams, and none here either.
        #expect(problems("version: !!int \"1\"\nclasses: [{name: low}]\n").first?.hasPrefix("p.yml:1: 'version' is too large") == true)
        // Integers in every plain form Yams reads, and none it does not.
        #expect(problems("version: 0b1\nclasses: [{name: low}]\n") == [])
        #expect(problems("version: +1\nclasses: [{name: low}]\n") == [])
        #expect(problems("version: 0_1\nclasses: [{name: low}]\n") == [])
        #expect(problems("version: 99999999999999999999\nclasses: [{name: low}]\n").first?.hasPrefix("p.yml:1: 'version' is too large") == true)
    }

    @Test func newerVersionIsRefusedByNameAndNothingElseIsJudged() {
        let yaml = """
            # from the future
            version: 2
            classes: { low: { approvals: 0 } }
            frobnicate: true

            """
        #expect(problems(yaml) == ["p.yml:2: policy version 2 is newer than this agentreview understands (1); upgrade agentreview"])
    }

    @Test func versionZeroDoesNotExist() {
        #expect(problems("version: 0\nclasses: [{name: low}]\n")
            == ["p.yml:1: policy version 0 does not exist; this agentreview understands version 1"])
    }

    // MARK: Unknown keys

    struct UnknownKeyCase: Sendable, CustomTestStringConvertible {
        var level: String
        var yaml: String
        var expected: [String]
        init(level: String, yaml: String, expected: String...) {
            self.level = level
            self.yaml = yaml
            self.expected = expected
        }
        var testDescription: String { level }
    }

    @Test(arguments: [
        UnknownKeyCase(level: "top level", yaml: base + "default_clas: low\n",
                       expected: "p.yml:5: unknown key 'default_clas' in the policy; did you mean 'default_class'?"),
        UnknownKeyCase(level: "top level, dash for underscore", yaml: base + "default-mode: warn\n",
                       expected: "p.yml:5: unknown key 'default-mode' in the policy; did you mean 'default_mode'?"),
        UnknownKeyCase(level: "top level, nothing close", yaml: base + "frobnicate: 1\n",
                       expected: "p.yml:5: unknown key 'frobnicate' in the policy (known keys: version, classes, default_class, paths, escalations, agents, applies_to, refs, default_mode, signers, owners, teams, users, bots, revoked, gates, contracts, declared_class, overrides)"),
        UnknownKeyCase(level: "class entry", yaml: "version: 1\nclasses:\n  - name: high\n    aprovals: 2\n",
                       expected: "p.yml:4: unknown key 'aprovals' in class 'high'; did you mean 'approvals'?"),
        UnknownKeyCase(level: "class entry without a name", yaml: "version: 1\nclasses:\n  - nmae: high\n",
                       expected: "p.yml:3: unknown key 'nmae' in classes entry; did you mean 'name'?", "p.yml:3: class entry has no 'name'"),
        UnknownKeyCase(level: "paths entry", yaml: base + "paths:\n  - { pattern: docs/, clas: low }\n",
                       expected: "p.yml:6: paths entry has no 'class'", "p.yml:6: unknown key 'clas' in paths entry; did you mean 'class'?"),
        UnknownKeyCase(level: "escalations", yaml: base + "escalations:\n  symlinks: high\n",
                       expected: "p.yml:6: unknown key 'symlinks' in 'escalations'; did you mean 'symlink'?"),
        UnknownKeyCase(level: "changed_lines", yaml: base + "escalations:\n  changed_lines:\n    over: 10\n    class: high\n    under: 2\n",
                       expected: "p.yml:9: unknown key 'under' in 'changed_lines' (known keys: over, class)"),
        UnknownKeyCase(level: "agents", yaml: base + "agents:\n  trailer: [Agent]\n",
                       expected: "p.yml:6: unknown key 'trailer' in 'agents'; did you mean 'trailers'?"),
        UnknownKeyCase(level: "refs entry", yaml: base + "refs:\n  - { pattern: refs/heads/main, mdoe: warn, mode: warn }\n",
                       expected: "p.yml:6: unknown key 'mdoe' in refs entry; did you mean 'mode'?"),
        UnknownKeyCase(level: "gates entry", yaml: base + "gates:\n  tests: { signer: [ci@example.com], signers: [ci@example.com] }\n",
                       expected: "p.yml:6: unknown key 'signer' in gate 'tests'; did you mean 'signers'?"),
        UnknownKeyCase(level: "merge key", yaml: base + "agents:\n  <<: { builtin: true }\n",
                       expected: "p.yml:6: unknown key '<<' in 'agents'; YAML merge keys are not supported, write the keys out"),
    ])
    func unknownKeysAreReportedAtEveryLevel(_ example: UnknownKeyCase) {
        #expect(problems(example.yaml) == example.expected)
    }

    // MARK: Duplicate keys

    @Test func duplicateTopLevelKeyIsReportedAtTheSecondOccurrence() {
        #expect(problems(base + "default_mode: warn\ndefault_mode: off\n")
            == ["p.yml:6: duplicate key 'default_mode' (first at line 5)"])
    }

    @Test func duplicateKeysAreAllReportedAlongWithOtherProblems() {
        let yaml = """
            version: 1
            classes:
              - name: low
                approvals: 0
                approvals: 1
              - name: high
            paths:
              - { pattern: "docs/", class: low, class: high }
            default_mode: warn
            default_mode: enforce
            default_mode: off
            applies_to: everyone

            """
        #expect(problems(yaml) == [
            "p.yml:5: duplicate key 'approvals' (first at line 4)",
            "p.yml:8: duplicate key 'class' (first at line 8)",
            "p.yml:10: duplicate key 'default_mode' (first at line 9)",
            "p.yml:11: duplicate key 'default_mode' (first at line 9)",
            "p.yml:12: 'applies_to' must be one of agents, agents+bots, all, found 'everyone'",
        ])
    }

    @Test func duplicateKeysWrittenDifferentlyAreStillFound() {
        let yaml = """
            version: 1
            classes:
              - name: low
                "name": lower
              - { name: high, 'approvals': 1, approvals: 2 }

            """
        #expect(problems(yaml) == [
            "p.yml:4: duplicate key 'name' (first at line 3)",
            "p.yml:5: duplicate key 'approvals' (first at line 5)",
        ])
    }

    /// 999 duplicates used to be composed again one by one (113 s); now they are found in
    /// one pass and listed up to `Limits.policyDuplicateKeys`, the rest summed up.
    @Test func manyDuplicateKeysAreFoundInOnePassAndListedUpToTheLimit() {
        let users = (0..<1000).map { "  alice: a\($0)@example.com\n" }.joined()
        let clock = ContinuousClock()
        let start = clock.now
        let found = problems(base + "users:\n" + users + "bots: [x]\nfrobnicate: 1\n")
        let elapsed = clock.now - start
        let listed = Limits.policyDuplicateKeys
        #expect(found.count == listed + 2, "\(found.count)")
        #expect(Array(found.prefix(listed)) == (0..<listed).map { "p.yml:\(7 + $0): duplicate key 'alice' (first at line 6)" })
        #expect(found.dropFirst(listed).first == "p.yml:\(7 + listed): and \(999 - listed) more duplicate keys from here on")
        // The rest of the policy is still read: what follows the duplicates is judged.
        #expect(found.last?.hasPrefix("p.yml:1007: unknown key 'frobnicate' in the policy") == true, "\(found.last ?? "")")
        #expect(elapsed < .seconds(30), "a backstop: one pass takes milliseconds, one compose per duplicate took minutes")
    }

    /// Duplicates in many mappings at once, quoted and aliased, each found with its line.
    /// Keys equal as text are duplicates whatever YAML would read them as ("1" and 1): both
    /// would name the same thing (the same team, the same user).
    @Test func duplicatesOfEveryKindAreFoundInOnePass() {
        let yaml = """
            version: 1
            classes:
              - &n name: low
                'name': lower
                *n : lowest
              - { name: high, approvals: 1, "approvals": 2 }
            users: { a: x@example.com, b: y@example.com, a: z@example.com }
            "1": a
            1: b

            """
        #expect(problems(yaml) == [
            "p.yml:4: duplicate key 'name' (first at line 3)",
            "p.yml:5: duplicate key 'name' (first at line 3)",
            "p.yml:6: duplicate key 'approvals' (first at line 6)",
            "p.yml:7: duplicate key 'a' (first at line 7)",
            "p.yml:8: unknown key '1' in the policy (known keys: version, classes, default_class, paths, escalations, agents, applies_to, refs, default_mode, signers, owners, teams, users, bots, revoked, gates, contracts, declared_class, overrides)",
            "p.yml:9: duplicate key '1' (first at line 8)",
        ])
    }

    /// A name that YAML reads as nothing is no name, however it is written; quoted, it is text.
    @Test(arguments: ["~", "null", "NULL", "''"])
    func nullKeysAreNotNames(_ key: String) {
        let found = problems(base + "users:\n  \(key): a@example.com\n")
        if key == "''" {
            #expect(!found.contains { $0.contains("must be names") }, "\(found)")
        } else {
            #expect(found == ["p.yml:6: keys in 'users' must be names, found nothing"], "\(found)")
        }
    }

    @Test func duplicateKeysInUserNamedMappings() {
        #expect(problems(base + "users:\n  alice: a@example.com\n  alice: b@example.com\n")
            == ["p.yml:7: duplicate key 'alice' (first at line 6)"])
    }

    // MARK: Classes

    @Test func classesAreRequired() {
        #expect(problems("version: 1\ndefault_mode: warn\n") == ["p.yml:1: missing required key 'classes' (the risk classes, lowest first)"])
    }

    @Test func classesMustBeANonEmptyList() {
        #expect(problems("version: 1\nclasses: []\n") == ["p.yml:2: 'classes' must list at least one class"])
        #expect(problems("version: 1\nclasses: []\ndefault_class: high\n") == ["p.yml:2: 'classes' must list at least one class"],
                "with no classes, references to them are not reported one by one")
        #expect(problems("version: 1\nclasses:\n  low: 0\n")
            == ["p.yml:3: 'classes' must be a list of classes, lowest first, found a mapping"])
        #expect(problems("version: 1\nclasses:\n") == ["p.yml:2: 'classes' must be a list of classes, lowest first, found nothing"])
    }

    @Test func classEntriesMustBeMappingsWithANameAndTypedFields() {
        let yaml = """
            version: 1
            classes:
              - low
              - approvals: 1
              - name: medium
                approvals: -1
              - name: high
                approvals: two
                owners: yes please
                human_signoff: 1
                gates: tests

            """
        #expect(problems(yaml) == [
            "p.yml:3: classes entry must be a mapping, found the string \"low\"",
            "p.yml:4: class entry has no 'name'",
            "p.yml:6: 'approvals' must be an integer >= 0, found -1",
            "p.yml:8: 'approvals' must be an integer, found the string \"two\"",
            "p.yml:9: 'owners' must be true or false, found the string \"yes please\"",
            "p.yml:10: 'human_signoff' must be true or false, found the integer 1",
            "p.yml:11: 'gates' must be a list of strings, found the string \"tests\" (write [tests] for a list of one)",
        ])
    }

    @Test func duplicateClassNames() {
        #expect(problems("version: 1\nclasses:\n  - name: low\n  - name: high\n  - name: low\n")
            == ["p.yml:5: duplicate class 'low' (first defined at line 3)"])
    }

    @Test func unknownClassNamesAreReportedWhereverAClassIsNamed() {
        let yaml = base + """
            default_class: hgih
            paths:
              - { pattern: "docs/", class: lwo }
            escalations:
              submodule: critical
              symlink: high
              changed_lines: { over: 10, class: medium }

            """
        #expect(problems(yaml) == [
            "p.yml:5: unknown class 'hgih' in 'default_class'; did you mean 'high'? (the classes are low, high)",
            "p.yml:7: unknown class 'lwo' in 'class'; did you mean 'low'? (the classes are low, high)",
            "p.yml:9: unknown class 'critical' in 'submodule' (the classes are low, high)",
            "p.yml:11: unknown class 'medium' in 'changed_lines.class' (the classes are low, high)",
        ])
    }

    @Test func aClassRequiringAnUndefinedGateCouldNeverPass() {
        let yaml = base + """
            gates:
              tests: { signers: [ci@example.com] }
            """
        let withGates = yaml.replacingOccurrences(of: "  - name: high\n", with: "  - name: high\n    gates: [tests, tset, lint]\n")
        #expect(problems(withGates) == [
            "p.yml:5: class 'high' requires gate 'tset', but 'gates' does not define it, so nobody could ever attest it; did you mean 'tests'?",
            "p.yml:5: class 'high' requires gate 'lint', but 'gates' does not define it, so nobody could ever attest it",
        ])
        #expect(problems("version: 1\nclasses:\n  - name: low\n    gates: [tests]\n")
            == ["p.yml:4: class 'low' requires gate 'tests', but 'gates' does not define it, so nobody could ever attest it"])
    }

    // MARK: Paths

    @Test func pathEntriesNeedAPatternAndAClass() {
        let yaml = base + """
            paths:
              - { pattern: "docs/" }
              - { class: low }
              - "*.md"
            paths_extra: 1

            """
        #expect(problems(yaml) == [
            "p.yml:6: paths entry has no 'class'",
            "p.yml:7: paths entry has no 'pattern'",
            "p.yml:8: paths entry must be a mapping, found the string \"*.md\"",
            "p.yml:9: unknown key 'paths_extra' in the policy; did you mean 'paths'?",
        ])
    }

    @Test func pathsMustBeAList() {
        #expect(problems(base + "paths: { docs/: low }\n") == ["p.yml:5: 'paths' must be a list of {pattern, class} entries, found a mapping"])
    }

    // The reasons are PathPattern's and RefPattern's; the loader puts them on the pattern's line.
    @Test(arguments: ["[abc", "!negated", ""])
    func malformedPathPatternsAreReportedOnTheirLine(_ pattern: String) throws {
        let found = problems(base + "paths:\n  - { pattern: \"docs/\", class: low }\n  - pattern: \"\(pattern)\"\n    class: high\n")
        #expect(found.count == 1)
        let first = try #require(found.first)
        #expect(first.hasPrefix("p.yml:7: malformed pattern \"\(pattern)\": "), "\(found)")
    }

    @Test func malformedRefPatternIsReportedOnItsLine() throws {
        let found = problems(base + "refs:\n  - pattern: refs/heads/main\n    mode: enforce\n  - pattern: main\n    mode: enforce\n")
        #expect(found.count == 1)
        let first = try #require(found.first)
        #expect(first.hasPrefix("p.yml:8: malformed pattern \"main\": "), "\(found)")
    }

    // MARK: Escalations

    @Test func changedLinesNeedsAPositiveCountAndAClass() {
        #expect(problems(base + "escalations:\n  changed_lines: { over: 0, class: high }\n")
            == ["p.yml:6: 'over' must be an integer > 0, found 0"])
        #expect(problems(base + "escalations:\n  changed_lines: { class: high }\n")
            == ["p.yml:6: 'changed_lines' has no 'over' (the number of changed lines above which it escalates)"])
        #expect(problems(base + "escalations:\n  changed_lines: { over: 10 }\n")
            == ["p.yml:6: 'changed_lines' has no 'class'"])
        #expect(problems(base + "escalations:\n  changed_lines: 1000\n")
            == ["p.yml:6: 'changed_lines' must be a mapping, found the integer 1000"])
        #expect(problems(base + "escalations:\n  changed_lines: { over: 99999999999999999999, class: high }\n")
            == ["p.yml:6: 'over' is too large, found the integer 99999999999999999999"])
        #expect(problems(base + "escalations: [submodule]\n")
            == ["p.yml:5: 'escalations' must be a mapping, found a list"])
    }

    // MARK: Agents

    @Test func agentSettingsAreTyped() {
        let yaml = base + """
            agents:
              builtin: "true"
              identities: Build Bot <bot@example.com>
              trailers: [Agent, "Agent:", Made with, "", Assisted-by]
              unsigned_is_agent: maybe

            """
        #expect(problems(yaml) == [
            "p.yml:6: 'builtin' must be true or false, found the string \"true\"",
            "p.yml:7: 'identities' must be a list of strings, found the string \"Build Bot <bot@example.com>\" (write [Build Bot <bot@example.com>] for a list of one)",
            "p.yml:8: entries of 'trailers' must be strings, found an empty string",
            "p.yml:9: 'unsigned_is_agent' must be true or false, found the string \"maybe\"",
        ])
    }

    @Test func trailerKeysAreLettersDigitsAndDashes() {
        #expect(problems(base + "agents:\n  trailers:\n    - Agent\n    - \"Agent:\"\n    - Made with\n    - Assisted-by\n") == [
            "p.yml:8: 'Agent:' is not a trailer key: keys are letters, digits and '-' (write 'Agent', without the colon)",
            "p.yml:9: 'Made with' is not a trailer key: keys are letters, digits and '-'",
        ])
        let policy = valid(base + "agents:\n  trailers: [Agent, Assisted-by, X-Agent-2]\n  builtin: false\n  unsigned_is_agent: true\n")
        #expect(policy?.agents == AgentSettings(builtin: false, identities: [], trailers: ["Agent", "Assisted-by", "X-Agent-2"], unsignedIsAgent: true))
    }

    // MARK: Modes and refs

    @Test func modesAndAppliesToAreEnumerations() {
        #expect(problems(base + "default_mode: strict\n") == ["p.yml:5: 'default_mode' must be one of enforce, warn, off, found 'strict'"])
        #expect(problems(base + "applies_to: [agents]\n") == ["p.yml:5: 'applies_to' must be one of agents, agents+bots, all, found a list"])
        #expect(problems(base + "refs:\n  - { pattern: refs/heads/main, mode: block }\n")
            == ["p.yml:6: 'mode' must be one of enforce, warn, off, found 'block'"])
    }

    @Test func refEntriesNeedAPatternAndAMode() {
        #expect(problems(base + "refs:\n  - { pattern: refs/heads/main }\n  - { mode: warn }\n") == [
            "p.yml:6: refs entry has no 'mode' (enforce, warn or off)",
            "p.yml:7: refs entry has no 'pattern'",
        ])
        #expect(problems(base + "refs: refs/heads/main\n") == ["p.yml:5: 'refs' must be a list of {pattern, mode} entries, found the string \"refs/heads/main\""])
    }

    // MARK: Files, people, gates

    @Test func trustedFilesAreRepositoryRelativePaths() {
        let yaml = base + """
            signers: /etc/ssh/allowed_signers
            revoked: ../revoked
            owners: [CODEOWNERS]

            """
        #expect(problems(yaml) == [
            "p.yml:5: 'signers' must be a file path inside the repository, relative to its root, found '/etc/ssh/allowed_signers'",
            "p.yml:6: 'revoked' must be a file path inside the repository, relative to its root, found '../revoked'",
            "p.yml:7: 'owners' must be a string, found a list",
        ])
        #expect(problems(base + "owners: /CODEOWNERS\n")
            == ["p.yml:5: 'owners' must be a file path inside the repository, relative to its root or 'auto', found '/CODEOWNERS'"])
        #expect(problems(base + "signers:\n") == ["p.yml:5: 'signers' must be a string, found nothing"])
        #expect(problems(base + "signers: \"\"\n") == ["p.yml:5: 'signers' must not be empty"])
    }

    @Test func teamsUsersAndBotsAreTyped() {
        let yaml = base + """
            teams:
              infra: alice@example.com
              web: [bob@example.com, [carol@example.com]]
            users: [alice@example.com]
            bots: ci@example.com

            """
        #expect(problems(yaml) == [
            "p.yml:6: 'teams.infra' must be a list of strings, found the string \"alice@example.com\" (write [alice@example.com] for a list of one)",
            "p.yml:7: entries of 'teams.web' must be strings, found a list",
            "p.yml:8: 'users' must map each user name to an email, found a list",
            "p.yml:9: 'bots' must be a list of strings, found the string \"ci@example.com\" (write [ci@example.com] for a list of one)",
        ])
        #expect(problems(base + "users:\n  alice: [a@example.com]\n") == ["p.yml:6: 'users.alice' must be a string, found a list"])
        #expect(problems(base + "teams: [infra]\n") == ["p.yml:5: 'teams' must map each team name to a list of emails, found a list"])
    }

    @Test func gatesNeedSigners() {
        let yaml = base + """
            gates:
              tests: {}
              lint: { signers: [] }
              fmt: { signers: ci@example.com }
              docs: [ci@example.com]

            """
        #expect(problems(yaml) == [
            "p.yml:6: gate 'tests' has no 'signers' (the principals allowed to attest it)",
            "p.yml:7: gate 'lint' must list at least one signer, or nobody could ever attest it",
            "p.yml:8: 'signers' must be a list of strings, found the string \"ci@example.com\" (write [ci@example.com] for a list of one)",
            "p.yml:9: gate 'docs' must be a mapping, found a list",
        ])
        #expect(problems(base + "gates: [tests]\n") == ["p.yml:5: 'gates' must map each gate name to {signers: [...]}, found a list"])
    }

    // MARK: Everything at once

    @Test func everyProblemIsReportedInOrderOfLines() {
        let yaml = """
            version: 1
            clases: []
            classes:
              - name: low
                approvals: one
              - name: high
                owners: sure
                gates: [tests]
              - name: low
            default_class: highest
            paths:
              - { pattern: "docs/", class: lowest }
              - { pattern: "infra/" }
            escalations:
              symlink: high
              binary: 3
            agents:
              trailers: [Agent, "Co authored"]
            applies_to: humans
            refs:
              - { pattern: refs/heads/main, mode: strict }
            default_mode: warn
            default_mode: enforce
            signers: /etc/allowed_signers

            """
        #expect(problems(yaml, file: ".agentreview/policy.yml") == [
            ".agentreview/policy.yml:2: unknown key 'clases' in the policy; did you mean 'classes'?",
            ".agentreview/policy.yml:5: 'approvals' must be an integer, found the string \"one\"",
            ".agentreview/policy.yml:7: 'owners' must be true or false, found the string \"sure\"",
            ".agentreview/policy.yml:8: class 'high' requires gate 'tests', but 'gates' does not define it, so nobody could ever attest it",
            ".agentreview/policy.yml:9: duplicate class 'low' (first defined at line 4)",
            ".agentreview/policy.yml:10: unknown class 'highest' in 'default_class'; did you mean 'high'? (the classes are low, high)",
            ".agentreview/policy.yml:12: unknown class 'lowest' in 'class'; did you mean 'low'? (the classes are low, high)",
            ".agentreview/policy.yml:13: paths entry has no 'class'",
            ".agentreview/policy.yml:16: unknown class '3' in 'binary' (the classes are low, high)",
            ".agentreview/policy.yml:18: 'Co authored' is not a trailer key: keys are letters, digits and '-'",
            ".agentreview/policy.yml:19: 'applies_to' must be one of agents, agents+bots, all, found 'humans'",
            ".agentreview/policy.yml:21: 'mode' must be one of enforce, warn, off, found 'strict'",
            ".agentreview/policy.yml:23: duplicate key 'default_mode' (first at line 22)",
            ".agentreview/policy.yml:24: 'signers' must be a file path inside the repository, relative to its root, found '/etc/allowed_signers'",
        ])
    }

    @Test func diagnosticsCarryFileLineAndColumn() throws {
        do throws(PolicyError) {
            _ = try PolicyLoader.load(yaml: base + "default_mode:   loud\n", file: "x.yml")
            Issue.record("expected an error")
        } catch {
            let diagnostic = try #require(error.diagnostics.first)
            #expect(diagnostic.location == AgentReviewCore.SourceLocation(file: "x.yml", line: 5, column: 17))
            #expect(diagnostic.message == "'default_mode' must be one of enforce, warn, off, found 'loud'")
            #expect(error.description == "x.yml:5: 'default_mode' must be one of enforce, warn, off, found 'loud'")
        }
    }

    // MARK: Limits

    @Test func aPolicyOverTheLimitIsRefusedBeforeItIsParsed() throws {
        let message = "policy is \(Limits.policyBytes + 1) bytes, over the limit of 262144 (Limits.policyBytes): not read"
        // Valid YAML up to the limit is read; one byte more is refused, whatever it holds.
        let padding = "# " + String(repeating: "x", count: Limits.policyBytes - base.utf8.count - 3) + "\n"
        #expect((base + padding).utf8.count == Limits.policyBytes)
        #expect(throws: Never.self) { try PolicyLoader.load(yaml: base + padding, file: "p.yml") }
        #expect(throws: Never.self) { try PolicyLoader.load(bytes: Array((base + padding).utf8), file: "p.yml") }
        #expect(problems(base + padding + "\n") == ["p.yml: " + message])
        let over = Array((base + padding + "[").utf8)  // not even valid YAML: never parsed
        #expect(throws: PolicyError.self) { try PolicyLoader.load(bytes: over, file: "p.yml") }
        do throws(PolicyError) {
            _ = try PolicyLoader.load(bytes: over, file: "p.yml")
        } catch {
            #expect(error.diagnostics.map(\.description) == ["p.yml: " + message])
        }
    }

    @Test func aPatternOverTheLimitIsRefusedWithItsLine() {
        let long = String(repeating: "a", count: Limits.patternBytes + 1)
        let found = problems(base + "paths:\n  - { pattern: docs/, class: low }\n  - { pattern: \(long), class: low }\n"
            + "refs:\n  - { pattern: refs/heads/\(long), mode: warn }\n")
        #expect(found == [
            "p.yml:7: malformed pattern \"\(String(repeating: "a", count: 60))…\": it is 4097 bytes, over the limit of 4096 (Limits.patternBytes)",
            "p.yml:9: malformed pattern \"refs/heads/\(String(repeating: "a", count: 49))…\": it is 4108 bytes, over the limit of 4096 (Limits.patternBytes)",
        ])
    }

    @Test func bytesMustBeUTF8() {
        var bytes = Array((base + "# caf").utf8)
        bytes += [0xE9, 0x0A]  // Latin-1 é
        do throws(PolicyError) {
            _ = try PolicyLoader.load(bytes: bytes, file: "p.yml")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "p.yml:5: the policy is not valid UTF-8 text")
        }
        #expect((try? PolicyLoader.load(bytes: Array(base.utf8), file: "p.yml"))?.classes.count == 2)
    }

    // MARK: Governance: contracts, declared_class, overrides

    @Test func governanceKeysAreReadWithWhereTheyAreWritten() throws {
        let yaml = base + """
            teams: { sre: [sam@example.com] }
            users: { olga: olga@example.com }
            contracts:
              required: agents
              on_violation: raise-class
            declared_class:
              under: block
            overrides:
              signers: [oncall-lead@example.com, "@sre", "@acme/sre", "@olga"]
              max_age: 90m

            """
        let policy = try #require(valid(yaml, file: "pol.yml"))
        #expect(policy.contracts.required == .agents)
        #expect(policy.contracts.onViolation == .raiseClass)
        #expect(policy.contracts.location == AgentReviewCore.SourceLocation(file: "pol.yml", line: 7, column: 1))
        #expect(policy.declaredClass.under == .block)
        #expect(policy.declaredClass.location?.line == 10)
        #expect(policy.overrides.signers == ["oncall-lead@example.com", "@sre", "@acme/sre", "@olga"])
        #expect(policy.overrides.maxAge == 90 * 60)
        #expect(policy.overrides.location?.line == 12)
    }

    @Test func governanceDefaultsWhenNotWritten() throws {
        let policy = try #require(valid(base))
        #expect(policy.contracts == ContractSettings(required: .none, onViolation: .block, location: nil))
        #expect(policy.declaredClass == DeclaredClassSettings(under: .warn, location: nil))
        #expect(policy.overrides == OverrideSettings(signers: [], maxAge: 24 * 60 * 60, location: nil))
        // Written with nothing in them: still the defaults, located where written.
        let empty = try #require(valid(base + "contracts:\ndeclared_class:\noverrides:\n"))
        #expect(empty.contracts.required == .none && empty.contracts.onViolation == .block)
        #expect(empty.contracts.location?.line == 5)
        #expect(empty.declaredClass.under == .warn && empty.declaredClass.location?.line == 6)
        #expect(empty.overrides.signers.isEmpty && empty.overrides.maxAge == 86400 && empty.overrides.location?.line == 7)
    }

    @Test(arguments: [
        ("1s", 1.0), ("45m", 2700.0), ("24h", 86400.0), ("7d", 604800.0), ("30d", 2_592_000.0), ("720h", 2_592_000.0),
    ])
    func maxAgeDurations(text: String, seconds: Double) throws {
        let policy = try #require(valid(base + "overrides:\n  max_age: \(text)\n"))
        #expect(policy.overrides.maxAge == seconds)
    }

    @Test(arguments: [
        ("contracts:\n  required: agent\n",
         "p.yml:6: 'contracts.required' must be one of none, agents, all, found 'agent'; did you mean 'agents'?"),
        ("contracts:\n  required: everyone\n",
         "p.yml:6: 'contracts.required' must be one of none, agents, all, found 'everyone'"),
        ("contracts:\n  required: [all]\n",
         "p.yml:6: 'contracts.required' must be one of none, agents, all, found a list"),
        ("contracts:\n  on_violation: raise\n",
         "p.yml:6: 'contracts.on_violation' must be one of block, raise-class, found 'raise'; did you mean 'raise-class'?"),
        ("contracts:\n  on-violation: block\n",
         "p.yml:6: unknown key 'on-violation' in 'contracts'; did you mean 'on_violation'?"),
        ("contracts: all\n",
         "p.yml:5: 'contracts' must be a mapping, found the string \"all\""),
        ("declared_class:\n  under: warning\n",
         "p.yml:6: 'declared_class.under' must be one of block, warn, ignore, found 'warning'; did you mean 'warn'?"),
        ("declared_class:\n  undr: warn\n",
         "p.yml:6: unknown key 'undr' in 'declared_class'; did you mean 'under'?"),
        ("declared_class:\n  over: warn\n",
         "p.yml:6: unknown key 'over' in 'declared_class' (known keys: under)"),
        ("declared_clas:\n  under: warn\n",
         "p.yml:5: unknown key 'declared_clas' in the policy; did you mean 'declared_class'?"),
        ("overrides:\n  signer: [a@example.com]\n",
         "p.yml:6: unknown key 'signer' in 'overrides'; did you mean 'signers'?"),
        ("overrides:\n  signers: a@example.com\n",
         "p.yml:6: 'overrides.signers' must be a list of strings, found the string \"a@example.com\" (write [a@example.com] for a list of one)"),
        ("overrides:\n  signers: [a@example.com, \"\"]\n",
         "p.yml:6: entries of 'overrides.signers' must be strings, found an empty string"),
        ("overrides:\n  signers: [a@example.com, A@example.com]\n",
         "p.yml:6: 'A@example.com' is listed twice in 'overrides.signers'"),
        ("overrides:\n  max_age: 24\n",
         "p.yml:6: 'overrides.max_age' must be a duration: digits and a unit, s, m, h or d (24h, 90m, 7d), found the integer 24"),
        ("overrides:\n  max_age: 1w\n",
         "p.yml:6: 'overrides.max_age' must be a duration: digits and a unit, s, m, h or d (24h, 90m, 7d), found the string \"1w\""),
        ("overrides:\n  max_age: -1h\n",
         "p.yml:6: 'overrides.max_age' must be a duration: digits and a unit, s, m, h or d (24h, 90m, 7d), found the string \"-1h\""),
        ("overrides:\n  max_age: 1.5h\n",
         "p.yml:6: 'overrides.max_age' must be a duration: digits and a unit, s, m, h or d (24h, 90m, 7d), found the string \"1.5h\""),
        ("overrides:\n  max_age: 24 h\n",
         "p.yml:6: 'overrides.max_age' must be a duration: digits and a unit, s, m, h or d (24h, 90m, 7d), found the string \"24 h\""),
        ("overrides:\n  max_age: 99999999999999999999d\n",
         "p.yml:6: 'overrides.max_age' must be a duration: digits and a unit, s, m, h or d (24h, 90m, 7d), found the string \"99999999999999999999d\""),
        ("overrides:\n  max_age: 0h\n",
         "p.yml:6: 'overrides.max_age' must be more than 0, found '0h'"),
        ("overrides:\n  max_age: 31d\n",
         "p.yml:6: 'overrides.max_age' is at most 30d, found '31d'"),
        ("overrides:\n  max_age: 721h\n",
         "p.yml:6: 'overrides.max_age' is at most 30d, found '721h'"),
    ])
    func governanceKeyErrors(yaml: String, expected: String) {
        #expect(problems(base + yaml) == [expected])
    }

    /// An `@name` among the override signers must resolve through teams or users, as a
    /// CODEOWNERS owner does (`@org/team` through its last part); otherwise it never matches.
    @Test func overrideSignersNamingNobodyAreErrors() {
        let yaml = base + """
            teams: { sre: [sam@example.com] }
            users: { olga: olga@example.com }
            overrides:
              signers:
                - "@sre"
                - "@acme/sre"
                - "@olga"
                - "@sre-team"
                - "@ghost"
                - "@acme/ghost"

            """
        #expect(problems(yaml) == [
            "p.yml:12: override signer '@sre-team': neither the policy's teams nor its users name 'sre-team', so it could never match; did you mean '@sre'?",
            "p.yml:13: override signer '@ghost': neither the policy's teams nor its users name 'ghost', so it could never match",
            "p.yml:14: override signer '@acme/ghost': neither the policy's teams nor its users name 'acme/ghost' or 'ghost', so it could never match",
        ])
    }

    /// Every governance problem is reported at once, among the policy's others, in order.
    @Test func governanceErrorsComeWithTheRest() {
        let yaml = base + """
            default_mode: loud
            contracts: { required: some, on_violation: wall }
            declared_class: { under: maybe }
            overrides: { signers: ["@nobody"], max_age: 0d }

            """
        #expect(problems(yaml) == [
            "p.yml:5: 'default_mode' must be one of enforce, warn, off, found 'loud'",
            "p.yml:6: 'contracts.required' must be one of none, agents, all, found 'some'",
            "p.yml:6: 'contracts.on_violation' must be one of block, raise-class, found 'wall'",
            "p.yml:7: 'declared_class.under' must be one of block, warn, ignore, found 'maybe'",
            "p.yml:8: override signer '@nobody': neither the policy's teams nor its users name 'nobody', so it could never match",
            "p.yml:8: 'overrides.max_age' must be more than 0, found '0d'",
        ])
    }
}
