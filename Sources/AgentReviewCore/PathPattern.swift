// Path and ref patterns with git's semantics.
//
// `Wildmatch` is a port of git's wildmatch.c; `PathPattern` adds what git's dir.c does
// around it for a `.gitignore` line (trailing spaces, the `!`/`#`/`/` markers, the literal
// prefix, basename matching and leading directories). The port keeps git's control flow,
// including its quirks, because the contract is "whatever `git check-ignore` says".

import Foundation

// MARK: - GitPath

/// A path inside a repository, as git stores it: bytes, `/`-separated, no leading slash.
/// Paths need not be UTF-8.
public struct GitPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    /// The path as text, safe to print on one line.
    ///
    /// A UTF-8 path without control characters, `"` or `\` is shown as itself. Any other
    /// path is quoted the way git quotes it: a UTF-8 path as `git -c core.quotePath=false`
    /// would (`"tab\there"`), a path that is not UTF-8 as git does by default, with every
    /// byte above 0x7F in octal (`"caf\351.txt"`).
    public var description: String {
        // Most paths are printable ASCII: shown as themselves, no UTF-8 check needed.
        if !bytes.contains(where: { $0 < 0x20 || $0 >= 0x7F || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let isUTF8 = text.utf8.elementsEqual(bytes)
        if isUTF8 && !bytes.contains(where: Self.needsEscape) { return text }
        return String(decoding: Self.quoted(bytes, escapingNonASCII: !isUTF8), as: UTF8.self)
    }

    public static func < (lhs: GitPath, rhs: GitPath) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    /// The bytes hashed and compared at once, not one by one as an array does.
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func == (lhs: GitPath, rhs: GitPath) -> Bool {
        lhs.bytes.count == rhs.bytes.count
            && lhs.bytes.withUnsafeBytes { a in rhs.bytes.withUnsafeBytes { b in a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
    }

    /// Bytes git's `quote_c_style` escapes whatever `core.quotePath` says.
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// git's `quote_c_style`, with `core.quotePath` as `escapingNonASCII`.
    private static func quoted(_ bytes: [UInt8], escapingNonASCII: Bool) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(bytes.count + 8)
        for byte in bytes {
            let escape: UInt8? = switch byte {
            case 0x07: UInt8(ascii: "a")
            case 0x08: UInt8(ascii: "b")
            case 0x09: UInt8(ascii: "t")
            case 0x0A: UInt8(ascii: "n")
            case 0x0B: UInt8(ascii: "v")
            case 0x0C: UInt8(ascii: "f")
            case 0x0D: UInt8(ascii: "r")
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): byte
            default: nil
            }
            if let escape {
                out += [UInt8(ascii: "\\"), escape]
            } else if byte < 0x20 || byte == 0x7F || (byte >= 0x80 && escapingNonASCII) {
                out += [UInt8(ascii: "\\"), 0x30 + (byte >> 6), 0x30 + ((byte >> 3) & 7), 0x30 + (byte & 7)]
            } else {
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }
}

// MARK: - Errors

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

// MARK: - Wildmatch

/// git's `wildmatch()`: shell-style globbing over bytes.
///
/// - `?` matches one byte, `*` any run of bytes; with `pathname` neither matches `/`.
/// - With `pathname`, `**` matches across `/` only as a whole component (`**/`, `/**`,
///   `/**/`, or the whole pattern); elsewhere it is a plain `*`. Without `pathname`,
///   every `*` matches `/`.
/// - `[...]` with ranges, `!` or `^` negation and `[:class:]` (ASCII classes only).
/// - `\` makes the next byte literal.
/// - `ignoringCase` is git's `WM_CASEFOLD`, quirks included: an uppercase letter named
///   alone in a bracket (`[D]`) or escaped (`\D`) then matches neither `D` nor `d`.
///
/// A malformed pattern (unterminated `[`, unknown class) matches nothing, as in git;
/// `validate(_:pathname:)` says why.
public enum Wildmatch {
    public static func matches(pattern: [UInt8], text: [UInt8], pathname: Bool, ignoringCase: Bool = false) -> Bool {
        var flags: WildFlags = []
        if pathname { flags.insert(.pathname) }
        if ignoringCase { flags.insert(.caseFold) }
        return pattern.withUnsafeBufferPointer { p in
            text.withUnsafeBufferPointer { t in
                WildEngine(pattern: p, text: t, flags: flags).run() == .match
            }
        }
    }

    public static func matches(pattern: String, text: String, pathname: Bool, ignoringCase: Bool = false) -> Bool {
        matches(pattern: Array(pattern.utf8), text: Array(text.utf8), pathname: pathname, ignoringCase: ignoringCase)
    }

    /// Throws when the pattern can never match as written: a trailing lone `\`, an
    /// unterminated bracket expression, an unknown `[:class:]`, a reversed range (`[z-a]`,
    /// which git reads as `[z]`), or a bracket expression that matches no byte (with
    /// `pathname`, `/` does not count).
    public static func validate(_ pattern: String, pathname: Bool) throws(PatternError) {
        try PatternError.checkSize(pattern)
        let bytes = Array(pattern.utf8)
        do {
            _ = try bytes.withUnsafeBufferPointer { p throws(PatternProblem) in
                try PatternLexer.tokens(p, from: 0, slashIsSpecial: pathname)
            }
        } catch {
            throw .malformed(pattern: pattern, reason: error.reason)
        }
    }
}

struct WildFlags: OptionSet {
    let rawValue: UInt8
    /// `WM_PATHNAME`.
    static let pathname = WildFlags(rawValue: 1)
    /// `WM_CASEFOLD`.
    static let caseFold = WildFlags(rawValue: 2)
    /// With `caseFold`, also fold escaped letters and letters named alone in brackets,
    /// which git's `WM_CASEFOLD` leaves unmatched. Not in git.
    static let foldAll = WildFlags(rawValue: 4)
}

private extension UInt8 {
    static let nul: UInt8 = 0
    static let slash = UInt8(ascii: "/")
    static let backslash = UInt8(ascii: "\\")
    static let star = UInt8(ascii: "*")
    static let question = UInt8(ascii: "?")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let bang = UInt8(ascii: "!")
    static let caret = UInt8(ascii: "^")
    static let dash = UInt8(ascii: "-")
    static let colon = UInt8(ascii: ":")
    static let space = UInt8(ascii: " ")
    static let dot = UInt8(ascii: ".")
    static let hash = UInt8(ascii: "#")
    static let tilde = UInt8(ascii: "~")

    // git's own ctype (ctype.c), which is ASCII-only and differs from C's in places
    // (`isspace` is only space, \t, \n and \r).
    var isUpper: Bool { self >= 0x41 && self <= 0x5A }
    var isLower: Bool { self >= 0x61 && self <= 0x7A }
    var isAlpha: Bool { isUpper || isLower }
    var isDigit: Bool { self >= 0x30 && self <= 0x39 }
    var isAlnum: Bool { isAlpha || isDigit }
    var isXDigit: Bool { isDigit || (self | 0x20 >= 0x61 && self | 0x20 <= 0x66) }
    var isPrint: Bool { self >= 0x20 && self <= 0x7E }
    var isGraph: Bool { self >= 0x21 && self <= 0x7E }
    var isPunct: Bool { isGraph && !isAlnum }
    var isBlank: Bool { self == 0x20 || self == 0x09 }
    var isSpace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
    var isCntrl: Bool { self < 0x20 || self == 0x7F }
    var isGlobSpecial: Bool { self == .star || self == .question || self == .openBracket || self == .backslash }
    var lowered: UInt8 { isUpper ? self | 0x20 : self }
    var uppered: UInt8 { isLower ? self & ~0x20 : self }
}

/// The outcome of a bracket expression for one text byte.
enum BracketResult {
    /// `end` is the index of the closing `]`; `reversedRange`: it holds a range such as
    /// `z-a`, which adds nothing (its first byte is still a member on its own).
    case done(matched: Bool, negated: Bool, end: Int, reversedRange: Bool)
    case unterminated
    case unknownClass(start: Int, end: Int)
}

/// git's `dowild()` over a pattern and a text, both NUL-free byte buffers; reading past
/// either end yields NUL, as in C.
///
/// git's recursion can take time exponential in the number of `*` (twelve `**/` against a
/// path thirty directories deep takes minutes, in git as in a plain port): its aborts
/// (`WM_ABORT_ALL`, `WM_ABORT_TO_STARSTAR`) prune only some of the retries. But `dowild(p,
/// text)` depends on nothing but where it starts in the pattern and in the text, and every
/// call it makes starts further on in the pattern. So `run()` follows git's recursion as
/// written while that stays within a budget linear in the sizes (every ordinary pattern
/// does), and past it starts again with the same recursion memoized: each (pattern, text)
/// start is worked out once, and so is each `*`'s scan over the text (a scan from a later
/// start meets the one from an earlier start and ends the same way). That costs at most
/// about (stars × text length) work and memory, and decides exactly as git does — quirks
/// included, since it is git's control flow, only never repeated.
struct WildEngine {
    enum Outcome: UInt8 {
        case match, noMatch, abortAll, abortToStarStar
        /// The plain recursion ran out of its budget (never the memoized one).
        case overBudget
    }

    let pattern: UnsafeBufferPointer<UInt8>
    let text: UnsafeBufferPointer<UInt8>
    let flags: WildFlags

    @inline(__always) func p(_ i: Int) -> UInt8 { i < pattern.count ? pattern[i] : .nul }
    @inline(__always) func t(_ i: Int) -> UInt8 { i < text.count ? text[i] : .nul }

    /// Matches the whole pattern against the whole text.
    func run() -> Outcome {
        var steps = 0
        return run(steps: &steps)
    }

    /// `run()`, adding to `steps` the work it did: one step per `dowild()` call (memoized
    /// answers included) and per text byte a `*` steps over. For tests.
    func run(steps: inout Int) -> Outcome {
        var plain = WildRun(self, memoized: false, budget: Self.plainBudget(pattern.count, text.count))
        let outcome = plain.dowild(0, 0)
        steps += plain.steps
        if outcome != .overBudget { return outcome }
        return runMemoized(steps: &steps)
    }

    /// The steps git's plain recursion may take before `run()` memoizes instead.
    static func plainBudget(_ patternCount: Int, _ textCount: Int) -> Int { 256 + 8 * (patternCount + textCount) }

    /// git's recursion as written, never memoized, without a budget. For tests: it can take
    /// minutes on some patterns, as git does.
    func runPlain(steps: inout Int) -> Outcome {
        var plain = WildRun(self, memoized: false, budget: .max)
        let outcome = plain.dowild(0, 0)
        steps += plain.steps
        return outcome
    }

    /// The memoized recursion from the start, whatever the budget. For tests.
    func runMemoized(steps: inout Int) -> Outcome {
        var memoized = WildRun(self, memoized: true, budget: .max)
        let outcome = memoized.dowild(0, 0)
        steps += memoized.steps
        return outcome
    }

    func firstSlash(from start: Int) -> Int? {
        var i = start
        while i < text.count {
            if text[i] == .slash { return i }
            i += 1
        }
        return nil
    }

    /// The bracket expression whose `[` is at `open`, for the text byte `tCh` (already
    /// lowered under `caseFold`). A port of the `case '[':` arm of `dowild()`.
    func bracket(at open: Int, _ tCh: UInt8) -> BracketResult {
        let fold = flags.contains(.caseFold)
        let foldAll = flags.contains(.foldAll)
        var i = open + 1
        var pCh = p(i)
        if pCh == .caret { pCh = .bang }
        let negated = pCh == .bang
        if negated {
            i += 1
            pCh = p(i)
        }
        var previous: UInt8 = 0
        var matched = false
        var reversedRange = false
        while true {
            if pCh == .nul { return .unterminated }
            if pCh == .backslash {
                i += 1
                pCh = p(i)
                if pCh == .nul { return .unterminated }
                if tCh == pCh || (foldAll && tCh == pCh.lowered) { matched = true }
            } else if pCh == .dash && previous != 0 && p(i + 1) != .nul && p(i + 1) != .closeBracket {
                i += 1
                pCh = p(i)
                if pCh == .backslash {
                    i += 1
                    pCh = p(i)
                    if pCh == .nul { return .unterminated }
                }
                if previous > pCh { reversedRange = true }
                if tCh <= pCh && tCh >= previous {
                    matched = true
                } else if fold && tCh.isLower {
                    let upper = tCh.uppered
                    if upper <= pCh && upper >= previous { matched = true }
                }
                pCh = 0  // so that `previous` becomes 0: no range may start here
            } else if pCh == .openBracket && p(i + 1) == .colon {
                let nameStart = i + 2
                i = nameStart
                while p(i) != .nul && p(i) != .closeBracket { i += 1 }
                pCh = p(i)
                if pCh == .nul { return .unterminated }
                let nameLength = i - nameStart - 1
                if nameLength < 0 || p(i - 1) != .colon {
                    // Not "[:name:]": the `[` is an ordinary member.
                    i = nameStart - 2
                    pCh = .openBracket
                    if tCh == pCh { matched = true }
                } else {
                    guard let inClass = classMembership(nameStart, nameLength, tCh, fold) else {
                        return .unknownClass(start: nameStart - 2, end: i)
                    }
                    if inClass { matched = true }
                    pCh = 0
                }
            } else if tCh == pCh || (foldAll && tCh == pCh.lowered) {
                matched = true
            }
            previous = pCh
            i += 1
            pCh = p(i)
            if pCh == .closeBracket {
                return .done(matched: matched, negated: negated, end: i, reversedRange: reversedRange)
            }
        }
    }

    /// Whether `tCh` is in the class named by `pattern[start..<start+length]`; nil for an unknown name.
    private func classMembership(_ start: Int, _ length: Int, _ tCh: UInt8, _ fold: Bool) -> Bool? {
        let name = UnsafeBufferPointer(rebasing: pattern[start..<(start + length)])
        func named(_ string: StaticString) -> Bool {
            string.utf8CodeUnitCount == name.count
                && string.withUTF8Buffer { $0.elementsEqual(name) }
        }
        if named("alnum") { return tCh.isAlnum }
        if named("alpha") { return tCh.isAlpha }
        if named("blank") { return tCh.isBlank }
        if named("cntrl") { return tCh.isCntrl }
        if named("digit") { return tCh.isDigit }
        if named("graph") { return tCh.isGraph }
        if named("lower") { return tCh.isLower }
        if named("print") { return tCh.isPrint }
        if named("punct") { return tCh.isPunct }
        if named("space") { return tCh.isSpace }
        if named("upper") { return tCh.isUpper || (fold && tCh.isLower) }
        if named("xdigit") { return tCh.isXDigit }
        return nil
    }
}

/// One run of `dowild()`: git's recursion, within a budget of steps, and optionally memoized.
private struct WildRun {
    typealias Outcome = WildEngine.Outcome

    let engine: WildEngine
    let memoized: Bool
    /// Steps taken, and the most allowed: past it, `dowild` answers `.overBudget`.
    private(set) var steps = 0
    private let budget: Int
    /// Memoized runs: each pattern start's row in the tables (-1: none yet).
    private var rowOf: [Int32] = []
    /// What `dowild(p, t)` returned, by row of `p` and by `t`.
    private var outcomes: WildTable
    /// What the scan of the `*` before `p` returned when it reached text position `t`.
    private var scans: WildTable

    init(_ engine: WildEngine, memoized: Bool, budget: Int) {
        self.engine = engine
        self.memoized = memoized
        self.budget = budget
        let width = engine.text.count + 1
        var rows = 0
        if memoized {
            rowOf = [Int32](repeating: -1, count: engine.pattern.count + 1)
            // Calls start at 0, after a run of stars, and after the "/" of a "**/".
            var i = 0
            rows = 1
            while i < engine.pattern.count {
                if engine.pattern[i] == .star {
                    let runStart = i
                    while i < engine.pattern.count && engine.pattern[i] == .star { i += 1 }
                    rows += i - runStart > 1 ? 2 : 1
                } else {
                    i += 1
                }
            }
        }
        outcomes = WildTable(width: width, rows: rows)
        scans = WildTable(width: width, rows: rows)
    }

    private mutating func row(_ patternStart: Int) -> Int {
        let known = rowOf[patternStart]
        if known >= 0 { return Int(known) }
        let row = outcomes.addRow()
        _ = scans.addRow()
        rowOf[patternStart] = Int32(row)
        return row
    }

    mutating func dowild(_ patternStart: Int, _ textStart: Int) -> Outcome {
        steps += 1
        if steps > budget { return .overBudget }
        guard memoized else { return body(patternStart, textStart) }
        let row = row(patternStart)
        if let known = outcomes[row, textStart] { return known }
        let outcome = body(patternStart, textStart)
        outcomes[row, textStart] = outcome
        return outcome
    }

    /// git's `dowild()`, its control flow kept (every call it makes starts further on in
    /// the pattern, so memoized answers are never asked for before they are known).
    private mutating func body(_ patternStart: Int, _ textStart: Int) -> Outcome {
        let e = engine
        let fold = e.flags.contains(.caseFold)
        let pathname = e.flags.contains(.pathname)
        var pi = patternStart
        var ti = textStart
        while true {
            var pCh = e.p(pi)
            if pCh == .nul { break }
            var tCh = e.t(ti)
            if tCh == .nul && pCh != .star { return .abortAll }
            if fold { tCh = tCh.lowered; pCh = pCh.lowered }
            switch pCh {
            case .question:
                if pathname && tCh == .slash { return .noMatch }
            case .star:
                let matchSlash: Bool
                pi += 1
                if e.p(pi) == .star {
                    let previous = pi - 2
                    repeat { pi += 1 } while e.p(pi) == .star
                    if !pathname {
                        matchSlash = true
                    } else if (previous < patternStart || e.p(previous) == .slash)
                        && (e.p(pi) == .nul || e.p(pi) == .slash || (e.p(pi) == .backslash && e.p(pi + 1) == .slash))
                    {
                        // `**/` may match nothing at all: "a/**/b" matches "a/b".
                        if e.p(pi) == .slash {
                            let outcome = dowild(pi + 1, ti)
                            if outcome == .match || outcome == .overBudget { return outcome }
                        }
                        matchSlash = true
                    } else {
                        matchSlash = false
                    }
                } else {
                    matchSlash = !pathname
                }
                if e.p(pi) == .nul {
                    // A trailing `**` matches everything; a trailing `*` only up to a slash.
                    if !matchSlash && e.firstSlash(from: ti) != nil { return .noMatch }
                    return .match
                } else if !matchSlash && e.p(pi) == .slash {
                    // A single `*` followed by `/` matches the rest of this component.
                    guard let slash = e.firstSlash(from: ti) else { return .noMatch }
                    ti = slash
                    break
                }
                return scan(pi, from: ti, matchSlash: matchSlash, fold: fold)
            case .openBracket:
                switch e.bracket(at: pi, tCh) {
                case .unterminated, .unknownClass: return .abortAll
                case .done(let matched, let negated, let end, _):
                    if matched == negated || (pathname && tCh == .slash) { return .noMatch }
                    pi = end
                }
            case .backslash:
                pi += 1
                var escaped = e.p(pi)
                if e.flags.contains(.foldAll) { escaped = escaped.lowered }
                if tCh != escaped { return .noMatch }
            default:
                if tCh != pCh { return .noMatch }
            }
            pi += 1
            ti += 1
        }
        return e.t(ti) == .nul ? .match : .noMatch
    }

    /// The loop of `dowild()`'s `*` arm: tries the rest of the pattern (from `pi`) at each
    /// text position from `start` on. Memoized, every position it passes gets its answer:
    /// a scan starting there takes the same steps from there on. (Not the text's end when
    /// the skip-ahead stops there: there git's loop answers `.noMatch`, but a scan starting
    /// at the end answers `.abortAll`.)
    private mutating func scan(_ pi: Int, from start: Int, matchSlash: Bool, fold: Bool) -> Outcome {
        let e = engine
        let row = memoized ? row(pi) : -1
        let literal = !e.p(pi).isGlobSpecial
        let next = fold ? e.p(pi).lowered : e.p(pi)
        var ti = start
        var result: Outcome
        var endedAtTop = false
        scanning: while true {
            if memoized, let known = scans[row, ti] { result = known; endedAtTop = true; break }
            var tCh = e.t(ti)
            if tCh == .nul { result = .abortAll; endedAtTop = true; break }
            if literal {
                // Skip ahead to the next byte that can start the rest of the pattern.
                while true {
                    tCh = e.t(ti)
                    if tCh == .nul || (!matchSlash && tCh == .slash) { break }
                    if fold { tCh = tCh.lowered }
                    if tCh == next { break }
                    ti += 1
                    steps += 1
                    if memoized && ti < e.text.count, let known = scans[row, ti] { result = known; break scanning }
                }
                if tCh != next { result = .noMatch; break }
            }
            let outcome = dowild(pi, ti)
            if outcome != .noMatch {
                if !matchSlash || outcome != .abortToStarStar { result = outcome; break }
            } else if !matchSlash && tCh == .slash {
                result = .abortToStarStar
                break
            }
            ti += 1
        }
        if memoized {
            let last = ti == e.text.count && !endedAtTop ? ti - 1 : ti
            if start <= last { scans.fill(row, start...last, result) }
        }
        return result
    }
}

/// Outcomes by row and text position, in one flat array when that stays within 16 MiB
/// (any pattern up to `Limits.patternBytes` against any path up to 4096 bytes), else in a
/// dictionary of the cells used.
private struct WildTable {
    let width: Int
    private let dense: Bool
    private var cells: [UInt8] = []
    private var sparse: [Int: UInt8] = [:]
    private var rows = 0

    init(width: Int, rows: Int) {
        self.width = width
        self.dense = rows <= (1 << 24) / max(width, 1)
    }

    mutating func addRow() -> Int {
        if dense { cells.append(contentsOf: repeatElement(0, count: width)) }
        rows += 1
        return rows - 1
    }

    subscript(row: Int, column: Int) -> WildEngine.Outcome? {
        get {
            let cell = dense ? cells[row * width + column] : sparse[row * width + column] ?? 0
            return cell == 0 ? nil : WildEngine.Outcome(rawValue: cell - 1)
        }
        set {
            let cell = newValue.map { $0.rawValue + 1 } ?? 0
            if dense { cells[row * width + column] = cell } else { sparse[row * width + column] = cell }
        }
    }

    mutating func fill(_ row: Int, _ columns: ClosedRange<Int>, _ outcome: WildEngine.Outcome) {
        for column in columns { self[row, column] = outcome }
    }
}

// MARK: - Lexing and validation

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

// MARK: - PathPattern

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

// MARK: - Matching many patterns

/// A path's bytes and where its components end, found once for trying many patterns.
struct SplitPath {
    let bytes: UnsafeBufferPointer<UInt8>
    /// For each component, the index of the `/` after it, or the path's length for the last.
    let ends: UnsafeBufferPointer<Int>
    /// `lengthBit(n)` is set for each component length `n`.
    let lengths: UInt64
    /// The longest component's length.
    let longest: Int

    /// The bit of `lengths` for components `length` bytes long (63 and longer share one).
    static func lengthBit(_ length: Int) -> UInt64 { 1 << UInt64(min(length, 63)) }

    /// Calls `body` with `path` split at its slashes.
    static func split<Result>(_ path: UnsafeBufferPointer<UInt8>, _ body: (SplitPath) -> Result) -> Result {
        var count = 1
        for byte in path where byte == .slash { count += 1 }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { ends in
            var next = 0
            var start = 0
            var lengths: UInt64 = 0
            var longest = 0
            for index in path.indices where path[index] == .slash {
                ends[next] = index
                next += 1
                lengths |= lengthBit(index - start)
                longest = max(longest, index - start)
                start = index + 1
            }
            ends[next] = path.count
            lengths |= lengthBit(path.count - start)
            longest = max(longest, path.count - start)
            return body(SplitPath(bytes: path, ends: UnsafeBufferPointer(ends), lengths: lengths, longest: longest))
        }
    }
}

/// Path patterns matched one after another against the same paths, as a classifier does:
/// the shortcuts are plain values over one buffer holding every body, so trying a pattern
/// copies nothing and counts no references.
struct PathPatternList: Sendable {
    let patterns: [PathPattern]
    /// Each pattern's shortcut, and where its body starts in `bodies`.
    private let shortcuts: [(shortcut: PathPattern.Shortcut, offset: Int)?]
    private let bodies: [UInt8]

    init(_ patterns: [PathPattern]) {
        self.patterns = patterns
        var bodies = [UInt8]()
        var shortcuts = [(shortcut: PathPattern.Shortcut, offset: Int)?]()
        for pattern in patterns {
            if let shortcut = pattern.shortcut {
                shortcuts.append((shortcut, bodies.count))
                bodies += pattern.bodyBytes
            } else {
                shortcuts.append(nil)
            }
        }
        self.shortcuts = shortcuts
        self.bodies = bodies
    }

    var count: Int { patterns.count }

    /// `patterns[index].matches(path.bytes, flags: flags)`.
    func matches(_ index: Int, _ path: SplitPath, flags: WildFlags) -> Bool {
        guard let (shortcut, offset) = shortcuts[index] else { return patterns[index].matches(path.bytes, flags: flags) }
        if path.bytes.isEmpty { return false }
        return bodies.withUnsafeBufferPointer { shortcut.matches(body: $0.baseAddress! + offset, path, fold: flags.contains(.caseFold)) }
    }

    /// Whether folding case can change what pattern `index` matches in a path without
    /// ASCII uppercase letters.
    func foldMatters(_ index: Int) -> Bool {
        shortcuts[index].map { !$0.shortcut.foldInvariant } ?? true
    }
}

// MARK: - RefPattern

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
