import AgentReviewGit
import AgentReviewTestSupport
import Foundation
import Testing

/// The libgit2 boundary against git itself: our tree diff, line counts and patch-ids
/// must say what `git diff-tree`, `git diff --numstat` and `git patch-id` say.
@Suite struct GitBoundaryTests {
    let sandbox: Sandbox
    let repository: URL
    let commits: [String]

    /// A history that covers the shapes a tree diff can take.
    init() throws {
        sandbox = try Sandbox()
        repository = try sandbox.repository()
        var commits = [String]()
        try sandbox.write("a.txt", "one\ntwo\n", in: repository)
        try sandbox.write("dir/sub/deep.txt", "deep\n", in: repository)
        try sandbox.write("dir/x.txt", "x\n", in: repository)
        try sandbox.write("foo", "a file named foo\n", in: repository)
        try sandbox.write("foo-bar/y.txt", "y\n", in: repository)
        commits.append(try sandbox.commit("root", in: repository))
        // Modify, add deep, delete.
        try sandbox.write("a.txt", "one\nthree\nfour\n", in: repository)
        try sandbox.write("dir/sub/new/leaf.txt", "leaf\n", in: repository)
        try FileManager.default.removeItem(at: repository.appendingPathComponent("dir/x.txt"))
        commits.append(try sandbox.commit("modify, add, delete", in: repository))
        // A file becomes a directory (git order puts "foo" and "foo/" apart), a mode change, a symlink.
        try FileManager.default.removeItem(at: repository.appendingPathComponent("foo"))
        try sandbox.write("foo/inside.txt", "now a directory\n", in: repository)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: repository.appendingPathComponent("a.txt").path)
        try FileManager.default.createSymbolicLink(atPath: repository.appendingPathComponent("link").path, withDestinationPath: "a.txt")
        commits.append(try sandbox.commit("type changes", in: repository))
        // A symlink becomes a file; a whole directory goes; binary content; a gitlink.
        try FileManager.default.removeItem(at: repository.appendingPathComponent("link"))
        try sandbox.write("link", "a regular file now\n", in: repository)
        try FileManager.default.removeItem(at: repository.appendingPathComponent("dir"))
        try Data([0, 1, 2, 3, 0xFF, 0]).write(to: repository.appendingPathComponent("blob.bin"))
        commits.append(try sandbox.commit("more", in: repository))
        try sandbox.git("update-index", "--add", "--cacheinfo", "160000,\(commits[0]),vendor/lib", in: repository)
        try sandbox.git(["commit", "-q", "-m", "gitlink"], in: repository)
        commits.append(try sandbox.git("rev-parse", "HEAD", in: repository))
        self.commits = commits
    }

    /// `git diff-tree` of a commit against its parent (the empty tree for the root): sorted `STATUS\tPATH` lines.
    func gitChanges(_ commit: String) throws -> [String] {
        let raw = try sandbox.git(["diff-tree", "-r", "--root", "--no-renames", "--no-commit-id", "--name-status", commit], in: repository)
        return raw.split(separator: "\n").map(String.init).sorted()
    }

    func ourChanges(_ commit: String, contents: Bool = false) throws -> [FileChange] {
        let repo = try Repository(path: repository.path)
        let info = try repo.commit(try #require(ObjectID(hex: commit)))
        let parentTree = try info.parents.first.map { try repo.commit($0).tree }
        return try repo.changes(from: parentTree, to: info.tree, contents: contents, maxDepth: 4096)
    }

    @Test func treeDiffAgreesWithGitDiffTree() throws {
        for commit in commits {
            let ours = try ourChanges(commit).flatMap { change -> [String] in
                let path = String(decoding: change.newPath.isEmpty ? change.oldPath : change.newPath, as: UTF8.self)
                switch change.status {
                case .added: return ["A\t\(path)"]
                case .deleted: return ["D\t\(path)"]
                case .typeChange: return ["T\t\(path)"]
                default: return ["M\t\(path)"]
                }
            }.sorted()
            #expect(ours == (try gitChanges(commit)), "commit \(commit)")
        }
    }

    @Test func lineCountsAndBinaryAgreeWithNumstat() throws {
        for commit in commits.dropFirst() {
            let numstat = try sandbox.git(["diff", "--numstat", "--no-renames", "\(commit)~1", commit], in: repository)
            var expected = [String: String]()
            for line in numstat.split(separator: "\n") {
                let fields = line.split(separator: "\t", maxSplits: 2)
                expected[String(fields[2])] = "\(fields[0]) \(fields[1])"
            }
            for change in try ourChanges(commit, contents: true) {
                let path = String(decoding: change.newPath.isEmpty ? change.oldPath : change.newPath, as: UTF8.self)
                guard let want = expected[path], change.newMode != 0o160000, change.oldMode != 0o160000 else { continue }
                let got = change.isBinary == true ? "- -" : "\(change.linesAdded ?? -1) \(change.linesDeleted ?? -1)"
                // A type change is two entries in numstat (deleted and added); compare plain changes only.
                if change.status != .typeChange { #expect(got == want, "\(path) in \(commit)") }
            }
        }
    }

    /// `isAncestor` (our own walk) against `git merge-base --is-ancestor` for every pair of
    /// commits of a history with a side branch and a merge; a commit is not its own ancestor.
    @Test func isAncestorAgreesWithGit() throws {
        try sandbox.git("checkout", "-q", "-b", "side", commits[1], in: repository)
        try sandbox.write("side.txt", "side\n", in: repository)
        let side = try sandbox.commit("side", in: repository)
        try sandbox.git("checkout", "-q", "main", in: repository)
        try sandbox.git(["merge", "-q", "--no-ff", "-m", "merge", "side"], in: repository)
        let merge = try sandbox.git("rev-parse", "HEAD", in: repository)
        // Clocks gone backwards: ten commits dated years before everything under them.
        var old = [String]()
        for index in 0..<10 {
            try sandbox.write("old.txt", "\(index)\n", in: repository)
            try sandbox.git("add", "-A", in: repository)
            let date = "\(1_500_000_000 + index) +0000"
            try sandbox.git(["commit", "-q", "-m", "old \(index)"], in: repository,
                            environment: ["GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date])
            old.append(try sandbox.git("rev-parse", "HEAD", in: repository))
        }
        let all = commits + [side, merge] + old
        let repo = try Repository(path: repository.path)
        for a in all {
            for b in all {
                let git = try Sandbox.run("/usr/bin/git", ["merge-base", "--is-ancestor", a, b], in: repository).status == 0
                let ours = try repo.isAncestor(try #require(ObjectID(hex: a)), of: try #require(ObjectID(hex: b)))
                #expect(ours == (git && a != b), "\(a.prefix(7)) ancestor of \(b.prefix(7))")
            }
        }
    }

    /// For changes of content, as the design states. (For a file that turns into a
    /// directory or a symlink, libgit2 and git print the change differently; approvals
    /// bind to our own computation on both sides, so only stability matters there.)
    @Test func patchIDAgreesWithGitPatchIDStable() throws {
        let repo = try Repository(path: repository.path)
        for commit in [commits[1]] {
            let show = try Sandbox.run("/usr/bin/git", ["show", "--no-renames", commit], in: repository)
            let patchID = try Sandbox.run("/usr/bin/git", ["patch-id", "--stable"], in: repository, input: Data(show.stdout.utf8))
            let expected = String(patchID.stdout.prefix(40))
            #expect(try repo.patchID(of: try #require(ObjectID(hex: commit)), maxDepth: 4096, whitespace: .ignored).hex == expected, "commit \(commit)")
        }
    }
}
