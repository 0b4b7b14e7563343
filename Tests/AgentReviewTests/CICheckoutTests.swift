import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

/// `status` and `check` where CI runs them, and where people leave their clones: a detached
/// HEAD, a new branch with no upstream, a pushed feature branch, a pull request fetched on
/// its own, a shallow clone. The policy always comes from the remote's trust root, never a
/// local branch or the working tree; each case is a real clone of a real bare server.
@Suite struct CICheckoutTests {
    let sandbox: Sandbox
    let server: URL
    let clone: URL

    static let agent = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>"
    /// Sandbox.policy with every approval requirement gone: what an agent would like.
    static let loosened = Sandbox.policy.replacingOccurrences(of: "approvals: 2", with: "approvals: 0")
        .replacingOccurrences(of: "approvals: 1", with: "approvals: 0")

    init() throws {
        sandbox = try Sandbox()
        (server, clone) = try sandbox.server(with: [".agentreview/policy.yml": Sandbox.policy, "README.md": "# project\n"])
    }

    func originMain(_ repository: URL? = nil) throws -> String {
        try sandbox.git("rev-parse", "refs/remotes/origin/main", in: repository ?? clone)
    }

    @discardableResult
    func agentCommit(_ path: String, in repository: URL? = nil, _ content: String = UUID().uuidString + "\n") throws -> String {
        try sandbox.write(path, content, in: repository ?? clone)
        return try sandbox.commit("Change \(path)" + Self.agent, in: repository ?? clone)
    }

    /// Adds people's commits to the server's main, so that a shallow clone has history to lack.
    func deepenServerHistory(by count: Int) throws {
        for index in 0..<count {
            try sandbox.write("docs/page\(index).md", "page \(index)\n", in: clone)
            try sandbox.commit("Docs page \(index)", in: clone)
        }
        try sandbox.git("push", "-q", "--no-verify", "origin", "main", in: clone)
    }

    func decode(_ output: Sandbox.Output) throws -> Judgement {
        try JSONDecoder().decode(Judgement.self, from: Data(output.stdout.utf8))
    }

    // MARK: Detached HEAD, new branches, pushed branches

    @Test func detachedHeadIsJudgedByTheRemotesRootNotItsOwnPolicy() throws {
        // A detached checkout whose commits loosen the policy and add infrastructure.
        try sandbox.git("checkout", "-q", "--detach", in: clone)
        try sandbox.write(".agentreview/policy.yml", Self.loosened, in: clone)
        let loosen = try sandbox.commit("Loosen the policy" + Self.agent, in: clone)
        let infra = try agentCommit("infra/main.tf")

        let status = try sandbox.agentreview(["status", "--json"], in: clone)
        #expect(status.status == 0, "no --ref: the default mode (warn) decides\n\(status.stderr)")
        #expect(!status.stderr.contains("not a trusted base"), "\(status.stderr)")
        let judgement = try decode(status)
        #expect(judgement.ref == nil)
        #expect(judgement.mode == .warn)
        #expect(judgement.policy?.hasPrefix("refs/remotes/origin/main@\(try originMain().prefix(12))") == true, "\(judgement.policy ?? "")")
        #expect(judgement.commits.map(\.id) == [infra, loosen])

        // `--ref` names where the commits are going: main is enforced, so they are blocked.
        let forMain = try sandbox.agentreview(["status", "--ref", "refs/heads/main", "--json"], in: clone)
        #expect(forMain.status == 1, "\(forMain.stderr)")
        let judged = try decode(forMain)
        #expect(judged.ref == "refs/heads/main")
        #expect(judged.mode == .enforce)
        #expect(judged.verdict == .blocked)
        #expect(judged.commits.map(\.id) == [infra, loosen])
        #expect(judged.commits.first { $0.id == infra }?.verdict == .blocked)
    }

    @Test func newBranchWithNoUpstreamIsJudgedByTheRemotesRoot() throws {
        try sandbox.git("checkout", "-q", "-b", "topic", in: clone)
        try sandbox.write(".agentreview/policy.yml", Self.loosened, in: clone)
        try sandbox.commit("Loosen the policy" + Self.agent, in: clone)
        let infra = try agentCommit("infra/main.tf")
        #expect(try Sandbox.run("/usr/bin/git", ["rev-parse", "--abbrev-ref", "topic@{upstream}"], in: clone).status != 0)

        let status = try sandbox.agentreview(["status", "--json"], in: clone)
        #expect(status.status == 0, "\(status.stderr)")
        let judgement = try decode(status)
        #expect(judgement.ref == "refs/heads/topic")
        #expect(judgement.policy?.hasPrefix("refs/remotes/origin/main@") == true, "\(judgement.policy ?? "")")
        #expect(judgement.commits.count == 2)
        // Judged by origin's policy: the infrastructure change still needs two approvals.
        let report = try #require(judgement.commits.first { $0.id == infra })
        #expect(report.class == "high")
        #expect(report.verdict == .warn)
    }

    @Test func aPushedFeatureBranchIsNotListedAgain() throws {
        try sandbox.git("checkout", "-q", "-b", "feature", in: clone)
        let first = try agentCommit("infra/first.tf")
        // warn mode on the server: accepted with a report.
        try sandbox.git("push", "-q", "--no-verify", "-u", "origin", "feature", in: clone)
        #expect(try sandbox.git("rev-parse", "feature", in: server) == first)

        let clean = try sandbox.agentreview(["status", "--json"], in: clone)
        #expect(clean.status == 0, "\(clean.stderr)")
        let none = try decode(clean)
        #expect(none.commits.isEmpty, "already on origin/feature: \(none.commits.map(\.id))")
        #expect(none.nothingJudged?.contains("refs/remotes/origin/feature") == true, "\(none.nothingJudged ?? "")")
        // The policy still comes from the root, not the upstream.
        #expect(none.policy?.hasPrefix("refs/remotes/origin/main@") == true, "\(none.policy ?? "")")

        let second = try agentCommit("infra/second.tf")
        let next = try decode(try sandbox.agentreview(["status", "--json"], in: clone))
        #expect(next.commits.map(\.id) == [second])

        // Detached on the same commit (no upstream): every remote-tracking ref hides what it holds.
        try sandbox.git("checkout", "-q", "--detach", in: clone)
        let detached = try decode(try sandbox.agentreview(["status", "--json"], in: clone))
        #expect(detached.commits.map(\.id) == [second])
    }

    @Test func statusRefDecidesTheModeAndHidesTheRemotesCopyOfIt() throws {
        try sandbox.git("checkout", "-q", "-b", "topic", in: clone)
        let infra = try agentCommit("infra/main.tf")

        let topic = try sandbox.agentreview(["status", "--json"], in: clone)
        #expect(topic.status == 0, "\(topic.stderr)")
        #expect(try decode(topic).mode == .warn)

        let main = try sandbox.agentreview(["status", "--ref", "refs/heads/main", "--json"], in: clone)
        #expect(main.status == 1, "\(main.stderr)")
        let judged = try decode(main)
        #expect(judged.ref == "refs/heads/main")
        #expect(judged.mode == .enforce)
        #expect(judged.commits.map(\.id) == [infra])

        // A ref the remote does not have yet: hidden by the refs judged at least as strictly.
        let release = try decode(try sandbox.agentreview(["status", "--ref", "refs/heads/release", "--json"], in: clone))
        #expect(release.mode == .warn)
        #expect(release.commits.map(\.id) == [infra])

        // With a range, --ref still decides the mode.
        let range = try sandbox.agentreview(["status", "origin/main..topic", "--ref", "refs/heads/main"], in: clone)
        #expect(range.status == 1, "\(range.stdout)\(range.stderr)")

        let bad = try sandbox.agentreview(["status", "--ref", "main"], in: clone)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("refs/heads/main"), "\(bad.stderr)")
    }

    /// actions/checkout of a pull request: the merge fetched alone into
    /// `refs/remotes/pull/N/merge`, HEAD detached, no copy of the default branch.
    @Test func aPullRequestCheckoutNeedsTheDefaultBranchAndNeverReadsItsOwnPolicy() throws {
        try sandbox.git("checkout", "-q", "-b", "pr", in: clone)
        try sandbox.write(".agentreview/policy.yml", Self.loosened, in: clone)
        try sandbox.commit("Loosen the policy" + Self.agent, in: clone)
        let infra = try agentCommit("infra/main.tf")
        try sandbox.git("push", "-q", "--no-verify", "origin", "pr", in: clone)

        let ci = sandbox.root.appendingPathComponent("ci")
        try FileManager.default.createDirectory(at: ci, withIntermediateDirectories: true)
        try sandbox.git("init", "-q", in: ci)
        try sandbox.git("remote", "add", "origin", server.path, in: ci)
        // By id, as actions/checkout fetches it: no refs/remotes/origin/pr appears.
        try sandbox.git("fetch", "-q", "origin", "+\(infra):refs/remotes/pull/1/merge", in: ci)
        #expect(try sandbox.git("for-each-ref", "--format=%(refname)", "refs/remotes/origin", in: ci).isEmpty)
        try sandbox.git("checkout", "-q", "--detach", "refs/remotes/pull/1/merge", in: ci)

        let alone = try sandbox.agentreview(["status", "--ref", "refs/heads/main"], in: ci)
        #expect(alone.status == 2, "\(alone.stdout)")
        #expect(!alone.stderr.contains("working tree:") && !alone.stdout.contains("working tree:"))
        #expect(alone.stderr.contains("git fetch origin main"), "\(alone.stderr)")
        #expect(alone.stderr.split(separator: "\n").count == 1, "\(alone.stderr)")

        try sandbox.git("fetch", "-q", "origin", "main:refs/remotes/origin/main", in: ci)
        let fetched = try sandbox.agentreview(["status", "--ref", "refs/heads/main", "--json"], in: ci)
        #expect(fetched.status == 1, "\(fetched.stderr)")
        let judgement = try decode(fetched)
        #expect(judgement.policy?.hasPrefix("refs/remotes/origin/main@") == true, "\(judgement.policy ?? "")")
        #expect(judgement.commits.count == 2)
        #expect(judgement.commits.first { $0.id == infra }?.verdict == .blocked)
        // Without --ref the merge ref (no remote's branch) does not hide the commits either.
        let plain = try decode(try sandbox.agentreview(["status", "--json"], in: ci))
        #expect(plain.commits.count == 2)
    }

    // MARK: Shallow clones

    @Test func aShallowCloneIsJudgedWhereItsHistorySufficesAndRefusedWithTheFixWhereNot() throws {
        try deepenServerHistory(by: 3)
        // A topic branched three commits below main's tip, with one agent commit.
        try sandbox.git("checkout", "-q", "-b", "topic", "main~3", in: clone)
        let infra = try agentCommit("infra/main.tf")
        try sandbox.git("push", "-q", "--no-verify", "origin", "topic", in: clone)

        let shallow = sandbox.root.appendingPathComponent("shallow")
        try sandbox.git("clone", "-q", "--no-local", "--depth", "1", "file://\(server.path)", shallow.path, in: sandbox.root)
        #expect(FileManager.default.fileExists(atPath: shallow.appendingPathComponent(".git/shallow").path))

        // Nothing new: the walk stops at the shallow edge, which origin/main hides.
        let clean = try sandbox.agentreview(["status"], in: shallow)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.contains("no commits to judge"), "\(clean.stdout)")

        // A commit on top of the edge is judged as usual.
        let docs = try agentCommit("docs/new.md", in: shallow)
        let onTop = try decode(try sandbox.agentreview(["status", "--json"], in: shallow))
        #expect(onTop.commits.map(\.id) == [docs])

        // The topic, fetched as shallowly, needs history the clone lacks: refused, one line, the fix.
        try sandbox.git("fetch", "-q", "--depth", "1", "origin", "topic:refs/remotes/origin/topic", in: shallow)
        try sandbox.git("checkout", "-q", "--detach", "refs/remotes/origin/topic", in: shallow)
        let status = try sandbox.agentreview(["status", "--ref", "refs/heads/main"], in: shallow)
        #expect(status.status == 2, "\(status.stdout)")
        let line = status.stderr.trimmingCharacters(in: .newlines)
        #expect(!line.contains("\n"), "\(status.stderr)")
        #expect(line.contains("shallow clone"), "\(line)")
        #expect(line.contains("git fetch --unshallow") && line.contains("git fetch --deepen=N"), "\(line)")
        #expect(line.contains("refs/remotes/origin/main"), "\(line)")
        #expect(!line.contains("object not found"), "\(line)")

        let check = try sandbox.agentreview(["check", "origin/main", "origin/topic", "--ref", "refs/heads/release"], in: shallow)
        #expect(check.status == 2, "\(check.stdout)")
        #expect(check.stderr.contains("git fetch --unshallow"), "\(check.stderr)")
        #expect(!check.stderr.contains("object not found"), "\(check.stderr)")

        // The fix it names works.
        try sandbox.git("fetch", "-q", "--unshallow", "origin", in: shallow)
        let fixed = try sandbox.agentreview(["status", "--ref", "refs/heads/main", "--json"], in: shallow)
        #expect(fixed.status == 1, "\(fixed.stderr)")
        #expect(try decode(fixed).commits.map(\.id) == [infra])
    }

    @Test func aShallowClonePushesWhenEveryCommitPushedIsPresent() throws {
        try deepenServerHistory(by: 3)
        let shallow = sandbox.root.appendingPathComponent("shallow")
        try sandbox.git("clone", "-q", "--no-local", "--depth", "1", "file://\(server.path)", shallow.path, in: sandbox.root)
        let install = try sandbox.agentreview(["install"], in: shallow)
        try #require(install.status == 0, "\(install.stderr)")

        // A docs commit by an agent needs no approval: the push goes through both hooks.
        let docs = try agentCommit("docs/pushed.md", in: shallow)
        let pushed = try Sandbox.run("/usr/bin/git", ["push", "origin", "main"], in: shallow)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(try sandbox.git("rev-parse", "main", in: server) == docs)

        // An infrastructure commit is judged, not failed: blocked by the client hook for sign-off.
        let infra = try agentCommit("infra/pushed.tf", in: shallow)
        let stopped = try Sandbox.run("/usr/bin/git", ["push", "origin", "main"], in: shallow)
        #expect(stopped.status != 0)
        let report = stopped.stdout + stopped.stderr
        #expect(report.contains("missing: 2 approvals"), "\(report)")
        #expect(!report.contains("shallow clone") && !report.contains("object not found"), "\(report)")
        #expect(try sandbox.git("rev-parse", "main", in: server) == docs)

        // A new warn-mode branch at that commit: origin/main (enforced) hides what it holds.
        let tip = try sandbox.git("rev-parse", "HEAD", in: shallow)
        func prePush(_ line: String) throws -> Sandbox.Output {
            try sandbox.agentreview(["hook", "pre-push", "origin", server.path], in: shallow, input: Data((line + "\n").utf8))
        }
        let topic = try prePush("refs/heads/t \(tip) refs/heads/t \(String(repeating: "0", count: 40))")
        #expect(topic.status == 0, "\(topic.stdout)\(topic.stderr)")
        #expect(topic.stdout.contains(String(infra.prefix(12))), "\(topic.stdout)")

        // Where the history matters: main's tip on the remote is one this clone never saw, so
        // nothing hides the edge and the walk must go past it. Refused, one line, the fix.
        let unseen = String(repeating: "ab", count: 20)
        let past = try prePush("refs/heads/main \(tip) refs/heads/main \(unseen)")
        #expect(past.status == 2, "\(past.stdout)\(past.stderr)")
        #expect(past.stderr.contains("git fetch --unshallow"), "\(past.stderr)")
        #expect(!past.stderr.contains("object not found"), "\(past.stderr)")
    }

    // MARK: check never reads the policy from the range it judges

    @Test func checkReadsThePolicyFromTheRemotesRootNotTheLocalBranchBeingJudged() throws {
        // main checked out, with local commits: one loosens the policy, one adds infrastructure.
        let remoteRoot = try originMain()
        try sandbox.write(".agentreview/policy.yml", Self.loosened, in: clone)
        try sandbox.commit("Loosen the policy", in: clone)
        let infra = try agentCommit("infra/main.tf")

        func expectBlocked(_ arguments: [String], in repository: URL, policyAt commit: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
            let output = try sandbox.agentreview(arguments + ["--json"], in: repository)
            #expect(output.status == 1, "\(arguments): \(output.stderr)", sourceLocation: sourceLocation)
            let judgement = try decode(output)
            #expect(judgement.verdict == .blocked, sourceLocation: sourceLocation)
            #expect(judgement.policy?.contains("@\(commit.prefix(12))") == true, "\(judgement.policy ?? "")", sourceLocation: sourceLocation)
            #expect(judgement.commits.first { $0.id == infra }?.verdict == .blocked, sourceLocation: sourceLocation)
        }
        try expectBlocked(["check", "origin/main", "main", "--ref", "refs/heads/main"], in: clone, policyAt: remoteRoot)
        try expectBlocked(["check", String(repeating: "0", count: 40), "main", "--ref", "refs/heads/main"], in: clone, policyAt: remoteRoot)

        // A remote not named origin: its copy of the root, never the local main.
        try sandbox.git("remote", "rename", "origin", "upstream", in: clone)
        try expectBlocked(["check", "upstream/main", "main", "--ref", "refs/heads/main"], in: clone, policyAt: remoteRoot)
        try expectBlocked(["check", String(repeating: "0", count: 40), "main", "--ref", "refs/heads/main"], in: clone, policyAt: remoteRoot)
        let other = try decode(try sandbox.agentreview(["check", "upstream/main", "main", "--ref", "refs/heads/other", "--json"], in: clone))
        #expect(other.policy?.contains("@\(remoteRoot.prefix(12))") == true, "\(other.policy ?? "")")
        #expect(other.commits.first { $0.id == infra }?.missing.isEmpty == false)

        // No copy of the root at all: refused, not read from the local branch.
        try sandbox.git("update-ref", "-d", "refs/remotes/upstream/main", in: clone)
        let none = try sandbox.agentreview(["check", String(repeating: "0", count: 40), "main", "--ref", "refs/heads/other"], in: clone)
        #expect(none.status == 2, "\(none.stdout)")
        #expect(none.stderr.contains("git fetch upstream"), "\(none.stderr)")
        #expect(!none.stdout.contains("refs/heads/main@"), "\(none.stdout)")
    }
}
