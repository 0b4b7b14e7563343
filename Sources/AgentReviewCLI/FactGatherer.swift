import AgentReviewCore
import AgentReviewGit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Turns git's commits into the plain facts the rules judge. One commit at a time.
struct FactGatherer {
    let repository: Repository
    /// The paths this gatherer's thread has classified (`Classifier.Memo`): like the
    /// repository handle, used by that thread alone.
    let classified = Classifier.Memo()
    /// Read blob contents (binary detection, line counts): only when the policy asks.
    let contents: Bool
    /// The policy's `changed_lines` threshold: lines are counted (a line diff of every
    /// changed file) only when a commit could change more than this many.
    let linesOver: Int?
    /// With `unsigned_is_agent`: how a commit's own signature is checked. nil otherwise, and
    /// then no signature is ever read.
    let signatures: SignatureCheck?
    /// With `agents.notes`: where git-ai's notes are read from. nil otherwise, and then no
    /// note is ever read.
    let notes: NotesSource?
    /// Whether what a merge introduces is read (a diff against each parent); when not, a
    /// merge has no changes. Metrics leave merges out, and skip their diffs.
    var merges = true
    /// Whether the gathering thread also parses each commit (its message and trailers) and
    /// turns its changes into facts: where the judging thread has more to do than the
    /// workers (metrics).
    var parsesEarly = false

    /// What `unsigned_is_agent` needs: who may sign commits as a person, and the attributor
    /// that says whether a commit's signature matters (only when nothing else attributes it).
    /// Immutable values: shared by the worker threads.
    struct SignatureCheck: Sendable {
        var signers: CommitSigners
        var attributor: Attributor
    }

    /// `refs/notes/ai` as it was when the gatherer was made: its notes commit (nil: no notes
    /// yet), or why it could not be resolved (each commit's note then says so).
    struct NotesSource: Sendable {
        var tip: ObjectID?
        var unreadable: String?

        init(_ repository: Repository) {
            do {
                tip = try repository.referenceTarget(AuthorshipNote.ref)
            } catch {
                unreadable = "\(AuthorshipNote.ref) cannot be resolved: \(error)"
            }
        }
    }

    /// Gathers without the trusted signers: under `unsigned_is_agent` a commit's signature
    /// is then not checked (its evidence says so). With `agents.notes`, reads git-ai notes.
    init(repository: Repository, policy: Policy) {
        self.init(
            repository: repository, contents: policy.escalations.needsContents, linesOver: policy.escalations.changedLines?.over,
            notes: policy.agents.notes ? NotesSource(repository) : nil)
    }

    /// Gathers for a judgement by `configuration`: under `unsigned_is_agent`, the signature of
    /// a commit nothing else attributes is verified against its allowed_signers (less its
    /// revoked keys and its policy's bots), at the commit's date, `now` being the current time.
    init(repository: Repository, configuration: TrustedConfiguration, now: Date = Date()) {
        let policy = configuration.policy
        var signatures: SignatureCheck?
        if policy.agents.unsignedIsAgent {
            signatures = SignatureCheck(
                signers: CommitSigners(signers: configuration.signers, revoked: configuration.revoked, bots: policy.bots, now: now),
                attributor: Attributor(settings: policy.agents))
        }
        self.init(
            repository: repository, contents: policy.escalations.needsContents, linesOver: policy.escalations.changedLines?.over,
            signatures: signatures, notes: policy.agents.notes ? NotesSource(repository) : nil)
    }

    init(repository: Repository, contents: Bool, linesOver: Int?, signatures: SignatureCheck? = nil, notes: NotesSource? = nil) {
        self.repository = repository
        self.contents = contents
        self.linesOver = linesOver
        self.signatures = signatures
        self.notes = notes
    }

    /// What a worker thread gathers for a commit: the commit object and the changes it
    /// introduces (the costly part); under `unsigned_is_agent` also the parsed commit and
    /// what its signature says (a verification, as costly as a small diff).
    struct Gathered: Sendable {
        var commit: CommitObject
        var changes: Changes
        /// The commit's git-ai note, as read; nil unless notes are read.
        var note: AuthorshipNote.Reading?
        /// nil unless signatures are checked, or when the commit could not be parsed here
        /// (`facts(from:)` then parses it again and reports why).
        var parsed: Parsed?
    }

    /// A commit parsed past its tree and parents, its headers checked.
    struct Parsed: Sendable {
        var info: CommitInfo
        var trailers: [Trailer]
        /// What its own signature says; nil when not checked.
        var signature: CommitSignatureCheck?
    }

    /// A commit's changes as gathered: the files that differ from its one parent (or from
    /// nothing), turned into facts by the thread that judges; a merge's, already facts.
    enum Changes: Sendable {
        case files([FileChange])
        case paths([PathChange])

        var paths: [PathChange] {
            switch self {
            case .files(let files): files.map(FactGatherer.convert)
            case .paths(let paths): paths
            }
        }

        var count: Int {
            switch self {
            case .files(let files): files.count
            case .paths(let paths): paths.count
            }
        }
    }

    /// Gathers a commit as a walk gave it out: read by the walk already, or read now.
    func gather(_ step: WalkStep) throws(GitError) -> Gathered {
        let commit: CommitObject
        if let read = step.commit {
            commit = read
        } else {
            commit = try repository.commitObject(step.id)
        }
        var changes = try changes(of: commit)
        if parsesEarly, case .files = changes { changes = .paths(changes.paths) }
        let note = notes.map { authorshipNote(on: commit.id, from: $0) }
        // A failure is left for `facts(from:)` to report, on the thread that judges, in order.
        let parsed = signatures != nil || parsesEarly ? try? parse(commit, note: note) : nil
        return Gathered(commit: commit, changes: changes, note: note, parsed: parsed)
    }

    /// The commit's note in `refs/notes/ai`, read within ``Limits/authorshipNoteBytes`` and
    /// parsed; one that cannot be read is ignored, saying why (a note only ever adds evidence).
    func authorshipNote(on id: ObjectID, from source: NotesSource) -> AuthorshipNote.Reading {
        if let unreadable = source.unreadable { return .ignored(unreadable) }
        guard let tip = source.tip else { return .absent }
        do {
            guard let blob = try repository.note(on: id, atNotesCommit: tip) else { return .absent }
            let size = try repository.objectSize(blob)
            guard size <= Limits.authorshipNoteBytes else {
                return .ignored("\(size) bytes, over the limit of \(Limits.authorshipNoteBytes) (not read)")
            }
            return .of(try repository.blob(blob))
        } catch {
            return .ignored("it cannot be read: \(error)")
        }
    }

    /// Parses a commit (its headers checked) and its trailers; under `unsigned_is_agent`,
    /// when no agent marker attributes it (its note included), reads its signature and checks
    /// it. Uses only this gatherer's repository handle and immutable values: a worker runs it
    /// on its own.
    func parse(_ object: CommitObject, note: AuthorshipNote.Reading? = nil) throws(GitError) -> Parsed {
        let commit = try repository.checkedCommit(object)
        let trailers = Trailers.parse(commit.message)
        var signature: CommitSignatureCheck?
        if let signatures,
           signatures.attributor.needsSignature(
               author: Self.identity(commit.author), committer: Self.identity(commit.committer), trailers: trailers,
               subject: commit.subject, note: note)
        {
            let extraction = CommitSignature.extract(from: try repository.rawCommit(object))
            signature = signatures.signers.check(extraction, committed: Date(timeIntervalSince1970: TimeInterval(commit.committer.time)))
        }
        return Parsed(info: commit, trailers: trailers, signature: signature)
    }

    static func identity(_ signature: AgentReviewGit.Signature) -> Identity {
        Identity(name: signature.name, email: signature.email)
    }

    /// The facts, from what was gathered (on this thread or another): the rest of the
    /// commit is parsed here, unless the gathering thread did.
    func facts(from gathered: Gathered) throws(GitError) -> CommitFacts {
        facts(from: gathered, parsed: try parsed(gathered))
    }

    /// The commit parsed: by the gathering thread, or now.
    func parsed(_ gathered: Gathered) throws(GitError) -> Parsed {
        if let done = gathered.parsed { return done }
        return try parse(gathered.commit, note: gathered.note)
    }

    func facts(from gathered: Gathered, parsed: Parsed) -> CommitFacts {
        let commit = parsed.info
        return CommitFacts(
            id: commit.id.hex,
            parents: commit.parents.map(\.hex),
            tree: commit.tree.hex,
            author: Self.identity(commit.author),
            committer: Self.identity(commit.committer),
            authorTime: commit.author.time,
            committerTime: commit.committer.time,
            subject: commit.subject,
            trailers: parsed.trailers,
            changes: gathered.changes.paths,
            signature: parsed.signature,
            authorshipNote: gathered.note
        )
    }

    func facts(for id: ObjectID) throws(GitError) -> CommitFacts {
        try facts(from: try gather(WalkStep(id: id, commit: nil)))
    }

    /// What the commit introduces: against the empty tree for a root commit, the parent
    /// for an ordinary one, and for a merge only the paths that differ from every parent.
    ///
    /// With contents, an ordinary commit's files are first only summarised (binary or not,
    /// and how many lines a diff could count at most): when that cannot pass the policy's
    /// threshold, the count cannot either, and no line diff is made (`changedLines` stays
    /// nil). Otherwise, and for root commits and what a merge introduces, lines are counted.
    func changes(of commit: CommitObject) throws(GitError) -> Changes {
        if commit.parents.count == 1 {
            let parentTree = try repository.parentTree(of: commit, at: 0)
            var changes = try repository.changes(from: parentTree, to: commit.tree, contents: false, maxDepth: Limits.treeDepth)
            guard contents else { return .files(changes) }
            // Every line counted (metrics): no summary first, each file diffed as it is read.
            if let linesOver, linesOver < 0 {
                for index in changes.indices { try repository.countLines(of: &changes[index]) }
                return .files(changes)
            }
            // Both sides of each file are kept, while they are small, for counting lines next.
            var kept = [(old: [UInt8], new: [UInt8])?]()
            var keptBytes = 0
            var most = 0
            for index in changes.indices {
                let (old, new) = try repository.contents(of: changes[index])
                changes[index].summarise(old: old, new: new)
                most += changes[index].lineBounds?.upperBound ?? 0
                keptBytes += old.count + new.count
                kept.append(keptBytes <= Self.keptBytes ? (old, new) : nil)
            }
            if let linesOver, most > linesOver {
                for index in changes.indices {
                    if let (old, new) = kept[index] {
                        try repository.countLines(of: &changes[index], old: old, new: new)
                    } else {
                        try repository.countLines(of: &changes[index])
                    }
                }
            }
            return .files(changes)
        }
        if commit.parents.count > 1 && !merges { return .paths([]) }
        if commit.parents.isEmpty {
            return .files(try repository.changes(from: nil, to: commit.tree, contents: contents, maxDepth: Limits.treeDepth))
        }
        // A merge: the paths that differ from every parent first, with no contents; then
        // only those changes (against the first parent) are read, when contents are asked.
        var parentTrees = [ObjectID]()
        for index in commit.parents.indices { parentTrees.append(try repository.parentTree(of: commit, at: index)) }
        var introduced = try repository.mergeChanges(parents: parentTrees, to: commit.tree, maxDepth: Limits.treeDepth)
        if contents {
            for index in introduced.indices { try repository.countLines(of: &introduced[index]) }
        }
        return .paths(introduced.map(Self.convert))
    }

    /// At most this many bytes of file contents are held between summarising a commit's
    /// files and counting their lines; beyond it, files are read again.
    static let keptBytes = 4 << 20

    static func convert(_ change: FileChange) -> PathChange {
        let kind: PathChange.Kind
        switch change.status {
        case .added: kind = .added
        case .deleted: kind = .deleted
        case .typeChange: kind = .typeChange
        default: kind = .modified
        }
        let lines = change.linesAdded.map { $0 + (change.linesDeleted ?? 0) }
        return PathChange(
            kind: kind,
            oldPath: GitPath(bytes: change.oldPath.isEmpty ? change.newPath : change.oldPath),
            newPath: GitPath(bytes: change.newPath.isEmpty ? change.oldPath : change.newPath),
            oldMode: FileMode(rawValue: change.oldMode),
            newMode: FileMode(rawValue: change.newMode),
            isBinary: change.isBinary,
            changedLines: lines
        )
    }
}
