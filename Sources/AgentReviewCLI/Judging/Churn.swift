import AgentReviewCore
import AgentReviewGit

/// Lines rewritten within `days` of their commit (`ChurnFigures`), measured as a walk newest
/// first by committer date passes.
///
/// For each counted non-merge commit C by an agent or a person (bots are left out) whose
/// window has ended (C's committer time + days·86400 ≤ the tip's committer time): N is the
/// first commit on the tip's first-parent chain, from the tip down, whose committer time is
/// within the window; each file C added lines to is blamed at N back to C's first parent,
/// and the lines C added that blame no longer gives to C are rewritten. A commit that N does
/// not contain (a side branch merged after the window ended, or never) is skipped: counted
/// nowhere in the figures (`skipped` says how many). A commit whose window has not ended is
/// `tooRecent`.
///
/// Only the chain commits that can still be some later commit's N are kept: those dated at
/// most `days` after the commit the walk gives now, and below. A commit dated after a
/// dropped chain commit (a clock that went backwards) finds its N by reading the chain
/// again from the tip.
struct ChurnMeter {
    private struct Link {
        var id: ObjectID
        var time: Int64
    }

    let repository: Repository
    let tip: ObjectID
    let days: Int
    private let tipTime: Int64
    private var window: Int64 { Int64(days) * 86400 }
    /// The chain, tip side first, from `head` on.
    private var chain = [Link]()
    private var head = 0
    /// The chain commit after the last in `chain`; nil past a root.
    private var chainNext: ObjectID?
    /// The earliest committer time among the chain commits dropped from the front.
    private var droppedEarliest = Int64.max

    private(set) var agentAdded = 0, agentRewritten = 0
    private(set) var humanAdded = 0, humanRewritten = 0
    private(set) var tooRecent = 0
    /// Files blamed (each file with lines added of each measured commit).
    private(set) var blamed = 0
    /// Commits whose N does not contain them: in no figure.
    private(set) var skipped = 0

    init(repository: Repository, tip: ObjectID, days: Int) throws {
        self.repository = repository
        self.tip = tip
        self.days = days
        tipTime = try repository.commit(tip).committer.time
        chainNext = tip
    }

    /// Every commit the walk gives, in walk order (merges too: they move the first-parent chain).
    mutating func add(
        commit: ObjectID, parents: [ObjectID], committerTime: Int64, author: AuthorKind, counted: Bool,
        added: @autoclosure () throws -> [(path: [UInt8], lines: Int)]
    ) throws {
        if commit == chainNext {
            chain.append(Link(id: commit, time: committerTime))
            chainNext = parents.first
        }
        dropChain(after: committerTime + window)
        guard counted, author != .bot, parents.count <= 1 else { return }
        let end = committerTime + window
        guard end <= tipTime else {
            tooRecent += 1
            return
        }
        // The lines added are read (a diff with contents) only for a commit measured.
        let files = try added().filter { $0.lines > 0 }
        guard !files.isEmpty else { return }
        guard let newest = try chainCommit(atOrBefore: end, containing: commit) else {
            skipped += 1
            return
        }
        var lines = 0, surviving = 0
        for file in files {
            lines += file.lines
            surviving += min(file.lines, try repository.linesAttributed(to: commit, inFile: file.path, at: newest, oldest: parents.first))
            blamed += 1
        }
        if author == .agent {
            agentAdded += lines
            agentRewritten += lines - surviving
        } else {
            humanAdded += lines
            humanRewritten += lines - surviving
        }
    }

    func figures() -> ChurnFigures {
        ChurnFigures(
            days: days, agent: Ratio(agentRewritten, of: agentAdded), human: Ratio(humanRewritten, of: humanAdded),
            tooRecent: tooRecent, skipped: skipped, blamed: blamed)
    }

    /// Drops the chain commits at the front dated after `latest`: no commit given from now on
    /// (dated at most the one given now, unless a clock went backwards) can end its window later.
    private mutating func dropChain(after latest: Int64) {
        while head < chain.count, chain[head].time > latest {
            droppedEarliest = min(droppedEarliest, chain[head].time)
            head += 1
        }
        if head > 256, head * 2 > chain.count {
            chain.removeFirst(head)
            head = 0
        }
    }

    /// N for a commit whose window ends at `end`: the first chain commit from the tip dated
    /// at most `end`, when it contains `commit`; nil when it does not, or there is none.
    private mutating func chainCommit(atOrBefore end: Int64, containing commit: ObjectID) throws -> ObjectID? {
        if end >= droppedEarliest {
            // A commit dated after chain commits already dropped: read the chain again.
            var next: ObjectID? = tip
            while let id = next {
                let info = try repository.commit(id)
                if info.committer.time <= end {
                    return try repository.history(of: id, contains: commit) ? id : nil
                }
                next = info.parents.first
            }
            return nil
        }
        var index = head
        while true {
            if index == chain.count {
                // Further down than the walk has come: read the chain ahead of it.
                guard let id = chainNext else { return nil }
                let info = try repository.commit(id)
                chain.append(Link(id: id, time: info.committer.time))
                chainNext = info.parents.first
            }
            if chain[index].time <= end { break }
            index += 1
        }
        let newest = chain[index].id
        // On the chain at or below N: contained without asking.
        if chain[index...].contains(where: { $0.id == commit }) { return newest }
        return try repository.history(of: newest, contains: commit) ? newest : nil
    }

    /// The lines a commit adds to each file against its first parent (the empty tree for a
    /// root commit), files with none left out; none for a merge. Reads both sides of each
    /// added or changed file (a deleted file adds nothing and is not read).
    static func addedLines(of commit: CommitObject?, id: ObjectID, in repository: Repository) throws -> [(path: [UInt8], lines: Int)] {
        let object = try commit ?? repository.commitObject(id)
        guard object.parents.count <= 1 else { return [] }
        let parentTree = object.parents.isEmpty ? nil : try repository.parentTree(of: object, at: 0)
        var result = [(path: [UInt8], lines: Int)]()
        for var change in try repository.changes(from: parentTree, to: object.tree, contents: false, maxDepth: Limits.treeDepth)
        where change.status != .deleted {
            try repository.countLines(of: &change)
            if let lines = change.linesAdded, lines > 0 { result.append((change.newPath, lines)) }
        }
        return result
    }
}
