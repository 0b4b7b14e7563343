#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why a pattern can never match (or is not allowed), in words a person can act on.
struct PatternProblem: Error {
    var reason: String
}

/// One element of a pattern, as `dowild()` would step through it.
enum PatternToken: Equatable {
    case literal(UInt8)
    /// `/` or `\/`. `vanishes`: a plain `/` right after `**`, which wildmatch may skip
    /// (`**/` can match nothing), so the components on either side may join.
    case slash(vanishes: Bool)
    /// `?`, a single `*`, or a bracket expression.
    case wildcard
    /// A run of two or more `*`.
    case starStar

    var isSlash: Bool {
        if case .slash = self { return true }
        return false
    }
}

/// The tokens between two slashes. `joinable`: the slash before it may vanish, so
/// what the component alone looks like proves nothing.
struct PatternComponent {
    var tokens: ArraySlice<PatternToken>
    var joinable: Bool

    /// Empty, `.` or `..`: never a component of a git path or ref name.
    var isImpossible: Bool {
        !joinable && (tokens.isEmpty || tokens.elementsEqual([.literal(.dot)]) || tokens.elementsEqual([.literal(.dot), .literal(.dot)]))
    }

    var isEmpty: Bool { tokens.isEmpty }
}

enum PatternLexer {
    /// Splits `pattern[start...]` into tokens, and throws when it can never match.
    /// `slashIsSpecial`: the text is a path, so brackets never match `/`.
    static func tokens(
        _ pattern: UnsafeBufferPointer<UInt8>, from start: Int, slashIsSpecial: Bool
    ) throws(PatternProblem) -> [PatternToken] {
        var tokens = [PatternToken]()
        var i = start
        while i < pattern.count {
            let byte = pattern[i]
            switch byte {
            case .backslash:
                guard i + 1 < pattern.count else {
                    throw PatternProblem(reason: "it ends with a lone \"\\\", which escapes nothing; write \"\\\\\" for a literal backslash")
                }
                tokens.append(pattern[i + 1] == .slash ? .slash(vanishes: false) : .literal(pattern[i + 1]))
                i += 2
            case .star:
                var run = 0
                while i < pattern.count && pattern[i] == .star {
                    run += 1
                    i += 1
                }
                tokens.append(run > 1 ? .starStar : .wildcard)
            case .question:
                tokens.append(.wildcard)
                i += 1
            case .openBracket:
                i = try checkBracket(pattern, at: i, slashIsSpecial: slashIsSpecial) + 1
                tokens.append(.wildcard)
            case .slash:
                tokens.append(.slash(vanishes: tokens.last == .starStar))
                i += 1
            default:
                tokens.append(.literal(byte))
                i += 1
            }
        }
        return tokens
    }

    /// Checks the bracket expression at `open` and returns the index of its `]`.
    private static func checkBracket(
        _ pattern: UnsafeBufferPointer<UInt8>, at open: Int, slashIsSpecial: Bool
    ) throws(PatternProblem) -> Int {
        let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        let engine = WildEngine(pattern: pattern, text: empty, flags: [])
        var end = open
        var matchesSomething = false
        for byte in UInt8(1)...UInt8(255) where !(byte == .slash && slashIsSpecial) {
            switch engine.bracket(at: open, byte) {
            case .unterminated:
                throw PatternProblem(reason: "the bracket expression \"\(text(pattern, open..<pattern.count))\" has no closing \"]\"; write \"\\[\" for a literal \"[\"")
            case .unknownClass(let start, let stop):
                let known = "alnum, alpha, blank, cntrl, digit, graph, lower, print, punct, space, upper, xdigit"
                throw PatternProblem(reason: "unknown character class \"\(text(pattern, start..<(stop + 1)))\" (known: \(known))")
            case .done(let matched, let negated, let close, let reversedRange):
                end = close
                if reversedRange {
                    throw PatternProblem(reason: "the bracket expression \"\(text(pattern, open..<(close + 1)))\" has a reversed range, which git keeps only as its first character; write ranges low to high, as in \"a-z\"")
                }
                if matched != negated { matchesSomething = true }
            }
            if matchesSomething { break }
        }
        if !matchesSomething {
            let what = slashIsSpecial ? " (in paths, \"/\" is never matched by a bracket expression)" : ""
            throw PatternProblem(reason: "the bracket expression \"\(text(pattern, open..<(end + 1)))\" matches no character\(what)")
        }
        return end
    }

    static func text(_ pattern: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: pattern[range]), as: UTF8.self)
    }

    /// Splits tokens at each `/` into components.
    static func components(_ tokens: [PatternToken]) -> [PatternComponent] {
        var components = [PatternComponent]()
        var start = 0
        var joinable = false
        for (index, token) in tokens.enumerated() {
            guard case .slash(let vanishes) = token else { continue }
            components.append(PatternComponent(tokens: tokens[start..<index], joinable: joinable))
            start = index + 1
            joinable = vanishes
        }
        components.append(PatternComponent(tokens: tokens[start...], joinable: joinable))
        return components
    }
}
