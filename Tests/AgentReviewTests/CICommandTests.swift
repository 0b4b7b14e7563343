import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

@testable import AgentReviewCLI

/// `agentreview ci`: a pull or merge request judged as the server hook judges a push, from
/// the CI system's own environment. Real repositories, a real bare "origin" with the hook, a
/// separate runner checkout as CI makes one; no network.
@Suite struct CICommandTests {
    let sandbox: Sandbox
    let server: URL
    let clone: URL
    let keys: URL

    static let agent = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>"
    static let loosened = Sandbox.policy.replacingOccurrences(of: "approvals: 2", with: "approvals: 0")
        .replacingOccurrences(of: "approvals: 1", with: "approvals: 0")

    init() throws {
        sandbox = try Sandbox()
        keys = sandbox.root.appendingPathComponent("keys")
        let bob = try sandbox.sshKey("bob", in: keys).publicKey
        (server, clone) = try sandbox.server(with: [
            ".agentreview/policy.yml": Sandbox.policy, ".agentreview/allowed_signers": "bob@example.com namespaces=\"agentreview\" \(bob)\n",
            "README.md": "# project\n",
        ])
    }

    /// The environment of a run outside any CI system (whatever runs these tests).
    static let outsideCI = ["GITHUB_ACTIONS": "", "GITLAB_CI": "", "GITHUB_STEP_SUMMARY": "", "CI_MERGE_REQUEST_IID": ""]

    func ci(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Sandbox.Output {
        try Sandbox.run(
            Sandbox.binary.path, ["ci"] + arguments, in: directory, environment: Self.outsideCI.merging(environment) { $1 })
    }

    func decode(_ output: Sandbox.Output) throws -> Judgement {
        try JSONDecoder().decode(Judgement.self, from: Data(output.stdout.utf8))
    }

    /// A pull request: branch `topic` on origin with an agent commit (medium: one approval)
    /// on top of main. Returns main's and the head's ids.
    func pullRequest(_ files: [String: String] = ["src/app.swift": "let x = 1\n"], commits: Int = 1) throws -> (base: String, head: String) {
        let base = try sandbox.git("rev-parse", "main", in: clone)
        try sandbox.git("checkout", "-q", "-b", "topic", in: clone)
        var head = base
        for index in 0..<commits {
            for (path, content) in files { try sandbox.write(path, content + "\(index)\n", in: clone) }
            head = try sandbox.commit("Change \(files.keys.sorted().joined(separator: ", "))" + Self.agent, in: clone)
        }
        try sandbox.git("push", "-q", "origin", "topic", in: clone)
        return (base, head)
    }

    /// A fresh checkout of the request's head, as a CI runner makes one.
    func runner(at head: String, name: String = "runner") throws -> URL {
        let runner = sandbox.root.appendingPathComponent(name)
        try sandbox.git("clone", "-q", server.path, runner.path, in: sandbox.root)
        try sandbox.git("checkout", "-q", "--detach", head, in: runner)
        return runner
    }

    /// A realistic `pull_request` event payload, written where GITHUB_EVENT_PATH points.
    func githubEvent(base: String, head: String, action: String = "opened") throws -> [String: String] {
        let payload = """
            {
              "action": "\(action)",
              "number": 42,
              "pull_request": {
                "number": 42,
                "state": "open",
                "title": "Change the app",
                "user": { "login": "agent-bot" },
                "base": { "ref": "main", "sha": "\(base)", "label": "acme:main", "repo": { "full_name": "acme/widgets" } },
                "head": { "ref": "topic", "sha": "\(head)", "label": "acme:topic", "repo": { "full_name": "acme/widgets" } }
              },
              "repository": { "full_name": "acme/widgets", "default_branch": "main" },
              "sender": { "login": "agent-bot" }
            }
            """
        let event = sandbox.root.appendingPathComponent("event.json")
        try Data(payload.utf8).write(to: event)
        let summary = sandbox.root.appendingPathComponent("step-summary.md")
        FileManager.default.createFile(atPath: summary.path, contents: nil)
        return [
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event.path,
            "GITHUB_STEP_SUMMARY": summary.path, "GITHUB_REPOSITORY": "acme/widgets",
        ]
    }

    func approve(_ commit: String) throws {
        let approved = try sandbox.agentreview(
            ["approve", commit, "--key", keys.appendingPathComponent("bob").path, "--as", "bob@example.com"], in: clone)
        #expect(approved.status == 0, "\(approved.stderr)")
        try sandbox.git("push", "-q", "origin", "refs/notes/agentreview", in: clone)
    }

    // MARK: GitHub Actions and GitLab CI

    @Test func githubPullRequestIsJudgedAndAnApprovalOnOriginIsFetched() throws {
        let (base, head) = try pullRequest()
        let runner = try runner(at: head)
        let environment = try githubEvent(base: base, head: head)

        let blocked = try ci(["--format", "text"], in: runner, environment: environment)
        #expect(blocked.status == 1, "\(blocked.stdout)\n\(blocked.stderr)")
        #expect(blocked.stdout.contains(String(head.prefix(12))), "\(blocked.stdout)")
        #expect(blocked.stdout.contains("refs/heads/main"), "\(blocked.stdout)")
        #expect(!blocked.stderr.contains("warning"), "no notes on origin yet is fine: \(blocked.stderr)")

        try approve(head)
        let passed = try ci(["--format", "json"], in: runner, environment: environment)
        #expect(passed.status == 0, "\(passed.stdout)\n\(passed.stderr)")
        let judgement = try decode(passed)
        #expect(judgement.ref == "refs/heads/main")
        #expect(judgement.mode == .enforce)
        #expect(judgement.commits.map(\.id) == [head])
        #expect(judgement.commits.first?.approvals.map(\.reviewer) == ["bob@example.com"])

        // --no-fetch judges with what the runner has: in a fresh runner, no approval.
        let fresh = try self.runner(at: head, name: "fresh")
        try? sandbox.git("update-ref", "-d", "refs/notes/agentreview", in: fresh)
        let unfetched = try ci(["--format", "json", "--no-fetch"], in: fresh, environment: environment)
        #expect(unfetched.status == 1, "\(unfetched.stderr)")
    }

    @Test func gitlabMergeRequestIsJudgedTheSameWay() throws {
        let (base, head) = try pullRequest()
        let runner = try runner(at: head)
        let environment = [
            "GITLAB_CI": "true", "CI_MERGE_REQUEST_IID": "7", "CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "CI_COMMIT_SHA": head,
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_PIPELINE_SOURCE": "merge_request_event",
        ]
        let output = try ci(["--format", "json"], in: runner, environment: environment)
        #expect(output.status == 1, "\(output.stderr)")
        let judgement = try decode(output)
        #expect(judgement.ref == "refs/heads/main")
        #expect(judgement.mode == .enforce)
        #expect(judgement.verdict == .blocked)
        #expect(judgement.commits.map(\.id) == [head])
        #expect(judgement.policy?.hasPrefix("refs/heads/main@base@\(base.prefix(12))") == true, "\(judgement.policy ?? "")")

        try approve(head)
        #expect(try ci([], in: runner, environment: environment).status == 0)

        // A branch pipeline is not a merge request: one line, exit 2.
        var branch = environment
        branch["CI_MERGE_REQUEST_IID"] = ""
        let refused = try ci([], in: runner, environment: branch)
        #expect(refused.status == 2)
        let lines = refused.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("not a merge request pipeline"), "\(refused.stderr)")
    }

    @Test func aHeadThatLoosensThePolicyIsJudgedByTheBasesPolicy() throws {
        let (base, head) = try pullRequest([".agentreview/policy.yml": Self.loosened + "# "])
        let runner = try runner(at: head)
        let output = try ci(["--format", "json"], in: runner, environment: try githubEvent(base: base, head: head))
        #expect(output.status == 1, "\(output.stderr)")
        let judgement = try decode(output)
        #expect(judgement.policy?.hasPrefix("refs/heads/main@base@\(base.prefix(12)):.agentreview/policy.yml") == true)
        let commit = try #require(judgement.commits.first)
        #expect(commit.id == head)
        #expect(commit.class == "high", "the highest class of the base's policy")
        #expect(commit.verdict == .blocked)
    }

    // MARK: Anywhere else

    @Test func manualModeAndUnsupportedEvents() throws {
        let (base, head) = try pullRequest(commits: 2)
        let runner = try runner(at: head)
        let manual = try ci(["--base", base, "--head", head, "--ref", "refs/heads/main", "--format", "json"], in: runner)
        #expect(manual.status == 1, "\(manual.stderr)")
        #expect(try decode(manual).commits.count == 2)

        // A warn-mode target: reported, not blocked.
        let warn = try ci(["--base", base, "--head", head, "--ref", "release"], in: runner)
        #expect(warn.status == 0, "\(warn.stderr)")

        // --base/--head/--ref override an event this command does not read.
        var push = try githubEvent(base: base, head: head)
        push["GITHUB_EVENT_NAME"] = "push"
        let refused = try ci([], in: runner, environment: push)
        #expect(refused.status == 2)
        let lines = refused.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("pull_request") && refused.stderr.contains("--base REV --head REV --ref REF"))
        let overridden = try ci(["--base", base, "--head", head, "--ref", "main", "--format", "text"], in: runner, environment: push)
        #expect(overridden.status == 1, "\(overridden.stderr)")

        // A remote that cannot be reached: one warning line, and the judgement with what is here.
        try sandbox.git("remote", "set-url", "origin", sandbox.root.appendingPathComponent("gone.git").path, in: runner)
        let unreachable = try ci(["--base", base, "--head", head, "--ref", "main"], in: runner)
        #expect(unreachable.status == 1, "\(unreachable.stderr)")
        let warnings = unreachable.stderr.split(separator: "\n")
        #expect(warnings.count == 1 && warnings[0].contains("warning: cannot fetch refs/notes/agentreview"), "\(unreachable.stderr)")

        // Outside CI with nothing given.
        let nothing = try ci([], in: runner)
        #expect(nothing.status == 2 && nothing.stderr.contains("--base REV --head REV --ref REF"), "\(nothing.stderr)")
    }

    @Test func aShallowCheckoutIsDeepenedOrRefusedWithTheFix() throws {
        for index in 0..<3 {
            try sandbox.write("docs/page\(index).md", "page \(index)\n", in: clone)
            try sandbox.commit("Docs page \(index)", in: clone)
        }
        try sandbox.git("push", "-q", "origin", "main", in: clone)
        let (base, head) = try pullRequest(commits: 2)
        let environment = try githubEvent(base: base, head: head)

        // actions/checkout's default: the head alone, at depth 1.
        let shallow = sandbox.root.appendingPathComponent("shallow")
        try sandbox.git("clone", "-q", "--no-local", "--depth", "1", "file://\(server.path)", shallow.path, in: sandbox.root)
        try sandbox.git("fetch", "-q", "--depth", "1", "origin", "topic", in: shallow)
        try sandbox.git("checkout", "-q", "--detach", head, in: shallow)
        #expect(FileManager.default.fileExists(atPath: shallow.appendingPathComponent(".git/shallow").path))

        let refused = try ci(["--no-fetch"], in: shallow, environment: environment)
        #expect(refused.status == 2)
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("git fetch --unshallow"), "\(refused.stderr)")

        let deepened = try ci(["--format", "json"], in: shallow, environment: environment)
        #expect(deepened.status == 1, "\(deepened.stderr)")
        #expect(try decode(deepened).commits.count == 2)
        #expect(!FileManager.default.fileExists(atPath: shallow.appendingPathComponent(".git/shallow").path))
    }

    @Test func aShallowCheckoutLackingTheHeadFetchesIt() throws {
        let (base, head) = try pullRequest()
        let shallow = sandbox.root.appendingPathComponent("shallow")
        try sandbox.git("clone", "-q", "--no-local", "--depth", "1", "file://\(server.path)", shallow.path, in: sandbox.root)
        let environment = try githubEvent(base: base, head: head)

        let refused = try ci(["--no-fetch"], in: shallow, environment: environment)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("head \(head.prefix(12))") && refused.stderr.contains("git fetch"), "\(refused.stderr)")

        let fetched = try ci(["--format", "json"], in: shallow, environment: environment)
        #expect(fetched.status == 1, "\(fetched.stderr)")
        #expect(try decode(fetched).commits.map(\.id) == [head])
    }

    // MARK: Formats

    @Test func everyFormatRendersTheSameJudgement() throws {
        let (base, head) = try pullRequest()
        let runner = try runner(at: head)
        let environment = try githubEvent(base: base, head: head)

        // Under GitHub Actions the default is github: annotations, and the step summary.
        let github = try ci([], in: runner, environment: environment)
        #expect(github.status == 1, "\(github.stderr)")
        #expect(github.stdout.split(separator: "\n").contains { $0.hasPrefix("::error") }, "\(github.stdout)")
        let summary = try String(contentsOfFile: try #require(environment["GITHUB_STEP_SUMMARY"]), encoding: .utf8)
        #expect(summary.contains("blocked"), "\(summary)")

        // gitlab: a Code Quality report, where GitLab looks for it by default.
        let gitlab = try ci(["--format", "gitlab"], in: runner, environment: environment)
        #expect(gitlab.status == 1, "\(gitlab.stderr)")
        let report = try Data(contentsOf: runner.appendingPathComponent("gl-code-quality-report.json"))
        let issues = try #require(try JSONSerialization.jsonObject(with: report) as? [[String: Any]])
        #expect(!issues.isEmpty)
        let elsewhere = sandbox.root.appendingPathComponent("quality.json").path
        #expect(try ci(["--format", "gitlab", "--output", elsewhere], in: runner, environment: environment).status == 1)
        #expect(FileManager.default.fileExists(atPath: elsewhere))

        // sarif: stdout unless --output.
        let sarif = try ci(["--format", "sarif"], in: runner, environment: environment)
        #expect(sarif.status == 1, "\(sarif.stderr)")
        let log = try #require(try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")

        let markdown = try ci(["--format", "markdown"], in: runner, environment: environment)
        #expect(markdown.status == 1)
        #expect(markdown.stdout.contains("## agentreview: blocked"), "\(markdown.stdout)")
        #expect(markdown.stdout.contains(String(head.prefix(12))) || markdown.stdout.contains(String(head.prefix(7))))

        // Outside GitHub Actions the default is text.
        let text = try ci(["--base", base, "--head", head, "--ref", "main"], in: runner)
        #expect(!text.stdout.contains("::error"), "\(text.stdout)")
        #expect(text.stdout.contains(String(head.prefix(12))))
    }

    // MARK: Reading the environment (CIEnvironment)

    static func event(_ json: String) -> (String) throws -> Data {
        { _ in Data(json.utf8) }
    }

    @Test func readsAGitHubPullRequestEvent() throws {
        let json = """
            {"action":"synchronize","number":9,"pull_request":{"number":9,"base":{"ref":"release/1.x","sha":"\(String(repeating: "b", count: 40))"},
             "head":{"ref":"fix","sha":"\(String(repeating: "c", count: 40))"}}}
            """
        for name in ["pull_request", "pull_request_target"] {
            let request = try CIEnvironment.request(
                environment: ["GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": name, "GITHUB_EVENT_PATH": "/e.json"],
                readFile: Self.event(json))
            #expect(request == CIRequest(
                base: String(repeating: "b", count: 40), head: String(repeating: "c", count: 40), ref: "refs/heads/release/1.x",
                provider: .github, number: "9"))
        }
        // Options override the event.
        let overridden = try CIEnvironment.request(
            environment: ["GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": "/e.json"],
            head: "HEAD", readFile: Self.event(json))
        #expect(overridden.head == "HEAD" && overridden.provider == .github)
        // Any other event, or a payload without the fields: one line.
        #expect(throws: CLIError.self) {
            try CIEnvironment.request(environment: ["GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push"], readFile: Self.event(json))
        }
        #expect(throws: CLIError.self) {
            try CIEnvironment.request(
                environment: ["GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": "/e.json"],
                readFile: Self.event("{\"action\":\"opened\"}"))
        }
        #expect(throws: CLIError.self) {
            try CIEnvironment.request(
                environment: ["GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": "/e.json"],
                readFile: Self.event("not json"))
        }
    }

    /// Any JSON is read: a pull request number given as a string counts, and a member of
    /// another type is missing (the message names what is), not a file that is not JSON.
    @Test func readsTheGitHubEventLeniently() throws {
        let environment = ["GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": "/e.json"]
        let sides = "\"base\":{\"ref\":\"main\",\"sha\":\"b\"},\"head\":{\"sha\":\"c\"}"
        let named = try CIEnvironment.request(environment: environment, readFile: Self.event("{\"pull_request\":{\"number\":\"12\",\(sides)}}"))
        #expect(named == CIRequest(base: "b", head: "c", ref: "refs/heads/main", provider: .github, number: "12"))
        let outer = try CIEnvironment.request(environment: environment, readFile: Self.event("{\"number\":7,\"pull_request\":{\"number\":[],\(sides)}}"))
        #expect(outer.number == "7")
        let missing = "the pull_request event at /e.json has no pull_request.base.sha, pull_request.head.sha and pull_request.base.ref"
        for json in ["[1, 2]", "{\"pull_request\":{\"base\":{\"ref\":\"main\",\"sha\":5},\"head\":{\"sha\":\"c\"}}}", "{\"pull_request\":\"x\"}"] {
            do {
                _ = try CIEnvironment.request(environment: environment, readFile: Self.event(json))
                Issue.record("read \(json)")
            } catch let error as CLIError {
                #expect(error.message.hasPrefix(missing), "\(json): \(error.message)")
            }
        }
        do {
            _ = try CIEnvironment.request(environment: environment, readFile: Self.event("{\"pull_request\":"))
            Issue.record("read a truncated event")
        } catch let error as CLIError {
            #expect(error.message.hasPrefix("cannot read the pull_request event at /e.json (it is not JSON)"), "\(error.message)")
        }
    }

    @Test func readsAGitLabMergeRequestPipeline() throws {
        let environment = [
            "GITLAB_CI": "true", "CI_MERGE_REQUEST_IID": "3", "CI_MERGE_REQUEST_DIFF_BASE_SHA": "base1",
            "CI_COMMIT_SHA": "head1", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        ]
        #expect(try CIEnvironment.request(environment: environment)
            == CIRequest(base: "base1", head: "head1", ref: "refs/heads/main", provider: .gitlab, number: "3"))
        var branch = environment
        branch.removeValue(forKey: "CI_MERGE_REQUEST_IID")
        #expect(throws: CLIError.self) { try CIEnvironment.request(environment: branch) }
        var partial = environment
        partial.removeValue(forKey: "CI_MERGE_REQUEST_DIFF_BASE_SHA")
        #expect(throws: CLIError.self) { try CIEnvironment.request(environment: partial) }
        // All three options: manual, whatever the environment.
        let manual = try CIEnvironment.request(environment: branch, base: "a", head: "b", ref: "refs/tags/v1")
        #expect(manual == CIRequest(base: "a", head: "b", ref: "refs/tags/v1", provider: .manual, number: nil))
        #expect(throws: CLIError.self) { try CIEnvironment.request(environment: [:], base: "a", head: "b") }
    }
}
