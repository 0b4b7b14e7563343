import Testing

@testable import AgentReviewCLI

/// The order a long range's batches are started and judged in (`Judge.pipelined`), on plain
/// values: batches are numbers, each with the changed paths it holds.
@Suite struct JudgePipelinedTests {
    struct Walked: Error {}

    /// Runs batches 0..<`count`, batch `i` holding `paths(i)`; the walk fails when asked for
    /// batch `failing`. Returns the batches judged in order, the most that were started and
    /// not yet judged at any time, and whether the walk's failure was thrown.
    private func run(count: Int, paths: @escaping (Int) -> Int, failing: Int? = nil) -> (judged: [Int], mostStarted: Int, threw: Bool) {
        var next = 1
        var judged = [Int]()
        var mostStarted = 1
        do {
            try Judge.pipelined(first: 0) {
                if next == failing { throw Walked() }
                guard next < count else { return nil }
                defer { next += 1 }
                mostStarted = max(mostStarted, next + 1 - judged.count)
                return next
            } paths: { paths($0) } judge: { judged.append($0) }
        } catch {
            return (judged, mostStarted, error is Walked)
        }
        return (judged, mostStarted, false)
    }

    @Test(arguments: [
        // Narrow batches: `batchesAhead` at most are started ahead.
        (paths: 0, mostStarted: Judge.batchesAhead),
        // Two batches reach the bound together: no third is started.
        (paths: Judge.pathsAhead / 2, mostStarted: 2),
        // Each batch alone holds more than the bound: still one at a time, and every one.
        (paths: Judge.pathsAhead + 1, mostStarted: 1),
    ])
    func everyBatchIsJudgedInOrder(paths: Int, mostStarted: Int) {
        let run = run(count: 20, paths: { _ in paths })
        #expect(run.judged == Array(0..<20))
        #expect(run.mostStarted == mostStarted)
        #expect(!run.threw)
    }

    /// Wide batches among narrow ones: the walk goes on once the wide ones are judged.
    @Test func wideBatchesHoldUpTheWalkOnlyUntilJudged() {
        let run = run(count: 30, paths: { $0 % 7 == 3 ? Judge.pathsAhead * 2 : 10 })
        #expect(run.judged == Array(0..<30))
        #expect(run.mostStarted == Judge.batchesAhead)
    }

    /// A walk that fails is reported after every batch walked before it is judged.
    @Test func aFailedWalkIsThrownAfterTheBatchesBeforeIt() {
        let run = run(count: 20, paths: { _ in 0 }, failing: 6)
        #expect(run.judged == Array(0..<6))
        #expect(run.threw)
    }
}
