#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AgentReviewCore
import AgentReviewGit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The hooks' time budget: a push is judged within it or refused. At the limit a signal
/// (SIGALRM) marks the time as up, and the judging path stops at its next commit with an
/// error, so every output still ends well-formed (`--json` stays valid JSON). Should the
/// judging thread not reach a commit within `grace` more seconds (one enormous diff), the
/// second signal says why on stderr and exits 2 from the handler, whatever the thread is
/// doing, so no input can hold a push open. (A signal rather than a timer thread: starting
/// libdispatch's threads cost the hook more than the judging.)
enum HookTimeLimit {
    /// Seconds between the limit and the hard stop.
    static let grace = 1.0

    /// The limit in seconds: `git config agentreview.timeLimit` (set on the server, or in the
    /// clone for pre-push), else `Limits.hookSeconds`.
    static func seconds(in repository: Repository) throws -> Double {
        guard let value = try repository.configString("agentreview.timeLimit") else { return Limits.hookSeconds }
        guard let seconds = Double(value.trimming(.whitespaces)), seconds.isFinite, seconds > 0 else {
            throw CLIError("agentreview.timeLimit is \"\(value)\": give the hook's time limit in seconds, greater than 0")
        }
        return seconds
    }

    /// Starts the timer for the rest of the process.
    static func start(in repository: Repository, refusal: String) throws {
        let seconds = try seconds(in: repository)
        let explanation = "judging took longer than the hook's time limit of \(Rendering.seconds(seconds)) s; split the push, or raise `git config agentreview.timeLimit` where the hook runs"
        message = explanation
        let text = Array("agentreview: \(refusal): \(explanation)\n".utf8)
        // The handler may only write and exit: the message waits in memory of its own.
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: text.count)
        _ = buffer.initialize(from: text)
        hardStopMessage = UnsafeBufferPointer(buffer)
        expired.pointee = 0  // made here, never first in the handler
        // A blocked SIGALRM (the mask is inherited from whoever started the hook) would never arrive.
        var alarm = sigset_t()
        sigemptyset(&alarm)
        sigaddset(&alarm, SIGALRM)
        pthread_sigmask(SIG_UNBLOCK, &alarm, nil)
        signal(SIGALRM) { _ in
            if HookTimeLimit.expired.pointee == 0 {
                HookTimeLimit.expired.pointee = 1
                HookTimeLimit.arm(HookTimeLimit.grace)
                return
            }
            if let message = HookTimeLimit.hardStopMessage { _ = write(2, message.baseAddress, message.count) }
            _exit(2)
        }
        arm(seconds)
    }

    /// Throws once the time is up: the judging path calls this between commits.
    static func checkpoint() throws {
        if expired.pointee != 0 { throw CLIError(message) }
    }

    /// Sets the timer (setitimer is async-signal-safe).
    private static func arm(_ seconds: Double) {
        let whole = seconds.rounded(.down)
        var timer = itimerval()
        timer.it_value.tv_sec = Int(min(whole, Double(Int32.max)))
        timer.it_value.tv_usec = max(Int((seconds - whole) * 1_000_000), whole == 0 ? 1 : 0)
        #if os(Linux)
        setitimer(__itimer_which_t(ITIMER_REAL.rawValue), &timer, nil)
        #else
        setitimer(ITIMER_REAL, &timer, nil)
        #endif
    }

    /// Written only by the handler, read between commits: C's `sig_atomic_t`, made for this.
    nonisolated(unsafe) static let expired: UnsafeMutablePointer<sig_atomic_t> = {
        let flag = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)
        flag.initialize(to: 0)
        return flag
    }()
    /// Set once, before the signal can arrive.
    nonisolated(unsafe) static var hardStopMessage: UnsafeBufferPointer<UInt8>?
    nonisolated(unsafe) static var message = ""
}
