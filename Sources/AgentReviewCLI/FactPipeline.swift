import AgentReviewSupport
import Dispatch
import AgentReviewCore
import AgentReviewGit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Gathers a batch of commits (their objects and the changes they introduce) on worker
/// threads, in the batch's order; the thread that judges parses the rest of each commit
/// (under `unsigned_is_agent` the workers parse it too, and check the signatures that matter;
/// under `agents.notes` they read each commit's git-ai note).
/// Each worker has its own repository handle and uses it alone. One core is left to the
/// thread that judges and writes: on two cores, one worker measured fastest (two workers
/// each need their own object caches, and together read more than one does alone).
///
/// With `finish`, a worker that has gathered its batch and has nothing else to do goes on
/// with the commits of the batches not yet judged, the oldest first, each from its end,
/// finishing them (parsing and judging) while the judging thread works from the front,
/// until it is given another job: the thread with less to do takes over what the other
/// has not reached. The judging thread asks for each commit in order (`Batch.take(_:)`),
/// and finishes itself each one no worker has taken.
final class FactPipeline<Finished: Sendable>: @unchecked Sendable {
    /// Finishes one gathered commit on a worker, with the worker's own gatherer; nil leaves
    /// it to the judging thread (a commit that needs what only that thread has, or a failure,
    /// which that thread then reports in order).
    typealias Finish = @Sendable (FactGatherer, FactGatherer.Gathered) -> Finished?

    private let workers: [Worker]
    private let finish: Finish?
    /// The batches started and not yet taken whole: where a worker with nothing else to do
    /// finds commits to finish.
    private let pending = Pending()

    /// The most changed paths a batch holds handed back (`Batch.handBack`): a few hundred
    /// in a batch of ordinary commits, while a batch of huge ones is let go of as it is
    /// judged, as it was before hand-backs, so that what is held stays bounded.
    static var handBackPaths: Int { 16_384 }

    init(gatherer: FactGatherer, threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount - 1), finish: Finish? = nil) throws {
        var workers = [Worker]()
        for _ in 0..<threads {
            var worker = FactGatherer(
                repository: try gatherer.repository.reopen(packCaches: gatherer.contents ? .withBlobs : .treesOnly),
                contents: gatherer.contents, linesOver: gatherer.linesOver,
                signatures: gatherer.signatures, notes: gatherer.notes)
            worker.merges = gatherer.merges
            worker.parsesEarly = gatherer.parsesEarly
            workers.append(Worker(worker))
        }
        self.workers = workers
        self.finish = finish
    }

    deinit {
        for worker in workers { worker.stop() }
    }

    /// Each worker's gatherer (for tests: a worker's is used on its thread only).
    var workerGatherers: [FactGatherer] { workers.map(\.gatherer) }

    /// A batch being gathered in the background.
    final class Batch: @unchecked Sendable {
        /// One slot per commit, each written by one worker; read after `done`. A commit's is
        /// cleared once it is handed on: by the worker that finished it, or by `take(_:)`.
        fileprivate let results: UnsafeMutableBufferPointer<Result<FactGatherer.Gathered, any Error>?>
        fileprivate let done = DispatchGroup()

        /// What is below is guarded by `claims`.
        private let claims = Condition()
        /// The commits from here on are taken by workers, to finish.
        private var stolen: Int
        /// The commits below here are the judging thread's.
        private var taken = 0
        /// Workers still gathering: commits are taken only once none is.
        private var gathering: Int
        /// The first commit whose gathering failed, if any.
        private var failed: Int?
        /// The changed paths gathered so far.
        private var paths = 0
        /// A worker's finished commit, set once it is done with it (nil inside: it left it).
        private let finishedSlots: UnsafeMutableBufferPointer<Finished??>
        /// The worker that finished each commit (meaningful where one did).
        private let finishers: UnsafeMutableBufferPointer<Int>
        /// What the judging thread is done with, by the worker whose arena holds it, and how
        /// many changed paths it holds in all.
        private var handedBack: [[Taken]]
        private var handedBackPaths = 0

        fileprivate init(count: Int, workers: Int) {
            results = .allocate(capacity: count)
            results.initialize(repeating: nil)
            finishedSlots = .allocate(capacity: count)
            finishedSlots.initialize(repeating: nil)
            finishers = .allocate(capacity: count)
            finishers.initialize(repeating: 0)
            handedBack = Array(repeating: [], count: workers)
            stolen = count
            gathering = workers
        }

        deinit {
            results.deinitialize()
            results.deallocate()
            finishedSlots.deinitialize()
            finishedSlots.deallocate()
            finishers.deallocate()
        }

        var count: Int { results.count }

        /// Waits until every commit is gathered; throws the first failure, if any.
        func wait() throws {
            done.wait()
            claims.lock()
            defer { claims.unlock() }
            // The first failure is the one stored, not found by reading every slot: reading
            // one copies it, and retains everything in it.
            if let failed, case .failure(let error)? = results[failed] { throw error }
        }

        /// The changed paths of the commits gathered so far.
        var gatheredPaths: Int {
            claims.lock()
            defer { claims.unlock() }
            return paths
        }

        /// Stores what gathering commit `index` came to.
        fileprivate func store(gathered result: consuming Result<FactGatherer.Gathered, any Error>, at index: Int) {
            claims.lock()
            switch result {
            case .success(let gathered): paths += gathered.changes.count
            case .failure: failed = min(failed ?? index, index)
            }
            claims.unlock()
            results[index] = result
        }

        /// One commit of the batch, handed to the judging thread.
        enum Taken {
            /// A worker finished it.
            case finished(Finished)
            /// Gathered, for the judging thread to finish; the batch no longer holds it.
            case gathered(FactGatherer.Gathered)
        }

        /// Commit `index`, as a worker finished it (waiting while one is at it) or as
        /// gathered. Asked in order, after `wait()`.
        func take(_ index: Int) -> Taken {
            claims.lock()
            defer { claims.unlock() }
            // Each value is moved out of its slot, not copied: a copy retains everything in it,
            // and releases it again when the slot is cleared, on memory the other thread wrote.
            if index >= stolen {
                while finishedSlots[index] == nil { claims.wait() }
                // A slot taken from is not read again, left (nil inside) or not.
                if case .some(.some(let finished)) = finishedSlots[index].take() { return .finished(finished) }
            } else {
                taken = index + 1
            }
            // Below `stolen` no worker reads the slot any more: it is this thread's to clear.
            // (A commit a worker left is read there too, but only until it stored nil.)
            guard case .success(let gathered)? = results[index].take() else { preconditionFailure("taken before wait()") }
            return .gathered(gathered)
        }

        /// Commit `index` as a worker finished it, which the judging thread is done with: let
        /// go of by that worker when it starts the batch after next. (Freed on the judging
        /// thread, what a worker allocated goes back to the worker's malloc arena under the
        /// arena's lock, which the worker, allocating, mostly holds: the two threads then wait
        /// on each other.)
        ///
        /// What a batch holds handed back is bounded: a commit that would take it past
        /// `handBackPaths` changed paths (`paths`, this commit's) is let go of at once, on the
        /// judging thread, as before hand-backs; false then.
        @discardableResult
        func handBack(finished: consuming Finished, at index: Int, paths: Int) -> Bool {
            claims.lock()
            defer { claims.unlock() }
            guard keeps(paths) else { return false }
            handedBack[finishers[index]].append(.finished(finished))
            return true
        }

        /// As `handBack(finished:at:)`, for a commit the judging thread finished itself: what
        /// the worker gathered goes back to it; what the judging thread made of it is its own.
        @discardableResult
        func handBack(gathered: consuming FactGatherer.Gathered, at index: Int) -> Bool {
            claims.lock()
            defer { claims.unlock() }
            guard keeps(gathered.changes.count) else { return false }
            handedBack[index % handedBack.count].append(.gathered(gathered))
            return true
        }

        /// Whether `paths` more changed paths fit in what the batch holds handed back.
        private func keeps(_ paths: Int) -> Bool {
            guard handedBackPaths + paths <= FactPipeline.handBackPaths else { return false }
            handedBackPaths += paths
            return true
        }

        /// What the judging thread handed back to worker `number`, now the caller's to let go of.
        fileprivate func handedBack(to number: Int) -> [Taken] {
            claims.lock()
            defer { claims.unlock() }
            defer { handedBack[number] = [] }
            return handedBack[number]
        }

        /// Called by each worker when it has gathered its part: commits are taken to finish
        /// once every worker has.
        fileprivate func gathered() {
            claims.lock()
            defer { claims.unlock() }
            gathering -= 1
        }

        /// The last commit nobody has taken, now the caller's; nil when none is left (or the
        /// batch is still being gathered).
        fileprivate func steal() -> Int? {
            claims.lock()
            defer { claims.unlock() }
            guard gathering == 0, stolen > taken else { return nil }
            stolen -= 1
            return stolen
        }

        /// A worker's commit done with: finished (and then no longer held as gathered), or
        /// left to the judging thread (nil).
        fileprivate func store(_ value: consuming Finished?, at index: Int, by worker: Int) {
            claims.lock()
            if value != nil { results[index] = nil }
            finishers[index] = worker
            finishedSlots[index] = .some(value)
            claims.broadcast()
            claims.unlock()
        }
    }

    /// Starts gathering; commit i goes to worker i mod the number of workers.
    func start(_ steps: [WalkStep]) -> Batch {
        let batch = Batch(count: steps.count, workers: workers.count)
        let count = workers.count
        if finish != nil { pending.add(batch) }
        // Each worker writes only its own slots; the group's wait orders the reads after. The
        // last to finish gathering has seen every slot written (through the claims' lock).
        for (number, worker) in workers.enumerated() {
            batch.done.enter()
            worker.submit { [finishing] in
                for index in stride(from: number, to: steps.count, by: count) {
                    batch.store(gathered: Result { try worker.gatherer.gather(steps[index]) }, at: index)
                }
                batch.done.leave()
                batch.gathered()
                finishing(worker, number)
            }
        }
        return batch
    }

    /// Has each worker let go of what the judging thread handed back to it from `batch`, which
    /// it has judged, before the worker's next job: what is freed is then allocated again by
    /// the same thread.
    func release(_ batch: Batch) {
        pending.remove(batch)
        for (number, worker) in workers.enumerated() {
            worker.submit(first: true) { [finishing] in
                _ = batch.handedBack(to: number)
                finishing(worker, number)
            }
        }
    }

    /// What a worker does when its job is done, until it is given another: finish commits of
    /// any batch gathered and not yet judged, the oldest first, from its end. While the judging
    /// thread is held up (a commit of thousands of paths is judged there alone), the worker
    /// finishes what is behind it rather than waiting.
    private var finishing: @Sendable (Worker, Int) -> Void {
        let (finish, pending) = (finish, pending)
        return { worker, number in
            guard let finish else { return }
            while !worker.hasWaitingJob, let (batch, index) = pending.steal() {
                guard case .success(let gathered)? = batch.results[index] else {
                    batch.store(nil, at: index, by: number)
                    continue
                }
                batch.store(finish(worker.gatherer, gathered), at: index, by: number)
            }
        }
    }

    /// The batches a worker may take commits from to finish, oldest first.
    private final class Pending: @unchecked Sendable {
        private let lock = Lock()
        private var batches: [Batch] = []

        func add(_ batch: Batch) {
            lock.lock()
            batches.append(batch)
            lock.unlock()
        }

        /// Drops `batch`, judged: its commits are all taken.
        func remove(_ batch: Batch) {
            lock.lock()
            batches.removeAll { $0 === batch }
            lock.unlock()
        }

        /// A commit to finish, from the oldest batch that has one.
        func steal() -> (Batch, Int)? {
            lock.lock()
            defer { lock.unlock() }
            for batch in batches {
                if let index = batch.steal() { return (batch, index) }
            }
            return nil
        }
    }

    /// A gatherer on a thread of its own, for the pipeline's life: what it reads and caches
    /// is allocated by one thread, so in one of malloc's arenas. (Run on whichever of
    /// Dispatch's threads was free, a worker's caches came to be spread over several arenas,
    /// each keeping the memory its part once held: 3 arenas of 14 to 18 MiB at 200,000 commits.)
    private final class Worker: @unchecked Sendable {
        let gatherer: FactGatherer
        private let lock = Lock()
        private let ready = DispatchSemaphore(value: 0)
        /// Jobs waiting, first first; nil asks the thread to end.
        private var jobs: [(@Sendable () -> Void)?] = []

        init(_ gatherer: FactGatherer) {
            self.gatherer = gatherer
            Threads.start { [self] in run() }
        }

        /// Queues `job`; `first` puts it ahead of the jobs waiting.
        func submit(first: Bool = false, _ job: @escaping @Sendable () -> Void) {
            enqueue(job, first: first)
        }

        func stop() {
            enqueue(nil)
        }

        /// Whether a job (or the request to end) is waiting: the job at hand then leaves
        /// what it need not do.
        var hasWaitingJob: Bool {
            lock.lock()
            defer { lock.unlock() }
            return !jobs.isEmpty
        }

        private func enqueue(_ job: (@Sendable () -> Void)?, first: Bool = false) {
            lock.lock()
            if first { jobs.insert(job, at: 0) } else { jobs.append(job) }
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
