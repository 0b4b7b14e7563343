import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

/// The text reports read at 80 columns, through the real binary on real repositories: a
/// refusal through a real push (git's `remote: ` prefix included), status, check and explain;
/// the policy named once; every command whole; and `policy check`'s exit codes, its errors
/// and warnings as objects.
@Suite struct ReportLayoutTests {
    static let zero = String(repeating: "0", count: 40)

    /// Owners, a team, a human sign-off: a refusal with every kind of line.
    static let policy = """
        version: 1
        classes:
          - name: low
            approvals: 0
          - name: medium
            approvals: 1
          - name: high
            approvals: 2
            owners: true
            human_signoff: true
        default_class: medium
        paths:
          - { pattern: "docs/", class: low }
          - { pattern: "infrastructure/terraform/environments/", class: high }
        teams:
          platform: [carol@example.com, dave@example.com]
        refs:
          - { pattern: "refs/heads/main", mode: enforce }
        default_mode: warn

        """
    /// The line of the high path rule above.
    static let ruleLine = 14
    static let path = "infrastructure/terraform/environments/production/eu-west-1/networking/main.tf"
    static let subject = "Add the second production network with its subnets, routes and gateways for eu-west-1"

    let sandbox: Sandbox
    let server: URL
    let clone: URL

    init() throws {
        sandbox = try Sandbox()
        (server, clone) = try sandbox.server(with: [
            ".agentreview/policy.yml": Self.policy,
            "CODEOWNERS": "/infrastructure/ @acme/platform\n",
            "README.md": "# project\n",
        ])
    }

    func agentCommit() throws -> String {
        try sandbox.write(Self.path, "resource {}\n", in: clone)
        return try sandbox.commit("\(Self.subject)\n\nCo-Authored-By: Claude <noreply@anthropic.com>", in: clone)
    }

    /// Lines longer than `width`, but for those that are a command to copy or one word (a
    /// path, a key) that no wrapping could shorten.
    static func overlong(_ text: String, width: Int, prefix: String = "") -> [String] {
        text.split(separator: "\n").map(String.init).filter { line in
            let line = String(line.reversed().drop { $0 == " " }.reversed())  // git pads `remote: ` lines
            guard line.count > width else { return false }
            let content = line.dropFirst(prefix.count).drop { $0 == " " }
            if content.hasPrefix("agentreview ") || content.hasPrefix("git ") { return false }
            return content.contains(" ")
        }
    }

    /// The text with every wrapped line joined back to the one before it.
    static func unwrapped(_ text: String) -> String {
        text.replacingOccurrences(of: "\n +", with: " ", options: .regularExpression)
    }

    static func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// A refused push as the pusher sees it through git, the hook's own output, status and
    /// check: nothing over 80 columns (72 for the hook, which git prefixes), the policy
    /// named once, the rule by its line, the subject cut in its row, the command whole.
    @Test func aRefusalReadsAtEightyColumns() throws {
        let id = try agentCommit()
        let base = try sandbox.git("rev-parse", "main", in: server)
        let origin = "refs/heads/main@\(base.prefix(12)):.agentreview/policy.yml"

        let push = try Sandbox.run("/usr/bin/git", ["push", "origin", "main"], in: clone)
        #expect(push.status != 0)
        let remote = push.stderr.split(separator: "\n").filter { $0.hasPrefix("remote: ") }.joined(separator: "\n")
        #expect(remote.contains("run: agentreview approve \(id.prefix(12))"), "\(push.stderr)")
        #expect(Self.overlong(remote, width: 80, prefix: "remote: ").isEmpty, "\(remote)")

        // What the push brought, on the server without a ref, as the hook would see it.
        try sandbox.git("fetch", "-q", clone.path, "main", in: server)
        let hook = try sandbox.agentreview(
            ["hook", "pre-receive"], in: server, input: Data("\(base) \(id) refs/heads/main\n".utf8))
        #expect(hook.status == 1)
        #expect(Self.overlong(hook.stdout, width: 72).isEmpty, "\(hook.stdout)")
        #expect(Self.occurrences(of: origin, in: hook.stdout) == 1, "\(hook.stdout)")
        #expect(hook.stdout.contains("\npolicy \(origin)\n"), "\(hook.stdout)")
        #expect(hook.stdout.contains("\"infrastructure/terraform/environments/\" (line \(Self.ruleLine))"), "\(hook.stdout)")
        #expect(!hook.stdout.contains("policy.yml:\(Self.ruleLine)"), "\(hook.stdout)")
        // The owners line names who is in the team.
        #expect(hook.stdout.contains("@acme/platform (carol@example.com,"), "\(hook.stdout)")
        // The subject is cut in its row, the command that supplies what is missing is whole, once.
        let row = try #require(hook.stdout.split(separator: "\n").first { $0.contains(id.prefix(12)) && $0.contains("blocked") })
        #expect(row.hasSuffix("…") && !hook.stdout.contains(Self.subject), "\(row)")
        #expect(Self.occurrences(of: "run: agentreview approve \(id.prefix(12))\n", in: hook.stdout) == 1, "\(hook.stdout)")

        // Two refs in one push, judged by one trust root: the policy is named once.
        let two = try sandbox.agentreview(
            ["hook", "pre-receive"], in: server,
            input: Data("\(base) \(id) refs/heads/main\n\(Self.zero) \(id) refs/heads/topic\n".utf8))
        #expect(two.stdout.contains("agentreview refs/heads/topic — mode warn"), "\(two.stdout)")
        #expect(Self.occurrences(of: origin, in: two.stdout) == 1, "\(two.stdout)")
        #expect(Self.overlong(two.stdout, width: 72).isEmpty, "\(two.stdout)")

        try sandbox.git("fetch", "-q", "origin", in: clone)
        let status = try sandbox.agentreview(["status"], in: clone)
        #expect(status.status == 1, "\(status.stderr)")
        #expect(Self.overlong(status.stdout, width: 80).isEmpty, "\(status.stdout)")
        #expect(Self.occurrences(of: "refs/remotes/origin/main@\(base.prefix(12)):.agentreview/policy.yml", in: status.stdout) == 1)

        let check = try sandbox.agentreview(["check", base, id, "--ref", "refs/heads/main"], in: clone)
        #expect(check.status == 1, "\(check.stderr)")
        #expect(Self.overlong(check.stdout, width: 80).isEmpty, "\(check.stdout)")
    }

    /// JSON keeps `rule` naming the policy, as before, and adds the rule's `line`.
    @Test func theJSONKeepsTheRuleAndGainsItsLine() throws {
        let id = try agentCommit()
        let base = try sandbox.git("rev-parse", "main", in: server)
        let (judgement, _) = try sandbox.judgement(["check", base, id, "--ref", "refs/heads/main"], in: clone)
        let path = try #require(judgement.commits.first?.paths.first)
        #expect(path.rule == "\"infrastructure/terraform/environments/\" at refs/heads/main@\(base.prefix(12)):.agentreview/policy.yml:\(Self.ruleLine)")
        #expect(path.line == Self.ruleLine)
        let raw = try sandbox.agentreview(["check", base, id, "--ref", "refs/heads/main", "--json"], in: clone)
        #expect(raw.stdout.contains("\"line\":\(Self.ruleLine),\"path\":\"\(Self.path)\",\"rule\":"), "\(raw.stdout)")
    }

    /// explain names the policy once, gives each rule by its line, and prints each command
    /// once (three requirements need the same approval) with everyone who can run it.
    @Test func explainPrintsEachRunLineOnce() throws {
        let id = try agentCommit()
        let explain = try sandbox.agentreview(["explain", "HEAD"], in: clone)
        #expect(explain.status == 0, "\(explain.stderr)")
        let lines = explain.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0 == "  run: agentreview approve \(id.prefix(12))" }.count == 1, "\(explain.stdout)")
        #expect(lines.filter { $0.hasPrefix("    by ") }.count >= 2, "\(explain.stdout)")
        #expect(Set(lines.filter { $0.hasPrefix("  run: ") }).count == lines.filter { $0.hasPrefix("  run: ") }.count)
        #expect(Self.occurrences(of: ":.agentreview/policy.yml", in: explain.stdout) == 1, "\(explain.stdout)")
        #expect(Self.unwrapped(explain.stdout).contains(
            "- class high: \(Self.path): \"infrastructure/terraform/environments/\" (line \(Self.ruleLine))"), "\(explain.stdout)")
        #expect(Self.overlong(explain.stdout, width: 80).isEmpty, "\(explain.stdout)")
        // The subject is not a table row: it wraps, whole.
        #expect(Self.unwrapped(explain.stdout).contains("subject \(Self.subject)"), "\(explain.stdout)")

        let paths = try sandbox.agentreview(["explain", "--path", Self.path, "docs/a.md", "src/main.swift"], in: clone)
        #expect(paths.status == 0, "\(paths.stderr)")
        #expect(Self.overlong(paths.stdout, width: 80).isEmpty, "\(paths.stdout)")
        #expect(paths.stdout.contains("\"docs/\" (line 13)"), "\(paths.stdout)")
        #expect(Self.occurrences(of: ":.agentreview/policy.yml", in: paths.stdout) == 1, "\(paths.stdout)")
    }

    // MARK: policy check

    struct CheckResult: Decodable {
        struct Problem: Decodable, Equatable {
            var file: String
            var line: Int
            var column: Int?
            var message: String
        }
        var file: String
        var valid: Bool
        var errors: [Problem]
        var warnings: [Problem]
    }

    func policyCheck(_ arguments: [String], in directory: URL) throws -> (Sandbox.Output, CheckResult?) {
        let output = try sandbox.agentreview(["policy", "check"] + arguments, in: directory)
        return (output, try? JSONDecoder().decode(CheckResult.self, from: Data(output.stdout.utf8)))
    }

    /// 0 valid, 1 invalid (errors as objects, with a suggestion for a mistyped key), 2 when
    /// the file cannot be read; the same in text.
    @Test func policyCheckExitCodesAndObjects() throws {
        let repository = try sandbox.repository("policies")
        try sandbox.write("valid.yml", "version: 1\nclasses:\n  - name: low\n", in: repository)
        try sandbox.write("invalid.yml", "version: 1\nclasses:\n  - name: high\n    aprovals: 2\ndefault_mode: sometimes\n", in: repository)

        let (valid, validJSON) = try policyCheck(["valid.yml", "--json"], in: repository)
        #expect(valid.status == 0, "\(valid.stdout)\(valid.stderr)")
        #expect(validJSON?.valid == true && validJSON?.errors == [])

        let (invalid, invalidJSON) = try policyCheck(["invalid.yml", "--json"], in: repository)
        #expect(invalid.status == 1, "\(invalid.stdout)\(invalid.stderr)")
        #expect(invalidJSON?.valid == false)
        #expect(invalidJSON?.errors == [
            .init(file: "invalid.yml", line: 4, column: 5, message: "unknown key 'aprovals' in class 'high'; did you mean 'approvals'?"),
            .init(file: "invalid.yml", line: 5, column: 15, message: "'default_mode' must be one of enforce, warn, off, found 'sometimes'"),
        ])
        #expect(invalid.stdout.hasPrefix("{\"errors\":[{\"column\":5,\"file\":\"invalid.yml\",\"line\":4,\"message\":"), "\(invalid.stdout)")

        let text = try sandbox.agentreview(["policy", "check", "invalid.yml"], in: repository)
        #expect(text.status == 1)
        #expect(text.stderr.contains("invalid.yml:4: unknown key 'aprovals' in class 'high'; did you mean 'approvals'?"), "\(text.stderr)")

        let (missing, missingJSON) = try policyCheck(["nosuch.yml", "--json"], in: repository)
        #expect(missing.status == 2)
        #expect(missingJSON?.errors == [.init(file: "nosuch.yml", line: 0, column: nil, message: "cannot read the policy: no such file")])
        #expect(!missing.stdout.contains("\"column\""))
        let directory = try sandbox.agentreview(["policy", "check", "."], in: repository)
        #expect(directory.status == 2)
        #expect(directory.stderr.contains("it is a directory"), "\(directory.stderr)")
    }

    /// An owner CODEOWNERS names with no key in allowed_signers: a warning (exit 0) on stderr
    /// and in the JSON, found from the working tree wherever `policy check` runs from.
    @Test func policyCheckWarnsAboutAnOwnerWithoutAKey() throws {
        let repository = try sandbox.repository("owned")
        let keys = sandbox.root.appendingPathComponent("keys")
        let alice = try sandbox.sshKey("alice", in: keys)
        let bob = try sandbox.sshKey("bob", in: keys)
        try sandbox.write(".agentreview/policy.yml", Self.policy, in: repository)
        try sandbox.write(
            ".agentreview/allowed_signers",
            "alice@example.com namespaces=\"agentreview\" \(alice.publicKey)\nbob@example.com namespaces=\"agentreview\" \(bob.publicKey)\n",
            in: repository)
        try sandbox.write("CODEOWNERS", "# owners\n/infrastructure/ carol@example.com\n", in: repository)

        let text = try sandbox.agentreview(["policy", "check"], in: repository)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains(".agentreview/policy.yml: valid (3 classes, 2 path rules, 1 ref rules, 1 warning)"), "\(text.stdout)")
        let warning = "owner carol@example.com cannot approve: no key in .agentreview/allowed_signers is listed for carol@example.com; class 'high' requires owners, so a commit touching '/infrastructure/' (line 2) can never pass"
        #expect(text.stderr == "CODEOWNERS:2: warning: \(warning)\n", "\(text.stderr)")

        let (json, result) = try policyCheck([repository.appendingPathComponent(".agentreview/policy.yml").path, "--json"], in: sandbox.root)
        #expect(json.status == 0, "\(json.stderr)")
        #expect(result?.valid == true)
        #expect(result?.warnings == [.init(file: "CODEOWNERS", line: 2, column: nil, message: warning)])

        // With one key listed, the class needing two approvals cannot pass either: said at its line.
        try sandbox.write(".agentreview/allowed_signers", "alice@example.com \(alice.publicKey)\n", in: repository)
        let (one, oneJSON) = try policyCheck(["--json"], in: repository)
        #expect(one.status == 0)
        #expect(oneJSON?.warnings.map(\.line) == [7, 2], "\(one.stdout)")
        #expect(oneJSON?.warnings.first?.message.hasPrefix("class 'high' needs 2 approvals, but .agentreview/allowed_signers lists 1 reviewer") == true)
    }
}
