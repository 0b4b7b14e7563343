import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

/// The whole hand-off, as the README tells it, with three clones of one server: the
/// author's (where an agent committed), and two reviewers'. The agent's work goes to a
/// review branch; the reviewers fetch it, approve and sync; the author syncs and pushes to
/// main. Every step through the real hooks.
@Suite struct ReviewWorkflowTests {
    let sandbox: Sandbox
    let server: URL
    let author: URL
    let keys: [String: (path: String, publicKey: String)]

    init() throws {
        sandbox = try Sandbox()
        let directory = sandbox.root.appendingPathComponent("keys")
        var keys = [String: (path: String, publicKey: String)]()
        for name in ["carol", "dan"] { keys[name] = try sandbox.sshKey(name, in: directory) }
        self.keys = keys
        let signers = ["carol", "dan"].map { "\($0)@example.com namespaces=\"agentreview\" \(keys[$0]!.publicKey)\n" }.joined()
        (server, author) = try sandbox.server(with: [
            ".agentreview/policy.yml": Sandbox.policy, ".agentreview/allowed_signers": signers, "README.md": "# project\n",
        ])
        let installed = try sandbox.agentreview(["install"], in: author)
        try #require(installed.status == 0, "\(installed.stderr)")
    }

    /// A reviewer's clone, signing with their own key as themselves.
    func reviewer(_ name: String) throws -> URL {
        let clone = sandbox.root.appendingPathComponent(name)
        try sandbox.git("clone", "-q", server.path, clone.path, in: sandbox.root)
        try sandbox.git("config", "user.email", "\(name)@example.com", in: clone)
        try sandbox.git("config", "user.name", name.capitalized, in: clone)
        try sandbox.git("config", "user.signingkey", keys[name]!.path, in: clone)
        return clone
    }

    func push(_ arguments: String..., from clone: URL) throws -> Sandbox.Output {
        try Sandbox.run("/usr/bin/git", ["push"] + arguments, in: clone)
    }

    @Test func fromAnAgentCommitToMainThroughTwoReviewers() throws {
        // 1. An agent changes infrastructure in the author's clone.
        try sandbox.write("infra/bucket.tf", "resource \"bucket\" {}\n", in: author)
        let id = try sandbox.commit("Add a bucket\n\nCo-Authored-By: Claude <noreply@anthropic.com>", in: author)
        let short = String(id.prefix(12))

        // 2. Straight to main: stopped before it leaves, saying what is missing and who can give it.
        let direct = try push("origin", "HEAD:main", from: author)
        #expect(direct.status != 0)
        #expect(direct.stderr.contains("missing: 2 approvals") || direct.stdout.contains("missing: 2 approvals"), "\(direct.stderr)")
        // The report wraps at 72 columns: read with its wrapped lines joined.
        #expect((direct.stdout + direct.stderr).replacingOccurrences(of: "\n +", with: " ", options: .regularExpression).contains(
            "by one of carol@example.com, dan@example.com (not hugh@example.com, who wrote it)"), "\(direct.stderr)")

        // 3. To a review branch (warn mode): accepted, with the report.
        let review = try push("origin", "HEAD:refs/heads/review/bucket", from: author)
        #expect(review.status == 0, "\(review.stderr)")
        #expect(review.stderr.contains("warn: sign-off missing on 1 of 1 commit"), "\(review.stderr)")
        #expect(try sandbox.git("rev-parse", "refs/heads/review/bucket", in: server) == id)

        // 4. Each reviewer fetches it, looks, approves, and shares the approval.
        for name in ["carol", "dan"] {
            let clone = try reviewer(name)
            try sandbox.git("fetch", "-q", "origin", "review/bucket", in: clone)
            let explained = try sandbox.agentreview(["explain", id], in: clone)
            #expect(explained.stdout.contains("infra/bucket.tf"), "\(explained.stdout)")
            let approved = try sandbox.agentreview(["approve", id], in: clone)
            #expect(approved.status == 0, "\(name): \(approved.stderr)")
            let synced = try sandbox.agentreview(["sync"], in: clone)
            #expect(synced.status == 0, "\(name): \(synced.stderr)")
            #expect(synced.stdout.contains("approvals pushed to origin"), "\(synced.stdout)")
        }
        let onServer = try sandbox.git("notes", "--ref=refs/notes/agentreview", "show", id, in: server)
        #expect(onServer.contains("reviewer carol@example.com") && onServer.contains("reviewer dan@example.com"))

        // 5. The author has not synced: their copy of the approvals is stale, and the refusal says how to get them.
        let stale = try push("origin", "HEAD:main", from: author)
        #expect(stale.status != 0)
        #expect((stale.stdout + stale.stderr).contains("agentreview sync"), "\(stale.stdout)\(stale.stderr)")

        // 6. The author syncs: status counts both approvals, and the push to main is accepted.
        let synced = try sandbox.agentreview(["sync"], in: author)
        #expect(synced.status == 0, "\(synced.stderr)")
        let status = try sandbox.agentreview(["status", "--json"], in: author)
        #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
        let judgement = try JSONDecoder().decode(Judgement.self, from: Data(status.stdout.utf8))
        let report = try #require(judgement.commits.first { $0.id == id })
        #expect(Set(report.approvals.map(\.reviewer)) == ["carol@example.com", "dan@example.com"])
        #expect(report.approvals.allSatisfy { $0.notPushed == nil })
        let landed = try push("origin", "HEAD:main", from: author)
        #expect(landed.status == 0, "\(landed.stderr)")
        #expect(try sandbox.git("rev-parse", "main", in: server) == id)
        #expect(short.count == 12)
    }

    /// An approval that exists only in this clone counts for `status`, marked as not pushed
    /// yet with the command that shares it.
    @Test func statusMarksApprovalsThatAreOnlyLocal() throws {
        try sandbox.write("infra/bucket.tf", "resource \"bucket\" {}\n", in: author)
        let id = try sandbox.commit("Add a bucket\n\nAgent: codex/1", in: author)
        #expect(try push("origin", "HEAD:refs/heads/review/bucket", from: author).status == 0)
        let carol = try reviewer("carol")
        try sandbox.git("fetch", "-q", "origin", "review/bucket", in: carol)
        try sandbox.git("checkout", "-q", "--detach", id, in: carol)
        #expect(try sandbox.agentreview(["approve", id], in: carol).status == 0)
        let status = try sandbox.agentreview(["status", "\(try sandbox.git("rev-parse", "origin/main", in: carol))..\(id)", "--json"], in: carol)
        let judgement = try JSONDecoder().decode(Judgement.self, from: Data(status.stdout.utf8))
        let approval = try #require(judgement.commits.first?.approvals.first)
        #expect(approval.reviewer == "carol@example.com")
        #expect(approval.notPushed == true)
        let text = try sandbox.agentreview(["status", "\(try sandbox.git("rev-parse", "origin/main", in: carol))..\(id)"], in: carol)
        #expect(text.stdout.contains("approved by carol@example.com"), "\(text.stdout)")
        #expect(text.stdout.contains("not pushed yet: agentreview sync"), "\(text.stdout)")
        // Once shared, the mark goes.
        #expect(try sandbox.agentreview(["sync"], in: carol).status == 0)
        let after = try sandbox.agentreview(["status", "\(try sandbox.git("rev-parse", "origin/main", in: carol))..\(id)", "--json"], in: carol)
        let shared = try JSONDecoder().decode(Judgement.self, from: Data(after.stdout.utf8))
        #expect(shared.commits.first?.approvals.first?.notPushed == nil, "\(after.stdout)")
    }

    /// pre-push checks a notes update as the server will: a record the server would refuse
    /// stops the push on the client, instead of a "pass" the server then contradicts.
    @Test func prePushChecksTheNotesAsTheServerWill() throws {
        let carol = try reviewer("carol")
        try sandbox.write("docs/a.md", "a\n", in: carol)
        let id = try sandbox.commit("Docs", in: carol)
        // A record signed by a key the trusted signers do not list.
        let stranger = try sandbox.sshKey("stranger", in: sandbox.root.appendingPathComponent("keys"))
        let written = try sandbox.agentreview(["approve", id, "--key", stranger.path, "--as", "eve@example.com", "--force"], in: carol)
        #expect(written.status == 0, "\(written.stderr)")
        try #require(try sandbox.agentreview(["install"], in: carol).status == 0)
        let output = try push("origin", "main", "refs/notes/agentreview", from: carol)
        #expect(output.status != 0)
        #expect(output.stderr.contains("refs/notes/agentreview refused"), "\(output.stderr)")
        #expect(!output.stderr.contains("remote:"), "stopped on the client, before the server: \(output.stderr)")
    }
}
