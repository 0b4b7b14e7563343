@testable import AgentReviewCLI
@testable import AgentReviewGit
import AgentReviewTestSupport
import Foundation
import Testing

/// The worker threads' pipeline: a worker that has gathered its batch finishes commits of
/// the batches not yet judged, the oldest first, from each one's end, while the judging
/// thread takes them from the front; each commit is finished once, by one of them, and
/// handed out in order.
@Suite struct FactPipelineTests {
    let sandbox: Sandbox
    let repository: Repository
    let steps: [WalkStep]

    init() throws {
        sandbox = try Sandbox()
        let directory = try sandbox.repository()
        var stream = ""
        for index in 0..<300 {
            let message = "Change \(index)\n"
            stream += "commit refs/heads/main\ncommitter Hugh Mann <hugh@example.com> \(1_700_000_000 + index) +0000\n"
            stream += "data \(message.utf8.count)\n\(message)\nM 100644 inline file\(index % 7).txt\ndata 4\n\(index % 10)00\n\n"
        }
        _ = try Sandbox.run("/usr/bin/git", ["fast-import", "--quiet"], in: directory, input: Data(stream.utf8))
        repository = try Repository(path: directory.path)
        steps = try sandbox.git("rev-list", "main", in: directory).split(separator: "\n").map {
            WalkStep(id: ObjectID(hex: String($0))!, commit: nil)
        }
        try #require(steps.count == 300)
    }

    private func pipeline(_ finish: @escaping FactPipeline<String>.Finish) throws -> FactPipeline<String> {
        try FactPipeline(gatherer: FactGatherer(repository: repository, contents: false, linesOver: nil), threads: 1, finish: finish)
    }

    /// What the judging thread is handed for commit `index`: `worker ID` for a commit a
    /// worker finished, `gathered ID` for one left to it.
    private func take(_ batch: FactPipeline<String>.Batch, _ index: Int) -> String {
        switch batch.take(index) {
        case .finished(let finished): finished
        case .gathered(let gathered): "gathered \(gathered.commit.id)"
        }
    }

    /// Waits for `count` signals of `semaphore`, a minute at most.
    private func waitFor(_ semaphore: DispatchSemaphore, _ count: Int) -> Bool {
        (0..<count).allSatisfy { _ in semaphore.wait(timeout: .now() + 60) == .success }
    }

    @Test func aWorkerWithNothingElseToDoFinishesTheWholeBatch() throws {
        let done = DispatchSemaphore(value: 0)
        let pipeline = try pipeline { _, gathered in
            defer { done.signal() }
            return "worker \(gathered.commit.id)"
        }
        let batch = pipeline.start(steps)
        try batch.wait()
        try #require(waitFor(done, steps.count))
        for (index, step) in steps.enumerated() {
            #expect(take(batch, index) == "worker \(step.id)")
        }
    }

    /// A commit that cannot be gathered fails the batch: waiting for it throws the error of
    /// the first such commit in the batch's order, whichever was gathered first.
    @Test func theFirstFailureInOrderIsThrown() throws {
        var broken = steps
        let missing = [ObjectID(hex: String(repeating: "ab", count: 20))!, ObjectID(hex: String(repeating: "cd", count: 20))!]
        broken[7] = WalkStep(id: missing[0], commit: nil)
        broken[200] = WalkStep(id: missing[1], commit: nil)
        let pipeline = try pipeline { _, gathered in "worker \(gathered.commit.id)" }
        let batch = pipeline.start(broken)
        #expect {
            try batch.wait()
        } throws: { error in
            "\(error)".contains(missing[0].description) && !"\(error)".contains(missing[1].description)
        }
    }

    /// A pipeline whose worker signals `entered` as it starts finishing a commit, and is
    /// held there until the test signals `gate` (open for good from then on).
    private func gatedPipeline() throws -> (FactPipeline<String>, entered: DispatchSemaphore, gate: DispatchSemaphore) {
        let entered = DispatchSemaphore(value: 0)
        let gate = DispatchSemaphore(value: 0)
        let pipeline = try pipeline { _, gathered in
            entered.signal()
            gate.wait()
            gate.signal()
            return "worker \(gathered.commit.id)"
        }
        return (pipeline, entered, gate)
    }

    @Test func whatTheJudgingThreadReachesFirstIsItsOwn() throws {
        let (pipeline, entered, gate) = try gatedPipeline()
        let batch = pipeline.start(steps)
        try batch.wait()
        // The worker holds the last commit; every other one is the judging thread's.
        try #require(waitFor(entered, 1))
        for index in 0..<(steps.count - 1) {
            #expect(take(batch, index) == "gathered \(steps[index].id)")
        }
        gate.signal()
        // The last is the worker's, waited for; and it takes no other.
        #expect(take(batch, steps.count - 1) == "worker \(steps[steps.count - 1].id)")
        #expect(entered.wait(timeout: .now() + 0.2) == .timedOut)
    }

    @Test func aCommitTheWorkerLeavesIsTheJudgingThreads() throws {
        let done = DispatchSemaphore(value: 0)
        let even = Set(steps.enumerated().filter { $0.offset % 2 == 0 }.map(\.element.id))
        let pipeline = try pipeline { _, gathered in
            defer { done.signal() }
            return even.contains(gathered.commit.id) ? nil : "worker \(gathered.commit.id)"
        }
        let batch = pipeline.start(steps)
        try batch.wait()
        try #require(waitFor(done, steps.count))
        for (index, step) in steps.enumerated() {
            #expect(take(batch, index) == (index % 2 == 0 ? "gathered" : "worker") + " \(step.id)")
        }
    }

    /// A pipeline whose worker records each commit it starts finishing and signals `entered`,
    /// then waits there for a signal of `turn`, one per commit.
    private func turnstilePipeline() throws -> (FactPipeline<String>, entered: DispatchSemaphore, turn: DispatchSemaphore, finishing: Finishing) {
        let entered = DispatchSemaphore(value: 0)
        let turn = DispatchSemaphore(value: 0)
        let finishing = Finishing()
        let pipeline = try pipeline { _, gathered in
            finishing.add(gathered.commit.id)
            entered.signal()
            turn.wait()
            return "worker \(gathered.commit.id)"
        }
        return (pipeline, entered, turn, finishing)
    }

    /// The next batch comes first: a worker given one stops finishing the batch before and
    /// gathers it. Then, with nothing else to do, it goes back to the older batch, which the
    /// judging thread reaches first, rather than the newer.
    @Test func aWaitingBatchComesFirstThenTheOlderOne() throws {
        let (pipeline, entered, turn, finishing) = try turnstilePipeline()
        let first = pipeline.start(Array(steps[..<150]))
        try first.wait()
        try #require(waitFor(entered, 1))
        let second = pipeline.start(Array(steps[150...]))
        turn.signal()
        try #require(waitFor(entered, 1))
        // The worker, finishing its next commit, had gathered the whole second batch (each
        // commit of the fixture changes one path) ...
        #expect(second.gatheredPaths == 150)
        turn.signal()
        try #require(waitFor(entered, 1))
        // ... and went on with the first batch, from its end.
        #expect(finishing.ids == [steps[149].id, steps[148].id, steps[147].id])
        for _ in 0..<steps.count { turn.signal() }
        for (batch, offset) in [(first, 0), (second, 150)] {
            for index in 0..<batch.count {
                let id = steps[offset + index].id
                #expect(take(batch, index) == (finishing.ids.contains(id) ? "worker \(id)" : "gathered \(id)"))
            }
        }
    }

    /// A batch judged and released is let go of: no worker keeps it to finish commits from,
    /// even one never idle enough to look for them.
    @Test func aReleasedBatchIsLetGoOf() throws {
        let pipeline = try pipeline { _, gathered in "worker \(gathered.commit.id)" }
        weak var released: FactPipeline<String>.Batch?
        do {
            let batch = pipeline.start(Array(steps[..<150]))
            try batch.wait()
            for index in 0..<150 { _ = take(batch, index) }
            pipeline.release(batch)
            released = batch
        }
        // The release runs before the next job, which has ended once its batch is gathered.
        let next = pipeline.start(Array(steps[150...]))
        try next.wait()
        #expect(released == nil)
    }

    /// A pipeline whose worker finishes every commit as a `Marker`, signalling `done` for
    /// each; `released` records the thread each marker is let go of on.
    private func markerPipeline() throws -> (FactPipeline<Marker>, released: Released, done: DispatchSemaphore) {
        let released = Released()
        let done = DispatchSemaphore(value: 0)
        let pipeline = try FactPipeline<Marker>(
            gatherer: FactGatherer(repository: repository, contents: false, linesOver: nil), threads: 1
        ) { _, gathered in
            defer { done.signal() }
            return Marker(gathered.commit.id, released)
        }
        return (pipeline, released, done)
    }

    /// What the judging thread hands back is let go of on the worker that made it, once the
    /// batch is released (`release`), before the worker's next job: not on the judging
    /// thread, and not before.
    @Test func whatIsHandedBackIsLetGoOfByTheWorker() throws {
        let (pipeline, released, done) = try markerPipeline()
        let first = pipeline.start(Array(steps[..<150]))
        try first.wait()
        try #require(waitFor(done, 150))
        for index in 0..<150 {
            guard case .finished(let marker) = first.take(index) else { Issue.record("commit \(index) not finished"); continue }
            #expect(marker.id == steps[index].id)
            #expect(first.handBack(finished: marker, at: index, paths: 1))
        }
        #expect(released.threads.isEmpty, "let go of before the batch was released")
        pipeline.release(first)
        // The worker lets go of them before its next job, gathering the next batch.
        let second = pipeline.start(Array(steps[150...]))
        try second.wait()
        let threads = released.threads
        #expect(threads.count == 150)
        #expect(!threads.contains { pthread_equal($0, pthread_self()) != 0 }, "let go of on the judging thread")
    }
}

extension FactPipelineTests {
    /// A worker that reads trees only has the caches for that; one that reads blob
    /// contents (line counts, binary detection) keeps the smaller ones, which bound the
    /// memory blobs take.
    @Test func workersCacheForWhatTheyRead() throws {
        for contents in [false, true] {
            let pipeline = try FactPipeline<String>(
                gatherer: FactGatherer(repository: repository, contents: contents, linesOver: contents ? 10 : nil), threads: 2)
            let expected = contents ? Repository.PackCaches.withBlobs : .treesOnly
            #expect(pipeline.workerGatherers.count == 2)
            for gatherer in pipeline.workerGatherers {
                #expect(gatherer.repository.packReader.budgets == (expected.bases, expected.links), "contents: \(contents)")
            }
        }
    }

    /// A batch holds at most `handBackPaths` changed paths handed back: a commit past that
    /// is let go of at once, on the judging thread, so that huge commits are not held.
    @Test func whatIsHandedBackIsBounded() throws {
        let (pipeline, released, done) = try markerPipeline()
        let batch = pipeline.start(Array(steps[..<3]))
        try batch.wait()
        try #require(waitFor(done, 3))
        let budget = FactPipeline<Marker>.handBackPaths
        for (index, paths) in [budget - 1, 2, 1].enumerated() {
            guard case .finished(let marker) = batch.take(index) else { Issue.record("commit \(index) not finished"); continue }
            // The first fits, the second would pass the bound, the third fits again.
            #expect(batch.handBack(finished: marker, at: index, paths: paths) == (index != 1))
        }
        let threads = released.threads
        #expect(threads.count == 1, "only the commit past the bound is let go of now")
        #expect(threads.allSatisfy { pthread_equal($0, pthread_self()) != 0 }, "on the judging thread")
    }
}

/// A worker's finished commit that says on which thread it was let go of.
private final class Marker: Sendable {
    let id: ObjectID
    let released: Released
    init(_ id: ObjectID, _ released: Released) {
        self.id = id
        self.released = released
    }
    deinit { released.add(pthread_self()) }
}

/// The commits a worker started finishing, in order.
private final class Finishing: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [ObjectID] = []
    func add(_ id: ObjectID) { lock.withLock { list.append(id) } }
    var ids: [ObjectID] { lock.withLock { list } }
}

private final class Released: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [pthread_t] = []
    func add(_ thread: pthread_t) { lock.withLock { list.append(thread) } }
    var threads: [pthread_t] { lock.withLock { list } }
}
