// `Wildmatch` is a port of git's wildmatch.c. The port keeps git's control flow,
// including its quirks, because the contract is "whatever `git check-ignore` says".

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
