internal import Clibgit2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who made a commit and when.
public struct Signature: Sendable, Hashable {
    public var name: String
    public var email: String
    /// Seconds since the epoch.
    public var time: Int64
    /// Offset from UTC in minutes.
    public var offset: Int32

    public init(name: String, email: String, time: Int64, offset: Int32) {
        self.name = name
        self.email = email
        self.time = time
        self.offset = offset
    }

    init(_ signature: UnsafePointer<git_signature>?) {
        guard let signature else {
            self.init(name: "", email: "", time: 0, offset: 0)
            return
        }
        self.init(
            name: signature.pointee.name.map { decodeLossy($0) } ?? "",
            email: signature.pointee.email.map { decodeLossy($0) } ?? "",
            time: signature.pointee.when.time,
            offset: signature.pointee.when.offset
        )
    }
}

/// A commit's header and message, as plain values.
public struct CommitInfo: Sendable, Hashable {
    public var id: ObjectID
    public var tree: ObjectID
    public var parents: [ObjectID]
    public var author: Signature
    public var committer: Signature
    /// The full message; bytes that are not UTF-8 are replaced.
    public var message: String

    public init(id: ObjectID, tree: ObjectID, parents: [ObjectID], author: Signature, committer: Signature, message: String) {
        self.id = id
        self.tree = tree
        self.parents = parents
        self.author = author
        self.committer = committer
        self.message = message
    }

    /// The first line of the message, after any leading LFs: up to the first LF that is a
    /// character of its own. As characters, a CR and the LF after it are one (`\r\n`), not
    /// an LF, so such an LF does not end the line. Scanned as bytes: walking the message by
    /// characters was 4% of judging Aider's history.
    public var subject: String {
        message.utf8.withContiguousStorageIfAvailable { Self.firstLine($0) } ?? Self.firstLine(Array(message.utf8))
    }

    private static func firstLine(_ bytes: some Collection<UInt8>) -> String {
        let start = bytes.firstIndex { $0 != UInt8(ascii: "\n") } ?? bytes.endIndex
        var end = start
        var previous: UInt8 = 0
        while end != bytes.endIndex, bytes[end] != UInt8(ascii: "\n") || previous == UInt8(ascii: "\r") {
            previous = bytes[end]
            end = bytes.index(after: end)
        }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}

/// A commit read but not yet parsed past its tree and parents: what a thread that only
/// diffs needs, handed on to the thread that judges.
public struct CommitObject: Sendable {
    public let id: ObjectID
    public let tree: ObjectID
    public let parents: [ObjectID]
    let raw: [UInt8]?
    /// Set when libgit2 parsed it (a commit not in the usual form): boxed, since a commit is
    /// moved along the whole pipeline, and this is most of its size (240 bytes inline, 80 so).
    private let parsedBox: Parsed?
    /// The parents' trees, in parent order, where the reader already knows them (a walk
    /// reads each parent as it queues it); nil where it does not.
    var parentTrees: [ObjectID?]

    var parsed: CommitInfo? { parsedBox?.info }

    init(id: ObjectID, tree: ObjectID, parents: [ObjectID], raw: [UInt8]?, parsed: CommitInfo?) {
        self.id = id
        self.tree = tree
        self.parents = parents
        self.raw = raw
        parsedBox = parsed.map(Parsed.init)
        // Made by `map`, whose allocation is specialized: `Array(repeating:count:)` looks the
        // array's type up at run time (see `ObjectBuffer`), about 900 instructions a commit.
        parentTrees = parents.map { _ in nil }
    }

    private final class Parsed: Sendable {
        let info: CommitInfo
        init(_ info: CommitInfo) { self.info = info }
    }
}

extension CommitInfo {
    /// The `tree` line and the `parent` lines that open a commit; nil when it does not open so.
    static func treeAndParents(_ raw: [UInt8]) -> (ObjectID, [ObjectID])? {
        var position = 0
        func id(after key: [UInt8]) -> ObjectID? {
            let end = position + key.count + 40
            guard end < raw.count, raw[position..<(position + key.count)].elementsEqual(key), raw[end] == UInt8(ascii: "\n"),
                  let id = ObjectID(hexBytes: raw[(position + key.count)..<end])
            else { return nil }
            position = end + 1
            return id
        }
        guard let tree = id(after: HeaderBytes.tree) else { return nil }
        var parents = [ObjectID]()
        while let parent = id(after: HeaderBytes.parent) { parents.append(parent) }
        return (tree, parents)
    }

    /// Header keys as bytes, made once.
    private enum HeaderBytes {
        static let tree = Array("tree ".utf8)
        static let parent = Array("parent ".utf8)
        static let committer = Array("committer ".utf8)
    }

    /// The seconds of the `committer` header line, which must read `… <EMAIL> SECONDS ±HHMM`;
    /// nil when there is no such line before the message.
    static func committerDate(_ raw: [UInt8]) -> Int64? {
        var position = 0
        let key = HeaderBytes.committer
        while position < raw.count {
            guard let end = raw.index(of: UInt8(ascii: "\n"), from: position) else { return nil }
            let line = raw[position..<end]
            if line.isEmpty { return nil }
            if line.starts(with: key) {
                return Signature.strictParts(line[(position + key.count)...])?.time
            }
            position = end + 1
        }
        return nil
    }

    /// What `git fsck` would report about the order of a commit's headers, or nil when
    /// they are in git's order: one `tree`, any `parent`s, one `author`, one `committer`,
    /// then other headers (`encoding`, `gpgsig` and its continuation lines, …) up to the
    /// blank line. Readers disagree on a commit with two `author` lines (git shows the last,
    /// libgit2 and this parser read the first), so such a commit, and one with a second
    /// `committer` or `tree`, or a `parent` out of place, is refused rather than read either
    /// way. The problems are named as `git fsck` names them where it checks them.
    static func headerProblem(_ raw: [UInt8]) -> String? {
        enum Stage { case start, tree, author, committer }
        let missingTree = "missingTree: the commit does not open with a tree line"
        let missingAuthor = "missingAuthor: no author line after the tree and parents"
        let missingCommitter = "missingCommitter: no committer line after the author"
        var stage = Stage.start
        var position = 0
        while position < raw.count {
            let end = raw.index(of: UInt8(ascii: "\n"), from: position) ?? raw.count
            let line = raw[position..<end]
            position = end + 1
            if line.isEmpty { break }
            switch (HeaderKey(line), stage) {
            case (.tree, .start): stage = .tree
            case (_, .start): return missingTree
            case (.tree, _): return "multipleTrees: more than one tree line"
            case (.parent, .tree): break
            case (.parent, _): return "badHeaderOrder: a parent line after the author"
            case (.author, .tree): stage = .author
            case (.author, _): return "multipleAuthors: more than one author line"
            case (.committer, .author): stage = .committer
            case (.committer, .committer): return "multipleCommitters: more than one committer line"
            case (_, .tree): return missingAuthor
            case (_, .author): return missingCommitter
            case (_, .committer): break
            }
        }
        switch stage {
        case .start: return missingTree
        case .tree: return missingAuthor
        case .author: return missingCommitter
        case .committer: return nil
        }
    }

    /// The four headers whose order git checks, read from a header line's first word; a
    /// continuation line (it starts with a space) and any other header are `other`.
    private enum HeaderKey {
        case tree, parent, author, committer, other

        init(_ line: ArraySlice<UInt8>) {
            for (name, key) in Self.names where line.starts(with: name) {
                let next = line.startIndex + name.count
                if next == line.endIndex || line[next] == UInt8(ascii: " ") {
                    self = key
                    return
                }
            }
            self = .other
        }

        private static let names: [([UInt8], HeaderKey)] = [
            (Array("tree".utf8), .tree), (Array("parent".utf8), .parent),
            (Array("author".utf8), .author), (Array("committer".utf8), .committer),
        ]
    }

    /// Parses a commit's bytes when they have the usual form, which libgit2 would parse to
    /// the same values: `tree`, any `parent`s, `author` and `committer` lines of the form
    /// `NAME <EMAIL> SECONDS ±HHMM` (no stray spaces or angle brackets, a zone libgit2
    /// keeps), any other headers, a blank line, the message (leading newlines dropped, as
    /// `git_commit_message` does). nil for anything else, including a NUL byte anywhere:
    /// the caller then asks libgit2, whose reading of odd commits is the reference.
    init?(id: ObjectID, raw: [UInt8]) {
        guard raw.index(of: 0, from: 0) == nil else { return nil }
        var position = 0
        func line() -> ArraySlice<UInt8>? {
            guard position < raw.count, let end = raw.index(of: UInt8(ascii: "\n"), from: position) else { return nil }
            defer { position = end + 1 }
            return raw[position..<end]
        }
        func field(_ line: ArraySlice<UInt8>?, _ name: StaticString) -> ArraySlice<UInt8>? {
            guard let line else { return nil }
            let length = name.utf8CodeUnitCount
            guard line.count > length, line[line.startIndex + length] == UInt8(ascii: " "),
                  line.withUnsafeBufferPointer({ memcmp($0.baseAddress!, name.utf8Start, length) == 0 })
            else { return nil }
            return line[(line.startIndex + length + 1)...]
        }
        func objectID(_ text: ArraySlice<UInt8>?) -> ObjectID? {
            guard let text else { return nil }
            return ObjectID(hexBytes: text)
        }
        guard let tree = objectID(field(line(), "tree")) else { return nil }
        var parents = [ObjectID]()
        var next = line()
        while let value = field(next, "parent") {
            guard let parent = objectID(value) else { return nil }
            parents.append(parent)
            next = line()
        }
        guard let authorText = field(next, "author"), let author = Signature(strict: authorText),
              let committerText = field(line(), "committer"), let committer = Signature(strict: committerText)
        else { return nil }
        // Other headers (encoding, gpgsig and its continuation lines, …) up to the blank line;
        // none may be a second tree, parent, author or committer (see `headerProblem(_:)`).
        while true {
            guard let header = line() else { return nil }
            if header.isEmpty { break }
            if case .other = HeaderKey(header) {} else { return nil }
        }
        var start = position
        while start < raw.count, raw[start] == UInt8(ascii: "\n") { start += 1 }
        self.init(
            id: id, tree: tree, parents: parents, author: author, committer: committer,
            message: String(decoding: raw[start...], as: UTF8.self))
    }
}

extension Signature {
    /// `NAME <EMAIL> SECONDS ±HHMM` with a name and an email that need no trimming; nil
    /// for any other form.
    init?(strict text: ArraySlice<UInt8>) {
        guard let parts = Self.strictParts(text) else { return nil }
        self.init(
            name: String(decoding: text[parts.name], as: UTF8.self), email: String(decoding: text[parts.email], as: UTF8.self),
            time: parts.time, offset: parts.offset)
    }

    /// Where `init(strict:)` finds the name and the email in `text`, and the time and
    /// offset it reads; nil where it takes nothing. (The walk needs only the time.)
    static func strictParts(_ text: ArraySlice<UInt8>) -> (name: Range<Int>, email: Range<Int>, time: Int64, offset: Int32)? {
        // In place, the brackets found with memchr (the slice's own operations checked each
        // index and went over the line three times: 2.7% of the instructions judging a history).
        let parts = text.withUnsafeBufferPointer { bytes -> (name: Int, email: Range<Int>, time: Int64, offset: Int32)? in
            let open = UInt8(ascii: "<"), close = UInt8(ascii: ">"), space = UInt8(ascii: " ")
            func isSpace(_ byte: UInt8) -> Bool { byte == space || (byte >= 9 && byte <= 13) }
            func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
            // Exactly one "<" and one ">", in that order.
            guard let lt = bytes.index(of: open, from: 0), let gt = bytes.index(of: close, from: 0), lt < gt,
                  bytes.index(of: open, from: lt + 1) == nil, bytes.index(of: close, from: gt + 1) == nil,
                  lt > 1, bytes[lt - 1] == space
            else { return nil }
            // The name before " <", the email between the brackets: neither starts or ends in a space.
            let nameEnd = lt - 1
            guard !isSpace(bytes[0]), !isSpace(bytes[nameEnd - 1]) else { return nil }
            guard gt == lt + 1 || (!isSpace(bytes[lt + 1]) && !isSpace(bytes[gt - 1])) else { return nil }
            // " SECONDS ±HHMM" and nothing more.
            var at = gt + 1
            guard bytes.count - at >= 8, bytes[at] == space else { return nil }
            at += 1
            var time: Int64 = 0
            let digitsStart = at
            while at < bytes.count, bytes[at] != space {
                guard isDigit(bytes[at]), at - digitsStart < 18 else { return nil }
                time = time * 10 + Int64(bytes[at] &- UInt8(ascii: "0"))
                at += 1
            }
            guard at > digitsStart, bytes.count - at == 6 else { return nil }
            let sign = bytes[at + 1]
            guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
                  isDigit(bytes[at + 2]), isDigit(bytes[at + 3]), isDigit(bytes[at + 4]), isDigit(bytes[at + 5])
            else { return nil }
            func digit(_ offset: Int) -> Int32 { Int32(bytes[at + offset] &- UInt8(ascii: "0")) }
            let hours = digit(2) * 10 + digit(3), minutes = digit(4) * 10 + digit(5)
            guard hours <= 14, minutes <= 59 else { return nil }
            return (nameEnd, (lt + 1)..<gt, time, (hours * 60 + minutes) * (sign == UInt8(ascii: "-") ? -1 : 1))
        }
        guard let parts else { return nil }
        let base = text.startIndex
        return (base..<(base + parts.name), (base + parts.email.lowerBound)..<(base + parts.email.upperBound), parts.time, parts.offset)
    }
}

extension Repository {
    /// A commit as `commit(_:)` reads it, once its headers are checked to be in git's
    /// order (`CommitInfo.headerProblem(_:)`): what attribution must rely on, since a
    /// commit with two `author` lines is read as one author here and shown as the other
    /// by git. Any other form throws a `GitError` naming the commit and the problem,
    /// whether the commit would be parsed here or by libgit2.
    public func checkedCommit(_ object: CommitObject) throws(GitError) -> CommitInfo {
        let raw: [UInt8]
        if let read = object.raw {
            raw = read
        } else {
            raw = try rawObject(object.id, .commit)
        }
        try Self.checkHeaders(of: object.id, raw: raw)
        return try commit(object)
    }

    /// The commit object's bytes as stored (what its id hashes, without git's object
    /// header): as the walk read them, or read now. For reading what libgit2 does not parse,
    /// such as the `gpgsig` header and the bytes it signs.
    public func rawCommit(_ object: CommitObject) throws(GitError) -> [UInt8] {
        if let raw = object.raw { return raw }
        return try rawObject(object.id, .commit)
    }

    /// `checkedCommit(_:)` of the commit with this id; its headers are checked before any
    /// parser reads it. `commit(_ id:)` is this.
    public func checkedCommit(_ id: ObjectID) throws(GitError) -> CommitInfo {
        let raw = try rawObject(id, .commit)
        try Self.checkHeaders(of: id, raw: raw)
        return try commit(try commitObject(id))
    }


    private static func checkHeaders(of id: ObjectID, raw: [UInt8]) throws(GitError) {
        if let problem = CommitInfo.headerProblem(raw) {
            throw GitError(code: .other(-1), operation: "read commit \(id)", message: "malformed commit headers (as git fsck reports them): \(problem)")
        }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Where `byte` first is at or after `start` (memchr).
    func index(of byte: UInt8, from start: Int) -> Int? {
        guard start < count, let base = baseAddress, let found = memchr(base + start, Int32(byte), count - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}

extension [UInt8] {
    /// Where `byte` first is at or after `start` (memchr).
    func index(of byte: UInt8, from start: Int) -> Int? {
        withUnsafeBufferPointer { $0.index(of: byte, from: start) }
    }
}
