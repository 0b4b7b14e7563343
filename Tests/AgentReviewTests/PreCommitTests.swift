import AgentReviewTestSupport
import Foundation
import Testing

/// The pre-commit framework (the real one, from PyPI: scripts/test installs it) running the
/// hook of .pre-commit-hooks.yaml on real pushes, and agentreview beside the hook managers
/// that set core.hooksPath (husky, lefthook), which pre-commit refuses to install into.
@Suite struct PreCommitTests {
    let sandbox: Sandbox
    let server: URL
    let clone: URL
    /// PATH with the binary under test first; pre-commit's own store in the sandbox.
    let environment: [String: String]

    /// The hook exactly as this repository publishes it, used from a `repo: local` config.
    static func config() throws -> String {
        let published = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".pre-commit-hooks.yaml")
        let hooks = try String(contentsOf: published, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("#") && !$0.isEmpty }
            .map { "      " + $0 }
            .joined(separator: "\n")
        return "repos:\n  - repo: local\n    hooks:\n\(hooks)\n"
    }

    /// pre-commit on PATH; the suite requires it (scripts/test installs it).
    static func preCommit() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let found = path.split(separator: ":").map { "\($0)/pre-commit" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        return try #require(found, "pre-commit is not installed: `python3 -m pip install pre-commit` (scripts/test does)")
    }

    init() throws {
        sandbox = try Sandbox()
        (server, clone) = try sandbox.server(with: [
            ".agentreview/policy.yml": Sandbox.policy, "README.md": "# project\n", ".pre-commit-config.yaml": try Self.config(),
        ])
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        environment = [
            "PATH": Sandbox.binary.deletingLastPathComponent().path + ":" + path,
            "PRE_COMMIT_HOME": sandbox.root.appendingPathComponent("pre-commit-home").path,
        ]
    }

    func run(_ executable: String, _ arguments: [String], in directory: URL? = nil) throws -> Sandbox.Output {
        try Sandbox.run(executable, arguments, in: directory ?? clone, environment: environment)
    }

    func push(_ arguments: String..., in directory: URL? = nil) throws -> Sandbox.Output {
        try run("/usr/bin/git", ["push"] + arguments, in: directory)
    }

    func serverRefs() throws -> String {
        try sandbox.git("for-each-ref", "--format=%(objectname) %(refname)", in: server)
    }

    func installPreCommit() throws {
        let installed = try run(try Self.preCommit(), ["install", "--hook-type", "pre-push"])
        try #require(installed.status == 0, "\(installed.stdout)\(installed.stderr)")
        let hook = try String(contentsOf: clone.appendingPathComponent(".git/hooks/pre-push"), encoding: .utf8)
        try #require(hook.contains("pre-commit"))
    }

    @Test func publishedHookIsAPrePushHookThatTakesNoFiles() throws {
        let hooks = try Self.config()
        for line in ["id: agentreview", "entry: agentreview hook pre-push", "language: system", "stages: [pre-push]",
                     "pass_filenames: false", "always_run: true"] {
            #expect(hooks.contains(line), "\(line)")
        }
        let validated = try run(try Self.preCommit(), ["validate-manifest", URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".pre-commit-hooks.yaml").path])
        #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")
        let config = try run(try Self.preCommit(), ["validate-config", ".pre-commit-config.yaml"])
        #expect(config.status == 0, "\(config.stdout)\(config.stderr)")
    }

    @Test func agentCommitStoppedByPreCommitHumanCommitAccepted() throws {
        try installPreCommit()
        try sandbox.write("infra/main.tf", in: clone)
        let id = try sandbox.commit("Add a bucket\n\nAgent: codex/1", in: clone)
        let before = try serverRefs()
        let stopped = try push("origin", "main")
        #expect(stopped.status != 0)
        #expect(try serverRefs() == before)
        let said = stopped.stdout + stopped.stderr
        // pre-commit ran the hook, and the hook judged the commit (on the client: no `remote:`).
        #expect(said.contains("agentreview"), "\(said)")
        #expect(said.contains("Failed"), "\(said)")
        #expect(said.contains("agentreview approve \(id.prefix(12))"), "\(said)")
        #expect(said.contains("missing: 2 approvals"), "\(said)")
        #expect(!said.contains("remote: "), "\(said)")

        // A person's commit on top of what the remote has passes pre-commit and the server.
        try sandbox.git("reset", "-q", "--hard", "origin/main", in: clone)
        try sandbox.write("infra/main.tf", in: clone)
        let human = try sandbox.commit("Human infra change", in: clone)
        let accepted = try push("origin", "main")
        #expect(accepted.status == 0, "\(accepted.stdout)\(accepted.stderr)")
        #expect(accepted.stdout.contains("Passed") || accepted.stderr.contains("Passed"), "\(accepted.stdout)\(accepted.stderr)")
        #expect(try sandbox.git("rev-parse", "main", in: server) == human)

        // An update of main (FROM_REF is the remote's value) is judged too.
        try sandbox.write("infra/more.tf", in: clone)
        try sandbox.commit("More infra\n\nCo-Authored-By: Claude <noreply@anthropic.com>", in: clone)
        let again = try push("origin", "main")
        #expect(again.status != 0)
        #expect(try sandbox.git("rev-parse", "main", in: server) == human)
    }

    @Test func newBranchJudgedByItsModeUnderPreCommit() throws {
        try installPreCommit()
        try sandbox.git("checkout", "-q", "-b", "review/bucket", in: clone)
        try sandbox.write("infra/main.tf", in: clone)
        let id = try sandbox.commit("Add a bucket\n\nAgent: codex/1", in: clone)
        // A new ref: pre-commit's FROM_REF is the parent of the first new commit, not a remote value.
        let parked = try push("origin", "review/bucket")
        #expect(parked.status == 0, "\(parked.stdout)\(parked.stderr)")
        #expect(try sandbox.git("rev-parse", "refs/heads/review/bucket", in: server) == id)
        // The same commit to main: stopped by pre-commit before the server sees it.
        let before = try serverRefs()
        let promoted = try push("origin", "review/bucket:main")
        #expect(promoted.status != 0)
        #expect(!(promoted.stdout + promoted.stderr).contains("remote: "), "\(promoted.stdout)\(promoted.stderr)")
        #expect(try serverRefs() == before)
    }

    /// The variables alone, with empty stdin and no arguments, as pre-commit runs the hook;
    /// including the case where pre-commit sets no range (the push brings a root commit).
    @Test func prePushReadsPreCommitsVariables() throws {
        try sandbox.write("infra/main.tf", in: clone)
        let id = try sandbox.commit("Add a bucket\n\nAgent: codex/1", in: clone)
        let origin = try sandbox.git("rev-parse", "origin/main", in: clone)
        let base = ["PRE_COMMIT_REMOTE_NAME": "origin", "PRE_COMMIT_REMOTE_URL": server.path,
                    "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/main", "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/main"]
        for extra in [["PRE_COMMIT_FROM_REF": origin, "PRE_COMMIT_TO_REF": id], [:]] {
            let output = try Sandbox.run(Sandbox.binary.path, ["hook", "pre-push"], in: clone, environment: base.merging(extra) { $1 })
            #expect(output.status == 1, "\(output.stdout)\(output.stderr)")
            #expect((output.stdout + output.stderr).contains("agentreview approve \(id.prefix(12))"))
        }
        // Git's own stdin still wins over the variables.
        let line = "refs/heads/main \(origin) refs/heads/main \(origin)\n"
        let same = try Sandbox.run(Sandbox.binary.path, ["hook", "pre-push", "origin", server.path], in: clone,
                                   input: Data(line.utf8), environment: base)
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        // Neither a remote argument nor pre-commit's: an error, not a pass.
        let none = try Sandbox.run(Sandbox.binary.path, ["hook", "pre-push"], in: clone)
        #expect(none.status == 2, "\(none.stdout)\(none.stderr)")
    }

    /// husky and lefthook set core.hooksPath; pre-commit refuses to install then, and
    /// `agentreview install` goes into that directory, keeping the manager's hook.
    @Test func hooksPathManagersCoexist() throws {
        try sandbox.git("config", "core.hooksPath", ".husky", in: clone)
        try sandbox.write(".husky/pre-push", "#!/bin/sh\necho husky pre-push ran >&2\n", in: clone, executable: true)
        let refused = try run(try Self.preCommit(), ["install", "--hook-type", "pre-push"])
        #expect(refused.status != 0)
        #expect((refused.stdout + refused.stderr).contains("core.hooksPath"), "\(refused.stdout)\(refused.stderr)")

        let installed = try sandbox.agentreview(["install"], in: clone)
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(installed.stdout.contains(".husky/pre-push"), "\(installed.stdout)")
        #expect(FileManager.default.fileExists(atPath: clone.appendingPathComponent(".husky/pre-push.local").path))

        try sandbox.write("infra/main.tf", in: clone)
        let id = try sandbox.commit("Add a bucket\n\nAgent: codex/1", in: clone)
        let before = try serverRefs()
        let stopped = try push("origin", "main")
        #expect(stopped.status != 0)
        #expect(stopped.stderr.contains("husky pre-push ran"), "\(stopped.stderr)")
        #expect((stopped.stdout + stopped.stderr).contains("agentreview approve \(id.prefix(12))"))
        #expect(!stopped.stderr.contains("remote: "))
        #expect(try serverRefs() == before)

        try sandbox.git("reset", "-q", "--hard", "origin/main", in: clone)
        try sandbox.write("infra/main.tf", in: clone)
        let human = try sandbox.commit("Human infra change", in: clone)
        let accepted = try push("origin", "main")
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(try sandbox.git("rev-parse", "main", in: server) == human)
    }

    /// The other way, as the README says: the manager's own pre-push script calls the hook.
    @Test func managersScriptCallingTheHookStopsThePush() throws {
        try sandbox.git("config", "core.hooksPath", ".husky", in: clone)
        try sandbox.write(".husky/pre-push", "#!/bin/sh\nagentreview hook pre-push \"$@\"\n", in: clone, executable: true)
        try sandbox.write("infra/main.tf", in: clone)
        let id = try sandbox.commit("Add a bucket\n\nAgent: codex/1", in: clone)
        let before = try serverRefs()
        let stopped = try push("origin", "main")
        #expect(stopped.status != 0)
        #expect((stopped.stdout + stopped.stderr).contains("agentreview approve \(id.prefix(12))"), "\(stopped.stderr)")
        #expect(try serverRefs() == before)
    }
}
