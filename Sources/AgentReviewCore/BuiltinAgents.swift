/// One thing a commit can show that marks it as an agent's or a bot's: a row of the built-in
/// table (`agentreview agents` prints it). A row is data: recognising another agent is adding
/// a row here, not code.
///
/// `form` is read by `place`:
/// - `identity` (the author, the committer, or the identity a `Co-authored-by` trailer names):
///   `<address>` is that exact address, compared ignoring case (never a whole domain: a GitHub
///   noreply address carries its account's numeric id and login); a bare `login[bot]` or name is
///   that exact name, compared ignoring case; a name with a `*` (`* (aider)`, `aider (*)`) is a
///   name with that text around it, `*` standing for any text of at least one character.
/// - `trailer`: `Key:` is the trailer's presence, whatever its value; `Key: Value` is that value,
///   compared ignoring case; `Key: AGENT:MODEL` (or `AGENT/VERSION`, or `AGENT`) names the agent
///   by the value's part before the `:` (or `/`), lowercased. Keys compare ignoring ASCII case.
/// - `subject`: a subject that starts with `form`, exactly.
/// - `note`: the `agent_id.tool` of a session in a git-ai authorship note (`refs/notes/ai`),
///   compared ignoring case; `AGENT` is any other tool, which names itself (lowercased).
public struct Marker: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A coding agent: its commits are judged under `applies_to: agents`.
        case agent
        /// A dependency or release bot: judged only under `applies_to: agents+bots` (or `all`).
        case bot
    }

    public enum Place: String, Sendable, Hashable, Codable, CaseIterable {
        case identity, trailer, subject, note

        /// For people: where in a commit the form is looked for.
        public var description: String {
            switch self {
            case .identity: "author, committer or Co-authored-by"
            case .trailer: "trailer"
            case .subject: "subject"
            case .note: "refs/notes/ai (git-ai)"
            }
        }
    }

    public var kind: Kind
    /// The agent or bot it names: `claude-code`, `dependabot`; `AGENT` when the commit's own
    /// text names it (`Assisted-by: AGENT:MODEL`).
    public var name: String
    public var place: Place
    public var form: String
    /// What it is, where that helps: `Bugbot`, `GitHub app, id unverified`.
    public var detail: String?

    /// In JSON, `place` is `where`.
    private enum CodingKeys: String, CodingKey {
        case kind, name, place = "where", form, detail
    }

    public init(_ kind: Kind, _ name: String, _ place: Place, _ form: String, detail: String? = nil) {
        self.kind = kind
        self.name = name
        self.place = place
        self.form = form
        self.detail = detail
    }

    /// The name of a row whose agent the commit's text names.
    public static let namedByValue = "AGENT"
}

/// The identities, trailers, subjects and note tools that real agents and bots leave, as seen
/// in public histories (Tests/Fixtures holds commits that show them), one row per marker.
public enum BuiltinAgents {
    private static func agent(_ name: String, _ place: Marker.Place, _ form: String, _ detail: String? = nil) -> Marker {
        Marker(.agent, name, place, form, detail: detail)
    }

    private static func bot(_ name: String, _ place: Marker.Place, _ form: String, _ detail: String? = nil) -> Marker {
        Marker(.bot, name, place, form, detail: detail)
    }

    /// A GitHub app's bot account: its login, and its noreply address with the account's id.
    private static func app(_ kind: Marker.Kind, _ name: String, _ login: String, id: Int?, _ detail: String? = nil) -> [Marker] {
        var rows = [Marker(kind, name, .identity, login, detail: detail)]
        if let id {
            rows.append(Marker(kind, name, .identity, "<\(id)+\(login)@users.noreply.github.com>", detail: detail))
        }
        return rows
    }

    /// The table, agents first, each agent's rows together. The order is the order markers are
    /// listed in and tried in: when one identity matches two rows, the first names the agent.
    public static let markers: [Marker] = agents + bots

    static let agents: [Marker] =
        // Anthropic: Claude Code's co-author line, Claude's GitHub apps, Claude Code's session trailer.
        [agent("claude-code", .identity, "<noreply@anthropic.com>")]
        + app(.agent, "claude-code", "claude[bot]", id: 209825114, "Claude GitHub app")
        + app(.agent, "claude-code", "claude-code-action[bot]", id: 208546643, "Claude Code GitHub Action")
        + [agent("claude-code", .trailer, "Claude-Session:")]
        // GitHub Copilot: the coding agent, its co-author ids, its session trailer; Autofix.
        + [
            agent("copilot", .identity, "copilot-swe-agent[bot]", "Copilot coding agent"),
            agent("copilot", .identity, "<198982749+Copilot@users.noreply.github.com>"),
            agent("copilot", .identity, "<175728472+Copilot@users.noreply.github.com>"),
            agent("copilot", .identity, "<223556219+Copilot@users.noreply.github.com>"),
            agent("copilot", .identity, "<copilot@github.com>"),
            agent("copilot", .trailer, "Copilot-Session:"),
        ]
        + app(.agent, "copilot-autofix", "github-advanced-security[bot]", id: 62310815, "Copilot Autofix powered by AI")
        // OpenAI Codex: its addresses and its GitHub apps.
        + [agent("codex", .identity, "<noreply@openai.com>"), agent("codex", .identity, "<codex@openai.com>")]
        + app(.agent, "codex", "chatgpt-codex-connector[bot]", id: 199175422, "Codex cloud")
        + app(.agent, "codex", "openai-codex[bot]", id: 215057067)
        // Cursor: the background agent, its trailer, Bugbot's fixes.
        + [agent("cursor", .identity, "<cursoragent@cursor.com>", "Cursor Agent"), agent("cursor", .trailer, "Made-with: Cursor")]
        + app(.agent, "cursor", "cursor[bot]", id: 206951365, "Bugbot")
        + app(.agent, "devin", "devin-ai-integration[bot]", id: 158243242)
        + app(.agent, "jules", "google-labs-jules[bot]", id: 161369871)
        + [agent("amp", .identity, "<amp@ampcode.com>"), agent("amp", .trailer, "Amp-Thread-ID:")]
        // Only the agent's address: people at All Hands share the domain.
        + [agent("openhands", .identity, "<openhands@all-hands.dev>")]
        // Roo Code's cloud agent: its address, and its GitHub app under both its logins (one id).
        + [agent("roo-code-cloud", .identity, "<roomote@roocode.com>", "Roo Code")]
        + app(.agent, "roo-code-cloud", "roomote[bot]", id: 219738659)
        + app(.agent, "roo-code-cloud", "roomote-v0[bot]", id: 219738659, "the same app's earlier login")
        // JetBrains Junie: its account's noreply address, and its co-author address.
        + [
            agent("junie", .identity, "<247260674+junie-agent@users.noreply.github.com>", "junie-agent"),
            agent("junie", .identity, "<junie@jetbrains.com>"),
        ]
        + app(.agent, "factory-droid", "factory-droid[bot]", id: 138933559)
        + [agent("factory-droid", .identity, "<droid@factory.ai>", "droid")]
        + [agent("firebender", .identity, "<help@firebender.com>", "Firebender")]
        + [agent("opencode", .identity, "<noreply@opencode.ai>", "opencode")]
        + [agent("warp", .identity, "<agent@warp.dev>", "Warp")]
        + [agent("replit", .trailer, "Replit-Commit-Author: Agent"), agent("replit", .trailer, "Replit-Commit-Author: Assistant")]
        + [agent("entire", .trailer, "Entire-Agent:", "Entire CLI (the value names the agent it recorded)")]
        + app(.agent, "gemini-code-assist", "gemini-code-assist[bot]", id: 176961590)
        // Aider: " (aider)" after the author's and committer's names, its co-author line, and
        // the subject prefix of `--attribute-commit-message`.
        + [
            agent("aider", .identity, "* (aider)"),
            agent("aider", .identity, "aider (*)", "aider (MODEL)"),
            agent("aider", .identity, "<aider@aider.chat>"),
            agent("aider", .subject, "aider: "),
        ]
        // Self-declared: the kernel's trailers and agentreview's own.
        + [
            agent(Marker.namedByValue, .trailer, "Assisted-by: AGENT:MODEL", "Linux kernel"),
            agent(Marker.namedByValue, .trailer, "Generated-by: AGENT:MODEL"),
            agent(Marker.namedByValue, .trailer, "Agent: AGENT/VERSION", "agentreview"),
        ]
        // git-ai authorship notes (read with `agents.notes: true`): the tools whose names differ
        // from ours; any other tool names itself.
        + [
            agent("claude-code", .note, "claude"),
            agent("factory-droid", .note, "droid"),
            agent(Marker.namedByValue, .note, Marker.namedByValue),
        ]

    /// Dependency and release bots: recognised as bots, never as agents. Each GitHub app's id
    /// was checked against public commits; `imgbot[bot]`'s was not (public sources disagree), so
    /// it is matched by its login alone.
    static let bots: [Marker] =
        app(.bot, "dependabot", "dependabot[bot]", id: 49699333)
        + app(.bot, "dependabot", "dependabot-preview[bot]", id: 27856297, "Dependabot Preview")
        + app(.bot, "renovate", "renovate[bot]", id: 29139614)
        + [bot("renovate", .identity, "<bot@renovateapp.com>", "self-hosted Renovate's default")]
        + app(.bot, "github-actions", "github-actions[bot]", id: 41898282)
        + [bot("github-actions", .identity, "<github-actions@github.com>")]
        + app(.bot, "pre-commit-ci", "pre-commit-ci[bot]", id: 66853113)
        + app(.bot, "mergify", "mergify[bot]", id: 37929162)
        + app(.bot, "release-please", "release-please[bot]", id: 55107282)
        + app(.bot, "allcontributors", "allcontributors[bot]", id: 46447321)
        + app(.bot, "greenkeeper", "greenkeeper[bot]", id: 23040076)
        + app(.bot, "depfu", "depfu[bot]", id: 23717796)
        + app(.bot, "imgbot", "imgbot[bot]", id: nil, "id unverified: matched by login")
        + [bot("snyk", .identity, "<snyk-bot@snyk.io>", "snyk-bot")]
        + [bot("semantic-release", .identity, "<semantic-release-bot@martynus.net>", "semantic-release-bot")]

    /// The agents the table names (not `AGENT`), in table order, once each.
    public static var names: [String] { distinctNames(of: .agent) }

    /// The bots the table names, in table order, once each.
    public static var botNames: [String] { distinctNames(of: .bot) }

    private static func distinctNames(of kind: Marker.Kind) -> [String] {
        var names = [String]()
        for marker in markers where marker.kind == kind && marker.name != Marker.namedByValue && !names.contains(marker.name) {
            names.append(marker.name)
        }
        return names
    }

    /// The built-in agent an identity belongs to, or nil.
    public static func agent(for identity: Identity) -> String? {
        lookup.identity(identity, lowercasedEmail: identity.email.lowercasedIfNeeded()).lazy.map { markers[$0] }.first { $0.kind == .agent }?.name
    }

    /// The built-in agent a trailer points at, or nil. (`Co-authored-by` is matched by the
    /// identity it names, not here.)
    public static func agent(for trailer: Trailer) -> String? {
        for (index, named) in lookup.trailer(trailer) where markers[index].kind == .agent {
            return named ?? markers[index].name
        }
        return nil
    }

    /// The lookup tables, made from the rows once.
    static let lookup = MarkerLookup(markers)
}

/// Rows by lowercased text (an address, a name), found by the text's length and its first
/// and last bytes before any text is compared: nearly every identity judged matches no row,
/// and hashing it as a `String` key (twice per identity, author and committer) cost about
/// a thousand instructions a lookup, 2.6% of those judging a history.
struct RowsByText: Sendable {
    private var buckets: [UInt64: [(text: String, rows: [Int])]] = [:]

    private static func shape(_ text: String) -> UInt64 {
        let utf8 = text.utf8
        guard let first = utf8.first, let last = utf8.last else { return 0 }
        return UInt64(utf8.count) << 16 | UInt64(first) << 8 | UInt64(last)
    }

    mutating func append(_ row: Int, for text: String) {
        let shape = Self.shape(text)
        if let index = buckets[shape]?.firstIndex(where: { $0.text == text }) {
            buckets[shape]![index].rows.append(row)
        } else {
            buckets[shape, default: []].append((text, [row]))
        }
    }

    subscript(text: String) -> [Int]? {
        buckets[Self.shape(text)]?.first { $0.text == text }?.rows
    }
}

/// Where each row of a marker table is found, by how it is matched: `RowsByText` for exact
/// addresses and names, hash tables for trailer keys and note tools, short lists for name
/// patterns and subject prefixes. Made once; each lookup answers row indices, in table order.
struct MarkerLookup: Sendable {
    /// Lowercased address → rows.
    private var emails = RowsByText()
    /// Lowercased name → rows.
    private var names = RowsByText()
    /// Lowercased name patterns: what comes before and after the `*`.
    private var namePatterns: [(prefix: String, suffix: String, row: Int)] = []
    /// Lowercased trailer key → rules.
    private var trailers: [String: [TrailerRule]] = [:]
    private var subjects: [(String, Int)] = []
    /// Lowercased tool → row; `otherTool` for any other.
    private var tools: [String: Int] = [:]
    private var otherTool: Int?

    enum TrailerRule: Sendable {
        /// The key alone.
        case present(Int)
        /// The value, lowercased.
        case value(String, Int)
        /// The agent is the value's part before the delimiter (nil: all of it).
        case named(Character?, Int)

        var row: Int {
            switch self {
            case .present(let row), .value(_, let row), .named(_, let row): row
            }
        }
    }

    init(_ markers: [Marker]) {
        for (row, marker) in markers.enumerated() {
            switch marker.place {
            case .identity:
                let form = marker.form.lowercased()
                if form.hasPrefix("<") && form.hasSuffix(">") {
                    emails.append(row, for: String(form.dropFirst().dropLast()))
                } else if let star = form.firstIndex(of: "*") {
                    namePatterns.append((String(form[..<star]), String(form[form.index(after: star)...]), row))
                } else {
                    names.append(row, for: form)
                }
            case .trailer:
                let parts = marker.form.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                let key = parts[0].lowercased()
                let value = parts.count > 1 ? String(parts[1]).trimmingWhitespace() : ""
                let rule: TrailerRule
                if value.isEmpty {
                    rule = .present(row)
                } else if value.hasPrefix(Marker.namedByValue) {
                    rule = .named(value.dropFirst(Marker.namedByValue.count).first, row)
                } else {
                    rule = .value(value.lowercased(), row)
                }
                trailers[key, default: []].append(rule)
            case .subject:
                subjects.append((marker.form, row))
            case .note:
                if marker.form == Marker.namedByValue {
                    otherTool = row
                } else {
                    tools[marker.form.lowercased()] = row
                }
            }
        }
    }

    /// The rows an identity matches, in table order.
    /// - Parameter email: `identity.email.lowercased()`.
    func identity(_ identity: Identity, lowercasedEmail email: String) -> [Int] {
        var rows = emails[email] ?? []
        let name = identity.name.lowercasedIfNeeded()
        rows += names[name] ?? []
        for (prefix, suffix, row) in namePatterns
        where name.hasPrefix(prefix) && name.hasSuffix(suffix) && name.utf8.count > prefix.utf8.count + suffix.utf8.count {
            rows.append(row)
        }
        return rows.count > 1 ? rows.sorted() : rows
    }

    /// The rows a trailer matches, in table order, each with the agent its value names (for
    /// rows whose agent the value names: `unknown` when that part is empty).
    func trailer(_ trailer: Trailer) -> [(row: Int, named: String?)] {
        guard let rules = trailers[trailer.key.lowercasedIfNeeded()] else { return [] }
        var found = [(row: Int, named: String?)]()
        for rule in rules {
            switch rule {
            case .present(let row):
                found.append((row, nil))
            case .value(let value, let row) where trailer.value.lowercasedIfNeeded() == value:
                found.append((row, nil))
            case .named(let delimiter, let row):
                found.append((row, Self.agentName(trailer.value, before: delimiter)))
            default:
                continue
            }
        }
        return found
    }

    /// The rows a subject matches.
    func subject(_ subject: String) -> [Int] {
        subjects.filter { subject.hasPrefix($0.0) && subject.utf8.count > $0.0.utf8.count }.map(\.1)
    }

    /// The row a git-ai note's tool matches, with the agent the tool names itself for the row
    /// of any other tool.
    func tool(_ tool: String) -> (row: Int, named: String?)? {
        let lowered = tool.trimmingWhitespace().lowercased()
        if let row = tools[lowered] { return (row, nil) }
        guard let otherTool, !lowered.isEmpty else { return nil }
        return (otherTool, lowered)
    }

    /// The part of a self-declared value before `delimiter` (or all of it), trimmed and
    /// lowercased; `unknown` when that is empty.
    static func agentName(_ value: String, before delimiter: Character?) -> String {
        var head = Substring(value)
        if let delimiter, let end = value.firstIndex(of: delimiter) { head = value[..<end] }
        let name = head.trimmingWhitespace().lowercased()
        return name.isEmpty ? Attributor.unsignedAgent : name
    }
}

extension String {
    /// `lowercased()`, without making a new string when there is nothing to lower: the
    /// identities and trailers of nearly every commit are ASCII and already lowercase.
    func lowercasedIfNeeded() -> String {
        // Over the contiguous bytes (through the UTF-8 view, each byte cost about fifteen
        // instructions: 0.8% of those judging a history).
        var text = self
        let lower = text.withUTF8 { bytes in bytes.allSatisfy { $0 < 0x80 && $0 &- UInt8(ascii: "A") >= 26 } }
        return lower ? text : lowercased()
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and line breaks.
    func trimmingWhitespace() -> String {
        var slice = self[...]
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
