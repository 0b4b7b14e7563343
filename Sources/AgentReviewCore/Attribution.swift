// STUB: to be replaced by the attribution helper.

/// A git identity: `Name <email>`.
public struct Identity: Sendable, Hashable, Codable, CustomStringConvertible {
    public var name: String
    public var email: String
    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }
    public var description: String { "\(name) <\(email)>" }
}

/// One piece of evidence that an agent wrote a commit.
public struct Evidence: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `author`, `committer`, `trailer` or `signature`.
    public var source: String
    /// What matched, as written: `Claude <noreply@anthropic.com>`, `Made-with: Cursor`.
    public var value: String
    /// The agent it points at: `claude-code`, `copilot`, … or the policy's entry.
    public var agent: String
    public init(source: String, value: String, agent: String) {
        self.source = source
        self.value = value
        self.agent = agent
    }
    public var description: String { "\(source) \(value)" }
}

public struct Attribution: Sendable, Hashable, Codable {
    /// The agent, or nil for a human commit.
    public var agent: String?
    public var evidence: [Evidence]
    public init(agent: String?, evidence: [Evidence]) {
        self.agent = agent
        self.evidence = evidence
    }
    public var isAgent: Bool { agent != nil }
}

public struct Attributor: Sendable {
    public init(settings: AgentSettings) {}
    /// - Parameter signedByKnownHuman: whether the commit carries a valid signature from a
    ///   known human signer; nil when not checked.
    public func attribute(author: Identity, committer: Identity, trailers: [Trailer], signedByKnownHuman: Bool? = nil) -> Attribution {
        Attribution(agent: nil, evidence: [])
    }
}
