import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

@testable import AgentReviewCLI

/// Loads a policy that must be valid, recording its diagnostics as the failure otherwise.
private func valid(_ yaml: String, file: String = "p.yml", sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Policy? {
    do throws(PolicyError) {
        return try PolicyLoader.load(yaml: yaml, file: file)
    } catch {
        Issue.record("expected a valid policy, got:\n\(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The root of the package, found from this file's path.
private let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // AgentReviewTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()

/// Loads a contract that must be valid against `policy`, recording its diagnostics as the failure otherwise.
private func validContract(
    _ yaml: String, name: String, policy: Policy, sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> TaskContract? {
    do throws(PolicyError) {
        return try ContractLoader.load(yaml: yaml, name: name, file: ".agentreview/contracts/\(name).yml", policy: policy)
    } catch {
        Issue.record("expected a valid contract, got:\n\(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The files `agentreview init` writes (`Templates`): the same as `templates/`, valid, and
/// classing paths (and keeping contracts) as their comments say; and `init --contracts`.
@Suite struct InitTemplatesTests {
    @Test func templateFilesAreTheEmbeddedStrings() throws {
        let policy = try Data(contentsOf: packageRoot.appendingPathComponent("templates/policy.yml"))
        let signers = try Data(contentsOf: packageRoot.appendingPathComponent("templates/allowed_signers"))
        #expect(policy == Data(Templates.policy.utf8), "templates/policy.yml and Templates.policy differ")
        #expect(signers == Data(Templates.allowedSigners.utf8), "templates/allowed_signers and Templates.allowedSigners differ")
    }

    @Test func contractTemplateFilesAreTheEmbeddedStrings() throws {
        let folder = packageRoot.appendingPathComponent("templates/contracts")
        // Every file there is embedded, and nothing else is.
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }
        #expect(Set(files) == Set(Templates.contracts.map(\.file)))
        #expect(Templates.contracts.map(\.file) == ["docs-only.yml", "dependency-bump.yml"])
        for (file, text) in Templates.contracts {
            let data = try Data(contentsOf: folder.appendingPathComponent(file))
            #expect(data == Data(text.utf8), "templates/contracts/\(file) and its copy in Templates.contracts differ")
        }
    }

    @Test func templatePolicyLoadsWithTheIntendedRules() throws {
        let policy = try #require(valid(Templates.policy, file: ".agentreview/policy.yml"))
        #expect(policy.classes.map(\.name) == ["low", "medium", "high"])
        #expect(policy.classes.map(\.approvals) == [0, 1, 2])
        #expect(policy.classes[2].owners && policy.classes[2].humanSignoff)
        #expect(!policy.classes[0].requiresSignoff)
        #expect(policy.gates.isEmpty && policy.classes.allSatisfy { $0.gates.isEmpty })
        #expect(policy.defaultClass == 1)

        var classOf: [String: String] = [:]
        for rule in policy.paths {
            #expect(classOf[rule.pattern.source] == nil, "\(rule.pattern.source) is listed twice")
            classOf[rule.pattern.source] = policy.classes[rule.classRank].name
        }
        for low in ["docs/", "*.md"] { #expect(classOf[low] == "low", "\(low)") }
        let high = [
            "infra/", "terraform/", "*.tf", "k8s/", "helm/", "Dockerfile*", "docker-compose*.yml",
            ".github/workflows/", ".gitlab-ci.yml", "Jenkinsfile",
            "package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Package.swift", "Package.resolved",
            "go.mod", "go.sum", "Cargo.toml", "Cargo.lock", "requirements*.txt", "pyproject.toml", "poetry.lock",
            "Gemfile", "Gemfile.lock", "pom.xml", "build.gradle*", "composer.json", "composer.lock",
            ".mcp.json", ".claude/", ".cursor/", ".github/copilot-instructions.md", "AGENTS.md", "CLAUDE.md",
        ]
        for pattern in high { #expect(classOf[pattern] == "high", "\(pattern)") }
        #expect(Set(classOf.values) == ["low", "high"], "no path rule says medium: that is the default")

        #expect(policy.escalations == Escalations(submodule: 2, symlink: 2, executable: 2))
        #expect(policy.refs.map(\.pattern.source) == ["refs/heads/main", "refs/heads/master", "refs/heads/release/*"])
        #expect(policy.refs.allSatisfy { $0.mode == .enforce })
        #expect(policy.defaultMode == .warn)
        #expect(policy.appliesTo == .agents)
        #expect(policy.agents == AgentSettings())
        #expect(policy.signers == ".agentreview/allowed_signers")
        #expect(policy.owners == .auto)

        // The governance keys are written out with their defaults: they change nothing.
        #expect(policy.contracts.required == .none)
        #expect(policy.contracts.onViolation == .block)
        #expect(policy.declaredClass.under == .warn)
        #expect(policy.overrides.signers.isEmpty, "nobody can override until someone is listed")
        #expect(policy.overrides.maxAge == OverrideSettings.defaultMaxAge)
    }

    @Test func templateClassesSamplePathsAsIntended() throws {
        let policy = try #require(valid(Templates.policy))
        // The highest class among matching rules, or the default: what the classifier does with path rules.
        func className(_ path: String) -> String {
            let ranks = policy.paths.filter { $0.pattern.matches(GitPath(path)) }.map(\.classRank)
            return policy.classes[ranks.max() ?? policy.defaultClass].name
        }
        let expected: KeyValuePairs<String, String> = [
            "README.md": "low", "docs/guide/setup.rst": "low", "src/lib/notes.md": "low",
            "AGENTS.md": "high", "CLAUDE.md": "high", ".github/copilot-instructions.md": "high",
            ".github/workflows/ci.yml": "high", ".gitlab-ci.yml": "high", "Jenkinsfile": "high",
            "infra/main.tf": "high", "modules/vpc/variables.tf": "high", "deploy/Dockerfile.prod": "high",
            "docker-compose.override.yml": "high", "k8s/deployment.yaml": "high",
            "package.json": "high", "web/package-lock.json": "high", "Package.resolved": "high", "go.sum": "high",
            "requirements-dev.txt": "high", "build.gradle.kts": "high", "composer.lock": "high",
            ".mcp.json": "high", ".claude/settings.json": "high", ".cursor/rules/style.mdc": "high",
            "Sources/App/main.swift": "medium", "src/index.ts": "medium", "notes.txt": "medium",
        ]
        for (path, name) in expected {
            #expect(className(path) == name, "\(path)")
        }
    }

    @Test func templateCommentedExamplesAreValidWhenUncommented() throws {
        // The gates example, uncommented together with the class line that uses it, must load.
        let uncommented = Templates.policy
            .replacingOccurrences(of: "    # gates: [tests]", with: "    gates: [tests]")
            .replacingOccurrences(of: "# gates:\n#   tests:", with: "gates:\n  tests:")
            .replacingOccurrences(of: "#   lint:", with: "  lint:")
            .replacingOccurrences(of: "# teams:", with: "teams:")
            .replacingOccurrences(of: "# users:", with: "users:")
            .replacingOccurrences(of: "# bots:", with: "bots:")
            .replacingOccurrences(of: "# revoked:", with: "revoked:")
            .replacingOccurrences(of: "  # binary:", with: "  binary:")
            .replacingOccurrences(of: "  # changed_lines:", with: "  changed_lines:")
            .replacingOccurrences(of: "# overrides:\n#   signers:", with: "overrides:\n  signers:")
            .replacingOccurrences(of: "#   max_age:", with: "  max_age:")
        #expect(uncommented != Templates.policy)
        let policy = try #require(valid(uncommented))
        #expect(policy.classes[1].gates == ["tests"])
        #expect(Set(policy.gates.keys) == ["tests", "lint"])
        #expect(policy.teams["infra"] == ["alice@example.com", "bob@example.com"])
        #expect(policy.users == ["alice": "alice@example.com"])
        #expect(policy.bots == ["ci@example.com"])
        #expect(policy.revoked == ".agentreview/revoked_keys")
        #expect(policy.escalations.binary == 1)
        #expect(policy.escalations.changedLines == .init(over: 1000, classRank: 2))
        #expect(policy.overrides.signers == ["oncall-lead@example.com"])
        #expect(policy.overrides.maxAge == 24 * 60 * 60)
    }

    @Test func governanceSettingsLoadWithEveryValueTheTemplateNames() throws {
        // The values the template's comments list are the ones the loader takes.
        for required in ["none", "agents", "all"] {
            for onViolation in ["block", "raise-class"] {
                for under in ["block", "warn", "ignore"] {
                    let yaml = Templates.policy
                        .replacingOccurrences(of: "  required: none", with: "  required: \(required)")
                        .replacingOccurrences(of: "  on_violation: block", with: "  on_violation: \(onViolation)")
                        .replacingOccurrences(of: "  under: warn", with: "  under: \(under)")
                    let policy = try #require(valid(yaml))
                    #expect(policy.contracts.required.rawValue == required)
                    #expect(policy.contracts.onViolation.rawValue == onViolation)
                    #expect(policy.declaredClass.under.rawValue == under)
                }
            }
        }
    }

    // MARK: The contract templates

    @Test func contractTemplatesLoadWithTheIntendedClauses() throws {
        let policy = try #require(valid(Templates.policy))
        let docs = try #require(validContract(Templates.docsOnlyContract, name: "docs-only", policy: policy))
        #expect(policy.classes[docs.ceiling].name == "low")
        #expect(docs.allow.map(\.pattern.source) == ["docs/", "*.md"])
        #expect(docs.deny.isEmpty)
        #expect(Set(docs.forbid.map(\.action)) == [
            .delete, .executable, .symlink, .submodule, .binary, .dependencyChange, .agentConfig, .ciConfig,
        ])
        #expect(docs.expires == nil && docs.maxChangedLines == nil)
        #expect(docs.owner == "docs-lead@example.com" && !docs.goal.isEmpty)

        let bump = try #require(validContract(Templates.dependencyBumpContract, name: "dependency-bump", policy: policy))
        // The template policy puts every manifest and lockfile in high: a lower ceiling would refuse every bump.
        #expect(policy.classes[bump.ceiling].name == "high")
        #expect(bump.allow.map(\.pattern.source) == [
            "package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "go.mod", "go.sum",
        ])
        #expect(Set(bump.forbid.map(\.action)) == [.newFile, .delete, .executable, .symlink, .agentConfig, .ciConfig])
        #expect(bump.maxChangedLines == 2000)
        #expect(bump.owner == "platform-lead@example.com" && !bump.goal.isEmpty)
    }

    @Test func contractTemplatesCommentedExamplesAreValidWhenUncommented() throws {
        let policy = try #require(valid(Templates.policy))
        let docs = Templates.docsOnlyContract
            .replacingOccurrences(of: "  # deny:", with: "  deny:")
            .replacingOccurrences(of: "# expires:", with: "expires:")
            .replacingOccurrences(of: "# max_changed_lines:", with: "max_changed_lines:")
        #expect(docs != Templates.docsOnlyContract)
        let contract = try #require(validContract(docs, name: "docs-only", policy: policy))
        #expect(contract.deny.map(\.pattern.source) == ["docs/security/"])
        #expect(contract.expires != nil && contract.maxChangedLines == 400)

        let bump = Templates.dependencyBumpContract.replacingOccurrences(of: "# expires:", with: "expires:")
        #expect(bump != Templates.dependencyBumpContract)
        #expect(try #require(validContract(bump, name: "dependency-bump", policy: policy)).expires != nil)
    }

    @Test func contractTemplatesJudgeSampleCommitsAsTheirCommentsSay() throws {
        let policy = try #require(valid(Templates.policy))
        let docs = try #require(validContract(Templates.docsOnlyContract, name: "docs-only", policy: policy))
        let bump = try #require(validContract(Templates.dependencyBumpContract, name: "dependency-bump", policy: policy))
        // The class from path rules alone (what the classifier does with them), as in templateClassesSamplePathsAsIntended.
        func rank(_ changes: [PathChange]) -> Int {
            changes.flatMap(\.paths).map { path in
                policy.paths.filter { $0.pattern.matches(path) }.map(\.classRank).max() ?? policy.defaultClass
            }.max() ?? 0
        }
        // Blob facts as the judge gathers them when a contract asks for contents.
        func change(_ kind: PathChange.Kind, _ path: String, from: String? = nil, lines: Int = 4) -> PathChange {
            PathChange(
                kind: kind, oldPath: GitPath(from ?? path), newPath: GitPath(path),
                oldMode: kind == .added ? .absent : .regular, newMode: kind == .deleted ? .absent : .regular,
                isBinary: false, changedLines: lines)
        }
        func broken(_ contract: TaskContract, _ changes: [PathChange]) -> [String] {
            contract.violations(of: changes, classRank: rank(changes), policy: policy, now: Date())
                .map { $0.clause + ($0.path.map { " " + $0 } ?? "") }
        }

        // docs-only: documentation passes, a page may move; code, agent instructions and deletions do not.
        #expect(broken(docs, [change(.modified, "docs/guide.md"), change(.added, "README.md")]) == [])
        #expect(broken(docs, [change(.renamed, "docs/new.md", from: "docs/old.md")]) == [])
        #expect(broken(docs, [change(.modified, "docs/guide.md"), change(.modified, "src/app.swift")])
            == ["class", "paths.allow src/app.swift"])
        #expect(broken(docs, [change(.modified, "AGENTS.md")]) == ["class", "forbid: agent-config AGENTS.md"])
        #expect(broken(docs, [change(.deleted, "docs/old.md")]) == ["forbid: delete docs/old.md"])
        var binary = change(.added, "docs/diagram.md")
        binary.isBinary = true
        #expect(broken(docs, [binary]) == ["forbid: binary docs/diagram.md"])

        // dependency-bump: existing manifests and lockfiles of npm and Go, at any depth, and nothing else.
        #expect(broken(bump, [
            change(.modified, "package.json"), change(.modified, "package-lock.json", lines: 600),
            change(.modified, "tools/go.mod"), change(.modified, "tools/go.sum"),
        ]) == [])
        #expect(broken(bump, [change(.modified, "go.mod"), change(.added, "svc/go.sum")]) == ["forbid: new-file svc/go.sum"])
        #expect(broken(bump, [change(.modified, "package.json"), change(.modified, "src/index.js")]) == ["paths.allow src/index.js"])
        #expect(broken(bump, [change(.modified, ".github/workflows/ci.yml")])
            == ["paths.allow .github/workflows/ci.yml", "forbid: ci-config .github/workflows/ci.yml"])
        #expect(broken(bump, [change(.modified, "yarn.lock", lines: 2001)]) == ["max_changed_lines"])
    }

    // MARK: init --contracts

    @Test func initContractsWritesTheTemplatesAndNeverOverwrites() throws {
        let sandbox = try Sandbox()
        let repository = try sandbox.repository()
        let folder = repository.appendingPathComponent(".agentreview")
        func read(_ path: String) throws -> String {
            try String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)
        }

        let first = try sandbox.agentreview(["init", "--contracts"], in: repository)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try read("policy.yml") == Templates.policy)
        #expect(try read("allowed_signers") == Templates.allowedSigners)
        for (file, text) in Templates.contracts {
            #expect(try read("contracts/\(file)") == text, "\(file)")
            #expect(first.stdout.contains("wrote \(folder.appendingPathComponent("contracts/\(file)").path)"))
        }
        let check = try sandbox.agentreview(["policy", "check"], in: repository)
        #expect(check.status == 0, "the policy and both contracts are valid: \(check.stdout)\(check.stderr)")

        // Again: every file is there, so nothing is written, and the run says which and how.
        try sandbox.write(".agentreview/contracts/docs-only.yml", "# edited\n", in: repository)
        let again = try sandbox.agentreview(["init", "--contracts"], in: repository)
        #expect(again.status == 2)
        #expect(again.stderr.contains("docs-only.yml") && again.stderr.contains("dependency-bump.yml"))
        #expect(again.stderr.contains("--force"))
        #expect(try read("contracts/docs-only.yml") == "# edited\n")

        // --force rewrites the contracts, and still keeps the policy that is there.
        try sandbox.write(".agentreview/policy.yml", Templates.policy + "# edited\n", in: repository)
        let forced = try sandbox.agentreview(["init", "--contracts", "--force"], in: repository)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try read("contracts/docs-only.yml") == Templates.docsOnlyContract)
        #expect(try read("policy.yml") == Templates.policy + "# edited\n")
        #expect(forced.stdout.contains("kept \(folder.appendingPathComponent("policy.yml").path)"))
    }

    @Test func initContractsBesideAPolicyWritesOnlyTheContracts() throws {
        let sandbox = try Sandbox()
        let repository = try sandbox.repository()
        let folder = repository.appendingPathComponent(".agentreview")

        // Plain init is unchanged: no contracts.
        let plain = try sandbox.agentreview(["init"], in: repository)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("contracts").path))

        // The policy, edited since, and the signers are kept; the contracts are added.
        let edited = Templates.policy + "# edited\n"
        try sandbox.write(".agentreview/policy.yml", edited, in: repository)
        try sandbox.write(".agentreview/allowed_signers", "# mine\n", in: repository)
        let added = try sandbox.agentreview(["init", "--contracts"], in: repository)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try String(contentsOf: folder.appendingPathComponent("policy.yml"), encoding: .utf8) == edited)
        #expect(try String(contentsOf: folder.appendingPathComponent("allowed_signers"), encoding: .utf8) == "# mine\n")
        for (file, text) in Templates.contracts {
            #expect(try String(contentsOf: folder.appendingPathComponent("contracts/\(file)"), encoding: .utf8) == text)
        }
        #expect(!added.stdout.contains("wrote \(folder.appendingPathComponent("policy.yml").path)"))

        // One contract there already: nothing is written, not even the other.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("contracts/dependency-bump.yml"))
        try sandbox.write(".agentreview/contracts/docs-only.yml", "# mine\n", in: repository)
        let refused = try sandbox.agentreview(["init", "--contracts"], in: repository)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("docs-only.yml already exists: pass --force to overwrite"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("contracts/dependency-bump.yml").path))
    }

    @Test func allowedSignersTemplateHasNoEntries() {
        let lines = Templates.allowedSigners.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.hasPrefix("#") }, "every line is a comment: no signer is trusted by default")
        #expect(Templates.allowedSigners.contains(#"echo "alice@example.com namespaces=\"agentreview\" $(cat ~/.ssh/id_ed25519.pub)" >> .agentreview/allowed_signers"#))
        #expect(Templates.allowedSigners.contains(#"valid-before="YYYYMMDD""#))
    }
}
