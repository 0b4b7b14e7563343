import AgentReviewCore

/// The judgement as a person reads it on stdout: per ref a heading (the ref, its mode, and
/// once the policy that judged it), a compact table (one line a commit), and for each
/// commit that is not a plain pass why, what is missing, and the command that supplies it;
/// then one line with the ref's verdict.
///
/// Lines fit in `width` columns (`TextLayout`): 80 for a command, 72 for a hook, whose
/// lines git prints after `remote: `. Long text wraps at spaces; a subject is cut short with
/// `…` in its table row; a command to copy is never cut or wrapped, and goes on a line of
/// its own when it does not fit after `run:`.
final class TextSink: JudgementSink {
    enum Style {
        /// `status`, `check`: every ref gets its heading and summary, even with no commits.
        case command
        /// Hooks: quiet about refs with nothing to judge; `closing` ends a refused push.
        case hook(closing: String)
    }

    private let style: Style
    private let colour: Colour
    private let width: Int
    private var heading = Heading("")
    private var started = false
    /// The policy named by the last heading: a push's refs, all judged by one trust root,
    /// name it once.
    private var policyShown: String?

    init(style: Style, colour: Colour = .forStandardOutput(), width: Int? = nil) {
        self.style = style
        self.colour = colour
        self.width = width ?? {
            if case .hook = style { return TextLayout.hookWidth }
            return TextLayout.width
        }()
    }

    func begin(_ judgement: RefJudgement, heading: Heading) {
        self.heading = heading
        started = false
    }

    private func start(_ judgement: RefJudgement) {
        guard !started else { return }
        started = true
        let policy = judgement.policy ?? "unknown"
        var lines = ["\(heading.title) — mode \(judgement.mode?.rawValue ?? "unknown")"]
        if policy != policyShown {
            lines += TextLayout.wrap("policy \(policy)", indent: 0, width: width)
            policyShown = policy
        }
        print(lines.joined(separator: "\n"))
    }

    func commit(_ report: CommitReport, in judgement: RefJudgement) throws {
        start(judgement)
        print(Self.lines(report, classWidth: heading.classWidth, colour: colour, width: width).joined(separator: "\n"))
    }

    func end(_ judgement: RefJudgement) {
        // An error is a diagnostic (see `DiagnosticSink`): the table so far stands, no verdict line.
        guard judgement.error == nil else { return }
        if case .hook = style, !started { return }
        start(judgement)
        let total = judgement.judged
        let commits = total == 1 ? "commit" : "commits"
        let word = judgement.verdict.rawValue
        let summary: String
        switch judgement.verdict {
        case .blocked: summary = "\(word): sign-off missing on \(judgement.counts.blocked) of \(total) \(commits)"
        case .warn: summary = "\(word): sign-off missing on \(judgement.counts.warn) of \(total) \(commits) (not enforced on this ref)"
        case .overridden:
            summary = "\(word): \(judgement.counts.overridden) of \(total) \(commits) accepted by a break-glass override"
        case .pass:
            if total > 0 {
                summary = "\(word): \(total) \(commits) judged"
            } else {
                summary = "\(word): no commits to judge" + (judgement.nothingJudged.map { ": \($0)" } ?? "")
            }
        }
        // Overrides are always counted, whatever else the ref has.
        var counted = summary
        if judgement.verdict != .overridden && judgement.counts.overridden > 0 {
            counted += "; \(judgement.counts.overridden) overridden (break-glass)"
        }
        // The verdict word is coloured after the line is laid out: escapes take no columns.
        var lines = TextLayout.wrap(counted, indent: 0, width: width)
        lines[0] = colour.verdict(judgement.verdict, word) + lines[0].dropFirst(word.count)
        print(lines.joined(separator: "\n"))
    }

    func finish(_ outcome: JudgementOutcome) {
        if case .hook(let closing) = style, outcome.refs.contains(where: { $0.refuses && $0.ref != nil }) {
            print(TextLayout.wrap("agentreview: \(closing)", indent: 0, width: width).joined(separator: "\n"))
        }
    }

    /// One commit: its table row, the approvals that counted, and unless it passed, why and
    /// what is missing, each command once with everyone who can run it.
    static func lines(_ commit: CommitReport, classWidth: Int, colour: Colour = .never, width: Int = TextLayout.width) -> [String] {
        let agent = commit.writer
        let word = commit.verdict.rawValue
        let padding = String(repeating: " ", count: max(0, 7 - word.count))
        let columns = "\(Rendering.pad(commit.class, classWidth))  \(Rendering.pad(agent, 11))  "
        // The columns are counted without the colour's escapes, which take none.
        let used = 2 + commit.shortID.count + 2 + word.count + padding.count + 2 + columns.count
        let subject = TextLayout.truncate(commit.subject, to: max(width - used, TextLayout.shortestSubject))
        var lines = ["  \(commit.shortID)  \(colour.verdict(commit.verdict, word))\(padding)  \(columns)\(subject)"]
        for approval in commit.approvals {
            lines += TextLayout.approval(approval, indent: 6, width: width)
        }
        guard commit.verdict != .pass else { return lines }
        if let evidence = commit.evidence.first {
            lines += TextLayout.wrap("\(commit.bot == nil ? "agent" : "bot"): \(evidence)", indent: 6, width: width)
        }
        if let session = commit.session {
            lines += TextLayout.wrap("session: \(session)", indent: 6, width: width)
        }
        lines += TextLayout.wrap(TextLayout.classReason(commit), indent: 6, width: width)
        lines += governance(commit, width: width)
        for refused in commit.refused {
            lines += TextLayout.wrap("not counted: \(refused)", indent: 6, width: width)
        }
        for missing in commit.missing {
            lines += TextLayout.wrap("missing: \(missing.detail)", indent: 6, width: width)
        }
        for (command, by) in TextLayout.commands(commit.missing) {
            lines += TextLayout.run(command, indent: 6, width: width)
            for who in by { lines += TextLayout.wrap("by \(who)", indent: 8, width: width) }
        }
        return lines
    }

    /// The commit's contract, declared class and override, each on a line of its own: a
    /// break-glass is never folded into another line.
    static func governance(_ commit: CommitReport, width: Int) -> [String] {
        var lines = [String]()
        if let contract = commit.contract {
            lines += TextLayout.wrap(contract.summary + (contract.source.map { " at \($0)" } ?? ""), indent: 6, width: width)
            // Violations that block are listed as missing; those that raised the class are listed here.
            let listed = Set(commit.missing.map(\.detail) + (commit.override?.satisfied.map(\.detail) ?? []))
            for violation in contract.violations where !listed.contains(violation.description) {
                lines += TextLayout.wrap("contract violation: \(violation)", indent: 8, width: width)
            }
        }
        let declaredMissing = (commit.missing + (commit.override?.satisfied ?? [])).contains { $0.requirement == "declared_class" }
        if let declared = commit.declared, declared.status != .match, !declaredMissing {
            lines += TextLayout.wrap(declared.description, indent: 6, width: width)
        }
        if let override = commit.override {
            lines += TextLayout.wrap(override.line + (override.key.map { ", key \($0)" } ?? ""), indent: 6, width: width)
            for satisfied in override.satisfied {
                lines += TextLayout.wrap("overridden: \(satisfied.detail)", indent: 8, width: width)
            }
        }
        return lines
    }
}

/// How text reports are laid out in a fixed number of columns: shared by the judgement
/// table (`TextSink`) and `explain`.
enum TextLayout {
    /// Columns of a report a person runs.
    static let width = 80
    /// Columns of a hook's report: git prints each line after `remote: ` (8 columns).
    static let hookWidth = 72
    /// A subject is never cut shorter than this, however wide the other columns.
    static let shortestSubject = 16

    /// `text` wrapped at spaces into lines of at most `width` columns: the first after
    /// `indent` spaces, the rest after `indent + 2` (`hanging`). A word longer than a line
    /// (a path, a key) stays whole on a line of its own, and so does a span in backquotes (a
    /// command quoted in a sentence).
    static func wrap(_ text: String, indent: Int, hanging: Int? = nil, width: Int) -> [String] {
        wrap(text, after: String(repeating: " ", count: indent), hanging: hanging ?? indent + 2, width: width)
    }

    /// The same, the first line starting with `prefix` as it is (columns already laid out).
    static func wrap(_ text: String, after prefix: String, hanging: Int, width: Int) -> [String] {
        var lines = [String]()
        var line = prefix
        var lineHasWord = false
        for word in words(text) {
            if lineHasWord && line.count + 1 + word.count > width {
                lines.append(line)
                line = String(repeating: " ", count: hanging)
                lineHasWord = false
            }
            line += (lineHasWord ? " " : "") + word
            lineHasWord = true
        }
        lines.append(line)
        return lines
    }

    /// The words of `text`, split at spaces outside backquotes.
    static func words(_ text: String) -> [String] {
        var words = [String]()
        var word = ""
        var quoted = false
        for character in text {
            if character == "`" { quoted.toggle() }
            if character == " " && !quoted {
                if !word.isEmpty { words.append(word) }
                word = ""
            } else {
                word.append(character)
            }
        }
        if !word.isEmpty { words.append(word) }
        return words
    }

    /// `text` cut to `columns`, ending with `…` when cut.
    static func truncate(_ text: String, to columns: Int) -> String {
        guard text.count > columns, columns > 0 else { return text }
        return String(text.prefix(columns - 1)) + "…"
    }

    /// Whether `text` is a command to copy as it is (rather than a sentence saying what to do).
    static func isCommand(_ text: String) -> Bool {
        text.hasPrefix("agentreview ") || text.hasPrefix("git ")
    }

    /// `run: COMMAND`: a command is never wrapped or cut, and goes on a line of its own
    /// (under `run:`) when it does not fit after it; a sentence saying what to do wraps.
    static func run(_ command: String, indent: Int, width: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        guard isCommand(command) else { return wrap("run: \(command)", indent: indent, width: width) }
        if indent + 5 + command.count <= width { return ["\(pad)run: \(command)"] }
        return ["\(pad)run:", "\(pad)  \(command)"]
    }

    /// An approval that counted; what follows ` — ` (`not pushed yet: agentreview sync`)
    /// starts a line of its own.
    static func approval(_ approval: ApprovalReport, indent: Int, width: Int) -> [String] {
        let text = approval.description
        guard let dash = text.firstRange(of: " — ") else { return wrap(text, indent: indent, width: width) }
        return wrap(String(text[..<dash.lowerBound]), indent: indent, width: width)
            + wrap(String(text[dash.upperBound...]), indent: indent + 2, width: width)
    }

    /// Each command once, in order, with everyone who can run it.
    static func commands(_ missing: [Missing]) -> [(command: String, by: [String])] {
        var commands = [(command: String, by: [String])]()
        for item in missing {
            if let index = commands.firstIndex(where: { $0.command == item.command }) {
                if let by = item.by, !commands[index].by.contains(by) { commands[index].by.append(by) }
            } else {
                commands.append((item.command, item.by.map { [$0] } ?? []))
            }
        }
        return commands
    }

    /// `class high: infra/main.tf: "infra/" (line 47)`: what set the commit's class, for a
    /// reader who was told the policy once. The first path of the commit's class set it
    /// (as in `Classifier`); when none has it, an escalation of the whole commit did, and
    /// the reason says which.
    static func classReason(_ commit: CommitReport) -> String {
        if let path = commit.paths.first(where: { $0.class == commit.class }) {
            return "class \(commit.class): \(path.path): \(path.brief)"
        }
        return commit.reasons.first { $0.hasPrefix("class \(commit.class): ") } ?? "class \(commit.class)"
    }

    /// Paths with their class and rule, in columns: `  infra/main.tf  high    "infra/" (line 47)`.
    /// A path too long for its column is on a line of its own, its class and rule below it:
    /// in their columns when they fit there, else indented under the path.
    static func paths(_ paths: [PathReport], indent: Int, width: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        let classWidth = max(paths.map(\.class.count).max() ?? 0, 6)
        // The path column: as wide as the longest path that leaves the rule some room.
        let widest = max(width - indent - 2 - classWidth - 2 - 24, 16)
        let column = paths.map(\.path.count).filter { $0 <= widest }.max() ?? 0
        let ruleColumn = indent + column + 2 + classWidth + 2
        var lines = [String]()
        for path in paths {
            let classColumn = Rendering.pad(path.class, classWidth) + "  "
            if path.path.count <= column {
                lines += wrap(path.brief, after: pad + Rendering.pad(path.path, column) + "  " + classColumn, hanging: ruleColumn, width: width)
                continue
            }
            lines.append(pad + path.path)
            let longest = words(path.brief).map(\.count).max() ?? 0
            if ruleColumn + longest <= width {
                lines += wrap(path.brief, after: String(repeating: " ", count: indent + column + 2) + classColumn, hanging: ruleColumn, width: width)
            } else {
                lines += wrap(path.brief, after: pad + "    " + classColumn, hanging: indent + 4 + classWidth + 2, width: width)
            }
        }
        return lines
    }
}
