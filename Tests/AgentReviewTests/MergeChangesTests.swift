@testable import AgentReviewCLI
import AgentReviewGit
import AgentReviewTestSupport
import Foundation
import Testing

/// What a merge introduces, as the judging path gathers it (`MergeChanges.introduced` over a
/// diff against each parent), against git's own answer: `git diff-tree -c` lists the files
/// that differ from every parent.
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
}
