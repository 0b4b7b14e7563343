#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A ref pattern such as `refs/heads/release/*`: wildmatch with `WM_PATHNAME` over the
/// whole ref name, so `*` stays within one component and `**` crosses them.
public struct RefPattern: Sendable, Hashable, CustomStringConvertible {
    public let source: String
    private let bytes: [UInt8]

    public init(_ source: String) throws(PatternError) {
        try PatternError.checkSize(source)
        self.source = source
        self.bytes = Array(source.utf8)
        func malformed(_ reason: String) -> PatternError { .malformed(pattern: source, reason: reason) }

        if bytes.isEmpty { throw malformed("it is empty") }
        guard source.hasPrefix("refs/") else {
            throw malformed("ref patterns name full refs: did you mean \"\(Self.suggestion(for: source))\"?")
        }
        if bytes.last == .slash {
            throw malformed("ref names never end with \"/\": write \"\(source)**\" for every ref under it")
        }
        let tokens: [PatternToken]
        do {
            tokens = try bytes.withUnsafeBufferPointer { p throws(PatternProblem) in
                try PatternLexer.tokens(p, from: 0, slashIsSpecial: true)
            }
        } catch {
            throw malformed(error.reason)
        }
        for component in PatternLexer.components(tokens) where !component.joinable {
            if component.isEmpty { throw malformed("it has an empty component (\"//\"), which ref names never have") }
            if component.tokens.first == .literal(.dot) { throw malformed("ref name components never start with \".\"") }
        }
        for (index, token) in tokens.enumerated() {
            guard case .literal(let byte) = token else { continue }
            if byte < 0x20 || byte == 0x7F || byte == .space || byte == .backslash || byte == .tilde
                || byte == .caret || byte == .colon
            {
                let shown = byte >= 0x20 && byte < 0x7F ? "\"\(Character(Unicode.Scalar(byte)))\"" : "the byte 0x\(String(byte, radix: 16))"
                throw malformed("ref names never contain \(shown)")
            }
            if byte == .dot && index + 1 < tokens.count && tokens[index + 1] == .literal(.dot) {
                throw malformed("ref names never contain \"..\"")
            }
        }
    }

    public var description: String { source }

    public static func == (lhs: RefPattern, rhs: RefPattern) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }

    public func matchesRef(_ ref: String) -> Bool {
        var ref = ref
        return ref.withUTF8 { text in
            bytes.withUnsafeBufferPointer { pattern in
                WildEngine(pattern: pattern, text: text, flags: .pathname).run() == .match
            }
        }
    }

    private static func suggestion(for source: String) -> String {
        var name = Substring(source)
        while name.first == "/" { name = name.dropFirst() }
        if name.hasPrefix("refs/") { return String(name) }
        for namespace in ["heads/", "tags/", "remotes/", "notes/"] where name.hasPrefix(namespace) {
            return "refs/" + name
        }
        return "refs/heads/" + (name.isEmpty ? "main" : name)
    }
}
