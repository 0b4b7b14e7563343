import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

@testable import AgentReviewCLI

/// End to end: real repositories, the real binary, `check` and `status` as a person runs them.
@Suite struct JudgeTests {
    let sandbox: Sandbox
    init() throws { sandbox = try Sandbox() }

    /// Judges base..HEAD for main and returns the one commit's report.
    func judgeHead(_ repository: URL, base: String) throws -> CommitReport {
        let head = try sandbox.git("rev-parse", "HEAD", in: repository)
        let (judgement, _) = try sandbox.judgement(["check", base, head, "--ref", "refs/heads/main"], in: repository)
        try #require(judgement.commits.count == 1)
        return judgement.commits[0]
    }

    static let agents: [(agent: String, author: String?, trailer: String?)] = [
        ("claude-code", nil, "Co-Authored-By: Claude <noreply@anthropic.com>"),
        ("claude-code", "Claude <noreply@anthropic.com>", nil),
        ("copilot", "copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>", nil),
        ("copilot", nil, "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>"),
        ("aider", "Pat Smith (aider) <pat@example.com>", nil),
        ("aider", nil, "Co-authored-by: aider (anthropic/claude-sonnet) <aider@aider.chat>"),
        ("codex", "Codex <codex@openai.com>", nil),
        ("codex", nil, "Co-authored-by: Codex <noreply@openai.com>"),
        ("cursor", "Cursor Agent <cursoragent@cursor.com>", nil),
        ("cursor", nil, "Made-with: Cursor"),
        ("devin", "devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>", nil),
        ("jules", "google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>", nil),
        ("amp", nil, "Co-authored-by: Amp <amp@ampcode.com>"),
        ("amp", nil, "Amp-Thread-ID: https://ampcode.com/threads/T-123"),
        ("openhands", "openhands <openhands@all-hands.dev>", nil),
    ]

    @Test("each built-in agent is recognised and its code commit blocked", arguments: agents)
    func builtInAgent(agent: String, author: String?, trailer: String?) throws {
        let (repository, base) = try sandbox.repositoryWithPolicy()
        try sandbox.write("src/app.swift", "let x = 1\n", in: repository)
        let message = "Change the app\n\nWhy it changed.\n" + (trailer.map { "\n\($0)\n" } ?? "")
        try sandbox.commit(message, in: repository, author: author)
        let report = try judgeHead(repository, base: base)
        #expect(report.agent == agent)
        #expect(!report.evidence.isEmpty)
        #expect(report.class == "medium")
        #expect(report.verdict == .blocked)
        // The repository lists no reviewer yet: that comes first, then the approval.
        #expect(report.missing.map(\.requirement) == ["signers", "approvals"])
        #expect(report.missing.last?.command == "agentreview approve \(report.id.prefix(12))")
    }

    @Test func humanCommitPasses() throws {
        let (repository, base) = try sandbox.repositoryWithPolicy()
        try sandbox.write("infra/main.tf", "resource {}\n", in: repository)
        try sandbox.commit("Change infrastructure\n\nSigned-off-by: Hugh Mann <hugh@example.com>", in: repository)
        let report = try judgeHead(repository, base: base)
        #expect(report.agent == nil)
        #expect(report.class == "high")
        #expect(report.verdict == .pass)
    }

    @Test("paths set the class: docs low, code medium, infra high", arguments: [
        ("docs/guide.txt", "low"), ("notes.md", "low"), ("src/main.swift", "medium"), ("infra/main.tf", "high"),
    ])
    func classes(path: String, expected: String) throws {
        let (repository, base) = try sandbox.repositoryWithPolicy()
        try sandbox.write(path, in: repository)
        try sandbox.commit("Touch \(path)\n\nAgent: test-agent/1.0", in: repository)
        let report = try judgeHead(repository, base: base)
        #expect(report.class == expected)
        #expect(report.paths.map(\.path) == [path])
        #expect(report.verdict == (expected == "low" ? .pass : .blocked))
    }

    @Test func renameOutOfInfraIsHigh() throws {
        let (repository, _) = try sandbox.repositoryWithPolicy()
        try sandbox.write("infra/main.tf", "resource {}\n", in: repository)
        let base = try sandbox.commit("Add infra", in: repository)
        try FileManager.default.createDirectory(at: repository.appendingPathComponent("docs"), withIntermediateDirectories: true)
        try sandbox.git("mv", "infra/main.tf", "docs/main.tf", in: repository)
        try sandbox.commit("Move to docs\n\nAgent: test-agent/1.0", in: repository)
        let report = try judgeHead(repository, base: base)
        #expect(report.class == "high")
        #expect(Set(report.paths.map(\.path)) == ["infra/main.tf", "docs/main.tf"])
        #expect(report.paths.first { $0.path == "docs/main.tf" }?.class == "low")
    }

    @Test func deletionCounts() throws {
        let (repository, _) = try sandbox.repositoryWithPolicy()
        try sandbox.write("infra/main.tf", "resource {}\n", in: repository)
        let base = try sandbox.commit("Add infra", in: repository)
        try sandbox.git("rm", "-q", "infra/main.tf", in: repository)
        try sandbox.commit("Remove infra\n\nAgent: test-agent/1.0", in: repository)
        #expect(try judgeHead(repository, base: base).class == "high")
    }

    @Test func cleanMergeIntroducesNothing() throws {
        let (repository, base) = try sandbox.repositoryWithPolicy()
        try sandbox.git("checkout", "-q", "-b", "topic", in: repository)
        try sandbox.write("infra/main.tf", "resource {}\n", in: repository)
        let topic = try sandbox.commit("Infra on topic", in: repository)
        try sandbox.git("checkout", "-q", "main", in: repository)
        try sandbox.write("docs/a.md", in: repository)
        try sandbox.commit("Docs on main", in: repository)
        try sandbox.git(
            ["merge", "-q", "--no-ff", "-m", "Merge topic\n\nAgent: test-agent/1.0", "topic"], in: repository)
        let head = try sandbox.git("rev-parse", "HEAD", in: repository)
        // Judge only the merge: both parents are already on refs the check hides.
        let (judgement, _) = try sandbox.judgement(
            ["check", try sandbox.git("rev-parse", "HEAD^1", in: repository), head, "--ref", "refs/heads/main"],
            in: repository)
        let merge = try #require(judgement.commits.first { $0.id == head })
        #expect(merge.agent == "test-agent")
        #expect(merge.paths.isEmpty)
        #expect(merge.class == "low")
        #expect(merge.verdict == .pass)
        // The topic's own commit is judged too: it is not on main yet.
        #expect(judgement.commits.contains { $0.id == topic })
        _ = base
    }

    @Test func conflictResolutionIsIntroducedByTheMerge() throws {
        let (repository, _) = try sandbox.repositoryWithPolicy()
        try sandbox.write("infra/main.tf", "a\n", in: repository)
        try sandbox.commit("Infra", in: repository)
        try sandbox.git("checkout", "-q", "-b", "topic", in: repository)
        try sandbox.write("infra/main.tf", "topic\n", in: repository)
        try sandbox.commit("Topic infra", in: repository)
        try sandbox.git("checkout", "-q", "main", in: repository)
        try sandbox.write("infra/main.tf", "main\n", in: repository)
        let mainTip = try sandbox.commit("Main infra", in: repository)
        _ = try? sandbox.git("merge", "-q", "topic", in: repository)
        try sandbox.write("infra/main.tf", "resolved differently\n", in: repository)
        try sandbox.write("src/other.swift", in: repository)
        try sandbox.commit("Merge topic\n\nAgent: test-agent/1.0", in: repository)
        let head = try sandbox.git("rev-parse", "HEAD", in: repository)
        let topic = try sandbox.git("rev-parse", "topic", in: repository)
        // Hide the topic too, so that only the merge is judged.
        let (judgement, _) = try sandbox.judgement(["check", mainTip, head, "--ref", "refs/heads/main"], in: repository)
        let merge = try #require(judgement.commits.first { $0.id == head })
        #expect(Set(merge.paths.map(\.path)) == ["infra/main.tf", "src/other.swift"])
        #expect(merge.class == "high")
        #expect(merge.verdict == .blocked)
        #expect(judgement.commits.map(\.id).contains(topic))
    }

    @Test func rootCommitIsJudgedAgainstTheEmptyTree() throws {
        let (repository, base) = try sandbox.repositoryWithPolicy()
        // An unrelated history with its own root, pushed as a new branch.
        try sandbox.git("checkout", "-q", "--orphan", "fresh", in: repository)
        try sandbox.git("rm", "-rq", "--cached", ".", in: repository)
        try FileManager.default.removeItem(at: repository.appendingPathComponent(".agentreview"))
        try FileManager.default.removeItem(at: repository.appendingPathComponent("README.md"))
        try sandbox.write("infra/main.tf", in: repository)
        try sandbox.write("docs/index.md", in: repository)
        let root = try sandbox.commit("Root\n\nAgent: test-agent/1.0", in: repository)
        try sandbox.git("checkout", "-q", "-f", "main", in: repository)
        let (judgement, _) = try sandbox.judgement(
            ["check", String(repeating: "0", count: 40), root, "--ref", "refs/heads/fresh"], in: repository)
        #expect(judgement.commits.map(\.id) == [root])
        #expect(judgement.mode == .warn)
        #expect(judgement.verdict == .warn)
        #expect(Set(judgement.commits[0].paths.map(\.path)) == ["infra/main.tf", "docs/index.md"])
        #expect(judgement.commits[0].class == "high")
        #expect(judgement.policy?.hasPrefix("refs/heads/main@\(base.prefix(12))") == true)
    }

    @Test func submoduleSymlinkAndExecutableEscalate() throws {
        let (repository, base) = try sandbox.repositoryWithPolicy()
        try sandbox.write("docs/run.sh", "#!/bin/sh\n", in: repository, executable: true)
        try sandbox.commit("Executable\n\nAgent: a/1", in: repository)
        try FileManager.default.createSymbolicLink(
            atPath: repository.appendingPathComponent("docs/link").path, withDestinationPath: "/etc/passwd")
        try sandbox.commit("Symlink\n\nAgent: a/1", in: repository)
        let sub = try sandbox.repository("sub")
        try sandbox.write("file", in: sub)
        let subCommit = try sandbox.commit("Sub", in: sub)
        try sandbox.git(
            "update-index", "--add", "--cacheinfo", "160000,\(subCommit),docs/vendor", in: repository)
        try sandbox.git(["commit", "-q", "-m", "Submodule\n\nAgent: a/1"], in: repository)
        let (judgement, _) = try sandbox.judgement(
            ["check", base, "HEAD", "--ref", "refs/heads/main"], in: repository)
        let byPath = Dictionary(uniqueKeysWithValues: judgement.commits.flatMap(\.paths).map { ($0.path, $0) })
        #expect(byPath["docs/run.sh"]?.class == "high")
        #expect(byPath["docs/run.sh"]?.rule.contains("executable") == true)
        #expect(byPath["docs/link"]?.class == "high")
        #expect(byPath["docs/link"]?.rule.contains("symlink") == true)
        #expect(byPath["docs/vendor"]?.class == "high")
        #expect(byPath["docs/vendor"]?.rule.contains("submodule") == true)
        #expect(judgement.commits.allSatisfy { $0.verdict == .blocked })
    }

    @Test func tenThousandFiles() throws {
        let (repository, base) = try sandbox.repositoryWithPolicy()
        for directory in 0..<100 {
            for file in 0..<100 {
                try sandbox.write("docs/d\(directory)/f\(file).txt", "\(directory) \(file)\n", in: repository)
            }
        }
        try sandbox.write("infra/x.tf", in: repository)
        try sandbox.commit("Many files\n\nAgent: a/1", in: repository)
        let report = try judgeHead(repository, base: base)
        #expect(report.paths.count == 10_001)
        #expect(report.class == "high")
    }

    @Test func nonUTF8Path() throws {
        let (repository, base) = try sandbox.repositoryWithPolicy()
        let name = "infra/caf\u{00E9}"
        // Write the file name in Latin-1: a byte git stores as-is and that is not UTF-8.
        var bytes = Array(repository.path.utf8) + Array("/infra/caf".utf8) + [0xE9]
        bytes.append(0)
        try FileManager.default.createDirectory(at: repository.appendingPathComponent("infra"), withIntermediateDirectories: true)
        let created = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { creat($0, 0o644) }
        }
        try #require(created >= 0)
        close(created)
        try sandbox.commit("Latin-1 name\n\nAgent: a/1", in: repository)
        let report = try judgeHead(repository, base: base)
        #expect(report.class == "high")
        #expect(report.paths.map(\.path) == ["\"infra/caf\\351\""])
        _ = name
    }

    @Test func policyChangedInsideTheRangeDoesNotChangeTheVerdict() throws {
        let (repository, base) = try sandbox.repositoryWithPolicy()
        // The agent loosens the policy and touches infra in the same push.
        try sandbox.write(".agentreview/policy.yml", """
            version: 1
            classes:
              - name: low
                approvals: 0
            default_class: low
            """, in: repository)
        try sandbox.write("infra/main.tf", in: repository)
        try sandbox.commit("Loosen the rules\n\nAgent: a/1", in: repository)
        let report = try judgeHead(repository, base: base)
        #expect(report.class == "high")
        #expect(report.verdict == .blocked)
        #expect(report.paths.first { $0.path == ".agentreview/policy.yml" }?.rule.contains("trusted") == true)
    }

    @Test func warnModeReportsWithoutBlocking() throws {
        let (repository, base) = try sandbox.repositoryWithPolicy()
        try sandbox.write("infra/main.tf", in: repository)
        let head = try sandbox.commit("Infra\n\nAgent: a/1", in: repository)
        let (judgement, output) = try sandbox.judgement(["check", base, head, "--ref", "refs/heads/topic"], in: repository)
        #expect(judgement.mode == .warn)
        #expect(judgement.verdict == .warn)
        #expect(output.status == 0)
        let blocked = try sandbox.agentreview(["check", base, head, "--ref", "refs/heads/main"], in: repository)
        #expect(blocked.status == 1)
        #expect(blocked.stdout.contains("agentreview approve \(head.prefix(12))"))
        #expect(blocked.stdout.contains("\"infra/\""))
    }

    @Test func statusJudgesCommitsNotOnTheUpstream() throws {
        let (server, _) = try sandbox.repositoryWithPolicy(name: "origin")
        let clone = sandbox.root.appendingPathComponent("clone")
        try sandbox.git("clone", "-q", server.path, clone.path, in: sandbox.root)
        try sandbox.write("docs/a.md", in: clone)
        let docs = try sandbox.commit("Docs\n\nAgent: a/1", in: clone)
        try sandbox.write("src/a.swift", in: clone)
        let code = try sandbox.commit("Code\n\nAgent: a/1", in: clone)
        let (judgement, output) = try sandbox.judgement(["status"], in: clone)
        #expect(judgement.commits.map(\.id) == [code, docs])
        #expect(judgement.ref == "refs/heads/main")
        #expect(judgement.policy?.hasPrefix("refs/remotes/origin/main@") == true)
        #expect(output.status == 1)
        let text = try sandbox.agentreview(["status"], in: clone)
        #expect(text.status == 1)
        #expect(text.stdout.contains("missing: 1 approval"))
    }

    @Test func brokenPolicyIsAnErrorNotAPass() throws {
        let (repository, base) = try sandbox.repositoryWithPolicy("version: 1\nclasses: nope\n")
        try sandbox.write("src/a.swift", in: repository)
        let head = try sandbox.commit("Code\n\nAgent: a/1", in: repository)
        let output = try sandbox.agentreview(["check", base, head, "--ref", "refs/heads/main"], in: repository)
        #expect(output.status == 2)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.contains(".agentreview/policy.yml:2"))
    }

    @Test func missingPolicyIsAnError() throws {
        let repository = try sandbox.repository()
        let base = try sandbox.commit("Empty", in: repository)
        let head = try sandbox.commit("More\n\nAgent: a/1", in: repository)
        let output = try sandbox.agentreview(["check", base, head, "--ref", "refs/heads/main"], in: repository)
        #expect(output.status == 2)
        #expect(output.stderr.contains("agentreview init"))
    }

    @Test func explainPaths() throws {
        let (repository, _) = try sandbox.repositoryWithPolicy()
        let policyFile = repository.appendingPathComponent(".agentreview/policy.yml").path
        let output = try sandbox.agentreview(
            ["explain", "--path", "docs/x.txt", "infra/a/b.tf", "src/c.swift", "--policy", policyFile, "--json"],
            in: repository)
        #expect(output.status == 0)
        struct Paths: Decodable { var paths: [PathReport] }
        let paths = try JSONDecoder().decode(Paths.self, from: Data(output.stdout.utf8)).paths
        #expect(paths.map(\.class) == ["low", "high", "medium"])
        #expect(paths[2].rule == "default_class")
        #expect(paths[1].rule.contains("\"infra/\""))
    }

    @Test func explainCommit() throws {
        let (repository, _) = try sandbox.repositoryWithPolicy()
        try sandbox.write("infra/main.tf", in: repository)
        try sandbox.commit("Infra\n\nCo-Authored-By: Claude <noreply@anthropic.com>", in: repository)
        try sandbox.git("update-ref", "refs/remotes/origin/main", "HEAD~1", in: repository)
        let output = try sandbox.agentreview(["explain", "HEAD"], in: repository)
        #expect(output.status == 0)
        #expect(output.stdout.contains("infra/main.tf"))
        #expect(output.stdout.contains("claude-code"))
        #expect(output.stdout.contains("Co-Authored-By: Claude <noreply@anthropic.com>"))
    }

    @Test func initWritesTemplatesAndRefusesToOverwrite() throws {
        let repository = try sandbox.repository()
        let first = try sandbox.agentreview(["init"], in: repository)
        #expect(first.status == 0)
        let policy = try String(contentsOf: repository.appendingPathComponent(".agentreview/policy.yml"), encoding: .utf8)
        #expect(policy == Templates.policy)
        #expect(FileManager.default.fileExists(atPath: repository.appendingPathComponent(".agentreview/allowed_signers").path))
        let second = try sandbox.agentreview(["init"], in: repository)
        #expect(second.status == 2)
        #expect(second.stderr.contains("--force"))
        let check = try sandbox.agentreview(["policy", "check", ".agentreview/policy.yml"], in: repository)
        #expect(check.status == 0)
    }

    @Test func policyCheckReportsEveryErrorWithItsLine() throws {
        let repository = try sandbox.repository()
        try sandbox.write("bad.yml", """
            version: 1
            classes:
              - name: low
              - name: low
            default_class: missing
            colour: blue

            """, in: repository)
        let output = try sandbox.agentreview(["policy", "check", "bad.yml"], in: repository)
        #expect(output.status == 1)  // invalid; 2 is for a file that cannot be read
        let lines = output.stderr.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("bad.yml:4") })
        #expect(lines.contains { $0.hasPrefix("bad.yml:5") })
        #expect(lines.contains { $0.hasPrefix("bad.yml:6") })
    }

    @Test func contentsAreReadOnlyWhenThePolicyAsks() throws {
        let policy = Sandbox.policy + """
            escalations:
              binary: high
              changed_lines: { over: 5, class: high }

            """
        // The base policy above already has an escalations key: replace it whole.
        let merged = policy.replacingOccurrences(of: """
            escalations:
              submodule: high
              symlink: high
              executable: high

            """, with: "")
        let (repository, base) = try sandbox.repositoryWithPolicy(merged)
        try sandbox.write("docs/small.txt", "one\ntwo\n", in: repository)
        let small = try sandbox.commit("Small\n\nAgent: a/1", in: repository)
        try sandbox.write("docs/big.txt", (1...6).map { "line \($0)\n" }.joined(), in: repository)
        let big = try sandbox.commit("Big\n\nAgent: a/1", in: repository)
        try Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x01]).write(to: repository.appendingPathComponent("docs/logo.png"))
        let binary = try sandbox.commit("Binary\n\nAgent: a/1", in: repository)
        let (judgement, _) = try sandbox.judgement(["check", base, binary, "--ref", "refs/heads/main"], in: repository)
        let byID = Dictionary(uniqueKeysWithValues: judgement.commits.map { ($0.id, $0) })
        #expect(byID[small]?.class == "low")
        #expect(byID[big]?.class == "high")
        #expect(byID[big]?.reasons.contains("escalation changed_lines: 6 lines changed, over 5") == true)
        #expect(byID[binary]?.class == "high")
        #expect(byID[binary]?.paths.first?.rule == "escalation binary: binary content")
        // The same history under a policy that does not ask: no contents, no escalation.
        try sandbox.write("plain.yml", Sandbox.policy, in: sandbox.root)
        let (plain, _) = try sandbox.judgement(
            ["check", base, binary, "--ref", "refs/heads/main", "--policy", sandbox.root.appendingPathComponent("plain.yml").path],
            in: repository)
        #expect(plain.commits.map(\.class) == ["low", "low", "low"])
    }

    @Test func unsignedIsAgentJudgesEveryUnsignedCommit() throws {
        let policy = Sandbox.policy.replacingOccurrences(of: "default_mode: warn", with: """
            default_mode: warn
            agents:
              unsigned_is_agent: true
            """)
        let (repository, base) = try sandbox.repositoryWithPolicy(policy)
        try sandbox.write("src/a.swift", in: repository)
        try sandbox.commit("Plain human commit", in: repository)
        let report = try judgeHead(repository, base: base)
        #expect(report.agent != nil)
        #expect(report.evidence.map(\.source) == ["signature"])
        #expect(report.verdict == .blocked)
    }

    /// A long range goes through the worker-thread pipeline: same verdicts, same order.
    @Test func longRangeIsJudgedInOrder() throws {
        let (repository, base) = try sandbox.repositoryWithPolicy()
        // One fast-import stream: 300 commits alternating docs and infra, agent and human.
        var stream = ""
        for index in 0..<300 {
            let path = index % 2 == 0 ? "docs/page\(index).md" : "infra/module\(index).tf"
            let message = index % 3 == 0 ? "Change \(index)\n\nAgent: bot/1\n" : "Change \(index)\n"
            stream += "commit refs/heads/main\ncommitter Hugh Mann <hugh@example.com> \(1_700_000_000 + index) +0000\n"
            stream += "data \(message.utf8.count)\n\(message)\n"
            if index == 0 { stream += "from \(base)\n" }
            stream += "M 100644 inline \(path)\ndata 2\nx\n\n"
        }
        _ = try Sandbox.run("/usr/bin/git", ["fast-import", "--quiet"], in: repository, input: Data(stream.utf8))
        let head = try sandbox.git("rev-parse", "main", in: repository)
        let expected = try sandbox.git("rev-list", "\(base)..\(head)", in: repository).split(separator: "\n").map(String.init)
        try #require(expected.count == 300)
        let (judgement, output) = try sandbox.judgement(["check", base, head, "--ref", "refs/heads/main"], in: repository)
        #expect(judgement.commits.map(\.id) == expected)
        #expect(output.status == 1)
        for (offset, commit) in judgement.commits.enumerated() {
            let index = 299 - offset
            #expect(commit.class == (index % 2 == 0 ? "low" : "high"))
            #expect(commit.agent == (index % 3 == 0 ? "bot" : nil))
            #expect(commit.verdict == (index % 3 == 0 && index % 2 == 1 ? .blocked : .pass))
        }
    }

    /// Batches holding more changed paths than the pipeline gathers ahead
    /// (`Judge.pathsAhead`) are judged every one, in order: the walk goes on as the batches
    /// ahead are judged, whatever they hold.
    @Test func aRangeOfWideCommitsIsJudgedWhole() throws {
        let (repository, base) = try sandbox.repositoryWithPolicy()
        // Every batch after the first (`Judge.batchSize` commits) alone holds more paths
        // than the pipeline gathers ahead: each commit rewrites the same `width` files.
        let width = Judge.pathsAhead / Judge.batchSize + 1
        let count = Judge.sequentialLimit + Judge.batchesAhead * Judge.batchSize + 100
        var stream = "blob\nmark :1\ndata 2\nx\n\nblob\nmark :2\ndata 2\ny\n\n"
        for index in 0..<count {
            let message = "Change \(index)\n"
            stream += "commit refs/heads/main\ncommitter Hugh Mann <hugh@example.com> \(1_700_000_000 + index) +0000\n"
            stream += "data \(message.utf8.count)\n\(message)\n"
            if index == 0 { stream += "from \(base)\n" }
            for file in 0..<width { stream += "M 100644 :\(index % 2 + 1) docs/page\(file).md\n" }
            stream += "\n"
        }
        _ = try Sandbox.run("/usr/bin/git", ["fast-import", "--quiet"], in: repository, input: Data(stream.utf8))
        let head = try sandbox.git("rev-parse", "main", in: repository)
        let expected = try sandbox.git("rev-list", "\(base)..\(head)", in: repository).split(separator: "\n").map(String.init)
        try #require(expected.count == count)
        let (judgement, _) = try sandbox.judgement(["check", base, head, "--ref", "refs/heads/main"], in: repository)
        #expect(judgement.commits.map(\.id) == expected)
        #expect(judgement.commits.allSatisfy { $0.paths.count == width })
    }
}
