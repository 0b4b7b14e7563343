#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutual-exclusion lock (a pthread mutex): Foundation's `NSLock`, which is not in
/// FoundationEssentials (see `Subprocess` for why the rest of Foundation is not linked).
public final class Lock: @unchecked Sendable {
    fileprivate let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }
}

/// A lock with a condition to wait on under it: Foundation's `NSCondition`.
public final class Condition: @unchecked Sendable {
    private let guarding = Lock()
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
    }

    public func lock() { guarding.lock() }
    public func unlock() { guarding.unlock() }
    /// Releases the lock until another thread broadcasts (or spuriously); held again on return.
    public func wait() { pthread_cond_wait(condition, guarding.mutex) }
    public func broadcast() { pthread_cond_broadcast(condition) }
}

/// Threads of our own, for work that must stay on one thread (Foundation's `Thread`).
public enum Threads {
    /// Runs `body` on a new detached thread.
    public static func start(_ body: @escaping @Sendable () -> Void) {
        final class Start: @unchecked Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let start = Unmanaged.passRetained(Start(body)).toOpaque()
        var thread = pthread_t()
        let made = pthread_create(&thread, nil, { context in
            let start = Unmanaged<Start>.fromOpaque(context!).takeRetainedValue()
            start.body()
            return nil
        }, start)
        precondition(made == 0, "cannot start a thread: \(String(cString: strerror(made)))")
        pthread_detach(thread)
    }
}
