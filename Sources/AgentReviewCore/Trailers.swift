#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `Key: value` trailer of a commit message, as `git interpret-trailers --parse` prints it:
/// the key as written (case preserved), the value trimmed and unfolded.
public struct Trailer: Sendable, Hashable, Codable, CustomStringConvertible {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
    public var description: String { "\(key): \(value)" }

    /// Whether this trailer's key is `key`, ignoring ASCII case (`Co-Authored-By` is `Co-authored-by`).
    public func hasKey(_ key: String) -> Bool {
        // ASCII keys (all that trailers have) compare byte by byte; others as lowercased text.
        let mine = self.key.utf8
        let theirs = key.utf8
        if mine.allSatisfy({ $0 < 0x80 }) && theirs.allSatisfy({ $0 < 0x80 }) {
            return mine.count == theirs.count && zip(mine, theirs).allSatisfy { Self.lowered($0) == Self.lowered($1) }
        }
        return self.key.lowercased() == key.lowercased()
    }

    private static func lowered(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}

/// Reads trailers the way git does.
///
/// This follows `git interpret-trailers --parse` (that is `--only-trailers --only-input
/// --unfold`) with no `trailer.*` configuration and the default comment character `#`,
/// byte for byte over the message's UTF-8:
///
/// 1. The message ends at the first NUL (git reads it as a C string) and at the first
///    line that starts with `---` followed by whitespace (a patch divider).
/// 2. Trailing comment lines (`#`), empty lines, an old-style `Conflicts:` block and
///    everything from a scissors line (`# ------------------------ >8 ------------------------`)
///    on are not part of the message.
/// 3. The trailer block is the last paragraph, found from the end: a run of non-blank
///    lines after a blank line that either are all trailers, or contain a git-generated
///    line (`Signed-off-by: `, `(cherry picked from commit `) and are at least 25% trailers.
///    Lines starting with whitespace continue the line before them. The first paragraph
///    (the title) never holds trailers.
/// 4. In that block, a trailer is a line `TOKEN [whitespace] : value` where TOKEN is ASCII
///    letters, digits and `-`; other lines and comments are dropped. Continuation lines are
///    unfolded to one space.
///
/// One deliberate difference: git 2.39 loops forever when a scissors line follows a patch
/// divider (it looks for the scissors beyond the end it was given). Like later git, a
/// scissors line after the end of the message is ignored here.
public enum Trailers {
    /// The trailers of a commit message, by git's rules (`git interpret-trailers --parse`).
    public static func parse(_ message: String) -> [Trailer] {
        var buffer = Array(message.utf8)
        let nul = Parser.find(0, in: buffer, from: 0, before: buffer.count)
        if nul < buffer.count {
            buffer.removeSubrange(nul...)
        }
        return Parser(buffer).trailers()
    }
}

// MARK: - The parser

private let newline = UInt8(ascii: "\n")
private let commentChar = UInt8(ascii: "#")
private let separator = UInt8(ascii: ":")

/// git's `isspace` (its own ctype table): space, tab, LF and CR only.
private func isGitSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
}

/// git's `isalnum`: ASCII letters and digits only.
private func isGitAlnum(_ byte: UInt8) -> Bool {
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
}

private let gitGeneratedPrefixes: [[UInt8]] = [Array("Signed-off-by: ".utf8), Array("(cherry picked from commit ".utf8)]
private let divider: [UInt8] = Array("---".utf8)
/// A scissors line, with the newline before it: `git commit --cleanup=scissors` cuts here.
private let scissors: [UInt8] = Array("\n# ------------------------ >8 ------------------------".utf8)
private let scissorsAtStart: [UInt8] = Array(scissors.dropFirst())
private let conflictsHeader: [UInt8] = Array("Conflicts:\n".utf8)

private struct Parser {
    /// The message, without a terminating NUL: every index below is within `0...bytes.count`.
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The index of the first `byte` in `bytes[start..<limit]`, or `limit`. (The scans of
    /// each message for its lines and its scissors, a byte at a time, were 4% of the
    /// instructions judging a history.)
    static func find(_ byte: UInt8, in bytes: [UInt8], from start: Int, before limit: Int) -> Int {
        guard start < limit else { return limit }
        return bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            guard let found = memchr(base + start, Int32(byte), limit - start) else { return limit }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// The index of the newline ending the line at `index` within `bytes[0..<limit]`, or `limit`.
    func lineEnd(_ index: Int, limit: Int) -> Int {
        Self.find(newline, in: bytes, from: index, before: limit)
    }

    func trailers() -> [Trailer] {
        let end = endOfTrailers(patchStart: patchStart())
        let start = trailerStart(end: end)
        return trailerLines(from: start, to: end).compactMap(trailer(from:))
    }

    // MARK: Lines

    /// The start of the line after the one at `index` (or the end of the message).
    func nextLine(_ index: Int) -> Int {
        let i = lineEnd(index, limit: bytes.count)
        return i < bytes.count ? i + 1 : i
    }

    /// git's `last_line`: the start of the last line of `bytes[0..<length]`, a final newline
    /// belonging to that line; -1 when `length` is 0.
    func lastLine(before length: Int) -> Int {
        if length == 0 { return -1 }
        if length == 1 { return 0 }
        var i = length - 2
        while i >= 0 {
            if bytes[i] == newline { return i + 1 }
            i -= 1
        }
        return 0
    }

    func hasPrefix(_ prefix: [UInt8], at index: Int) -> Bool {
        guard index + prefix.count <= bytes.count else { return false }
        for (offset, byte) in prefix.enumerated() where bytes[index + offset] != byte {
            return false
        }
        return true
    }

    /// git's `is_blank_line`: the line at `index` holds only whitespace.
    func isBlankLine(at index: Int) -> Bool {
        var i = index
        while i < bytes.count, bytes[i] != newline {
            if !isGitSpace(bytes[i]) { return false }
            i += 1
        }
        return true
    }

    func byte(at index: Int) -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    // MARK: Where the message ends

    /// The first line that starts `---` followed by whitespace, or the end.
    func patchStart() -> Int {
        var line = 0
        while line < bytes.count {
            if hasPrefix(divider, at: line), let next = byte(at: line + 3), isGitSpace(next) {
                return line
            }
            line = nextLine(line)
        }
        return bytes.count
    }

    /// git's `wt_status_locate_end`: where a scissors line cuts `bytes[0..<length]`.
    /// Unlike git 2.39, a scissors line at or beyond `length` does not extend it.
    func scissorsCutoff(length: Int) -> Int {
        if hasPrefix(scissorsAtStart, at: 0) { return 0 }
        let limit = length - 1  // the scissors' leading newline must lie inside the message
        var i = lineEnd(0, limit: max(limit, 0))
        while i < limit {
            if hasPrefix(scissors, at: i) { return i + 1 }
            i = lineEnd(i + 1, limit: limit)
        }
        return length
    }

    /// git's `ignore_non_trailer` (`ignored_log_message_bytes`): the end of `bytes[0..<patchStart]`
    /// without its trailing run of comment lines, empty lines and old `Conflicts:` blocks,
    /// and without anything from a scissors line on.
    func endOfTrailers(patchStart length: Int) -> Int {
        let cutoff = scissorsCutoff(length: length)
        var runStart = 0  // 0 means "no run", as in git (a run starting at offset 0 is not noticed)
        var line = 0
        var inConflictsBlock = false
        while line < cutoff {
            var next = lineEnd(line, limit: length)
            if next < length { next += 1 }
            let first = bytes[line]
            if first == commentChar || first == newline {
                if runStart == 0 { runStart = line }
            } else if hasPrefix(conflictsHeader, at: line) {
                inConflictsBlock = true
                if runStart == 0 { runStart = line }
            } else if inConflictsBlock && first == 0x09 {
                // a path in the conflicts block
            } else if runStart != 0 {
                runStart = 0
                inConflictsBlock = false
            }
            line = next
        }
        return runStart != 0 ? runStart : cutoff
    }

    // MARK: Where the trailers start

    /// git's `find_separator` with `:` as the only separator: the offset of `:` in a line
    /// `TOKEN [whitespace] :`, or nil. The offset is 0 for a line starting with `:`.
    func separatorOffset(in line: ArraySlice<UInt8>) -> Int? {
        var whitespaceFound = false
        for index in line.indices {
            let c = line[index]
            if c == separator { return index - line.startIndex }
            if !whitespaceFound && (isGitAlnum(c) || c == UInt8(ascii: "-")) { continue }
            if index != line.startIndex && (c == 0x20 || c == 0x09) {
                whitespaceFound = true
                continue
            }
            break
        }
        return nil
    }

    /// The bytes of the line at `index`, without its newline, within `bytes[0..<limit]`.
    func line(at index: Int, limit: Int) -> ArraySlice<UInt8> {
        bytes[index..<lineEnd(index, limit: limit)]
    }

    /// git's `find_trailer_start`: the offset of the first line of the trailer block in
    /// `bytes[0..<end]`, or `end` when there is none.
    func trailerStart(end: Int) -> Int {
        // The first paragraph is the title and cannot hold trailers.
        var s = 0
        while s < end {
            if bytes[s] != commentChar && isBlankLine(at: s) { break }
            s = nextLine(s)
        }
        let endOfTitle = s

        var onlySpaces = true
        var recognizedPrefix = false
        var trailerLines = 0
        var nonTrailerLines = 0
        // Lines starting with whitespace: continuations if a trailer comes above them,
        // non-trailer lines otherwise.
        var possibleContinuationLines = 0

        var l = lastLine(before: end)
        while l >= endOfTitle {
            defer { l = lastLine(before: l) }
            let first = bytes[l]
            if first == commentChar {
                nonTrailerLines += possibleContinuationLines
                possibleContinuationLines = 0
                continue
            }
            if isBlankLine(at: l) {
                if onlySpaces { continue }
                nonTrailerLines += possibleContinuationLines
                if recognizedPrefix && trailerLines * 3 >= nonTrailerLines {
                    return nextLine(l)
                } else if trailerLines > 0 && nonTrailerLines == 0 {
                    return nextLine(l)
                }
                return end
            }
            onlySpaces = false

            if gitGeneratedPrefixes.contains(where: { hasPrefix($0, at: l) }) {
                trailerLines += 1
                possibleContinuationLines = 0
                recognizedPrefix = true
                continue
            }
            if let offset = separatorOffset(in: line(at: l, limit: bytes.count)), offset >= 1, !isGitSpace(first) {
                trailerLines += 1
                possibleContinuationLines = 0
            } else if isGitSpace(first) {
                possibleContinuationLines += 1
            } else {
                nonTrailerLines += 1 + possibleContinuationLines
                possibleContinuationLines = 0
            }
        }
        return end
    }

    // MARK: The trailers themselves

    /// The trailer block split into lines (each with its newline), continuation lines
    /// joined to the trailer before them.
    func trailerLines(from start: Int, to end: Int) -> [ArraySlice<UInt8>] {
        var result: [[UInt8]] = []
        var lastIsTrailer = false
        var line = start
        while line < end {
            var next = lineEnd(line, limit: end)
            if next < end { next += 1 }
            let text = bytes[line..<next]
            if lastIsTrailer && isGitSpace(bytes[line]) {
                result[result.count - 1].append(contentsOf: text)
            } else {
                result.append(Array(text))
                lastIsTrailer = (separatorOffset(in: text) ?? 0) >= 1
            }
            line = next
        }
        return result.map { $0[...] }
    }

    func trailer(from text: ArraySlice<UInt8>) -> Trailer? {
        guard text.first != commentChar, let offset = separatorOffset(in: text), offset >= 1 else { return nil }
        let colon = text.startIndex + offset
        let key = trimmed(text[text.startIndex..<colon])
        let value = unfolded(trimmed(text[(colon + 1)...]))
        return Trailer(key: String(decoding: key, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
    }
}

/// git's `strbuf_trim`.
private func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    var start = bytes.startIndex
    var end = bytes.endIndex
    while start < end, isGitSpace(bytes[start]) { start += 1 }
    while end > start, isGitSpace(bytes[end - 1]) { end -= 1 }
    return bytes[start..<end]
}

/// git's `unfold_value`: each newline and the whitespace after it become one space.
private func unfolded(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    guard bytes.contains(newline) else { return bytes }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var i = bytes.startIndex
    while i < bytes.endIndex {
        let c = bytes[i]
        i += 1
        if c == newline {
            while i < bytes.endIndex, isGitSpace(bytes[i]) { i += 1 }
            out.append(0x20)
        } else {
            out.append(c)
        }
    }
    return trimmed(out[...])
}
