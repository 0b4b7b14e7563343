import AgentReviewTestSupport
import Foundation
import Testing

/// The CI integration shipped with the binary: the GitHub workflow, the GitLab job and the
/// composite action, read as YAML (by Python's yaml, as a runner's parser would) and checked
/// for what keeps them safe and working: the workflow never runs the head, the token is
/// read-only, the job produces the report GitLab reads.
@Suite struct CITemplatesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A YAML file as JSON objects.
    func load(_ path: String) throws -> [String: Any] {
        let script = "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"
        let output = try Sandbox.run("/usr/bin/env", ["python3", "-c", script, Self.root.appendingPathComponent(path).path], in: Self.root)
        try #require(output.status == 0, "\(output.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    }

    @Test func theGitHubWorkflowNeverRunsTheHead() throws {
        let workflow = try load("templates/github/agentreview.yml")
        // PyYAML reads the key `on` as the boolean true.
        let on = try #require((workflow["on"] ?? workflow["true"]) as? [String: Any])
        #expect(Set(on.keys) == ["pull_request_target", "issue_comment"])
        #expect((workflow["permissions"] as? [String: String]) == ["contents": "read"])
        let jobs = try #require(workflow["jobs"] as? [String: Any])
        let check = try #require(jobs["agentreview"] as? [String: Any])
        let steps = try #require(check["steps"] as? [[String: Any]])
        let checkout = try #require(steps.first { ($0["uses"] as? String)?.hasPrefix("actions/checkout") == true })
        let with = try #require(checkout["with"] as? [String: Any])
        #expect(with["ref"] as? String == "${{ github.event.pull_request.base.sha }}")
        #expect(with["persist-credentials"] as? Bool == false)
        // Nothing checks out, builds or runs the head: it is only fetched as objects.
        let text = try String(contentsOf: Self.root.appendingPathComponent("templates/github/agentreview.yml"), encoding: .utf8)
        let code = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }.joined(separator: "\n")
        #expect(!code.contains("pull_request.head.sha") && !code.contains("head.ref"))
        #expect(!code.contains("git checkout") && !code.contains("git switch"))
        // The re-run job is for members only.
        let rerun = try #require(jobs["rerun"] as? [String: Any])
        #expect((rerun["if"] as? String)?.contains("author_association") == true)
    }

    @Test func theGitLabJobWritesTheCodeQualityReport() throws {
        let file = try load("templates/gitlab/agentreview.gitlab-ci.yml")
        let job = try #require(file["agentreview"] as? [String: Any])
        let rules = try #require(job["rules"] as? [[String: Any]])
        #expect(rules.first?["if"] as? String == "$CI_PIPELINE_SOURCE == \"merge_request_event\"")
        let script = try #require(job["script"] as? [String])
        #expect(script.contains("agentreview ci --format gitlab --output gl-code-quality-report.json"))
        let artifacts = try #require(job["artifacts"] as? [String: Any])
        #expect(artifacts["when"] as? String == "always")
        #expect((artifacts["reports"] as? [String: String])?["codequality"] == "gl-code-quality-report.json")
    }

    @Test func theActionBuildsOrTakesABinaryAndRunsCI() throws {
        let action = try load("action.yml")
        let runs = try #require(action["runs"] as? [String: Any])
        #expect(runs["using"] as? String == "composite")
        let steps = try #require(runs["steps"] as? [[String: Any]])
        #expect(steps.contains { ($0["run"] as? String)?.contains("swift build -c release --product agentreview") == true })
        #expect(steps.contains { ($0["uses"] as? String)?.hasPrefix("actions/cache@") == true })
        let last = try #require(steps.last?["run"] as? String)
        #expect(last.contains("ci --format \"$FORMAT\""))
        let inputs = try #require(action["inputs"] as? [String: Any])
        #expect(Set(inputs.keys) == ["binary", "format", "args"])
    }
}
