@testable import AgentReviewCLI
import AgentReviewCore
import AgentReviewGit
import AgentReviewTestSupport
import Foundation
import Testing

/// What a merge introduces, as the judging path gathers it (a diff against the first parent,
/// its paths looked up in the others: `Repository.mergeChanges`), against git's own answer:
/// `git diff-tree -c` lists the files that differ from every parent.
@Suite struct MergeChangesTests {
    let sandbox: Sandbox
    let repository: URL

    init() throws {
        sandbox = try Sandbox()
        repository = try sandbox.repository()
    }

    private func git(_ arguments: String...) throws -> String { try sandbox.git(arguments, in: repository) }

    /// The paths the gatherer says `merge` introduces.
    private func gathered(_ merge: String) throws -> Set<String> {
        let opened = try Repository(path: repository.path)
        let gatherer = FactGatherer(repository: opened, contents: false, linesOver: nil)
        let changes = try gatherer.changes(of: try opened.commitObject(ObjectID(hex: merge)!)).paths
        return Set(changes.flatMap { [$0.oldPath, $0.newPath] }.map(\.description).filter { !$0.isEmpty })
    }

    /// With contents: each introduced path's changed lines (added plus deleted).
    private func gatheredLines(_ merge: String) throws -> [String: Int] {
        let opened = try Repository(path: repository.path)
        let gatherer = FactGatherer(repository: opened, contents: true, linesOver: 0)
        let changes = try gatherer.changes(of: try opened.commitObject(ObjectID(hex: merge)!)).paths
        return Dictionary(uniqueKeysWithValues: changes.map { ($0.newPath.bytes.isEmpty ? $0.oldPath.description : $0.newPath.description, $0.changedLines ?? -1) })
    }

    /// git's line counts against the merge's first parent, at the paths `git diff-tree -c` lists.
    private func gitLines(_ merge: String) throws -> [String: Int] {
        let paths = try gitSays(merge)
        var lines = [String: Int]()
        for row in try git("diff", "--numstat", "--no-renames", "\(merge)^1", merge).split(separator: "\n") {
            let fields = row.split(separator: "\t")
            guard paths.contains(String(fields[2])) else { continue }
            lines[String(fields[2])] = Int(fields[0])! + Int(fields[1])!
        }
        return lines
    }

    private func gitSays(_ merge: String) throws -> Set<String> {
        Set(try git("diff-tree", "-c", "-r", "--name-only", "--no-commit-id", merge).split(separator: "\n").map(String.init))
    }

    /// An object written as given (`--literally`: git's checks would refuse a disordered tree).
    private func object(_ type: String, _ bytes: Data) throws -> String {
        try Sandbox.run("/usr/bin/git", ["hash-object", "-t", type, "--literally", "-w", "--stdin"], in: repository, input: bytes)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A tree of these entries, in the order given.
    private func tree(_ entries: [(mode: String, name: String, id: String)]) throws -> String {
        var bytes = Data()
        for entry in entries {
            bytes.append(contentsOf: Array("\(entry.mode) \(entry.name)".utf8) + [0])
            bytes.append(contentsOf: stride(from: 0, to: 40, by: 2).map {
                let start = entry.id.index(entry.id.startIndex, offsetBy: $0)
                return UInt8(entry.id[start..<entry.id.index(start, offsetBy: 2)], radix: 16)!
            })
        }
        return try object("tree", bytes)
    }

    @Test func mergesOfEveryKindIntroduceWhatGitSays() throws {
        try sandbox.write("a.txt", "a\n", in: repository)
        try sandbox.write("dir/b.txt", "b\n", in: repository)
        try sandbox.write("dir/sub/c.txt", "c\n", in: repository)
        try sandbox.write("tool.sh", "echo\n", in: repository)
        try sandbox.write("x", "a file that becomes a directory\n", in: repository)
        try sandbox.write("shared.txt", "one\ntwo\nthree\n", in: repository)
        try sandbox.commit("base", in: repository)
        try git("branch", "side")
        try git("branch", "other")

        // The main line moves on: edits, an addition, a file made a directory, a mode change.
        try sandbox.write("dir/sub/c.txt", "c on main\n", in: repository)
        try sandbox.write("main.txt", "main\n", in: repository)
        try FileManager.default.removeItem(at: repository.appendingPathComponent("x"))
        try sandbox.write("x/y.txt", "now a directory\n", in: repository)
        try sandbox.write("tool.sh", "echo\n", in: repository, executable: true)
        try sandbox.write("shared.txt", "one on main\ntwo\nthree\n", in: repository)
        for step in 0..<5 {
            try sandbox.write("main/m\(step).txt", "\(step)\n", in: repository)
            try sandbox.commit("main \(step)", in: repository)
        }
        // The side branch: an edit, an addition, a deletion, and an edit that will conflict.
        try git("checkout", "-q", "side")
        try sandbox.write("dir/b.txt", "b on side\n", in: repository)
        try sandbox.write("side.txt", "side\n", in: repository)
        try FileManager.default.removeItem(at: repository.appendingPathComponent("a.txt"))
        try sandbox.write("shared.txt", "one on side\ntwo\nthree\n", in: repository)
        try sandbox.commit("side", in: repository)
        try git("checkout", "-q", "other")
        try sandbox.write("other.txt", "other\n", in: repository)
        try sandbox.write("dir/sub/d.txt", "d\n", in: repository)
        try sandbox.commit("other", in: repository)
        try git("checkout", "-q", "main")

        var merges: [String] = []
        // A conflict resolved with content of neither side, and an evil change in the same merge.
        _ = try? git("merge", "-q", "--no-edit", "side")
        try sandbox.write("shared.txt", "one resolved\ntwo\nthree\n", in: repository)
        try sandbox.write("dir/sub/c.txt", "changed by the merge alone\n", in: repository)
        merges.append(try sandbox.commit("merge side, resolved", in: repository))
        // A clean merge: nothing introduced.
        try git("merge", "-q", "--no-edit", "other")
        merges.append(try git("rev-parse", "HEAD"))
        // An octopus merge of two branches that each add a file, and a merge from the side
        // branch's point of view (main brought into it).
        try git("checkout", "-q", "-b", "left", "main")
        try sandbox.write("left.txt", "left\n", in: repository)
        try sandbox.commit("left", in: repository)
        try git("checkout", "-q", "-b", "right", "main")
        try sandbox.write("right.txt", "right\n", in: repository)
        try sandbox.commit("right", in: repository)
        try git("checkout", "-q", "main")
        try sandbox.write("main/after.txt", "after\n", in: repository)
        try sandbox.commit("main after", in: repository)
        try git("merge", "-q", "--no-edit", "left", "right")
        merges.append(try git("rev-parse", "HEAD"))
        try git("checkout", "-q", "other")
        try git("merge", "-q", "--no-edit", "-X", "theirs", "main")
        merges.append(try git("rev-parse", "HEAD"))

        for merge in merges {
            #expect(try gathered(merge) == gitSays(merge), "\(merge)")
            // Lines are counted against the first parent, for the introduced paths only.
            #expect(try gatheredLines(merge) == gitLines(merge), "\(merge)")
        }
        #expect(try gatheredLines(merges[0]) == ["shared.txt": 2, "dir/sub/c.txt": 2])
        #expect(try gathered(merges[0]) == ["shared.txt", "dir/sub/c.txt"])
        #expect(try gathered(merges[1]).isEmpty)
        #expect(try git("rev-list", "--parents", "-n", "1", merges[2]).split(separator: " ").count == 4)
    }

    /// Merges of random trees (files edited, added, deleted, made executable, made
    /// directories and back, in nested directories; two and three parents; the merge's tree
    /// taking each path from any parent or from none): the paths gathered are `git diff-tree
    /// -c`'s, and what `MergeChanges.introduced` makes of a full diff against each parent.
    @Test func randomMergesIntroduceWhatGitSays() throws {
        let opened = try Repository(path: repository.path)
        let directories = ["", "a/", "a/b/", "c/", "c/d/e/"]
        let names = ["f", "g", "h.txt", "x", "b"]
        /// A tree as files: path to (content, executable).
        typealias Files = [String: (String, Bool)]
        func write(_ files: Files) throws -> String {
            for item in try FileManager.default.contentsOfDirectory(atPath: repository.path) where item != ".git" {
                try FileManager.default.removeItem(at: repository.appendingPathComponent(item))
            }
            for (path, (content, executable)) in files { try sandbox.write(path, content, in: repository, executable: executable) }
            try git("add", "-A")
            return try git("write-tree")
        }
        /// `files` with a few random edits; a path is never both a file and a directory.
        func edited(_ files: Files, _ random: inout SplitMix64, tag: String) -> Files {
            var files = files
            for _ in 0..<(1 + random.next(4)) {
                let path = directories[random.next(directories.count)] + names[random.next(names.count)]
                switch random.next(4) {
                case 0: files[path] = nil
                case 1: files[path] = (files[path]?.0 ?? "new", !(files[path]?.1 ?? false))
                default: files[path] = ("\(tag) \(random.next(3))", files[path]?.1 ?? false)
                }
            }
            return resolved(files, &random)
        }
        /// A file named like a directory in use (`a/b` beside `a/b/…`) dropped, or the
        /// directory's files, at random.
        func resolved(_ files: Files, _ random: inout SplitMix64) -> Files {
            var files = files
            for path in files.keys.sorted() where files.keys.contains(where: { $0.hasPrefix(path + "/") }) {
                if random.next(2) == 0 { files[path] = nil } else { for other in files.keys where other.hasPrefix(path + "/") { files[other] = nil } }
            }
            return files
        }
        var merges = 0, introducing = 0
        for seed in 0..<40 {
            var random = SplitMix64(seed: UInt64(seed))
            let base = edited([:], &random, tag: "base")
            let parents = (0..<(seed % 4 == 0 ? 3 : 2)).map { edited(base, &random, tag: "p\($0)") }
            var merged = Files()
            for path in Set(parents.flatMap(\.keys)) {
                // A parent's file, a new one, a parent's made (or no longer) executable, or none.
                let pick = random.next(parents.count + 3)
                if pick < parents.count {
                    merged[path] = parents[pick][path]
                } else if pick == parents.count {
                    merged[path] = ("merge \(seed)", false)
                } else if pick == parents.count + 1, let (content, executable) = parents[random.next(parents.count)][path] {
                    merged[path] = (content, !executable)
                }
            }
            merged = seed % 2 == 0 ? edited(merged, &random, tag: "m") : resolved(merged, &random)
            let baseCommit = try git("commit-tree", try write(base), "-m", "base")
            let parentCommits = try parents.map { try git("commit-tree", try write($0), "-p", baseCommit, "-m", "parent") }
            let merge = try sandbox.git(
                ["commit-tree", try write(merged)] + parentCommits.flatMap { ["-p", $0] } + ["-m", "merge"], in: repository)
            merges += 1

            let gatheredPaths = try gathered(merge)
            #expect(gatheredPaths == (try gitSays(merge)), "seed \(seed)")
            let object = try opened.commitObject(ObjectID(hex: merge)!)
            var perParent = [[PathChange]]()
            for index in object.parents.indices {
                perParent.append(
                    try opened.changes(from: try opened.parentTree(of: object, at: index), to: object.tree, contents: false, maxDepth: 64)
                        .map(FactGatherer.convert))
            }
            let byIntersection = Set(MergeChanges.introduced(perParent).flatMap(\.paths).map(\.description))
            #expect(gatheredPaths == byIntersection, "seed \(seed)")
            if !gatheredPaths.isEmpty { introducing += 1 }
        }
        // The cases are not all alike: most merges introduce something, not all.
        #expect(merges == 40 && introducing > 20 && introducing < 40, "\(introducing) of \(merges)")
    }

    /// A merge whose tree names an entry twice (git's fsck refuses such a tree; a hostile
    /// push need not be checked by it): looked up by name, the first entry would equal the
    /// second parent's and hide the path. The directory is not in order, so the path counts
    /// as introduced.
    @Test func aTreeNamingAnEntryTwiceHidesNothing() throws {
        let opened = try Repository(path: repository.path)
        func blob(_ text: String) throws -> String { try object("blob", Data(text.utf8)) }
        func tree(_ entries: [(name: String, blob: String)]) throws -> String {
            try self.tree(entries.map { ("100644", $0.name, $0.blob) })
        }
        let (x, z, w) = (try blob("x\n"), try blob("z\n"), try blob("w\n"))
        let first = try tree([("a", x)])
        let second = try tree([("a", z)])
        let merged = try tree([("a", z), ("a", w)])
        let introduced = try opened.mergeChanges(
            parents: [ObjectID(hex: first)!, ObjectID(hex: second)!], to: ObjectID(hex: merged)!, maxDepth: 64)
        #expect(introduced.contains { $0.newPath == Array("a".utf8) || $0.oldPath == Array("a".utf8) })
        // The same trees in order: the file equals the second parent's, so nothing is introduced.
        let ordered = try tree([("a", z)])
        #expect(try opened.mergeChanges(parents: [ObjectID(hex: first)!, ObjectID(hex: second)!], to: ObjectID(hex: ordered)!, maxDepth: 64).isEmpty)
    }

    /// A directory the merge takes whole from a parent other than the first holds nothing
    /// the merge introduces, so it is not diffed against the first parent: that parent's side
    /// of it is not even read. Here it is missing from the repository, and the merge is
    /// still judged, the same as git judges it with the object there.
    @Test func aDirectoryTakenWholeFromASecondParentIsNotDiffed() throws {
        try sandbox.write("top.txt", "top\n", in: repository)
        try sandbox.write("dir/a.txt", "a\n", in: repository)
        try sandbox.write("dir/b.txt", "b\n", in: repository)
        try sandbox.write("dir/sub/c.txt", "c\n", in: repository)
        let base = try sandbox.commit("base", in: repository)
        try sandbox.write("top.txt", "top on main\n", in: repository)
        try sandbox.write("dir/a.txt", "a on main\n", in: repository)
        try sandbox.write("dir/sub/c.txt", "c on main\n", in: repository)
        let first = try sandbox.commit("main", in: repository)
        try git("checkout", "-q", "-b", "side", base)
        try sandbox.write("dir/b.txt", "b on side\n", in: repository)
        try sandbox.write("side.txt", "side\n", in: repository)
        let second = try sandbox.commit("side", in: repository)
        // The merge: main's top.txt, side's dir as it stands (main's edits under it dropped),
        // and a file of its own.
        try git("checkout", "-q", "main")
        try git("read-tree", "-m", "-u", first)
        try git("checkout", second, "--", "dir", "side.txt")
        try sandbox.write("merge.txt", "the merge's own\n", in: repository)
        try git("add", "-A")
        let merge = try git("commit-tree", try git("write-tree"), "-p", first, "-p", second, "-m", "merge")
        #expect(try gitSays(merge) == ["merge.txt"])

        let firstDirectory = try git("rev-parse", "\(first):dir")
        let object = repository.appendingPathComponent(".git/objects/\(firstDirectory.prefix(2))/\(firstDirectory.dropFirst(2))")
        try #require(FileManager.default.fileExists(atPath: object.path), "the test expects loose objects")
        try FileManager.default.removeItem(at: object)
        #expect(try gathered(merge) == ["merge.txt"])
        // Reading it is what a diff of that directory would need.
        let opened = try Repository(path: repository.path)
        #expect(throws: GitError.self) {
            try opened.changes(from: try opened.commitObject(ObjectID(hex: first)!).tree,
                               to: try opened.commitObject(ObjectID(hex: merge)!).tree, contents: false, maxDepth: 64)
        }
    }

    /// A directory that equals the second parent's is still diffed when a directory above it
    /// is not in git's order: looked up by name there, it may not be what a diff finds.
    @Test func aDirectoryUnderADisorderedTreeIsDiffed() throws {
        let opened = try Repository(path: repository.path)
        let (x, y, z) = (try object("blob", Data("x\n".utf8)), try object("blob", Data("y\n".utf8)), try object("blob", Data("z\n".utf8)))
        let oldDirectory = try tree([("100644", "f", x)])
        let newDirectory = try tree([("100644", "f", y)])
        let first = try tree([("40000", "d", oldDirectory), ("100644", "e", z)])
        let second = try tree([("40000", "d", newDirectory), ("100644", "e", z)])
        // In order, the merge's d is the second parent's: nothing introduced.
        let ordered = try tree([("40000", "d", newDirectory), ("100644", "e", z)])
        #expect(try opened.mergeChanges(parents: [ObjectID(hex: first)!, ObjectID(hex: second)!], to: ObjectID(hex: ordered)!, maxDepth: 64).isEmpty)
        // Out of order (e before d), the same entries: d/f counts as introduced.
        let disordered = try tree([("100644", "e", z), ("40000", "d", newDirectory)])
        let introduced = try opened.mergeChanges(
            parents: [ObjectID(hex: first)!, ObjectID(hex: second)!], to: ObjectID(hex: disordered)!, maxDepth: 64)
        // (The diff pairs the entries by order: the first parent's d/f deleted, the merge's added.)
        #expect(introduced.map { "\($0.status) \(String(decoding: $0.oldPath, as: UTF8.self)) \(String(decoding: $0.newPath, as: UTF8.self))" }
            == ["deleted d/f ", "added  d/f"])
    }
}
