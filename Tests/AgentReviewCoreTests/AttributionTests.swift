import Foundation
import Testing
@testable import AgentReviewCore

@Suite("Attribution")
struct AttributionTests {
    static let human = Identity(name: "Ada Lovelace", email: "ada@example.com")
    static let github = Identity(name: "GitHub", email: "noreply@github.com")

    static func attribute(
        author: Identity = human,
        committer: Identity = human,
        trailers: [Trailer] = [],
        settings: AgentSettings = AgentSettings(),
        signature: CommitSignatureCheck? = nil
    ) -> Attribution {
        Attributor(settings: settings).attribute(author: author, committer: committer, trailers: trailers, signature: signature)
    }

    static func coAuthor(_ identity: String, key: String = "Co-authored-by") -> Trailer {
        Trailer(key: key, value: identity)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var author: Identity = AttributionTests.human
        var committer: Identity = AttributionTests.human
        var trailers: [Trailer] = []
        var subject = ""
        /// The agent expected, nil for a human commit.
        var agent: String?
        /// The bot expected, for a commit no agent wrote.
        var bot: String?
        var testDescription: String { name }
    }

    // MARK: Built-in agents

    static let builtinCases: [Case] = [
        // Claude Code
        Case(name: "claude co-author", trailers: [coAuthor("Claude <noreply@anthropic.com>")], agent: "claude-code"),
        Case(name: "claude model-named co-author, Co-Authored-By", trailers: [coAuthor("Claude Opus 4.6 (1M context) <noreply@anthropic.com>", key: "Co-Authored-By")], agent: "claude-code"),
        Case(name: "claude address in capitals", trailers: [coAuthor("Claude <NoReply@Anthropic.com>")], agent: "claude-code"),
        Case(name: "claude author", author: Identity(name: "Claude", email: "noreply@anthropic.com"), agent: "claude-code"),
        Case(name: "claude[bot] by name", author: Identity(name: "claude[bot]", email: "someone@example.com"), agent: "claude-code"),
        Case(name: "claude[bot] by address", committer: Identity(name: "Claude", email: "209825114+claude[bot]@users.noreply.github.com"), agent: "claude-code"),
        Case(name: "Claude-Session trailer", trailers: [Trailer(key: "Claude-Session", value: "abc123")], agent: "claude-code"),
        Case(name: "near miss: a person called Claude", author: Identity(name: "Claude Smith", email: "claude@example.com"), trailers: [coAuthor("Claude Smith <claude@example.com>")]),
        Case(name: "near miss: another anthropic address", trailers: [coAuthor("Someone <someone@anthropic.com>")]),
        // Copilot
        Case(name: "copilot agent author", author: Identity(name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com"), agent: "copilot"),
        Case(name: "copilot agent by name only", author: Identity(name: "copilot-swe-agent[bot]", email: "x@example.com"), agent: "copilot"),
        Case(name: "copilot agent by address only", author: Identity(name: "Copilot", email: "198982749+Copilot@users.noreply.github.com"), agent: "copilot"),
        Case(name: "copilot co-author github.com", trailers: [coAuthor("Copilot <copilot@github.com>")], agent: "copilot"),
        Case(name: "copilot co-author noreply", trailers: [coAuthor("Copilot <175728472+Copilot@users.noreply.github.com>")], agent: "copilot"),
        Case(name: "near miss: a person at github.com", author: Identity(name: "Octo Cat", email: "octocat@github.com")),
        Case(name: "near miss: GitHub web-flow committer", committer: github),
        // Aider
        Case(name: "aider author suffix", author: Identity(name: "Ada Lovelace (aider)", email: "ada@example.com"), agent: "aider"),
        Case(name: "aider committer suffix", committer: Identity(name: "Ada Lovelace (aider)", email: "ada@example.com"), agent: "aider"),
        Case(name: "aider co-author", trailers: [coAuthor("aider (anthropic/claude-3-5-sonnet) <noreply@aider.chat>")], agent: "aider"),
        Case(name: "near miss: Aiden Raider", author: Identity(name: "Aiden Raider", email: "raider@example.com")),
        Case(name: "near miss: aider in the middle", author: Identity(name: "Jo (aider) Smith", email: "jo@example.com"), trailers: [coAuthor("Raider (aider fan <r@example.com>")]),
        // Codex
        Case(name: "codex co-author", trailers: [coAuthor("Codex <noreply@openai.com>")], agent: "codex"),
        Case(name: "codex author", author: Identity(name: "Codex", email: "codex@openai.com"), agent: "codex"),
        Case(name: "near miss: a person at openai.com", author: Identity(name: "Sam", email: "sam@openai.com")),
        // Cursor
        Case(name: "cursor co-author", trailers: [coAuthor("Cursor Agent <cursoragent@cursor.com>")], agent: "cursor"),
        Case(name: "cursor Made-with", trailers: [Trailer(key: "Made-with", value: "Cursor")], agent: "cursor"),
        Case(name: "near miss: Made-with something else", trailers: [Trailer(key: "Made-with", value: "love")]),
        Case(name: "near miss: a person at cursor.com", author: Identity(name: "Dev", email: "dev@cursor.com")),
        // Devin
        Case(name: "devin by name", author: Identity(name: "devin-ai-integration[bot]", email: "x@example.com"), agent: "devin"),
        Case(name: "devin by address", trailers: [coAuthor("Devin <158243242+devin-ai-integration[bot]@users.noreply.github.com>")], agent: "devin"),
        // Jules
        Case(name: "jules co-author", trailers: [coAuthor("google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>")], agent: "jules"),
        Case(name: "jules by name", author: Identity(name: "google-labs-jules[bot]", email: "x@example.com"), agent: "jules"),
        // Amp
        Case(name: "amp co-author", trailers: [coAuthor("Amp <amp@ampcode.com>")], agent: "amp"),
        Case(name: "amp thread", trailers: [Trailer(key: "Amp-Thread-ID", value: "https://ampcode.com/threads/T-1")], agent: "amp"),
        Case(name: "near miss: a person at ampcode.com", trailers: [coAuthor("Quinn <quinn@ampcode.com>")]),
        // OpenHands
        Case(name: "openhands author", author: Identity(name: "openhands", email: "openhands@all-hands.dev"), agent: "openhands"),
        Case(name: "openhands co-author", trailers: [coAuthor("openhands <openhands@all-hands.dev>")], agent: "openhands"),
        Case(name: "near miss: a person at all-hands.dev", author: Identity(name: "Graham", email: "graham@all-hands.dev"), trailers: [coAuthor("Robert <robert@all-hands.dev>")]),
        // Kernel style and our own trailer
        Case(name: "Assisted-by AGENT:MODEL", trailers: [Trailer(key: "Assisted-by", value: "Claude:claude-3-opus")], agent: "claude"),
        Case(name: "Generated-by without a model", trailers: [Trailer(key: "Generated-by", value: "Gemini")], agent: "gemini"),
        Case(name: "Agent tool/version", trailers: [Trailer(key: "Agent", value: "claude-code/1.0.51")], agent: "claude-code"),
        Case(name: "agent key in any case", trailers: [Trailer(key: "agent", value: "MyTool")], agent: "mytool"),
        // Roo Code's cloud agent: its address, and its GitHub app under both logins (one id)
        Case(name: "roo code co-author", trailers: [coAuthor("Roo Code <roomote@roocode.com>")], agent: "roo-code-cloud"),
        Case(name: "roo code author", author: Identity(name: "Roo Code", email: "roomote@roocode.com"), agent: "roo-code-cloud"),
        Case(name: "roomote[bot] by address", author: Identity(name: "roomote[bot]", email: "219738659+roomote[bot]@users.noreply.github.com"), committer: github, agent: "roo-code-cloud"),
        Case(name: "roomote-v0[bot] by address", author: Identity(name: "Roomote", email: "219738659+roomote-v0[bot]@users.noreply.github.com"), agent: "roo-code-cloud"),
        Case(name: "roomote-v0[bot] by login", committer: Identity(name: "roomote-v0[bot]", email: "x@example.com"), agent: "roo-code-cloud"),
        Case(name: "near miss: a person at roocode.com", author: Identity(name: "Hannes", email: "hannes@roocode.com"), trailers: [coAuthor("Matt <matt@roocode.com>")]),
        Case(name: "near miss: roomote's id with another login", author: Identity(name: "x", email: "219738659+someone@users.noreply.github.com")),
        // JetBrains Junie
        Case(name: "junie-agent author", author: Identity(name: "junie-agent", email: "247260674+junie-agent@users.noreply.github.com"), agent: "junie"),
        Case(name: "junie co-author", trailers: [coAuthor("Junie <junie@jetbrains.com>")], agent: "junie"),
        Case(name: "near miss: a person at jetbrains.com", trailers: [coAuthor("Anna <anna@jetbrains.com>")]),
        // Factory Droid
        Case(name: "factory-droid[bot] co-author", trailers: [coAuthor("factory-droid[bot] <138933559+factory-droid[bot]@users.noreply.github.com>")], agent: "factory-droid"),
        Case(name: "factory-droid[bot] author", author: Identity(name: "factory-droid[bot]", email: "138933559+factory-droid[bot]@users.noreply.github.com"), agent: "factory-droid"),
        Case(name: "droid co-author", trailers: [coAuthor("droid <droid@factory.ai>")], agent: "factory-droid"),
        Case(name: "near miss: a person at factory.ai", author: Identity(name: "Nizar Alrifai", email: "nizar@factory.ai")),
        // Firebender, opencode, Warp
        Case(name: "firebender co-author", trailers: [coAuthor("Firebender <help@firebender.com>", key: "Co-Authored-By")], agent: "firebender"),
        Case(name: "near miss: a person at firebender.com", trailers: [coAuthor("Kevin <kevin@firebender.com>")]),
        Case(name: "opencode co-author", trailers: [coAuthor("opencode <noreply@opencode.ai>", key: "Co-Authored-By")], agent: "opencode"),
        Case(name: "near miss: a person at opencode.ai", author: Identity(name: "Dax", email: "dax@opencode.ai")),
        Case(name: "warp co-author", trailers: [coAuthor("Warp <agent@warp.dev>", key: "Co-Authored-By")], agent: "warp"),
        Case(name: "near miss: a person at warp.dev", trailers: [coAuthor("Zach <zach@warp.dev>")]),
        // Copilot Autofix and Copilot's other co-author id and session trailer
        Case(name: "copilot autofix co-author", trailers: [coAuthor("Copilot Autofix powered by AI <62310815+github-advanced-security[bot]@users.noreply.github.com>")], agent: "copilot-autofix"),
        Case(name: "copilot co-author 223556219", trailers: [coAuthor("Copilot <223556219+Copilot@users.noreply.github.com>")], agent: "copilot"),
        Case(name: "Copilot-Session trailer", trailers: [Trailer(key: "Copilot-Session", value: "f886cd42-d3af-4244-92ca-f284082ce74a")], agent: "copilot"),
        // Claude's GitHub apps, OpenAI's, Cursor's Bugbot, Gemini Code Assist
        Case(name: "claude-code-action[bot]", committer: Identity(name: "claude-code-action[bot]", email: "208546643+claude-code-action[bot]@users.noreply.github.com"), agent: "claude-code"),
        Case(name: "chatgpt-codex-connector[bot]", trailers: [coAuthor("Codex <199175422+chatgpt-codex-connector[bot]@users.noreply.github.com>")], agent: "codex"),
        Case(name: "openai-codex[bot]", author: Identity(name: "openai-codex[bot]", email: "215057067+openai-codex[bot]@users.noreply.github.com"), agent: "codex"),
        Case(name: "cursor author Cursor Agent", author: Identity(name: "Cursor Agent", email: "cursoragent@cursor.com"), agent: "cursor"),
        Case(name: "cursor[bot] (Bugbot)", trailers: [coAuthor("cursor[bot] <206951365+cursor[bot]@users.noreply.github.com>")], agent: "cursor"),
        Case(name: "gemini-code-assist[bot]", trailers: [coAuthor("gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>")], agent: "gemini-code-assist"),
        // Replit, Entire
        Case(name: "Replit-Commit-Author: Agent", trailers: [Trailer(key: "Replit-Commit-Author", value: "Agent"), Trailer(key: "Replit-Commit-Session-Id", value: "c723f457")], agent: "replit"),
        Case(name: "Replit-Commit-Author: Assistant", trailers: [Trailer(key: "Replit-Commit-Author", value: "Assistant")], agent: "replit"),
        Case(name: "near miss: Replit-Commit-Author: User", trailers: [Trailer(key: "Replit-Commit-Author", value: "User")]),
        Case(name: "Entire-Agent trailer", trailers: [Trailer(key: "Entire-Agent", value: "Claude Code")], agent: "entire"),
        Case(name: "near miss: Entire-Checkpoint alone", trailers: [Trailer(key: "Entire-Checkpoint", value: "a3b2c1d4e5f6")]),
        // Aider's address and subject prefix
        Case(name: "aider co-author address", trailers: [coAuthor("aider (openai/gpt-4o) <aider@aider.chat>", key: "Co-authored-by")], agent: "aider"),
        Case(name: "aider subject prefix", subject: "aider: Add the retry loop", agent: "aider"),
        Case(name: "near miss: aider later in the subject", subject: "Revert \"aider: Add the retry loop\""),
        Case(name: "near miss: Aider: in capitals", subject: "Aider: notes on the tool"),
        // Dependency and release bots: bots, not agents
        Case(name: "dependabot", author: Identity(name: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com"), committer: github, bot: "dependabot"),
        Case(name: "dependabot by login only", author: Identity(name: "dependabot[bot]", email: "x@example.com"), bot: "dependabot"),
        Case(name: "renovate co-author", trailers: [coAuthor("renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>")], bot: "renovate"),
        Case(name: "self-hosted renovate", author: Identity(name: "Renovate Bot", email: "bot@renovateapp.com"), bot: "renovate"),
        Case(name: "github-actions[bot]", author: Identity(name: "github-actions[bot]", email: "41898282+github-actions[bot]@users.noreply.github.com"), bot: "github-actions"),
        Case(name: "pre-commit-ci[bot]", trailers: [coAuthor("pre-commit-ci[bot] <66853113+pre-commit-ci[bot]@users.noreply.github.com>")], bot: "pre-commit-ci"),
        Case(name: "imgbot by login", author: Identity(name: "imgbot[bot]", email: "31301654+imgbot[bot]@users.noreply.github.com"), bot: "imgbot"),
        Case(name: "an agent and a bot: the agent", author: Identity(name: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com"), trailers: [coAuthor("Claude <noreply@anthropic.com>")], agent: "claude-code"),
        Case(name: "near miss: dependabot's sign-off address", trailers: [Trailer(key: "Signed-off-by", value: "dependabot[bot] <support@github.com>")]),
        Case(name: "near miss: another app's id", author: Identity(name: "Dependabot", email: "12345+dependabot[bot]@users.noreply.github.com")),
        // People that are not agents
        Case(name: "near miss: human co-authors and sign-offs", trailers: [coAuthor("Grace Hopper <grace@example.com>"), Trailer(key: "Signed-off-by", value: "Ada Lovelace <ada@example.com>")]),
        Case(name: "near miss: agent address outside a co-author trailer", trailers: [Trailer(key: "Reported-by", value: "Claude <noreply@anthropic.com>")]),
    ]

    @Test("built-in agents", arguments: builtinCases)
    func builtin(_ c: Case) {
        let attribution = Attributor(settings: AgentSettings()).attribute(
            author: c.author, committer: c.committer, trailers: c.trailers, subject: c.subject)
        #expect(attribution.agent == c.agent)
        #expect(attribution.bot == c.bot)
        #expect(attribution.isAgent == (c.agent != nil))
        #expect(attribution.evidence.isEmpty == (c.agent == nil && c.bot == nil))
        #expect(attribution.evidence.allSatisfy { c.agent != nil ? $0.bot == nil && $0.agent != nil : $0.agent == nil && $0.bot == c.bot })
    }

    @Test("every built-in agent and bot has a positive case")
    func everyBuiltinIsCovered() {
        let covered = Set(Self.builtinCases.compactMap(\.agent))
        #expect(Set(BuiltinAgents.names).subtracting(covered).isEmpty)
        let bots = Set(Self.builtinCases.compactMap(\.bot))
        #expect(Set(["dependabot", "renovate", "github-actions", "pre-commit-ci", "imgbot"]).isSubset(of: bots))
        #expect(Set(BuiltinAgents.names).isDisjoint(with: BuiltinAgents.botNames))
    }

    // MARK: Evidence

    @Test("evidence lists every match, in priority order, as written")
    func evidence() {
        let attribution = Self.attribute(
            author: Identity(name: "Ada (aider)", email: "ada@example.com"),
            committer: Identity(name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com"),
            trailers: [
                Trailer(key: "Reviewed-by", value: "Grace <grace@example.com>"),
                Trailer(key: "Co-Authored-By", value: "Claude Opus 4.6 <noreply@anthropic.com>"),
                Trailer(key: "Made-with", value: "Cursor"),
            ]
        )
        #expect(attribution.agent == "aider")
        #expect(attribution.evidence == [
            Evidence(source: "author", value: "Ada (aider) <ada@example.com>", agent: "aider"),
            Evidence(source: "committer", value: "copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>", agent: "copilot"),
            Evidence(source: "trailer", value: "Co-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>", agent: "claude-code"),
            Evidence(source: "trailer", value: "Made-with: Cursor", agent: "cursor"),
        ])
    }

    @Test("a trailer matched by two rules is one piece of evidence")
    func evidenceIsNotRepeated() {
        let attribution = Self.attribute(
            trailers: [Trailer(key: "Agent", value: "codex/0.1")],
            settings: AgentSettings(trailers: ["Agent"])
        )
        #expect(attribution.evidence == [Evidence(source: "trailer", value: "Agent: codex/0.1", agent: "codex")])
    }

    // MARK: Policy

    @Test("policy identities: exact, <email>, bare email, bare name, globs")
    func policyIdentities() {
        let settings = AgentSettings(identities: [
            "Build Bot <bot@corp.example>",
            "<Release@Corp.Example>",
            "ci-*@corp.example",
            "renovate[bot]",
            "* (ai) <*@tools.corp.example>",
        ])
        func agent(_ name: String, _ email: String) -> String? {
            Self.attribute(author: Identity(name: name, email: email), settings: settings).agent
        }
        #expect(agent("Build Bot", "bot@corp.example") == "Build Bot <bot@corp.example>")
        #expect(agent("Build Bot", "BOT@Corp.Example") == "Build Bot <bot@corp.example>")
        #expect(agent("Build Bot", "other@corp.example") == nil)
        #expect(agent("Other Bot", "bot@corp.example") == nil)
        #expect(agent("Anyone", "release@corp.example") == "<Release@Corp.Example>")
        #expect(agent("Runner", "ci-linux@corp.example") == "ci-*@corp.example")
        #expect(agent("Runner", "ci@corp.example") == nil)
        #expect(agent("renovate[bot]", "x@example.com") == "renovate[bot]")
        #expect(agent("renovateb", "x@example.com") == "renovate[bot]")  // `[bot]` is also a set
        #expect(agent("Writer (ai)", "w@tools.corp.example") == "* (ai) <*@tools.corp.example>")
        #expect(agent("Writer", "w@tools.corp.example") == nil)
        #expect(agent("Ada", "ada@corp.example") == nil)
        let coAuthored = Self.attribute(trailers: [Self.coAuthor("Runner <ci-mac@corp.example>")], settings: settings)
        #expect(coAuthored.evidence == [Evidence(source: "trailer", value: "Co-authored-by: Runner <ci-mac@corp.example>", agent: "ci-*@corp.example")])
    }

    @Test("glob syntax", arguments: [
        ("a*c", "abbbc", true), ("a*c", "ab", false), ("*", "", true), ("?", "", false), ("a?c", "abc", true),
        ("[a-c]x", "bx", true), ("[!a-c]x", "bx", false), ("[^a-c]x", "dx", true), ("[]]", "]", true),
        ("\\*", "*", true), ("\\*", "a", false), ("a/*", "a/b/c", true), ("[ab", "[ab", true),
        ("*a*a*a*a*a*b", String(repeating: "a", count: 60), false),
    ])
    func glob(_ pattern: String, _ text: String, _ matches: Bool) {
        // Through a policy entry that is a bare name, matched exactly-or-glob.
        let settings = AgentSettings(builtin: false, identities: [pattern])
        let agent = Self.attribute(author: Identity(name: text, email: "x@example.com"), settings: settings).agent
        #expect((agent != nil) == (matches || pattern == text))
    }

    @Test("policy trailers: presence marks an agent named by the key")
    func policyTrailers() {
        let settings = AgentSettings(trailers: ["X-AI-Tool", "Generated-With"])
        let attribution = Self.attribute(trailers: [Trailer(key: "x-ai-tool", value: "whatever 1.2")], settings: settings)
        #expect(attribution.agent == "x-ai-tool")
        #expect(attribution.evidence == [Evidence(source: "trailer", value: "x-ai-tool: whatever 1.2", agent: "x-ai-tool")])
        #expect(Self.attribute(trailers: [Trailer(key: "X-AI-Tooling", value: "v")], settings: settings).agent == nil)
    }

    @Test("builtin off: only the policy's entries count")
    func builtinOff() {
        let settings = AgentSettings(builtin: false, identities: ["<bot@corp.example>"], trailers: ["Agent"])
        let claude = Self.attribute(
            author: Identity(name: "claude[bot]", email: "209825114+claude[bot]@users.noreply.github.com"),
            trailers: [Self.coAuthor("Claude <noreply@anthropic.com>"), Trailer(key: "Made-with", value: "Cursor")],
            settings: settings
        )
        #expect(claude == Attribution(agent: nil, evidence: []))
        #expect(Self.attribute(committer: Identity(name: "Bot", email: "bot@corp.example"), settings: settings).agent == "<bot@corp.example>")
        #expect(Self.attribute(trailers: [Trailer(key: "Agent", value: "codex/1")], settings: settings).agent == "agent")
    }

    @Test("unsigned_is_agent attributes only what nothing else did")
    func unsignedIsAgent() {
        let settings = AgentSettings(unsignedIsAgent: true)
        let unsigned = Self.attribute(settings: settings, signature: .unsigned)
        #expect(unsigned.agent == Attributor.unsignedAgent)
        #expect(unsigned.evidence == [Evidence(source: "signature", value: "no signature", agent: Attributor.unsignedAgent)])
        let unchecked = Self.attribute(settings: settings, signature: nil)
        #expect(unchecked.agent == Attributor.unsignedAgent)
        #expect(unchecked.evidence.map(\.value) == ["signature not checked"])
        let person = CommitSignatureCheck.person(principal: "ada@example.com", fingerprint: "SHA256:x")
        #expect(Self.attribute(settings: settings, signature: person) == Attribution(agent: nil, evidence: []))
        #expect(Self.attribute(settings: AgentSettings(), signature: .unsigned).agent == nil)
        let claude = Self.attribute(trailers: [Self.coAuthor("Claude <noreply@anthropic.com>")], settings: settings, signature: .unsigned)
        #expect(claude.agent == "claude-code")
        #expect(claude.evidence.map(\.source) == ["trailer"])
        // The signature is wanted exactly when nothing else attributes the commit.
        let attributor = Attributor(settings: settings)
        #expect(attributor.needsSignature(author: Self.human, committer: Self.human, trailers: []))
        #expect(!attributor.needsSignature(author: Self.human, committer: Self.human, trailers: [Self.coAuthor("Claude <noreply@anthropic.com>")]))
        #expect(!Attributor(settings: AgentSettings()).needsSignature(author: Self.human, committer: Self.human, trailers: []))
    }

    // MARK: Identities

    @Test("Identity.parse", arguments: [
        ("Claude <noreply@anthropic.com>", Identity(name: "Claude", email: "noreply@anthropic.com")),
        ("  Claude Opus 4.6 (1M context)   <noreply@anthropic.com>  ", Identity(name: "Claude Opus 4.6 (1M context)", email: "noreply@anthropic.com")),
        ("<a@b>", Identity(name: "", email: "a@b")),
        ("Max Paulus 🥪 <max@cline.bot>", Identity(name: "Max Paulus 🥪", email: "max@cline.bot")),
        ("A <a@b> trailing", Identity(name: "A", email: "a@b")),
    ])
    func identityParse(_ text: String, _ identity: Identity) {
        #expect(Identity.parse(text) == identity)
    }

    @Test("Identity.parse refuses values without an address", arguments: ["Claude", "a@b", "Claude <noreply", ""])
    func identityParseRefuses(_ text: String) {
        #expect(Identity.parse(text) == nil)
    }

    @Test("co-authors, and which are people")
    func coAuthors() {
        let trailers = [
            Trailer(key: "Co-Authored-By", value: "Claude <noreply@anthropic.com>"),
            Trailer(key: "Signed-off-by", value: "Ada <ada@example.com>"),
            Trailer(key: "co-authored-by", value: "Grace Hopper <grace@example.com>"),
            Trailer(key: "Co-authored-by", value: "no address"),
        ]
        #expect(Attributor.coAuthors(trailers) == [
            Identity(name: "Claude", email: "noreply@anthropic.com"),
            Identity(name: "Grace Hopper", email: "grace@example.com"),
        ])
        #expect(Attributor(settings: AgentSettings()).humanCoAuthors(trailers) == [Identity(name: "Grace Hopper", email: "grace@example.com")])
        #expect(Attributor(settings: AgentSettings(builtin: false)).humanCoAuthors(trailers).count == 2)
    }

    // MARK: Regression fixture

    struct FixtureCommit: Decodable {
        var id: String
        var repo: String
        var author: String
        var committer: String
        var message: String
        var trailers: [String]
        var agent: String?
    }

    /// Real commits from public repositories, labelled by hand: the agent, `bot` for a
    /// dependency or release bot's, null for a person's. `agent-commits.jsonl` holds the
    /// first agents' and people's; `agent-commits-wide.jsonl` the rest of the field.
    static func fixture(_ name: String = "agent-commits.jsonl") throws -> [FixtureCommit] {
        // Tests/Fixtures: data about public commits, kept in the repository.
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name)")
        let text = try String(contentsOf: url, encoding: .utf8)
        let decoder = JSONDecoder()
        return try text.split(separator: "\n").map { try decoder.decode(FixtureCommit.self, from: Data($0.utf8)) }
    }

    static let fixtures = ["agent-commits.jsonl", "agent-commits-wide.jsonl"]

    /// The label a commit's attribution gives it.
    static func label(_ attribution: Attribution) -> String? {
        attribution.agent ?? (attribution.bot == nil ? nil : "bot")
    }

    @Test("fixture: trailers equal git's", arguments: fixtures)
    func fixtureTrailers(_ name: String) throws {
        let commits = try Self.fixture(name)
        #expect(commits.count == (name == "agent-commits.jsonl" ? 384 : 16))
        var equal = 0
        for commit in commits {
            let parsed = Trailers.parse(commit.message).map(\.description)
            #expect(parsed == commit.trailers, "\(commit.repo) \(commit.id)")
            if parsed == commit.trailers { equal += 1 }
        }
        #expect(equal == commits.count)
        #expect(commits.contains { !$0.trailers.isEmpty })
    }

    @Test("fixture: labelled commits are attributed to their agent or bot, the rest to nobody", arguments: fixtures)
    func fixtureAttribution(_ name: String) throws {
        let commits = try Self.fixture(name)
        let attributor = Attributor(settings: AgentSettings())
        var held = 0
        for commit in commits {
            let author = try #require(Identity.parse(commit.author), "\(commit.id) author")
            let committer = try #require(Identity.parse(commit.committer), "\(commit.id) committer")
            let subject = String(commit.message.prefix { $0 != "\n" })
            let attribution = attributor.attribute(
                author: author, committer: committer, trailers: Trailers.parse(commit.message), subject: subject)
            #expect(Self.label(attribution) == commit.agent, "\(commit.repo) \(commit.id): \(attribution.evidence)")
            // A bot's commit names its bot, with the bot's evidence; a person's has none.
            #expect(attribution.evidence.isEmpty == (commit.agent == nil), "\(commit.repo) \(commit.id)")
            if Self.label(attribution) == commit.agent { held += 1 }
        }
        #expect(held == commits.count)
        let labels = Set(commits.map(\.agent))
        #expect(labels.contains(nil) == (name == "agent-commits.jsonl"))
        #expect(labels.contains("bot"))
    }

    @Test("fixture: every agent and bot of the wide fixture, and the commits that show them")
    func fixtureWide() throws {
        let commits = try Self.fixture("agent-commits-wide.jsonl")
        #expect(Set(commits.compactMap(\.agent)) == ["roo-code-cloud", "junie", "factory-droid", "firebender", "copilot-autofix", "amp", "bot"])
        let attributor = Attributor(settings: AgentSettings())
        var bots = Set<String>()
        for commit in commits where commit.agent == "bot" {
            let attribution = attributor.attribute(
                author: try #require(Identity.parse(commit.author)), committer: try #require(Identity.parse(commit.committer)),
                trailers: Trailers.parse(commit.message))
            bots.insert(try #require(attribution.bot))
            #expect(attribution.evidence.first?.source == "author")
        }
        #expect(bots == ["renovate", "dependabot"])
    }
}
