import AgentReviewCore
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

/// The files `agentreview init` writes (`Templates`): the same as `templates/`, valid, and
/// classing paths as their comments say.
@Suite struct InitTemplatesTests {
    @Test func templateFilesAreTheEmbeddedStrings() throws {
        let policy = try Data(contentsOf: packageRoot.appendingPathComponent("templates/policy.yml"))
        let signers = try Data(contentsOf: packageRoot.appendingPathComponent("templates/allowed_signers"))
        #expect(policy == Data(Templates.policy.utf8), "templates/policy.yml and Templates.policy differ")
        #expect(signers == Data(Templates.allowedSigners.utf8), "templates/allowed_signers and Templates.allowedSigners differ")
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
    }

    @Test func allowedSignersTemplateHasNoEntries() {
        let lines = Templates.allowedSigners.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.hasPrefix("#") }, "every line is a comment: no signer is trusted by default")
        #expect(Templates.allowedSigners.contains(#"echo "alice@example.com namespaces=\"agentreview\" $(cat ~/.ssh/id_ed25519.pub)" >> .agentreview/allowed_signers"#))
        #expect(Templates.allowedSigners.contains(#"valid-before="YYYYMMDD""#))
    }
}
