/// The commits reachable from some tips and from no hidden commit, in git's order for a
/// limited walk (`git rev-list TIPS --not HIDDEN`): git's `limit_list`, done here.
///
/// Commits are taken newest committer date first (ties first-queued) from one queue that
/// holds tips and hidden commits alike. A hidden commit marks its parents hidden, and every
/// ancestor already read, so a commit first reached from a tip can still be hidden later
/// through another path. The queue is read until nothing in it can reach a shown commit:
/// every queued commit is hidden and older than the last one shown, for five commits in a
/// row (git's slop, for clocks that went backwards). Then the commits taken, less those
/// hidden since, are given out in the order they were taken.
final class LimitedWalk {
    private struct Node {
        /// nil until the commit is read.
        var parents: [ObjectID]?
        var date: Int64 = 0
        var tree: ObjectID = .zero
        var hidden = false
        /// Queued once, ever (git's SEEN): never queued again, even after it is taken.
        var seen = false
        /// In the queue now: queued and not yet taken. Only these count in `shownQueued`.
        var inQueue = false
    }

    private var nodes = [ObjectID: Node]()
    private var queue = DateQueue<ObjectID>()
    /// Commits in the queue now (not yet taken) and not hidden: while there are any, the
    /// walk goes on (git's `everybody_uninteresting` over the queue). A commit already taken
    /// and hidden later is not in the queue and must not be subtracted again: that would
    /// end the walk with a shown commit still waiting, and leave it out.
    private var shownQueued = 0
    private var result = [ObjectID]()
    private var position = 0
    private static let slop = 5

    init(tips: [ObjectID], hidden: [ObjectID], repository: Repository) throws(GitError) {
        for id in hidden {
            nodes[id, default: Node()].hidden = true
        }
        for id in hidden {
            try read(id, from: repository)
            markAncestorsHidden(of: id)
        }
        for id in tips + hidden {
            try read(id, from: repository)
            enqueue(id)
        }
        try limit(repository)
        result.removeAll { nodes[$0]?.hidden ?? true }
    }

    /// The next commit given out, with its parents' trees where they were read.
    func next(from repository: Repository) throws(GitError) -> CommitObject? {
        guard position < result.count else { return nil }
        let id = result[position]
        position += 1
        var commit = try repository.commitObject(id)
        commit.parentTrees = commit.parents.map { nodes[$0]?.parents != nil ? nodes[$0]?.tree : nil }
        return commit
    }

    private func limit(_ repository: Repository) throws(GitError) {
        var slop = Self.slop
        var date = Int64.max
        while let id = pop() {
            let node = nodes[id]!
            for parent in node.parents ?? [] {
                if node.hidden { hide(parent) }
                try read(parent, from: repository)
                if node.hidden { markAncestorsHidden(of: parent) }
                enqueue(parent)
            }
            if node.hidden {
                markAncestorsHidden(of: id)
                slop = stillShowing(date: date, slop: slop)
                if slop > 0 { continue }
                // The walk stops only when nothing queued can be shown: checked, not trusted
                // to the count, since a shown commit left in the queue would go unjudged.
                if let left = queue.values.first(where: { !nodes[$0]!.hidden }) {
                    throw GitError(
                        code: .other(-1), operation: "revision walk",
                        message: "the walk would stop with \(left.hex) still to be shown")
                }
                break
            }
            date = node.date
            result.append(id)
        }
    }

    /// git's `still_interesting`: the slop left, 0 when the walk can stop.
    private func stillShowing(date: Int64, slop: Int) -> Int {
        guard let first = queue.firstDate else { return 0 }
        if date <= first { return Self.slop }
        if shownQueued > 0 { return Self.slop }
        return slop - 1
    }

    /// Marks hidden the parents of `id` and, through those already read, their ancestors.
    private func markAncestorsHidden(of id: ObjectID) {
        var pending = nodes[id]?.parents ?? []
        while let next = pending.popLast() {
            guard hide(next) else { continue }
            pending.append(contentsOf: nodes[next]?.parents ?? [])
        }
    }

    /// Marks one commit hidden; false when it already was.
    @discardableResult
    private func hide(_ id: ObjectID) -> Bool {
        var node = nodes[id, default: Node()]
        guard !node.hidden else { return false }
        node.hidden = true
        if node.inQueue { shownQueued -= 1 }
        assert(shownQueued >= 0, "more shown commits taken from the queue than put in")
        nodes[id] = node
        return true
    }

    /// Reads a commit's date, tree and parents, once.
    private func read(_ id: ObjectID, from repository: Repository) throws(GitError) {
        guard nodes[id]?.parents == nil else { return }
        let (date, commit) = try repository.datedCommit(id)
        var node = nodes[id, default: Node()]
        node.parents = commit.parents
        node.date = date
        node.tree = commit.tree
        nodes[id] = node
    }

    /// Queues a commit not queued before (git's SEEN).
    private func enqueue(_ id: ObjectID) {
        guard var node = nodes[id], !node.seen else { return }
        node.seen = true
        node.inQueue = true
        nodes[id] = node
        if !node.hidden { shownQueued += 1 }
        queue.push(id, date: node.date)
    }

    private func pop() -> ObjectID? {
        guard let id = queue.pop() else { return nil }
        nodes[id]!.inQueue = false
        if !nodes[id]!.hidden { shownQueued -= 1 }
        assert(shownQueued >= 0, "more shown commits taken from the queue than put in")
        return id
    }
}
