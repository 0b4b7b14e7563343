#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AgentReviewCore
import AgentReviewSupport
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One thing a CI report shows for a commit that did not simply pass: a requirement it is
/// missing, a contract clause it broke, or the break-glass override that accepted it. The
/// CI outputs (`GitHubSink`, `CodeQualitySink`, `SARIFSink`) render these; none decides
/// anything: the findings are read off the commit report as the stream made it.
struct CIFinding: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// A requirement the commit is missing (`Missing`).
        case missing
        /// A task-contract clause the commit broke (requirement `contract`).
        case violation
        /// The override that accepted the commit (requirement `override`).
        case override
    }

    var kind: Kind
    var commit: String
    var shortID: String
    var writer: String
    var `class`: String
    var verdict: Verdict
    /// `approvals`, `owners`, `contract`, `override`, …: the policy's word for it.
    var requirement: String
    var detail: String
    /// The command that supplies it; nil for a violation that raised the class and for an override.
    var command: String?
    var by: String?
    /// The path that explains it (never empty): a contract violation's contract file, else the
    /// first path of the commit's class, else the commit's first path, else the policy.
    var path: String
    /// The line in `path`, when known (a contract clause's line).
    var line: Int?

    /// Where a finding points when a commit touches no path at all.
    static let fallbackPath = ".agentreview/policy.yml"

    /// The findings of one commit, in order: none for a pass; for an override one; else one
    /// per missing requirement, then one per contract violation not listed as missing (a
    /// violation that raised the class rather than blocked).
    static func findings(_ report: CommitReport) -> [CIFinding] {
        func finding(_ kind: Kind, _ requirement: String, _ detail: String, command: String? = nil, by: String? = nil,
                     at location: (path: String, line: Int?)) -> CIFinding {
            CIFinding(
                kind: kind, commit: report.id, shortID: report.shortID, writer: report.writer, class: report.class,
                verdict: report.verdict, requirement: requirement, detail: detail, command: command, by: by,
                path: location.path, line: location.line)
        }
        switch report.verdict {
        case .pass:
            return []
        case .overridden:
            var detail = report.override?.line ?? "OVERRIDDEN"
            if let satisfied = report.override?.satisfied, !satisfied.isEmpty {
                detail += "; satisfied instead of: " + satisfied.map(\.detail).joined(separator: "; ")
            }
            return [finding(.override, "override", detail, at: (explainingPath(report), nil))]
        case .warn, .blocked:
            var findings = [CIFinding]()
            let violations = report.contract?.violations ?? []
            for missing in report.missing {
                if missing.requirement == "contract" {
                    let violation = violations.first { $0.description == missing.detail }
                    findings.append(finding(
                        .violation, missing.requirement, missing.detail, command: missing.command, by: missing.by,
                        at: violation.map { location($0, in: report) } ?? contractLocation(report)))
                } else {
                    findings.append(finding(
                        .missing, missing.requirement, missing.detail, command: missing.command, by: missing.by,
                        at: (explainingPath(report), nil)))
                }
            }
            let listed = Set(report.missing.map(\.detail))
            for violation in violations where !listed.contains(violation.description) {
                findings.append(finding(.violation, "contract", violation.description, at: location(violation, in: report)))
            }
            return findings
        }
    }

    /// The first path of the commit's class (the one that set it), else its first path.
    static func explainingPath(_ report: CommitReport) -> String {
        let path = report.paths.first(where: { $0.class == report.class })?.path ?? report.paths.first?.path
        return path.flatMap { $0.isEmpty ? nil : $0 } ?? fallbackPath
    }

    /// A violation's clause (`file:line`), else the contract's file, else the path that broke it.
    static func location(_ violation: ContractViolation, in report: CommitReport) -> (path: String, line: Int?) {
        if let location = violation.location, let parsed = parse(location) { return parsed }
        if let source = report.contract?.source, !source.isEmpty { return (file(source), nil) }
        if let path = violation.path, !path.isEmpty { return (path, nil) }
        return (explainingPath(report), nil)
    }

    static func contractLocation(_ report: CommitReport) -> (path: String, line: Int?) {
        if let source = report.contract?.source, !source.isEmpty { return (file(source), nil) }
        return (explainingPath(report), nil)
    }

    /// `FILE:LINE` split; a file named with its origin (`refs/heads/main@1a2b3c:path`) loses the origin.
    static func parse(_ location: String) -> (path: String, line: Int?)? {
        guard let colon = location.lastIndex(of: ":"), let line = Int(location[location.index(after: colon)...]), line > 0
        else { return location.isEmpty ? nil : (file(location), nil) }
        let path = file(String(location[..<colon]))
        return path.isEmpty ? nil : (path, line)
    }

    static func file(_ source: String) -> String {
        guard source.contains("@"), let colon = source.lastIndex(of: ":") else { return source }
        let path = String(source[source.index(after: colon)...])
        return path.isEmpty ? source : path
    }

    /// What is missing and the command that supplies it, in one sentence.
    var message: String {
        var text = "\(shortID) (\(writer), class \(`class`)) \(verdict.rawValue): "
        switch kind {
        case .missing: text += "missing \(detail)"
        case .violation: text += "contract violation: \(detail)"
        case .override: text += detail
        }
        if let command {
            text += "; run: \(command)"
            if let by { text += " (by \(by))" }
        }
        return text
    }

    /// Stable and unique: the SHA-256 (hex) of the commit id, the requirement and the detail.
    var fingerprint: String {
        SHA256Digest.hex(Array("\(commit)\u{0}\(requirement)\u{0}\(detail)".utf8))
    }

    /// A ref that could not be judged, as a finding of its own (no commit).
    static func error(_ judgement: RefJudgement, ref: String) -> CIFinding? {
        guard let error = judgement.error else { return nil }
        return CIFinding(
            kind: .missing, commit: "", shortID: "", writer: "", class: "", verdict: judgement.verdict, requirement: "error",
            detail: "\(ref) could not be judged: \(error)", command: nil, by: nil, path: fallbackPath, line: nil)
    }
}

/// Files the CI outputs write: once, at the end, atomically (a temporary file beside the
/// target, then a rename), so a reader never sees half a report.
enum CIFile {
    static func writeAtomically(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try data.write(to: temporary)
            if rename(temporary.path, url.path) != 0 { throw FileIO.Failure(errno: errno) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Appends `text` to the file at `path`, creating it when absent.
    static func append(_ text: String, to path: String) throws {
        try FileIO.append(Array(text.utf8), to: path)
    }

    /// Reports a file that could not be written: the verdict and exit status stay the stream's.
    static func report(_ error: any Error, writing path: String) {
        printError("cannot write \(path): \(describe(error))")
    }
}

/// A GitLab Code Quality report (the `codequality` artifact of a job's `reports`): a JSON
/// array of issues, written once at `finish`, atomically.
///
/// One issue per missing requirement of each blocked or warn commit and per contract
/// violation; one `info` issue per overridden commit, naming the override; one per ref
/// that could not be judged; `[]` when nothing is wrong. Each issue has `description`
/// (what is missing and the command that supplies it), `check_name`
/// (`agentreview.<requirement>`), `fingerprint` (the SHA-256 of commit id, requirement and
/// detail: unique and stable from run to run), `severity` and `location` (`path`, never
/// empty, and `lines.begin`, 1 when no line is known).
///
/// Severity follows the verdict: blocked `major`, warn `minor`, overridden `info`; a
/// contract violation on a blocked commit is `critical` (the agent did what its task
/// forbade, not merely lacked a sign-off); a ref that could not be judged is `blocker`
/// when it refuses, else `minor`.
final class CodeQualitySink: JudgementSink {
    struct Issue: Encodable {
        struct Location: Encodable {
            struct Lines: Encodable { var begin: Int }
            var path: String
            var lines: Lines
        }

        var description: String
        var check_name: String
        var fingerprint: String
        var severity: String
        var location: Location
    }

    private let path: String
    private var issues = [Issue]()
    private var fingerprints = Set<String>()

    init(path: String) {
        self.path = path
    }

    static func severity(_ finding: CIFinding) -> String {
        switch (finding.kind, finding.verdict) {
        case (_, .pass), (_, .overridden), (.override, _): "info"
        case (.violation, .blocked): "critical"
        case (_, .blocked): "major"
        case (_, .warn): "minor"
        }
    }

    private func add(_ finding: CIFinding, severity: String) {
        var fingerprint = finding.fingerprint
        // The same commit judged twice in one run (two refs): the second stays distinct.
        var copy = 1
        while fingerprints.contains(fingerprint) {
            copy += 1
            fingerprint = SHA256Digest.hex(Array("\(finding.fingerprint)\u{0}\(copy)".utf8))
        }
        fingerprints.insert(fingerprint)
        issues.append(Issue(
            description: finding.message, check_name: "agentreview.\(finding.requirement)", fingerprint: fingerprint,
            severity: severity,
            location: .init(path: finding.path, lines: .init(begin: finding.line ?? 1))))
    }

    func begin(_ judgement: RefJudgement, heading: Heading) {}

    func commit(_ report: CommitReport, in judgement: RefJudgement) throws {
        for finding in CIFinding.findings(report) { add(finding, severity: Self.severity(finding)) }
    }

    func end(_ judgement: RefJudgement) {
        if let finding = CIFinding.error(judgement, ref: judgement.ref ?? "the run") {
            add(finding, severity: judgement.refuses ? "blocker" : "minor")
        }
    }

    func finish(_ outcome: JudgementOutcome) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        do {
            var data = try encoder.encode(issues)
            data.append(UInt8(ascii: "\n"))
            try CIFile.writeAtomically(data, to: path)
        } catch {
            CIFile.report(error, writing: path)
        }
    }
}
