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
    private let workers: [Worker]

    init(gatherer: FactGatherer, threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)) throws {
        var workers = [Worker]()
        for _ in 0..<threads {
            var worker = FactGatherer(
                repository: try gatherer.repository.reopen(), contents: gatherer.contents, linesOver: gatherer.linesOver,
                signatures: gatherer.signatures, notes: gatherer.notes)
            worker.merges = gatherer.merges
            worker.parsesEarly = gatherer.parsesEarly
            workers.append(Worker(worker))
        }
        self.workers = workers
    }

    deinit {
        for worker in workers { worker.stop() }
    }

    /// A batch being gathered in the background.
    final class Batch: @unchecked Sendable {
        /// One slot per commit, each written by one worker; read after `done`.
        fileprivate let results: UnsafeMutableBufferPointer<Result<FactGatherer.Gathered, any Error>?>
        fileprivate let done = DispatchGroup()

        fileprivate init(count: Int) {
            results = .allocate(capacity: count)
            results.initialize(repeating: nil)
        }

        deinit {
            results.deinitialize()
            results.deallocate()
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
        let count = workers.count
        // Each worker writes only its own slots; the group's wait orders the reads after.
        for (number, worker) in workers.enumerated() {
            batch.done.enter()
            worker.submit {
                for index in stride(from: number, to: steps.count, by: count) {
                    batch.results[index] = Result { try worker.gatherer.gather(steps[index]) }
                }
                batch.done.leave()
            }
        }
        return batch
    }

    /// A gatherer on a thread of its own, for the pipeline's life: what it reads and caches
    /// is allocated by one thread, so in one of malloc's arenas. (Run on whichever of
    /// Dispatch's threads was free, a worker's caches came to be spread over several arenas,
    /// each keeping the memory its part once held: 3 arenas of 14 to 18 MiB at 200,000 commits.)
    private final class Worker: @unchecked Sendable {
        let gatherer: FactGatherer
        private let lock = NSLock()
        private let ready = DispatchSemaphore(value: 0)
        /// Jobs waiting, first first; nil asks the thread to end.
        private var jobs: [(@Sendable () -> Void)?] = []

        init(_ gatherer: FactGatherer) {
            self.gatherer = gatherer
            let thread = Thread { [self] in run() }
            thread.name = "agentreview gatherer"
            thread.start()
        }

        func submit(_ job: @escaping @Sendable () -> Void) {
            enqueue(job)
        }

        func stop() {
            enqueue(nil)
        }

        private func enqueue(_ job: (@Sendable () -> Void)?) {
            lock.lock()
            jobs.append(job)
            lock.unlock()
            ready.signal()
        }

        private func run() {
            while true {
                ready.wait()
                lock.lock()
                let job = jobs.removeFirst()
                lock.unlock()
                guard let job else { return }
                job()
            }
        }
    }
}
