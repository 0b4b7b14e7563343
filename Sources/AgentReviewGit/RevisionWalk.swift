/// Walks the commits reachable from some tips and not from others, newest first,
/// one at a time: nothing is loaded ahead of the caller.
///
/// Both ways are git's own order, done here with commits read by the repository's pack
/// reader, so libgit2 touches no pack. With nothing hidden, the newest commit by committer
/// date is taken from a queue, given out, and its parents not seen before are queued by
/// date (after those with the same date), so commits stream from the first. With hidden
/// commits, the walk is limited first (`LimitedWalk`): whatever a hidden commit reaches is
/// left out, whatever its date.
public final class RevisionWalk {
    private enum Source {
        case limited(LimitedWalk)
        case dated(DatedQueue)
    }

    private let source: Source
    // Keeps the repository alive as long as the walk that borrows it.
    private let repository: Repository

    init(repository: Repository, tips: [ObjectID], hiding: [ObjectID], hidingGlobs: [String]) throws(GitError) {
        self.repository = repository
        if hiding.isEmpty && hidingGlobs.isEmpty {
            let queue = DatedQueue()
            for tip in tips {
                try queue.add(tip, from: repository)
            }
            source = .dated(queue)
            return
        }
        // The refs a glob names, peeled to commits; others (a tag of a tree, a dangling
        // ref) hide nothing, as with git_revwalk_hide_glob.
        var hidden = hiding
        for glob in hidingGlobs {
            for name in try repository.referenceNames(matching: glob) {
                guard let target = try? repository.referenceTarget(name),
                      let commit = try? repository.peelToCommit(target) else { continue }
                hidden.append(commit)
            }
        }
        source = .limited(try LimitedWalk(tips: tips, hidden: hidden, repository: repository))
    }

    /// The next commit, nil at the end. A failure (a missing or corrupt object) is an
    /// error, never a silent end of the walk.
    public func next() throws(GitError) -> ObjectID? {
        try nextStep()?.id
    }

    /// The next commit, with its object and its parents' trees when the walk read them.
    public func nextStep() throws(GitError) -> WalkStep? {
        switch source {
        case .dated(let queue):
            return try queue.next(from: repository).map { WalkStep(id: $0.id, commit: $0) }
        case .limited(let walk):
            return try walk.next(from: repository).map { WalkStep(id: $0.id, commit: $0) }
        }
    }
}

/// A commit as a walk gives it out: its id, and its object when the walk read it.
public struct WalkStep: Sendable {
    public let id: ObjectID
    public let commit: CommitObject?

    public init(id: ObjectID, commit: CommitObject?) {
        self.id = id
        self.commit = commit
    }
}

/// Values waiting by date: the newest first, and among equal dates the first queued
/// first (git's `commit_list_insert_by_date`), in a binary heap.
struct DateQueue<Value> {
    /// Where each waits in the heap; its value is at the same place in `waiting`, so that
    /// ordering moves keys and never copies a value (a copy retains everything in it).
    private struct Key {
        var date: Int64
        var order: Int

        func comesBefore(_ other: Key) -> Bool {
            date != other.date ? date > other.date : order < other.order
        }
    }

    private var keys = [Key]()
    private var waiting = [Value]()
    private var queued = 0

    /// The date of the first, nil when empty.
    var firstDate: Int64? { keys.first?.date }

    /// Every value waiting, in no particular order.
    var values: some Sequence<Value> { waiting }

    mutating func push(_ value: consuming Value, date: Int64) {
        keys.append(Key(date: date, order: queued))
        waiting.append(value)
        queued += 1
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard keys[child].comesBefore(keys[parent]) else { break }
            swap(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Value? {
        guard !keys.isEmpty else { return nil }
        swap(0, keys.count - 1)
        keys.removeLast()
        let first = waiting.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < keys.count, keys[left].comesBefore(keys[best]) { best = left }
            if right < keys.count, keys[right].comesBefore(keys[best]) { best = right }
            guard best != parent else { break }
            swap(parent, best)
            parent = best
        }
        return first
    }

    private mutating func swap(_ a: Int, _ b: Int) {
        keys.swapAt(a, b)
        // Through the buffer, the values are moved; the array's own swap copies them.
        waiting.withUnsafeMutableBufferPointer { $0.swapAt(a, b) }
    }
}

/// The commits a walk has met. One in a pack the repository's pack reader reads is a bit
/// at its place in that pack's index (a pack of a million objects: 122 KiB); any other
/// (loose, in a push's quarantine) is kept by id. A set of ids was the walk's largest
/// allocation: 19 MB at 200,000 commits, growing with history.
struct SeenCommits {
    /// Per pack, allocated when the pack's first commit is met.
    private var bits: [[UInt64]] = []
    private var others = Set<ObjectID>()

    /// Adds `id`; false when it was met before.
    mutating func insert(_ id: ObjectID, in repository: Repository) -> Bool {
        guard let place = repository.packReader.place(of: id) else { return others.insert(id).inserted }
        if bits.count <= place.pack { bits.append(contentsOf: repeatElement([], count: place.pack + 1 - bits.count)) }
        if bits[place.pack].isEmpty { bits[place.pack] = Array(repeating: 0, count: (place.count + 63) / 64) }
        let word = place.position >> 6, bit = UInt64(1) << UInt64(place.position & 63)
        guard bits[place.pack][word] & bit == 0 else { return false }
        bits[place.pack][word] |= bit
        return true
    }
}

/// Commits waiting to be given out, by date (`DateQueue`).
private final class DatedQueue {
    private var queue = DateQueue<CommitObject>()
    private var seen = SeenCommits()
    /// The trees of commits queued and not yet given out, for their children given out
    /// after them.
    private var trees = [ObjectID: ObjectID]()

    /// Queues a commit not seen before, reading it.
    func add(_ id: ObjectID, from repository: Repository) throws(GitError) {
        guard seen.insert(id, in: repository) else { return }
        let (date, commit) = try repository.datedCommit(id)
        trees[id] = commit.tree
        queue.push(commit, date: date)
    }

    /// Gives out the first commit and queues its parents; the commit carries the trees of
    /// those parents the walk has read and not given out.
    func next(from repository: Repository) throws(GitError) -> CommitObject? {
        guard var first = queue.pop() else { return nil }
        trees[first.id] = nil
        for parent in first.parents {
            try add(parent, from: repository)
        }
        first.parentTrees = first.parents.map { trees[$0] }
        return first
    }
}

extension Repository {
    /// A commit and its committer date (seconds): from its bytes in the usual form, else
    /// as libgit2 parses it.
    func datedCommit(_ id: ObjectID) throws(GitError) -> (Int64, CommitObject) {
        let object = try commitObject(id)
        if let raw = object.raw, let date = CommitInfo.committerDate(raw) {
            return (date, object)
        }
        return (try commit(object).committer.time, object)
    }
}

extension Repository {
    /// The commits reachable from `tips` and from none of `hiding` or of the refs
    /// matching `hidingGlobs` (`refs/remotes/*`). Every hidden id must exist.
    public func walk(from tips: [ObjectID], hiding: [ObjectID] = [], hidingGlobs: [String] = []) throws(GitError) -> RevisionWalk {
        try RevisionWalk(repository: self, tips: tips, hiding: hiding, hidingGlobs: hidingGlobs)
    }
}
