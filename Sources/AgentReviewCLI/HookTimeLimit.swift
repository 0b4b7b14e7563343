import AgentReviewCore
import AgentReviewGit
import Foundation

/// The hooks' time budget: a push is judged within it or refused. Past the limit the
/// process says why on stderr and exits 1 from a signal handler (SIGALRM), whatever the
/// judging thread is doing, so no input can hold a push open. (A signal rather than a
/// timer thread: starting libdispatch's threads cost the hook more than the judging.)
enum HookTimeLimit {
    /// The limit in seconds: `git config agentreview.timeLimit` (set on the server, or in the
    /// clone for pre-push), else `Limits.hookSeconds`.
    static func seconds(in repository: Repository) throws -> Double {
        guard let value = try repository.configString("agentreview.timeLimit") else { return Limits.hookSeconds }
        guard let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds.isFinite, seconds > 0 else {
            throw CLIError("agentreview.timeLimit is \"\(value)\": give the hook's time limit in seconds, greater than 0")
        }
        return seconds
    }

    /// Starts the timer for the rest of the process.
    static func start(in repository: Repository, refusal: String) throws {
        let seconds = try seconds(in: repository)
        let text = Array(
            "\(refusal): judging took longer than the hook's time limit of \(seconds.formatted()) s; split the push, or raise `git config agentreview.timeLimit` where the hook runs\n"
                .utf8)
        // The handler may only write and exit: the message waits in memory of its own.
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: text.count)
        _ = buffer.initialize(from: text)
        refusalMessage = UnsafeBufferPointer(buffer)
        signal(SIGALRM) { _ in
            if let message = HookTimeLimit.refusalMessage { _ = write(2, message.baseAddress, message.count) }
            _exit(1)
        }
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

    /// Set once, before the signal can arrive; read only by the handler.
    nonisolated(unsafe) static var refusalMessage: UnsafeBufferPointer<UInt8>?
}
