/// A touched path with its class and the rule that set it.
public struct ClassifiedPath: Sendable, Hashable {
    public var path: GitPath
    public var rank: Int
    /// Which rule set the class, in words: `"infra/" at policy.yml:14`, `default_class`, …
    public var rule: String

    public init(path: GitPath, rank: Int, rule: String) {
        self.path = path
        self.rank = rank
        self.rule = rule
    }
}

/// A commit's class: the highest class of any path it touches, raised by escalations.
public struct Classification: Sendable, Hashable {
    public var rank: Int
    /// Each distinct touched path, in the order first seen.
    public var paths: [ClassifiedPath]
    /// Commit-level escalations (changed lines), in words.
    public var escalations: [String]
    /// What set the commit's class, in words.
    public var rule: String
}

/// Classifies paths and commits by a policy. Pure: it sees paths and modes, never git.
public struct Classifier: Sendable {
    public let policy: Policy
    private let trusted: [(pattern: PathPattern, why: String)]

    /// Files that configure agentreview itself: changing them is always the highest class,
    /// whatever the policy says, and matched ignoring case.
    public static let trustedPatterns = [
        "/.agentreview/", "CODEOWNERS", "/hooks/",
    ]

    public init(policy: Policy) {
        self.policy = policy
        var trusted = [(PathPattern, String)]()
        for source in Self.trustedPatterns {
            // These literals are valid patterns; a failure here is a programming error caught by tests.
            if let pattern = try? PathPattern(source) {
                trusted.append((pattern, "trusted file (\(source)): always the highest class"))
            }
        }
        // The files the policy trusts are trusted too, wherever it keeps them.
        var files = [policy.signers]
        if let revoked = policy.revoked { files.append(revoked) }
        if case .path(let owners) = policy.owners { files.append(owners) }
        for file in files {
            if let pattern = try? PathPattern("/" + Self.escape(file)) {
                trusted.append((pattern, "trusted file (\(file), named by the policy): always the highest class"))
            }
        }
        self.trusted = trusted
    }

    /// The class of one path, from the trusted files, then the path rules (highest
    /// match wins), then `default_class`. A rule that matches only when case is ignored
    /// counts when it would raise the class: a case trick never lowers it.
    public func classify(_ path: GitPath) -> ClassifiedPath {
        for entry in trusted where entry.pattern.matches(path, ignoringCase: true) {
            return ClassifiedPath(path: path, rank: policy.highestClass, rule: entry.why)
        }
        var best: (rank: Int, rule: PathRule)?
        for rule in policy.paths where rule.classRank > best?.rank ?? -1 && rule.pattern.matches(path) {
            best = (rule.classRank, rule)
        }
        var result = best.map { ClassifiedPath(path: path, rank: $0.rank, rule: Self.describe($0.rule)) }
            ?? ClassifiedPath(path: path, rank: policy.defaultClass, rule: "default_class")
        for rule in policy.paths where rule.classRank > result.rank && rule.pattern.matches(path, ignoringCase: true) {
            result = ClassifiedPath(path: path, rank: rule.classRank, rule: Self.describe(rule) + " (matched ignoring case)")
        }
        return result
    }

    /// The class of a commit from the changes it introduces.
    public func classify(_ changes: [PathChange]) -> Classification {
        var paths = [ClassifiedPath]()
        var index = [GitPath: Int]()
        var totalLines = 0
        for change in changes {
            let escalation = escalation(for: change)
            totalLines += change.changedLines ?? 0
            for path in change.paths {
                var classified = classify(path)
                if let escalation, escalation.rank > classified.rank {
                    classified.rank = escalation.rank
                    classified.rule = escalation.why
                }
                if let seen = index[path] {
                    if classified.rank > paths[seen].rank { paths[seen] = classified }
                } else {
                    index[path] = paths.count
                    paths.append(classified)
                }
            }
        }

        var rank = 0
        var rule = changes.isEmpty ? "no paths changed" : ""
        for path in paths where path.rank > rank || rule.isEmpty {
            rank = path.rank
            rule = "\(path.path): \(path.rule)"
        }
        var escalations = [String]()
        if let lines = policy.escalations.changedLines, totalLines > lines.over {
            let why = "escalation changed_lines: \(totalLines) lines changed, over \(lines.over)"
            escalations.append(why)
            if lines.classRank > rank {
                rank = lines.classRank
                rule = why
            }
        }
        return Classification(rank: rank, paths: paths, escalations: escalations, rule: rule)
    }

    /// The highest escalation a change triggers, if any.
    private func escalation(for change: PathChange) -> (rank: Int, why: String)? {
        let rules = policy.escalations
        var found: (rank: Int, why: String)?
        func raise(_ rank: Int?, _ why: String) {
            guard let rank, rank > found?.rank ?? -1 else { return }
            found = (rank, why)
        }
        if change.oldMode == .gitlink || change.newMode == .gitlink {
            raise(rules.submodule, "escalation submodule: a submodule (gitlink) changed")
        }
        if change.kind != .deleted && change.newMode == .symlink {
            raise(rules.symlink, "escalation symlink: a symbolic link added or changed")
        }
        if change.kind != .deleted && change.newMode == .executable && change.oldMode != .executable {
            raise(rules.executable, "escalation executable: file made executable")
        }
        if change.isBinary == true {
            raise(rules.binary, "escalation binary: binary content")
        }
        return found
    }

    private static func describe(_ rule: PathRule) -> String {
        if let location = rule.location { return "\"\(rule.pattern.source)\" at \(location)" }
        return "\"\(rule.pattern.source)\""
    }

    /// A literal path as a pattern that matches only itself.
    private static func escape(_ path: String) -> String {
        var out = ""
        for character in path {
            if "*?[\\ !#".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
