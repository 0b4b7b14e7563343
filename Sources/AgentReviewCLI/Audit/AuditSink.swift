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

/// The audit log as an output of the judging path: each ref's judgement, with a summary of
/// every commit judged, becomes one entry appended to the log (and, when configured, sent
/// to syslog). It decides nothing; when the entry cannot be written, the ref's judgement
/// fails (the stream refuses an enforced ref: nothing is accepted unrecorded).
final class AuditSink: JudgementSink {
    private let log: AuditLog
    private var context: AuditEntry.Context
    /// Set when configured; dropped after the first failed send, so a dead collector costs
    /// one timeout a push, never one a ref.
    private var syslog: SyslogDestination?
    private var commits = [AuditEntry.Commit]()

    init(log: AuditLog, context: AuditEntry.Context, syslog: SyslogDestination?) {
        self.log = log
        self.context = context
        self.syslog = syslog
    }

    /// The sink for a repository's configured log (nil when the log is off), for judgements
    /// made by `source` (`pre-receive`, `check`) with the policy `configuration` names.
    static func configured(
        in repository: Repository, source: String, configuration: TrustedConfiguration?, syslog forced: Bool = false,
        environment: [String: String] = AuditSink.environment()
    ) throws -> AuditSink? {
        guard let log = try AuditLog.configured(in: repository) else { return nil }
        let context = AuditEntry.Context(
            time: Date(), source: source, repository: Self.repositoryName(repository, environment: environment),
            pusher: AuditEntry.pusher(from: environment), policy: configuration?.origin,
            host: ProcessInfo.processInfo.hostName)
        // Syslog only ships copies: a mistake in its settings is said, and stops nothing.
        var syslog: SyslogDestination?
        do {
            syslog = try SyslogDestination.configured(in: repository, forced: forced)
        } catch {
            printError("agentreview: warning: audit entries are not sent to syslog: \(describe(error))")
        }
        return AuditSink(log: log, context: context, syslog: syslog)
    }

    /// The variables an entry's context reads (`repositoryName`, `AuditEntry.pusher(from:)`),
    /// each read by name: `ProcessInfo`'s whole environment was a fortieth of a 1-commit hook.
    static func environment() -> [String: String] {
        var found = [String: String]()
        for name in ["GL_PROJECT_PATH", "GITEA_REPO_USER", "GITEA_REPO_NAME"] + AuditEntry.pusherEnvironment {
            if let value = getenv(name) { found[name] = String(cString: value) }
        }
        return found
    }

    /// The repository as the server knows it: the host's name for it when its hooks say
    /// (GitLab `GL_PROJECT_PATH`, Gitea and Forgejo `GITEA_REPO_USER`/`GITEA_REPO_NAME`), else its path.
    static func repositoryName(_ repository: Repository, environment: [String: String]) -> String {
        if let path = environment["GL_PROJECT_PATH"], !path.isEmpty { return path }
        if let owner = environment["GITEA_REPO_USER"], let name = environment["GITEA_REPO_NAME"], !owner.isEmpty, !name.isEmpty {
            return "\(owner)/\(name)"
        }
        return standardized(repository.gitDirectory)
    }

    /// An absolute path as `URL`'s `standardizedFileURL.path` gives it (`.` and empty
    /// components dropped, `..` taking the one before it, no slash at the end), as text:
    /// `URL` costs the hook a scan of every conformance record. A relative path is left to `URL`.
    static func standardized(_ path: String) -> String {
        guard path.hasPrefix("/") else { return URL(fileURLWithPath: path).standardizedFileURL.path }
        var components: [Substring] = []
        for component in path.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": _ = components.popLast()
            default: components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }

    /// Where the policy judging the refs from now on was read from.
    func policy(_ origin: AuditEntry.PolicyOrigin?) {
        context.policy = origin
    }

    func begin(_ judgement: RefJudgement, heading: Heading) {
        commits = []
    }

    func commit(_ report: CommitReport, in judgement: RefJudgement) throws {
        commits.append(AuditEntry.Commit(report))
    }

    func record(_ judgement: RefJudgement) throws {
        var context = self.context
        context.time = Date()
        context.old = judgement.old
        context.new = judgement.new
        let written = try log.append(AuditEntry(judgement, commits: commits, context: context))
        commits = []
        guard let syslog else { return }
        // The file is the record; syslog ships it. A failed send is said, and stops nothing.
        do {
            // The entry's own bytes: without the LF that ends it, or one that ends a torn line before it.
            var line = written.line[...]
            while line.first == 0x0A { line = line.dropFirst() }
            while line.last == 0x0A { line = line.dropLast() }
            try syslog.send(written.entry, line: Array(line))
        } catch {
            printError("agentreview: warning: the audit entry was recorded in \(log.path) but not sent to syslog (nor will the rest of this push's): \(describe(error))")
            self.syslog = nil
        }
    }

    func end(_ judgement: RefJudgement) {}
    func finish(_ outcome: JudgementOutcome) {}
}
