import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

/// The outputs of the one judging path, through the real binary: every output is
/// well-formed whatever happens (bad input, an unreadable policy, a missing object, a
/// failure half-way through a ref, the time limit), errors exit 2 and blocks 1, and the
/// traps a person falls into are closed.
@Suite struct JudgementOutputTests {
    static let zero = String(repeating: "0", count: 40)
    static let absent = "1234567890abcdef1234567890abcdef12345678"

    let sandbox: Sandbox
    let server: URL
    let clone: URL

    init() throws {
        sandbox = try Sandbox()
        (server, clone) = try sandbox.server(with: [".agentreview/policy.yml": Sandbox.policy, "README.md": "# project\n"])
    }

    /// Runs the server hook as git would (cwd the bare repository, updates on stdin).
    func preReceive(_ input: String, json: Bool = true) throws -> Sandbox.Output {
        try sandbox.agentreview(["hook", "pre-receive"] + (json ? ["--json"] : []), in: server, input: Data(input.utf8))
    }

    /// The hook's JSON: an array of ref judgements, which must parse whatever happened.
    func judgements(_ output: Sandbox.Output, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [Judgement] {
        do {
            return try JSONDecoder().decode([Judgement].self, from: Data(output.stdout.utf8))
        } catch {
            Issue.record("not valid JSON (\(error)): \(output.stdout)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// An agent commit on `path` in the clone, its objects copied to the server without
    /// any ref (a fetch runs no hook): what a push would bring.
    func agentCommit(_ path: String, _ subject: String = "Agent change") throws -> String {
        try sandbox.write(path, "\(subject)\n", in: clone)
        let id = try sandbox.commit("\(subject)\n\nCo-Authored-By: Claude <noreply@anthropic.com>", in: clone)
        try sandbox.git("fetch", "-q", clone.path, "main", in: server)
        return id
    }

    func mainTip() throws -> String { try sandbox.git("rev-parse", "main", in: server) }

    @Test func badStandardInputIsAnErrorInTheJSON() throws {
        let output = try preReceive("this is not a ref update\n")
        #expect(output.status == 2)
        let refs = try judgements(output)
        #expect(refs.count == 1)
        #expect(refs.first?.error?.contains("unreadable ref update") == true)
        #expect(refs.first?.verdict == .blocked)
        #expect(refs.first?.ref == nil)
        #expect(output.stderr.contains("push refused: unreadable ref update"), "\(output.stderr)")
    }

    @Test func anUnreadablePolicyIsAnErrorInTheJSON() throws {
        let sandbox = try Sandbox()
        let (server, _) = try sandbox.server(with: [".agentreview/policy.yml": "version: 1\nclasses: [ { name: low\n"])
        let tip = try sandbox.git("rev-parse", "main", in: server)
        let output = try sandbox.agentreview(
            ["hook", "pre-receive", "--json"], in: server, input: Data("\(tip) \(tip) refs/heads/main\n".utf8))
        #expect(output.status == 2)
        let refs = try JSONDecoder().decode([Judgement].self, from: Data(output.stdout.utf8))
        #expect(refs.count == 1)
        #expect(refs.first?.error?.contains("invalid policy") == true, "\(output.stdout)")
        #expect(refs.first?.verdict == .blocked)
    }

    @Test func aMissingObjectFailsItsRefAndTheJSONStaysWhole() throws {
        let tip = try mainTip()
        let output = try preReceive("\(tip) \(Self.absent) refs/heads/main\n")
        #expect(output.status == 2, "\(output.stderr)")
        let refs = try judgements(output)
        #expect(refs.map(\.ref) == ["refs/heads/main"])
        #expect(refs.first?.error != nil)
        #expect(refs.first?.mode == .enforce)
        #expect(refs.first?.verdict == .blocked)

        let text = try preReceive("\(tip) \(Self.absent) refs/heads/main\n", json: false)
        #expect(text.status == 2)
        #expect(text.stderr.contains("refs/heads/main refused: "), "\(text.stderr)")
        #expect(text.stdout.contains("push refused. Supply what is missing above"), "\(text.stdout)")
    }

    /// A blocked ref, then a warn-mode ref that fails: both reported, the failure does not
    /// refuse (its policy only warns), the block does.
    @Test func eachRefEndsWithItsOwnVerdictOrError() throws {
        let tip = try mainTip()
        let agent = try agentCommit("infra/main.tf", "Add a bucket")
        let output = try preReceive("\(tip) \(agent) refs/heads/main\n\(Self.zero) \(Self.absent) refs/heads/topic\n")
        #expect(output.status == 1, "\(output.stderr)")
        let refs = try judgements(output)
        #expect(refs.map(\.ref) == ["refs/heads/main", "refs/heads/topic"])
        #expect(refs[0].commits.map(\.id) == [agent])
        #expect(refs[0].verdict == .blocked && refs[0].error == nil)
        #expect(refs[1].commits.isEmpty && refs[1].error != nil)
        #expect(refs[1].mode == .warn && refs[1].verdict == .warn)

        let text = try preReceive("\(tip) \(agent) refs/heads/main\n\(Self.zero) \(Self.absent) refs/heads/topic\n", json: false)
        #expect(text.status == 1)
        #expect(text.stderr.contains("refs/heads/topic: not judged (warn mode): "), "\(text.stderr)")
        #expect(text.stdout.contains("blocked: sign-off missing on 1 of 1 commit"), "\(text.stdout)")
    }

    /// A ref that fails after some of its commits were written: the object is closed, with
    /// the commits judged so far and the error.
    @Test func aFailureHalfWayThroughARefKeepsTheJSONValid() throws {
        let (repository, base) = try sandbox.repositoryWithPolicy()
        var ids = [String]()
        for index in 1...3 {
            try sandbox.write("src/file\(index).txt", "\(index)\n", in: repository)
            ids.append(try sandbox.commit("Change \(index)\n\nAgent: codex/1", in: repository))
        }
        // The first of the three is lost from the object store.
        let loose = repository.appendingPathComponent(".git/objects/\(ids[0].prefix(2))/\(ids[0].dropFirst(2))")
        try FileManager.default.removeItem(at: loose)
        let policy = sandbox.root.appendingPathComponent("policy.yml")
        try Sandbox.policy.write(to: policy, atomically: true, encoding: .utf8)
        let output = try sandbox.agentreview(
            ["check", base, ids[2], "--ref", "refs/heads/main", "--json", "--policy", policy.path], in: repository)
        #expect(output.status == 2, "\(output.stderr)")
        let judgement = try JSONDecoder().decode(Judgement.self, from: Data(output.stdout.utf8))
        #expect(judgement.error != nil)
        #expect(judgement.verdict == .blocked)
        // The newest commits come first: what was judged before the gap is kept.
        #expect(judgement.commits.map(\.id) == Array(ids.reversed().prefix(judgement.commits.count)))
        #expect(!judgement.commits.contains { $0.id == ids[0] })
    }

    /// A commit touching 2,000 paths, between two small ones: its report (well over the
    /// output's 64 KiB chunk, written to stdout as it is) comes out whole and in its place.
    @Test func aWideCommitsReportIsWrittenWholeAndInOrder() throws {
        let (repository, base) = try sandbox.repositoryWithPolicy()
        try sandbox.write("src/before.txt", "before\n", in: repository)
        let before = try sandbox.commit("Before\n\nAgent: codex/1", in: repository)
        for index in 0..<2_000 {
            try sandbox.write("src/wide/file\(index).txt", "\(index)\n", in: repository)
        }
        let wide = try sandbox.commit("Wide\n\nAgent: codex/1", in: repository)
        try sandbox.write("src/after.txt", "after\n", in: repository)
        let after = try sandbox.commit("After\n\nAgent: codex/1", in: repository)
        let policy = sandbox.root.appendingPathComponent("policy.yml")
        try Sandbox.policy.write(to: policy, atomically: true, encoding: .utf8)
        let output = try sandbox.agentreview(
            ["check", base, after, "--ref", "refs/heads/main", "--json", "--policy", policy.path], in: repository)
        #expect(output.status == 1, "\(output.stderr)")
        #expect(output.stdout.utf8.count > 2 << 16)
        let judgement = try JSONDecoder().decode(Judgement.self, from: Data(output.stdout.utf8))
        #expect(judgement.commits.map(\.id) == [after, wide, before])
        #expect(judgement.commits[1].paths.count == 2_000)
        #expect(Set(judgement.commits[1].paths.map(\.path)) == Set((0..<2_000).map { "src/wide/file\($0).txt" }))
    }

    @Test func theTimeLimitEndsTheJSONWithTheError() throws {
        let tip = try mainTip()
        let agent = try agentCommit("docs/guide.md", "Docs")
        try sandbox.git("config", "agentreview.timeLimit", "0.000001", in: server)
        let output = try preReceive("\(tip) \(agent) refs/heads/main\n")
        #expect(output.status == 2, "\(output.stdout) \(output.stderr)")
        let refs = try judgements(output)
        #expect(refs.count == 1)
        #expect(refs.first?.error?.contains("time limit") == true, "\(output.stdout)")
        #expect(refs.first?.verdict == .blocked)
    }

    @Test func outsideARepositoryOneLineAndExit2() throws {
        let outside = sandbox.root.appendingPathComponent("plain")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        for command in [["status"], ["check", Self.zero, "HEAD"], ["explain", "HEAD"]] {
            let output = try sandbox.agentreview(command, in: outside)
            #expect(output.status == 2, "\(command)")
            #expect(output.stderr.hasPrefix("agentreview: not a git repository"), "\(command): \(output.stderr)")
            #expect(output.stderr.split(separator: "\n").count == 1, "\(command): \(output.stderr)")
        }
        let json = try sandbox.agentreview(["status", "--json"], in: outside)
        #expect(json.status == 2)
        let judgement = try JSONDecoder().decode(Judgement.self, from: Data(json.stdout.utf8))
        #expect(judgement.error?.hasPrefix("not a git repository") == true)
        #expect(judgement.commits.isEmpty && judgement.verdict == .blocked)
    }

    @Test func prePushErrorsExit2() throws {
        let output = try sandbox.agentreview(["hook", "pre-push", "origin"], in: clone, input: Data("garbage\n".utf8))
        #expect(output.status == 2)
        #expect(output.stderr.contains("push stopped: unreadable pre-push line"), "\(output.stderr)")
        let json = try sandbox.agentreview(["hook", "pre-push", "origin", "--json"], in: clone, input: Data("garbage\n".utf8))
        #expect(json.status == 2)
        let refs = try JSONDecoder().decode([Judgement].self, from: Data(json.stdout.utf8))
        #expect(refs.first?.error?.contains("unreadable pre-push line") == true)
    }

    /// `check 0 HEAD` in a clone: HEAD's own branch holds every commit, and used to hide them all.
    @Test func checkWithoutARefJudgesTheTipsOwnBranch() throws {
        let agent = try agentCommit("infra/main.tf", "Add a bucket")
        let output = try sandbox.agentreview(["check", Self.zero, "HEAD", "--json"], in: clone)
        #expect(output.status == 0 || output.status == 1, "\(output.stderr)")
        let judgement = try JSONDecoder().decode(Judgement.self, from: Data(output.stdout.utf8))
        #expect(judgement.commits.map(\.id).contains(agent))
        #expect(judgement.commits.count == Int(try sandbox.git("rev-list", "--count", "HEAD", in: clone)))
        #expect(judgement.nothingJudged == nil)
        // A revision below the tip still names the same branch.
        let below = try sandbox.agentreview(["check", Self.zero, "HEAD~1", "--json"], in: clone)
        let judgedBelow = try JSONDecoder().decode(Judgement.self, from: Data(below.stdout.utf8))
        #expect(judgedBelow.commits.count == 1, "\(below.stdout)")
    }

    @Test func aRunThatJudgedNothingSaysWhy() throws {
        _ = try agentCommit("docs/a.md", "Docs")
        let tip = try sandbox.git("rev-parse", "HEAD", in: clone)
        let other = try sandbox.agentreview(["check", Self.zero, tip, "--ref", "refs/heads/topic"], in: clone)
        #expect(other.status == 0)
        #expect(other.stdout.contains("pass: no commits to judge: every commit is already on refs/heads/main"), "\(other.stdout)")

        let same = try sandbox.agentreview(["check", tip, tip, "--ref", "refs/heads/main", "--json"], in: clone)
        let judgement = try JSONDecoder().decode(Judgement.self, from: Data(same.stdout.utf8))
        #expect(judgement.commits.isEmpty)
        #expect(judgement.nothingJudged == "every commit is already in the history of OLD \(tip.prefix(12))")

        let deletion = try sandbox.agentreview(["check", tip, Self.zero, "--ref", "refs/heads/topic"], in: clone)
        #expect(deletion.stdout.contains("no commits to judge: a deletion brings no commits"), "\(deletion.stdout)")

    }

    @Test func statusWithNothingNewSaysWhereTheCommitsAre() throws {
        let clean = try sandbox.agentreview(["status"], in: clone)
        #expect(clean.status == 0, "\(clean.stderr)")
        // Wrapped at 80 columns.
        #expect(clean.stdout.replacingOccurrences(of: "\n +", with: " ", options: .regularExpression)
            .contains("pass: no commits to judge: every commit of HEAD is already on refs/remotes/origin/main"), "\(clean.stdout)")
    }

    /// Right after `agentreview init`, before anything is pushed: status and explain read
    /// the working tree, and say so once; check stays strict.
    @Test func beforeTheFirstPushStatusReadsTheWorkingTree() throws {
        let repository = try sandbox.repository("fresh")
        let initialised = try sandbox.agentreview(["init"], in: repository)
        #expect(initialised.status == 0, "\(initialised.stderr)")
        try sandbox.write("infra/main.tf", in: repository)
        try sandbox.git("add", "-A", in: repository)
        try sandbox.git("commit", "-q", "-m", "Start\n\nAgent: codex/1", in: repository)

        let status = try sandbox.agentreview(["status", "--json"], in: repository)
        #expect(status.status == 0 || status.status == 1, "\(status.stderr)")
        #expect(status.stderr.components(separatedBy: "not a trusted base").count == 2, "\(status.stderr)")
        let judgement = try JSONDecoder().decode(Judgement.self, from: Data(status.stdout.utf8))
        #expect(judgement.policy?.hasPrefix("working tree:") == true)
        #expect(judgement.commits.count == 1)

        let explain = try sandbox.agentreview(["explain", "--path", "infra/main.tf"], in: repository)
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(explain.stderr.contains("not a trusted base"))
        #expect(explain.stdout.contains("infra/main.tf"))

        // check judges as a server would: by the committed policy on main, never the working tree.
        try sandbox.write(".agentreview/policy.yml", "version: 1\nthis is not a policy\n", in: repository)
        let check = try sandbox.agentreview(["check", Self.zero, "HEAD", "--ref", "refs/heads/main", "--json"], in: repository)
        #expect(!check.stderr.contains("not a trusted base"), "\(check.stderr)")
        let checked = try JSONDecoder().decode(Judgement.self, from: Data(check.stdout.utf8))
        #expect(checked.policy?.hasPrefix("refs/heads/main@") == true, "\(check.stdout)")
    }

    /// The author reading a refusal learns who can approve (not they), and, while the
    /// trusted allowed_signers lists nobody, that this comes first.
    @Test func aRefusalSaysWhoCanSupplyWhatIsMissing() throws {
        let tip = try mainTip()
        let agent = try agentCommit("infra/main.tf", "Add a bucket")
        let nobody = try preReceive("\(tip) \(agent) refs/heads/main\n", json: false)
        #expect(nobody.status == 1)
        // Lines wrap at 72 columns (git prefixes `remote: `): sentences are read with their wrapped lines joined.
        let lines = nobody.stdout.split(separator: "\n").map(String.init)
        let unwrapped = nobody.stdout.replacingOccurrences(of: "\n +", with: " ", options: .regularExpression)
        let first = try #require(lines.firstIndex { $0.contains("run: add a line") }, "\(nobody.stdout)")
        let approve = try #require(lines.firstIndex { $0.contains("run: agentreview approve \(agent.prefix(12))") })
        #expect(first < approve)
        #expect(unwrapped.contains("run: add a line `EMAIL namespaces=\"agentreview\" ssh-ed25519 AAAA…` for each reviewer"), "\(nobody.stdout)")
        #expect(unwrapped.contains("missing: nobody can approve yet: the trusted .agentreview/allowed_signers lists no reviewer"))
        #expect(lines[approve + 1].hasPrefix("        by a reviewer listed in .agentreview/allowed_signers"), "\(nobody.stdout)")
        #expect(unwrapped.contains("by a reviewer listed in .agentreview/allowed_signers other than hugh@example.com, who wrote it"), "\(nobody.stdout)")

        let sandbox = try Sandbox()
        let key = try sandbox.sshKey("rita", in: sandbox.root.appendingPathComponent("keys"))
        let (server, clone) = try sandbox.server(with: [
            ".agentreview/policy.yml": Sandbox.policy,
            ".agentreview/allowed_signers": "rita@example.com namespaces=\"agentreview\" \(key.publicKey)\n",
        ])
        let base = try sandbox.git("rev-parse", "main", in: server)
        try sandbox.write("infra/main.tf", "x\n", in: clone)
        let id = try sandbox.commit("Add a bucket\n\nAgent: codex/1", in: clone)
        try sandbox.git("fetch", "-q", clone.path, "main", in: server)
        let listed = try sandbox.agentreview(
            ["hook", "pre-receive"], in: server, input: Data("\(base) \(id) refs/heads/main\n".utf8))
        #expect(listed.status == 1)
        #expect(!listed.stdout.contains("nobody can approve yet"), "\(listed.stdout)")
        #expect(listed.stdout.contains("run: agentreview approve \(id.prefix(12))\n        by one of rita@example.com (not hugh@example.com, who wrote it)"), "\(listed.stdout)")
    }

    /// Colour only on a terminal (a real pty, through `script`), never with NO_COLOR, never piped.
    @Test func verdictsInColourOnlyOnATerminal() throws {
        let tip = try sandbox.git("rev-parse", "HEAD", in: clone)
        let command = "\(Sandbox.binary.path) check \(Self.zero) \(tip) --ref refs/heads/main"
        // `env` clears what the test runner's own environment may set.
        let onTerminal = try Sandbox.run(
            "/usr/bin/env", ["-u", "NO_COLOR", "TERM=xterm", "script", "-qec", command, "/dev/null"], in: clone)
        #expect(onTerminal.stdout.contains("\u{1B}[32mpass\u{1B}[0m"), "\(onTerminal.stdout)")
        let noColour = try Sandbox.run(
            "/usr/bin/env", ["NO_COLOR=1", "TERM=xterm", "script", "-qec", command, "/dev/null"], in: clone)
        #expect(noColour.stdout.contains("pass") && !noColour.stdout.contains("\u{1B}["), "\(noColour.stdout)")
        let piped = try sandbox.agentreview(["check", Self.zero, tip, "--ref", "refs/heads/main"], in: clone)
        #expect(piped.stdout.contains("pass") && !piped.stdout.contains("\u{1B}["))
    }
}
