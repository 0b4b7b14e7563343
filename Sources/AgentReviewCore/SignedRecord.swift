#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Signed records (docs/design.md, "Signed records"), stored in notes under
// refs/notes/agentreview:
//
//     agentreview approval v1
//     commit <hex>
//     patch-id <hex>
//     reviewer alice@example.com
//     decision approve|reject
//     date 2026-11-25T12:00:00Z
//     comment free text on one line        (optional)
//     -----BEGIN SSH SIGNATURE-----
//     …
//     -----END SSH SIGNATURE-----
//
// `agentreview attestation v1` with commit, tree, gate, result pass|fail, signer, date; and
// `agentreview override v1` (a break-glass) with commit, patch-id, signer, date, reason:
// the reason is required, one line without leading or trailing spaces, at most
// `OverrideRecord.maxReasonBytes` bytes.
// Fields come in exactly this order, one `name value` a line. The signed bytes are exactly
// the lines before `-----BEGIN SSH SIGNATURE-----`, each ending in LF, as read: nothing is
// re-serialised to check a signature. Object ids are 40 (SHA-1) or 64 (SHA-256)
// lowercase hex digits. Dates are UTC, to the second.

/// A reviewer's signed decision on one commit, bound to the commit and its patch-id.
public struct ApprovalRecord: Sendable, Hashable {
    public enum Decision: String, Sendable, Hashable, Codable {
        case approve, reject
    }

    public var commit: String
    /// `git patch-id --stable` of the commit's change.
    public var patchID: String
    /// The principal the reviewer signs as (an allowed_signers principal, usually an email).
    public var reviewer: String
    public var decision: Decision
    public var date: Date
    /// One line of free text.
    public var comment: String?

    public init(commit: String, patchID: String, reviewer: String, decision: Decision, date: Date, comment: String? = nil) {
        self.commit = commit
        self.patchID = patchID
        self.reviewer = reviewer
        self.decision = decision
        self.date = date
        self.comment = comment
    }
}

/// A signed statement that a gate (tests, lint, …) passed or failed on a tree.
public struct AttestationRecord: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        case pass, fail
    }

    public var commit: String
    public var tree: String
    public var gate: String
    public var result: Outcome
    /// The principal the attestation is signed as (for example ci@example.com).
    public var signer: String
    public var date: Date

    public init(commit: String, tree: String, gate: String, result: Outcome, signer: String, date: Date) {
        self.commit = commit
        self.tree = tree
        self.gate = gate
        self.result = result
        self.signer = signer
        self.date = date
    }
}

/// A signed break-glass: its signer takes responsibility for one commit that lacks what
/// the policy requires, with a reason. Bound to the commit and its patch-id like an
/// approval. Whether it counts (a listed override signer, not the commit's own people,
/// within `overrides.max_age`) is the evaluator's rule.
public struct OverrideRecord: Sendable, Hashable {
    /// The longest reason, in bytes of UTF-8.
    public static let maxReasonBytes = 1000

    public var commit: String
    /// `git patch-id --stable` of the commit's change.
    public var patchID: String
    /// The principal the override is signed as (an allowed_signers principal, usually an email).
    public var signer: String
    public var date: Date
    /// Why: one line, required.
    public var reason: String

    public init(commit: String, patchID: String, signer: String, date: Date, reason: String) {
        self.commit = commit
        self.patchID = patchID
        self.signer = signer
        self.date = date
        self.reason = reason
    }

    /// Why `reason` cannot be an override's reason, or nil: the parser's rule (one line,
    /// not empty, no leading or trailing spaces, at most ``maxReasonBytes`` bytes), for
    /// commands to say before they sign.
    public static func problem(ofReason reason: String) -> String? {
        if reason.trimming(.whitespaces).isEmpty { return "the reason is empty" }
        if reason.contains(where: \.isNewline) { return "the reason has a line break: it is one line" }
        if reason.utf8.count > maxReasonBytes {
            return "the reason is \(reason.utf8.count) bytes, over the limit of \(maxReasonBytes)"
        }
        if reason.first == " " || reason.last == " " { return "the reason has leading or trailing spaces" }
        if reason.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "the reason contains a control character"
        }
        return nil
    }
}

/// The unsigned part of a record.
public enum RecordBody: Sendable, Hashable {
    case approval(ApprovalRecord)
    case attestation(AttestationRecord)
    case override(OverrideRecord)

    /// Who claims to have signed: the reviewer, the attestation's or the override's signer.
    public var principal: String {
        switch self {
        case .approval(let approval): approval.reviewer
        case .attestation(let attestation): attestation.signer
        case .override(let override): override.signer
        }
    }

    public var commit: String {
        switch self {
        case .approval(let approval): approval.commit
        case .attestation(let attestation): attestation.commit
        case .override(let override): override.commit
        }
    }

    public var date: Date {
        switch self {
        case .approval(let approval): approval.date
        case .attestation(let attestation): attestation.date
        case .override(let override): override.date
        }
    }

    /// The bytes to sign (`ssh-keygen -Y sign -n agentreview`): the header and field lines,
    /// each ending in LF. Refuses values the parser would refuse (a comment with a line
    /// break, a malformed id, …), so every rendered body parses back to itself.
    public func rendered() throws(RecordError) -> String {
        var lines: [(String, String)]
        let header: String
        switch self {
        case .approval(let a):
            header = RecordKind.approval.header
            lines = [
                ("commit", a.commit), ("patch-id", a.patchID), ("reviewer", a.reviewer),
                ("decision", a.decision.rawValue), ("date", CivilTime.format(a.date)),
            ]
            if let comment = a.comment { lines.append(("comment", comment)) }
        case .attestation(let a):
            header = RecordKind.attestation.header
            lines = [
                ("commit", a.commit), ("tree", a.tree), ("gate", a.gate), ("result", a.result.rawValue),
                ("signer", a.signer), ("date", CivilTime.format(a.date)),
            ]
        case .override(let o):
            header = RecordKind.override.header
            lines = [
                ("commit", o.commit), ("patch-id", o.patchID), ("signer", o.signer), ("date", CivilTime.format(o.date)),
                ("reason", o.reason),
            ]
        }
        for (number, (name, value)) in lines.enumerated() where value.contains(where: \.isNewline) {
            throw RecordError(line: number + 2, .lineBreakInValue(field: name))
        }
        let text = ([header] + lines.map { "\($0.0) \($0.1)" }).map { $0 + "\n" }.joined()
        let parsed = try RecordParser.parseBody(RecordParser.lines(Array(text.utf8), firstLine: 1))
        // Dates are rendered to the second; anything else that differs was not representable.
        guard parsed.body.withoutSubseconds == self.withoutSubseconds else {
            throw RecordError(line: 1, .notRepresentable)
        }
        return text
    }

    var withoutSubseconds: RecordBody {
        func floor(_ date: Date) -> Date { Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)) }
        switch self {
        case .approval(var a):
            a.date = floor(a.date)
            return .approval(a)
        case .attestation(var a):
            a.date = floor(a.date)
            return .attestation(a)
        case .override(var o):
            o.date = floor(o.date)
            return .override(o)
        }
    }
}

enum RecordKind: String, CaseIterable {
    case approval, attestation, override

    static let currentVersion = 1
    var header: String { "agentreview \(rawValue) v\(Self.currentVersion)" }

    /// The fields in the order they must appear, and whether each is required.
    var fields: [(name: String, required: Bool)] {
        switch self {
        case .approval:
            [("commit", true), ("patch-id", true), ("reviewer", true), ("decision", true), ("date", true), ("comment", false)]
        case .attestation:
            [("commit", true), ("tree", true), ("gate", true), ("result", true), ("signer", true), ("date", true)]
        case .override:
            [("commit", true), ("patch-id", true), ("signer", true), ("date", true), ("reason", true)]
        }
    }
}

/// A record with its signature, exactly as read.
public struct SignedRecord: Sendable, Hashable {
    /// The SSHSIG namespace of every record.
    public static let namespace = "agentreview"

    public let body: RecordBody
    /// The bytes the signature covers: the lines before the signature, each ending in LF.
    public let signedBytes: [UInt8]
    public let signature: SSHSignature
    /// The whole record (signed bytes, then the armored signature), each line ending in LF.
    public let bytes: [UInt8]

    /// The whole record as text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The record's id: the SHA-256 of its exact bytes, hex (`sha256sum` of the record as
    /// it stands in its note, each line ending in LF). What an audit entry names it by.
    public var id: String { SHA256Digest.hex(bytes) }

    /// Parses exactly one record (a final LF is optional). Errors give lines of `text`.
    public static func parse(_ text: String) throws(RecordError) -> SignedRecord {
        try parse(bytes: Array(text.utf8))
    }

    /// Parses exactly one record from bytes.
    public static func parse(bytes: [UInt8]) throws(RecordError) -> SignedRecord {
        var lines = RecordParser.lines(bytes, firstLine: 1)
        if lines.last?.bytes.isEmpty == true { lines.removeLast() }
        if let blank = lines.first(where: { $0.bytes.isEmpty }) {
            throw RecordError(line: blank.number, .blankLineInRecord)
        }
        guard !lines.isEmpty else { throw RecordError(line: 1, .empty) }
        return try RecordParser.parseRecord(lines)
    }

    /// Puts a body and the armored signature `ssh-keygen -Y sign` made over
    /// `body.rendered()` together, and checks that the result parses back.
    public init(body: RecordBody, armoredSignature: String) throws(RecordError) {
        var text = try body.rendered() + armoredSignature
        if !text.hasSuffix("\n") { text += "\n" }
        self = try Self.parse(text)
    }

    init(body: RecordBody, signedBytes: [UInt8], signature: SSHSignature, bytes: [UInt8]) {
        self.body = body
        self.signedBytes = signedBytes
        self.signature = signature
        self.bytes = bytes
    }

    /// Checks the signature over ``signedBytes`` in namespace `agentreview`, by the key the
    /// signature carries. Who that key belongs to is ``verify(signers:revoked:now:keyValidAt:)``'s job.
    public func verifySignature() throws(SignatureError) {
        try signature.verify(message: signedBytes, namespace: Self.namespace)
    }

    /// The whole check: the signature is valid, and `signers` allow its key to sign as the
    /// record's reviewer (or signer) in namespace `agentreview` at the record's date, which
    /// may not be later than `now` plus the allowed clock skew. Revoked keys never count.
    ///
    /// With `keyValidAt`, the allowing line's `valid-after`/`valid-before` must also hold at
    /// that time, not only at the record's date (which the signer chooses). A server taking
    /// a new record into its notes passes the time of the push (`keyValidAt: now`): a key
    /// past its `valid-before` can then add no record, however it is dated, while the
    /// records it signed in time keep counting (they are checked without `keyValidAt`).
    public func verify(
        signers: AllowedSigners, revoked: RevokedKeys = .none, now: Date, keyValidAt: Date? = nil
    ) -> Result<SignerMatch, RecordRefusal> {
        if revoked.contains(signature.publicKey) {
            return .failure(.signer(.revoked(fingerprint: signature.publicKey.fingerprint, source: revoked.source)))
        }
        do {
            try verifySignature()
        } catch {
            return .failure(.signature(error))
        }
        return signers.verify(
            principal: body.principal, key: signature.publicKey, namespace: Self.namespace, at: body.date, now: now,
            revoked: revoked, keyValidAt: keyValidAt
        ).mapError { .signer($0) }
    }
}

/// Why a well-formed record does not count.
public enum RecordRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    case signature(SignatureError)
    case signer(SignerRefusal)

    public var description: String {
        switch self {
        case .signature(let error): error.description
        case .signer(let refusal): refusal.description
        }
    }
}

/// Why a record could not be read, with the line (1-based, in the note or text parsed).
public struct RecordError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Problem: Sendable, Hashable {
        case empty
        case notUTF8
        case carriageReturn
        case controlCharacter
        case blankLineInRecord
        /// The first line is not an agentreview record header.
        case notARecord(firstLine: String)
        case unknownRecordKind(String)
        case newerVersion(kind: String, version: String)
        case unsupportedVersion(kind: String, version: String)
        case malformedField
        case unknownField(String)
        case duplicateField(String, firstLine: Int)
        case fieldOutOfOrder(String, mustPrecede: String)
        case missingField(String)
        case emptyValue(field: String)
        case invalidObjectID(field: String, value: String)
        case invalidDate(String)
        case invalidValue(field: String, value: String, expected: String)
        case lineBreakInValue(field: String)
        case notRepresentable
        case missingSignature
        case unterminatedSignature
        case textAfterSignature
        case invalidSignature(SignatureError)
    }

    public var line: Int
    public var problem: Problem

    public init(line: Int, _ problem: Problem) {
        self.line = line
        self.problem = problem
    }

    public var description: String { "line \(line): \(message)" }

    public var message: String {
        switch problem {
        case .empty:
            return "the record is empty"
        case .notUTF8:
            return "the line is not valid UTF-8"
        case .carriageReturn:
            return "the line contains a carriage return (CR); records use LF line endings only"
        case .controlCharacter:
            return "the line contains a control character"
        case .blankLineInRecord:
            return "a blank line inside a record; records are separated by blank lines"
        case .notARecord(let first):
            return "\"\(first.prefix(60))\" is not a record header; expected \"\(RecordKind.approval.header)\", \"\(RecordKind.attestation.header)\" or \"\(RecordKind.override.header)\""
        case .unknownRecordKind(let kind):
            return "unknown record kind \"agentreview \(kind.prefix(40))\"; expected approval, attestation or override"
        case .newerVersion(let kind, let version):
            return "agentreview \(kind) \(version) is newer than this agentreview understands (v\(RecordKind.currentVersion)): upgrade agentreview"
        case .unsupportedVersion(let kind, let version):
            return "agentreview \(kind) \(version.prefix(20)) is not a supported version (v\(RecordKind.currentVersion))"
        case .malformedField:
            return "expected \"NAME VALUE\" (one space between)"
        case .unknownField(let name):
            return "unknown field \"\(name.prefix(40))\""
        case .duplicateField(let name, let first):
            return "field \"\(name)\" is given twice (first on line \(first))"
        case .fieldOutOfOrder(let name, let later):
            return "field \"\(name)\" must come before \"\(later)\""
        case .missingField(let name):
            return "field \"\(name)\" is missing"
        case .emptyValue(let field):
            return "field \"\(field)\" has no value"
        case .invalidObjectID(let field, let value):
            return "\(field) \"\(value.prefix(80))\" is not an object id (40 or 64 lowercase hex digits)"
        case .invalidDate(let value):
            return "date \"\(value.prefix(40))\" is not a UTC time like 2026-11-25T12:00:00Z"
        case .invalidValue(let field, let value, let expected):
            return "\(field) \"\(value.prefix(80))\" is not valid: expected \(expected)"
        case .lineBreakInValue(let field):
            return "field \"\(field)\" contains a line break; values are one line"
        case .notRepresentable:
            return "the record does not read back as written"
        case .missingSignature:
            return "the record has no signature (-----BEGIN SSH SIGNATURE-----)"
        case .unterminatedSignature:
            return "the signature has no -----END SSH SIGNATURE----- line"
        case .textAfterSignature:
            return "unexpected text after the signature"
        case .invalidSignature(let error):
            return error.description
        }
    }
}

/// The records of one note: a note holds records separated by blank lines.
public enum RecordNote {
    /// One record of a note, read or not.
    public struct Entry: Sendable, Hashable {
        /// The 1-based line of the note where the record starts.
        public var line: Int
        /// The record's lines, each ending in LF, as read.
        public var bytes: [UInt8]
        public var record: Result<SignedRecord, RecordError>
    }

    /// Every record of `note`, each read on its own: one bad record never hides another.
    /// A record ends at its `-----END SSH SIGNATURE-----` line, before a blank line, or
    /// before a line that starts another record (`agentreview …`), whichever comes first.
    public static func parse(_ note: [UInt8]) -> [Entry] {
        chunks(note).map { lines in
            let bytes = RecordParser.joinLines(lines)
            let record = Result { () throws(RecordError) in try RecordParser.parseRecord(lines) }
            return Entry(line: lines[0].number, bytes: bytes, record: record)
        }
    }

    public static func parse(_ note: String) -> [Entry] { parse(Array(note.utf8)) }

    /// The note text for `records`: each record, a blank line between them.
    public static func render(_ records: [SignedRecord]) -> String {
        String(decoding: join(records.map(\.bytes)), as: UTF8.self)
    }

    /// The union of two notes: every record of `ours`, then the records of `theirs` that are
    /// not byte-for-byte in `ours`, without duplicates, in their order. Unreadable records
    /// are kept too (merging does not judge; the server checks what it accepts).
    public static func merge(_ ours: [UInt8], _ theirs: [UInt8]) -> [UInt8] {
        var seen = Set<[UInt8]>()
        var kept = [[UInt8]]()
        for entry in parse(ours) + parse(theirs) where seen.insert(entry.bytes).inserted {
            kept.append(entry.bytes)
        }
        return join(kept)
    }

    public static func merge(_ ours: String, _ theirs: String) -> String {
        String(decoding: merge(Array(ours.utf8), Array(theirs.utf8)), as: UTF8.self)
    }

    /// What an update of a note changes, record by record (compared by exact bytes): the
    /// records of `new` that `old` lacks, and the records of `old` that `new` lacks. A server
    /// that lets the notes only grow refuses any `removed`, and any `added` that failed to read.
    public static func changes(from old: [UInt8], to new: [UInt8]) -> (added: [Entry], removed: [Entry]) {
        let oldEntries = parse(old)
        let newEntries = parse(new)
        let oldBytes = Set(oldEntries.map(\.bytes))
        let newBytes = Set(newEntries.map(\.bytes))
        return (newEntries.filter { !oldBytes.contains($0.bytes) }, oldEntries.filter { !newBytes.contains($0.bytes) })
    }

    /// `note` with `record` added at the end, unless it is already there.
    public static func adding(_ record: SignedRecord, to note: String) -> String {
        merge(note, record.text)
    }

    static func join(_ records: [[UInt8]]) -> [UInt8] {
        var out = [UInt8]()
        for (index, record) in records.enumerated() {
            if index > 0 { out.append(0x0A) }
            out += record
        }
        return out
    }

    static func chunks(_ note: [UInt8]) -> [[RecordParser.Line]] {
        var result = [[RecordParser.Line]]()
        var current = [RecordParser.Line]()
        func flush() {
            if !current.isEmpty { result.append(current) }
            current = []
        }
        for line in RecordParser.lines(note, firstLine: 1) {
            if line.bytes.isEmpty {
                flush()
                continue
            }
            if !current.isEmpty, line.bytes.starts(with: RecordParser.headerPrefix) { flush() }
            current.append(line)
            if line.bytes.elementsEqual(SSHSignature.endLine.utf8) { flush() }
        }
        flush()
        return result
    }
}

// MARK: - Parsing

enum RecordParser {
    struct Line {
        var number: Int
        var bytes: ArraySlice<UInt8>
    }

    struct Body {
        var body: RecordBody
        var signedBytes: [UInt8]
        var fieldLines: Int
    }

    static let headerPrefix = Array("agentreview ".utf8)

    /// The lines, each followed by LF.
    static func joinLines(_ lines: [Line]) -> [UInt8] {
        var bytes = [UInt8]()
        for line in lines {
            bytes.append(contentsOf: line.bytes)
            bytes.append(0x0A)
        }
        return bytes
    }

    /// `bytes` split at LF (a final LF does not start another line).
    static func lines(_ bytes: [UInt8], firstLine: Int) -> [Line] {
        var parts = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if parts.count > 1, parts.last?.isEmpty == true { parts.removeLast() }
        if bytes.isEmpty { return [] }
        return parts.enumerated().map { Line(number: firstLine + $0.offset, bytes: $0.element) }
    }

    /// A whole record: body lines, then the armored signature, nothing after.
    static func parseRecord(_ lines: [Line]) throws(RecordError) -> SignedRecord {
        guard let first = lines.first else { throw RecordError(line: 1, .empty) }
        try checkCharacters(lines)
        guard let begin = lines.firstIndex(where: { $0.bytes.elementsEqual(SSHSignature.beginLine.utf8) }) else {
            // Report a bad header or field before the missing signature.
            _ = try parseBody(lines)
            throw RecordError(line: lines[lines.count - 1].number, .missingSignature)
        }
        guard begin > 0 else { throw RecordError(line: first.number, .notARecord(firstLine: SSHSignature.beginLine)) }
        let body = try parseBody(Array(lines[..<begin]))
        guard let end = lines[begin...].firstIndex(where: { $0.bytes.elementsEqual(SSHSignature.endLine.utf8) }) else {
            throw RecordError(line: lines[begin].number, .unterminatedSignature)
        }
        guard end == lines.count - 1 else { throw RecordError(line: lines[end + 1].number, .textAfterSignature) }
        let armored = lines[begin...end].map { String(decoding: $0.bytes, as: UTF8.self) + "\n" }.joined()
        let signature: SSHSignature
        do {
            signature = try SSHSignature.parse(armored: armored)
        } catch {
            throw RecordError(line: lines[begin].number, .invalidSignature(error))
        }
        return SignedRecord(body: body.body, signedBytes: body.signedBytes, signature: signature, bytes: joinLines(lines))
    }

    static func checkCharacters(_ lines: [Line]) throws(RecordError) {
        for line in lines {
            if line.bytes.contains(0x0D) { throw RecordError(line: line.number, .carriageReturn) }
            if line.bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
                throw RecordError(line: line.number, .controlCharacter)
            }
            if String(validating: line.bytes, as: UTF8.self) == nil { throw RecordError(line: line.number, .notUTF8) }
        }
    }

    /// The header and field lines (everything before the signature).
    static func parseBody(_ lines: [Line]) throws(RecordError) -> Body {
        try checkCharacters(lines)
        guard let headerLine = lines.first else { throw RecordError(line: 1, .empty) }
        let kind = try parseHeader(headerLine)
        let order = kind.fields
        var values = [String: (value: String, line: Int)]()
        var lastIndex = -1
        for line in lines.dropFirst() {
            let text = String(decoding: line.bytes, as: UTF8.self)
            guard let space = text.firstIndex(of: " ") else {
                if order.contains(where: { $0.name == text }) { throw RecordError(line: line.number, .emptyValue(field: text)) }
                if text.hasPrefix("-----") { throw RecordError(line: line.number, .missingSignature) }
                throw RecordError(line: line.number, .malformedField)
            }
            let name = String(text[..<space])
            let value = String(text[text.index(after: space)...])
            guard let index = order.firstIndex(where: { $0.name == name }) else {
                throw RecordError(line: line.number, .unknownField(name))
            }
            if let earlier = values[name] {
                throw RecordError(line: line.number, .duplicateField(name, firstLine: earlier.line))
            }
            guard index > lastIndex else {
                throw RecordError(line: line.number, .fieldOutOfOrder(name, mustPrecede: order[lastIndex].name))
            }
            guard !value.isEmpty else { throw RecordError(line: line.number, .emptyValue(field: name)) }
            values[name] = (value, line.number)
            lastIndex = index
        }
        let lastLine = lines[lines.count - 1].number
        for field in order where field.required && values[field.name] == nil {
            throw RecordError(line: lastLine, .missingField(field.name))
        }
        func value(_ name: String) -> (value: String, line: Int) { values[name] ?? ("", lastLine) }
        func objectID(_ name: String) throws(RecordError) -> String {
            let (text, line) = value(name)
            guard isObjectID(text) else { throw RecordError(line: line, .invalidObjectID(field: name, value: text)) }
            return text
        }
        func principal(_ name: String) throws(RecordError) -> String {
            let (text, line) = value(name)
            guard isPrincipal(text) else {
                throw RecordError(
                    line: line,
                    .invalidValue(field: name, value: text, expected: "a principal without spaces, commas or quotes"))
            }
            return text
        }
        func date() throws(RecordError) -> Date {
            let (text, line) = value("date")
            guard let date = parseRecordDate(text) else { throw RecordError(line: line, .invalidDate(text)) }
            return date
        }
        func choice<T: RawRepresentable<String>>(_ name: String, _ type: T.Type, _ expected: String) throws(RecordError) -> T {
            let (text, line) = value(name)
            guard let parsed = T(rawValue: text) else {
                throw RecordError(line: line, .invalidValue(field: name, value: text, expected: expected))
            }
            return parsed
        }

        let body: RecordBody
        switch kind {
        case .approval:
            var comment: String?
            if let written = values["comment"] {
                guard written.value.first != " ", written.value.last != " " else {
                    throw RecordError(
                        line: written.line,
                        .invalidValue(field: "comment", value: written.value, expected: "no leading or trailing spaces"))
                }
                comment = written.value
            }
            body = .approval(
                ApprovalRecord(
                    commit: try objectID("commit"), patchID: try objectID("patch-id"), reviewer: try principal("reviewer"),
                    decision: try choice("decision", ApprovalRecord.Decision.self, "approve or reject"), date: try date(),
                    comment: comment))
        case .attestation:
            let (gate, gateLine) = value("gate")
            guard isWord(gate) else {
                throw RecordError(line: gateLine, .invalidValue(field: "gate", value: gate, expected: "a gate name without spaces"))
            }
            body = .attestation(
                AttestationRecord(
                    commit: try objectID("commit"), tree: try objectID("tree"), gate: gate,
                    result: try choice("result", AttestationRecord.Outcome.self, "pass or fail"),
                    signer: try principal("signer"), date: try date()))
        case .override:
            let (reason, reasonLine) = value("reason")
            guard reason.first != " ", reason.last != " " else {
                throw RecordError(
                    line: reasonLine,
                    .invalidValue(field: "reason", value: reason, expected: "no leading or trailing spaces"))
            }
            guard reason.utf8.count <= OverrideRecord.maxReasonBytes else {
                throw RecordError(
                    line: reasonLine,
                    .invalidValue(
                        field: "reason", value: reason,
                        expected: "at most \(OverrideRecord.maxReasonBytes) bytes (it has \(reason.utf8.count))"))
            }
            body = .override(
                OverrideRecord(
                    commit: try objectID("commit"), patchID: try objectID("patch-id"), signer: try principal("signer"),
                    date: try date(), reason: reason))
        }
        return Body(body: body, signedBytes: joinLines(lines), fieldLines: lines.count)
    }

    static func parseHeader(_ line: Line) throws(RecordError) -> RecordKind {
        let text = String(decoding: line.bytes, as: UTF8.self)
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count == 3, words[0] == "agentreview" else {
            throw RecordError(line: line.number, .notARecord(firstLine: text))
        }
        guard let kind = RecordKind(rawValue: String(words[1])) else {
            throw RecordError(line: line.number, .unknownRecordKind(String(words[1])))
        }
        let version = String(words[2])
        if version == "v\(RecordKind.currentVersion)" { return kind }
        if version.hasPrefix("v"), let number = CivilTime.number(Array(version.utf8).dropFirst()),
            number > RecordKind.currentVersion, version.utf8.count < 12
        {
            throw RecordError(line: line.number, .newerVersion(kind: kind.rawValue, version: version))
        }
        throw RecordError(line: line.number, .unsupportedVersion(kind: kind.rawValue, version: version))
    }

    static func isObjectID(_ text: String) -> Bool {
        (text.utf8.count == 40 || text.utf8.count == 64)
            && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    static func isWord(_ text: String) -> Bool {
        !text.isEmpty && !text.unicodeScalars.contains(where: { $0.properties.isWhitespace })
    }

    static func isPrincipal(_ text: String) -> Bool {
        isWord(text) && !text.contains(",") && !text.contains("\"")
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, exactly.
    static func parseRecordDate(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "Z"),
            let year = CivilTime.number(b[0..<4]), let month = CivilTime.number(b[5..<7]),
            let day = CivilTime.number(b[8..<10]), let hour = CivilTime.number(b[11..<13]),
            let minute = CivilTime.number(b[14..<16]), let second = CivilTime.number(b[17..<19])
        else { return nil }
        return CivilTime.date(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }
}

extension RecordNote.Entry {
    /// Convenience for callers that only want the readable records.
    public var signedRecord: SignedRecord? { try? record.get() }
}
