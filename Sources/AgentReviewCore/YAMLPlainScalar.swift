/// What a plain scalar (unquoted, no tag written) is read as: YAML 1.1's types, exactly as
/// Yams's default resolver states them in its `Resolver.Rule`s, tried in its order (bool,
/// int, float, merge, null, timestamp, value; anything else is a string).
///
/// Matched by hand rather than with those regular expressions: compiling them at each start
/// (ICU's regex engine and the Unicode sets behind it) was a sixth of what a 1-commit
/// pre-receive hook cost. `YAMLComposer` leaves plain scalars untagged (`implicit`, as
/// Yams's basic resolver, which has no rules, does), and `YAMLDiagnosing.kind(of:)` asks here.
/// `YAMLPlainScalarTests` checks every answer against Yams's default resolver.
enum YAMLPlainScalar {
    static func kind(of text: String) -> YAMLTag {
        var bytes = Array(text.utf8)
        // ICU's `$` also matches before one line terminator that ends the text. Matched by
        // bytes: each is a grapheme of its own (CR LF one, tried first), so this is what
        // `hasSuffix` would answer, without the Unicode tables its first use loads.
        for terminator in Self.terminators where bytes.count >= terminator.count && bytes.suffix(terminator.count).elementsEqual(terminator) {
            bytes.removeLast(terminator.count)
            break
        }
        if isBool(bytes) { return .bool }
        if isInt(bytes) { return .int }
        if isFloat(bytes) { return .float }
        if bytes == Array("<<".utf8) { return .merge }
        if isNull(bytes) { return .null }
        if isTimestamp(bytes) { return .timestamp }
        if bytes == Array("=".utf8) { return .value }
        return .str
    }

    /// The value of an integer, as Yams's `Int.construct` reads one, step for step (YAML 1.1's
    /// forms): underscores dropped; a sign; then `0x` hexadecimal, `0b` binary, `0o` or `0`
    /// octal, sexagesimal (`1:30` is 90) or decimal. Nil for anything else, or what does not
    /// fit in an `Int` (where Yams traps on a sexagesimal one). `YAMLPlainScalarTests`
    /// checks the two agree.
    static func integer(_ text: String) -> Int? {
        // A plain decimal (`1`, `30`), as nearly every one in a policy is: read at once.
        if let first = text.utf8.first, first != UInt8(ascii: "0") || text.utf8.count == 1,
            text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return Int(text)
        }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.lazy.filter { $0 != "_" })
        let text = String(scalars)
        if text == "0" { return 0 }
        let negative = text.hasPrefix("-")
        let unsigned = text.dropFirst(negative || text.hasPrefix("+") ? 1 : 0)
        for (prefix, radix) in [("0x", 16), ("0b", 2), ("0o", 8), ("0", 8)] where unsigned.hasPrefix(prefix) {
            return Int((negative ? "-" : "") + unsigned.dropFirst(prefix.count), radix: radix)
        }
        return unsigned.contains(":") ? sexagesimal(text) : Int(text)
    }

    /// `[-+]?` then base-60 digits, each a decimal integer (`1:30:05`).
    private static func sexagesimal(_ text: String) -> Int? {
        var digits = Substring(text)
        let negative = digits.hasPrefix("-")
        if negative || digits.hasPrefix("+") { digits = digits.dropFirst() }
        var value = 0
        for part in digits.split(separator: ":", omittingEmptySubsequences: false) {
            guard let digit = Int(part, radix: 10) else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 60)
            let (sum, carry) = shifted.addingReportingOverflow(digit)
            guard !overflow, !carry else { return nil }
            value = sum
        }
        return negative ? (value == .min ? nil : -value) : value
    }

    /// The value of a scalar `kind(of:)` found to be a bool.
    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on": true
        case "false", "no", "off": false
        default: nil
        }
    }

    /// Line terminators, as UTF-8, CR LF first.
    private static let terminators: [[UInt8]] = ["\r\n", "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}"].map { Array($0.utf8) }

    private static let bools: Set<String> = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
    ]

    private static func isBool(_ bytes: [UInt8]) -> Bool {
        bytes.count <= 5 && bools.contains(String(decoding: bytes, as: UTF8.self))
    }

    private static func isNull(_ bytes: [UInt8]) -> Bool {
        ["", "~", "null", "Null", "NULL"].contains { Array($0.utf8) == bytes }
    }

    /// `[-+]?0b[0-1_]+ | [-+]?0o?[0-7_]+ | [-+]?(?:0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+ | [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+`
    private static func isInt(_ bytes: [UInt8]) -> Bool {
        var start = Cursor(bytes)
        start.sign()
        return start.whole { $0.word("0b") && $0.some(binary) }
            || start.whole { $0.byte("0") && ($0.byte("o") || true) && $0.some(octal) }
            || start.whole { $0.byte("0") }
            || start.whole { $0.one(nonZero) && $0.any(digitOrUnderscore) >= 0 }
            || start.whole { $0.word("0x") && $0.some(hex) }
            || start.whole { $0.one(nonZero) && $0.any(digitOrUnderscore) >= 0 && $0.sexagesimal() }
    }

    /// `[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)? | \.[0-9_]+(?:[eE][-+][0-9]+)?
    /// | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)`
    private static func isFloat(_ bytes: [UInt8]) -> Bool {
        let unsigned = Cursor(bytes)
        var signed = unsigned
        signed.sign()
        return signed.whole { cursor in
            guard cursor.one(digit) else { return false }
            cursor.any(digitOrUnderscore)
            if cursor.byte(".") { cursor.any(digitOrUnderscore) }
            if cursor.one({ $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
                cursor.sign()
                return cursor.some(digit)
            }
            return true
        }
            || unsigned.whole { cursor in
                guard cursor.byte("."), cursor.some(digitOrUnderscore) else { return false }
                if cursor.one({ $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
                    return cursor.one({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }) && cursor.some(digit)
                }
                return true
            }
            || signed.whole { cursor in
                guard cursor.one(digit) else { return false }
                cursor.any(digitOrUnderscore)
                guard cursor.sexagesimal(), cursor.byte(".") else { return false }
                cursor.any(digitOrUnderscore)
                return true
            }
            || signed.whole { $0.byte(".") && ($0.word("inf") || $0.word("Inf") || $0.word("INF")) }
            || unsigned.whole { $0.byte(".") && ($0.word("nan") || $0.word("NaN") || $0.word("NAN")) }
    }

    /// `[0-9]{4}-[0-9]{2}-[0-9]{2} | [0-9]{4}-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?
    /// (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9]{2})?))?`
    private static func isTimestamp(_ bytes: [UInt8]) -> Bool {
        let start = Cursor(bytes)
        return start.whole { $0.digits(4...4) && $0.byte("-") && $0.digits(2...2) && $0.byte("-") && $0.digits(2...2) }
            || start.whole { cursor in
                guard cursor.digits(4...4), cursor.byte("-"), cursor.digits(1...2), cursor.byte("-"), cursor.digits(1...2) else { return false }
                guard cursor.one({ $0 == UInt8(ascii: "T") || $0 == UInt8(ascii: "t") }) || cursor.some(blank) else { return false }
                guard cursor.digits(1...2), cursor.byte(":"), cursor.digits(2...2), cursor.byte(":"), cursor.digits(2...2) else { return false }
                if cursor.byte(".") { cursor.any(digit) }
                if cursor.atEnd { return true }
                cursor.any(blank)
                if cursor.byte("Z") { return true }
                guard cursor.one({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }), cursor.digits(1...2) else { return false }
                return !cursor.byte(":") || cursor.digits(2...2)
            }
    }

    private static func digit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func nonZero(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "1") && byte <= UInt8(ascii: "9") }
    private static func digitOrUnderscore(_ byte: UInt8) -> Bool { digit(byte) || byte == UInt8(ascii: "_") }
    private static func binary(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "0") || byte == UInt8(ascii: "1") || byte == UInt8(ascii: "_") }
    private static func octal(_ byte: UInt8) -> Bool { (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "7")) || byte == UInt8(ascii: "_") }
    private static func blank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
    private static func hex(_ byte: UInt8) -> Bool {
        digit(byte) || byte == UInt8(ascii: "_") || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }

    /// A place in the text. Every pattern above is a sequence of runs of disjoint byte
    /// classes, so taking each run whole decides it without backtracking.
    private struct Cursor {
        let bytes: [UInt8]
        var at = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { at == bytes.count }

        /// Whether `pattern` matches from here to the end.
        func whole(_ pattern: (inout Cursor) -> Bool) -> Bool {
            var copy = self
            return pattern(&copy) && copy.atEnd
        }

        mutating func one(_ allowed: (UInt8) -> Bool) -> Bool {
            guard at < bytes.count, allowed(bytes[at]) else { return false }
            at += 1
            return true
        }

        mutating func byte(_ character: Unicode.Scalar) -> Bool { one { $0 == UInt8(ascii: character) } }

        mutating func word(_ text: String) -> Bool {
            let utf8 = Array(text.utf8)
            guard bytes.count - at >= utf8.count, Array(bytes[at..<at + utf8.count]) == utf8 else { return false }
            at += utf8.count
            return true
        }

        /// An optional `[-+]`.
        mutating func sign() { _ = one { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") } }

        /// Takes the run of allowed bytes; how many.
        @discardableResult
        mutating func any(_ allowed: (UInt8) -> Bool) -> Int {
            let start = at
            while at < bytes.count, allowed(bytes[at]) { at += 1 }
            return at - start
        }

        /// One or more.
        mutating func some(_ allowed: (UInt8) -> Bool) -> Bool { any(allowed) > 0 }

        /// A run of digits whose length is in `lengths` (what follows is never a digit).
        mutating func digits(_ lengths: ClosedRange<Int>) -> Bool { lengths.contains(any(YAMLPlainScalar.digit)) }

        /// `(?::[0-5]?[0-9])+`: each part one digit, or two of which the first is 0 to 5.
        mutating func sexagesimal() -> Bool {
            var parts = 0
            while byte(":") {
                let start = at
                switch any(YAMLPlainScalar.digit) {
                case 1: break
                case 2 where bytes[start] <= UInt8(ascii: "5"): break
                default: return false
                }
                parts += 1
            }
            return parts > 0
        }
    }
}
