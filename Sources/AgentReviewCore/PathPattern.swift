// STUB: to be replaced by the pattern helper.

/// A path inside a repository, as git stores it: bytes, `/`-separated, no leading slash.
/// Paths need not be UTF-8.
public struct GitPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    /// The path as text: itself when it is UTF-8, else quoted the way git quotes it ("\303...").
    public var description: String { String(decoding: bytes, as: UTF8.self) }

    public static func < (lhs: GitPath, rhs: GitPath) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}

public enum PatternError: Error, Sendable, Hashable, CustomStringConvertible {
    case malformed(pattern: String, reason: String)
    public var description: String {
        switch self {
        case .malformed(let pattern, let reason): "malformed pattern \"\(pattern)\": \(reason)"
        }
    }
}

/// A gitignore/CODEOWNERS path pattern.
public struct PathPattern: Sendable, Hashable, CustomStringConvertible {
    public let source: String
    public init(_ source: String) throws(PatternError) { self.source = source }
    public var description: String { source }
    public func matches(_ path: GitPath, ignoringCase: Bool = false) -> Bool { false }
}

/// A ref pattern such as `refs/heads/release/*`: wildmatch over the whole ref name.
public struct RefPattern: Sendable, Hashable, CustomStringConvertible {
    public let source: String
    public init(_ source: String) throws(PatternError) { self.source = source }
    public var description: String { source }
    public func matchesRef(_ ref: String) -> Bool { ref == source }
}
