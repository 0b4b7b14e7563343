import Foundation
import Testing
@testable import AgentReviewCore

/// The built-in table, row by row: each marker is tested from its documented form, so a marker
/// no public commit in Tests/Fixtures shows yet is still held to what it says it matches.
@Suite("Built-in agents")
struct BuiltinAgentsTests {
    static let person = Identity(name: "Ada Lovelace", email: "ada@example.com")

    /// A commit made from a row's form, and the name the row should give it.
    struct Made {
        var author = BuiltinAgentsTests.person
        var trailers: [Trailer] = []
        var subject = "Change something"
        var note: AuthorshipNote.Reading?
        var expected: String
    }

    /// `AGENT` in a form stands for the agent the commit names: made here as `SomeTool`.
    static func make(_ marker: Marker) -> [Made] {
        let expected = marker.name == Marker.namedByValue ? "sometool" : marker.name
        switch marker.place {
        case .identity:
            if marker.form.hasPrefix("<") {
                let email = String(marker.form.dropFirst().dropLast())
                return [
                    Made(author: Identity(name: "Someone", email: email), expected: expected),
                    Made(author: Identity(name: "Someone", email: email.uppercased()), expected: expected),
                    Made(trailers: [Trailer(key: "Co-authored-by", value: "Someone <\(email)>")], expected: expected),
                ]
            }
            let name = marker.form.replacingOccurrences(of: "*", with: "gpt-4o")
            return [
                Made(author: Identity(name: name, email: "someone@example.com"), expected: expected),
                Made(trailers: [Trailer(key: "Co-Authored-By", value: "\(name.uppercased()) <someone@example.com>")], expected: expected),
            ]
        case .trailer:
            let parts = marker.form.split(separator: ":", maxSplits: 1)
            let key = String(parts[0])
            let value = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            if value.isEmpty {
                return [Made(trailers: [Trailer(key: key, value: "anything")], expected: expected),
                        Made(trailers: [Trailer(key: key.lowercased(), value: "x")], expected: expected)]
            }
            if value.hasPrefix(Marker.namedByValue) {
                let named = value.replacingOccurrences(of: "AGENT", with: "SomeTool").replacingOccurrences(of: "MODEL", with: "m-1")
                    .replacingOccurrences(of: "VERSION", with: "1.0")
                return [Made(trailers: [Trailer(key: key, value: named)], expected: expected)]
            }
            return [Made(trailers: [Trailer(key: key, value: value)], expected: expected),
                    Made(trailers: [Trailer(key: key.uppercased(), value: value.lowercased())], expected: expected)]
        case .subject:
            return [Made(subject: marker.form + "Add the retry loop", expected: expected)]
        case .note:
            let tool = marker.form == Marker.namedByValue ? "SomeTool" : marker.form
            let note = AuthorshipNote(contributions: [.init(tool: tool, model: "m-1", lines: 3, files: 1)])
            return [Made(note: .read(note), expected: expected)]
        }
    }

    /// Texts of the same length and the same first and last bytes are told apart; a text
    /// given twice keeps both rows, in order; what was never given, the empty text
    /// included, has none.
    @Test func rowsByTextFindEachTextsOwnRows() {
        var table = RowsByText()
        let texts = ["axb", "ayb", "a\u{e9}b", "ab", "", "noreply@anthropic.com", "noreply@anthropic.con"]
        for (row, text) in texts.enumerated() { table.append(row, for: text) }
        table.append(9, for: "axb")
        #expect(table["axb"] == [0, 9])
        for (row, text) in texts.enumerated().dropFirst() { #expect(table[text] == [row], "\(text)") }
        for missing in ["azb", "a", "b", "axbb", "AXB", "noreply@anthropic.co", "noreply@anthropic.cox"] {
            #expect(table[missing] == nil, "\(missing)")
        }
        var empty = RowsByText()
        #expect(empty[""] == nil)
        empty.append(1, for: "x")
        #expect(empty[""] == nil)
    }

    /// Lowering skips the copy only where there is nothing to lower, and is `lowercased()`
    /// everywhere: ASCII, and the letters whose lowering is not one-to-one.
    @Test(arguments: ["", "claude@anthropic.com", "Claude", "noreply@Anthropic.COM", "ZED <Zoe@Example.Z>", "@[`{AZaz", "a-b_c.d+e", "Éric", "STRASSE", "İstanbul", "ΣΊΣΥΦΟΣ", "x\u{301}", "😀 Bot"])
    func loweringIsLowercased(_ text: String) {
        #expect(text.lowercasedIfNeeded() == text.lowercased())
    }

    @Test("every row attributes a commit made from its documented form", arguments: BuiltinAgents.markers)
    func everyRow(_ marker: Marker) throws {
        let attributor = Attributor(settings: AgentSettings(notes: true))
        for made in Self.make(marker) {
            let attribution = attributor.attribute(
                author: made.author, committer: Self.person, trailers: made.trailers, subject: made.subject, note: made.note)
            switch marker.kind {
            case .agent:
                #expect(attribution.agent == made.expected, "\(marker.form): \(attribution)")
            case .bot:
                #expect(attribution.agent == nil, "\(marker.form)")
                #expect(attribution.bot == made.expected, "\(marker.form): \(attribution)")
            }
            #expect(attribution.evidence.count == 1, "\(marker.form): \(attribution.evidence)")
            // With the built-in table off, no row counts.
            let off = Attributor(settings: AgentSettings(builtin: false)).attribute(
                author: made.author, committer: Self.person, trailers: made.trailers, subject: made.subject)
            #expect(off == Attribution(agent: nil, evidence: []), "\(marker.form)")
        }
    }

    @Test("identities are exact: an address, never a domain; a GitHub noreply address with its id and login")
    func exactIdentities() throws {
        let identities = BuiltinAgents.markers.filter { $0.place == .identity }
        for marker in identities where marker.form.hasPrefix("<") {
            let email = String(marker.form.dropFirst().dropLast())
            let parts = email.split(separator: "@", omittingEmptySubsequences: false)
            #expect(parts.count == 2 && !parts[0].isEmpty && parts[1].contains("."), "\(marker.form)")
            #expect(!email.contains("*"), "\(marker.form)")
            if parts[1] == "users.noreply.github.com" {
                let local = parts[0].split(separator: "+", maxSplits: 1)
                #expect(local.count == 2 && local[0].allSatisfy(\.isNumber), "\(marker.form): no numeric id")
                // A bot account's login is also a row of the same agent or bot.
                if local.count == 2, local[1].hasSuffix("[bot]") {
                    #expect(identities.contains { $0.form == String(local[1]) && $0.name == marker.name }, "\(marker.form): no login row")
                }
            }
        }
        // Each form appears once: a row is never shadowed by another.
        let forms = BuiltinAgents.markers.map { "\($0.place.rawValue) \($0.form.lowercased())" }
        #expect(Set(forms).count == forms.count)
    }

    @Test("trailer rows have trailer keys; subject and note rows are not empty")
    func forms() {
        for marker in BuiltinAgents.markers {
            switch marker.place {
            case .trailer:
                let key = String(marker.form.prefix { $0 != ":" })
                let isKey = !key.isEmpty && key.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
                #expect(marker.form.contains(":") && isKey, "\(marker.form)")
            case .subject, .note:
                #expect(!marker.form.isEmpty)
            case .identity:
                #expect(!marker.form.trimmingCharacters(in: .whitespaces).isEmpty)
            }
        }
        #expect(BuiltinAgents.markers.filter { $0.kind == .bot }.allSatisfy { $0.place == .identity })
    }

    @Test("a bot marker never clears an agent's commit; an agent's wins whatever the order")
    func botsNeverClear() {
        let attributor = Attributor(settings: AgentSettings())
        let dependabot = Identity(name: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com")
        let attribution = attributor.attribute(
            author: dependabot, committer: dependabot, trailers: [Trailer(key: "Made-with", value: "Cursor")])
        #expect(attribution == Attribution(agent: "cursor", evidence: [Evidence(source: "trailer", value: "Made-with: Cursor", agent: "cursor")]))
        // Under unsigned_is_agent a bot's unsigned commit is an agent's ("unknown"): an agent
        // cannot hide behind a bot's name.
        let unsigned = Attributor(settings: AgentSettings(unsignedIsAgent: true)).attribute(
            author: dependabot, committer: dependabot, trailers: [], signature: .unsigned)
        #expect(unsigned.agent == Attributor.unsignedAgent)
        #expect(unsigned.bot == nil)
        #expect(Attributor(settings: AgentSettings(unsignedIsAgent: true)).needsSignature(author: dependabot, committer: dependabot, trailers: []))
    }

    @Test("a bot's commit: its evidence names the bot, not an agent")
    func botEvidence() throws {
        let attribution = Attributor(settings: AgentSettings()).attribute(
            author: Identity(name: "renovate[bot]", email: "29139614+renovate[bot]@users.noreply.github.com"),
            committer: Identity(name: "GitHub", email: "noreply@github.com"),
            trailers: [Trailer(key: "Co-authored-by", value: "renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>")])
        #expect(attribution.bot == "renovate")
        #expect(attribution.evidence == [
            Evidence(source: "author", value: "renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>", bot: "renovate"),
            Evidence(source: "trailer", value: "Co-authored-by: renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>", bot: "renovate"),
        ])
        let json = String(decoding: try JSONEncoder().encode(attribution.evidence[0]), as: UTF8.self)
        #expect(json.contains("\"bot\":\"renovate\"") && !json.contains("\"agent\""))
    }

    @Test("applies_to: agents, agents+bots, all")
    func appliesTo() {
        let agent = Attribution(agent: "codex", evidence: [])
        let bot = Attribution(agent: nil, bot: "dependabot", evidence: [])
        let person = Attribution(agent: nil, evidence: [])
        #expect([AppliesTo.agents, .agentsAndBots, .all].map { $0.covers(agent) } == [true, true, true])
        #expect([AppliesTo.agents, .agentsAndBots, .all].map { $0.covers(bot) } == [false, true, true])
        #expect([AppliesTo.agents, .agentsAndBots, .all].map { $0.covers(person) } == [false, false, true])
        #expect(AppliesTo(rawValue: "agents+bots") == .agentsAndBots)
        // An attribution with an agent is never a bot's.
        #expect(Attribution(agent: "codex", bot: "dependabot", evidence: []).bot == nil)
    }

    @Test("explain lists every marker checked and which matched")
    func explain() {
        let settings = AgentSettings(identities: ["<ci@corp.example>"], trailers: ["X-Tool"])
        let commit = CommitFacts(
            id: String(repeating: "a", count: 40),
            author: Identity(name: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com"),
            committer: Identity(name: "GitHub", email: "noreply@github.com"), subject: "Bump x",
            trailers: [Trailer(key: "X-Tool", value: "1")])
        let explanation = Attributor(settings: settings).explain(commit)
        #expect(explanation.checks.count == BuiltinAgents.markers.count + 2)
        #expect(explanation.checks.map(\.form).suffix(2) == ["<ci@corp.example>", "X-Tool:"])
        #expect(explanation.matched.map(\.form) == ["dependabot[bot]", "<49699333+dependabot[bot]@users.noreply.github.com>", "X-Tool:"])
        #expect(explanation.matched.map(\.origin) == ["built-in", "built-in", "policy"])
        #expect(explanation.matched[0].matched == ["author dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>"])
        #expect(explanation.note == "refs/notes/ai not read: agents.notes is off")
        #expect(explanation.signature == nil)
        // With the table off only the policy's markers are checked.
        let off = Attributor(settings: AgentSettings(builtin: false, trailers: ["X-Tool"])).explain(commit)
        #expect(off.checks.map(\.form) == ["X-Tool:"])
        // unsigned_is_agent says what the signature was, or that it was not needed.
        let unsigned = Attributor(settings: AgentSettings(unsignedIsAgent: true)).explain(commit)
        #expect(unsigned.signature == "signature not checked")
        var claude = commit
        claude.trailers = [Trailer(key: "Claude-Session", value: "x")]
        #expect(Attributor(settings: AgentSettings(unsignedIsAgent: true)).explain(claude).signature == "not needed: an agent marker attributes the commit")
    }
}
