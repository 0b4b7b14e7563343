import AgentReviewCore
import AgentReviewGit
import Foundation

/// The hooks' time budget: a push is judged within it or refused. Past the limit the
/// process says why on stderr and exits 1 from a timer, whatever the judging thread is
/// doing, so no input can hold a push open.
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
        let message = Array(
            "\(refusal): judging took longer than the hook's time limit of \(seconds.formatted()) s; split the push, or raise `git config agentreview.timeLimit` where the hook runs\n"
                .utf8)
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            message.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
            _exit(1)
        }
    }
}
