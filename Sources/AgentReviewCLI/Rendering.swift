import AgentReviewCore
import Foundation

enum Rendering {
    /// JSON from Codable values: sorted keys, pretty, one trailing newline.
    static func json<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The compact table a person reads: one line a commit, then for each commit that
    /// is not a plain pass, why and what is missing with the command that supplies it.
    static func text(_ judgement: Judgement, title: String) -> String {
        var lines = ["\(title) — mode \(judgement.mode.rawValue), policy \(judgement.policy)"]
        if judgement.commits.isEmpty {
            lines.append("  no commits to judge")
        }
        let classWidth = max(5, judgement.commits.map(\.class.count).max() ?? 0)
        let agentWidth = max(5, judgement.commits.map { ($0.agent ?? "human").count }.max() ?? 0)
        for commit in judgement.commits {
            let agent = commit.agent ?? "human"
            lines.append(
                "  \(commit.shortID)  \(pad(commit.verdict.rawValue, 7))  \(pad(commit.class, classWidth))  \(pad(agent, agentWidth))  \(commit.subject)")
            for approval in commit.approvals {
                lines.append("      \(approval)")
            }
            guard commit.verdict != .pass else { continue }
            if let evidence = commit.evidence.first {
                lines.append("      agent: \(evidence)")
            }
            lines.append("      \(commit.reasons.first { $0.hasPrefix("class ") } ?? "class \(commit.class)")")
            for refused in commit.refused {
                lines.append("      not counted: \(refused)")
            }
            for missing in commit.missing {
                lines.append("      missing: \(missing.detail)")
            }
            var commands = [String]()
            for missing in commit.missing where !commands.contains(missing.command) {
                commands.append(missing.command)
            }
            for command in commands {
                lines.append("      run: \(command)")
            }
        }
        let blocked = judgement.commits.filter { $0.verdict == .blocked }.count
        let warned = judgement.commits.filter { $0.verdict == .warn }.count
        let total = judgement.commits.count
        switch judgement.verdict {
        case .blocked: lines.append("blocked: sign-off missing on \(blocked) of \(total) \(commits(total))")
        case .warn: lines.append("warn: sign-off missing on \(warned) of \(total) \(commits(total)) (not enforced on this ref)")
        case .pass: lines.append("pass: \(total) \(commits(total)) judged")
        }
        return lines.joined(separator: "\n")
    }

    private static func commits(_ count: Int) -> String { count == 1 ? "commit" : "commits" }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

/// Writes diagnostics to stderr, results stay on stdout.
func printError(_ message: String) {
    FileHandle.standardError.write(Data(("agentreview: " + message + "\n").utf8))
}
