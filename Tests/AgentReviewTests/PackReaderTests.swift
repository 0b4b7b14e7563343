@testable import AgentReviewGit
import AgentReviewSupport
import AgentReviewTestSupport
import Foundation
import Testing

/// Objects read straight from pack files (`PackReader`) and commits parsed from their
/// bytes, against git's own `cat-file` and libgit2's parser, on real packs made by git.
@Suite struct PackReaderTests {
    let sandbox: Sandbox
    let repository: URL

    /// A history whose packs hold long delta chains of trees and blobs, packed by `git gc
    /// --aggressive` (offset deltas, chains up to 250 deep), with a few loose objects after.
    /// Dated and packed the same way every run (fixed dates, one packing thread), so every
    /// run reads the same pack: `damagedPackFailsRatherThanLies` damages fixed places of it.
    init() throws {
        sandbox = try Sandbox()
        repository = try sandbox.repository()
        var growing = ""
        for step in 0..<60 {
            growing += "line \(step) of a file that grows, so that each version is a delta of the next\n"
            try sandbox.write("src/deep/er/grow.txt", growing, in: repository)
            try sandbox.write("src/deep/file\(step % 7).txt", "version \(step)\n", in: repository)
            try sandbox.write("docs/d\(step % 3)/note.md", "note \(step)\n", in: repository, executable: step % 5 == 0)
            if step % 9 == 4 {
                try? FileManager.default.removeItem(at: repository.appendingPathComponent("docs/d\(step % 3)"))
            }
            // An empty file, and a file of over 64 KiB in two versions (the pack reader makes
            // objects above `ObjectBuffer.limit` in place, the others in its buffer).
            if step == 0 { try sandbox.write("empty.txt", "", in: repository) }
            if step >= 58 {
                let lines = (0..<(step == 58 ? 4_000 : 4_500)).map { "big line \($0) \($0 * $0 % 977)\n" }
                try sandbox.write("big.txt", lines.joined() + (step == 59 ? "one more\n" : ""), in: repository)
            }
            let stamp = "\(1_700_000_000 + step * 60) +0000"
            try sandbox.git(["add", "-A"], in: repository)
            try sandbox.git(["commit", "-q", "-m", "step \(step)"], in: repository,
                            environment: ["GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp])
        }
        try sandbox.git("-c", "pack.threads=1", "gc", "-q", "--aggressive", in: repository)
        try sandbox.write("loose.txt", "a loose object\n", in: repository)
        try sandbox.commit("after the pack", in: repository)
    }

    /// Every object git has, as `cat-file --batch` gives it: id, type and bytes.
    func gitObjects() throws -> [(id: ObjectID, type: String, bytes: [UInt8])] {
        let ids = try sandbox.git("cat-file", "--batch-all-objects", "--batch-check=%(objectname)", in: repository)
            .split(separator: "\n").map(String.init)
        let result = try Subprocess.run(
            "/usr/bin/git", ["cat-file", "--batch"], input: Data((ids.joined(separator: "\n") + "\n").utf8),
            directory: repository, environment: Sandbox.environment)
        let out = [UInt8](result.stdout)
        var objects = [(id: ObjectID, type: String, bytes: [UInt8])]()
        var position = 0
        while position < out.count {
            let end = out[position...].firstIndex(of: UInt8(ascii: "\n"))!
            let header = String(decoding: out[position..<end], as: UTF8.self).split(separator: " ")
            let size = Int(header[2])!
            objects.append((ObjectID(hex: String(header[0]))!, String(header[1]), Array(out[(end + 1)..<(end + 1 + size)])))
            position = end + 1 + size + 1
        }
        #expect(objects.count == ids.count)
        return objects
    }

    static func kind(_ type: String) -> ObjectKind {
        switch type {
        case "commit": .commit
        case "tree": .tree
        case "blob": .blob
        default: .tag
        }
    }

    func checkEveryObject(expectPacked minimum: Int, packCaches: Repository.PackCaches? = nil) throws {
        let opened = try Repository(path: repository.path)
        let repo = try packCaches.map { try opened.reopen(packCaches: $0) } ?? opened
        var packed = 0
        for object in try gitObjects() {
            if repo.packReader.read(object.id) != nil { packed += 1 }
            #expect(try repo.rawObject(object.id, Self.kind(object.type)) == object.bytes, "\(object.type) \(object.id)")
        }
        // Most objects came from the pack reader, not libgit2.
        #expect(packed >= minimum)
    }

    @Test func everyObjectReadsAsGitStoresIt() throws {
        let count = try gitObjects().count
        // The commit after the pack, its root tree and its new blob are loose.
        let loose = try sandbox.git("count-objects", in: repository)
        #expect(loose.hasPrefix("3 objects"), "\(loose)")
        // Deltas, deep ones among them, are what is being tested.
        let verify = try sandbox.git("verify-pack", "-v", try packIndex(), in: repository)
        #expect(verify.contains("chain length = 10:"))
        // Objects made in place and in the reader's buffer: one over its limit stored whole,
        // one over it made from a delta, and an empty one.
        // (`verify-pack` gives a delta's own size; the object's is git's.)
        let sizes = Dictionary(uniqueKeysWithValues: try gitObjects().map { ($0.id.description, $0.bytes.count) })
        let blobs = verify.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
            .filter { $0.count >= 5 && $0[1] == "blob" }
        #expect(blobs.contains { sizes[String($0[0])]! > ObjectBuffer.limit && $0.count == 5 }, "a big blob stored whole")
        #expect(blobs.contains { sizes[String($0[0])]! > ObjectBuffer.limit && $0.count == 7 }, "a big blob stored as a delta")
        #expect(blobs.contains { sizes[String($0[0])] == 0 }, "the empty blob")
        try checkEveryObject(expectPacked: count - 3)
    }

    /// A handle reopened for a thread that reads trees only caches more bases and fewer
    /// inflated deltas than one that reads blobs too (the default, and any handle opened
    /// otherwise), and reads every object the same.
    @Test func cacheBudgetsFollowWhatIsRead() throws {
        let opened = try Repository(path: repository.path)
        let trees = try opened.reopen(packCaches: .treesOnly)
        let blobs = try opened.reopen()
        #expect(opened.packReader.budgets == (8 << 20, 4 << 20))
        #expect(blobs.packReader.budgets == (8 << 20, 4 << 20))
        #expect(trees.packReader.budgets == (16 << 20, 2 << 20))
        try checkEveryObject(expectPacked: try gitObjects().count - 3, packCaches: .treesOnly)
    }

    /// An index too big to keep resident (here: any, with a budget of 0) has its pages
    /// dropped at every lookup; every object still reads the same.
    @Test func indexPagesDroppedAndReadAgain() throws {
        let reader = PackReader(directory: repository.appendingPathComponent(".git/objects/pack").path, indexBytes: 0)
        var read = 0
        for object in try gitObjects() {
            guard let found = reader.read(object.id) else { continue }
            read += 1
            #expect(found.bytes == object.bytes, "\(object.type) \(object.id)")
            #expect(found.kind == Self.kind(object.type))
        }
        #expect(read > 100)
        #expect(reader.indexDrops >= read)
    }

    /// The walk asks where a commit is, then reads it: the read uses the place found. Asked
    /// for one object's place, then read another, a reader reads the other; each object
    /// reads as git stores it, its place asked first or not.
    @Test func aPlaceFoundIsUsedOnlyForItsObject() throws {
        let objects = try gitObjects()
        let reader = PackReader(directory: repository.appendingPathComponent(".git/objects/pack").path)
        var read = 0
        for (index, object) in objects.enumerated() {
            let other = objects[(index + 1) % objects.count]
            guard reader.place(of: object.id) != nil else { continue }
            if let found = reader.read(other.id) {
                #expect(found.bytes == other.bytes && found.kind == Self.kind(other.type), "\(other.id) after \(object.id)'s place")
            }
            _ = reader.place(of: object.id)
            let found = try #require(reader.read(object.id))
            #expect(found.bytes == object.bytes && found.kind == Self.kind(object.type), "\(object.id)")
            read += 1
        }
        #expect(read > 100)
    }

    /// Readers of one repository share its index mapping (the walk's and each worker's): on
    /// two threads at once, one dropping the index's pages at every lookup, both still read
    /// every object as git stores it.
    @Test func readersOnTwoThreadsShareTheIndex() throws {
        let objects = try gitObjects()
        let directory = repository.appendingPathComponent(".git/objects/pack").path
        // Each thread uses only its own reader, as the walk and the workers do.
        nonisolated(unsafe) let readers = [PackReader(directory: directory, indexBytes: 0), PackReader(directory: directory)]
        #expect(!readers[0].indexMappings.isEmpty)
        #expect(readers[0].indexMappings == readers[1].indexMappings)
        let wrong = Counter()
        let readCount = Counter()
        DispatchQueue.concurrentPerform(iterations: 2) { number in
            for object in objects {
                guard let found = readers[number].read(object.id) else { continue }
                readCount.add()
                if found.bytes != object.bytes || found.kind != Self.kind(object.type) { wrong.add() }
            }
        }
        #expect(readCount.value > 200)
        #expect(wrong.value == 0)
        #expect(readers[0].indexDrops > 100)
        #expect(readers[1].indexDrops == 0)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }

    /// Packs written with reference deltas (`repack.useDeltaBaseOffset=false`), as some
    /// servers and old clients do.
    @Test func referenceDeltasRead() throws {
        try sandbox.git("-c", "repack.useDeltaBaseOffset=false", "repack", "-a", "-d", "-f", "-q", in: repository)
        let raw = try Data(contentsOf: URL(fileURLWithPath: try packIndex().replacingOccurrences(of: ".idx", with: ".pack")))
        #expect(!raw.isEmpty)
        let count = try gitObjects().count
        try checkEveryObject(expectPacked: count)
    }

    /// A second pack beside the first: objects are found in either.
    @Test func objectsInSeveralPacks() throws {
        try sandbox.write("more.txt", "in a second pack\n", in: repository)
        try sandbox.commit("second pack", in: repository)
        try sandbox.git("repack", "-d", "-q", in: repository)
        let packs = try FileManager.default.contentsOfDirectory(atPath: repository.appendingPathComponent(".git/objects/pack").path)
        #expect(packs.filter { $0.hasSuffix(".pack") }.count == 2)
        let count = try gitObjects().count
        try checkEveryObject(expectPacked: count)
    }

    /// A walk's set of commits met (`SeenCommits`): a bit per place in a pack's index for
    /// packed commits, ids for the others. With commits in two packs and loose, merges whose
    /// parents are met twice: every commit given once, in `git rev-list`'s order.
    @Test func aWalkMeetsPackedAndLooseCommitsOnce() throws {
        try sandbox.git("checkout", "-q", "-b", "side", "HEAD~20", in: repository)
        for step in 0..<4 {
            try sandbox.write("side\(step).txt", "side \(step)\n", in: repository)
            try sandbox.commit("side \(step)", in: repository)
        }
        try sandbox.git("checkout", "-q", "-", in: repository)
        try sandbox.git("merge", "-q", "--no-edit", "side", in: repository)
        try sandbox.git("repack", "-d", "-q", in: repository)  // a second pack
        try sandbox.write("late.txt", "loose again\n", in: repository)
        try sandbox.commit("loose", in: repository)
        try sandbox.git("merge", "-q", "--no-edit", "-s", "ours", "side~1", in: repository)

        let repo = try Repository(path: repository.path)
        let head = try #require(ObjectID(hex: try sandbox.git("rev-parse", "HEAD", in: repository).trimmingCharacters(in: .whitespacesAndNewlines)))
        let walk = try repo.walk(from: [head])
        var ours = [String]()
        while let id = try walk.next() { ours.append(id.hex) }
        #expect(ours == (try sandbox.git("rev-list", "HEAD", in: repository)).split(separator: "\n").map(String.init))

        // Places: distinct per packed object, within its pack's count; none for a loose one.
        var seen = SeenCommits()
        var places = Set<[Int]>()
        for hex in ours {
            let id = ObjectID(hex: hex)!
            if let place = repo.packReader.place(of: id) {
                #expect(place.position < place.count)
                let new = places.insert([place.pack, place.position]).inserted
                #expect(new)
            }
            let first = seen.insert(id, in: repo)
            let again = seen.insert(id, in: repo)
            #expect(first && !again)
        }
        #expect(places.count >= 60 && places.count < ours.count)
        #expect(Set(places.map { $0[0] }).count == 2)
    }

    /// Damage inside a pack is not read as other bytes: each object either reads as git
    /// stored it or fails with an error. Damage inside an entry's zlib stream always fails
    /// (its checksum, and the size it must come to). Damage to an offset delta's base offset
    /// that lands exactly on another object the delta applies to (one of the same size) is
    /// not caught, by git either, which trusts a pack once index-pack has verified it: the
    /// pack here is the same every run (see `init`), and none of its damaged places is such.
    @Test func damagedPackFailsRatherThanLies() throws {
        let original = try gitObjects()
        let packPath = try packIndex().replacingOccurrences(of: ".idx", with: ".pack")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: packPath)))
        // Flip bytes all through the entries (not the 12-byte header or the trailing checksum).
        var damaged = 0
        for offset in stride(from: 100, to: bytes.count - 20, by: 997) {
            bytes[offset] ^= 0x5a
            damaged += 1
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: packPath)
        try Data(bytes).write(to: URL(fileURLWithPath: packPath))
        let repo = try Repository(path: repository.path)
        var failed = 0
        for object in original {
            do {
                let read = try repo.rawObject(object.id, Self.kind(object.type))
                #expect(read == object.bytes, "\(object.type) \(object.id) read as other bytes")
            } catch {
                failed += 1
            }
        }
        #expect(damaged > 10)
        #expect(failed > 0, "the damage was noticed")
    }

    /// Our tree diff on packed trees says what `git diff-tree` says, commit by commit.
    @Test func treeDiffOnPackedTreesAgreesWithGit() throws {
        let repo = try Repository(path: repository.path)
        let commits = try sandbox.git("rev-list", "HEAD", in: repository).split(separator: "\n").map(String.init)
        #expect(commits.count == 61)
        for commit in commits {
            let info = try repo.commit(try #require(ObjectID(hex: commit)))
            let parentTree = try info.parents.first.map { try repo.tree(ofCommit: $0) }
            let ours = try repo.changes(from: parentTree, to: info.tree, contents: false, maxDepth: 4096).map { change -> String in
                let status: String
                switch change.status {
                case .added: status = "A"
                case .deleted: status = "D"
                case .typeChange: status = "T"
                default: status = "M"
                }
                return status + "\t" + String(decoding: change.newPath.isEmpty ? change.oldPath : change.newPath, as: UTF8.self)
            }.sorted()
            let git = try sandbox.git(["diff-tree", "-r", "--root", "--no-renames", "--no-commit-id", "--name-status", commit], in: repository)
                .split(separator: "\n").map(String.init).sorted()
            #expect(ours == git, "\(commit)")
        }
    }

    /// Commits in unusual forms parse as libgit2 parses them, whether our parser takes them
    /// or leaves them to libgit2; and the usual form is ours.
    @Test func commitsParseAsLibgit2ParsesThem() throws {
        let tree = try sandbox.git("rev-parse", "HEAD^{tree}", in: repository)
        let parent = try sandbox.git("rev-parse", "HEAD", in: repository)
        let ident = "A U Thor <author@example.com> 1700000000 +0100"
        let shapes: [String] = [
            "tree \(tree)\nparent \(parent)\nauthor \(ident)\ncommitter \(ident)\n\nsubject\n\nbody\n",
            "tree \(tree)\nauthor \(ident)\ncommitter C O Mitter <c@example.com> 1700000001 -0830\n\n\n\nleading blank lines\n",
            "tree \(tree)\nparent \(parent)\nparent \(parent)\nauthor \(ident)\ncommitter \(ident)\nencoding ISO-8859-1\n\nmerge\n",
            "tree \(tree)\nauthor \(ident)\ncommitter \(ident)\ngpgsig -----BEGIN SSH SIGNATURE-----\n abc\n -----END SSH SIGNATURE-----\n\nsigned\n",
            "tree \(tree)\nauthor  Spaced  Name   <  spaced@example.com > 1700000000 +0100\ncommitter \(ident)\n\nspaces\n",
            "tree \(tree)\nauthor No Email 1700000000 +0100\ncommitter \(ident)\n\nno email\n",
            "tree \(tree)\nauthor <only@example.com> 1700000000 +0100\ncommitter \(ident)\n\nno name\n",
            "tree \(tree)\nauthor Zone <z@example.com> 1700000000 +9999\ncommitter \(ident)\n\nzone out of range\n",
            "tree \(tree)\nauthor Bad <b@example.com> notatime +0100\ncommitter \(ident)\n\nbad time\n",
            "tree \(tree)\nauthor Two <<two@example.com>> 1700000000 +0100\ncommitter \(ident)\n\nbrackets\n",
            "tree \(tree)\nauthor \(ident)\ncommitter \(ident)\n\nno trailing newline",
            "tree \(tree)\nauthor \(ident)\ncommitter \(ident)\n",
            "tree \(tree)\nauthor \(ident)\ncommitter \(ident)\n\n",
            "tree \(tree)\nauthor Caf\u{e9} <cafe@example.com> 1700000000 +0000\ncommitter \(ident)\n\nnon-ASCII name \u{1F600}\n",
        ]
        var raw = shapes.map { Array($0.utf8) }
        // Latin-1 bytes that are not UTF-8, and a NUL inside the message.
        raw.append(Array("tree \(tree)\nauthor Caf".utf8) + [0xE9] + Array(" <cafe@example.com> 1700000000 +0000\ncommitter \(ident)\nencoding ISO-8859-1\n\nlatin-1\n".utf8))
        raw.append(Array("tree \(tree)\nauthor \(ident)\ncommitter \(ident)\n\nbefore".utf8) + [0] + Array("after\n".utf8))
        var ids = [ObjectID]()
        for bytes in raw {
            let result = try Subprocess.run(
                "/usr/bin/git", ["hash-object", "-t", "commit", "-w", "--literally", "--stdin"], input: Data(bytes),
                directory: repository, environment: Sandbox.environment)
            #expect(result.status == 0, "\(result.stderr)")
            ids.append(try #require(ObjectID(hex: result.text.trimmingCharacters(in: .whitespacesAndNewlines))))
        }
        let repo = try Repository(path: repository.path)
        var refused = 0
        for (id, bytes) in zip(ids, raw) {
            // Both read it to the same values, or both refuse it.
            let reference = Result { () throws(GitError) in try repo.parsedByLibgit2(id) }
            let ours = Result { () throws(GitError) in try repo.commit(id) }
            switch (reference, ours) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(String(decoding: bytes, as: UTF8.self))")
            case (.failure, .failure): refused += 1
            default: Issue.record("libgit2 \(reference), ours \(ours): \(String(decoding: bytes, as: UTF8.self))")
            }
        }
        #expect(refused < raw.count / 2)
        // The usual forms are parsed here, not handed to libgit2.
        #expect(CommitInfo(id: ids[0], raw: raw[0]) != nil)
        #expect(CommitInfo(id: ids[1], raw: raw[1]) != nil)
        #expect(CommitInfo(id: ids[3], raw: raw[3]) != nil)
        #expect(CommitInfo(id: ids[4], raw: raw[4]) == nil)
    }

    /// A walk with nothing hidden streams commits in the order `git rev-list` gives, merges
    /// and side branches included, and commits with the same date (0 seconds apart) too.
    @Test(arguments: [60, 0])
    func unhiddenWalkStreamsInRevListOrder(secondsBetweenCommits: Int) throws {
        var date = 1_700_000_000
        func commit(_ message: String) throws {
            date += secondsBetweenCommits
            let stamp = "\(date) +0000"
            try sandbox.git("add", "-A", in: repository)
            try sandbox.git(["commit", "-q", "--allow-empty", "-m", message], in: repository,
                            environment: ["GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp])
        }
        try sandbox.git("checkout", "-q", "-b", "side", in: repository)
        for step in 0..<3 {
            try sandbox.write("side\(step).txt", "side \(step)\n", in: repository)
            try commit("side \(step)")
        }
        try sandbox.git("checkout", "-q", "main", in: repository)
        for step in 0..<3 {
            try sandbox.write("main\(step).txt", "main \(step)\n", in: repository)
            try commit("main \(step)")
        }
        let stamp = "\(date + secondsBetweenCommits) +0000"
        try sandbox.git(["merge", "-q", "--no-ff", "-m", "merge side", "side"], in: repository,
                        environment: ["GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp])
        let repo = try Repository(path: repository.path)
        let walk = try repo.walk(from: [try repo.resolveCommit("HEAD")])
        var ours = [String]()
        var parentTreesGiven = 0
        while let step = try walk.nextStep() {
            ours.append(step.id.hex)
            // The walk hands on the commit it read, with the trees of the parents it knows.
            let commit = try #require(step.commit)
            #expect(commit.tree.hex == (try sandbox.git("rev-parse", "\(step.id.hex)^{tree}", in: repository)))
            for (index, tree) in commit.parentTrees.enumerated() {
                guard let tree else { continue }
                parentTreesGiven += 1
                #expect(tree.hex == (try sandbox.git("rev-parse", "\(step.id.hex)^\(index + 1)^{tree}", in: repository)))
            }
        }
        let git = try sandbox.git("rev-list", "HEAD", in: repository).split(separator: "\n").map(String.init)
        #expect(ours == git)
        #expect(ours.count == 68)
        // All but a parent given out before its child (the fork point, dated after its
        // children here) come with the walk: 68 parent links.
        #expect(parentTreesGiven == 67)
    }

    /// The bounds a summary puts on changed lines hold the count libgit2's line diff makes.
    @Test func lineBoundsHoldTheDiffsCount() throws {
        let repo = try Repository(path: repository.path)
        var generator = SplitMix64(seed: 7)
        var texts: [(String, String)] = [
            ("", "one\n"), ("one\n", ""), ("a\nb\nc\n", "a\nb\nc"), ("a\nb\nc", "a\nb\nc\n"),
            ("x\n", "y\n"), ("same\nhead\nold\nsame\ntail\n", "same\nhead\nnew\nsame\ntail\n"),
            ("a\na\na\n", "a\na\n"), ("no newline", "no newline at all"),
        ]
        for _ in 0..<200 {
            let lines = (0..<Int.random(in: 0...40, using: &generator)).map { _ in "l\(Int.random(in: 0...6, using: &generator))" }
            var edited = lines
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                let at = Int.random(in: 0...edited.count, using: &generator)
                switch Int.random(in: 0...2, using: &generator) {
                case 0: edited.insert("new\(at)", at: at)
                case 1 where at < edited.count: edited.remove(at: at)
                default: if at < edited.count { edited[at] = "changed" }
                }
            }
            let end = Bool.random(using: &generator) ? "\n" : ""
            texts.append((lines.joined(separator: "\n") + end, edited.joined(separator: "\n") + "\n"))
        }
        let id = try #require(ObjectID(hex: String(repeating: "1", count: 40)))
        let otherID = try #require(ObjectID(hex: String(repeating: "2", count: 40)))
        for (old, new) in texts where old != new {
            var change = FileChange(status: .modified, path: Array("f.txt".utf8), oldMode: 0o100644, newMode: 0o100644, oldID: id, newID: id)
            change.summarise(old: Array(old.utf8), new: Array(new.utf8))
            try repo.countLines(of: &change, old: Array(old.utf8), new: Array(new.utf8))
            let exact = try #require(change.linesAdded) + (change.linesDeleted ?? 0)
            let bounds = try #require(change.lineBounds)
            // Two different ids (libgit2 is told them instead of hashing, KnownBlobs): the same count.
            var named = FileChange(status: .modified, path: Array("f.txt".utf8), oldMode: 0o100644, newMode: 0o100644, oldID: id, newID: otherID)
            try repo.countLines(of: &named, old: Array(old.utf8), new: Array(new.utf8))
            #expect(named.linesAdded == change.linesAdded && named.linesDeleted == change.linesDeleted)
            #expect(bounds.contains(exact), "\(bounds) does not hold \(exact): \(old.debugDescription) → \(new.debugDescription)")
        }
    }

    /// A walk with hidden commits gives what `git rev-list TIPS --not HIDDEN` gives, in its
    /// order: side branches merged from behind the hidden commit, a clock that went
    /// backwards, commits with the same date, a hidden tip, globs of refs.
    @Test func hiddenWalkGivesWhatRevListGives() throws {
        var date = 1_700_000_000
        func commit(_ message: String, at seconds: Int? = nil) throws {
            date += 60
            let stamp = "\(seconds ?? date) +0000"
            try sandbox.write("f-\(message).txt", message, in: repository)
            try sandbox.git("add", "-A", in: repository)
            try sandbox.git(["commit", "-q", "-m", message], in: repository,
                            environment: ["GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp])
        }
        let base = try sandbox.git("rev-parse", "HEAD", in: repository)
        try sandbox.git("checkout", "-q", "-b", "side", in: repository)
        try commit("side1")
        try commit("side2", at: 1_600_000_000)  // older than its parent
        try commit("side3")
        try sandbox.git("checkout", "-q", "main", in: repository)
        try commit("main1")
        try commit("main2", at: date)  // the same date as main1
        try commit("main3")
        try sandbox.git("checkout", "-q", "-b", "topic", in: repository)
        try commit("topic1")
        try sandbox.git("checkout", "-q", "main", in: repository)
        try sandbox.git(["merge", "-q", "--no-ff", "-m", "merge side", "side"], in: repository,
                        environment: ["GIT_AUTHOR_DATE": "\(date + 30) +0000", "GIT_COMMITTER_DATE": "\(date + 30) +0000"])
        try commit("main4")
        try sandbox.git(["merge", "-q", "--no-ff", "-m", "merge topic", "topic"], in: repository,
                        environment: ["GIT_AUTHOR_DATE": "\(date + 90) +0000", "GIT_COMMITTER_DATE": "\(date + 90) +0000"])
        try commit("main5")
        try sandbox.git("tag", "-a", "-m", "a tag", "v1", "side", in: repository)

        let repo = try Repository(path: repository.path)
        func id(_ spec: String) throws -> ObjectID { try repo.resolveCommit(spec) }
        let cases: [(tips: [String], hidden: [String], globs: [String])] = [
            (["HEAD"], ["HEAD~3"], []),
            (["HEAD"], ["side"], []),
            (["HEAD"], ["side~1"], []),
            (["side"], ["main~2"], []),
            (["HEAD"], ["HEAD"], []),
            (["HEAD"], [base], []),
            (["HEAD"], ["side", "topic"], []),
            (["HEAD", "side"], ["HEAD~2"], []),
            (["HEAD"], ["HEAD~1^2"], []),
            (["HEAD"], [], ["refs/heads/s*"]),
            (["HEAD"], [], ["refs/tags/*"]),
        ]
        var nonEmpty = 0
        for (tips, hidden, globs) in cases {
            let walk = try repo.walk(from: try tips.map(id), hiding: try hidden.map(id), hidingGlobs: globs)
            var ours = [String]()
            while let step = try walk.nextStep() {
                ours.append(step.id.hex)
                let commit = try #require(step.commit)
                for (index, tree) in commit.parentTrees.enumerated() {
                    guard let tree else { continue }
                    #expect(tree.hex == (try sandbox.git("rev-parse", "\(step.id.hex)^\(index + 1)^{tree}", in: repository)))
                }
            }
            let git = try sandbox.git(["rev-list"] + tips + ["--not"] + hidden + globs.map { "--glob=\($0)" }, in: repository)
                .split(separator: "\n").map(String.init)
            #expect(ours == git, "rev-list \(tips) --not \(hidden) \(globs)")
            if !git.isEmpty { nonEmpty += 1 }
        }
        // Two cases hide everything (HEAD --not HEAD; side --not main~2, which merged it).
        #expect(nonEmpty == cases.count - 2)
    }

    func packIndex() throws -> String {
        let directory = repository.appendingPathComponent(".git/objects/pack")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: directory.path).first { $0.hasSuffix(".idx") })
        return directory.appendingPathComponent(name).path
    }
}

