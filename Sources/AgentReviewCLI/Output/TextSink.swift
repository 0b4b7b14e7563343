import AgentReviewCore

/// The judgement as a person reads it on stdout: per ref a heading, a compact table (one
/// line a commit), and for each commit that is not a plain pass why, what is missing, and
/// the command that supplies it; then one line with the ref's verdict.
final class TextSink: JudgementSink {
    enum Style {
        /// `status`, `check`: every ref gets its heading and summary, even with no commits.
        case command
        /// Hooks: quiet about refs with nothing to judge; `closing` ends a refused push.
        case hook(closing: String)
    }

    private let style: Style
    private let colour: Colour
    private var heading = Heading("")
    private var started = false

    init(style: Style, colour: Colour = .forStandardOutput()) {
        self.style = style
        self.colour = colour
    }

    func begin(_ judgement: RefJudgement, heading: Heading) {
        self.heading = heading
        started = false
    }

    private func start(_ judgement: RefJudgement) {
        guard !started else { return }
        started = true
        print("\(heading.title) — mode \(judgement.mode?.rawValue ?? "unknown"), policy \(judgement.policy ?? "unknown")")
    }

    func commit(_ report: CommitReport, in judgement: RefJudgement) throws {
        start(judgement)
        print(Self.lines(report, classWidth: heading.classWidth, colour: colour).joined(separator: "\n"))
    }

    func end(_ judgement: RefJudgement) {
        // An error is a diagnostic (see `DiagnosticSink`): the table so far stands, no verdict line.
        guard judgement.error == nil else { return }
        if case .hook = style, !started { return }
        start(judgement)
        let total = judgement.judged
        let commits = total == 1 ? "commit" : "commits"
        let word = colour.verdict(judgement.verdict, judgement.verdict.rawValue)
        switch judgement.verdict {
        case .blocked: print("\(word): sign-off missing on \(judgement.counts[.blocked] ?? 0) of \(total) \(commits)")
        case .warn: print("\(word): sign-off missing on \(judgement.counts[.warn] ?? 0) of \(total) \(commits) (not enforced on this ref)")
        case .pass:
            if total > 0 {
                print("\(word): \(total) \(commits) judged")
            } else {
                print("\(word): no commits to judge" + (judgement.nothingJudged.map { ": \($0)" } ?? ""))
            }
        }
    }

    func finish(_ outcome: JudgementOutcome) {
        if case .hook(let closing) = style, outcome.refs.contains(where: { $0.refuses && $0.ref != nil }) {
            print("agentreview: \(closing)")
        }
    }

    static func lines(_ commit: CommitReport, classWidth: Int, colour: Colour = .never) -> [String] {
        let agent = commit.agent ?? "human"
        let verdict = colour.verdict(commit.verdict, commit.verdict.rawValue) + String(repeating: " ", count: max(0, 7 - commit.verdict.rawValue.count))
        var lines = [
            "  \(commit.shortID)  \(verdict)  \(Rendering.pad(commit.class, classWidth))  \(Rendering.pad(agent, 11))  \(commit.subject)",
        ]
        for approval in commit.approvals {
            lines.append("      \(approval)")
        }
        guard commit.verdict != .pass else { return lines }
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
        // Each command once, with everyone who can run it.
        var commands = [(command: String, by: [String])]()
        for missing in commit.missing {
            if let index = commands.firstIndex(where: { $0.command == missing.command }) {
                if let by = missing.by, !commands[index].by.contains(by) { commands[index].by.append(by) }
            } else {
                commands.append((missing.command, missing.by.map { [$0] } ?? []))
            }
        }
        for (command, by) in commands {
            lines.append("      run: \(command)")
            for who in by { lines.append("        by \(who)") }
        }
        return lines
    }
}
