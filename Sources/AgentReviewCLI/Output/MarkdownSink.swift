import AgentReviewCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The Markdown the CI outputs share: a ref's section with its table of commits (the
/// GitHub step summary and the PR comment render the same table, with this code).
enum CIMarkdown {
    /// Rows a table keeps: commits that did not pass always; passing commits while the
    /// table has fewer rows than this (the rest are counted below it).
    static let passRowLimit = 100

    /// One commit's row: short id, verdict, agent, class, what is missing, the command
    /// that supplies it, who can.
    struct Row: Sendable, Hashable {
        var shortID: String
        var verdict: Verdict
        var writer: String
        var `class`: String
        var missing: [String]
        var commands: [String]
        var by: [String]
        var override: OverrideReport?
        var reasons: [String]

        init(_ report: CommitReport) {
            shortID = report.shortID
            verdict = report.verdict
            writer = report.writer
            `class` = report.class
            override = report.override
            reasons = report.reasons
            if let override = report.override {
                missing = override.satisfied.map { "overridden: \($0.detail)" }
                commands = []
                by = []
            } else {
                missing = report.missing.map(\.detail)
                let commands = TextLayout.commands(report.missing)
                self.commands = commands.map(\.command)
                var by = [String]()
                for who in commands.flatMap(\.by) where !by.contains(who) { by.append(who) }
                self.by = by
            }
        }
    }

    /// A ref's commits as the CI outputs keep them until the ref ends.
    struct RefRows: Sendable {
        var rows = [Row]()
        var omittedPasses = 0

        mutating func add(_ report: CommitReport) {
            if report.verdict == .pass && rows.count >= CIMarkdown.passRowLimit {
                omittedPasses += 1
            } else {
                rows.append(Row(report))
            }
        }
    }

    /// Text for a table cell: `\`, `|` and backquotes escaped, `<` as an entity (no HTML
    /// from a commit reaches the page), line breaks as spaces.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\\": escaped += "\\\\"
            case "|": escaped += "\\|"
            case "`": escaped += "\\`"
            case "<": escaped += "&lt;"
            case "\n", "\r", "\r\n": escaped += " "
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A command in a cell: a code span (only `|` needs escaping there), or escaped text
    /// when it holds a backquote or a line break.
    static func code(_ text: String) -> String {
        if text.contains(where: { $0 == "`" || $0.isNewline }) { return escape(text) }
        return "`" + text.replacingAll("|", with: "\\|") + "`"
    }

    /// The table of commits, one row each.
    static func table(_ rows: [Row]) -> [String] {
        var lines = [
            "| Commit | Verdict | Agent | Class | Missing | Command | Who can |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in rows {
            let cells = [
                code(row.shortID), row.verdict.rawValue, escape(row.writer), escape(row.class),
                row.missing.map(escape).joined(separator: "<br>"), row.commands.map(code).joined(separator: "<br>"),
                row.by.map(escape).joined(separator: "<br>"),
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines
    }

    /// One ref: its heading (`ref — verdict`), a line of counts, the table, the overrides
    /// (who, when, why); with `details`, each listed commit's reasons, collapsed.
    static func section(
        _ judgement: RefJudgement, title: String, rows: RefRows, level: Int, details: Bool
    ) -> [String] {
        var lines = ["\(String(repeating: "#", count: level)) \(escape(title)) — \(judgement.verdict.rawValue)", ""]
        let counts = judgement.counts
        var summary = "\(counts.total) commit\(counts.total == 1 ? "" : "s") judged"
        if let mode = judgement.mode { summary += " (mode \(mode.rawValue))" }
        summary += ": \(counts.blocked) blocked, \(counts.warn) warn, \(counts.overridden) overridden, \(counts.pass) pass."
        lines.append(summary)
        if let error = judgement.error {
            lines += ["", "**Not judged:** \(escape(error))"]
        } else if counts.total == 0, let why = judgement.nothingJudged {
            lines += ["", "Nothing to judge: \(escape(why))"]
        }
        if !rows.rows.isEmpty {
            lines.append("")
            lines += table(rows.rows)
            if rows.omittedPasses > 0 {
                lines += ["", "… and \(rows.omittedPasses) more commit\(rows.omittedPasses == 1 ? "" : "s") that pass."]
            }
        }
        let overrides = rows.rows.compactMap { row in row.override.map { (row.shortID, $0) } }
        if !overrides.isEmpty {
            lines += ["", "**Overrides (break-glass):**", ""]
            for (id, override) in overrides {
                var line = "- \(code(id)) by \(escape(override.signer)) on \(escape(override.date)): \"\(escape(override.reason))\""
                if let key = override.key { line += ", key \(code(key))" }
                lines.append(line)
            }
        }
        if details {
            let explained = rows.rows.filter { $0.verdict != .pass }
            if !explained.isEmpty {
                lines += ["", "<details>", "<summary>Why, commit by commit</summary>", ""]
                for row in explained {
                    lines.append("- \(code(row.shortID)) \(row.verdict.rawValue)")
                    for reason in row.reasons { lines.append("  - \(escape(reason))") }
                }
                lines += ["", "</details>"]
            }
        }
        return lines
    }

    /// The title of a ref's section: the ref, or the command's own heading for a range.
    static func title(_ judgement: RefJudgement, heading: Heading) -> String {
        judgement.ref ?? (heading.title.isEmpty ? "agentreview" : heading.title)
    }
}

/// The judgement as a pull-request comment, on stdout at `finish`: a marker a bot finds
/// its comment by and updates it (`<!-- agentreview -->`, first line), a heading with the
/// run's verdict, then for each ref its heading, the table of commits (as in the GitHub
/// step summary), the overrides, and each commit's reasons in a collapsed `<details>`.
final class MarkdownSink: JudgementSink {
    static let marker = "<!-- agentreview -->"

    private let write: (String) -> Void
    private var sections = [[String]]()
    private var rows = CIMarkdown.RefRows()
    private var heading = Heading("")

    init() {
        self.write = { StandardOutput.write(Array($0.utf8)) }
    }

    /// Writes through `write` instead of stdout (tests).
    init(write: @escaping (String) -> Void) {
        self.write = write
    }

    func begin(_ judgement: RefJudgement, heading: Heading) {
        self.heading = heading
        rows = CIMarkdown.RefRows()
    }

    func commit(_ report: CommitReport, in judgement: RefJudgement) throws {
        rows.add(report)
    }

    func end(_ judgement: RefJudgement) {
        sections.append(CIMarkdown.section(
            judgement, title: CIMarkdown.title(judgement, heading: heading), rows: rows, level: 3, details: true))
        rows = CIMarkdown.RefRows()
    }

    func finish(_ outcome: JudgementOutcome) {
        let verdict = outcome.refs.map(\.verdict).max() ?? .pass
        var lines = [Self.marker, "## agentreview: \(verdict.rawValue)"]
        for section in sections { lines += [""] + section }
        write(lines.joined(separator: "\n") + "\n")
        StandardOutput.flush()
    }
}
