import Foundation
import Testing

@testable import AgentReviewCore

/// The policy contracts are read against: classes low (rank 0), medium (1), high (2).
private let policy = try! PolicyLoader.load(yaml: """
    version: 1
    classes:
      - name: low
      - name: medium
        approvals: 1
      - name: high
        approvals: 2
    """, file: "policy.yml")

/// A valid contract to which tests append one problem (lines 1–4).
private let head = """
    version: 1
    goal: Keep the docs in step
    owner: docs-lead@example.com
    class: low

    """

/// The diagnostics a contract text produces, as `file:line: message` strings ([] when it loads).
private func problems(_ yaml: String, name: String = "docs-only", file: String = "c.yml") -> [String] {
    do throws(PolicyError) {
        _ = try ContractLoader.load(yaml: yaml, name: name, file: file, policy: policy)
        return []
    } catch {
        return error.diagnostics.map(\.description)
    }
}

/// Loads a contract that must be valid, recording its diagnostics as the failure otherwise.
private func valid(
    _ yaml: String, name: String = "docs-only", file: String = "c.yml", sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> TaskContract? {
    do throws(PolicyError) {
        return try ContractLoader.load(yaml: yaml, name: name, file: file, policy: policy)
    } catch {
        Issue.record("expected a valid contract, got:\n\(error)", sourceLocation: sourceLocation)
        return nil
    }
}

private func date(_ text: String) -> Date { ContractLoader.expiry(text)! }

@Suite struct ContractLoaderTests {
    static let source = "refs/heads/main@1a2b3c4d5e6f:.agentreview/contracts/docs-only.yml"

    @Test func aValidContractIsReadWholeWithWhereEachClauseIsWritten() throws {
        let yaml = """
            version: 1
            goal: Keep the user docs in step with the v2 API
            owner: docs-lead@example.com
            class: medium
            paths:
              allow:
                - "docs/"
                - "*.md"
              deny: ["docs/security/"]
            forbid: [delete, executable, binary]
            expires: 2026-12-31
            max_changed_lines: 400

            """
        let contract = try #require(valid(yaml, file: Self.source))
        #expect(contract.name == "docs-only")
        #expect(contract.source == Self.source)
        #expect(contract.goal == "Keep the user docs in step with the v2 API")
        #expect(contract.owner == "docs-lead@example.com")
        #expect(contract.ceiling == 1)
        #expect(contract.allow.map(\.pattern.source) == ["docs/", "*.md"])
        #expect(contract.allow.map(\.location.line) == [7, 8])
        #expect(contract.allow.map(\.location.file) == [Self.source, Self.source])
        #expect(contract.deny.map(\.pattern.source) == ["docs/security/"])
        #expect(contract.deny.map(\.location.line) == [9])
        #expect(contract.forbid.map(\.action) == [.delete, .executable, .binary])
        #expect(contract.forbid.map(\.location.line) == [10, 10, 10])
        #expect(contract.forbid.map(\.location.column) == [10, 18, 30])
        #expect(contract.expires == Date(timeIntervalSince1970: 1_798_761_600))  // 2027-01-01T00:00:00Z
        #expect(contract.maxChangedLines == 400)
        let lines = contract.locations.mapValues(\.line)
        #expect(lines == [
            "goal": 2, "owner": 3, "class": 4, "paths.allow": 6, "paths.deny": 9, "forbid": 10, "expires": 11,
            "max_changed_lines": 12,
        ])
        #expect(contract.locations["class"]?.description == "\(Self.source):4")
    }

    @Test func theOptionalClausesMayBeLeftOut() throws {
        let contract = try #require(valid(head))
        #expect(contract.ceiling == 0)
        #expect(contract.allow.isEmpty && contract.deny.isEmpty && contract.forbid.isEmpty)
        #expect(contract.expires == nil && contract.maxChangedLines == nil)
        #expect(Set(contract.locations.keys) == ["goal", "owner", "class"])
        // `paths:` written with nothing in it is no paths clause.
        #expect(try #require(valid(head + "paths:\n")).allow.isEmpty)
    }

    /// YAML reads an unquoted date as a timestamp: both forms mean the same moment.
    @Test(arguments: [
        ("2026-12-31", 1_798_761_600.0),
        ("\"2026-12-31\"", 1_798_761_600.0),
        ("'2026-12-31'", 1_798_761_600.0),
        ("2026-12-31T18:00:00Z", 1_798_740_000.0),
        ("\"2026-12-31T18:00:00Z\"", 1_798_740_000.0),
        ("2024-02-29", 1_709_251_200.0),  // a leap day: through it, to March 1st
    ])
    func expiresIsADateOrATime(written: String, seconds: Double) throws {
        let contract = try #require(valid(head + "expires: \(written)\n"))
        #expect(contract.expires == Date(timeIntervalSince1970: seconds))
        #expect(contract.locations["expires"]?.line == 5)
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        var expected: [String]
        init(_ name: String, _ yaml: String, _ expected: String...) {
            self.name = name
            self.yaml = yaml
            self.expected = expected
        }
        var testDescription: String { name }
    }

    static let expiresForm = "a date (2026-12-31: the contract holds through that day, UTC) or a UTC time (2026-12-31T18:00:00Z)"

    @Test(arguments: [
        // The document
        ErrorCase("empty", "# nothing\n", "c.yml:1: the contract is empty; it needs at least 'version: 1', 'goal', 'owner' and 'class'"),
        ErrorCase("not a mapping", "- goal\n", "c.yml:1: the contract must be a mapping of keys to values, found a list"),
        ErrorCase("syntax", head + "forbid: [delete\n",
                  "c.yml:6: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 5)"),
        ErrorCase("second document", head + "---\nversion: 1\n", "c.yml:5: a contract is a single YAML document, but another one starts here"),
        ErrorCase("duplicate key", head + "goal: Another\n", "c.yml:5: duplicate key 'goal' (first at line 2)"),
        // Version
        ErrorCase("no version", "goal: g\nowner: o\nclass: low\n", "c.yml:1: missing required key 'version' (write 'version: 1')"),
        ErrorCase("newer version", "version: 2\nfuture: yes\n",
                  "c.yml:1: contract version 2 is newer than this agentreview understands (1); upgrade agentreview"),
        ErrorCase("version zero", "version: 0\n", "c.yml:1: contract version 0 does not exist; this agentreview understands version 1"),
        ErrorCase("version text", "version: one\ngoal: g\nowner: o\nclass: low\n", "c.yml:1: 'version' must be an integer, found the string \"one\""),
        // Required text
        ErrorCase("missing goal, owner and class", "version: 1\n",
                  "c.yml:1: missing required key 'goal' (what the task is, in a sentence)",
                  "c.yml:1: missing required key 'owner' (who answers for the contract: an email or a name)",
                  "c.yml:1: missing required key 'class' (the highest class its commits may reach: one of low, medium, high)"),
        ErrorCase("empty goal", "version: 1\ngoal: \"\"\nowner: o\nclass: low\n", "c.yml:2: 'goal' must not be empty"),
        ErrorCase("blank goal", "version: 1\ngoal: \"   \"\nowner: o\nclass: low\n", "c.yml:2: 'goal' must not be empty"),
        ErrorCase("goal a list", "version: 1\ngoal: [a]\nowner: o\nclass: low\n", "c.yml:2: 'goal' must be a string, found a list"),
        ErrorCase("owner nothing", "version: 1\ngoal: g\nowner:\nclass: low\n", "c.yml:3: 'owner' must be a string, found nothing"),
        // Class
        ErrorCase("unknown class, close", "version: 1\ngoal: g\nowner: o\nclass: hihg\n",
                  "c.yml:4: unknown class 'hihg' in 'class'; did you mean 'high'? (the policy's classes are low, medium, high)"),
        ErrorCase("unknown class, far", "version: 1\ngoal: g\nowner: o\nclass: critical\n",
                  "c.yml:4: unknown class 'critical' in 'class' (the policy's classes are low, medium, high)"),
        // Unknown keys
        ErrorCase("unknown key, close", head + "forbids: [delete]\n", "c.yml:5: unknown key 'forbids' in the contract; did you mean 'forbid'?"),
        ErrorCase("unknown key, far", head + "reviewers: 2\n",
                  "c.yml:5: unknown key 'reviewers' in the contract (known keys: version, goal, owner, class, paths, forbid, expires, max_changed_lines)"),
        ErrorCase("unknown key in paths", head + "paths:\n  alow: [docs/]\n", "c.yml:6: unknown key 'alow' in 'paths'; did you mean 'allow'?"),
        ErrorCase("max-changed-lines", head + "max-changed-lines: 4\n",
                  "c.yml:5: unknown key 'max-changed-lines' in the contract; did you mean 'max_changed_lines'?"),
        // Paths
        ErrorCase("paths a list", head + "paths: [docs/]\n", "c.yml:5: 'paths' must be a mapping, found a list"),
        ErrorCase("allow a string", head + "paths:\n  allow: docs/\n",
                  "c.yml:6: 'paths.allow' must be a list of strings, found the string \"docs/\" (write [docs/] for a list of one)"),
        ErrorCase("empty allow", head + "paths:\n  allow: []\n",
                  "c.yml:6: 'paths.allow' lists no pattern, which would allow every path: list what the contract allows, or leave 'allow' out"),
        ErrorCase("negation", head + "paths:\n  deny:\n    - docs/\n    - \"!docs/ok.md\"\n",
                  "c.yml:8: in 'paths.deny': malformed pattern \"!docs/ok.md\": negation (\"!\") is not supported in policies; write \"\\!\" for a name that starts with \"!\""),
        ErrorCase("dot component", head + "paths:\n  allow: [./docs/]\n",
                  "c.yml:6: in 'paths.allow': malformed pattern \"./docs/\": git paths never have \".\" or \"..\" components; patterns are relative to the repository root: write \"/docs/\" rather than \"./docs/\""),
        // Forbid
        ErrorCase("unknown action, close", head + "forbid: [delete, exectuable]\n",
                  "c.yml:5: unknown action 'exectuable' in 'forbid'; did you mean 'executable'? (the actions are delete, rename, new-file, executable, symlink, submodule, binary, dependency-change, agent-config, ci-config)"),
        ErrorCase("unknown action, underscore", head + "forbid: [new_file]\n",
                  "c.yml:5: unknown action 'new_file' in 'forbid'; did you mean 'new-file'? (the actions are delete, rename, new-file, executable, symlink, submodule, binary, dependency-change, agent-config, ci-config)"),
        ErrorCase("unknown action, far", head + "forbid:\n  - push\n",
                  "c.yml:6: unknown action 'push' in 'forbid' (the actions are delete, rename, new-file, executable, symlink, submodule, binary, dependency-change, agent-config, ci-config)"),
        ErrorCase("repeated action", head + "forbid:\n  - delete\n  - binary\n  - delete\n",
                  "c.yml:8: 'delete' is in 'forbid' twice (first at line 6)"),
        ErrorCase("forbid a string", head + "forbid: delete\n",
                  "c.yml:5: 'forbid' must be a list of strings, found the string \"delete\" (write [delete] for a list of one)"),
        // Expires
        ErrorCase("no such month", head + "expires: 2026-13-01\n", "c.yml:5: 'expires' must be \(expiresForm), found '2026-13-01'"),
        ErrorCase("no such day", head + "expires: \"2026-02-29\"\n", "c.yml:5: 'expires' must be \(expiresForm), found '2026-02-29'"),
        ErrorCase("words", head + "expires: next week\n", "c.yml:5: 'expires' must be \(expiresForm), found 'next week'"),
        ErrorCase("an offset", head + "expires: 2026-12-31T18:00:00+01:00\n",
                  "c.yml:5: 'expires' must be \(expiresForm), found '2026-12-31T18:00:00+01:00'"),
        ErrorCase("a space for T", head + "expires: 2026-12-31 18:00:00Z\n",
                  "c.yml:5: 'expires' must be \(expiresForm), found '2026-12-31 18:00:00Z'"),
        ErrorCase("no such hour", head + "expires: 2026-12-31T24:00:00Z\n",
                  "c.yml:5: 'expires' must be \(expiresForm), found '2026-12-31T24:00:00Z'"),
        ErrorCase("an integer", head + "expires: 20261231\n", "c.yml:5: 'expires' must be \(expiresForm), found '20261231'"),
        ErrorCase("a list", head + "expires: [2026-12-31]\n", "c.yml:5: 'expires' must be \(expiresForm), found a list"),
        // max_changed_lines
        ErrorCase("zero lines", head + "max_changed_lines: 0\n", "c.yml:5: 'max_changed_lines' must be an integer > 0, found 0"),
        ErrorCase("negative lines", head + "max_changed_lines: -4\n", "c.yml:5: 'max_changed_lines' must be an integer > 0, found -4"),
        ErrorCase("quoted lines", head + "max_changed_lines: \"400\"\n",
                  "c.yml:5: 'max_changed_lines' must be an integer, found the string \"400\""),
        ErrorCase("huge lines", head + "max_changed_lines: 99999999999999999999999\n",
                  "c.yml:5: 'max_changed_lines' is too large, found the integer 99999999999999999999999"),
    ])
    func eachErrorOnItsLine(_ example: ErrorCase) {
        #expect(problems(example.yaml) == example.expected)
    }

    @Test func everyErrorIsReportedAtOnceInOrderOfLines() {
        let yaml = """
            version: 1
            goal: ""
            owner: docs-lead@example.com
            class: lowest
            paths:
              allow: ["docs/", "#notes"]
              deny: docs/security/
            forbid: [delete, delete, binaries]
            expires: someday
            max_changed_lines: 0
            max_changed_lines: 10
            colour: blue

            """
        #expect(problems(yaml, file: Self.source) == [
            "\(Self.source):2: 'goal' must not be empty",
            "\(Self.source):4: unknown class 'lowest' in 'class'; did you mean 'low'? (the policy's classes are low, medium, high)",
            "\(Self.source):6: in 'paths.allow': malformed pattern \"#notes\": a pattern starting with \"#\" is a comment and matches nothing; write \"\\#\" for a literal \"#\"",
            "\(Self.source):7: 'paths.deny' must be a list of strings, found the string \"docs/security/\" (write [docs/security/] for a list of one)",
            "\(Self.source):8: 'delete' is in 'forbid' twice (first at line 8)",
            "\(Self.source):8: unknown action 'binaries' in 'forbid'; did you mean 'binary'? (the actions are delete, rename, new-file, executable, symlink, submodule, binary, dependency-change, agent-config, ci-config)",
            "\(Self.source):9: 'expires' must be \(Self.expiresForm), found 'someday'",
            "\(Self.source):10: 'max_changed_lines' must be an integer > 0, found 0",
            "\(Self.source):11: duplicate key 'max_changed_lines' (first at line 10)",
            "\(Self.source):12: unknown key 'colour' in the contract (known keys: version, goal, owner, class, paths, forbid, expires, max_changed_lines)",
        ])
    }

    @Test func diagnosticsCarryFileLineAndColumn() throws {
        do throws(PolicyError) {
            _ = try ContractLoader.load(yaml: head + "forbid: [delete,   pushing]\n", name: "x", file: "x.yml", policy: policy)
            Issue.record("expected an error")
        } catch {
            let diagnostic = try #require(error.diagnostics.first)
            #expect(diagnostic.location == AgentReviewCore.SourceLocation(file: "x.yml", line: 5, column: 20))
        }
    }

    // MARK: Names

    @Test(arguments: [
        ("docs-only", true), ("a", true), ("A.b_c-1", true), ("2026-q4.release", true), ("x.yaml", true),
        (String(repeating: "a", count: 100), true),
        ("", false), ("../policy", false), ("a/b", false), ("/abs", false), ("a b", false), (" a", false), ("a\n", false),
        (".hidden", false), ("-x", false), ("_x", false), ("x.yml", false), ("X.YML", false), ("a..b", false), ("a..", false),
        (String(repeating: "a", count: 101), false), ("café", false), ("a\\b", false), ("a:b", false), ("a*", false),
    ])
    func contractNames(name: String, isValid: Bool) {
        #expect(TaskContract.isValidName(name) == isValid)
    }

    @Test func aContractWhoseNameCannotBeGivenIsAnError() {
        #expect(problems(head, name: "my contract") == [
            "c.yml: 'my contract' is not a contract name: \(TaskContract.nameRule)",
        ])
    }

    // MARK: Limits and bytes

    @Test func aContractOverTheLimitIsRefusedBeforeItIsParsed() throws {
        let padding = "# " + String(repeating: "x", count: Limits.contractBytes - head.utf8.count - 3) + "\n"
        #expect((head + padding).utf8.count == Limits.contractBytes)
        #expect(valid(head + padding) != nil)
        let over = Array((head + padding + "[").utf8)  // not even valid YAML: never parsed
        do throws(PolicyError) {
            _ = try ContractLoader.load(bytes: over, name: "x", file: "c.yml", policy: policy)
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostics.map(\.description)
                == ["c.yml: contract is 65537 bytes, over the limit of 65536 (Limits.contractBytes): not read"])
        }
    }

    @Test func bytesMustBeUTF8() {
        var bytes = Array((head + "# caf").utf8)
        bytes += [0xE9, 0x0A]  // Latin-1 é
        do throws(PolicyError) {
            _ = try ContractLoader.load(bytes: bytes, name: "x", file: "c.yml", policy: policy)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "c.yml:5: the contract is not valid UTF-8 text")
        }
        #expect((try? ContractLoader.load(bytes: Array(head.utf8), name: "x", file: "c.yml", policy: policy))?.owner
            == "docs-lead@example.com")
    }
}

// MARK: - Evaluation

/// A change at one path with its blob facts (read, by default: not binary, one line).
private func pathChange(
    _ kind: PathChange.Kind, _ path: String, from old: FileMode = .regular, to new: FileMode = .regular,
    binary: Bool? = false, lines: Int? = 1
) -> PathChange {
    PathChange(
        kind: kind, oldPath: GitPath(path), newPath: GitPath(path), oldMode: kind == .added ? .absent : old,
        newMode: kind == .deleted ? .absent : new, isBinary: binary, changedLines: lines)
}

/// A rename git's rename detection found.
private func renamedChange(_ old: String, _ new: String) -> PathChange {
    PathChange(
        kind: .renamed, oldPath: GitPath(old), newPath: GitPath(new), oldMode: .regular, newMode: .regular, isBinary: false,
        changedLines: 0)
}

@Suite struct ContractEvaluationTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21

    static func contract(_ extra: String, class ceiling: String = "high") -> TaskContract {
        try! ContractLoader.load(
            yaml: "version: 1\ngoal: g\nowner: o\nclass: \(ceiling)\n" + extra, name: "c", file: "c.yml", policy: policy)
    }

    static func violations(
        _ contract: TaskContract, _ changes: [PathChange], rank: Int = 0, now: Date = ContractEvaluationTests.now
    ) -> [String] {
        contract.violations(of: changes, classRank: rank, policy: policy, now: now).map(\.description)
    }

    struct ForbidCase: Sendable, CustomTestStringConvertible {
        var name: String
        var action: ContractAction
        var change: PathChange
        /// The violation's path and detail; nil: none.
        var expected: (path: String, detail: String)?
        var testDescription: String { name }
    }

    @Test(arguments: [
        // delete
        ForbidCase(name: "delete: a deletion", action: .delete, change: pathChange(.deleted, "a.txt"), expected: ("a.txt", "a.txt is deleted")),
        ForbidCase(name: "delete: a rename is no deletion", action: .delete, change: renamedChange("a.txt", "b.txt"), expected: nil),
        ForbidCase(name: "delete: an edit", action: .delete, change: pathChange(.modified, "a.txt"), expected: nil),
        // rename
        ForbidCase(name: "rename: a rename", action: .rename, change: renamedChange("a.txt", "docs/b.txt"),
                   expected: ("a.txt → docs/b.txt", "a.txt is renamed to docs/b.txt")),
        ForbidCase(name: "rename: a deletion", action: .rename, change: pathChange(.deleted, "a.txt"), expected: nil),
        ForbidCase(name: "rename: an addition", action: .rename, change: pathChange(.added, "a.txt"), expected: nil),
        // new-file
        ForbidCase(name: "new-file: an addition", action: .newFile, change: pathChange(.added, "n.txt"), expected: ("n.txt", "n.txt is a new file")),
        ForbidCase(name: "new-file: a rename is no new file", action: .newFile, change: renamedChange("a.txt", "n.txt"), expected: nil),
        ForbidCase(name: "new-file: an edit", action: .newFile, change: pathChange(.modified, "n.txt"), expected: nil),
        // executable
        ForbidCase(name: "executable: made executable", action: .executable, change: pathChange(.modified, "run.sh", from: .regular, to: .executable),
                   expected: ("run.sh", "run.sh is made executable")),
        ForbidCase(name: "executable: added executable", action: .executable, change: pathChange(.added, "run.sh", to: .executable),
                   expected: ("run.sh", "run.sh is added executable")),
        ForbidCase(name: "executable: a link made executable", action: .executable,
                   change: pathChange(.typeChange, "run.sh", from: .symlink, to: .executable), expected: ("run.sh", "run.sh is made executable")),
        ForbidCase(name: "executable: an executable edited", action: .executable,
                   change: pathChange(.modified, "run.sh", from: .executable, to: .executable), expected: nil),
        ForbidCase(name: "executable: made not executable", action: .executable,
                   change: pathChange(.modified, "run.sh", from: .executable, to: .regular), expected: nil),
        // symlink
        ForbidCase(name: "symlink: added", action: .symlink, change: pathChange(.added, "l", to: .symlink), expected: ("l", "l is a symbolic link, added")),
        ForbidCase(name: "symlink: a file turned into one", action: .symlink, change: pathChange(.typeChange, "l", from: .regular, to: .symlink),
                   expected: ("l", "l is a symbolic link, changed")),
        ForbidCase(name: "symlink: removed", action: .symlink, change: pathChange(.deleted, "l", from: .symlink),
                   expected: ("l", "l is a symbolic link, removed")),
        ForbidCase(name: "symlink: a file", action: .symlink, change: pathChange(.modified, "l"), expected: nil),
        // submodule
        ForbidCase(name: "submodule: added", action: .submodule, change: pathChange(.added, "vendor/lib", to: .gitlink, binary: nil, lines: nil),
                   expected: ("vendor/lib", "vendor/lib is a submodule, added")),
        ForbidCase(name: "submodule: moved on", action: .submodule,
                   change: pathChange(.modified, "vendor/lib", from: .gitlink, to: .gitlink, binary: nil, lines: nil),
                   expected: ("vendor/lib", "vendor/lib is a submodule, changed")),
        ForbidCase(name: "submodule: a directory of files", action: .submodule, change: pathChange(.added, "vendor/lib/a.c"), expected: nil),
        // binary
        ForbidCase(name: "binary: binary content", action: .binary, change: pathChange(.added, "logo.png", binary: true),
                   expected: ("logo.png", "logo.png has binary content")),
        ForbidCase(name: "binary: not read fails closed", action: .binary, change: pathChange(.modified, "logo.png", binary: nil),
                   expected: ("logo.png", "logo.png could not be checked for binary content: its contents were not read")),
        ForbidCase(name: "binary: text", action: .binary, change: pathChange(.modified, "a.txt", binary: false), expected: nil),
        ForbidCase(name: "binary: a submodule has no content", action: .binary,
                   change: pathChange(.added, "vendor/lib", to: .gitlink, binary: nil, lines: nil), expected: nil),
        // dependency-change
        ForbidCase(name: "dependency-change: a nested go.mod", action: .dependencyChange, change: pathChange(.modified, "services/api/go.mod"),
                   expected: ("services/api/go.mod", "services/api/go.mod is a dependency manifest or lockfile (\"go.mod\")")),
        ForbidCase(name: "dependency-change: case", action: .dependencyChange, change: pathChange(.modified, "web/PACKAGE-LOCK.JSON"),
                   expected: ("web/PACKAGE-LOCK.JSON", "web/PACKAGE-LOCK.JSON is a dependency manifest or lockfile (\"package-lock.json\")")),
        ForbidCase(name: "dependency-change: requirements", action: .dependencyChange, change: pathChange(.added, "requirements-dev.txt"),
                   expected: ("requirements-dev.txt", "requirements-dev.txt is a dependency manifest or lockfile (\"requirements*.txt\")")),
        ForbidCase(name: "dependency-change: a project file", action: .dependencyChange, change: pathChange(.modified, "src/App/App.csproj"),
                   expected: ("src/App/App.csproj", "src/App/App.csproj is a dependency manifest or lockfile (\"*.csproj\")")),
        ForbidCase(name: "dependency-change: vendored packages", action: .dependencyChange, change: pathChange(.added, "node_modules/left-pad/index.js"),
                   expected: ("node_modules/left-pad/index.js", "node_modules/left-pad/index.js is a dependency manifest or lockfile (\"node_modules/\")")),
        ForbidCase(name: "dependency-change: a lockfile deleted", action: .dependencyChange, change: pathChange(.deleted, "Cargo.lock"),
                   expected: ("Cargo.lock", "Cargo.lock is a dependency manifest or lockfile (\"Cargo.lock\")")),
        ForbidCase(name: "dependency-change: the old side of a rename", action: .dependencyChange, change: renamedChange("Gemfile", "notes/Gemfile.txt"),
                   expected: ("Gemfile", "Gemfile is a dependency manifest or lockfile (\"Gemfile\")")),
        ForbidCase(name: "dependency-change: SwiftPM", action: .dependencyChange, change: pathChange(.modified, "Package.resolved"),
                   expected: ("Package.resolved", "Package.resolved is a dependency manifest or lockfile (\"Package.resolved\")")),
        ForbidCase(name: "dependency-change: terraform's lock", action: .dependencyChange, change: pathChange(.modified, "infra/.terraform.lock.hcl"),
                   expected: ("infra/.terraform.lock.hcl", "infra/.terraform.lock.hcl is a dependency manifest or lockfile (\".terraform.lock.hcl\")")),
        ForbidCase(name: "dependency-change: a name merely like one", action: .dependencyChange, change: pathChange(.modified, "docs/go.mod.md"), expected: nil),
        ForbidCase(name: "dependency-change: source", action: .dependencyChange, change: pathChange(.modified, "src/package.ts"), expected: nil),
        // agent-config
        ForbidCase(name: "agent-config: AGENTS.md", action: .agentConfig, change: pathChange(.modified, "AGENTS.md"),
                   expected: ("AGENTS.md", "AGENTS.md is an agent's instructions or configuration (\"AGENTS.md\")")),
        ForbidCase(name: "agent-config: a directory's CLAUDE.md", action: .agentConfig, change: pathChange(.added, "src/api/CLAUDE.md"),
                   expected: ("src/api/CLAUDE.md", "src/api/CLAUDE.md is an agent's instructions or configuration (\"CLAUDE.md\")")),
        ForbidCase(name: "agent-config: case", action: .agentConfig, change: pathChange(.modified, ".Claude/settings.json"),
                   expected: (".Claude/settings.json", ".Claude/settings.json is an agent's instructions or configuration (\".claude/\")")),
        ForbidCase(name: "agent-config: cursor rules", action: .agentConfig, change: pathChange(.added, ".cursor/rules/style.mdc"),
                   expected: (".cursor/rules/style.mdc", ".cursor/rules/style.mdc is an agent's instructions or configuration (\".cursor/\")")),
        ForbidCase(name: "agent-config: copilot", action: .agentConfig, change: pathChange(.modified, ".github/copilot-instructions.md"),
                   expected: (".github/copilot-instructions.md", ".github/copilot-instructions.md is an agent's instructions or configuration (\".github/copilot-instructions.md\")")),
        ForbidCase(name: "agent-config: MCP servers", action: .agentConfig, change: pathChange(.modified, ".vscode/mcp.json"),
                   expected: (".vscode/mcp.json", ".vscode/mcp.json is an agent's instructions or configuration (\".vscode/mcp.json\")")),
        ForbidCase(name: "agent-config: a copy below the root is not GitHub's", action: .agentConfig,
                   change: pathChange(.modified, "docs/.github/copilot-instructions.md"), expected: nil),
        ForbidCase(name: "agent-config: docs about agents", action: .agentConfig, change: pathChange(.modified, "docs/agent-notes.md"), expected: nil),
        ForbidCase(name: "agent-config: a case trick", action: .agentConfig, change: pathChange(.modified, "docs/agents.md"),
                   expected: ("docs/agents.md", "docs/agents.md is an agent's instructions or configuration (\"AGENTS.md\")")),
        ForbidCase(name: "agent-config: other editor settings", action: .agentConfig, change: pathChange(.modified, ".vscode/settings.json"), expected: nil),
        // ci-config
        ForbidCase(name: "ci-config: a workflow", action: .ciConfig, change: pathChange(.modified, ".github/workflows/ci.yml"),
                   expected: (".github/workflows/ci.yml", ".github/workflows/ci.yml is CI configuration (\".github/workflows/\")")),
        ForbidCase(name: "ci-config: case", action: .ciConfig, change: pathChange(.modified, ".GitLab-CI.yml"),
                   expected: (".GitLab-CI.yml", ".GitLab-CI.yml is CI configuration (\".gitlab-ci.yml\")")),
        ForbidCase(name: "ci-config: a nested action", action: .ciConfig, change: pathChange(.added, "tools/release/action.yml"),
                   expected: ("tools/release/action.yml", "tools/release/action.yml is CI configuration (\"action.yml\")")),
        ForbidCase(name: "ci-config: Jenkins", action: .ciConfig, change: pathChange(.modified, "Jenkinsfile"),
                   expected: ("Jenkinsfile", "Jenkinsfile is CI configuration (\"Jenkinsfile\")")),
        ForbidCase(name: "ci-config: pre-commit", action: .ciConfig, change: pathChange(.modified, ".pre-commit-config.yaml"),
                   expected: (".pre-commit-config.yaml", ".pre-commit-config.yaml is CI configuration (\".pre-commit-config.yaml\")")),
        ForbidCase(name: "ci-config: workflows below the root are not GitHub's", action: .ciConfig,
                   change: pathChange(.modified, "examples/.github/workflows/ci.yml"), expected: nil),
        ForbidCase(name: "ci-config: docs about CI", action: .ciConfig, change: pathChange(.modified, "docs/ci.md"), expected: nil),
    ])
    func eachForbiddenAction(_ example: ForbidCase) {
        let contract = Self.contract("forbid:\n  - \(example.action.rawValue)\n")
        let found = contract.violations(of: [example.change], classRank: 0, policy: policy, now: Self.now)
        if let expected = example.expected {
            #expect(found == [ContractViolation(
                clause: "forbid: \(example.action.rawValue)", path: expected.path, detail: expected.detail, location: "c.yml:6")])
        } else {
            #expect(found == [])
        }
    }

    /// Every pattern of the three tables is a valid pattern (none silently dropped).
    @Test func everyTablePatternCompiles() {
        #expect(ContractFiles.dependencyFiles.count == ContractFiles.dependencySources.count)
        #expect(ContractFiles.agentConfigFiles.count == ContractFiles.agentConfigSources.count)
        #expect(ContractFiles.ciConfigFiles.count == ContractFiles.ciConfigSources.count)
        #expect(ContractFiles.dependencySources.count > 60)
    }

    /// The tables cover each ecosystem the contract format promises, at any depth.
    @Test(arguments: [
        "package.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "Cargo.toml", "go.work.sum", "Pipfile.lock", "pyproject.toml",
        "poetry.lock", "uv.lock", "setup.cfg", "pdm.lock", "Gemfile.lock", "x.gemspec", "composer.lock", "pom.xml",
        "build.gradle.kts", "settings.gradle", "gradle.lockfile", "gradle/libs.versions.toml", "Package.swift", "Podfile.lock",
        "Cartfile.resolved", "x.fsproj", "packages.config", "packages.lock.json", "Directory.Packages.props", "mix.lock",
        "pubspec.yaml", "deno.lock", "flake.lock", "vcpkg.json", "conanfile.py", "build.zig.zon", "stack.yaml", "x.cabal",
        "cabal.project",
    ])
    func dependencyFilesAtAnyDepth(name: String) {
        let contract = Self.contract("forbid: [dependency-change]\n")
        #expect(contract.violations(of: [pathChange(.modified, "a/b/" + name)], classRank: 0, policy: policy, now: Self.now).count == 1)
        #expect(contract.violations(of: [pathChange(.modified, "a/b/" + name + ".orig")], classRank: 0, policy: policy, now: Self.now).isEmpty)
    }

    @Test(arguments: [
        ".cursorrules", ".windsurfrules", ".windsurf/rules/a.md", ".clinerules", ".clinerules/a.md", ".github/instructions/a.md",
        ".github/prompts/p.prompt.md", ".github/chatmodes/c.md", ".aider.conf.yml", ".aiderignore", ".codex/config.toml",
        ".junie/guidelines.md", ".gemini/settings.json", ".continue/config.yaml", ".roo/rules/a.md", ".kiro/steering/a.md",
        ".amazonq/rules/a.md", ".mcp.json", "GEMINI.md",
    ])
    func agentConfigFiles(path: String) {
        let contract = Self.contract("forbid: [agent-config]\n")
        #expect(contract.violations(of: [pathChange(.modified, path)], classRank: 0, policy: policy, now: Self.now).count == 1)
    }

    @Test(arguments: [
        ".github/actions/setup/action.yaml", ".gitlab/ci/build.yml", ".circleci/config.yml", ".travis.yml", "azure-pipelines.yml",
        ".azure-pipelines/build.yml", "bitbucket-pipelines.yml", ".buildkite/pipeline.yml", ".drone.yml", ".woodpecker.yml",
        ".woodpecker/build.yml", "appveyor.yml", ".appveyor.yml", "cloudbuild.yaml", ".cirrus.yml", ".gitea/workflows/ci.yml",
        ".forgejo/workflows/ci.yml", "buildspec.yml",
    ])
    func ciConfigFiles(path: String) {
        let contract = Self.contract("forbid: [ci-config]\n")
        #expect(contract.violations(of: [pathChange(.modified, path)], classRank: 0, policy: policy, now: Self.now).count == 1)
    }

    // MARK: Paths

    static let scoped = contract("""
        paths:
          allow: ["docs/", "*.md"]
          deny:
            - docs/security/
            - "*.key"

        """)

    @Test func denyWinsOverAllowAndEachPathIsReportedOnce() {
        let changes = [
            pathChange(.modified, "docs/guide.md"),  // allowed
            pathChange(.modified, "README.md"),  // allowed
            pathChange(.modified, "docs/security/policy.md"),  // allowed and denied: denied
            pathChange(.added, "src/main.swift"),  // not allowed
            pathChange(.modified, "src/main.swift"),  // the same path again: once
            pathChange(.added, "docs/server.key"),  // denied by the second pattern
        ]
        #expect(Self.violations(Self.scoped, changes) == [
            "paths.deny: docs/security/policy.md is denied by \"docs/security/\" (c.yml:8)",
            "paths.deny: docs/server.key is denied by \"*.key\" (c.yml:9)",
            "paths.allow: src/main.swift is outside the paths the contract allows (\"docs/\", \"*.md\") (c.yml:6)",
        ])
        let paths = Self.scoped.violations(of: changes, classRank: 0, policy: policy, now: Self.now).map(\.path)
        #expect(paths == ["docs/security/policy.md", "docs/server.key", "src/main.swift"])
        #expect(Self.violations(Self.scoped, [pathChange(.modified, "docs/a.txt"), pathChange(.deleted, "NOTES.md")]) == [])
    }

    /// A case trick never escapes a deny (matched ignoring case) and never gets in through
    /// an allow (matched exactly).
    @Test func caseTricks() {
        #expect(Self.violations(Self.scoped, [pathChange(.modified, "DOCS/Security/policy.md")]) == [
            "paths.deny: DOCS/Security/policy.md is denied by \"docs/security/\" (matched ignoring case) (c.yml:8)",
        ])
        #expect(Self.violations(Self.scoped, [pathChange(.added, "Docs/guide.txt")]) == [
            "paths.allow: Docs/guide.txt is outside the paths the contract allows (\"docs/\", \"*.md\") (c.yml:6)",
        ])
        #expect(Self.violations(Self.scoped, [pathChange(.added, "docs/ID.KEY")]).first?.hasPrefix("paths.deny: docs/ID.KEY") == true)
    }

    /// Both paths of a rename are checked: moving a file out of the allowed paths, or out of a denied one.
    @Test func bothSidesOfARename() {
        #expect(Self.violations(Self.scoped, [renamedChange("docs/guide.md", "src/guide.swift")]) == [
            "paths.allow: src/guide.swift is outside the paths the contract allows (\"docs/\", \"*.md\") (c.yml:6)",
        ])
        #expect(Self.violations(Self.scoped, [renamedChange("docs/security/policy.md", "docs/policy.md")]) == [
            "paths.deny: docs/security/policy.md is denied by \"docs/security/\" (c.yml:8)",
        ])
    }

    @Test func denyAloneAllowsEverythingElse() {
        let contract = Self.contract("paths:\n  deny: [infra/]\n")
        #expect(Self.violations(contract, [pathChange(.modified, "src/a.swift"), pathChange(.modified, "docs/a.md")]) == [])
        #expect(Self.violations(contract, [pathChange(.modified, "Infra/main.tf")]) == [
            "paths.deny: Infra/main.tf is denied by \"infra/\" (matched ignoring case) (c.yml:6)",
        ])
    }

    // MARK: Expiry, class, lines

    @Test(arguments: [
        ("2026-12-31", "2027-01-01T00:00:00Z"),
        ("\"2026-12-31\"", "2027-01-01T00:00:00Z"),
        ("2026-12-31T18:00:00Z", "2026-12-31T18:00:00Z"),
    ])
    func expiryIsExactAtTheBoundary(written: String, expiresAt: String) throws {
        let contract = Self.contract("expires: \(written)\n")
        let boundary = try #require(ContractLoader.expiry(expiresAt))
        #expect(contract.expires == boundary)
        let change = [pathChange(.modified, "a.txt")]
        #expect(Self.violations(contract, change, now: boundary.addingTimeInterval(-1)) == [])
        #expect(Self.violations(contract, change, now: boundary.addingTimeInterval(-0.001)) == [])
        #expect(Self.violations(contract, change, now: boundary) == [
            "expires: the contract expired on \(expiresAt) (judged at \(expiresAt)) (c.yml:5)",
        ])
        #expect(Self.violations(contract, change, now: boundary.addingTimeInterval(86400)).count == 1)
    }

    @Test func aDateHoldsThroughThatDayInUTC() {
        let contract = Self.contract("expires: 2026-12-31\n")
        let change = [pathChange(.modified, "a.txt")]
        #expect(Self.violations(contract, change, now: date("2026-12-31T23:59:59Z")) == [])
        #expect(Self.violations(contract, change, now: date("2026-12-31T00:00:00Z")) == [])
        #expect(Self.violations(contract, change, now: date("2027-01-01T00:00:00Z")).count == 1)
    }

    @Test func theCeiling() {
        let contract = Self.contract("", class: "medium")
        let change = [pathChange(.modified, "a.txt")]
        #expect(Self.violations(contract, change, rank: 0) == [])
        #expect(Self.violations(contract, change, rank: 1) == [])
        let found = contract.violations(of: change, classRank: 2, policy: policy, now: Self.now)
        #expect(found == [ContractViolation(
            clause: "class", path: nil, detail: "class high is above the contract's ceiling medium", location: "c.yml:4")])
    }

    @Test func maxChangedLines() {
        let contract = Self.contract("max_changed_lines: 10\n")
        #expect(Self.violations(contract, [pathChange(.modified, "a", lines: 4), pathChange(.added, "b", lines: 6)]) == [])
        #expect(Self.violations(contract, [pathChange(.modified, "a", lines: 4), pathChange(.added, "b", lines: 7)]) == [
            "max_changed_lines: 11 lines changed, more than the contract's 10 (c.yml:5)",
        ])
        // Fails closed: a count not made is no pass, even when the others are small.
        let uncounted = contract.violations(
            of: [pathChange(.modified, "a", lines: 1), pathChange(.modified, "big.txt", lines: nil)], classRank: 0, policy: policy,
            now: Self.now)
        #expect(uncounted == [ContractViolation(
            clause: "max_changed_lines", path: "big.txt",
            detail: "the changed lines could not be counted (big.txt was not read), so the limit of 10 cannot be checked",
            location: "c.yml:5")])
        // A submodule has no lines to count.
        #expect(Self.violations(contract, [pathChange(.modified, "a", lines: 3), pathChange(.added, "lib", to: .gitlink, binary: nil, lines: nil)])
            == [])
    }

    /// expires, class, deny, allow, forbid in the order written, max_changed_lines.
    @Test func violationsComeInTheDocumentedOrder() {
        let contract = Self.contract("""
            paths:
              allow: [docs/]
              deny: [docs/private/]
            forbid: [new-file, delete]
            expires: 2026-01-01
            max_changed_lines: 1

            """, class: "low")
        let changes = [
            pathChange(.deleted, "docs/old.md", lines: 5),
            pathChange(.added, "src/new.swift", lines: 5),
            pathChange(.modified, "docs/private/x.md", lines: 5),
        ]
        let found = contract.violations(of: changes, classRank: 1, policy: policy, now: Self.now)
        #expect(found.map(\.clause) == [
            "expires", "class", "paths.deny", "paths.allow", "forbid: new-file", "forbid: delete", "max_changed_lines",
        ])
        #expect(found.map(\.location) == ["c.yml:9", "c.yml:4", "c.yml:7", "c.yml:6", "c.yml:8", "c.yml:8", "c.yml:10"])
    }

    @Test func whatCheckingNeeds() {
        #expect(!Self.contract("").needsContents && !Self.contract("").needsRenames)
        #expect(Self.contract("forbid: [binary]\n").needsContents)
        #expect(Self.contract("max_changed_lines: 3\n").needsContents)
        #expect(!Self.contract("forbid: [executable, symlink, submodule, dependency-change, agent-config, ci-config]\n").needsContents)
        #expect(!Self.contract("forbid: [executable, symlink, submodule, binary, dependency-change]\n").needsRenames)
        for action in ["delete", "rename", "new-file"] {
            #expect(Self.contract("forbid: [\(action)]\n").needsRenames, "\(action)")
            #expect(!Self.contract("forbid: [\(action)]\n").needsContents, "\(action)")
        }
    }
}

// MARK: - The book

@Suite struct ContractBookTests {
    static let directory = "refs/heads/main@1a2b3c4d5e6f:.agentreview/contracts/"

    static func file(_ name: String, _ text: String?, unreadable: String? = nil) -> ContractBook.File {
        ContractBook.File(
            path: ".agentreview/contracts/\(name)", source: directory + name, bytes: text.map { Array($0.utf8) }, unreadable: unreadable)
    }

    static let book = ContractBook(files: [
        file("docs-only.yml", head + "paths:\n  allow: [docs/]\n"),
        file("broken.yml", "version: 1\ngoal: g\nowner: o\nclass: hgih\nforbid: [delete, delete]\n"),
        file("README.md", "# Contracts\n"),
        file("linked.yml", nil, unreadable: "it is a symbolic link, which is never followed"),
        file("my contract.yml", head),
        file("empty.yml", ""),
    ], directory: directory, policy: policy)

    @Test func aContractIsFound() throws {
        guard case .found(let contract) = Self.book.lookup("docs-only") else {
            Issue.record("docs-only not found: \(Self.book.lookup("docs-only"))")
            return
        }
        #expect(contract.name == "docs-only")
        #expect(contract.source == Self.directory + "docs-only.yml")
        #expect(contract.allow.map(\.pattern.source) == ["docs/"])
    }

    static func unusable(_ name: String) -> ContractViolation? {
        if case .unusable(let violation) = book.lookup(name) { return violation }
        return nil
    }

    @Test func aMissingContract() {
        #expect(Self.unusable("docs") == ContractViolation(
            clause: "missing", detail: "no contract docs: \(Self.directory) has no docs.yml"))
        // Case matters: a trailer names the file exactly.
        #expect(Self.unusable("Docs-Only")?.clause == "missing")
        // A file that is not NAME.yml is no contract.
        #expect(Self.unusable("README")?.clause == "missing")
    }

    @Test func aMalformedContractSaysItsFirstProblemAndHowManyMore() {
        #expect(Self.unusable("broken") == ContractViolation(
            clause: "malformed",
            detail: "contract broken is malformed: unknown class 'hgih' in 'class'; did you mean 'high'? (the policy's classes are low, medium, high) and 1 more",
            location: Self.directory + "broken.yml:4"))
        #expect(Self.unusable("empty") == ContractViolation(
            clause: "malformed",
            detail: "contract empty is malformed: the contract is empty; it needs at least 'version: 1', 'goal', 'owner' and 'class'",
            location: Self.directory + "empty.yml:1"))
        #expect(Self.unusable("linked") == ContractViolation(
            clause: "malformed", detail: "contract linked cannot be read: it is a symbolic link, which is never followed",
            location: Self.directory + "linked.yml"))
    }

    @Test(arguments: ["../policy", "a/b", "", "my contract", ".hidden", "docs-only.yml", "../../etc/passwd"])
    func anInvalidNameIsNeverLookedUp(name: String) {
        let violation = Self.unusable(name)
        #expect(violation?.clause == "Task-Contract")
        #expect(violation?.detail == "'\(name)' is not a contract name: \(TaskContract.nameRule)")
        #expect(violation?.location == nil)
    }

    @Test func everyProblemWithItsFileAndLine() {
        #expect(Self.book.problems.map(\.description) == [
            "\(Self.directory)broken.yml:4: unknown class 'hgih' in 'class'; did you mean 'high'? (the policy's classes are low, medium, high)",
            "\(Self.directory)broken.yml:5: 'delete' is in 'forbid' twice (first at line 5)",
            "\(Self.directory)empty.yml:1: the contract is empty; it needs at least 'version: 1', 'goal', 'owner' and 'class'",
            "\(Self.directory)linked.yml: cannot read the contract: it is a symbolic link, which is never followed",
            "\(Self.directory)my contract.yml: 'my contract' is not a contract name: \(TaskContract.nameRule)",
        ])
        #expect(Self.book.warnings.map(\.description) == ["\(Self.directory)README.md: contracts are NAME.yml: README.md is not read"])
        #expect(Self.book.names == ["broken", "docs-only", "empty", "linked", "my contract"])
        #expect(Self.book.contracts.map(\.name) == ["docs-only"])
    }

    @Test func theEmptyBook() {
        #expect(ContractBook.empty.problems.isEmpty && ContractBook.empty.names.isEmpty)
        if case .unusable(let violation) = ContractBook.empty.lookup("docs") {
            #expect(violation.clause == "missing")
            #expect(violation.detail == "no contract docs: .agentreview/contracts/ has no docs.yml")
        } else {
            Issue.record("the empty book found a contract")
        }
    }

    /// Past `Limits.contracts` entries the rest are not read: a problem, and a name not
    /// among those read is missing with the reason.
    @Test func theNumberOfContractsIsBounded() {
        let files = (0...Limits.contracts).map { Self.file(String(format: "c%03d.yml", $0), head) }
        let book = ContractBook(files: files, directory: Self.directory, policy: policy)
        #expect(book.problems.map(\.description) == [
            "\(Self.directory): more than 256 entries (Limits.contracts): only the first 256 are read, and a commit naming another has no usable contract",
        ])
        #expect(book.names.count == Limits.contracts)
        if case .found = book.lookup("c255") {} else { Issue.record("c255 was not read") }
        if case .unusable(let violation) = book.lookup("c256") {
            #expect(violation.clause == "missing")
            #expect(violation.detail.contains("has more than 256 entries (Limits.contracts)"), "\(violation.detail)")
        } else {
            Issue.record("c256 was read")
        }
    }
}
