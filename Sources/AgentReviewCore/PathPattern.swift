// `PathPattern` adds what git's dir.c does around `Wildmatch` for a `.gitignore` line
// (trailing spaces, the `!`/`#`/`/` markers, the literal prefix, basename matching and
// leading directories), keeping git's quirks: the contract is "whatever `git check-ignore` says".

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A gitignore/CODEOWNERS path pattern.
///
/// A pattern matches a path exactly when a `.gitignore` holding just that pattern makes
/// `git check-ignore --no-index` report the path, the path being a file:
/// - without a `/` (other than a trailing one) it matches a name at any depth;
///   with a leading or inner `/` it is anchored at the root;
/// - a trailing `/` matches directories only;
/// - a path also matches when one of its leading directories does
///   (`infra/` matches `infra/a/b.tf`, `docs` matches `x/docs/y.md`);
/// - trailing unescaped spaces are dropped, `\` escapes the next character.
///
/// Patterns that could never match, negations (`!`) and comments (`#`) are refused.
public struct PathPattern: Sendable, Hashable, CustomStringConvertible {
    public let source: String

    /// The pattern as dir.c keeps it: spaces trimmed, no `!`, no trailing `/`.
    private let body: [UInt8]
    /// No `/` in the body: matched against each path component's name.
    private let matchesNames: Bool
    /// The pattern ended in `/`.
    private let directoriesOnly: Bool
    /// How the common shapes are matched without wildmatch; nil for the others.
    let shortcut: Shortcut?
    /// Anchored patterns: where the literal prefix starts (after a leading `/`) and its length.
    private let prefixStart: Int
    private let prefixLength: Int
    /// Anchored patterns without `**`: how many `/` a matching path prefix has.
    private let slashCount: Int?

    /// The shapes most policies are written in, matched without wildmatch, as plain values
    /// (no references: a `PathPatternList` keeps many and copies them freely).
    ///
    /// A shortcut decides exactly as wildmatch does for every path git can hold (paths never
    /// contain NUL, which wildmatch reads as their end); `PathPatternTests` checks the two agree.
    struct Shortcut: Sendable {
        enum Shape: Sendable {
            /// No `/` but a trailing one; literal bytes and at most one `*` (at `star`), no
            /// `?`, `[` or `\`: `README`, `*.md`, `Dockerfile*`, `requirements*.txt`, `docs/`.
            /// A component matches when it starts with the bytes before the `*` and ends with
            /// those after it (or, without `*`, is the body).
            case name(star: Int?)
            /// A `/` inside or at the start, and only literal bytes: `/infra/`,
            /// `.github/workflows/`. The path is the literal, or lies under it.
            case path
        }

        let shape: Shape
        /// The body's length.
        let count: Int
        /// For `.path`, where the literal starts in the body (after a leading `/`).
        let literalStart: Int
        let directoriesOnly: Bool
        /// The body has no ASCII uppercase letter: for a path without one either, matching
        /// ignoring case decides as matching with case does.
        let foldInvariant: Bool

        /// Whether the pattern whose body starts at `body` matches `path` (not empty);
        /// `fold` compares ASCII letters ignoring case (`.foldAll` changes nothing here:
        /// these shapes have no brackets or escapes).
        func matches(body: UnsafePointer<UInt8>, _ path: SplitPath, fold: Bool) -> Bool {
            guard let base = path.bytes.baseAddress else { return false }
            switch shape {
            case .name(let star):
                let prefix = star ?? count
                let suffix = star.map { count - $0 - 1 } ?? 0
                // No component of a length that could match: nothing to compare.
                if star == nil ? path.lengths & SplitPath.lengthBit(prefix) == 0 : path.longest < prefix + suffix {
                    return false
                }
                // No component starts, or ends, with the byte the pattern needs there.
                if prefix > 0 && path.firsts & SplitPath.byteBit(body[0]) == 0 { return false }
                if (star == nil || suffix > 0) && path.lasts & SplitPath.byteBit(body[count - 1]) == 0 { return false }
                var start = 0
                for (index, end) in path.ends.enumerated() {
                    defer { start = end + 1 }
                    if directoriesOnly && index == path.ends.count - 1 { break }
                    let length = end - start
                    if star == nil {
                        if length == prefix && Self.equal(base + start, body, prefix, fold: fold) { return true }
                    } else if length >= prefix + suffix
                        && Self.equal(base + start, body, prefix, fold: fold)
                        && Self.equal(base + end - suffix, body + prefix + 1, suffix, fold: fold)
                    {
                        return true
                    }
                }
                return false
            case .path:
                let length = count - literalStart
                let path = path.bytes
                if path.count == length {
                    return !directoriesOnly && Self.equal(base, body + literalStart, length, fold: fold)
                }
                return path.count > length && base[length] == .slash && Self.equal(base, body + literalStart, length, fold: fold)
            }
        }

        @inline(__always)
        static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int, fold: Bool) -> Bool {
            if fold {
                for i in 0..<count where a[i].lowered != b[i].lowered { return false }
            } else {
                for i in 0..<count where a[i] != b[i] { return false }
            }
            return true
        }
    }

    public init(_ source: String) throws(PatternError) {
        try PatternError.checkSize(source)
        self.source = source
        var bytes = Array(source.utf8)
        func malformed(_ reason: String) -> PatternError { .malformed(pattern: source, reason: reason) }

        if bytes.isEmpty { throw malformed("it is empty") }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw malformed("it starts with an invisible byte-order mark (U+FEFF), which git drops")
        }
        if bytes.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) {
            throw malformed("it contains a line break or NUL, which a .gitignore line cannot hold")
        }
        if bytes[0] == .hash {
            throw malformed("a pattern starting with \"#\" is a comment and matches nothing; write \"\\#\" for a literal \"#\"")
        }
        if bytes[0] == .bang {
            throw malformed("negation (\"!\") is not supported in policies; write \"\\!\" for a name that starts with \"!\"")
        }
        Self.trimTrailingSpaces(&bytes)
        if bytes.isEmpty { throw malformed("it is only spaces (git drops trailing spaces)") }

        let directoriesOnly = bytes.last == .slash
        if directoriesOnly { bytes.removeLast() }
        if bytes.isEmpty { throw malformed("\"/\" alone matches nothing; write \"*\" or \"/**\" to match every path") }
        let matchesNames = !bytes.contains(.slash)
        let anchorLength = !matchesNames && bytes[0] == .slash ? 1 : 0

        let tokens: [PatternToken]
        do {
            tokens = try bytes.withUnsafeBufferPointer { p throws(PatternProblem) in
                try PatternLexer.tokens(p, from: anchorLength, slashIsSpecial: true)
            }
        } catch {
            throw malformed(error.reason)
        }
        for component in PatternLexer.components(tokens) where component.isImpossible {
            if component.isEmpty {
                throw malformed("it has an empty path component (\"//\", or \"/\" at the start or end of a directory pattern), which git paths never have")
            } else {
                throw malformed("git paths never have \".\" or \"..\" components; patterns are relative to the repository root: write \"/docs/\" rather than \"./docs/\"")
            }
        }

        // dir.c's nowildcardlen: the bytes before the first glob-special byte.
        let literalLength = bytes.firstIndex(where: \.isGlobSpecial) ?? bytes.count
        self.body = bytes
        self.matchesNames = matchesNames
        self.directoriesOnly = directoriesOnly
        self.prefixStart = anchorLength
        self.prefixLength = literalLength - anchorLength
        let hasDoubleStar = bytes.indices.dropLast().contains { bytes[$0] == .star && bytes[$0 + 1] == .star }
        self.slashCount = hasDoubleStar ? nil : tokens.lazy.filter(\.isSlash).count
        let shape: Shortcut.Shape? = if matchesNames {
            !bytes.contains { $0.isGlobSpecial && $0 != .star } && bytes.count { $0 == .star } <= 1
                ? .name(star: bytes.firstIndex(of: .star)) : nil
        } else {
            literalLength == bytes.count ? .path : nil
        }
        self.shortcut = shape.map {
            Shortcut(
                shape: $0, count: bytes.count, literalStart: anchorLength, directoriesOnly: directoriesOnly,
                foldInvariant: !bytes.contains(where: \.isUpper))
        }
    }

    public var description: String { source }

    public static func == (lhs: PathPattern, rhs: PathPattern) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }

    /// Whether the pattern matches the file at `path`, or one of its leading directories.
    ///
    /// `ignoringCase` folds ASCII letters, like git's `core.ignoreCase`, except that letters
    /// inside brackets or after `\` fold too (git leaves `[D]` and `\D` unmatched then), so
    /// that a match found without folding is always found with it.
    public func matches(_ path: GitPath, ignoringCase: Bool = false) -> Bool {
        matches(path, flags: ignoringCase ? [.caseFold, .foldAll] : [])
    }

    /// `flags` may hold `.caseFold` and `.foldAll`; `.caseFold` alone is exactly git's `core.ignoreCase`.
    func matches(_ path: GitPath, flags: WildFlags) -> Bool {
        path.bytes.withUnsafeBufferPointer { matches($0, flags: flags) }
    }

    /// `matches(_:flags:)` over a path's bytes.
    func matches(_ path: UnsafeBufferPointer<UInt8>, flags: WildFlags) -> Bool {
        if path.isEmpty { return false }
        return body.withUnsafeBufferPointer { pattern in
            if let shortcut {
                return SplitPath.split(path) { shortcut.matches(body: pattern.baseAddress!, $0, fold: flags.contains(.caseFold)) }
            }
            return matches(pattern, path, flags)
        }
    }

    /// `matches(_:flags:)` without the shortcut: wildmatch whatever the shape. For tests.
    func matchesByWildmatch(_ path: GitPath, flags: WildFlags) -> Bool {
        body.withUnsafeBufferPointer { pattern in
            path.bytes.withUnsafeBufferPointer { matches(pattern, $0, flags) }
        }
    }

    /// The pattern as dir.c keeps it (see `body`), for `PathPatternList`.
    var bodyBytes: [UInt8] { body }

    private func matches(_ pattern: UnsafeBufferPointer<UInt8>, _ path: UnsafeBufferPointer<UInt8>, _ flags: WildFlags) -> Bool {
        if path.isEmpty { return false }
        if matchesNames {
            var nameStart = 0
            for i in path.indices where path[i] == .slash {
                if matchesName(pattern, UnsafeBufferPointer(rebasing: path[nameStart..<i]), flags) { return true }
                nameStart = i + 1
            }
            return !directoriesOnly && matchesName(pattern, UnsafeBufferPointer(rebasing: path[nameStart...]), flags)
        }

        // Anchored: every candidate starts with the literal prefix, and so must the path.
        if prefixLength > path.count
            || !Shortcut.equal(path.baseAddress!, pattern.baseAddress! + prefixStart, prefixLength, fold: flags.contains(.caseFold))
        {
            return false
        }
        if let slashCount {
            // Without `**`, only the path prefix with exactly that many slashes can match.
            var seen = 0
            for i in path.indices where path[i] == .slash {
                if seen == slashCount { return matchesPathname(pattern, UnsafeBufferPointer(rebasing: path[..<i]), flags) }
                seen += 1
            }
            return seen == slashCount && !directoriesOnly && matchesPathname(pattern, path, flags)
        }
        for i in path.indices where path[i] == .slash {
            if matchesPathname(pattern, UnsafeBufferPointer(rebasing: path[..<i]), flags) { return true }
        }
        return !directoriesOnly && matchesPathname(pattern, path, flags)
    }

    /// dir.c's `match_basename()` (whose shortcuts for a literal and for `*literal` are
    /// in `Shortcut`).
    private func matchesName(_ pattern: UnsafeBufferPointer<UInt8>, _ name: UnsafeBufferPointer<UInt8>, _ flags: WildFlags) -> Bool {
        WildEngine(pattern: pattern, text: name, flags: flags).run() == .match
    }

    /// dir.c's `match_pathname()` with an empty base: the literal prefix (already
    /// compared) is skipped and the rest goes to wildmatch, which treats the new start
    /// as the start of a component (so `foo**/bar` matches `foox/y/bar`, as in git).
    private func matchesPathname(_ pattern: UnsafeBufferPointer<UInt8>, _ name: UnsafeBufferPointer<UInt8>, _ flags: WildFlags) -> Bool {
        if name.count < prefixLength { return false }
        if pattern.count == prefixStart + prefixLength { return name.count == prefixLength }
        let rest = UnsafeBufferPointer(rebasing: name[prefixLength...])
        let wildPart = UnsafeBufferPointer(rebasing: pattern[(prefixStart + prefixLength)...])
        return WildEngine(pattern: wildPart, text: rest, flags: flags.union(.pathname)).run() == .match
    }

    /// dir.c's `trim_trailing_spaces()`: drops trailing spaces unless escaped with `\`.
    private static func trimTrailingSpaces(_ bytes: inout [UInt8]) {
        var lastSpace: Int?
        var i = 0
        while i < bytes.count {
            switch bytes[i] {
            case .space:
                if lastSpace == nil { lastSpace = i }
            case .backslash:
                i += 1
                if i == bytes.count { return }
                lastSpace = nil
            default:
                lastSpace = nil
            }
            i += 1
        }
        if let lastSpace { bytes.removeSubrange(lastSpace...) }
    }
}
