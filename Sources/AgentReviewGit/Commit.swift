import Clibgit2

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

    /// The first line of the message.
    public var subject: String {
        let trimmed = message.drop { $0 == "\n" }
        return String(trimmed.prefix { $0 != "\n" })
    }
}
