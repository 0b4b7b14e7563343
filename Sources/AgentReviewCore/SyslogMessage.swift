#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An audit entry as an RFC 5424 syslog message, for `git config agentreview.syslog true`:
/// the same judgement the audit log's line records, shipped to a collector.
///
///     <36>1 2026-11-28T15:04:05.123Z git1 agentreview 4242 ref-update [agentreview@32473 ref="refs/heads/main" verdict="blocked" mode="enforce" pusher="alice" chain="…" seq="7" commits="3" overridden="0" blocked="1"] BOM{"chain":…}
///
/// That is `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG`:
/// - PRI: facility auth (4), severity from the verdict (`severity(of:)`);
/// - TIMESTAMP: the entry's own time (RFC 3339, UTC, to the millisecond), not the time
///   of sending, so the message and the file's line agree;
/// - APP-NAME `agentreview`, PROCID the sender's pid, MSGID `ref-update` for the
///   pre-receive hook and `check` for `check --audit`;
/// - STRUCTURED-DATA: one element, `[agentreview@32473 …]`, with what a collector filters
///   on (`parameters(of:)`);
/// - MSG: the UTF-8 BOM, then the entry's line exactly as the audit file holds it.
///
/// Pure: formats bytes, sends nothing (the CLI's `SyslogDestination` sends).
public enum SyslogMessage {
    /// auth (4), "security/authorization messages" in RFC 5424's table of facilities:
    /// judging a push is an authorization decision (who may move which ref), and it is
    /// where collectors and SIEM rules look for them. Not authpriv (10): nothing here is
    /// secret, and many sites keep authpriv on the host.
    public static let facility = 4

    public static let appName = "agentreview"

    /// The private enterprise number in the SD-ID: 32473 is the one RFC 5612 reserves for
    /// documentation and examples (RFC 5424 uses it in its own examples). A site that wants
    /// its collectors to see an SD-ID under its own IANA-assigned PEN can change this one
    /// constant; nothing else depends on the number.
    public static let enterpriseNumber = 32473

    /// The SD-ID of the one structured-data element.
    public static let sdID = "agentreview@\(enterpriseNumber)"

    /// The size the sender keeps to by default: rsyslog's default `maxMessageSize`. Its
    /// documentation says "8k", but the default it is built with is 8096 bytes (rsyslog
    /// 8.2302, measured: a message of 8097 bytes is truncated, over TCP the rest arriving as
    /// a message of its own), so 8096, not 8192. RFC 5424 asks receivers to take 480 bytes
    /// and says they should take 2048; rsyslog, syslog-ng and journald take 8096 or more.
    public static let defaultMaxBytes = 8096

    /// The UTF-8 byte order mark, which RFC 5424 (6.4) puts before a MSG in UTF-8.
    public static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The message for an entry, at most `maxBytes` long.
    ///
    /// MSG is `line`, the entry's exact JSON line as written to the audit file (without its
    /// newline), after the BOM. When the whole message would exceed `maxBytes` (an entry with
    /// many commits), MSG is instead the entry re-encoded (sorted keys, as the file's lines)
    /// with `commits` emptied, plus `"commitsOmitted": N` (how many were left out) and
    /// `"entrySha256"`: the SHA-256 (hex) of `line`, which is the `prev` of the next entry in
    /// the file's chain, so the message can be matched to the file's line. Should even that
    /// be too long (a very long error or repository path), MSG keeps only `v`, `chain`, `seq`,
    /// `time`, `verdict`, `commitsOmitted`, `entrySha256` and `"abridged": true`; then MSG is
    /// left out (RFC 5424 makes it optional); and with a `maxBytes` too small for the header
    /// and structured data alone, the message is cut at the last whole UTF-8 character that
    /// fits. Bytes are never cut mid-character.
    public static func rfc5424(_ entry: AuditEntry, line: [UInt8], host: String, processID: Int32, maxBytes: Int) -> [UInt8] {
        var head = Array("<\(priority(of: entry))>1 \(timestamp(entry.time)) \(headerField(host, max: 255)) \(appName) \(processID) \(msgID(of: entry)) ".utf8)
        head += structuredData(of: entry)
        let limit = max(maxBytes, 0)

        func fits(_ msg: [UInt8]) -> Bool { head.count + 1 + bom.count + msg.count <= limit }
        func message(_ msg: [UInt8]) -> [UInt8] { head + [0x20] + bom + msg }

        if fits(line) { return message(line) }
        let digest = SHA256Digest.hex(line)
        if let abridged = try? abridged(entry, digest: digest), fits(abridged) { return message(abridged) }
        if let minimal = try? minimal(entry, digest: digest), fits(minimal) { return message(minimal) }
        if head.count <= limit { return head }
        return Array(utf8Prefix(head, maxBytes: limit))
    }

    /// From the verdict: pass is informational (6); overridden is a notice (5), so that a
    /// break-glass stands out from the passes; warn and blocked are warnings (4); an entry
    /// whose judgement stopped on an error is an error (3), whatever its verdict.
    public static func severity(of entry: AuditEntry) -> Int {
        if entry.error != nil { return 3 }
        switch entry.verdict {
        case .pass: return 6
        case .overridden: return 5
        case .warn, .blocked: return 4
        }
    }

    /// PRIVAL: facility × 8 + severity.
    public static func priority(of entry: AuditEntry) -> Int { facility * 8 + severity(of: entry) }

    /// `check` for `check --audit`, `ref-update` for the pre-receive hook (and anything else).
    public static func msgID(of entry: AuditEntry) -> String { entry.source == "check" ? "check" : "ref-update" }

    /// The SD-PARAMs, in order, unescaped; a member the entry lacks is left out. `commits`,
    /// `overridden` and `blocked` count the commits judged (`counts`), which stays true
    /// when MSG leaves the commits out.
    public static func parameters(of entry: AuditEntry) -> [(name: String, value: String)] {
        var parameters: [(name: String, value: String)] = []
        if let ref = entry.ref { parameters.append(("ref", ref)) }
        parameters.append(("verdict", entry.verdict.rawValue))
        if let mode = entry.mode { parameters.append(("mode", mode.rawValue)) }
        if let pusher = entry.pusher { parameters.append(("pusher", pusher.name)) }
        parameters.append(("chain", entry.chain))
        parameters.append(("seq", String(entry.seq)))
        parameters.append(("commits", String(entry.counts.total)))
        parameters.append(("overridden", String(entry.counts.overridden)))
        parameters.append(("blocked", String(entry.counts.blocked)))
        return parameters
    }

    /// `[agentreview@32473 name="value" …]`.
    public static func structuredData(of entry: AuditEntry) -> [UInt8] {
        var bytes = Array("[\(sdName(sdID))".utf8)
        for parameter in parameters(of: entry) {
            bytes += Array(" \(sdName(parameter.name))=\"".utf8)
            bytes += Array(escapeParameterValue(parameter.value).utf8)
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }

    /// A PARAM-VALUE as RFC 5424 (6.3.3) requires: `"`, `\` and `]` escaped with `\`;
    /// everything else, in UTF-8, as it is.
    public static func escapeParameterValue(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            if character == "\"" || character == "\\" || character == "]" { escaped.unicodeScalars.append("\\") }
            escaped.unicodeScalars.append(character)
        }
        return escaped
    }

    /// An SD-NAME (SD-ID or PARAM-NAME) as RFC 5424 (6.3.2) allows: 1 to 32 printable
    /// US-ASCII characters other than `=`, space, `]` and `"`. Others are dropped; an empty
    /// result is `_`.
    public static func sdName(_ name: String) -> String {
        let allowed = name.unicodeScalars.filter { scalar in
            (33...126).contains(scalar.value) && scalar != "=" && scalar != "]" && scalar != "\""
        }
        let kept = String(String.UnicodeScalarView(allowed.prefix(32)))
        return kept.isEmpty ? "_" : kept
    }

    /// A header field (HOSTNAME and the like): printable US-ASCII only, at most `max`
    /// characters; the NILVALUE `-` when nothing is left.
    static func headerField(_ value: String, max: Int) -> String {
        let kept = value.unicodeScalars.filter { (33...126).contains($0.value) }.prefix(max)
        return kept.isEmpty ? "-" : String(String.UnicodeScalarView(kept))
    }

    /// The entry's time when it is an RFC 5424 TIMESTAMP (`2026-11-28T15:04:05.123Z`, the
    /// form `AuditEntry.format` writes), else the NILVALUE.
    static func timestamp(_ time: String) -> String {
        let bytes = Array(time.utf8)
        func digits(_ range: Range<Int>) -> Bool { range.allSatisfy { $0 < bytes.count && (0x30...0x39).contains(bytes[$0]) } }
        func at(_ index: Int, _ ascii: Unicode.Scalar) -> Bool { index < bytes.count && bytes[index] == UInt8(ascii: ascii) }
        guard digits(0..<4), at(4, "-"), digits(5..<7), at(7, "-"), digits(8..<10), at(10, "T"), digits(11..<13), at(13, ":"),
            digits(14..<16), at(16, ":"), digits(17..<19)
        else { return "-" }
        var index = 19
        if at(index, ".") {
            var count = 0
            while digits(index + 1 + count..<index + 2 + count) { count += 1 }
            guard (1...6).contains(count) else { return "-" }
            index += 1 + count
        }
        if at(index, "Z"), index + 1 == bytes.count { return time }
        if at(index, "+") || at(index, "-"), digits(index + 1..<index + 3), at(index + 3, ":"), digits(index + 4..<index + 6),
            index + 6 == bytes.count
        {
            return time
        }
        return "-"
    }

    /// The longest prefix of `bytes` no longer than `maxBytes` that does not end inside a
    /// UTF-8 character.
    public static func utf8Prefix(_ bytes: [UInt8], maxBytes: Int) -> ArraySlice<UInt8> {
        guard bytes.count > maxBytes else { return bytes[...] }
        var end = max(maxBytes, 0)
        // A continuation byte (10xxxxxx) at the cut means the cut is inside a character.
        while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return bytes[..<end]
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The entry with `commits` emptied (it still decodes as an `AuditEntry`), and what says
    /// how many were left out and which line of the file it stands for.
    static func abridged(_ entry: AuditEntry, digest: String) throws -> [UInt8] {
        struct Abridged: Encodable {
            var entry: AuditEntry
            var digest: String
            enum Keys: String, CodingKey { case commitsOmitted, entrySha256 }
            func encode(to encoder: any Encoder) throws {
                var emptied = entry
                emptied.commits = []
                try emptied.encode(to: encoder)
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(entry.commits.count, forKey: .commitsOmitted)
                try container.encode(digest, forKey: .entrySha256)
            }
        }
        return Array(try encoder().encode(Abridged(entry: entry, digest: digest)))
    }

    /// Only what places the entry in the file's chain, and its verdict.
    static func minimal(_ entry: AuditEntry, digest: String) throws -> [UInt8] {
        struct Minimal: Encodable {
            var v: Int
            var chain: String
            var seq: Int
            var time: String
            var verdict: Verdict
            var commitsOmitted: Int
            var entrySha256: String
            var abridged = true
        }
        let minimal = Minimal(
            v: entry.v, chain: entry.chain, seq: entry.seq, time: entry.time, verdict: entry.verdict,
            commitsOmitted: entry.commits.count, entrySha256: digest)
        return Array(try encoder().encode(minimal))
    }
}
