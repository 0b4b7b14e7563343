#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why a path or ref pattern is refused.
public enum PatternError: Error, Sendable, Hashable, CustomStringConvertible {
    case malformed(pattern: String, reason: String)
    public var description: String {
        switch self {
        case .malformed(let pattern, let reason): "malformed pattern \"\(Self.shown(pattern))\": \(reason)"
        }
    }

    /// A pattern as diagnostics show it: a long one is cut short, so the message stays one
    /// readable line whatever was written.
    static func shown(_ pattern: String) -> String {
        guard pattern.utf8.count > 80 else { return pattern }
        return String(decoding: pattern.utf8.prefix(60), as: UTF8.self) + "…"
    }

    /// Refuses a pattern over `Limits.patternBytes` before anything reads it.
    static func checkSize(_ source: String) throws(PatternError) {
        let count = source.utf8.count
        if count > Limits.patternBytes {
            throw .malformed(pattern: source, reason: "it is \(count) bytes, over the limit of \(Limits.patternBytes) (Limits.patternBytes)")
        }
    }
}
