#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A policy, version 1: how agents are recognised, the ordered risk classes and
/// what each requires, path rules and ref rules. Built by `PolicyLoader`, which
/// validates everything; a `Policy` value is always internally consistent
/// (every class name it mentions exists).
public struct Policy: Sendable {
    public static let supportedVersion = 1

    public var version: Int
    /// Ordered, lowest first. A class's rank is its index here.
    public var classes: [RiskClass]
    /// Rank of the class for paths no rule matches.
    public var defaultClass: Int
    public var paths: [PathRule]
    public var escalations: Escalations
    public var agents: AgentSettings
    public var appliesTo: AppliesTo
    public var refs: [RefRule]
    public var defaultMode: EnforcementMode
    /// Repository path of the OpenSSH allowed_signers file.
    public var signers: String
    public var owners: OwnersSource
    public var teams: [String: [String]]
    public var users: [String: String]
    public var bots: [String]
    /// Repository path of a file of revoked public keys, if any.
    public var revoked: String?
    public var gates: [String: GateRule]
    /// Task contracts: which commits must name one, and what a violation does.
    public var contracts: ContractSettings
    /// What a commit that declares a lower `Execution-Class:` than its computed class gets.
    public var declaredClass: DeclaredClassSettings
    /// Who may break the glass, and for how long an override counts.
    public var overrides: OverrideSettings
    /// Where the policy was read from, for messages ("refs/heads/main:.agentreview/policy.yml").
    public var source: String

    public init(
        version: Int = Policy.supportedVersion,
        classes: [RiskClass],
        defaultClass: Int? = nil,
        paths: [PathRule] = [],
        escalations: Escalations = Escalations(),
        agents: AgentSettings = AgentSettings(),
        appliesTo: AppliesTo = .agents,
        refs: [RefRule] = [],
        defaultMode: EnforcementMode = .enforce,
        signers: String = ".agentreview/allowed_signers",
        owners: OwnersSource = .auto,
        teams: [String: [String]] = [:],
        users: [String: String] = [:],
        bots: [String] = [],
        revoked: String? = nil,
        gates: [String: GateRule] = [:],
        contracts: ContractSettings = ContractSettings(),
        declaredClass: DeclaredClassSettings = DeclaredClassSettings(),
        overrides: OverrideSettings = OverrideSettings(),
        source: String = "policy.yml"
    ) {
        self.version = version
        self.classes = classes
        self.defaultClass = defaultClass ?? max(classes.count - 1, 0)
        self.paths = paths
        self.escalations = escalations
        self.agents = agents
        self.appliesTo = appliesTo
        self.refs = refs
        self.defaultMode = defaultMode
        self.signers = signers
        self.owners = owners
        self.teams = teams
        self.users = users
        self.bots = bots
        self.revoked = revoked
        self.gates = gates
        self.contracts = contracts
        self.declaredClass = declaredClass
        self.overrides = overrides
        self.source = source
    }

    /// The highest class: what trusted files and fail-safe defaults get.
    public var highestClass: Int { classes.count - 1 }

    public func rank(of className: String) -> Int? {
        classes.firstIndex { $0.name == className }
    }

    /// Who an owner or signer entry stands for: `@team` and `@org/team` (by its last part too)
    /// through `teams`, `@user` through `users`; a plain principal is itself. Nil when
    /// neither `teams` nor `users` names it: it stands for nobody.
    public func members(of entry: String) -> [String]? {
        guard entry.hasPrefix("@") else { return [entry] }
        let name = String(entry.dropFirst())
        if let members = teams[name] { return members }
        if let slash = name.lastIndex(of: "/"), let members = teams[String(name[name.index(after: slash)...])] {
            return members
        }
        return users[name].map { [$0] }
    }

    /// Everyone `overrides.signers` lists, teams and users resolved, lowercased.
    public var overrideSigners: Set<String> {
        Set(overrides.signers.flatMap { members(of: $0) ?? [] }.map { $0.lowercased() })
    }

    /// The mode for a ref: first matching rule wins, else `defaultMode`.
    public func mode(for ref: String) -> (mode: EnforcementMode, rule: RefRule?) {
        for rule in refs where rule.pattern.matchesRef(ref) {
            return (rule.mode, rule)
        }
        return (defaultMode, nil)
    }

    /// The strictest mode any ref can have under this policy: the mode of the ref the policy
    /// itself is read from, so that no ref is judged more strictly than the rules that judge it.
    public var strictestMode: EnforcementMode {
        refs.map(\.mode).reduce(defaultMode, max)
    }
}

/// Where a policy element was written, so messages can say `file:line`.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int = 1) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line)" }
}

public struct RiskClass: Sendable, Hashable {
    public var name: String
    public var approvals: Int
    public var owners: Bool
    public var humanSignoff: Bool
    public var gates: [String]
    public var location: SourceLocation?

    public init(
        name: String, approvals: Int = 0, owners: Bool = false, humanSignoff: Bool = false,
        gates: [String] = [], location: SourceLocation? = nil
    ) {
        self.name = name
        self.approvals = approvals
        self.owners = owners
        self.humanSignoff = humanSignoff
        self.gates = gates
        self.location = location
    }

    /// Whether this class asks for any sign-off at all.
    public var requiresSignoff: Bool { approvals > 0 || owners || humanSignoff || !gates.isEmpty }
}

public struct PathRule: Sendable, Hashable {
    public var pattern: PathPattern
    public var classRank: Int
    public var location: SourceLocation?

    public init(pattern: PathPattern, classRank: Int, location: SourceLocation? = nil) {
        self.pattern = pattern
        self.classRank = classRank
        self.location = location
    }
}

/// Escalations raise a commit's class. Each holds the rank of the class it raises to.
public struct Escalations: Sendable, Hashable {
    public var submodule: Int?
    public var symlink: Int?
    public var executable: Int?
    /// Needs blob contents.
    public var binary: Int?
    /// Needs blob contents: more than `over` lines added plus deleted in one commit.
    public var changedLines: ChangedLines?

    public struct ChangedLines: Sendable, Hashable {
        public var over: Int
        public var classRank: Int
        public init(over: Int, classRank: Int) {
            self.over = over
            self.classRank = classRank
        }
    }

    public init(
        submodule: Int? = nil, symlink: Int? = nil, executable: Int? = nil, binary: Int? = nil,
        changedLines: ChangedLines? = nil
    ) {
        self.submodule = submodule
        self.symlink = symlink
        self.executable = executable
        self.binary = binary
        self.changedLines = changedLines
    }

    /// Whether judging needs blob contents (binary detection or line counts).
    public var needsContents: Bool { binary != nil || changedLines != nil }
}

public struct AgentSettings: Sendable, Hashable {
    /// Recognise the built-in identities and trailers of real agents.
    public var builtin: Bool
    /// Extra identities: exact `Name <email>`, `<email>` or a bare email, glob patterns allowed.
    public var identities: [String]
    /// Trailer keys whose presence marks an agent commit (case-insensitive).
    public var trailers: [String]
    /// A commit without a valid signature from a known human signer is agent-authored.
    public var unsignedIsAgent: Bool
    /// Read git-ai authorship notes (`refs/notes/ai`): a note attributing lines to an AI
    /// session is evidence. Off by default: the client writes them, unsigned.
    public var notes: Bool

    public init(
        builtin: Bool = true, identities: [String] = [], trailers: [String] = [], unsignedIsAgent: Bool = false, notes: Bool = false
    ) {
        self.builtin = builtin
        self.identities = identities
        self.trailers = trailers
        self.unsignedIsAgent = unsignedIsAgent
        self.notes = notes
    }
}

/// Whose commits the policy judges: agents' (the default), agents' and bots', or everyone's.
public enum AppliesTo: String, Sendable, Hashable, Codable {
    case agents
    case agentsAndBots = "agents+bots"
    case all

    /// Whether a commit so attributed is judged.
    public func covers(_ attribution: Attribution) -> Bool {
        covers(agent: attribution.isAgent, bot: attribution.isBot)
    }

    /// Whether a commit by an agent, a bot, or neither (a person) is judged.
    public func covers(agent: Bool, bot: Bool) -> Bool {
        switch self {
        case .agents: agent
        case .agentsAndBots: agent || bot
        case .all: true
        }
    }

    /// The reason a commit this does not cover is not judged.
    public var notCovered: String {
        switch self {
        case .agents: "policy applies to agent commits only"
        case .agentsAndBots: "policy applies to agent and bot commits only"
        case .all: "policy applies to all commits"
        }
    }
}

public enum EnforcementMode: String, Sendable, Hashable, Codable, Comparable {
    case off
    case warn
    case enforce

    private var strictness: Int {
        switch self {
        case .off: 0
        case .warn: 1
        case .enforce: 2
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.strictness < rhs.strictness }
}

public struct RefRule: Sendable, Hashable {
    public var pattern: RefPattern
    public var mode: EnforcementMode
    public var location: SourceLocation?

    public init(pattern: RefPattern, mode: EnforcementMode, location: SourceLocation? = nil) {
        self.pattern = pattern
        self.mode = mode
        self.location = location
    }
}

public enum OwnersSource: Sendable, Hashable {
    /// GitHub's CODEOWNERS locations: `.github/`, the root, `docs/`; first found.
    case auto
    case path(String)

    /// The paths to try, in order; the first that exists is read.
    public var candidates: [String] {
        switch self {
        case .auto: CodeOwners.locations
        case .path(let path): [path]
        }
    }
}

public struct GateRule: Sendable, Hashable {
    /// Principals allowed to attest this gate.
    public var signers: [String]
    public init(signers: [String]) { self.signers = signers }
}

/// `contracts: {required, on_violation}`.
public struct ContractSettings: Sendable, Hashable {
    /// Which judged commits must name a task contract (`Task-Contract: NAME`).
    public enum Required: String, Sendable, Hashable, Codable, CaseIterable {
        case none, agents, all
    }
    /// What a violated contract does to the commit.
    public enum OnViolation: String, Sendable, Hashable, Codable, CaseIterable {
        /// The commit is blocked (a warning on a warn ref) until it is rewritten or overridden.
        case block
        /// The commit is raised to the highest class: more sign-off, not a wall.
        case raiseClass = "raise-class"
    }

    public var required: Required
    public var onViolation: OnViolation
    /// Where `contracts` is written in the policy, for messages.
    public var location: SourceLocation?

    public init(required: Required = .none, onViolation: OnViolation = .block, location: SourceLocation? = nil) {
        self.required = required
        self.onViolation = onViolation
        self.location = location
    }
}

/// `declared_class: {under}`.
public struct DeclaredClassSettings: Sendable, Hashable {
    public enum Under: String, Sendable, Hashable, Codable, CaseIterable {
        case block, warn, ignore
    }

    public var under: Under
    public var location: SourceLocation?

    public init(under: Under = .warn, location: SourceLocation? = nil) {
        self.under = under
        self.location = location
    }
}

/// `overrides: {signers, max_age}`: the break-glass.
public struct OverrideSettings: Sendable, Hashable {
    /// Principals (emails, as in allowed_signers; `@team` through `teams`) who may sign an override.
    /// Empty: nobody can.
    public var signers: [String]
    /// How long after it is signed an override counts, relative to the push being judged.
    public var maxAge: TimeInterval
    public var location: SourceLocation?

    public static let defaultMaxAge: TimeInterval = 24 * 60 * 60

    public init(signers: [String] = [], maxAge: TimeInterval = OverrideSettings.defaultMaxAge, location: SourceLocation? = nil) {
        self.signers = signers
        self.maxAge = maxAge
        self.location = location
    }
}
