import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

/// End to end: `agentreview agents`, bots under `applies_to`, git-ai notes in `refs/notes/ai`
/// written with the real `git notes --ref=ai add`, and what `explain` says was checked.
@Suite struct AgentsCommandTests {
    let sandbox: Sandbox
    init() throws { sandbox = try Sandbox() }

    static let dependabot = "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>"
    static let web = "GitHub <noreply@github.com>"

    /// A git-ai note in the standard's sessions format: `lines` of `path` by a cursor session.
    static func note(path: String = "src/app.swift", lines: String = "1-2", tool: String = "cursor") -> String {
        """
        \(path)
          s_c9883b05a2487d::t_9f8e7d6c5b4a32 \(lines)
        ---
        {
          "schema_version": "authorship/3.0.0",
          "git_ai_version": "1.4.5",
          "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
          "prompts": {},
          "sessions": {
            "s_c9883b05a2487d": {
              "agent_id": {"tool": "\(tool)", "id": "6ef2299e-a67f-432b-aa80-3d2fb4d28999", "model": "claude-sonnet-4-5-20250514"},
              "human_author": "dev@example.com"
            }
          }
        }
        """
    }

    /// Text with every run of whitespace one space: what a wrapped report says, unwrapped.
    static func flat(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Judges base..HEAD for main.
    func judge(_ repository: URL, base: String) throws -> Judgement {
        let head = try sandbox.git("rev-parse", "HEAD", in: repository)
        return try sandbox.judgement(["check", base, head, "--ref", "refs/heads/main"], in: repository).0
    }

    @Test("agents --json is the built-in table; the text lists every row, agents before bots")
    func table() throws {
        let json = try sandbox.agentreview(["agents", "--json"], in: sandbox.root)
        #expect(json.status == 0)
        let rows = try JSONDecoder().decode([Marker].self, from: Data(json.stdout.utf8))
        #expect(rows == BuiltinAgents.markers)
        #expect(json.stdout.contains("\"where\":\"identity\""))
        #expect(rows.contains(Marker(.agent, "roo-code-cloud", .identity, "<219738659+roomote-v0[bot]@users.noreply.github.com>", detail: "the same app's earlier login")))
        #expect(rows.contains { $0.kind == .bot && $0.name == "dependabot" && $0.form == "<49699333+dependabot[bot]@users.noreply.github.com>" })

        let text = try sandbox.agentreview(["agents"], in: sandbox.root)
        #expect(text.status == 0)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        let bots = try #require(lines.firstIndex { $0.hasPrefix("bots ") })
        for (index, marker) in BuiltinAgents.markers.enumerated() {
            let row = try #require(lines.firstIndex { $0.contains(" \(marker.name) ") && $0.contains(" \(marker.place.rawValue) ") && $0.contains(marker.form) }, "\(marker.form)")
            #expect((row > bots) == (marker.kind == .bot), "\(marker.form)")
            _ = index
        }
        #expect(lines.count == BuiltinAgents.markers.count + 2)
    }

    @Test("a dependabot commit is a bot's: not judged under applies_to: agents, judged under agents+bots")
    func dependabot() throws {
        for (appliesTo, verdict) in [("agents", Verdict.pass), ("agents+bots", .blocked), ("all", .blocked)] {
            let (repository, base) = try sandbox.repositoryWithPolicy(Sandbox.policy + "applies_to: \(appliesTo)\n", name: "repo-\(appliesTo)")
            try sandbox.write("package.json", "{\"dependencies\": {\"left-pad\": \"1.3.0\"}}\n", in: repository)
            try sandbox.commit(
                "chore(deps): bump left-pad from 1.2.0 to 1.3.0\n\nBumps left-pad.\n\n---\nupdated-dependencies:\n- dependency-name: left-pad\n...\n\nSigned-off-by: dependabot[bot] <support@github.com>",
                in: repository, author: Self.dependabot, committer: Self.web)
            let report = try #require(try judge(repository, base: base).commits.first)
            #expect(report.agent == nil, "\(appliesTo)")
            #expect(report.bot == "dependabot", "\(appliesTo)")
            #expect(report.evidence == [Evidence(source: "author", value: Self.dependabot, bot: "dependabot")])
            #expect(report.reasons.first == "bot-authored (dependabot), not an agent: author \(Self.dependabot)")
            #expect(report.verdict == verdict, "\(appliesTo)")
            if appliesTo == "agents" {
                #expect(report.reasons.contains("policy applies to agent commits only"))
            } else {
                #expect(report.missing.map(\.requirement).contains("approvals"))
            }
            // The text table names the bot in the agent column.
            let head = try sandbox.git("rev-parse", "HEAD", in: repository)
            let text = try sandbox.agentreview(["check", base, head, "--ref", "refs/heads/main"], in: repository)
            #expect(text.stdout.contains("bot:dependabot"), "\(text.stdout)")
            if verdict == .blocked { #expect(Self.flat(text.stdout).contains("bot: author \(Self.dependabot)"), "\(text.stdout)") }
        }
        // A JSON line of the stream carries `bot` beside the absent `agent`.
        let (repository, base) = try sandbox.repositoryWithPolicy(name: "repo-json")
        try sandbox.write("package.json", "{}\n", in: repository)
        try sandbox.commit("Bump", in: repository, author: Self.dependabot, committer: Self.web)
        let head = try sandbox.git("rev-parse", "HEAD", in: repository)
        let output = try sandbox.agentreview(["check", base, head, "--ref", "refs/heads/main", "--json"], in: repository)
        #expect(output.stdout.contains("\"bot\":\"dependabot\""))
        #expect(!output.stdout.contains("\"agent\":"))
    }

    @Test("a git-ai note attributing lines to an AI session makes the commit an agent's, only with agents.notes: true")
    func authorshipNote() throws {
        for notes in [true, false] {
            let policy = Sandbox.policy + (notes ? "agents:\n  notes: true\n" : "")
            let (repository, base) = try sandbox.repositoryWithPolicy(policy, name: "notes-\(notes)")
            try sandbox.write("src/app.swift", "let a = 1\nlet b = 2\n", in: repository)
            try sandbox.commit("Add the app", in: repository)
            try sandbox.git("notes", "--ref=ai", "add", "-m", Self.note(), "HEAD", in: repository)
            let report = try #require(try judge(repository, base: base).commits.first)
            if notes {
                #expect(report.agent == "cursor")
                #expect(report.evidence == [
                    Evidence(source: "note", value: "refs/notes/ai: tool cursor, model claude-sonnet-4-5-20250514: 2 lines in 1 file", agent: "cursor"),
                ])
                #expect(report.verdict == .blocked)
            } else {
                #expect(report.agent == nil)
                #expect(report.evidence.isEmpty)
                #expect(report.verdict == .pass)
            }
        }
    }

    @Test("a note never clears: a broken note, or one of a person's lines, leaves the commit as its markers say")
    func notesNeverClear() throws {
        let (repository, base) = try sandbox.repositoryWithPolicy(Sandbox.policy + "agents:\n  notes: true\n")
        // An agent's commit with a person's note: still the agent's.
        try sandbox.write("src/a.swift", "let a = 1\n", in: repository)
        try sandbox.commit("Add a\n\nWhy.\n\nCo-Authored-By: Claude <noreply@anthropic.com>", in: repository)
        let human = """
            src/a.swift
              h_31dce776f88375 1
            ---
            {"schema_version": "authorship/3.0.0", "base_commit_sha": "abc", "prompts": {}, "humans": {"h_31dce776f88375": {"author": "Ada <ada@example.com>"}}}
            """
        try sandbox.git("notes", "--ref=ai", "add", "-m", human, "HEAD", in: repository)
        // A person's commit with a note that does not parse (three spaces): ignored, explained.
        try sandbox.write("src/b.swift", "let b = 1\n", in: repository)
        try sandbox.commit("Add b", in: repository)
        try sandbox.git("notes", "--ref=ai", "add", "-m", Self.note().replacingOccurrences(of: "\n  s_", with: "\n   s_"), "HEAD", in: repository)
        let commits = try judge(repository, base: base).commits
        #expect(commits.map(\.subject) == ["Add b", "Add a"])
        #expect(commits[1].agent == "claude-code")
        #expect(commits[1].evidence.map(\.source) == ["trailer"])
        #expect(commits[0].agent == nil)
        #expect(commits[0].verdict == .pass)
        let explained = try sandbox.agentreview(["explain", "HEAD"], in: repository)
        #expect(explained.status == 0)
        #expect(Self.flat(explained.stdout).contains("note: the note in refs/notes/ai is ignored: line 2: an attestation is two spaces, a key, one space and line ranges"), "\(explained.stdout)")
    }

    @Test("explain lists every marker checked and which matched, in text and JSON")
    func explain() throws {
        let (repository, _) = try sandbox.repositoryWithPolicy(Sandbox.policy + "agents:\n  notes: true\n  trailers: [X-Tool]\n")
        try sandbox.write("package.json", "{}\n", in: repository)
        try sandbox.commit("Bump", in: repository, author: Self.dependabot, committer: Self.web)
        let text = try sandbox.agentreview(["explain", "HEAD"], in: repository)
        #expect(text.status == 0)
        let checked = BuiltinAgents.markers.count + 1
        let flat = Self.flat(text.stdout)
        #expect(text.stdout.contains("agent   none (bot: dependabot)"), "\(text.stdout)")
        #expect(text.stdout.contains("markers: \(checked) checked, 2 matched"), "\(text.stdout)")
        #expect(flat.contains("found bot:dependabot, identity dependabot[bot]: author \(Self.dependabot)"), "\(text.stdout)")
        #expect(flat.contains("found bot:dependabot, identity <49699333+dependabot[bot]@users.noreply.github.com>: author \(Self.dependabot)"), "\(text.stdout)")
        #expect(flat.contains("not found x-tool (policy): X-Tool:"), "\(text.stdout)")
        #expect(flat.contains("not found roo-code-cloud: <roomote@roocode.com>, roomote[bot], <219738659+roomote[bot]@users.noreply.github.com>,"), "\(text.stdout)")
        #expect(flat.contains("note: no note in refs/notes/ai"), "\(text.stdout)")
        // Every marker is in the text, matched or not.
        for marker in BuiltinAgents.markers { #expect(flat.contains(marker.form), "\(marker.form)") }

        let json = try sandbox.agentreview(["explain", "HEAD", "--json"], in: repository)
        let report = try JSONDecoder().decode(CommitReport.self, from: Data(json.stdout.utf8))
        let attribution = try #require(report.attribution)
        #expect(attribution.checks.count == checked)
        #expect(attribution.matched.map(\.form) == ["dependabot[bot]", "<49699333+dependabot[bot]@users.noreply.github.com>"])
        #expect(attribution.checks.filter { $0.matched.isEmpty }.count == checked - 2)
        #expect(report.bot == "dependabot")
    }

    @Test("notes are read on the worker threads of a long range, one per commit")
    func longRange() throws {
        let (repository, base) = try sandbox.repositoryWithPolicy(Sandbox.policy + "agents:\n  notes: true\n")
        var noted = Set<String>()
        for index in 0..<150 {
            try sandbox.write("src/file\(index).swift", "let x = \(index)\nlet y = 0\n", in: repository)
            let id = try sandbox.commit("Commit \(index)", in: repository)
            if index % 7 == 0 {
                try sandbox.git("notes", "--ref=ai", "add", "-m", Self.note(path: "src/file\(index).swift", tool: index % 2 == 0 ? "claude" : "codex"), id, in: repository)
                noted.insert(id)
            }
        }
        let judgement = try judge(repository, base: base)
        #expect(judgement.commits.count == 150)
        for commit in judgement.commits {
            if noted.contains(commit.id) {
                #expect(commit.agent == "claude-code" || commit.agent == "codex", "\(commit.subject)")
                #expect(commit.evidence.map(\.source) == ["note"], "\(commit.subject)")
            } else {
                #expect(commit.agent == nil, "\(commit.subject)")
            }
        }
        #expect(judgement.commits.filter { $0.agent != nil }.count == noted.count)
        #expect(judgement.commits.filter { $0.agent == "claude-code" }.count == noted.count / 2 + noted.count % 2)
    }
}
