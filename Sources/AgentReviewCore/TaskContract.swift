#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A task contract: the structured intent an agent works under, kept on the trusted base at
/// `.agentreview/contracts/NAME.yml` and named by a commit's `Task-Contract: NAME` trailer.
/// A contract never lowers what a commit needs; it only adds checks (docs/design.md,
/// "Task contracts"). Built by `ContractLoader`, which validates everything.
public struct TaskContract: Sendable, Hashable {
    public static let supportedVersion = 1
    /// Where contracts live in the repository, relative to its root.
    public static let directory = ".agentreview/contracts"

    /// The file name without `.yml`: what `Task-Contract:` names.
    public var name: String
    /// Where it was read from: `refs/heads/main@1a2b3c4d5e6f:.agentreview/contracts/docs-only.yml`.
    public var source: String
    public var goal: String
    /// Who answers for the contract (an email or a name, as written).
    public var owner: String
    /// The highest class the contract's commits may reach (a rank of the policy's classes).
    public var ceiling: Int
    public var allow: [PathClause]
    public var deny: [PathClause]
    public var forbid: [ForbidClause]
    /// The first moment the contract no longer holds (a date `2026-12-31` means the end of
    /// that day UTC: it expires at `2027-01-01T00:00:00Z`).
    public var expires: Date?
    /// The most lines (added plus deleted, over all files) one commit may change.
    public var maxChangedLines: Int?
    /// Where each clause is written, by its key as written in the file: `class`,
    /// `paths.allow`, `paths.deny`, `forbid`, `expires`, `max_changed_lines`, `goal`, `owner`.
    public var locations: [String: SourceLocation]

    public struct PathClause: Sendable, Hashable {
        public var pattern: PathPattern
        public var location: SourceLocation
        public init(pattern: PathPattern, location: SourceLocation) {
            self.pattern = pattern
            self.location = location
        }
    }

    public struct ForbidClause: Sendable, Hashable {
        public var action: ContractAction
        public var location: SourceLocation
        public init(action: ContractAction, location: SourceLocation) {
            self.action = action
            self.location = location
        }
    }

    public init(
        name: String, source: String, goal: String, owner: String, ceiling: Int, allow: [PathClause] = [],
        deny: [PathClause] = [], forbid: [ForbidClause] = [], expires: Date? = nil, maxChangedLines: Int? = nil,
        locations: [String: SourceLocation] = [:]
    ) {
        self.name = name
        self.source = source
        self.goal = goal
        self.owner = owner
        self.ceiling = ceiling
        self.allow = allow
        self.deny = deny
        self.forbid = forbid
        self.expires = expires
        self.maxChangedLines = maxChangedLines
        self.locations = locations
    }
}

/// What a contract can forbid a commit to do.
public enum ContractAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// A file deleted (not as part of a rename).
    case delete
    /// A file renamed or moved (git's rename detection, 50% similarity).
    case rename
    /// A file added (not as part of a rename).
    case newFile = "new-file"
    /// A file made executable, or added executable.
    case executable
    /// A symbolic link added, changed or removed.
    case symlink
    /// A submodule (gitlink) added, changed or removed.
    case submodule
    /// Binary content (needs blob contents).
    case binary
    /// A dependency manifest or lockfile touched.
    case dependencyChange = "dependency-change"
    /// An agent's instructions or configuration touched (AGENTS.md, CLAUDE.md, .cursor/, …).
    case agentConfig = "agent-config"
    /// CI configuration touched (.github/workflows/, .gitlab-ci.yml, …).
    case ciConfig = "ci-config"
}

/// One way a commit breaks its contract (or fails to have a usable one): the clause, the
/// path that broke it, and where the clause is written.
public struct ContractViolation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `forbid: delete`, `paths.deny`, `paths.allow`, `class`, `max_changed_lines`, `expires`;
    /// for a contract that cannot be used: `Task-Contract` (none named, several, a bad name),
    /// `missing` (no such file on the base), `malformed`.
    public var clause: String
    /// The path that broke it, when one did (`old → new` for a rename).
    public var path: String?
    /// In words, one line.
    public var detail: String
    /// `file:line` of the clause (or of the policy line that requires a contract); nil when none.
    public var location: String?

    public init(clause: String, path: String? = nil, detail: String, location: String? = nil) {
        self.clause = clause
        self.path = path
        self.detail = detail
        self.location = location
    }

    public var description: String {
        var text = "\(clause): \(detail)"
        if let location { text += " (\(location))" }
        return text
    }
}

// MARK: - Names

extension TaskContract {
    /// The longest contract name, in bytes.
    public static let maxNameBytes = 100

    /// What a contract name may be, in words (for messages).
    public static let nameRule =
        "a name is ASCII letters, digits, '.', '_' and '-', starting with a letter or digit, at most \(maxNameBytes) bytes, without '..' and not ending in '.yml'"

    /// Whether `name` can name a contract: `[A-Za-z0-9][A-Za-z0-9._-]*`, at most 100 bytes,
    /// no `..`, not ending in `.yml`. A name is a file name in one directory and never more:
    /// no slash, no way up, nothing hidden.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
        guard let first = bytes.first, bytes.count <= maxNameBytes, isAlphanumeric(first) else { return false }
        guard bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else { return false }
        return !name.contains("..") && !name.lowercased().hasSuffix(".yml")
    }

    /// Text as messages show it: one line, a long one cut short.
    static func shown(_ text: String) -> String {
        YAMLComposer.shown(text).replacingAll("\n", with: "\\n").replacingAll("\r", with: "\\r")
    }
}
