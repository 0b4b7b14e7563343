#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The hash chain of the audit log (docs/design.md, "The audit log"), pure over bytes: how
/// the next entry is chained onto a file's tail, the exact line appended, and the check of
/// a whole file. The CLI reads and writes the file, under its lock.
///
/// The file is JSON Lines: one ``AuditEntry`` a line, as `JSONEncoder` writes it with
/// `.sortedKeys` and `.withoutEscapingSlashes`, each line ending in LF. Entries form
/// segments: within one (`chain`, 32 lowercase hex digits from 16 random bytes) `seq` counts
/// from 1, and `prev` is the lowercase hex SHA-256 of the previous entry's line, its exact
/// bytes without the LF; the first entry's `prev` is the SHA-256 of nothing
/// (``emptyHash``). A new segment starts only
///
/// - at the first line of the file, with no `after`; or
/// - right after a line the appender could not chain onto, naming it in `after`:
///   - a **torn** line, the bytes a writer killed mid-write left with no LF at the end of the
///     file. The appender writes an LF first, so the torn bytes become a line of their own,
///     and `after` has their SHA-256 and byte count;
///   - a whole line that is **not an entry** (the writer that found it could not read it).
///     `after` then hashes and counts the bytes as found, the LF included: that is how
///     ``verify(_:)`` tells the two apart, and it reports such a line as broken.
///
///   `after.chain` and `after.seq` are those of the line just before the named one when that
///   line is an entry; nil when it is not one, or there is none.
///
/// The chain is no signature: whoever can write the file can rewrite it whole. It shows an
/// edit, a removal, a reordering or a restart made by hand, and which line it broke.
public enum AuditChain {
    /// The SHA-256 of nothing: the `prev` of each segment's first entry.
    public static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// How to chain the next entry: its header, and whether an LF must be written first.
    public struct Next: Sendable, Hashable {
        public var chain: String
        public var seq: Int
        public var prev: String
        /// Set when a new segment starts after a line that could not be chained onto.
        public var after: AuditEntry.Torn?
        /// The file ends in a torn line: write an LF before the entry, so the torn bytes end a line of their own.
        public var newlineFirst: Bool

        public init(chain: String, seq: Int, prev: String, after: AuditEntry.Torn?, newlineFirst: Bool) {
            self.chain = chain
            self.seq = seq
            self.prev = prev
            self.after = after
            self.newlineFirst = newlineFirst
        }
    }

    /// How to chain the next entry onto a file whose last bytes are `tail`.
    ///
    /// `tail` must hold the lines this reads whole: the file's last whole line, the one
    /// before it when the last is not an entry, and any torn bytes after them. Read back from
    /// the end (64 KiB at a time, say) until ``tailIsComplete(_:)`` says so or the file's start
    /// is reached, and pass what was read: bytes before those lines are ignored. With
    /// `fileIsEmpty` a new segment starts and `tail` is not read. A caller that passes an empty
    /// `tail` for a file that is not empty gets a new segment with no `after`, which
    /// ``verify(_:)`` reports as a restart: never a silent break.
    ///
    /// - The last line is whole and an entry: the next entry continues its segment (an entry
    ///   of a newer format too, when its chaining members read as this version's).
    /// - The file ends in torn bytes: a new segment, after them, with an LF first.
    /// - The last whole line is not an entry: a new segment after it.
    public static func next(tail: [UInt8], fileIsEmpty: Bool, newChainID: () -> String) -> Next {
        func fresh(_ after: AuditEntry.Torn?, _ newline: Bool) -> Next {
            Next(chain: newChainID(), seq: 1, prev: emptyHash, after: after, newlineFirst: newline)
        }
        if fileIsEmpty || tail.isEmpty { return fresh(nil, false) }
        let tailLines = TailLines(tail)
        if let torn = tailLines.torn {
            let before = tailLines.lastWhole.flatMap { Header.read(tail[$0]).chainable }
            return fresh(
                AuditEntry.Torn(sha256: SHA256Digest.hex(tail[torn]), bytes: torn.count, chain: before?.chain, seq: before?.seq), true)
        }
        guard let last = tailLines.lastWhole else { return fresh(nil, false) }
        if let header = Header.read(tail[last]).chainable {
            return Next(chain: header.chain, seq: header.seq + 1, prev: SHA256Digest.hex(tail[last]), after: nil, newlineFirst: false)
        }
        // Not an entry: named with its LF, the bytes as found.
        let found = last.lowerBound..<last.upperBound + 1
        let before = tailLines.beforeLastWhole.flatMap { Header.read(tail[$0]).chainable }
        return fresh(AuditEntry.Torn(sha256: SHA256Digest.hex(tail[found]), bytes: found.count, chain: before?.chain, seq: before?.seq), false)
    }

    /// Whether `tail`, the last bytes of a file, holds all that ``next(tail:fileIsEmpty:newChainID:)``
    /// reads: the last whole line (and, when that is not an entry, the line before it) each
    /// with the LF before it. When not, read further back, or pass the whole file.
    public static func tailIsComplete(_ tail: [UInt8]) -> Bool {
        let tailLines = TailLines(tail)
        guard let last = tailLines.lastWhole, tailLines.startsAfterNewline(last) else { return false }
        if tailLines.torn != nil || Header.read(tail[last]).chainable != nil { return true }
        guard let before = tailLines.beforeLastWhole else { return false }
        return tailLines.startsAfterNewline(before)
    }

    /// The entry, chained, as the exact bytes to append: its JSON and an LF, with an LF
    /// before it when `next.newlineFirst`.
    public static func line(for entry: AuditEntry, chained next: Next) throws -> [UInt8] {
        var entry = entry
        entry.chain = next.chain
        entry.seq = next.seq
        entry.prev = next.prev
        entry.after = next.after
        // What JSONEncoder writes, member by member (`AuditJSON.swift`).
        let json = StreamingJSONEncoder.encode(entry)
        // JSONEncoder (so this encoder) escapes control characters in strings and, not pretty-printing, writes no
        // LF of its own: a line is one entry.
        guard !json.contains(newline) else {
            throw EncodingError.invalidValue(entry, .init(codingPath: [], debugDescription: "an audit entry's JSON holds an LF"))
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(json.count + 2)
        if next.newlineFirst { bytes.append(newline) }
        bytes += json
        bytes.append(newline)
        return bytes
    }

    /// A new random segment id: 16 bytes from the system's generator, as 32 lowercase hex digits.
    public static func newChainID() -> String {
        var generator = SystemRandomNumberGenerator()
        return SHA256Digest.lowercaseHex((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// What ``verify(_:)`` found.
    public struct Verification: Sendable, Hashable, Codable {
        /// Entries checked before the first problem (all of them when there is none).
        public var entries: Int
        /// Segments begun before the first problem.
        public var segments: Int
        /// Torn lines (1-based): each one a later segment names as it should, and a last line with no LF.
        public var torn: [Int]
        /// The first line the chain shows broken; nil when the file is intact.
        public var firstProblem: Problem?

        /// No problem found.
        public var intact: Bool { firstProblem == nil }

        public init(entries: Int, segments: Int, torn: [Int], firstProblem: Problem?) {
            self.entries = entries
            self.segments = segments
            self.torn = torn
            self.firstProblem = firstProblem
        }
    }

    /// The first broken line, what most likely broke it, and why, in one line.
    public struct Problem: Sendable, Hashable, Codable, CustomStringConvertible {
        public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
            /// The line's bytes changed: the next entry's `prev` does not match it (or its own
            /// header does not follow the entry before it).
            case edited
            /// Entries missing or out of order: `seq` jumps, goes back, or the segment's start is gone.
            case deletedOrReordered = "deleted-or-reordered"
            /// A new segment that does not follow a torn line it names: entries before it may have been removed.
            case restarted
            /// A line cut short (JSON that ends too early) that no later segment names as torn.
            case truncated
            /// A line that is not an entry.
            case unreadable
            /// An entry of a newer format than this build reads.
            case newerVersion = "newer-version"
        }

        /// 1-based.
        public var line: Int
        public var kind: Kind
        public var message: String

        public init(line: Int, kind: Kind, message: String) {
            self.line = line
            self.kind = kind
            self.message = message
        }

        /// `line 7: edited: …`.
        public var description: String { "line \(line): \(kind.rawValue): \(message)" }
    }

    /// Checks a whole file's bytes, in one pass (each line read and hashed once).
    ///
    /// An empty file is intact. A torn last line is no problem (it is listed in `torn`), nor
    /// is a torn line the next segment names. Stops at the first problem: the line the chain
    /// shows broken first, with the likeliest cause the chain can tell —
    /// an entry whose line does not hash to the next entry's `prev` was edited when the `seq`
    /// runs on (and the entry after the next still chains, else the next one was); a `seq`
    /// gap is a removal, a `seq` that does not increase a reordering; a segment start in the
    /// middle that does not follow a torn line it names is a restart; a line that is not an
    /// entry, and that no segment names as torn, is truncated (cut-short JSON) or unreadable;
    /// an entry with a `v` above ``AuditEntry/version`` is refused by name.
    public static func verify(_ bytes: [UInt8]) -> Verification {
        var walk = Walk(bytes)
        return walk.run()
    }

    // MARK: - Lines and headers

    static let newline = UInt8(ascii: "\n")

    /// The lines `next` reads at the end of a tail.
    struct TailLines {
        let bytes: [UInt8]
        /// Bytes after the last LF, when there are any.
        var torn: Range<Int>?
        /// The last LF-terminated line, without its LF.
        var lastWhole: Range<Int>?
        /// The line before it, without its LF.
        var beforeLastWhole: Range<Int>?

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            guard let lastLF = bytes.lastIndex(of: AuditChain.newline) else {
                torn = bytes.isEmpty ? nil : 0..<bytes.count
                return
            }
            if lastLF + 1 < bytes.count { torn = lastLF + 1..<bytes.count }
            let lastStart = Self.lineStart(before: lastLF, in: bytes)
            lastWhole = lastStart..<lastLF
            if lastStart > 0 {
                let beforeLF = lastStart - 1
                beforeLastWhole = Self.lineStart(before: beforeLF, in: bytes)..<beforeLF
            }
        }

        /// The start of the line that ends at `end` (an LF's index): after the LF before it, or 0.
        static func lineStart(before end: Int, in bytes: [UInt8]) -> Int {
            var i = end
            while i > 0, bytes[i - 1] != AuditChain.newline { i -= 1 }
            return i
        }

        /// Whether the line at `range` is known to start there: an LF precedes it in the tail.
        func startsAfterNewline(_ range: Range<Int>) -> Bool {
            range.lowerBound > 0 && bytes[range.lowerBound - 1] == AuditChain.newline
        }
    }

    /// The chaining members of an entry, read from its line; other members (of this version
    /// or a newer one) are not read.
    struct Header: Decodable, Equatable {
        var v: Int
        var chain: String
        var seq: Int
        var prev: String
        var after: AuditEntry.Torn?

        enum Reading {
            case entry(Header)
            /// Not JSON: `cutShort` when it begins as an entry does and ends too early.
            case notJSON(cutShort: Bool)
            /// JSON, but not an entry: why.
            case notEntry(String)
            /// An entry of a newer format, with its chaining members when they read as this version's do.
            case newer(Int, Header?)

            var entry: Header? {
                if case .entry(let header) = self { header } else { nil }
            }

            /// What an appender can chain onto: an entry, of this version or a newer one.
            var chainable: Header? {
                switch self {
                case .entry(let header): header
                case .newer(_, let header): header
                default: nil
                }
            }
        }

        private struct Version: Decodable { var v: Int }

        static func read(_ line: ArraySlice<UInt8>) -> Reading {
            let header: Header
            if let scanned = AuditHeaderScan.header(line) {
                header = scanned
            } else {
                switch decode(line) {
                case .header(let decoded): header = decoded
                case .instead(let reading): return reading
                }
            }
            if let malformed = header.malformed { return .notEntry(malformed) }
            return header.v > AuditEntry.version ? .newer(header.v, header) : .entry(header)
        }

        private enum Decoded {
            case header(Header)
            /// What the line is, when it has no header.
            case instead(Reading)
        }

        /// The header as `JSONDecoder` reads it; when it cannot, what the line is.
        private static func decode(_ line: ArraySlice<UInt8>) -> Decoded {
            let data = Data(line)
            do {
                return .header(try JSONDecoder().decode(Header.self, from: data))
            } catch {
                if let version = try? JSONDecoder().decode(Version.self, from: data), version.v > AuditEntry.version {
                    return .instead(.newer(version.v, nil))
                }
                switch error {
                case DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty:
                    return .instead(.notJSON(cutShort: line.starts(with: Array(#"{""#.utf8))))
                case DecodingError.keyNotFound(let key, let context) where context.codingPath.isEmpty:
                    return .instead(.notEntry("no member \"\(key.stringValue)\""))
                case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
                    let path = context.codingPath.map(\.stringValue).joined(separator: ".")
                    return .instead(.notEntry(path.isEmpty ? "not a JSON object" : "\"\(path)\" is not what an entry has there"))
                default:
                    return .instead(.notEntry("not an audit entry"))
                }
            }
        }

        /// What is wrong with the members' values, if anything.
        var malformed: String? {
            if v < 1 { return "v is \(v)" }
            if !AuditChain.isHex(chain, count: 32) { return "chain is not 32 lowercase hex digits" }
            if seq < 1 { return "seq is \(seq)" }
            if !AuditChain.isHex(prev, count: 64) { return "prev is not 64 lowercase hex digits" }
            return nil
        }
    }

    static func isHex(_ text: String, count: Int) -> Bool {
        text.utf8.count == count && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }


    // MARK: - Verification

    /// One pass over a file's lines; each line's header and hash computed at most once.
    struct Walk {
        let bytes: [UInt8]
        /// Whole lines, without their LF.
        var lines: [Range<Int>] = []
        /// The torn last line, when the file does not end in LF.
        var tail: Range<Int>?
        private var readings: [Header.Reading?]
        private var hashes: [String?]

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            var start = 0
            for (i, byte) in bytes.enumerated() where byte == AuditChain.newline {
                lines.append(start..<i)
                start = i + 1
            }
            if start < bytes.count { tail = start..<bytes.count }
            readings = Array(repeating: nil, count: lines.count)
            hashes = Array(repeating: nil, count: lines.count)
        }

        /// The reading of whole line `i` (0-based).
        mutating func reading(_ i: Int) -> Header.Reading {
            if let known = readings[i] { return known }
            let read = Header.read(bytes[lines[i]])
            readings[i] = read
            return read
        }

        mutating func header(_ i: Int) -> Header? {
            guard i >= 0, i < lines.count else { return nil }
            return reading(i).entry
        }

        mutating func hash(_ i: Int) -> String {
            if let known = hashes[i] { return known }
            let digest = SHA256Digest.hex(bytes[lines[i]])
            hashes[i] = digest
            return digest
        }

        /// How segment start `start` names line `named` (0-based): as the torn line it should,
        /// as a whole line it found unreadable, or not at all.
        enum Naming { case torn, wholeUnreadable, no }

        mutating func naming(of named: Int, by start: Header) -> Naming {
            guard start.seq == 1, let after = start.after else { return .no }
            let line = lines[named]
            if after.bytes == line.count, after.sha256 == hash(named) { return .torn }
            if after.bytes == line.count + 1, after.sha256 == SHA256Digest.hex(bytes[line.lowerBound..<line.upperBound + 1]) {
                return .wholeUnreadable
            }
            return .no
        }

        mutating func run() -> Verification {
            var result = Verification(entries: 0, segments: 0, torn: [], firstProblem: nil)
            /// Entries counted before line i-1 (0-based), for a problem found there from line i.
            var entriesBeforePrevious = 0
            var segmentsBeforePrevious = 0
            var i = 0
            func stop(_ line: Int, _ kind: Problem.Kind, _ message: String) -> Verification {
                var found = result
                if line < i {
                    found.entries = entriesBeforePrevious
                    found.segments = segmentsBeforePrevious
                }
                found.torn = found.torn.filter { $0 <= line }
                found.firstProblem = Problem(line: line + 1, kind: kind, message: message)
                return found
            }
            while i < lines.count {
                let entriesHere = result.entries
                let segmentsHere = result.segments
                defer {
                    entriesBeforePrevious = entriesHere
                    segmentsBeforePrevious = segmentsHere
                    i += 1
                }
                // A line the next segment names as torn is not chained: skip it.
                let nextHeader = header(i + 1)
                if let nextHeader, naming(of: i, by: nextHeader) == .torn {
                    result.torn.append(i + 1)
                    continue
                }
                let header: Header
                switch reading(i) {
                case .entry(let read): header = read
                case .newer(let version, _):
                    return stop(
                        i, .newerVersion,
                        "an entry of format v\(version), written by a newer agentreview; this one reads v\(AuditEntry.version): verify with that version")
                case .notJSON(let cutShort):
                    if let nextHeader, naming(of: i, by: nextHeader) == .wholeUnreadable {
                        return stop(i, .unreadable, unreadableNamedWhole(i))
                    }
                    if cutShort {
                        return stop(
                            i, .truncated,
                            "an entry cut short (its JSON ends too early), and the line after it does not start a segment naming it as torn")
                    }
                    return stop(i, .unreadable, "not JSON, and the line after it does not start a segment naming it as torn")
                case .notEntry(let why):
                    if let nextHeader, naming(of: i, by: nextHeader) == .wholeUnreadable {
                        return stop(i, .unreadable, unreadableNamedWhole(i))
                    }
                    return stop(i, .unreadable, "not an audit entry (\(why)), and the line after it does not start a segment naming it as torn")
                }
                if let problem = check(i, header) { return stop(problem.line, problem.kind, problem.message) }
                result.entries += 1
                if header.seq == 1 { result.segments += 1 }
            }
            if tail != nil { result.torn.append(lines.count + 1) }
            return result
        }

        func unreadableNamedWhole(_ i: Int) -> String {
            "not an audit entry; the writer after it found it whole and started a new segment (line \(i + 2)) after it"
        }

        /// The chain check of entry line `i` (0-based) against the lines before it (and one after,
        /// to tell which of two lines was edited). A problem's `line` is 0-based here.
        mutating func check(_ i: Int, _ header: Header) -> Problem? {
            let seqText = "seq \(header.seq) of chain \(header.chain.prefix(12))"
            if header.seq == 1 {
                if header.prev != AuditChain.emptyHash {
                    return Problem(line: i, kind: .edited, message: "\(seqText) starts a segment, but its prev is not the SHA-256 of nothing")
                }
                guard let after = header.after else {
                    if i == 0 { return nil }
                    return Problem(
                        line: i, kind: .restarted,
                        message: "\(seqText) starts a new segment that does not follow a torn line it names: entries before it may have been removed")
                }
                if i == 0 {
                    return Problem(
                        line: i, kind: .restarted,
                        message: "\(seqText) names a torn line before it (\(after.bytes) bytes), but it is the first line: the lines before it were removed")
                }
                switch naming(of: i - 1, by: header) {
                case .no:
                    return Problem(
                        line: i, kind: .restarted,
                        message: "\(seqText) names a torn line (\(after.bytes) bytes, SHA-256 \(after.sha256.prefix(12))) that is not the line before it: entries before it may have been removed")
                case .wholeUnreadable where self.header(i - 1) != nil:
                    return Problem(
                        line: i, kind: .restarted,
                        message: "\(seqText) names the line before it as one it could not read, but that line is an entry: entries after it may have been removed")
                case .torn, .wholeUnreadable:
                    // The named line was accepted (or reported) when it was walked; what it followed:
                    let before = self.header(i - 2)
                    if after.chain != before?.chain || after.seq != before?.seq {
                        let said = after.chain.map { "seq \(after.seq.map(String.init) ?? "?") of chain \($0.prefix(12))" } ?? "no entry"
                        let found = before.map { "seq \($0.seq) of chain \($0.chain.prefix(12))" } ?? "no entry"
                        return Problem(
                            line: i, kind: .deletedOrReordered,
                            message: "\(seqText) says the torn line before it followed \(said), but it follows \(found): entries were removed or moved")
                    }
                    return nil
                }
            }
            if header.after != nil {
                return Problem(line: i, kind: .edited, message: "\(seqText) has `after`, which only a segment's first entry has")
            }
            guard i > 0 else {
                return Problem(
                    line: i, kind: .deletedOrReordered,
                    message: "the file starts at \(seqText): the entries before it were removed")
            }
            guard let previous = self.header(i - 1) else {
                // Line i-1 was a torn line its next segment names: this entry should start a segment.
                return Problem(
                    line: i, kind: .deletedOrReordered,
                    message: "\(seqText) follows a torn line, where a segment's first entry should be: entries were removed or moved")
            }
            let linked = hash(i - 1) == header.prev
            if linked {
                if previous.chain == header.chain, previous.seq == header.seq - 1 { return nil }
                return Problem(
                    line: i, kind: .edited,
                    message: "\(seqText) chains onto the line before it (seq \(previous.seq) of chain \(previous.chain.prefix(12))), but its chain or seq does not follow on: its header was edited")
            }
            if previous.chain == header.chain {
                if previous.seq == header.seq - 1 {
                    // Line i-1 was edited, or line i (its prev): the entry after i tells which,
                    // if it chains onto line i as it stands.
                    let following = self.header(i + 1).flatMap { $0.chain == header.chain && $0.seq == header.seq + 1 ? $0 : nil }
                    if let following, following.prev != hash(i) {
                        return Problem(
                            line: i, kind: .edited,
                            message: "\(seqText): its prev does not match the line before it, and the next entry's prev does not match it: this line was edited")
                    }
                    let unsure = following == nil ? " (or the prev of the entry after it: nothing follows to tell)" : ""
                    return Problem(
                        line: i - 1, kind: .edited,
                        message: "seq \(previous.seq) of chain \(previous.chain.prefix(12)) does not hash to the prev of the next entry (seq \(header.seq)): it was edited\(unsure)")
                }
                if header.seq > previous.seq + 1 {
                    let missing = previous.seq + 1..<header.seq
                    if let after = self.header(i + 1), after.chain == header.chain, missing.contains(after.seq) {
                        return Problem(
                            line: i, kind: .deletedOrReordered,
                            message: "\(seqText) follows seq \(previous.seq), and seq \(after.seq) comes after it: entries were reordered")
                    }
                    let gap = missing.count == 1 ? "seq \(missing.lowerBound) is" : "seq \(missing.lowerBound)–\(missing.upperBound - 1) are"
                    return Problem(
                        line: i, kind: .deletedOrReordered,
                        message: "\(seqText) follows seq \(previous.seq): \(gap) missing, deleted")
                }
                return Problem(
                    line: i, kind: .deletedOrReordered,
                    message: "\(seqText) follows seq \(previous.seq): seq does not increase, entries were reordered")
            }
            return Problem(
                line: i, kind: .deletedOrReordered,
                message: "\(seqText) follows an entry of another segment (seq \(previous.seq) of chain \(previous.chain.prefix(12))): the entries before it in its segment were removed or moved")
        }
    }
}
