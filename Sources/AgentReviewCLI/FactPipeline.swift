import AgentReviewCore
import AgentReviewGit
import Foundation

/// Gathers a batch of commits (their objects and the changes they introduce) on worker
/// threads, in the batch's order; the thread that judges parses the rest of each commit
/// (under `unsigned_is_agent` the workers parse it too, and check the signatures that matter;
/// under `agents.notes` they read each commit's git-ai note).
/// Each worker has its own repository handle and uses it alone. One core is left to the
/// thread that judges and writes: on two cores, one worker measured fastest (two workers
/// each need their own object caches, and together read more than one does alone).
final class FactPipeline: @unchecked Sendable {
    private let workers: [FactGatherer]

    init(gatherer: FactGatherer, threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)) throws {
        var workers = [FactGatherer]()
        for _ in 0..<threads {
            var worker = FactGatherer(
                repository: try gatherer.repository.reopen(), contents: gatherer.contents, linesOver: gatherer.linesOver,
                signatures: gatherer.signatures, notes: gatherer.notes)
            worker.merges = gatherer.merges
            worker.parsesEarly = gatherer.parsesEarly
            workers.append(worker)
        }
        self.workers = workers
    }

    /// A batch being gathered in the background.
    final class Batch: @unchecked Sendable {
        fileprivate var results: [Result<FactGatherer.Gathered, any Error>?]
        fileprivate let done = DispatchGroup()

        fileprivate init(count: Int) {
            results = Array(repeating: nil, count: count)
        }

        /// The facts, in order; the first failure, if any.
        func wait() throws -> [FactGatherer.Gathered] {
            done.wait()
            return try results.map { try $0!.get() }
        }
    }

    /// Starts gathering; commit i goes to worker i mod the number of workers.
    func start(_ steps: [WalkStep]) -> Batch {
        let batch = Batch(count: steps.count)
        batch.done.enter()
        DispatchQueue.global().async { [self] in
            let count = workers.count
            // Each worker writes only its own slots; the group's wait orders the reads after.
            batch.results.withUnsafeMutableBufferPointer { slots in
                let results = UnsafeSlots(base: slots.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: count) { worker in
                    for index in stride(from: worker, to: steps.count, by: count) {
                        results.base[index] = Result { try self.workers[worker].gather(steps[index]) }
                    }
                }
            }
            batch.done.leave()
        }
        return batch
    }
}

/// A pointer to result slots that threads write disjointly.
private struct UnsafeSlots: @unchecked Sendable {
    let base: UnsafeMutablePointer<Result<FactGatherer.Gathered, any Error>?>
}
