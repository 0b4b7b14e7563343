import AgentReviewCore
import AgentReviewGit

/// A failure a person can act on: one line, what went wrong and what to do.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// The one-line form of any error the commands meet.
func describe(_ error: any Error) -> String {
    switch error {
    case let error as PolicyError:
        return "invalid policy:\n" + error.diagnostics.map { "  \($0)" }.joined(separator: "\n")
    case let error as GitError:
        return "git: \(error)"
    case let error as CLIError:
        return error.message
    default:
        return "\(error)"
    }
}
