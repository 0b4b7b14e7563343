@testable import AgentReviewGit
import AgentReviewTestSupport
import Foundation
import Testing

/// Revision walks against `git rev-list TIPS --not HIDDEN` on generated histories: the same
/// commits in the same order, for random tips and hidden commits (and globs of refs), on
/// histories with merges (octopus too), several roots, and committer dates that go far into
/// the future, back in time, and repeat. A walk that leaves out a commit git lists lets that
/// commit through unjudged.
///
/// Each argument is a seed: the same seed makes the same history and the same queries, so a
/// failure names the seed and the query to run again.
@Suite struct WalkPropertyTests {
    static let seeds: [UInt64] = Array(1...32)
    static let queriesPerHistory = 100

    @Test(arguments: seeds)
    func walkGivesWhatRevListGives(seed: UInt64) throws {
        let sandbox = try Sandbox()
        let repository = try sandbox.repository()
        var generator = SplitMix64(seed: seed &* 0x9E37_79B9)
        let history = GeneratedHistory(using: &generator)
        let imported = try Sandbox.run(
            "/usr/bin/git", ["fast-import", "--quiet", "--done"], in: repository, input: Data(history.fastImport.utf8))
        try #require(imported.status == 0, "seed \(seed): fast-import: \(imported.stderr)")

        // Each commit is the ref of its own name, c<index>; and each commit's tree.
        var ids = [String](repeating: "", count: history.commits.count)
        for line in try sandbox.git("for-each-ref", "--format=%(refname:strip=2) %(objectname)", "refs/heads/", in: repository)
            .split(separator: "\n") {
            let fields = line.split(separator: " ")
            ids[Int(fields[0].dropFirst())!] = String(fields[1])
        }
        var trees = [String: String]()
        for line in try sandbox.git("log", "--all", "--format=%H %T", in: repository).split(separator: "\n") {
            let fields = line.split(separator: " ")
            trees[String(fields[0])] = String(fields[1])
        }
        try #require(!ids.contains("") && trees.count == history.commits.count, "seed \(seed): not every commit imported")

        let repo = try Repository(path: repository.path)
        var failures = 0
        for query in 0..<Self.queriesPerHistory {
            let tips = (0..<1 + generator.next(3)).map { _ in generator.next(ids.count) }
            var hidden = [Int]()
            var globs = [String]()
            switch generator.next(10) {
            case 0: break  // nothing hidden: the unlimited walk
            case 1: globs = ["refs/heads/c\(1 + generator.next(9))*"]
            default: hidden = (0..<1 + generator.next(3)).map { _ in generator.next(ids.count) }
            }
            let what = "seed \(seed) query \(query): git rev-list \(tips.map { "c\($0)" }.joined(separator: " ")) --not "
                + (hidden.map { "c\($0)" } + globs.map { "--glob=\($0)" }).joined(separator: " ")

            let walk = try repo.walk(
                from: tips.map { ObjectID(hex: ids[$0])! }, hiding: hidden.map { ObjectID(hex: ids[$0])! }, hidingGlobs: globs)
            var ours = [String]()
            var treesWrong = [String]()
            while let step = try walk.nextStep() {
                ours.append(step.id.hex)
                guard let commit = step.commit else {
                    treesWrong.append("\(step.id.hex) without its object")
                    continue
                }
                if commit.tree.hex != trees[step.id.hex] { treesWrong.append("\(step.id.hex) tree") }
                for (parent, tree) in zip(commit.parents, commit.parentTrees) {
                    if let tree, tree.hex != trees[parent.hex] { treesWrong.append("\(step.id.hex) parent \(parent.hex) tree") }
                }
            }
            let git = try sandbox.git(
                ["rev-list"] + tips.map { ids[$0] } + ["--not"] + hidden.map { ids[$0] } + globs.map { "--glob=\($0)" },
                in: repository
            ).split(separator: "\n").map(String.init)

            if ours != git || !treesWrong.isEmpty {
                failures += 1
                let name = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, "c\($0)") })
                Issue.record("""
                    \(what)
                      ours: \(ours.map { name[$0] ?? $0 }.joined(separator: " "))
                      git:  \(git.map { name[$0] ?? $0 }.joined(separator: " "))
                      missing: \(Set(git).subtracting(ours).map { name[$0] ?? $0 }.sorted())
                      trees: \(treesWrong)
                    history (index: committer date, parents):
                    \(history.description)
                    """)
                if failures == 3 { return }  // enough to reproduce; the rest would repeat it
            }
        }
    }
}

/// A random history: commits in creation order, each with parents among those before it and
/// a committer date from a mix of ways clocks go.
struct GeneratedHistory: CustomStringConvertible {
    struct Commit {
        var parents: [Int]
        var date: Int64
        var file: Int
    }

    var commits = [Commit]()

    static let now: Int64 = 1_700_000_000
    /// 2100-01-01, and a date near the end of what git's usual tools print (year 2286).
    static let future: [Int64] = [4_102_444_800, 9_999_999_999]

    init(using generator: inout SplitMix64) {
        let count = 15 + generator.next(50)
        // How often dates jump, per history, so some histories are mostly tidy and others not.
        let wildness = 1 + generator.next(6)
        for index in 0..<count {
            var parents = [Int]()
            if index > 0 {
                let wanted: Int
                switch generator.next(20) {
                case 0: wanted = 0  // another root
                case 1...12: wanted = 1
                case 13...18: wanted = 2
                default: wanted = 3
                }
                for _ in 0..<wanted {
                    // Mostly recent commits, sometimes any.
                    let back = generator.next(3) == 0 ? generator.next(index) : generator.next(min(index, 4))
                    let parent = index - 1 - back
                    if !parents.contains(parent) { parents.append(parent) }
                }
            }
            let newestParent = parents.map { commits[$0].date }.max() ?? Self.now
            var date: Int64
            switch generator.next(20) {
            case ..<wildness:
                // Far in the future, sometimes exactly the same far date as another commit.
                date = Self.future[generator.next(2)] + Int64(generator.next(3) * 60)
            case ..<(2 * wildness):
                // A clock that went backwards: before its parents, by minutes to years.
                date = newestParent - Int64([60, 3_600, 86_400 * 30, 86_400 * 365 * 3][generator.next(4)])
            case ..<(2 * wildness + 3):
                // The same date as some commit already made.
                date = commits.isEmpty ? Self.now : commits[generator.next(commits.count)].date
            default:
                // The usual: a little after the newest parent, or the same second.
                date = newestParent + Int64(generator.next(3) * 60)
            }
            commits.append(Commit(parents: parents, date: max(0, date), file: generator.next(4)))
        }
    }

    /// A `git fast-import` stream making each commit as `refs/heads/c<index>`, changing one
    /// file of four, so commits have trees of their own.
    var fastImport: String {
        var stream = ""
        func data(_ text: String) { stream += "data \(text.utf8.count)\n\(text)\n" }
        for (index, commit) in commits.enumerated() {
            stream += "commit refs/heads/c\(index)\nmark :\(index + 1)\n"
            stream += "committer Generated <generated@example.com> \(commit.date) +0000\n"
            data("commit \(index)\n")
            if let first = commit.parents.first { stream += "from :\(first + 1)\n" }
            for parent in commit.parents.dropFirst() { stream += "merge :\(parent + 1)\n" }
            stream += "M 100644 inline f\(commit.file).txt\n"
            data("\(index)\n")
        }
        return stream + "done\n"
    }

    var description: String {
        commits.enumerated().map { "  c\($0): \($1.date) \($1.parents.map { "c\($0)" })" }.joined(separator: "\n")
    }
}

/// The walk's bypass end to end: main already holds a commit dated in the future, and an
/// agent's infrastructure commit, dated earlier, comes in merged behind it. The server must
/// judge (and refuse) it, and `agentreview check` must list it, as `git rev-list` does.
@Suite struct FutureDatedHistoryTests {
    @Test func agentCommitMergedBehindAFutureDatedCommitIsJudged() throws {
        let sandbox = try Sandbox()
        let (seed, base) = try sandbox.repositoryWithPolicy(name: "seed")
        let server = sandbox.root.appendingPathComponent("server.git")
        try sandbox.git("init", "-q", "--bare", "-b", "main", server.path, in: sandbox.root)
        try sandbox.git("push", "-q", server.path, "main", in: seed)
        let installed = try sandbox.agentreview(["install", "--server", server.path], in: sandbox.root)
        try #require(installed.status == 0, "\(installed.stderr)")
        let clone = sandbox.root.appendingPathComponent("clone")
        try sandbox.git("clone", "-q", server.path, clone.path, in: sandbox.root)

        let now = Int(try sandbox.git("log", "-1", "--format=%ct", base, in: clone))!
        func commit(_ path: String, _ message: String, at date: Int) throws -> String {
            try sandbox.write(path, "\(message)\n", in: clone)
            try sandbox.git("add", "-A", in: clone)
            try sandbox.git(["commit", "-q", "-m", message], in: clone,
                            environment: ["GIT_AUTHOR_DATE": "@\(date) +0000", "GIT_COMMITTER_DATE": "@\(date) +0000"])
            return try sandbox.git("rev-parse", "HEAD", in: clone)
        }
        func merge(_ branch: String, at date: Int) throws -> String {
            try sandbox.git(["merge", "-q", "--no-ff", "-m", "Merge \(branch)", branch], in: clone,
                            environment: ["GIT_AUTHOR_DATE": "@\(date) +0000", "GIT_COMMITTER_DATE": "@\(date) +0000"])
            return try sandbox.git("rev-parse", "HEAD", in: clone)
        }

        // main: four people's commits, one dated 2100 (a machine with a wrong clock), two more.
        for step in 1...4 { _ = try commit("docs/step\(step).md", "Step \(step)", at: now + 60 * step) }
        let agentFork = try sandbox.git("rev-parse", "HEAD", in: clone)
        let future = try commit("docs/future.md", "Written on a clock in 2100", at: 4_102_444_800)
        try sandbox.git("branch", "topic", in: clone)
        _ = try commit("docs/after.md", "After the future", at: now + 270)
        let old = try commit("docs/later.md", "Later still", at: now + 300)
        let accepted = try Sandbox.run("/usr/bin/git", ["push", "origin", "main"], in: clone)
        try #require(accepted.status == 0, "\(accepted.stderr)")

        // An agent's infrastructure commit, dated a year back, merged into a topic branched
        // from the future-dated commit, and the topic merged into main.
        try sandbox.git("checkout", "-q", "-b", "agent", agentFork, in: clone)
        let agent = try commit("infra/main.tf", "Open the bucket\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
                               at: now - 86_400 * 365)
        try sandbox.git("checkout", "-q", "topic", in: clone)
        _ = try commit("docs/topic.md", "Topic work", at: now + 360)
        _ = try merge("agent", at: now + 420)
        try sandbox.git("checkout", "-q", "main", in: clone)
        let new = try merge("topic", at: now + 480)

        // git lists the agent's commit in the update (so the hook must judge it); the
        // future-dated commit is already on main.
        let listed = try sandbox.git("rev-list", "\(old)..\(new)", in: clone).split(separator: "\n").map(String.init)
        #expect(listed.contains(agent) && !listed.contains(future) && listed.count == 4)

        let refused = try Sandbox.run("/usr/bin/git", ["push", "origin", "main"], in: clone)
        #expect(refused.status != 0, "the agent's infra commit was let through: \(refused.stderr)")
        #expect(refused.stderr.contains(String(agent.prefix(12))), "\(refused.stderr)")
        #expect(refused.stderr.contains("pre-receive hook declined"))
        #expect(try sandbox.git("rev-parse", "main", in: server) == old)

        let (judgement, _) = try sandbox.judgement(["check", old, new, "--ref", "refs/heads/main"], in: clone)
        #expect(judgement.commits.map(\.id) == listed)
        let report = try #require(judgement.commits.first { $0.id == agent })
        #expect(report.agent != nil && report.class == "high" && report.verdict == .blocked)
        #expect(judgement.verdict == .blocked)
    }
}
