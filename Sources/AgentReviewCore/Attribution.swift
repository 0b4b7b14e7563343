import Foundation

/// A git identity: `Name <email>`.
public struct Identity: Sendable, Hashable, Codable, CustomStringConvertible {
    public var name: String
    public var email: String
    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }
    public var description: String { "\(name) <\(email)>" }

    /// Reads `Name <email>` (or `<email>`, with an empty name) the way git splits an ident:
    /// the email is between the first `<` and the first `>` after it; the name is what comes
    /// before, trimmed. Anything after the `>` is ignored. Nil without a `<…>` pair.
    public static func parse(_ text: String) -> Identity? {
        guard let open = text.firstIndex(of: "<"),
              let close = text[open...].firstIndex(of: ">")
        else { return nil }
        let name = text[..<open].trimmingWhitespace()
        let email = text[text.index(after: open)..<close].trimmingWhitespace()
        return Identity(name: name, email: email)
    }
}

/// One piece of evidence that an agent wrote a commit.
public struct Evidence: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `author`, `committer`, `trailer` or `signature`.
    public var source: String
    /// What matched, as written: `Claude <noreply@anthropic.com>`, `Made-with: Cursor`.
    public var value: String
    /// The agent it points at: `claude-code`, `copilot`, … or the policy's entry.
    public var agent: String
    public init(source: String, value: String, agent: String) {
        self.source = source
        self.value = value
        self.agent = agent
    }
    public var description: String { "\(source) \(value)" }

    public static let authorSource = "author"
    public static let committerSource = "committer"
    public static let trailerSource = "trailer"
    public static let signatureSource = "signature"
}

public struct Attribution: Sendable, Hashable, Codable {
    /// The agent, or nil for a human commit.
    public var agent: String?
    public var evidence: [Evidence]
    public init(agent: String?, evidence: [Evidence]) {
        self.agent = agent
        self.evidence = evidence
    }
    public var isAgent: Bool { agent != nil }
}

/// Decides whether a commit is agent-authored, from its author, committer, trailers and
/// (optionally) whether a known human signed it.
///
/// Evidence is gathered in a fixed order — the author, the committer, then each trailer in
/// message order (for `Co-authored-by`, the identity it names; then the trailer's key) — and
/// the commit's agent is the agent of the first piece. Every piece that matched is kept, each
/// (source, value) once.
///
/// What counts, with `builtin` on: the exact identities and trailers of the agents in
/// `BuiltinAgents` (emails compared ignoring case, never a whole domain); the kernel's
/// `Assisted-by:`/`Generated-by: AGENT:MODEL` (agent: `AGENT`, lowercased, or the whole value
/// when there is no `:`); agentreview's own `Agent: tool/version` (agent: `tool`, lowercased).
/// Always: the policy's `identities` (agent: the entry as written) and `trailers` (agent: the
/// trailer key as the policy wrote it, lowercased — a self-declared value never names the
/// agent). With `unsignedIsAgent`, a commit nothing else attributed is attributed to `unknown`,
/// with `signature` evidence saying what its own signature was, unless that signature is a
/// person's (``CommitSignatureCheck/person(principal:fingerprint:)``).
public struct Attributor: Sendable {
    /// The agent name given to commits attributed only for lacking a human signature.
    public static let unsignedAgent = "unknown"

    public let settings: AgentSettings
    private let policyIdentities: [IdentityPattern]
    private let policyTrailerKeys: [String]

    public init(settings: AgentSettings) {
        self.settings = settings
        self.policyIdentities = settings.identities.map(IdentityPattern.init(entry:))
        self.policyTrailerKeys = settings.trailers
    }

    /// - Parameter signature: what the commit's own signature says (see ``CommitSigners``);
    ///   nil when not checked. Only read with `unsignedIsAgent`, when nothing else attributed
    ///   the commit.
    public func attribute(author: Identity, committer: Identity, trailers: [Trailer], signature: CommitSignatureCheck? = nil) -> Attribution {
        var evidence = self.evidence(author: author, committer: committer, trailers: trailers)
        if evidence.isEmpty, settings.unsignedIsAgent, signature?.isPerson != true {
            evidence.append(Evidence(source: Evidence.signatureSource, value: signature?.description ?? Self.notChecked, agent: Self.unsignedAgent))
        }
        return Attribution(agent: evidence.first?.agent, evidence: evidence)
    }

    /// Whether ``attribute(author:committer:trailers:signature:)`` would read the signature:
    /// with `unsignedIsAgent`, when nothing else attributes the commit. Only then is the
    /// signature worth reading and verifying.
    public func needsSignature(author: Identity, committer: Identity, trailers: [Trailer]) -> Bool {
        settings.unsignedIsAgent && evidence(author: author, committer: committer, trailers: trailers).isEmpty
    }

    /// The evidence value when the signature was not checked.
    static let notChecked = "signature not checked"

    /// The evidence from identities and trailers, in order, each (source, value) once.
    private func evidence(author: Identity, committer: Identity, trailers: [Trailer]) -> [Evidence] {
        var evidence: [Evidence] = []
        func add(_ source: String, _ value: String, _ agent: String) {
            if !evidence.contains(where: { $0.source == source && $0.value == value }) {
                evidence.append(Evidence(source: source, value: value, agent: agent))
            }
        }

        for agent in agents(for: author) {
            add(Evidence.authorSource, author.description, agent)
        }
        for agent in agents(for: committer) {
            add(Evidence.committerSource, committer.description, agent)
        }
        for trailer in trailers {
            if trailer.hasKey(Self.coAuthorKey), let identity = Identity.parse(trailer.value) {
                for agent in agents(for: identity) {
                    add(Evidence.trailerSource, trailer.description, agent)
                }
            }
            for agent in agents(for: trailer) {
                add(Evidence.trailerSource, trailer.description, agent)
            }
        }
        return evidence
    }

    /// The agent an identity belongs to (built-in first, then the policy's entries), or nil
    /// for a person.
    public func agent(for identity: Identity) -> String? {
        agents(for: identity).first
    }

    /// The identities named in `Co-authored-by` trailers (key in any case), in order; values
    /// that are not `Name <email>` are skipped.
    public static func coAuthors(_ trailers: [Trailer]) -> [Identity] {
        trailers.filter { $0.hasKey(coAuthorKey) }.compactMap { Identity.parse($0.value) }
    }

    /// The `Co-authored-by` identities that are people: those no agent rule matches.
    public func humanCoAuthors(_ trailers: [Trailer]) -> [Identity] {
        Self.coAuthors(trailers).filter { agent(for: $0) == nil }
    }

    static let coAuthorKey = "Co-authored-by"

    // MARK: Matching

    private func agents(for identity: Identity) -> [String] {
        var result: [String] = []
        let email = identity.email.lowercased()
        if settings.builtin, let agent = BuiltinAgents.agent(for: identity, lowercasedEmail: email) {
            result.append(agent)
        }
        for index in policyIdentities.indices where policyIdentities[index].matches(identity, lowercasedEmail: email) {
            result.append(policyIdentities[index].entry)
        }
        return result
    }

    private func agents(for trailer: Trailer) -> [String] {
        var result: [String] = []
        if settings.builtin, let agent = BuiltinAgents.agent(for: trailer) {
            result.append(agent)
        }
        for key in policyTrailerKeys where trailer.hasKey(key) {
            result.append(key.lowercased())
        }
        return result
    }
}

// MARK: - Commit signatures

/// What a commit's own signature (its `gpgsig` header) says about who made it, for
/// `unsigned_is_agent`: only ``person(principal:fingerprint:)`` clears a commit; every other
/// case is a commit no person signed, and says why in one line (``description``, the
/// evidence value).
public enum CommitSignatureCheck: Sendable, Hashable, CustomStringConvertible {
    /// A valid SSH signature, in namespace `git`, by a key the trusted allowed_signers lists
    /// for `principal`, a person, valid at the commit's date.
    case person(principal: String, fingerprint: String)
    /// No `gpgsig` header.
    case unsigned
    /// A signature that is not SSH (OpenPGP, x509 or unrecognised): not checked, so unsigned.
    case notSSH(CommitSignature.Format)
    /// A signature header over ``Limits/commitSignatureBytes``: not read.
    case tooLarge(bytes: Int)
    /// An SSH signature that cannot be read.
    case unreadable(String)
    /// An SSH signature that does not verify over the commit in namespace `git`.
    case doesNotVerify(String)
    /// A valid signature by a key allowed_signers does not list.
    case unknownKey(fingerprint: String)
    /// A valid signature by a key listed (directly or by a pattern) for one of the policy's `bots`.
    case botKey(fingerprint: String, principal: String)
    /// A valid signature by a person's key that does not count for this commit (revoked,
    /// outside its validity window at the commit's date, not allowed in namespace `git`, a
    /// commit dated in the future).
    case keyNotValid(fingerprint: String, principal: String, reason: String)

    public var isPerson: Bool {
        if case .person = self { return true }
        return false
    }

    public var description: String {
        let text: String
        switch self {
        case .person(let principal, let fingerprint):
            text = "signed by \(principal) (key \(fingerprint))"
        case .unsigned:
            text = "no signature"
        case .notSSH(let format):
            let name =
                switch format {
                case .openpgp: "GPG signature"
                case .x509: "x509 signature"
                case .ssh, .unknown: "unrecognised signature"
                }
            text = "\(name) (not checked: only SSH signatures are verified)"
        case .tooLarge(let bytes):
            text = "signature of \(bytes) bytes, over the limit of \(Limits.commitSignatureBytes) (not read)"
        case .unreadable(let why):
            text = "signature cannot be read: \(why)"
        case .doesNotVerify(let why):
            text = "signature does not verify: \(why)"
        case .unknownKey(let fingerprint):
            text = "signed by an unknown key \(fingerprint)"
        case .botKey(let fingerprint, let principal):
            text = "signed by a bot key \(fingerprint) (principal \(principal))"
        case .keyNotValid(let fingerprint, let principal, let reason):
            text = "signed by \(principal) with key \(fingerprint), which does not count: \(reason)"
        }
        // One line, whatever a reason or a principal holds.
        return String(text.map { $0.isNewline ? " " : $0 })
    }
}

/// Who may sign commits as a person, for `unsigned_is_agent`: the trusted allowed_signers,
/// in namespace `git`, less revoked keys and keys listed for a bot. A commit's signature is
/// checked as git's own `verify-commit` checks it (the key's principals from allowed_signers,
/// the line valid at the committer date), and as approval records are: revoked keys never
/// count, nor a date more than ``AllowedSigners/allowedClockSkew`` after `now`. A key listed
/// (directly or by a pattern) for any of the policy's `bots` is a bot's, even when it is
/// also listed for a person. Pure and immutable: safe to use from any thread.
public struct CommitSigners: Sendable {
    public let signers: AllowedSigners
    public let revoked: RevokedKeys
    /// Lowercased.
    public let bots: [String]
    public let now: Date

    public init(signers: AllowedSigners, revoked: RevokedKeys = .none, bots: [String] = [], now: Date) {
        self.signers = signers
        self.revoked = revoked
        self.bots = bots.map { $0.lowercased() }
        self.now = now
    }

    /// What a commit's signature says about who made it.
    /// - Parameter committed: the commit's committer date, the date the signature is checked at.
    public func check(_ extraction: CommitSignature.Extraction, committed: Date) -> CommitSignatureCheck {
        switch extraction {
        case .unsigned: return .unsigned
        case .tooLarge(let bytes): return .tooLarge(bytes: bytes)
        case .signed(let signature): return check(signature, committed: committed)
        }
    }

    public func check(_ commitSignature: CommitSignature, committed: Date) -> CommitSignatureCheck {
        let format = commitSignature.format
        guard format == .ssh else { return .notSSH(format) }
        guard let text = String(validating: commitSignature.signature, as: UTF8.self) else {
            return .unreadable("it is not UTF-8 text")
        }
        let signature: SSHSignature
        do {
            signature = try SSHSignature.parse(armored: text)
        } catch {
            return .unreadable(error.description)
        }
        let key = signature.publicKey
        let fingerprint = key.fingerprint
        do {
            try signature.verify(message: commitSignature.payload, namespace: SSHSignature.gitNamespace)
        } catch .namespaceMismatch(_, let found) {
            return .doesNotVerify("it was made for namespace \"\(found)\", not \"\(SSHSignature.gitNamespace)\" (key \(fingerprint))")
        } catch .invalidSignature {
            return .doesNotVerify("the commit or its signature was changed after signing (key \(fingerprint))")
        } catch {
            return .doesNotVerify(error.description)
        }
        let listings = signers.listings(of: key)
        for list in listings {
            if let bot = bots.first(where: { OpenSSHPattern.mayList(list, $0) }) {
                return .botKey(fingerprint: fingerprint, principal: bot)
            }
        }
        var principals = [String]()
        for list in listings {
            for name in list.split(separator: ",") where !name.hasPrefix("!") && !principals.contains(String(name)) {
                principals.append(String(name))
            }
        }
        guard let first = principals.first else { return .unknownKey(fingerprint: fingerprint) }
        var refusal: SignerRefusal?
        for principal in principals {
            switch signers.verify(
                principal: principal, key: key, namespace: SSHSignature.gitNamespace, at: committed, now: now, revoked: revoked)
            {
            case .success(let match):
                return .person(principal: match.principal, fingerprint: fingerprint)
            case .failure(let why):
                if refusal == nil { refusal = why }
            }
        }
        return .keyNotValid(fingerprint: fingerprint, principal: first, reason: refusal?.description ?? "no line of \(signers.source) allows it")
    }
}

/// The identities and trailers real agents leave, as seen in public histories.
public enum BuiltinAgents {
    struct IdentityRule {
        var agent: String
        /// Exact names, compared ignoring case (GitHub logins are case-insensitive).
        var names: [String] = []
        /// Exact addresses, compared ignoring case.
        var emails: [String] = []
    }

    static let identityRules: [IdentityRule] = [
        IdentityRule(
            agent: "claude-code",
            names: ["claude[bot]"],
            emails: ["noreply@anthropic.com", "209825114+claude[bot]@users.noreply.github.com"]
        ),
        IdentityRule(
            agent: "copilot",
            names: ["copilot-swe-agent[bot]"],
            emails: [
                "198982749+Copilot@users.noreply.github.com",
                "175728472+Copilot@users.noreply.github.com",
                "copilot@github.com",
            ]
        ),
        IdentityRule(agent: "codex", emails: ["noreply@openai.com", "codex@openai.com"]),
        IdentityRule(agent: "cursor", emails: ["cursoragent@cursor.com"]),
        IdentityRule(
            agent: "devin",
            names: ["devin-ai-integration[bot]"],
            emails: ["158243242+devin-ai-integration[bot]@users.noreply.github.com"]
        ),
        IdentityRule(
            agent: "jules",
            names: ["google-labs-jules[bot]"],
            emails: ["161369871+google-labs-jules[bot]@users.noreply.github.com"]
        ),
        IdentityRule(agent: "amp", emails: ["amp@ampcode.com"]),
        // Only the agent's address: people at All Hands share the domain.
        IdentityRule(agent: "openhands", emails: ["openhands@all-hands.dev"]),
    ]

    /// The agents the built-in rules know, in no particular order of priority.
    public static let names: [String] =
        identityRules.map(\.agent) + ["aider"]

    /// `identityRules` with names and emails lowercased, made once.
    private static let lowercasedRules: [IdentityRule] = identityRules.map { rule in
        IdentityRule(agent: rule.agent, names: rule.names.map { $0.lowercased() }, emails: rule.emails.map { $0.lowercased() })
    }

    /// The built-in agent an identity belongs to, or nil.
    public static func agent(for identity: Identity) -> String? {
        agent(for: identity, lowercasedEmail: identity.email.lowercased())
    }

    static func agent(for identity: Identity, lowercasedEmail email: String) -> String? {
        let name = identity.name.lowercased()
        for rule in lowercasedRules {
            if rule.names.contains(name) || rule.emails.contains(email) {
                return rule.agent
            }
        }
        // Aider appends " (aider)" to the author and committer names and co-authors as
        // "aider (MODEL)".
        if identity.name.hasSuffix(" (aider)") || (identity.name.hasPrefix("aider (") && identity.name.hasSuffix(")")) {
            return "aider"
        }
        return nil
    }

    /// The built-in agent a trailer points at, or nil. (`Co-authored-by` is matched by the
    /// identity it names, not here.)
    public static func agent(for trailer: Trailer) -> String? {
        let key = trailer.key.lowercased()
        switch key {
        case "claude-session":
            return "claude-code"
        case "amp-thread-id":
            return "amp"
        case "made-with" where trailer.value.lowercased() == "cursor":
            return "cursor"
        case "assisted-by", "generated-by":
            return agentName(trailer.value, before: ":")
        case "agent":
            return agentName(trailer.value, before: "/")
        default:
            return nil
        }
    }

    /// The part of a self-declared value before `delimiter` (or all of it), trimmed and
    /// lowercased; `unknown` when that is empty.
    static func agentName(_ value: String, before delimiter: Character) -> String {
        let head = value.split(separator: delimiter, maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let name = head.trimmingWhitespace().lowercased()
        return name.isEmpty ? Attributor.unsignedAgent : name
    }
}

// MARK: - Policy identities

/// A policy `identities` entry: `Name <email>`, `<email>`, a bare email, or (no `@`) a bare
/// name. Each part is an fnmatch-style glob (`*`, `?`, `[…]`, `\` escapes, no pathname
/// rules) and also matches itself literally, so `renovate[bot]` means that bot. Emails are
/// compared ignoring case; names exactly.
fileprivate struct IdentityPattern: Sendable {
    var entry: String
    var name: String?
    /// Lowercased.
    var email: String?
    /// Without `*`, `?`, `[` or `\` a glob matches exactly itself, which `==` already checks.
    var nameIsGlob = false
    var emailIsGlob = false

    init(entry: String) {
        self.entry = entry
        let trimmed = entry.trimmingWhitespace()
        if let identity = Identity.parse(trimmed) {
            name = identity.name.isEmpty ? nil : identity.name
            email = identity.email.lowercased()
        } else if trimmed.contains("@") {
            email = trimmed.lowercased()
        } else {
            name = trimmed
        }
        nameIsGlob = name.map(IdentityGlob.hasSpecials) ?? false
        emailIsGlob = email.map(IdentityGlob.hasSpecials) ?? false
    }

    /// - Parameter lowercasedEmail: `identity.email.lowercased()`.
    func matches(_ identity: Identity, lowercasedEmail address: String) -> Bool {
        if let name, !(name == identity.name || (nameIsGlob && IdentityGlob.matches(name, identity.name))) {
            return false
        }
        if let email, !(email == address || (emailIsGlob && IdentityGlob.matches(email, address))) {
            return false
        }
        return name != nil || email != nil
    }
}

/// fnmatch(3) without `FNM_PATHNAME` or `FNM_PERIOD`: `*` matches any run of characters
/// (including `/`), `?` any one, `[…]` a set (`!` or `^` negates, `a-z` ranges), `\` quotes
/// the next character. A malformed set (no closing `]`) matches a literal `[`.
fileprivate enum IdentityGlob {
    /// Whether `pattern` holds a byte that is not matched literally.
    static func hasSpecials(_ pattern: String) -> Bool {
        pattern.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "\\") }
    }

    static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.unicodeScalars)
        let t = Array(text.unicodeScalars)
        var pi = 0
        var ti = 0
        // The last `*` seen and the text position it is currently standing for; `*` matches
        // anything, so backtracking to the last one is enough (linear-time in practice).
        var starPattern: Int?
        var starText = 0
        while ti < t.count {
            if pi < p.count {
                switch p[pi] {
                case "*":
                    starPattern = pi
                    starText = ti
                    pi += 1
                    continue
                case "?":
                    pi += 1
                    ti += 1
                    continue
                case "[":
                    if let (matched, next) = matchSet(p, from: pi, t[ti]) {
                        if matched {
                            pi = next
                            ti += 1
                            continue
                        }
                    } else if t[ti] == "[" {
                        pi += 1
                        ti += 1
                        continue
                    }
                case "\\" where pi + 1 < p.count:
                    if p[pi + 1] == t[ti] {
                        pi += 2
                        ti += 1
                        continue
                    }
                default:
                    if p[pi] == t[ti] {
                        pi += 1
                        ti += 1
                        continue
                    }
                }
            }
            guard let star = starPattern else { return false }
            pi = star + 1
            starText += 1
            ti = starText
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Matches `c` against the set starting at `p[start] == "["`: whether it matched and the
    /// index after the set, or nil when the set is not closed.
    private static func matchSet(_ p: [Unicode.Scalar], from start: Int, _ c: Unicode.Scalar) -> (Bool, Int)? {
        var i = start + 1
        var negated = false
        if i < p.count, p[i] == "!" || p[i] == "^" {
            negated = true
            i += 1
        }
        var matched = false
        var first = true
        while i < p.count {
            if p[i] == "]" && !first {
                return (matched != negated, i + 1)
            }
            first = false
            var low = p[i]
            if low == "\\", i + 1 < p.count {
                i += 1
                low = p[i]
            }
            i += 1
            var high = low
            if i + 1 < p.count, p[i] == "-", p[i + 1] != "]" {
                high = p[i + 1]
                if high == "\\", i + 2 < p.count {
                    i += 1
                    high = p[i + 1]
                }
                i += 2
            }
            if low <= c && c <= high { matched = true }
        }
        return nil
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and line breaks.
    fileprivate func trimmingWhitespace() -> String {
        var slice = self[...]
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
