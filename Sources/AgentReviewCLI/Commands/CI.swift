import AgentReviewCore
import AgentReviewGit
import AgentReviewSupport
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AgentReviewCommand {
    struct CI: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ci",
            abstract: "Judge a pull or merge request as the server hook would judge its push.",
            discussion: """
                Reads the request from the CI system: GitHub Actions (pull_request and pull_request_target events:
                the payload's base.sha, head.sha and base.ref) or GitLab CI (merge request pipelines:
                CI_MERGE_REQUEST_DIFF_BASE_SHA, CI_COMMIT_SHA, CI_MERGE_REQUEST_TARGET_BRANCH_NAME); --base, --head
                and --ref override it, and are needed anywhere else. The commits judged are BASE..HEAD, in the mode
                the policy gives REF; the policy, signers, owners and contracts are read from BASE, never from the
                commits judged (--policy FILE pins the policy). Approvals are the notes ref refs/notes/agentreview,
                fetched from the remote first (replacing this clone's; a failed fetch is a warning). A shallow
                checkout is deepened as needed. --no-fetch fetches nothing. No secret is needed.
                Exit 0 pass, 1 blocked, 2 error or usage error.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, json, github, gitlab, sarif, markdown

            /// `text` everywhere but under GitHub Actions, where it is `github`.
            static func `default`(in environment: [String: String]) -> Format {
                environment["GITHUB_ACTIONS"] == "true" ? .github : .text
            }
        }

        @Option(help: "The trusted side: a commit (or revision) the policy is read from and that hides its history.")
        var base: String?

        @Option(help: "The commits to judge: those reachable from HEAD and not from BASE.")
        var head: String?

        @Option(help: "The ref the request targets (refs/heads/main, or main): its mode decides.")
        var ref: String?

        @Option(help: "The remote to fetch approvals (and history, in a shallow clone) from.")
        var remote = "origin"

        @Flag(name: .customLong("no-fetch"), help: "Fetch nothing: judge with the approvals and history this clone has.")
        var noFetch = false

        @Option(help: """
            text, json, github (annotations, and a summary appended to $GITHUB_STEP_SUMMARY), gitlab (a Code \
            Quality report file), sarif or markdown. Default: github under GitHub Actions, else text.
            """)
        var format: Format?

        @Option(help: "The report file: gitlab's (default \(Self.codeQualityReport)), sarif's (default stdout).")
        var output: String?

        static let codeQualityReport = "gl-code-quality-report.json"

        @Option(help: "Read the policy from this file instead of BASE.")
        var policy: String?

        @Option(name: .customShort("C"), help: "Run as if started in this directory.")
        var directory: String?

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let format = self.format ?? .default(in: environment)
            let stream = JudgementStream(sinks: sinks(format, environment: environment), errorsAlwaysFail: true)
            judge(into: stream, environment: environment)
            let status = stream.finish().status
            if status != 0 { throw ExitCode(status) }
        }

        func sinks(_ format: Format, environment: [String: String]) -> [any JudgementSink] {
            let output: any JudgementSink = switch format {
            case .text: TextSink(style: .command)
            case .json: JSONSink(list: false)
            case .github:
                GitHubSink(summaryPath: environment["GITHUB_STEP_SUMMARY"].flatMap { $0.isEmpty ? nil : $0 })
            case .gitlab: CodeQualitySink(path: output ?? Self.codeQualityReport)
            case .sarif: SARIFSink(path: output)
            case .markdown: MarkdownSink()
            }
            return [output, DiagnosticSink(.command)]
        }

        func judge(into stream: JudgementStream, environment: [String: String]) {
            var title = "ci"
            var target: String?
            var repository: Repository
            let request: CIRequest
            let update: RefUpdate
            let configuration: TrustedConfiguration
            let mode: EnforcementMode
            do {
                request = try CIEnvironment.request(environment: environment, base: base, head: head, ref: ref)
                title = request.title
                target = request.ref
                let path = directory ?? FileManager.default.currentDirectoryPath
                repository = try Repository.open(path)
                let workTree = URL(fileURLWithPath: repository.workingDirectory ?? repository.gitDirectory)
                if !noFetch { fetchNotes(in: workTree) }
                var ends = try self.ends(of: request, in: repository)
                if !noFetch, try ends == nil || needsHistory(ends!, in: repository) {
                    let failures = deepen(request, shallow: repository.isShallow, in: workTree)
                    repository = try Repository.open(path)
                    ends = try self.ends(of: request, in: repository)
                    if ends == nil, let failure = failures.first { throw CLIError(failure) }
                }
                guard let (baseID, headID) = ends else { throw missing(request, in: repository) }
                let trusted = TrustedBase(commit: baseID, name: "\(request.ref)@base")
                configuration = try TrustedBase.load(from: trusted, in: repository, policyFile: policy)
                let root = try TrustedBase.root(ofRemote: remote, in: repository).ref
                mode = try RefModes(policy: configuration.policy, root: root, symbolicRefs: nil).mode(for: request.ref)
                update = RefUpdate(old: baseID, new: headID, ref: request.ref)
            } catch {
                stream.fail(ref: target, heading: Heading(title), error)
                return
            }
            let judging = "\(request.base)..\(request.head)"
            stream.judge(ref: request.ref, update: update, mode: mode, configuration: configuration, title: title) { add in
                let records = try SignoffRecords.index(
                    notesCommits: [try repository.referenceTarget(SignoffRecords.notesRef)], in: repository,
                    configuration: configuration)
                do {
                    // BASE is always here, so only it hides anything. The trust root's guard against
                    // a rewind is for pushes: a request's head need not descend from the base's tip.
                    return try UpdateJudge.judge(
                        update, mode: mode, in: repository, configuration: configuration,
                        modes: RefModes(policy: configuration.policy, root: nil, symbolicRefs: nil), knownRefs: [],
                        records: records, add: add)
                } catch {
                    throw Shallow.explained(error, judging: judging, reaching: request.base)
                }
            }
        }

        /// BASE and HEAD as commits; nil when this clone lacks either (a commit id it has not
        /// fetched). A name that resolves to nothing is an error as it is.
        private func ends(of request: CIRequest, in repository: Repository) throws -> (ObjectID, ObjectID)? {
            func commit(_ spec: String) throws -> ObjectID? {
                if let id = ObjectID(hex: spec) {
                    guard repository.contains(id) else { return nil }
                    guard let commit = try repository.peelToCommit(id) else { throw CLIError("\(spec) is not a commit") }
                    return commit
                }
                return try repository.resolveCommit(spec)
            }
            guard let base = try commit(request.base), let head = try commit(request.head) else { return nil }
            return (base, head)
        }

        /// Whether BASE..HEAD reaches the edge of a shallow clone: a commit judged whose parents
        /// this clone lacks.
        private func needsHistory(_ ends: (ObjectID, ObjectID), in repository: Repository) throws -> Bool {
            guard repository.isShallow else { return false }
            do {
                let walk = try repository.walk(from: [ends.1], hiding: [ends.0])
                while let id = try walk.next() {
                    if repository.shallowEdge.contains(id) { return true }
                }
                return false
            } catch {
                let code = (error as any Error as? GitError)?.code
                if code == .shallowHistory || code == .notFound { return true }
                throw error
            }
        }

        /// Fetches the history the request needs, once: the whole history of a shallow clone,
        /// then any end still missing by its id. Returns what failed, one line each.
        private func deepen(_ request: CIRequest, shallow: Bool, in workTree: URL) -> [String] {
            var failures = [String]()
            func fetch(_ arguments: [String]) {
                let command = (["git", "fetch"] + arguments).joined(separator: " ")
                do {
                    let result = try Subprocess.run("git", ["fetch", "--quiet"] + arguments, directory: workTree)
                    if result.status != 0 {
                        failures.append("`\(command)` failed: \(result.stderr.trimming(.whitespacesAndNewlines))")
                    }
                } catch {
                    failures.append("`\(command)` failed: \(describe(error))")
                }
            }
            if shallow { fetch(["--unshallow", remote]) }
            for spec in [request.base, request.head] where ObjectID(hex: spec) != nil {
                if let repository = try? Repository.open(workTree.path), let id = ObjectID(hex: spec), repository.contains(id) {
                    continue
                }
                fetch([remote, spec])
            }
            return failures
        }

        /// The one line that says an end is missing, and the command that fetches it.
        private func missing(_ request: CIRequest, in repository: Repository) -> CLIError {
            let absent = [("base", request.base), ("head", request.head)].filter { name, spec in
                ObjectID(hex: spec).map { !repository.contains($0) } ?? false
            }
            let names = absent.map { "\($0.0) \($0.1.prefix(12))" }.joined(separator: " and ")
            let fix = repository.isShallow
                ? "run `git fetch --unshallow \(remote)`"
                : "run `git fetch \(remote) \(absent.map(\.1).joined(separator: " "))`"
            return CLIError("this clone lacks the \(names.isEmpty ? "request's commits" : names): \(fix)\(noFetch ? ", or drop --no-fetch" : "")")
        }

        /// Fetches the remote's approvals into refs/notes/agentreview, once. A remote with no
        /// such ref is fine; any other failure is a warning, and judging goes on with the
        /// approvals this clone has.
        private func fetchNotes(in workTree: URL) {
            let notes = SignoffRecords.notesRef
            let why: String
            do {
                let result = try Subprocess.run("git", ["fetch", "--quiet", remote, "+\(notes):\(notes)"], directory: workTree)
                if result.status == 0 || result.stderr.contains("couldn't find remote ref") { return }
                let first = result.stderr.split(separator: "\n").map { $0.trimming(.whitespaces) }
                    .first { !$0.isEmpty } ?? "git exited \(result.status)"
                why = first.hasPrefix("fatal: ") ? String(first.dropFirst("fatal: ".count)) : first
            } catch {
                why = describe(error)
            }
            printError("warning: cannot fetch \(notes) from \(remote) (\(why)): judging with the approvals this clone has")
        }
    }
}
