/// A touched path with its class and the rule that set it.
///
/// The rule is kept in two forms. `rule` names the policy it comes from, so that it stands
/// alone (a reason, JSON's `rule`): `"infra/" at refs/heads/main@1a2b3c4d5e6f:.agentreview/policy.yml:14`.
/// `brief` is for a reader already told which policy judged (a report names it once in its
/// heading): `"infra/" (line 14)`. `line` is the policy line on its own, for programs. A class
/// not set by a path rule (`default_class`, a trusted file, an escalation) has no line, and
/// both forms are the same words.
public struct ClassifiedPath: Sendable, Hashable {
    public var path: GitPath
    public var rank: Int
    /// Which rule set the class, in words, with the policy's origin: `"infra/" at policy.yml:14`, `default_class`, …
    public var rule: String
    /// The policy line of the path rule that set the class; nil when no path rule did.
    public var line: Int?
    /// The rule without the policy's origin: `"infra/" (line 14)`, `default_class`, …
    public var brief: String

    public init(path: GitPath, rank: Int, rule: String, line: Int? = nil, brief: String? = nil) {
        self.path = path
        self.rank = rank
        self.rule = rule
        self.line = line
        self.brief = brief ?? rule
    }

    /// The two forms of a path rule's description: `"infra/" at FILE:LINE` and `"infra/" (line LINE)`,
    /// each with `matched ignoring case` when only a case-folded match raised the class.
    public static func describe(pattern: String, location: SourceLocation?, ignoringCase: Bool = false) -> (rule: String, brief: String) {
        let quoted = "\"\(pattern)\""
        let folded = ignoringCase ? " (matched ignoring case)" : ""
        guard let location else { return (quoted + folded, quoted + folded) }
        let brief = ignoringCase ? "\(quoted) (line \(location.line), matched ignoring case)" : "\(quoted) (line \(location.line))"
        return ("\(quoted) at \(location)\(folded)", brief)
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
    private let rules: PathRules

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
        self.rules = PathRules(policy: policy, trusted: trusted)
    }

    /// The class of one path, from the trusted files, then the path rules (highest
    /// match wins), then `default_class`. A rule that matches only when case is ignored
    /// counts when it would raise the class: a case trick never lowers it.
    public func classify(_ path: GitPath) -> ClassifiedPath {
        rules.classify(path)
    }

    /// The paths one thread has classified, for the next commits that touch them: a path's
    /// class depends on nothing but the path and the policy, and a history touches the same
    /// paths again and again (Aider's 19,483 changed paths are 1,190 distinct ones). Used
    /// by one thread at a time, as the repository handle beside it. Kept for one
    /// classifier's rules (another's empties it). It holds at most `capacity` paths, and
    /// takes none from a commit of more than `commitPaths`: an import's paths, mostly never
    /// touched again, would only cost the inserting (ghostty's first commit has 17,121).
    ///
    /// It pays over a history, not a push: it keeps nothing until it has classified
    /// `warmUp` paths, so that a hook judging a few commits never makes its table (whose
    /// type the Swift runtime makes at its first use, from its mangled name: a tenth of a
    /// millisecond, 2% of a 1-commit hook).
    public final class Memo {
        fileprivate var rules: PathRules?
        fileprivate var classes: [GitPath: ClassifiedPath] = [:]
        /// Paths classified so far, counted up to `warmUp`.
        private var seen = 0
        public static let capacity = 8_192
        public static let commitPaths = 256
        public static let warmUp = 1_024

        public init() {}

        /// Paths held now.
        public var count: Int { classes.count }

        fileprivate func classify(_ path: GitPath, by rules: PathRules, keep: Bool) -> ClassifiedPath {
            guard seen >= Self.warmUp else {
                seen += 1
                return rules.classify(path)
            }
            if self.rules !== rules {
                self.rules = rules
                classes = [:]
            }
            if let known = classes[path] { return known }
            let classified = rules.classify(path)
            if keep && classes.count < Self.capacity { classes[path] = classified }
            return classified
        }
    }

    /// What classifying a path needs, made once: the patterns kept for matching many at a
    /// time, the descriptions of the rules. A class, so that classifying copies none of it.
    fileprivate final class PathRules: Sendable {
        /// The trusted files, and why each is trusted.
        let trusted: PathPatternList
        let trustedWhy: [String]
        let highestClass: Int
        /// The policy's path rules, in order, with their ranks and descriptions.
        let patterns: PathPatternList
        let ranks: [Int]
        /// Each rule's line in the policy, if known.
        let lines: [Int?]
        /// `"infra/" at policy.yml:14` and `"infra/" (line 14)`.
        let why: [(rule: String, brief: String)]
        /// The same, for a match found only when case is ignored.
        let whyIgnoringCase: [(rule: String, brief: String)]
        let defaultClass: Int

        init(policy: Policy, trusted: [(PathPattern, String)]) {
            self.trusted = PathPatternList(trusted.map(\.0))
            self.trustedWhy = trusted.map(\.1)
            self.highestClass = policy.highestClass
            self.patterns = PathPatternList(policy.paths.map(\.pattern))
            self.ranks = policy.paths.map(\.classRank)
            self.lines = policy.paths.map { $0.location?.line }
            self.why = policy.paths.map { ClassifiedPath.describe(pattern: $0.pattern.source, location: $0.location) }
            self.whyIgnoringCase = policy.paths.map {
                ClassifiedPath.describe(pattern: $0.pattern.source, location: $0.location, ignoringCase: true)
            }
            self.defaultClass = policy.defaultClass
        }

        func classify(_ path: GitPath) -> ClassifiedPath {
            let (rank, rule, ignoringCase) = path.bytes.withUnsafeBufferPointer { bytes in SplitPath.split(bytes) { classify($0) } }
            switch rule {
            case .trusted(let index):
                return ClassifiedPath(path: path, rank: rank, rule: trustedWhy[index])
            case .path(let index):
                let why = ignoringCase ? whyIgnoringCase[index] : self.why[index]
                return ClassifiedPath(path: path, rank: rank, rule: why.rule, line: lines[index], brief: why.brief)
            case .defaultClass:
                return ClassifiedPath(path: path, rank: rank, rule: "default_class")
            }
        }

        private enum Rule {
            case trusted(Int)
            case path(Int)
            case defaultClass
        }

        private func classify(_ path: SplitPath) -> (rank: Int, rule: Rule, ignoringCase: Bool) {
            let ignoringCase: WildFlags = [.caseFold, .foldAll]
            for index in 0..<trusted.count where trusted.matches(index, path, flags: ignoringCase) {
                return (highestClass, .trusted(index), false)
            }
            var best: Int?
            for index in 0..<patterns.count where ranks[index] > (best.map { ranks[$0] } ?? -1) {
                if patterns.matches(index, path, flags: []) { best = index }
            }
            var rank = best.map { ranks[$0] } ?? defaultClass
            var rule = best.map(Rule.path) ?? .defaultClass
            var folded = false
            // Every rule ranked above `rank` was tried above and did not match; folding
            // changes nothing for a fold-invariant pattern on a path without uppercase letters.
            let hasUppercase = path.bytes.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
            for index in 0..<patterns.count where ranks[index] > rank && (hasUppercase || patterns.foldMatters(index)) {
                if patterns.matches(index, path, flags: ignoringCase) {
                    rank = ranks[index]
                    rule = .path(index)
                    folded = true
                }
            }
            return (rank, rule, folded)
        }
    }

    /// The class of a commit from the changes it introduces; with `memo`, paths classified
    /// before by the same thread are not matched again.
    public func classify(_ changes: [PathChange], memo: Memo? = nil) -> Classification {
        var paths = [ClassifiedPath]()
        paths.reserveCapacity(changes.count)
        // Where each path is in `paths`: searched in order while there are few, hashed beyond.
        var index: [GitPath: Int]?
        var totalLines = 0
        let keep = changes.count <= Memo.commitPaths
        func add(_ path: GitPath, _ escalation: (rank: Int, why: String)?) {
            var classified = memo?.classify(path, by: rules, keep: keep) ?? classify(path)
            if let escalation, escalation.rank > classified.rank {
                classified.rank = escalation.rank
                classified.rule = escalation.why
                classified.brief = escalation.why
                classified.line = nil
            }
            if index == nil && paths.count >= Self.linearSearchLimit {
                index = Dictionary(uniqueKeysWithValues: paths.indices.map { (paths[$0].path, $0) })
            }
            let seen: Int? = if let index { index[path] } else { paths.firstIndex { $0.path == path } }
            if let seen {
                if classified.rank > paths[seen].rank { paths[seen] = classified }
            } else {
                index?[path] = paths.count
                paths.append(classified)
            }
        }
        for change in changes.indices {
            let escalation = escalation(
                kind: changes[change].kind, from: changes[change].oldMode, to: changes[change].newMode,
                isBinary: changes[change].isBinary)
            totalLines += changes[change].changedLines ?? 0
            // `change.paths`, without making an array.
            let oldPath = changes[change].oldPath
            let newPath = changes[change].newPath
            if oldPath == newPath || oldPath.bytes.isEmpty {
                add(newPath, escalation)
            } else if newPath.bytes.isEmpty {
                add(oldPath, escalation)
            } else {
                add(oldPath, escalation)
                add(newPath, escalation)
            }
        }

        // The first path of the highest class sets the commit's class.
        var top: Int?
        for index in paths.indices where top.map({ paths[index].rank > paths[$0].rank }) ?? true {
            top = index
        }
        var rank = top.map { paths[$0].rank } ?? 0
        var rule = top.map { String(joining: paths[$0].path.description, ": ", paths[$0].rule) } ?? (changes.isEmpty ? "no paths changed" : "")
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

    /// Up to this many distinct paths, a commit's paths are searched in order rather than hashed.
    private static let linearSearchLimit = 16

    /// The highest escalation a change triggers, if any.
    private func escalation(kind: PathChange.Kind, from oldMode: FileMode, to newMode: FileMode, isBinary: Bool?) -> (rank: Int, why: String)? {
        let rules = policy.escalations
        var found: (rank: Int, why: String)?
        func raise(_ rank: Int?, _ why: String) {
            guard let rank, rank > found?.rank ?? -1 else { return }
            found = (rank, why)
        }
        if oldMode == .gitlink || newMode == .gitlink {
            raise(rules.submodule, "escalation submodule: a submodule (gitlink) changed")
        }
        if kind != .deleted && newMode == .symlink {
            raise(rules.symlink, "escalation symlink: a symbolic link added or changed")
        }
        if kind != .deleted && newMode == .executable && oldMode != .executable {
            raise(rules.executable, "escalation executable: file made executable")
        }
        if isBinary == true {
            raise(rules.binary, "escalation binary: binary content")
        }
        return found
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
