#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How a commit breaks its task contract. Pure: the changes (with blob facts and renames
/// where `needsContents` / `needsRenames` asked for them), the commit's computed class and
/// the time of the judgement in, every violation out.
extension TaskContract {
    /// Every way a commit with these changes, of computed class `classRank`, breaks this
    /// contract at time `now`, in this order: `expires`, `class`, `paths.deny`,
    /// `paths.allow`, each `forbid` action in the order written, `max_changed_lines`.
    ///
    /// Fails closed: a fact the contract needs that was not gathered (binary content, a line
    /// count) is a violation saying it could not be checked, never a pass. `paths.deny` and
    /// the forbidden-file tables match ignoring case (a case trick never escapes them);
    /// `paths.allow` matches exactly (a case trick never gets in). Both sides of a change
    /// are checked, so both paths of a rename are.
    public func violations(of changes: [PathChange], classRank: Int, policy: Policy, now: Date) -> [ContractViolation] {
        var found = [ContractViolation]()
        func at(_ key: String) -> String? { locations[key].map(\.description) }
        func className(_ rank: Int) -> String { policy.classes.indices.contains(rank) ? policy.classes[rank].name : "#\(rank)" }

        if let expires, now >= expires {
            found.append(ContractViolation(
                clause: "expires", detail: "the contract expired on \(CivilTime.format(expires)) (judged at \(CivilTime.format(now)))",
                location: at("expires")))
        }
        if classRank > ceiling {
            found.append(ContractViolation(
                clause: "class", detail: "class \(className(classRank)) is above the contract's ceiling \(className(ceiling))",
                location: at("class")))
        }

        // Paths: deny wins over allow, so a denied path is reported once, as denied.
        var denied = Set<GitPath>()
        var seen = Set<GitPath>()
        for path in changes.flatMap(\.paths) where seen.insert(path).inserted {
            guard let clause = deny.first(where: { $0.pattern.matches(path, ignoringCase: true) }) else { continue }
            denied.insert(path)
            let folded = clause.pattern.matches(path) ? "" : " (matched ignoring case)"
            found.append(ContractViolation(
                clause: "paths.deny", path: path.description,
                detail: "\(path) is denied by \"\(clause.pattern.source)\"\(folded)", location: "\(clause.location)"))
        }
        if !allow.isEmpty {
            seen.removeAll()
            let allowed = allow.prefix(3).map { "\"\($0.pattern.source)\"" }.joined(separator: ", ") + (allow.count > 3 ? ", …" : "")
            for path in changes.flatMap(\.paths) where seen.insert(path).inserted && !denied.contains(path) {
                guard !allow.contains(where: { $0.pattern.matches(path) }) else { continue }
                found.append(ContractViolation(
                    clause: "paths.allow", path: path.description,
                    detail: "\(path) is outside the paths the contract allows (\(allowed))", location: at("paths.allow")))
            }
        }

        for clause in forbid {
            for (path, detail) in Self.offences(clause.action, changes) {
                found.append(ContractViolation(
                    clause: "forbid: \(clause.action.rawValue)", path: path, detail: detail, location: "\(clause.location)"))
            }
        }

        if let maxChangedLines {
            // A submodule's change has no lines: git counts none.
            let counted = changes.filter { !$0.isGitlinkChange }
            if let uncounted = counted.first(where: { $0.changedLines == nil }) {
                found.append(ContractViolation(
                    clause: "max_changed_lines", path: uncounted.newPath.description,
                    detail: "the changed lines could not be counted (\(uncounted.newPath) was not read), so the limit of \(maxChangedLines) cannot be checked",
                    location: at("max_changed_lines")))
            } else {
                let total = counted.reduce(0) { $0 + ($1.changedLines ?? 0) }
                if total > maxChangedLines {
                    found.append(ContractViolation(
                        clause: "max_changed_lines",
                        detail: "\(total) lines changed, more than the contract's \(maxChangedLines)",
                        location: at("max_changed_lines")))
                }
            }
        }
        return found
    }

    /// Whether checking needs blob contents: binary content, or line counts.
    public var needsContents: Bool { maxChangedLines != nil || forbid.contains { $0.action == .binary } }

    /// Whether checking needs git's rename detection: without it a rename is a deletion and
    /// an addition, and would be judged as both.
    public var needsRenames: Bool { forbid.contains { [.delete, .rename, .newFile].contains($0.action) } }

    /// Each path of `changes` that does `action`, with what it did (one line).
    static func offences(_ action: ContractAction, _ changes: [PathChange]) -> [(path: String, detail: String)] {
        var result = [(path: String, detail: String)]()
        var seen = Set<String>()
        func add(_ path: String, _ detail: String) {
            if seen.insert(path).inserted { result.append((path, detail)) }
        }
        for change in changes {
            let path = change.newPath.description
            switch action {
            case .delete:
                if change.kind == .deleted { add(change.oldPath.description, "\(change.oldPath) is deleted") }
            case .rename:
                if change.kind == .renamed { add("\(change.oldPath) → \(change.newPath)", "\(change.oldPath) is renamed to \(change.newPath)") }
            case .newFile:
                if change.kind == .added { add(path, "\(path) is a new file") }
            case .executable:
                if change.newMode == .executable && change.oldMode != .executable {
                    add(path, change.oldMode == .absent ? "\(path) is added executable" : "\(path) is made executable")
                }
            case .symlink:
                if change.oldMode == .symlink || change.newMode == .symlink {
                    let what = change.oldMode == .absent ? "added" : change.newMode == .absent ? "removed" : "changed"
                    add(path, "\(path) is a symbolic link, \(what)")
                }
            case .submodule:
                if change.isGitlinkChange {
                    let what = change.oldMode == .absent ? "added" : change.newMode == .absent ? "removed" : "changed"
                    add(path, "\(path) is a submodule, \(what)")
                }
            case .binary:
                // A submodule has no content to be binary; anything else not read fails closed.
                if change.isGitlinkChange { continue }
                switch change.isBinary {
                case true?: add(path, "\(path) has binary content")
                case nil: add(path, "\(path) could not be checked for binary content: its contents were not read")
                case false?: break
                }
            case .dependencyChange, .agentConfig, .ciConfig:
                guard let table = ContractFiles.table(for: action) else { continue }
                for side in change.paths {
                    if let pattern = table.first(where: { $0.matches(side, ignoringCase: true) }) {
                        add(side.description, "\(side) is \(ContractFiles.noun(for: action)) (\"\(pattern.source)\")")
                    }
                }
            }
        }
        return result
    }
}

extension PathChange {
    /// Either side is a submodule (gitlink).
    var isGitlinkChange: Bool { oldMode == .gitlink || newMode == .gitlink }
}

/// The files the `dependency-change`, `agent-config` and `ci-config` actions forbid, as
/// data: one table each, in the policy's pattern language (`PathPattern`, gitignore
/// semantics), always matched ignoring case. A pattern without a `/` matches a name at any
/// depth (`go.mod` in a nested module, `AGENTS.md` in any directory); one with a `/` is
/// anchored at the repository root (`.github/workflows/`), where only the root's copy counts.
public enum ContractFiles {
    /// Dependency manifests and lockfiles, by ecosystem; and vendored packages.
    public static let dependencySources: [String] = [
        // npm, yarn, pnpm, bun
        "package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", ".yarnrc.yml", ".pnp.cjs",
        "pnpm-lock.yaml", "pnpm-workspace.yaml", "bun.lock", "bun.lockb", ".npmrc", "node_modules/",
        // Cargo
        "Cargo.toml", "Cargo.lock",
        // Go
        "go.mod", "go.sum", "go.work", "go.work.sum",
        // Python
        "requirements*.txt", "requirements*.in", "constraints*.txt", "Pipfile", "Pipfile.lock", "pyproject.toml", "poetry.lock",
        "uv.lock", "setup.py", "setup.cfg", "pdm.lock", "pixi.lock",
        // Ruby
        "Gemfile", "Gemfile.lock", "*.gemspec", "gems.rb", "gems.locked",
        // PHP
        "composer.json", "composer.lock",
        // Maven, Gradle
        "pom.xml", "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradle.lockfile",
        "libs.versions.toml",
        // SwiftPM, CocoaPods, Carthage
        "Package.swift", "Package@swift-*.swift", "Package.resolved", "Podfile", "Podfile.lock", "*.podspec",
        "Cartfile", "Cartfile.private", "Cartfile.resolved",
        // .NET
        "*.csproj", "*.fsproj", "*.vbproj", "packages.config", "packages.lock.json", "Directory.Packages.props",
        "Directory.Build.props", "paket.dependencies", "paket.lock",
        // Elixir, Dart, Deno, Nix
        "mix.exs", "mix.lock", "pubspec.yaml", "pubspec.lock", "deno.json", "deno.jsonc", "deno.lock", "flake.nix", "flake.lock",
        // vcpkg, conan, Zig
        "vcpkg.json", "vcpkg-configuration.json", "conanfile.txt", "conanfile.py", "conan.lock", "build.zig.zon",
        // Haskell
        "stack.yaml", "stack.yaml.lock", "*.cabal", "cabal.project", "cabal.project.freeze",
        // Terraform
        ".terraform.lock.hcl",
    ]

    /// Agents' instructions and configuration.
    public static let agentConfigSources: [String] = [
        // Instructions read from any directory.
        "AGENTS.md", "AGENT.md", "CLAUDE.md", "CLAUDE.local.md", "GEMINI.md",
        // Tools' settings directories and rule files.
        ".claude/", ".cursor/", ".cursorrules", ".cursorignore", ".windsurf/", ".windsurfrules", ".clinerules", ".clineignore",
        ".codex/", ".junie/", ".gemini/", ".continue/", ".roo/", ".roomodes", ".kiro/", ".amazonq/",
        ".aider.conf.yml", ".aiderignore", ".mcp.json",
        // GitHub Copilot and VS Code, at the root.
        ".github/copilot-instructions.md", ".github/instructions/", ".github/prompts/", ".github/chatmodes/", ".github/agents/",
        ".vscode/mcp.json",
    ]

    /// CI configuration.
    public static let ciConfigSources: [String] = [
        ".github/workflows/", ".github/actions/", "action.yml", "action.yaml",
        ".gitlab-ci.yml", ".gitlab/ci/",
        ".circleci/", "Jenkinsfile", ".travis.yml",
        "azure-pipelines.yml", "azure-pipelines.yaml", ".azure-pipelines/",
        "bitbucket-pipelines.yml", ".buildkite/", ".drone.yml", ".woodpecker.yml", ".woodpecker/",
        "appveyor.yml", ".appveyor.yml", "cloudbuild.yaml", "cloudbuild.yml", ".cirrus.yml",
        ".gitea/workflows/", ".forgejo/workflows/", ".pre-commit-config.yaml", "buildspec.yml",
    ]

    /// The tables as patterns, built once.
    static let dependencyFiles = compile(dependencySources)
    static let agentConfigFiles = compile(agentConfigSources)
    static let ciConfigFiles = compile(ciConfigSources)

    static func table(for action: ContractAction) -> [PathPattern]? {
        switch action {
        case .dependencyChange: dependencyFiles
        case .agentConfig: agentConfigFiles
        case .ciConfig: ciConfigFiles
        default: nil
        }
    }

    static func noun(for action: ContractAction) -> String {
        switch action {
        case .dependencyChange: "a dependency manifest or lockfile"
        case .agentConfig: "an agent's instructions or configuration"
        case .ciConfig: "CI configuration"
        default: action.rawValue
        }
    }

    /// Every source is a valid pattern (ContractTests checks it); one that was not would be dropped.
    private static func compile(_ sources: [String]) -> [PathPattern] {
        sources.compactMap { try? PathPattern($0) }
    }
}
