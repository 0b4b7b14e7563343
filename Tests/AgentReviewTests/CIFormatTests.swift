import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

@testable import AgentReviewCLI

/// The CI outputs (GitHub annotations and summary, GitLab Code Quality, SARIF, the PR
/// comment), fed through the one judging path (`JudgementStream`) with commit reports
/// made here: each renders what the stream decided, in the exact form its reader parses.
@Suite struct CIFormatTests {
    /// Collects what a sink writes to stdout.
    final class Capture: @unchecked Sendable {
        var text = ""
        func write(_ string: String) { text += string }
        var lines: [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty } }
    }

    static func id(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return String(repeating: "a", count: 40 - hex.count) + hex
    }

    /// A commit report as the evaluator would make it (decoded from its JSON, then set).
    static func report(
        _ n: Int, _ verdict: Verdict, subject: String = "Agent change", paths: [PathReport]? = nil, class: String = "high",
        agent: String? = "claude-code", missing: [Missing]? = nil
    ) -> CommitReport {
        let json = """
            {"id":"\(id(n))","subject":"s","author":"A <a@example.com>","evidence":[],"class":"low","paths":[],
             "verdict":"pass","reasons":[],"missing":[],"approvals":[],"refused":[]}
            """
        var report = try! JSONDecoder().decode(CommitReport.self, from: Data(json.utf8))
        report.subject = subject
        report.agent = agent
        report.class = `class`
        report.verdict = verdict
        report.paths = paths ?? [
            PathReport(path: "docs/readme.md", class: "low", rule: "\"docs/\"", line: 3),
            PathReport(path: "infra/main.tf", class: `class`, rule: "\"infra/\"", line: 47),
        ]
        report.reasons = ["agent-authored (claude-code)", "class \(`class`): infra/main.tf"]
        if verdict == .blocked || verdict == .warn {
            report.missing = missing ?? [
                Missing(requirement: "approvals", detail: "1 approval from a listed reviewer",
                        command: "agentreview approve \(report.shortID)", by: "alice@example.com"),
            ]
        }
        return report
    }

    static func overridden(_ n: Int) -> CommitReport {
        var report = report(n, .overridden)
        let json = """
            {"signer":"oncall@example.com","date":"2026-11-28T10:00:00Z","reason":"prod down: INC-4211","key":"SHA256:abc",
             "satisfied":[{"requirement":"approvals","detail":"1 approval from a listed reviewer","command":"agentreview approve x"}]}
            """
        report.override = try! JSONDecoder().decode(OverrideReport.self, from: Data(json.utf8))
        return report
    }

    /// A commit that broke its task contract: blocked, the violation listed as missing.
    static func contractBreaker(_ n: Int) -> CommitReport {
        let violation = ContractViolation(
            clause: "paths.deny", path: "infra/main.tf", detail: "infra/main.tf is denied by \"infra/\"",
            location: ".agentreview/contracts/docs-only.yml:7")
        var report = report(n, .blocked, missing: [
            Missing(requirement: "contract", detail: violation.description, command: "drop the change to infra/main.tf"),
        ])
        report.contract = ContractReport(
            name: "docs-only", source: ".agentreview/contracts/docs-only.yml", owner: "docs-lead@example.com",
            violations: [violation])
        return report
    }

    /// Runs `reports` through a stream with `sinks` only: one ref, then finish.
    @discardableResult
    static func judge(
        _ reports: [CommitReport], sinks: [any JudgementSink], ref: String = "refs/heads/main", mode: EnforcementMode = .enforce
    ) -> JudgementOutcome {
        let stream = JudgementStream(sinks: sinks, errorsAlwaysFail: true)
        stream.judge(RefJudgement(ref: ref, mode: mode, policy: "refs/heads/main@1a2b3c4d5e6f:.agentreview/policy.yml"),
                     heading: Heading(ref)) { add in
            for report in reports { try add(report) }
            return nil
        }
        return stream.finish()
    }

    // MARK: - GitHub

    @Test(arguments: [
        ("plain", "plain", "plain"),
        ("100%", "100%25", "100%25"),
        ("a\nb", "a%0Ab", "a%0Ab"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
        ("%0A", "%250A", "%250A"),
        ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
    ])
    func workflowCommandEscaping(_ raw: String, _ data: String, _ property: String) {
        #expect(GitHubSink.data(raw) == data)
        #expect(GitHubSink.property(raw) == property)
    }

    @Test func oneAnnotationPerCommitThatDidNotPass() throws {
        let out = Capture()
        let awkward = Self.report(
            2, .warn, subject: "50% done\nsecond line",
            paths: [PathReport(path: "web/a,b:c.ts", class: "high", rule: "\"web/\"")])
        Self.judge(
            [Self.report(1, .blocked), awkward, Self.overridden(3), Self.report(4, .pass), Self.contractBreaker(5)],
            sinks: [GitHubSink(summaryPath: nil, write: out.write)])
        let short = { (n: Int) in String(Self.id(n).prefix(12)) }
        #expect(out.lines == [
            "::error file=infra/main.tf,title=agentreview%3A \(short(1)) blocked::\(short(1)) \"Agent change\" by claude-code, class high: blocked%0Amissing: 1 approval from a listed reviewer%0Arun: agentreview approve \(short(1)) (by alice@example.com)",
            "::error file=.agentreview/contracts/docs-only.yml,line=7,title=agentreview%3A \(short(5)) blocked::\(short(5)) \"Agent change\" by claude-code, class high: blocked%0Acontract violation: paths.deny: infra/main.tf is denied by \"infra/\" (.agentreview/contracts/docs-only.yml:7)%0Arun: drop the change to infra/main.tf",
            "::warning file=web/a%2Cb%3Ac.ts,title=agentreview%3A \(short(2)) warn::\(short(2)) \"50%25 done%0Asecond line\" by claude-code, class high: warn%0Amissing: 1 approval from a listed reviewer%0Arun: agentreview approve \(short(2)) (by alice@example.com)",
            "::notice file=infra/main.tf,title=agentreview%3A \(short(3)) overridden::\(short(3)) \"Agent change\" by claude-code, class high: overridden%0AOVERRIDDEN by oncall@example.com on 2026-11-28T10:00:00Z: \"prod down: INC-4211\"%0Aoverridden: 1 approval from a listed reviewer",
        ])
    }

    @Test func atMostTenAnnotationsOfEachKind() throws {
        let out = Capture()
        let blocked = (1...25).map { Self.report($0, .blocked) }
        let warned = (26...37).map { Self.report($0, .warn) }
        let outcome = Self.judge(blocked + warned, sinks: [GitHubSink(summaryPath: "/dev/null", write: out.write)])
        #expect(outcome.status == 1)
        let errors = out.lines.filter { $0.hasPrefix("::error ") }
        let warnings = out.lines.filter { $0.hasPrefix("::warning ") }
        #expect(errors.count == 10)
        #expect(warnings.count == 10)
        #expect(errors.prefix(9).allSatisfy { $0.contains("blocked::") })
        #expect(errors.last == "::error title=agentreview%3A 16 more::16 more blocked commits (or refs not judged) are not annotated: see them in the job summary")
        #expect(warnings.last == "::warning title=agentreview%3A 3 more::3 more commits with warnings are not annotated: see them in the job summary")
    }

    @Test func aPassingRefHasNoAnnotations() throws {
        let out = Capture()
        Self.judge([Self.report(1, .pass), Self.report(2, .pass)], sinks: [GitHubSink(summaryPath: nil, write: out.write)])
        #expect(out.text.isEmpty)
    }

    @Test func theSummaryIsAppendedNotOverwritten() throws {
        let sandbox = try Sandbox()
        let summary = sandbox.root.appendingPathComponent("step-summary.md")
        try "# earlier step\n".write(to: summary, atomically: true, encoding: .utf8)
        var blocked = Self.report(1, .blocked, agent: "agent|pipe")
        blocked.missing[0].detail = "an approval, `quoted` | piped"
        Self.judge([blocked, Self.overridden(2), Self.report(3, .pass)],
                   sinks: [GitHubSink(summaryPath: summary.path, write: { _ in })])
        Self.judge([Self.report(4, .warn)], sinks: [GitHubSink(summaryPath: summary.path, write: { _ in })], ref: "refs/heads/dev", mode: .warn)
        let text = try String(contentsOf: summary, encoding: .utf8)
        #expect(text.hasPrefix("# earlier step\n"))
        let main = try #require(text.range(of: "## agentreview: refs/heads/main — blocked"))
        let dev = try #require(text.range(of: "## agentreview: refs/heads/dev — warn"))
        #expect(main.lowerBound < dev.lowerBound)
        let short = String(Self.id(1).prefix(12))
        #expect(text.contains(
            "| `\(short)` | blocked | agent\\|pipe | high | an approval, \\`quoted\\` \\| piped | `agentreview approve \(short)` | alice@example.com |"),
            "\(text)")
        #expect(text.contains("| Commit | Verdict | Agent | Class | Missing | Command | Who can |"))
        #expect(text.contains("- `\(Self.id(2).prefix(12))` by oncall@example.com on 2026-11-28T10:00:00Z: \"prod down: INC-4211\", key `SHA256:abc`"))
        #expect(text.contains("3 commits judged (mode enforce): 1 blocked, 0 warn, 1 overridden, 1 pass."))
    }

    // MARK: - GitLab Code Quality

    static func codeQuality(_ reports: [CommitReport], in directory: URL, name: String = "gl-code-quality.json") throws -> (Data, [[String: Any]]) {
        let path = directory.appendingPathComponent(name)
        Self.judge(reports, sinks: [CodeQualitySink(path: path.path)])
        let data = try Data(contentsOf: path)
        let issues = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        return (data, issues)
    }

    static var mixed: [CommitReport] {
        [
            report(1, .blocked, missing: [
                Missing(requirement: "approvals", detail: "2 approvals", command: "agentreview approve x"),
                Missing(requirement: "owners", detail: "an owner of infra/", command: "agentreview approve x", by: "ops@example.com"),
            ]),
            report(2, .warn), overridden(3), report(4, .pass), contractBreaker(5),
            report(6, .blocked, paths: []),
        ]
    }

    @Test func codeQualityIssuesHaveWhatGitLabReads() throws {
        let sandbox = try Sandbox()
        let (first, issues) = try Self.codeQuality(Self.mixed, in: sandbox.root)
        #expect(issues.count == 6)
        for issue in issues {
            #expect(issue["description"] is String)
            #expect((issue["check_name"] as? String)?.hasPrefix("agentreview.") == true)
            let fingerprint = try #require(issue["fingerprint"] as? String)
            #expect(fingerprint.count == 64 && fingerprint.allSatisfy(\.isHexDigit))
            #expect(["info", "minor", "major", "critical", "blocker"].contains(issue["severity"] as? String))
            let location = try #require(issue["location"] as? [String: Any])
            #expect((location["path"] as? String)?.isEmpty == false)
            let lines = try #require(location["lines"] as? [String: Any])
            #expect((lines["begin"] as? Int).map { $0 >= 1 } == true)
        }
        #expect(Set(issues.compactMap { $0["fingerprint"] as? String }).count == issues.count)
        #expect(issues.map { $0["severity"] as? String } == ["major", "major", "minor", "info", "critical", "major"])
        #expect(issues.map { $0["check_name"] as? String } == [
            "agentreview.approvals", "agentreview.owners", "agentreview.approvals", "agentreview.override", "agentreview.contract",
            "agentreview.approvals",
        ])
        let contract = try #require(issues[4]["location"] as? [String: Any])
        #expect(contract["path"] as? String == ".agentreview/contracts/docs-only.yml")
        #expect((contract["lines"] as? [String: Any])?["begin"] as? Int == 7)
        #expect((issues[5]["location"] as? [String: Any])?["path"] as? String == CIFinding.fallbackPath)
        #expect((issues[0]["description"] as? String)?.contains("missing 2 approvals; run: agentreview approve x") == true)
        #expect((issues[3]["description"] as? String)?.contains("OVERRIDDEN by oncall@example.com") == true)

        // Stable: the same judgement again writes the same bytes.
        let (second, _) = try Self.codeQuality(Self.mixed, in: sandbox.root, name: "again.json")
        #expect(first == second)
        // The fingerprint is the SHA-256 of commit id, requirement and detail.
        let expected = SHA256Digest.hex(Array("\(Self.id(1))\u{0}approvals\u{0}2 approvals".utf8))
        #expect(issues[0]["fingerprint"] as? String == expected)
    }

    @Test func codeQualityIsAnEmptyArrayWhenNothingIsWrong() throws {
        let sandbox = try Sandbox()
        let (data, issues) = try Self.codeQuality([Self.report(1, .pass)], in: sandbox.root)
        #expect(issues.isEmpty)
        #expect(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" ||
                String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        // No temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.root.path) == ["gl-code-quality.json"])
    }

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256KnownAnswers(_ message: String, _ digest: String) {
        #expect(SHA256Digest.hex(Array(message.utf8)) == digest)
        #expect(SHA256Digest.hex(Array(String(repeating: "a", count: 1000).utf8)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    // MARK: - SARIF

    static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sarif-schema-2.1.0.json")

    /// Validates `log` against the official schema with the `jsonschema` Python package
    /// (scripts/test installs it): its errors, none when valid.
    static func validate(_ log: URL, in directory: URL) throws -> Sandbox.Output {
        let script = """
            import json, sys
            try:
                import jsonschema
            except ImportError:
                print("jsonschema is not installed (scripts/test installs it)"); sys.exit(3)
            schema = json.load(open(sys.argv[1]))
            log = json.load(open(sys.argv[2]))
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            errors = sorted(cls(schema).iter_errors(log), key=lambda e: list(e.path))
            for e in errors: print("/".join(map(str, e.path)) + ": " + e.message)
            sys.exit(1 if errors else 0)
            """
        return try Sandbox.run("/usr/bin/env", ["python3", "-c", script, schema.path, log.path], in: directory)
    }

    @Test func sarifValidatesAgainstTheSchema() throws {
        let sandbox = try Sandbox()
        let path = sandbox.root.appendingPathComponent("agentreview.sarif")
        var judged = Self.mixed
        judged[1].paths = [PathReport(path: "web/a b#c.ts", class: "high", rule: "\"web/\"")]
        Self.judge(judged, sinks: [SARIFSink(path: path.path)])
        let validation = try Self.validate(path, in: sandbox.root)
        #expect(validation.status == 0, "\(validation.stdout)\(validation.stderr)")

        let log = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")
        #expect(log["$schema"] as? String == SARIFSink.schema)
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "agentreview")
        let rules = try #require(driver["rules"] as? [[String: Any]])
        #expect(rules.compactMap { $0["id"] as? String }.contains("agentreview/approvals"))
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 6)
        #expect(results.map { $0["level"] as? String } == ["error", "error", "warning", "note", "error", "error"])
        for result in results {
            let ruleIndex = try #require(result["ruleIndex"] as? Int)
            #expect(rules[ruleIndex]["id"] as? String == result["ruleId"] as? String)
            let properties = try #require(result["properties"] as? [String: Any])
            #expect((properties["commit"] as? String)?.count == 40)
            #expect(properties["agent"] as? String == "claude-code")
            #expect(properties["class"] as? String == "high")
        }
        let fingerprints = results.compactMap { ($0["partialFingerprints"] as? [String: String])?["agentreview/v1"] }
        #expect(Set(fingerprints).count == results.count)
        func physical(_ index: Int) -> [String: Any]? {
            ((results[index]["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any]
        }
        #expect((physical(2)?["artifactLocation"] as? [String: Any])?["uri"] as? String == "web/a%20b%23c.ts")
        #expect((physical(4)?["artifactLocation"] as? [String: Any])?["uri"] as? String == ".agentreview/contracts/docs-only.yml")
        #expect((physical(4)?["region"] as? [String: Any])?["startLine"] as? Int == 7)
        #expect(physical(0)?["region"] == nil)
    }

    @Test func sarifOnStdoutAndForAFailedRefValidates() throws {
        let sandbox = try Sandbox()
        let out = Capture()
        let stream = JudgementStream(sinks: [SARIFSink(path: nil, write: out.write)], errorsAlwaysFail: true)
        stream.fail(ref: nil, heading: Heading("check"), CLIError("no such revision: nope"))
        #expect(stream.finish().status == 2)
        let path = sandbox.root.appendingPathComponent("stdout.sarif")
        try out.text.write(to: path, atomically: true, encoding: .utf8)
        let validation = try Self.validate(path, in: sandbox.root)
        #expect(validation.status == 0, "\(validation.stdout)\(validation.stderr)")
        #expect(out.text.contains("\"ruleId\" : \"agentreview/error\""))
        #expect(out.text.contains("no such revision: nope"))

        // Nothing wrong: a valid log with no results.
        let clean = sandbox.root.appendingPathComponent("clean.sarif")
        Self.judge([Self.report(1, .pass)], sinks: [SARIFSink(path: clean.path)])
        #expect(try Self.validate(clean, in: sandbox.root).status == 0)
        let cleanLog = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: clean)) as? [String: Any])
        #expect(((cleanLog["runs"] as? [[String: Any]])?.first?["results"] as? [Any])?.isEmpty == true)
    }

    // MARK: - Markdown

    @Test func markdownCommentHasTheMarkerTableAndDetails() throws {
        let out = Capture()
        var blocked = Self.report(1, .blocked, class: "hi|gh")
        blocked.missing[0].command = "agentreview approve `x` | y"
        blocked.reasons = ["agent-authored (claude-code)", "class hi|gh: infra/main.tf", "<script> in a reason"]
        Self.judge([blocked, Self.overridden(2), Self.report(3, .pass)], sinks: [MarkdownSink(write: out.write)])
        let lines = out.text.components(separatedBy: "\n")
        let short = String(Self.id(1).prefix(12))
        #expect(lines.first == "<!-- agentreview -->")
        #expect(lines[1] == "## agentreview: blocked")
        #expect(lines.contains("### refs/heads/main — blocked"))
        #expect(lines.contains(
            "| `\(short)` | blocked | claude-code | hi\\|gh | 1 approval from a listed reviewer | agentreview approve \\`x\\` \\| y | alice@example.com |"),
            "\(out.text)")
        #expect(lines.contains("| `\(Self.id(3).prefix(12))` | pass | claude-code | high |  |  |  |"))
        #expect(lines.contains("| `\(Self.id(2).prefix(12))` | overridden | claude-code | high | overridden: 1 approval from a listed reviewer |  |  |"))
        #expect(lines.contains("<details>") && lines.contains("</details>"))
        #expect(lines.contains("  - class hi\\|gh: infra/main.tf"))
        #expect(lines.contains("  - &lt;script> in a reason"))
        #expect(!out.text.contains("<script>"))
    }

    @Test func theTableIsSharedAndEscapesCells() {
        #expect(CIMarkdown.escape("a|b`c\\d\ne<f") == "a\\|b\\`c\\\\d e&lt;f")
        #expect(CIMarkdown.code("agentreview approve 1a2b | x") == "`agentreview approve 1a2b \\| x`")
        let rows = [CIMarkdown.Row(Self.report(1, .warn))]
        #expect(CIMarkdown.table(rows).count == 3)
    }
}
