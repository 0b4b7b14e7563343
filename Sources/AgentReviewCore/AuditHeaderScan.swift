/// The chaining members of an audit entry (`v`, `chain`, `seq`, `prev`, `after`) read
/// straight from the bytes of its line, for the line as agentreview writes it.
///
/// The hook reads the log's last line before it appends. Through `JSONDecoder` that was a
/// twentieth of a 1-commit hook: the decoder's set-up and the first use of the header's
/// keyed container (which scans every conformance record of the binary). This scan is
/// strict where `JSONDecoder` is lenient, and answers only when it is sure to agree with
/// it: the whole line is JSON (RFC 8259, valid UTF-8, at most `maxDepth` levels deep) and
/// the members it reads are written plainly (integers without a fraction or exponent,
/// strings without escapes, each key once, no key written with an escape). Anything else
/// is nil, and the line is read by `JSONDecoder`, as before: its messages for a line that
/// is not an entry stay its own. `AuditHeaderScanTests` checks the two agree on lines
/// mutated every way.
struct AuditHeaderScan {
    static let maxDepth = 32

    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The header, when the line is JSON and its members are written plainly; else nil.
    static func header(_ line: ArraySlice<UInt8>) -> AuditChain.Header? {
        guard String(validating: line, as: UTF8.self) != nil else { return nil }
        return line.withUnsafeBufferPointer { buffer in
            var scan = AuditHeaderScan(buffer)
            return scan.line()
        }
    }

    // MARK: The members read

    private mutating func line() -> AuditChain.Header? {
        var v: Int?, chain: String?, seq: Int?, prev: String?
        var after: AuditEntry.Torn?
        var afterSeen = false
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return nil }
        var count = 0
        while true {
            switch nextMember(count) {
            case .end:
                skipSpace()
                guard at == bytes.count, let v, let chain, let seq, let prev else { return nil }
                return AuditChain.Header(v: v, chain: chain, seq: seq, prev: prev, after: after)
            case .bad:
                return nil
            case .key(let key):
                count += 1
                switch key {
                case "v": guard v == nil, let value = integer() else { return nil }; v = value
                case "chain": guard chain == nil, let value = plainString() else { return nil }; chain = value
                case "seq": guard seq == nil, let value = integer() else { return nil }; seq = value
                case "prev": guard prev == nil, let value = plainString() else { return nil }; prev = value
                case "after":
                    guard !afterSeen else { return nil }
                    afterSeen = true
                    if takeLiteral("null") { continue }
                    guard let torn = torn() else { return nil }
                    after = torn
                default:
                    guard skipValue(depth: 1) else { return nil }
                }
            }
        }
    }

    private mutating func torn() -> AuditEntry.Torn? {
        var sha256: String?, byteCount: Int?, chain: String?, seq: Int?
        var chainSeen = false, seqSeen = false
        guard take(UInt8(ascii: "{")) else { return nil }
        var count = 0
        while true {
            switch nextMember(count) {
            case .end:
                guard let sha256, let byteCount else { return nil }
                return AuditEntry.Torn(sha256: sha256, bytes: byteCount, chain: chain, seq: seq)
            case .bad:
                return nil
            case .key(let key):
                count += 1
                switch key {
                case "sha256": guard sha256 == nil, let value = plainString() else { return nil }; sha256 = value
                case "bytes": guard byteCount == nil, let value = integer() else { return nil }; byteCount = value
                case "chain":
                    guard !chainSeen else { return nil }
                    chainSeen = true
                    if takeLiteral("null") { continue }
                    guard let value = plainString() else { return nil }
                    chain = value
                case "seq":
                    guard !seqSeen else { return nil }
                    seqSeen = true
                    if takeLiteral("null") { continue }
                    guard let value = integer() else { return nil }
                    seq = value
                default:
                    guard skipValue(depth: 2) else { return nil }
                }
            }
        }
    }

    private enum Next {
        case key(String)
        case end
        case bad
    }

    /// After an object's `{` (`count` 0) or a member's value: the next key, read up to its
    /// `:`, or the object's `}`.
    private mutating func nextMember(_ count: Int) -> Next {
        skipSpace()
        if take(UInt8(ascii: "}")) { return .end }
        if count > 0 {
            guard take(UInt8(ascii: ",")) else { return .bad }
            skipSpace()
        }
        guard let key = plainString() else { return .bad }
        skipSpace()
        guard take(UInt8(ascii: ":")) else { return .bad }
        skipSpace()
        return .key(key)
    }

    /// A string with no escape in it (its UTF-8 was checked with the line's).
    private mutating func plainString() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = at
        while at < bytes.count {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                defer { at += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            at += 1
        }
        return nil
    }

    /// An integer written with no fraction or exponent, that fits in an `Int`.
    private mutating func integer() -> Int? {
        let negative = take(UInt8(ascii: "-"))
        guard at < bytes.count, isDigit(bytes[at]) else { return nil }
        if bytes[at] == UInt8(ascii: "0"), at + 1 < bytes.count, isDigit(bytes[at + 1]) { return nil }
        var value = 0
        while at < bytes.count, isDigit(bytes[at]) {
            let digit = Int(bytes[at] - UInt8(ascii: "0"))
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !overflowTimes, !overflowSum else { return nil }
            value = sum
            at += 1
        }
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") || bytes[at] | 0x20 == UInt8(ascii: "e") { return nil }
        return value
    }

    // MARK: Any value, checked and skipped

    private mutating func skipValue(depth: Int) -> Bool {
        guard depth <= Self.maxDepth, at < bytes.count else { return false }
        switch bytes[at] {
        case UInt8(ascii: "{"):
            at += 1
            var count = 0
            while true {
                switch nextMember(count) {
                case .end: return true
                case .bad: return false
                case .key:
                    count += 1
                    guard skipValue(depth: depth + 1) else { return false }
                }
            }
        case UInt8(ascii: "["):
            at += 1
            skipSpace()
            if take(UInt8(ascii: "]")) { return true }
            while true {
                guard skipValue(depth: depth + 1) else { return false }
                skipSpace()
                if take(UInt8(ascii: "]")) { return true }
                guard take(UInt8(ascii: ",")) else { return false }
                skipSpace()
            }
        case UInt8(ascii: "\""):
            return skipString()
        case UInt8(ascii: "t"):
            return takeLiteral("true")
        case UInt8(ascii: "f"):
            return takeLiteral("false")
        case UInt8(ascii: "n"):
            return takeLiteral("null")
        default:
            return skipNumber()
        }
    }

    /// A string, its escapes checked: `\uXXXX` escapes of surrogates must come in pairs.
    private mutating func skipString() -> Bool {
        guard take(UInt8(ascii: "\"")) else { return false }
        while at < bytes.count {
            let byte = bytes[at]
            at += 1
            switch byte {
            case UInt8(ascii: "\""):
                return true
            case UInt8(ascii: "\\"):
                guard at < bytes.count else { return false }
                let escaped = bytes[at]
                at += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    continue
                case UInt8(ascii: "u"):
                    guard let unit = hex4() else { return false }
                    if (0xDC00...0xDFFF).contains(unit) { return false }
                    if (0xD800...0xDBFF).contains(unit) {
                        guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(), (0xDC00...0xDFFF).contains(low) else {
                            return false
                        }
                    }
                default:
                    return false
                }
            default:
                if byte < 0x20 { return false }
            }
        }
        return false
    }

    private mutating func hex4() -> UInt16? {
        guard at + 4 <= bytes.count else { return nil }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[at]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
            at += 1
        }
        return value
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func skipNumber() -> Bool {
        _ = take(UInt8(ascii: "-"))
        guard at < bytes.count, isDigit(bytes[at]) else { return false }
        if take(UInt8(ascii: "0")) {
            if at < bytes.count, isDigit(bytes[at]) { return false }
        } else {
            skipDigits()
        }
        if take(UInt8(ascii: ".")) {
            guard at < bytes.count, isDigit(bytes[at]) else { return false }
            skipDigits()
        }
        if at < bytes.count, bytes[at] | 0x20 == UInt8(ascii: "e") {
            at += 1
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            guard at < bytes.count, isDigit(bytes[at]) else { return false }
            skipDigits()
        }
        return true
    }

    // MARK: Bytes

    private mutating func skipDigits() {
        while at < bytes.count, isDigit(bytes[at]) { at += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x09 || bytes[at] == 0x0A || bytes[at] == 0x0D { at += 1 }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard at < bytes.count, bytes[at] == byte else { return false }
        at += 1
        return true
    }

    /// `true`, `false` or `null` (what follows is checked by the caller).
    private mutating func takeLiteral(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard at + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[at + offset] != word.utf8Start[offset] { return false }
        at += count
        return true
    }
}
