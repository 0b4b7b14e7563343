import AgentReviewCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The judgement for GitHub Actions: workflow commands on stdout, which the runner turns
/// into annotations, and a Markdown job summary appended to `$GITHUB_STEP_SUMMARY`.
///
/// One `::error` per blocked commit, one `::warning` per warn commit, one `::notice` per
/// overridden commit (a break-glass is visible), one `::error` (or `::warning`, in warn
/// mode) per ref that could not be judged; a commit that passes gets none. Each says
/// what is missing and the command that supplies it, with `file=` (and `line=`) when a
/// path explains it: a contract violation's clause in the contract file, else the first
/// path of the commit's class. GitHub shows at most 10 annotations of each kind per step,
/// so at most 10 of each kind are written: with more, the tenth says how many more there
/// are and where they are listed (the summary), so that line is itself shown.
///
/// Annotations and the summary are written at `finish`; the summary is appended (another
/// step's, or an earlier run's, stays).
final class GitHubSink: JudgementSink {
    /// Annotations of one kind GitHub shows per step.
    static let annotationsPerKind = 10

    enum Kind: String, CaseIterable {
        case error, warning, notice

        /// What an annotation of this kind is about, for the line that counts the rest.
        var noun: String {
            switch self {
            case .error: "blocked commits (or refs not judged)"
            case .warning: "commits with warnings"
            case .notice: "overridden commits"
            }
        }
    }

    struct Annotation: Equatable {
        var kind: Kind
        var title: String
        var file: String?
        var line: Int?
        var message: String

        var command: String {
            var properties = [String]()
            if let file { properties.append("file=\(GitHubSink.property(file))") }
            if let line { properties.append("line=\(line)") }
            properties.append("title=\(GitHubSink.property(title))")
            return "::\(kind.rawValue) \(properties.joined(separator: ","))::\(GitHubSink.data(message))"
        }
    }

    private let summaryPath: String?
    private let write: (String) -> Void
    private var annotations: [Kind: [Annotation]] = [:]
    private var counts: [Kind: Int] = [:]
    private var rows = CIMarkdown.RefRows()
    private var heading = Heading("")
    private var summary = [String]()

    init(summaryPath: String?) {
        self.summaryPath = summaryPath
        self.write = { StandardOutput.write(Array($0.utf8)) }
    }

    /// Writes annotations through `write` instead of stdout (tests).
    init(summaryPath: String?, write: @escaping (String) -> Void) {
        self.summaryPath = summaryPath
        self.write = write
    }

    /// Workflow-command data (the message): `%`, CR and LF escaped.
    static func data(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": escaped += "%25"
            case "\r": escaped += "%0D"
            case "\n": escaped += "%0A"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// A workflow-command property (`file=`, `title=`): as data, and `:` and `,` too.
    static func property(_ text: String) -> String {
        data(text).replacingAll(":", with: "%3A").replacingAll(",", with: "%2C")
    }

    /// The annotation for one commit; nil for a pass.
    static func annotation(_ report: CommitReport) -> Annotation? {
        let kind: Kind
        switch report.verdict {
        case .pass: return nil
        case .blocked: kind = .error
        case .warn: kind = .warning
        case .overridden: kind = .notice
        }
        var lines = ["\(report.shortID) \"\(report.subject)\" by \(report.writer), class \(report.class): \(report.verdict.rawValue)"]
        if let override = report.override {
            lines.append(override.line)
            for satisfied in override.satisfied { lines.append("overridden: \(satisfied.detail)") }
        } else {
            for missing in report.missing {
                lines.append(missing.requirement == "contract" ? "contract violation: \(missing.detail)" : "missing: \(missing.detail)")
            }
            let listed = Set(report.missing.map(\.detail))
            for violation in report.contract?.violations ?? [] where !listed.contains(violation.description) {
                lines.append("contract violation: \(violation.description)")
            }
            for (command, by) in TextLayout.commands(report.missing) {
                lines.append("run: \(command)" + (by.isEmpty ? "" : " (by \(by.joined(separator: ", ")))"))
            }
        }
        // Where: the first finding's location (a contract clause, or the path that set the class).
        let first = CIFinding.findings(report).first
        let file = first?.path == CIFinding.fallbackPath && report.paths.isEmpty ? nil : first?.path
        return Annotation(
            kind: kind, title: "agentreview: \(report.shortID) \(report.verdict.rawValue)", file: file,
            line: file == nil ? nil : first?.line, message: lines.joined(separator: "\n"))
    }

    private func add(_ annotation: Annotation) {
        counts[annotation.kind, default: 0] += 1
        if annotations[annotation.kind, default: []].count < Self.annotationsPerKind {
            annotations[annotation.kind, default: []].append(annotation)
        }
    }

    func begin(_ judgement: RefJudgement, heading: Heading) {
        self.heading = heading
        rows = CIMarkdown.RefRows()
    }

    func commit(_ report: CommitReport, in judgement: RefJudgement) throws {
        rows.add(report)
        if let annotation = Self.annotation(report) { add(annotation) }
    }

    func end(_ judgement: RefJudgement) {
        let title = CIMarkdown.title(judgement, heading: heading)
        if let error = judgement.error {
            add(Annotation(
                kind: judgement.refuses ? .error : .warning, title: "agentreview: \(title) not judged", file: nil, line: nil,
                message: "\(title) could not be judged: \(error)"))
        }
        if summaryPath != nil {
            summary += CIMarkdown.section(judgement, title: "agentreview: \(title)", rows: rows, level: 2, details: false) + [""]
        }
        rows = CIMarkdown.RefRows()
    }

    /// The annotation lines, at most `annotationsPerKind` of each kind.
    func annotationLines() -> [String] {
        var lines = [String]()
        for kind in Kind.allCases {
            let kept = annotations[kind] ?? []
            let total = counts[kind] ?? 0
            if total <= Self.annotationsPerKind {
                lines += kept.map(\.command)
                continue
            }
            let shown = Self.annotationsPerKind - 1
            lines += kept.prefix(shown).map(\.command)
            let rest = total - shown
            let place = summaryPath == nil ? "in agentreview's report" : "in the job summary"
            lines.append(Annotation(
                kind: kind, title: "agentreview: \(rest) more", file: nil, line: nil,
                message: "\(rest) more \(kind.noun) are not annotated: see them \(place)").command)
        }
        return lines
    }

    func finish(_ outcome: JudgementOutcome) {
        let lines = annotationLines()
        if !lines.isEmpty { write(lines.joined(separator: "\n") + "\n") }
        StandardOutput.flush()
        if let summaryPath, !summary.isEmpty {
            do {
                try CIFile.append(summary.joined(separator: "\n") + "\n", to: summaryPath)
            } catch {
                CIFile.report(error, writing: summaryPath)
            }
        }
    }
}
