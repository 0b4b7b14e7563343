import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

/// Governed autonomy end to end, through a real server with the pre-receive hook: task
/// contracts read from the trust root, the declared execution class, and the audited
/// break-glass override. Every push is a real `git push` to a bare repository.
@Suite struct GovernanceTests {
    let sandbox: Sandbox
    let server: URL
    let clone: URL
    let olive: (path: String, publicKey: String)
    let carol: (path: String, publicKey: String)

    /// Agent commits need a contract; a violation blocks; an under-declared class blocks;
    /// olive may break the glass for two hours.
    static let policy = """
        version: 1
        classes:
          - name: low
          - name: medium
            approvals: 1
          - name: high
            approvals: 2
        default_class: medium
        paths:
          - { pattern: "docs/", class: low }
          - { pattern: "infra/", class: high }
        refs:
          - { pattern: "refs/heads/main", mode: enforce }
        default_mode: warn
        contracts:
          required: agents
          on_violation: block
        declared_class:
          under: block
        overrides:
          signers: [olive@example.com]
          max_age: 2h

        """

    /// Line numbers matter: the tests look for `docs-only.yml:LINE` in refusals.
    static let docsOnly = """
        version: 1
        goal: Keep the docs in step with the code
        owner: docs-lead@example.com
        class: medium
        paths:
          allow: ["docs/", "src/"]
          deny: ["docs/private/"]
        forbid: [delete, rename, executable, binary, dependency-change, ci-config, agent-config]
        max_changed_lines: 50
        expires: 2099-12-31

        """

    static let expired = """
        version: 1
        goal: A task long finished
        owner: docs-lead@example.com
        class: low
        expires: 2020-01-01

        """

    static let broken = """
        version: 1
        goal: A contract with a typo
        owner: docs-lead@example.com
        class: low
        forbids: [delete]

        """

    static let agent = "Co-Authored-By: Claude <noreply@anthropic.com>"

    init() throws {
        sandbox = try Sandbox()
        let keys = sandbox.root.appendingPathComponent("keys")
        olive = try sandbox.sshKey("olive", in: keys)
        carol = try sandbox.sshKey("carol", in: keys)
        let signers = [("olive", olive.publicKey), ("carol", carol.publicKey)]
            .map { "\($0.0)@example.com namespaces=\"agentreview\" \($0.1)\n" }.joined()
        (server, clone) = try sandbox.server(with: [
            ".agentreview/policy.yml": Self.policy, ".agentreview/allowed_signers": signers,
            ".agentreview/contracts/docs-only.yml": Self.docsOnly, ".agentreview/contracts/old.yml": Self.expired,
            ".agentreview/contracts/broken.yml": Self.broken,
            "README.md": "# project\n", "docs/guide.md": "# Guide\n", "src/app.swift": "let app = 1\n",
        ])
        try sandbox.git("config", "user.email", "hugh@example.com", in: clone)
        try sandbox.git("config", "user.name", "Hugh", in: clone)
    }

    /// Pushes without the client hook: the server is under test. Output with wrapped lines joined.
    func push(_ arguments: String...) throws -> (status: Int32, text: String) {
        let output = try Sandbox.run("/usr/bin/git", ["push", "--no-verify"] + arguments, in: clone)
        let text = (output.stdout + output.stderr).replacingOccurrences(of: "[ \t]*\nremote: +", with: " ", options: .regularExpression)
        return (output.status, text)
    }

    /// A fresh branch from the server's main, for one case.
    func fresh() throws {
        try sandbox.git("fetch", "-q", "origin", in: clone)
        try sandbox.git("checkout", "-q", "-B", "work", "origin/main", in: clone)
    }

    /// An agent commit of whatever is staged and written, with `trailers` beside the agent's.
    @discardableResult
    func agentCommit(_ subject: String, _ trailers: [String]) throws -> String {
        let message = subject + "\n\n" + (trailers + [Self.agent]).joined(separator: "\n")
        return try sandbox.commit(message, in: clone)
    }

    @Test func aContractCompliantAgentPushIsAccepted() throws {
        try fresh()
        try sandbox.write("docs/guide.md", "# Guide\n\nMore words.\n", in: clone)
        let id = try agentCommit("Explain the guide", [
            "Task-Contract: docs-only", "Execution-Class: low", "Claude-Session: sess-4242", "Agent-Operator: Hugh <hugh@example.com>",
        ])
        let pushed = try push("origin", "HEAD:main")
        #expect(pushed.status == 0, "\(pushed.text)")
        #expect(try sandbox.git("rev-parse", "main", in: server) == id)

        // The report carries the contract, the declared class, the session and the operator.
        let status = try sandbox.agentreview(["status", "HEAD~1..HEAD", "--json"], in: clone)
        let judgement = try JSONDecoder().decode(Judgement.self, from: Data(status.stdout.utf8))
        let report = try #require(judgement.commits.first, "\(status.stdout)\(status.stderr)")
        #expect(report.verdict == .pass)
        #expect(report.contract?.name == "docs-only")
        #expect(report.contract?.owner == "docs-lead@example.com")
        #expect(report.contract?.violations == [])
        #expect(report.contract?.source?.hasSuffix(":.agentreview/contracts/docs-only.yml") == true)
        #expect(report.declared?.status == .match)
        #expect(report.session == "sess-4242")
        #expect(report.operator == "Hugh <hugh@example.com>")
    }

    /// Each way to break the contract, pushed to main: refused, naming the clause, the path
    /// and the contract's line.
    @Test(arguments: [
        ("paths.allow", "lib/x.swift", "docs-only.yml:6"),
        ("paths.deny", "docs/private/plan.md", "docs-only.yml:7"),
        ("forbid: executable", "docs/run.sh", "docs-only.yml:8"),
        ("forbid: binary", "docs/logo.png", "docs-only.yml:8"),
        ("forbid: dependency-change", "docs/package.json", "docs-only.yml:8"),
        ("forbid: ci-config", ".github/workflows/ci.yml", "docs-only.yml:8"),
        ("forbid: agent-config", "docs/CLAUDE.md", "docs-only.yml:8"),
        ("max_changed_lines", "docs/long.md", "docs-only.yml:9"),
        ("class", "infra/main.tf", "docs-only.yml:4"),
    ])
    func eachViolationIsRefusedWithItsClause(clause: String, path: String, location: String) throws {
        try fresh()
        let content: String = switch path {
        case "docs/logo.png": "PNG\u{0}\u{1}\u{2}binary\n"
        case "docs/long.md": (1...60).map { "line \($0)" }.joined(separator: "\n") + "\n"
        default: "x\n"
        }
        try sandbox.write(path, content, in: clone, executable: path.hasSuffix(".sh"))
        let id = try agentCommit("Change \(path)", ["Task-Contract: docs-only", "Execution-Class: high"])
        let pushed = try push("origin", "HEAD:main")
        #expect(pushed.status != 0, "\(pushed.text)")
        #expect(pushed.text.contains("\(clause):"), "\(clause): \(pushed.text)")
        #expect(pushed.text.contains(location), "\(location): \(pushed.text)")
        if clause != "class" && clause != "max_changed_lines" {
            #expect(pushed.text.contains(path), "\(pushed.text)")
        }
        #expect(pushed.text.contains("agentreview override \(id.prefix(12))"), "\(pushed.text)")
        #expect(try sandbox.git("rev-parse", "main", in: server) != id)
    }

    @Test func deletionsAndRenamesAreToldApart() throws {
        try fresh()
        try sandbox.git("mv", "docs/guide.md", "docs/handbook.md", in: clone)
        try agentCommit("Rename the guide", ["Task-Contract: docs-only", "Execution-Class: low"])
        let renamed = try push("origin", "HEAD:main")
        #expect(renamed.status != 0)
        #expect(renamed.text.contains("forbid: rename"), "\(renamed.text)")
        #expect(renamed.text.contains("docs/guide.md is renamed to docs/handbook.md"), "\(renamed.text)")
        #expect(!renamed.text.contains("forbid: delete"), "\(renamed.text)")

        try fresh()
        try sandbox.git("rm", "-q", "docs/guide.md", in: clone)
        try agentCommit("Drop the guide", ["Task-Contract: docs-only", "Execution-Class: low"])
        let deleted = try push("origin", "HEAD:main")
        #expect(deleted.status != 0)
        #expect(deleted.text.contains("forbid: delete"), "\(deleted.text)")
        #expect(!deleted.text.contains("forbid: rename"), "\(deleted.text)")
    }

    /// No contract, an unknown one, a name that is a path, an expired or malformed one: each
    /// a violation, never a silent pass.
    @Test(arguments: [
        ([String](), "Task-Contract:", "no Task-Contract: trailer"),
        (["Task-Contract: nope"], "missing:", "nope"),
        (["Task-Contract: ../policy"], "Task-Contract:", "../policy"),
        (["Task-Contract: old"], "expires:", "old.yml:5"),
        (["Task-Contract: broken"], "malformed:", "broken.yml:5"),
        (["Task-Contract: docs-only", "Task-Contract: old"], "Task-Contract:", "name exactly one"),
    ])
    func anUnusableContractIsAViolation(trailers: [String], clause: String, detail: String) throws {
        try fresh()
        try sandbox.write("docs/guide.md", "# Guide\n\nEdited.\n", in: clone)
        try agentCommit("Edit the guide", trailers)
        let pushed = try push("origin", "HEAD:main")
        #expect(pushed.status != 0, "\(pushed.text)")
        #expect(pushed.text.contains(clause), "\(clause): \(pushed.text)")
        #expect(pushed.text.contains(detail), "\(detail): \(pushed.text)")
    }

    /// A contract added in the same push is not on the trust root yet: it does not count.
    @Test func aContractAddedInThePushDoesNotCount() throws {
        try fresh()
        try sandbox.write(".agentreview/contracts/mine.yml", "version: 1\ngoal: anything\nowner: me@example.com\nclass: high\n", in: clone)
        try sandbox.commit("Add a contract", in: clone)
        try sandbox.write("src/app.swift", "let app = 2\n", in: clone)
        try agentCommit("Use it", ["Task-Contract: mine", "Execution-Class: medium"])
        let pushed = try push("origin", "HEAD:refs/heads/topic")
        // A warn ref: accepted, but the report says the contract is missing on the base.
        #expect(pushed.status == 0, "\(pushed.text)")
        #expect(pushed.text.contains("missing: no contract mine") || pushed.text.contains("has no mine.yml"), "\(pushed.text)")
    }

    /// Under-declared: a medium change declared low is blocked (declared_class.under: block).
    @Test func anUnderDeclaredCommitIsBlocked() throws {
        try fresh()
        try sandbox.write("src/app.swift", "let app = 3\n", in: clone)
        try agentCommit("Change the app", ["Task-Contract: docs-only", "Execution-Class: low"])
        let pushed = try push("origin", "HEAD:main")
        #expect(pushed.status != 0)
        #expect(pushed.text.contains("under-declared: Execution-Class low, but the computed class is medium"), "\(pushed.text)")
    }

    /// With `under: warn` the same commit, approved, is accepted with a warning.
    @Test func anUnderDeclaredCommitIsWarnedWhenThePolicySaysSo() throws {
        try fresh()
        let relaxed = Self.policy.replacingOccurrences(of: "under: block", with: "under: warn")
        try sandbox.write(".agentreview/policy.yml", relaxed, in: clone)
        try sandbox.commit("Warn on under-declared classes", in: clone)
        #expect(try push("origin", "HEAD:main").status == 0)
        try sandbox.write("src/app.swift", "let app = 4\n", in: clone)
        let id = try agentCommit("Change the app", ["Task-Contract: docs-only", "Execution-Class: low"])
        try approve(id, as: "carol")
        let pushed = try push("origin", "HEAD:main", "refs/notes/agentreview")
        #expect(pushed.status == 0, "\(pushed.text)")
        #expect(pushed.text.contains("under-declared"), "\(pushed.text)")
        #expect(pushed.text.contains("warn"), "\(pushed.text)")
    }

    func approve(_ id: String, as name: String) throws {
        let key = name == "olive" ? olive.path : carol.path
        let approved = try sandbox.agentreview(["approve", id, "--key", key, "--as", "\(name)@example.com"], in: clone)
        try #require(approved.status == 0, "\(approved.stderr)")
    }

    func override(_ id: String, reason: String = "prod down: INC-4211", extra: [String] = []) throws -> Sandbox.Output {
        try sandbox.agentreview(["override", id, "--reason", reason, "--key", olive.path, "--as", "olive@example.com"] + extra, in: clone)
    }

    /// Two agent commits missing their approval; an override of the second, pushed with the
    /// branch, unblocks exactly that one; overriding the first too lets the push in.
    @Test func anOverridePushedWithTheBranchUnblocksExactlyItsCommit() throws {
        try fresh()
        try sandbox.write("src/a.swift", "a\n", in: clone)
        let first = try agentCommit("First", ["Task-Contract: docs-only", "Execution-Class: medium"])
        try sandbox.write("src/b.swift", "b\n", in: clone)
        let second = try agentCommit("Second", ["Task-Contract: docs-only", "Execution-Class: medium"])
        let overridden = try override(second)
        #expect(overridden.status == 0, "\(overridden.stderr)")

        let refused = try push("origin", "HEAD:main", "refs/notes/agentreview")
        #expect(refused.status != 0, "\(refused.text)")
        #expect(refused.text.contains("\(second.prefix(12))  overridden"), "\(refused.text)")
        #expect(refused.text.contains("\(first.prefix(12))  blocked"), "\(refused.text)")
        #expect(refused.text.contains("OVERRIDDEN by olive@example.com"), "\(refused.text)")
        #expect(refused.text.contains("prod down: INC-4211"), "\(refused.text)")

        #expect(try override(first).status == 0)
        let accepted = try push("origin", "HEAD:main", "refs/notes/agentreview")
        #expect(accepted.status == 0, "\(accepted.text)")
        #expect(accepted.text.contains("overridden: 2 of 2 commits accepted by a break-glass override"), "\(accepted.text)")
        #expect(try sandbox.git("rev-parse", "main", in: server) == second)

        // The JSON counts it, and the report says who, when and why.
        let status = try sandbox.agentreview(["status", "\(first)~1..\(second)", "--json"], in: clone)
        let judgement = try JSONDecoder().decode(Judgement.self, from: Data(status.stdout.utf8))
        #expect(judgement.verdict == .overridden)
        #expect(judgement.counts.overridden == 2)
        let report = try #require(judgement.commits.first { $0.id == second })
        #expect(report.override?.signer == "olive@example.com")
        #expect(report.override?.reason == "prod down: INC-4211")
        #expect(report.override?.satisfied.map(\.requirement) == ["approvals"])
        #expect(report.missing.isEmpty)
    }

    /// An override is bound to its change: a copy with another patch-id is not overridden.
    @Test func anOverrideDoesNotFollowAChangedCommit() throws {
        try fresh()
        try sandbox.write("src/a.swift", "a\n", in: clone)
        let original = try agentCommit("First", ["Task-Contract: docs-only", "Execution-Class: medium"])
        #expect(try override(original).status == 0)
        try sandbox.write("src/a.swift", "a, changed\n", in: clone)
        try sandbox.git("add", "-A", in: clone)
        try sandbox.git("commit", "-q", "--amend", "--no-edit", in: clone)
        let pushed = try push("origin", "HEAD:main", "refs/notes/agentreview")
        #expect(pushed.status != 0, "\(pushed.text)")
        #expect(!pushed.text.contains("OVERRIDDEN"), "\(pushed.text)")
    }

    /// Rewrites the override record `agentreview override` left on `commit` (a field
    /// replaced) and signs it again with `key`, as a signer who controls their clock can.
    func resign(_ commit: String, key: String, replacing field: String, with value: String) throws {
        let note = try sandbox.git("notes", "--ref=refs/notes/agentreview", "show", commit, in: clone)
        let body = note.components(separatedBy: "-----BEGIN SSH SIGNATURE-----")[0]
        let text = body.split(separator: "\n").map { line -> String in
            line.hasPrefix(field + " ") ? "\(field) \(value)" : String(line)
        }.joined(separator: "\n") + "\n"
        let signed = try Sandbox.run(
            "/usr/bin/ssh-keygen", ["-q", "-Y", "sign", "-n", "agentreview", "-f", key], in: clone, input: Data(text.utf8))
        try #require(signed.status == 0, "\(signed.stderr)")
        try sandbox.git(["notes", "--ref=refs/notes/agentreview", "add", "-f", "-m", text + signed.stdout, commit], in: clone)
    }

    @Test func anOverrideOlderThanMaxAgeDoesNotCount() throws {
        try fresh()
        let fourHoursAgo = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-4 * 3600))
        try sandbox.write("src/a.swift", "a\n", in: clone)
        try sandbox.git("add", "-A", in: clone)
        try sandbox.git(
            ["commit", "-q", "-m", "First\n\nTask-Contract: docs-only\nExecution-Class: medium\n" + Self.agent], in: clone,
            environment: ["GIT_COMMITTER_DATE": fourHoursAgo, "GIT_AUTHOR_DATE": fourHoursAgo])
        let id = try sandbox.git("rev-parse", "HEAD", in: clone)
        #expect(try override(id).status == 0)
        // Three hours old: fresh enough for the server to take the record, older than max_age (2h).
        let threeHoursAgo = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-3 * 3600))
        try resign(id, key: olive.path, replacing: "date", with: threeHoursAgo)
        let pushed = try push("origin", "HEAD:main", "refs/notes/agentreview")
        #expect(pushed.status != 0, "\(pushed.text)")
        #expect(pushed.text.contains("more than 2h (overrides.max_age)"), "\(pushed.text)")
        #expect(!pushed.text.contains("OVERRIDDEN"), "\(pushed.text)")
    }

    @Test func aSelfSignedOverrideDoesNotCount() throws {
        try fresh()
        try sandbox.write("src/a.swift", "a\n", in: clone)
        try sandbox.git("add", "-A", in: clone)
        try sandbox.git(
            ["commit", "-q", "-m", "First\n\nTask-Contract: docs-only\nExecution-Class: medium\n" + Self.agent], in: clone,
            environment: ["GIT_AUTHOR_NAME": "Olive", "GIT_AUTHOR_EMAIL": "olive@example.com"])
        let id = try sandbox.git("rev-parse", "HEAD", in: clone)
        // The command refuses to sign what cannot count; --force writes it anyway.
        let refusedLocally = try override(id)
        #expect(refusedLocally.status == 1, "\(refusedLocally.stderr)")
        #expect(try override(id, extra: ["--force"]).status == 0)
        let pushed = try push("origin", "HEAD:main", "refs/notes/agentreview")
        #expect(pushed.status != 0, "\(pushed.text)")
        #expect(pushed.text.contains("override by olive@example.com does not count"), "\(pushed.text)")
        #expect(!pushed.text.contains("OVERRIDDEN"), "\(pushed.text)")
    }

    @Test func aReasonlessOverrideIsRefused() throws {
        try fresh()
        try sandbox.write("src/a.swift", "a\n", in: clone)
        let id = try agentCommit("First", ["Task-Contract: docs-only", "Execution-Class: medium"])
        // The command will not sign one…
        let empty = try override(id, reason: "  ")
        #expect(empty.status != 0)
        #expect(empty.stderr.contains("reason"), "\(empty.stderr)")
        // …and a record forged without one is refused by the server, the notes with it.
        #expect(try override(id).status == 0)
        try resign(id, key: olive.path, replacing: "reason", with: "")
        let pushed = try push("origin", "HEAD:main", "refs/notes/agentreview")
        #expect(pushed.status != 0, "\(pushed.text)")
        #expect(pushed.text.contains("field \"reason\" has no value") || pushed.text.contains("reason"), "\(pushed.text)")
        #expect(!pushed.text.contains("OVERRIDDEN"), "\(pushed.text)")
    }

    /// `raise-class`: a violation raises the commit to the highest class instead of blocking.
    @Test func raiseClassAsksForMoreSignoffInsteadOfBlocking() throws {
        try fresh()
        let raising = Self.policy.replacingOccurrences(of: "on_violation: block", with: "on_violation: raise-class")
        try sandbox.write(".agentreview/policy.yml", raising, in: clone)
        try sandbox.commit("Raise the class on violations", in: clone)
        #expect(try push("origin", "HEAD:main").status == 0)
        try sandbox.write("lib/x.swift", "x\n", in: clone)
        let id = try agentCommit("Outside the contract", ["Task-Contract: docs-only", "Execution-Class: high"])
        let refused = try push("origin", "HEAD:main")
        #expect(refused.status != 0)
        #expect(refused.text.contains("class high: raised from medium, the commit breaks its contract"), "\(refused.text)")
        #expect(refused.text.contains("contract violation: paths.allow: lib/x.swift"), "\(refused.text)")
        #expect(refused.text.contains("2 approvals (class high)"), "\(refused.text)")
        // Two approvals make it pass: more sign-off, not a wall.
        try approve(id, as: "carol")
        try approve(id, as: "olive")
        let accepted = try push("origin", "HEAD:main", "refs/notes/agentreview")
        #expect(accepted.status == 0, "\(accepted.text)")
    }
}
