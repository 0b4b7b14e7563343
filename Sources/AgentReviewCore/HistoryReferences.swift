#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a commit message says about earlier commits: the commits it reverts and those it
/// fixes. Plain text in, ids and subjects out; which commit an id or subject names is the
/// walk's business (``MetricsAccumulator``).
public struct HistoryReferences: Sendable, Hashable {
    /// Ids (7 to 40 hex digits, lowercased) after `This reverts commit `, as `git revert`
    /// writes it (`This reverts commit <id>.`, and for a merge `This reverts commit <id>,
    /// reversing`), anywhere in the message.
    public var revertedIDs: [String]
    /// The subject inside `Revert "…"` when the message names no id: matched to the newest
    /// earlier commit with exactly that subject.
    public var revertedSubject: String?
    /// Ids from `Fixes: <id> ("subject")` trailers, the Linux kernel's form (short or long
    /// ids, 7 to 40 hex digits, lowercased). `Fixes: #123` and other values are not ids.
    public var fixedIDs: [String]

    public init(revertedIDs: [String] = [], revertedSubject: String? = nil, fixedIDs: [String] = []) {
        self.revertedIDs = revertedIDs
        self.revertedSubject = revertedSubject
        self.fixedIDs = fixedIDs
    }

    public var isEmpty: Bool { revertedIDs.isEmpty && revertedSubject == nil && fixedIDs.isEmpty }

    public static let none = HistoryReferences()

    /// Reads a commit's message (subject line first) and its trailers as `Trailers.parse`
    /// gives them. Bounded: only the first ``scanBytes`` of the message are read.
    public static func parse(message: String, subject: String, trailers: [Trailer]) -> HistoryReferences {
        var references = HistoryReferences()
        var message = message
        references.revertedIDs = message.withUTF8 { revertedIDs(in: UnsafeBufferPointer(rebasing: $0.prefix(scanBytes))) }
        if references.revertedIDs.isEmpty { references.revertedSubject = revertedSubject(of: subject) }
        for trailer in trailers where trailer.hasKey("Fixes") {
            if let id = leadingID(trailer.value), !references.fixedIDs.contains(id) { references.fixedIDs.append(id) }
        }
        return references
    }

    /// The ids after each `This reverts commit ` in `bytes`.
    private static func revertedIDs(in bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        var ids = [String]()
        let marker: StaticString = "This reverts commit "
        let length = marker.utf8CodeUnitCount
        guard bytes.count >= length, let base = bytes.baseAddress else { return ids }
        var index = 0
        while index + length <= bytes.count {
            // The marker's first byte, found by memchr; then the rest compared.
            guard let found = memchr(base + index, Int32(UInt8(ascii: "T")), bytes.count - index) else { break }
            index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            guard index + length <= bytes.count else { break }
            guard memcmp(base + index, marker.utf8Start, length) == 0 else {
                index += 1
                continue
            }
            let start = index + length
            var end = start
            while end < bytes.count, end - start <= 40, isHex(bytes[end]) { end += 1 }
            let terminated = end == bytes.count || !isWordByte(bytes[end])
            if end - start >= 7, end - start <= 40, terminated {
                let id = String(decoding: bytes[start..<end], as: UTF8.self).lowercased()
                if !ids.contains(id) { ids.append(id) }
            }
            index = max(end, index + 1)
        }
        return ids
    }

    /// `X` from a subject `Revert "X"` (git revert's default), nil for any other subject.
    public static func revertedSubject(of subject: String) -> String? {
        // A subject longer than any git writes is hostile: not kept waiting for a match.
        guard subject.utf8.count <= subjectBytes else { return nil }
        let prefix = "Revert \""
        guard subject.hasPrefix(prefix), subject.hasSuffix("\""), subject.count >= prefix.count + 2 else { return nil }
        return String(subject.dropFirst(prefix.count).dropLast())
    }

    /// The id a `Fixes:` value starts with: 7 to 40 hex digits, then the end, whitespace or `(`.
    static func leadingID(_ value: String) -> String? {
        let bytes = Array(value.utf8.prefix(64))
        var end = 0
        while end < bytes.count, isHex(bytes[end]) { end += 1 }
        guard end >= 7, end <= 40 else { return nil }
        if end < bytes.count, bytes[end] != 0x20, bytes[end] != 0x09, bytes[end] != 0x28 { return nil }
        return String(decoding: bytes[..<end], as: UTF8.self).lowercased()
    }

    /// The longest `Revert "…"` subject matched to an earlier commit's subject.
    public static let subjectBytes = 4096

    /// At most this many bytes of a message are searched for `This reverts commit`.
    public static let scanBytes = 64 << 10

    private static func isHex(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) || (0x41...0x46).contains(byte)
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F
    }
}
