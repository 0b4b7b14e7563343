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

    public init(
        id: String, parents: [String] = [], tree: String = "", author: Identity, committer: Identity, authorTime: Int64 = 0,
        committerTime: Int64? = nil, subject: String, trailers: [Trailer] = [], changes: [PathChange] = []
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
    }

    public var shortID: String { String(id.prefix(12)) }
    public var isMerge: Bool { parents.count > 1 }
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
    }

    public var kind: Kind
    /// The path before and after; equal unless renamed (renames arrive as a deletion
    /// and an addition, so in practice they are equal).
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

public enum MergeChanges {
    /// What a merge introduces: the changes against its first parent at the paths that
    /// differ from every parent. A clean merge of reviewed work introduces nothing; a
    /// conflict resolution (content in neither parent) is introduced.
    /// - Parameter perParent: the changes against each parent, first parent first.
    public static func introduced(_ perParent: [[PathChange]]) -> [PathChange] {
        guard let first = perParent.first else { return [] }
        guard perParent.count > 1 else { return first }
        var common = Set(first.flatMap(\.paths))
        for changes in perParent.dropFirst() {
            common.formIntersection(changes.flatMap(\.paths))
        }
        return first.filter { change in change.paths.contains { common.contains($0) } }
    }
}
