import Clibgit2

/// Walks the commits reachable from some tips and not from others, newest first,
/// one at a time: nothing is loaded ahead of the caller.
///
/// With nothing hidden, the walk is git's own default order, done here: the newest
/// commit by committer date is taken from a queue, given out, and its parents not seen
/// before are queued by date (after those with the same date), so commits stream from
/// the first. Its commits are read with the repository's pack reader, so libgit2 touches
/// no pack. With hidden commits, libgit2 limits the walk first (everything reachable from
/// a hidden commit is left out, whatever its date) and sorts the rest by time.
public final class RevisionWalk {
    private enum Source {
        case libgit2(OpaquePointer)
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
        var handle: OpaquePointer?
        try git("start a revision walk") { git_revwalk_new(&handle, repository.pointer) }
        source = .libgit2(handle!)
        try git("sort a revision walk") { git_revwalk_sorting(handle, GIT_SORT_TIME.rawValue) }
        for tip in tips {
            var oid = tip.oid
            try git("walk from \(tip)") { git_revwalk_push(handle, &oid) }
        }
        for hidden in hiding {
            var oid = hidden.oid
            try git("hide \(hidden)") { git_revwalk_hide(handle, &oid) }
        }
        for glob in hidingGlobs {
            try git("hide \(glob)") { git_revwalk_hide_glob(handle, glob) }
        }
    }

    deinit {
        if case .libgit2(let pointer) = source {
            git_revwalk_free(pointer)
        }
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
        case .libgit2(let pointer):
            var oid = git_oid()
            let result = git_revwalk_next(&oid, pointer)
            if result == GIT_ITEROVER.rawValue {
                git_error_clear()
                return nil
            }
            try git("walk commits") { result }
            return WalkStep(id: ObjectID(oid), commit: nil)
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

/// Commits waiting to be given out: the newest committer date first, and among equal dates
/// the first queued first (git's `commit_list_insert_by_date`), in a binary heap.
private final class DatedQueue {
    private struct Waiting {
        var date: Int64
        var order: Int
        var commit: CommitObject

        func comesBefore(_ other: Waiting) -> Bool {
            date != other.date ? date > other.date : order < other.order
        }
    }

    private var heap = [Waiting]()
    private var seen = Set<ObjectID>()
    /// The trees of commits queued and not yet given out, for their children given out
    /// after them.
    private var trees = [ObjectID: ObjectID]()
    private var queued = 0

    /// Queues a commit not seen before, reading it.
    func add(_ id: ObjectID, from repository: Repository) throws(GitError) {
        guard seen.insert(id).inserted else { return }
        let (date, commit) = try repository.datedCommit(id)
        trees[id] = commit.tree
        heap.append(Waiting(date: date, order: queued, commit: commit))
        queued += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].comesBefore(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Gives out the first commit and queues its parents; the commit carries the trees of
    /// those parents the walk has read and not given out.
    func next(from repository: Repository) throws(GitError) -> CommitObject? {
        guard var first = heap.first?.commit else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var best = parent
                if left < heap.count, heap[left].comesBefore(heap[best]) { best = left }
                if right < heap.count, heap[right].comesBefore(heap[best]) { best = right }
                guard best != parent else { break }
                heap.swapAt(parent, best)
                parent = best
            }
        }
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
        let raw = try rawObject(id, .commit)
        if let (tree, parents) = CommitInfo.treeAndParents(raw), let date = CommitInfo.committerDate(raw) {
            return (date, CommitObject(id: id, tree: tree, parents: parents, raw: raw, parsed: nil))
        }
        let info = try parsedByLibgit2(id)
        return (info.committer.time, CommitObject(id: id, tree: info.tree, parents: info.parents, raw: nil, parsed: info))
    }
}

extension Repository {
    /// The commits reachable from `tips` and from none of `hiding` or of the refs
    /// matching `hidingGlobs` (`refs/remotes/*`). Every hidden id must exist.
    public func walk(from tips: [ObjectID], hiding: [ObjectID] = [], hidingGlobs: [String] = []) throws(GitError) -> RevisionWalk {
        try RevisionWalk(repository: self, tips: tips, hiding: hiding, hidingGlobs: hidingGlobs)
    }
}
