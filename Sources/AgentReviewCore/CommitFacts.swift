/// What the git layer found out about one commit: plain values, no git handles.
public struct CommitFacts: Sendable, Hashable {
    /// 40 hex digits.
    public var id: String
    public var parents: [String]
    /// The commit's tree, 40 hex digits: what gate attestations bind to.
    public var tree: String
    public var author: Identity
    public var committer: Identity
    /// Seconds since the epoch.
    public var authorTime: Int64
    /// The committer date, seconds since the epoch; nil when not read. An approval or
    /// rejection of this commit dated before it does not count.
    public var committerTime: Int64?
    public var subject: String
    public var trailers: [Trailer]
    /// The paths this commit introduces (for a merge: those that differ from every parent).
    public var changes: [PathChange]
    /// What the commit's own signature says about who made it; nil when not checked (it is
    /// checked only for `unsigned_is_agent`, and only when nothing else attributes the commit).
    public var signature: CommitSignatureCheck?
    /// The commit's git-ai note in `refs/notes/ai`, as read; nil when not read (it is read
    /// only with `agents.notes: true`).
    public var authorshipNote: AuthorshipNote.Reading?

    public init(
        id: String, parents: [String] = [], tree: String = "", author: Identity, committer: Identity, authorTime: Int64 = 0,
        committerTime: Int64? = nil, subject: String, trailers: [Trailer] = [], changes: [PathChange] = [],
        signature: CommitSignatureCheck? = nil, authorshipNote: AuthorshipNote.Reading? = nil
    ) {
        self.id = id
        self.parents = parents
        self.tree = tree
        self.author = author
        self.committer = committer
        self.authorTime = authorTime
        self.committerTime = committerTime
        self.subject = subject
        self.trailers = trailers
        self.changes = changes
        self.signature = signature
        self.authorshipNote = authorshipNote
    }

    public var shortID: String { String(id.prefix(12)) }
    public var isMerge: Bool { parents.count > 1 }
}

/// A commit's own signature, as git reads it from the commit object: the value of the
/// `gpgsig` header (continuation lines joined), and the bytes it signs (the object without
/// that header).
public struct CommitSignature: Sendable, Hashable {
    /// What kind of signature the header holds, from its first line as git tells them apart.
    public enum Format: String, Sendable, Hashable {
        /// `-----BEGIN SSH SIGNATURE-----` (`gpg.format ssh`).
        case ssh
        /// `-----BEGIN PGP SIGNATURE-----` or `-----BEGIN PGP MESSAGE-----` (`gpg.format openpgp`).
        case openpgp
        /// `-----BEGIN SIGNED MESSAGE-----` (`gpg.format x509`, gpgsm).
        case x509
        /// Anything else.
        case unknown
    }

    /// What a commit object holds.
    public enum Extraction: Sendable, Hashable {
        /// No `gpgsig` header.
        case unsigned
        case signed(CommitSignature)
        /// A signature of this many bytes, over the limit: not kept.
        case tooLarge(bytes: Int)
    }

    /// The header's value: its first line after `gpgsig `, then each continuation line
    /// without its leading space, each with its newline.
    public var signature: [UInt8]
    /// The commit object without the signature header and its continuation lines.
    public var payload: [UInt8]

    public init(signature: [UInt8], payload: [UInt8]) {
        self.signature = signature
        self.payload = payload
    }

    public var format: Format {
        for (prefix, format) in Self.formats where signature.starts(with: prefix) { return format }
        return .unknown
    }

    private static let formats: [([UInt8], Format)] = [
        (Array("-----BEGIN SSH SIGNATURE-----".utf8), .ssh),
        (Array("-----BEGIN PGP SIGNATURE-----".utf8), .openpgp),
        (Array("-----BEGIN PGP MESSAGE-----".utf8), .openpgp),
        (Array("-----BEGIN SIGNED MESSAGE-----".utf8), .x509),
    ]

    /// The header that holds the signature in a SHA-1 repository (a SHA-256 one uses
    /// `gpgsig-sha256`, which here is another header).
    static let header = Array("gpgsig".utf8)

    /// Reads a commit object's signature as git's `parse_buffer_signed_by_header` does (for
    /// SHA-1 objects): among the headers, a line `gpgsig VALUE` starts the signature and each
    /// following line that starts with a space continues it (the space dropped); a second
    /// `gpgsig` header adds to it. Other headers whose name starts with `gpgsig` (as
    /// `gpgsig-sha256`), with their continuation lines, belong to neither the signature nor
    /// the payload. Everything else, up to and including the blank line and the whole
    /// message after it, is the payload. Reading stops at a line that starts with a NUL byte,
    /// as git's does.
    ///
    /// - Parameter maxBytes: the signature's largest size; past it only its size is known.
    public static func extract(from raw: [UInt8], maxBytes: Int = Limits.commitSignatureBytes) -> Extraction {
        let newline = UInt8(ascii: "\n"), space = UInt8(ascii: " ")
        let tail = raw.count
        var payload = [UInt8]()
        var signature = [UInt8]()
        var signatureBytes = 0
        var sawSignature = false, inSignature = false, otherSignature = false
        var line = 0
        while line < tail {
            var next = (raw[line...].firstIndex(of: newline) ?? tail - 1) + 1
            var value: Int?
            let isHeader = raw[line...].starts(with: header)
            if inSignature && raw[line] == space {
                value = line + 1
            } else if isHeader, line + header.count < tail, raw[line + header.count] == space {
                value = line + header.count + 1
                otherSignature = false
            } else if isHeader {
                otherSignature = true
            } else if otherSignature && raw[line] != space {
                otherSignature = false
            }
            if let value {
                signatureBytes += next - value
                if signatureBytes <= maxBytes { signature += raw[value..<next] }
                sawSignature = true
                inSignature = true
            } else {
                // The blank line ends the headers: the rest is the message, all payload.
                if raw[line] == newline { next = tail }
                if !otherSignature { payload += raw[line..<next] }
                inSignature = false
            }
            line = next < tail && raw[next] != 0 ? next : tail
        }
        guard sawSignature else { return .unsigned }
        guard signatureBytes <= maxBytes else { return .tooLarge(bytes: signatureBytes) }
        return .signed(CommitSignature(signature: signature, payload: payload))
    }
}

/// A git file mode.
public struct FileMode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let absent = FileMode(rawValue: 0)
    public static let directory = FileMode(rawValue: 0o040000)
    public static let regular = FileMode(rawValue: 0o100644)
    public static let executable = FileMode(rawValue: 0o100755)
    public static let symlink = FileMode(rawValue: 0o120000)
    public static let gitlink = FileMode(rawValue: 0o160000)

    public var description: String { String(rawValue, radix: 8) }
}

/// One path a commit touches.
public struct PathChange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case added, deleted, modified, typeChange = "type-change"
        /// Only from rename detection, which runs only where a task contract asks (see
        /// `TaskContract`): `oldPath` moved to `newPath`, maybe with edits.
        case renamed
    }

    public var kind: Kind
    /// The path before and after; equal unless renamed (renames arrive as a deletion and
    /// an addition, unless rename detection ran for a task contract).
    public var oldPath: GitPath
    public var newPath: GitPath
    public var oldMode: FileMode
    public var newMode: FileMode
    /// Only when the policy asks for contents.
    public var isBinary: Bool?
    /// Only when the policy asks for contents: lines added plus deleted.
    public var changedLines: Int?

    public init(
        kind: Kind, oldPath: GitPath, newPath: GitPath, oldMode: FileMode, newMode: FileMode,
        isBinary: Bool? = nil, changedLines: Int? = nil
    ) {
        self.kind = kind
        self.oldPath = oldPath
        self.newPath = newPath
        self.oldMode = oldMode
        self.newMode = newMode
        self.isBinary = isBinary
        self.changedLines = changedLines
    }

    /// A change at one path.
    public init(_ kind: Kind, _ path: String, from oldMode: FileMode = .absent, to newMode: FileMode = .regular) {
        self.init(kind: kind, oldPath: GitPath(path), newPath: GitPath(path), oldMode: oldMode, newMode: newMode)
    }

    /// The distinct paths this change touches: both sides when they differ.
    public var paths: [GitPath] { oldPath == newPath || oldPath.bytes.isEmpty ? [newPath] : newPath.bytes.isEmpty ? [oldPath] : [oldPath, newPath] }
}

/// The rule for what a merge introduces, over full diffs against each parent. The judging
/// path finds the same with one diff (`Repository.mergeChanges`, which looks the first
/// diff's paths up in the other parents); `MergeChangesTests` checks the two agree.
public enum MergeChanges {
    /// What a merge introduces: the changes against its first parent at the paths that
    /// differ from every parent. A clean merge of reviewed work introduces nothing; a
    /// conflict resolution (content in neither parent) is introduced.
    /// - Parameter perParent: the changes against each parent, first parent first.
    public static func introduced(_ perParent: [[PathChange]]) -> [PathChange] {
        guard let first = perParent.first else { return [] }
        return introducedIndices(perParent).map { first[$0] }
    }

    /// The indices, in the changes against the first parent, of what the merge introduces
    /// (`introduced(_:)`).
    public static func introducedIndices(_ perParent: [[PathChange]]) -> [Int] {
        guard let first = perParent.first else { return [] }
        guard perParent.count > 1 else { return Array(first.indices) }
        var common = Set(first.flatMap(\.paths))
        for changes in perParent.dropFirst() {
            common.formIntersection(changes.flatMap(\.paths))
        }
        return first.indices.filter { first[$0].paths.contains { common.contains($0) } }
    }
}
