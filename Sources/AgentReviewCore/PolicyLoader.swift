// STUB: to be replaced by the policy helper.

/// One problem found in a policy file, with where it was written.
public struct PolicyDiagnostic: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }
    public var description: String { "\(location): \(message)" }
}

/// Every problem in a policy file, reported at once.
public struct PolicyError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [PolicyDiagnostic]
    public init(diagnostics: [PolicyDiagnostic]) { self.diagnostics = diagnostics }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

public enum PolicyLoader {
    /// Parses and validates a policy. `file` names it in diagnostics.
    public static func load(yaml: String, file: String) throws(PolicyError) -> Policy {
        throw PolicyError(diagnostics: [PolicyDiagnostic(location: SourceLocation(file: file, line: 1), message: "not implemented")])
    }
}
