@testable import AgentReviewCLI
import AgentReviewCore
import AgentReviewGit
import AgentReviewTestSupport
import Foundation
import Testing

/// Churn on a real history built with the real git, at set dates, to known answers.
///
/// main (day): c0 root, human, base.txt 3 lines (0) · c1 agent, agent.txt 10 lines (1) ·
/// c2 human rewrites 4 of them (4) · c3 human, human.txt 5 lines (5) · c4 agent, gone.txt
/// 6 lines (6) · c5 human deletes gone.txt, rewrites 1 line of human.txt (8) · m1 merges
/// side (10) · c6 human rewrites 2 more of c1's lines (21: 20 days after c1) · m2 merges late
/// (25) · c7 agent, recent.txt 3 lines (30) · c8 human, 1 line of human.txt (35, the tip).
/// side: s1 agent, side.txt 4 lines (9), from c3. late: s2 agent, late.txt 3 lines (2), from
/// c1, merged on day 25, after its window: skipped.
@Suite struct ChurnTests {
    let sandbox: Sandbox
    let url: URL
    var ids: [String: ObjectID] = [:]
    static let day0: Int64 = 1_767_225_600 // 2026-01-01T00:00:00Z

    init() throws {
        sandbox = try Sandbox()
        url = try sandbox.repository()
        func lines(_ prefix: String, _ count: Int) -> String { (1...count).map { "\(prefix)\($0)\n" }.joined() }
        try sandbox.write("base.txt", lines("b", 3), in: url)
        try commit("c0", day: 0)
        try sandbox.write("agent.txt", lines("a", 10), in: url)
        try commit("c1", day: 1)
        try sandbox.git("checkout", "-q", "-b", "late", in: url)
        try sandbox.write("late.txt", lines("l", 3), in: url)
        try commit("s2", day: 2)
        try sandbox.git("checkout", "-q", "main", in: url)
        try sandbox.write("agent.txt", lines("A", 4) + (5...10).map { "a\($0)\n" }.joined(), in: url)
        try commit("c2", day: 4)
        try sandbox.write("human.txt", lines("h", 5), in: url)
        try commit("c3", day: 5)
        try sandbox.git("checkout", "-q", "-b", "side", in: url)
        try sandbox.write("side.txt", lines("s", 4), in: url)
        try commit("s1", day: 9)
        try sandbox.git("checkout", "-q", "main", in: url)
        try sandbox.write("gone.txt", lines("g", 6), in: url)
        try commit("c4", day: 6)
        try FileManager.default.removeItem(at: url.appendingPathComponent("gone.txt"))
        try sandbox.write("human.txt", "h1\nh2\nH3\nh4\nh5\n", in: url)
        try commit("c5", day: 8)
        try merge("side", "m1", day: 10)
        try sandbox.write("agent.txt", lines("A", 6) + (7...10).map { "a\($0)\n" }.joined(), in: url)
        try commit("c6", day: 21)
        try merge("late", "m2", day: 25)
        try sandbox.write("recent.txt", lines("r", 3), in: url)
        try commit("c7", day: 30)
        try sandbox.write("human.txt", "h1\nh2\nH3\nh4\nh5\nh6\n", in: url)
        try commit("c8", day: 35)
    }

    func environment(day: Int64) -> [String: String] {
        let date = "@\(Self.day0 + day * 86400) +0000"
        return ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date]
    }

    mutating func commit(_ name: String, day: Int64) throws {
        try sandbox.git("add", "-A", in: url)
        try sandbox.git(["commit", "-q", "-m", name], in: url, environment: environment(day: day))
        ids[name] = ObjectID(hex: try sandbox.git("rev-parse", "HEAD", in: url))
    }

    mutating func merge(_ branch: String, _ name: String, day: Int64) throws {
        try sandbox.git(["merge", "-q", "--no-ff", "-m", name, branch], in: url, environment: environment(day: day))
        ids[name] = ObjectID(hex: try sandbox.git("rev-parse", "HEAD", in: url))
    }

    /// git's own count: lines `git blame OLDEST..NEWEST -- PATH` gives to the commit.
    func gitBlame(_ commit: String, _ path: String, at newest: String, oldest: String?) throws -> Int {
        let range = oldest.map { "\(ids[$0]!.hex)..\(ids[newest]!.hex)" } ?? ids[newest]!.hex
        // --root: git marks a root commit's lines as boundary otherwise.
        let output = try sandbox.git(["blame", "-l", "-s", "--root", range, "--", path], in: url)
        return output.split(separator: "\n").filter { $0.hasPrefix(ids[commit]!.hex) }.count
    }

    @Test func linesAttributedAgreesWithKnownAnswersAndGitBlame() throws {
        let repository = try Repository(path: url.path)
        func attributed(_ commit: String, _ path: String, at newest: String, oldest: String?) throws -> Int {
            try repository.linesAttributed(
                to: ids[commit]!, inFile: Array(path.utf8), at: ids[newest]!, oldest: oldest.map { ids[$0]! })
        }
        // c1's 10 lines: all at c1, 6 once c2 rewrote 4, 4 once c6 rewrote 2 more.
        #expect(try attributed("c1", "agent.txt", at: "c1", oldest: "c0") == 10)
        #expect(try attributed("c1", "agent.txt", at: "m1", oldest: "c0") == 6)
        #expect(try attributed("c1", "agent.txt", at: "c8", oldest: "c0") == 4)
        #expect(try gitBlame("c1", "agent.txt", at: "m1", oldest: "c0") == 6)
        #expect(try gitBlame("c1", "agent.txt", at: "c8", oldest: "c0") == 4)
        // A file deleted at N, a path the commit did not touch, a path that never was.
        #expect(try attributed("c4", "gone.txt", at: "m1", oldest: "c3") == 0)
        #expect(try attributed("c1", "base.txt", at: "m1", oldest: "c0") == 0)
        #expect(try attributed("c1", "nope/none.txt", at: "m1", oldest: "c0") == 0)
        // A root commit, blamed to the root.
        #expect(try attributed("c0", "base.txt", at: "c8", oldest: nil) == 3)
        #expect(try gitBlame("c0", "base.txt", at: "c8", oldest: nil) == 3)
        // Through a merge: a side branch keeps its lines (blame follows every parent).
        #expect(try attributed("s1", "side.txt", at: "c6", oldest: "c3") == 4)
        #expect(try gitBlame("s1", "side.txt", at: "c6", oldest: "c3") == 4)
        // c3's 5 lines, one rewritten by c5.
        #expect(try attributed("c3", "human.txt", at: "m1", oldest: "c2") == 4)
        #expect(try gitBlame("c3", "human.txt", at: "m1", oldest: "c2") == 4)
        // Containment.
        #expect(try repository.history(of: ids["m1"]!, contains: ids["s1"]!))
        #expect(try repository.history(of: ids["m1"]!, contains: ids["m1"]!))
        #expect(try !repository.history(of: ids["m1"]!, contains: ids["s2"]!))
        #expect(try !repository.history(of: ids["c1"]!, contains: ids["c2"]!))
    }

    @Test func meterFedByTheWalkGivesExactFigures() throws {
        let repository = try Repository(path: url.path)
        let tip = ids["c8"]!
        let agents: Set<String> = ["c1", "c4", "s1", "s2", "c7"]
        let names = Dictionary(uniqueKeysWithValues: ids.map { ($1, $0) })
        var meter = try ChurnMeter(repository: repository, tip: tip, days: 14)
        let walk = try repository.walk(from: [tip])
        var order = [String]()
        while let step = try walk.nextStep() {
            let object = try step.commit ?? repository.commitObject(step.id)
            let info = try repository.commit(object)
            let name = names[step.id]!
            order.append(name)
            try meter.add(
                commit: step.id, parents: object.parents, committerTime: info.committer.time,
                author: agents.contains(name) ? .agent : .human, counted: object.parents.count <= 1,
                added: try ChurnMeter.addedLines(of: step.commit, id: step.id, in: repository))
        }
        #expect(order == ["c8", "c7", "m2", "c6", "m1", "s1", "c5", "c4", "c3", "c2", "s2", "c1", "c0"])
        // Agent: c1 10 added, 4 rewritten within 14 days (c6's 2 came on day 21); c4 6 added,
        // all deleted by c5; s1 4 added, all kept through m1. s2 skipped, c7 too recent.
        // Human: c0 3, c2 4, c3 5 (1 rewritten by c5), c5 1, c6 2 (its window ends at the tip,
        // exactly); c8 too recent.
        let figures = meter.figures()
        #expect(figures == ChurnFigures(days: 14, agent: Ratio(10, of: 20), human: Ratio(1, of: 15), tooRecent: 2, skipped: 1, blamed: 8))
        #expect(meter.skipped == 1)
    }

    @Test func addedLinesCountsEachFileAgainstTheFirstParent() throws {
        let repository = try Repository(path: url.path)
        func added(_ name: String) throws -> [String: Int] {
            let lines = try ChurnMeter.addedLines(of: nil, id: ids[name]!, in: repository)
            return Dictionary(uniqueKeysWithValues: lines.map { (String(decoding: $0.path, as: UTF8.self), $0.lines) })
        }
        #expect(try added("c0") == ["base.txt": 3])
        #expect(try added("c2") == ["agent.txt": 4])
        #expect(try added("c5") == ["human.txt": 1])
        #expect(try added("m1").isEmpty)
    }
}

/// The cost of churn on a real history: set CHURN_REPOSITORY to a repository (libgit2's, for
/// docs/performance.md) and CHURN_MONTHS (6 unless set); prints commits, files blamed and
/// seconds to stderr. Asserts nothing about time.
@Suite struct ChurnCost {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CHURN_REPOSITORY"] != nil))
    func churnOverRecentMonths() throws {
        let environment = ProcessInfo.processInfo.environment
        let repository = try Repository(path: environment["CHURN_REPOSITORY"]!)
        let months = Int64(environment["CHURN_MONTHS"] ?? "6") ?? 6
        let tip = try repository.resolveCommit("HEAD")
        let since = try repository.commit(tip).committer.time - months * 30 * 86400
        var meter = try ChurnMeter(repository: repository, tip: tip, days: 14)
        let walk = try repository.walk(from: [tip])
        let clock = ContinuousClock()
        var walked = 0, counted = 0
        var blameTime = Duration.zero, diffTime = Duration.zero
        let start = clock.now
        while let step = try walk.nextStep() {
            let object = try step.commit ?? repository.commitObject(step.id)
            let info = try repository.commit(object)
            if info.committer.time < since { break }
            walked += 1
            let isCounted = object.parents.count <= 1
            if isCounted { counted += 1 }
            var added = [(path: [UInt8], lines: Int)]()
            diffTime += try clock.measure {
                added = isCounted ? try ChurnMeter.addedLines(of: step.commit, id: step.id, in: repository) : []
            }
            blameTime += try clock.measure {
                try meter.add(
                    commit: step.id, parents: object.parents, committerTime: info.committer.time, author: .human,
                    counted: isCounted, added: added)
            }
        }
        let figures = meter.figures()
        FileHandle.standardError.write(Data("""
            churn cost: \(months) months, \(walked) commits walked, \(counted) non-merge, too recent \(figures.tooRecent), \
            skipped \(meter.skipped), files blamed \(figures.blamed), lines \(figures.human); \
            total \(clock.now - start), added lines \(diffTime), meter (blame) \(blameTime)

            """.utf8))
    }
}
