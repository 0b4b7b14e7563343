#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A git identity: `Name <email>`.
public struct Identity: Sendable, Hashable, Codable, CustomStringConvertible {
    public var name: String
    public var email: String
    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }
    public var description: String { String(joining: name, " <", email, ">") }

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

/// One piece of evidence that an agent (or a bot) wrote a commit.
///
/// In JSON: `source`, `value`, and `agent` for an agent's evidence or `bot` for a bot's.
public struct Evidence: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `author`, `committer`, `trailer`, `subject`, `note` or `signature`.
    public var source: String
    /// What matched, as written: `Claude <noreply@anthropic.com>`, `Made-with: Cursor`.
    public var value: String
    /// The agent it points at: `claude-code`, `copilot`, … or the policy's entry; nil for a bot's.
    public var agent: String?
    /// The bot it points at: `dependabot`, …; nil for an agent's.
    public var bot: String?

    /// In key order, as JSON has them (see `StreamingJSONEncoder`).
    private enum CodingKeys: String, CodingKey {
        case agent, bot, source, value
    }

    public init(source: String, value: String, agent: String) {
        self.source = source
        self.value = value
        self.agent = agent
    }

    public init(source: String, value: String, bot: String) {
        self.source = source
        self.value = value
        self.bot = bot
    }

    public var description: String { String(joining: source, " ", value) }

    public static let authorSource = "author"
    public static let committerSource = "committer"
    public static let trailerSource = "trailer"
    public static let subjectSource = "subject"
    public static let noteSource = "note"
    public static let signatureSource = "signature"
}

/// Who wrote a commit: an agent, else a bot, else a person.
public struct Attribution: Sendable, Hashable, Codable {
    /// The agent, or nil when no agent wrote the commit.
    public var agent: String?
    /// The dependency or release bot, when no agent wrote the commit and a bot did; else nil.
    public var bot: String?
    /// The agent's evidence, or (for a bot's commit) the bot's.
    public var evidence: [Evidence]

    public init(agent: String?, bot: String? = nil, evidence: [Evidence]) {
        self.agent = agent
        self.bot = agent == nil ? bot : nil
        self.evidence = evidence
    }

    public var isAgent: Bool { agent != nil }
    public var isBot: Bool { bot != nil }
}

/// Every marker attribution checked on one commit, and what matched: what `explain` shows.
public struct AttributionExplanation: Sendable, Hashable, Codable {
    /// One marker checked, with what in the commit matched it (empty: not found).
    public struct Check: Sendable, Hashable, Codable, CustomStringConvertible {
        public var kind: Marker.Kind
        public var name: String
        public var place: Marker.Place
        public var form: String
        /// `built-in` or `policy`.
        public var origin: String
        /// What matched, as evidence reads: `author dependabot[bot] <…>`.
        public var matched: [String]

        /// In JSON, `place` is `where`.
        private enum CodingKeys: String, CodingKey {
            case kind, name, place = "where", form, origin, matched
        }

        public var description: String {
            "\(kind == .bot ? "bot:" : "")\(name) \(place.rawValue) \(form)" + (matched.isEmpty ? "" : " (matched: \(matched.joined(separator: "; ")))")
        }
    }

    /// Every marker, in the order they are tried: the built-in table (unless `builtin` is off),
    /// then the policy's identities and trailers.
    public var checks: [Check]
    /// What `refs/notes/ai` says about the commit, or why it was not read.
    public var note: String
    /// With `unsigned_is_agent`: what the commit's own signature says, or why it was not needed.
    public var signature: String?

    public var matched: [Check] { checks.filter { !$0.matched.isEmpty } }
}

/// Decides whether a commit is agent-authored (or a bot's), from its author, committer,
/// trailers, subject, git-ai note and (optionally) whether a known human signed it.
///
/// Evidence is gathered in a fixed order — the author, the committer, then each trailer in
/// message order (for `Co-authored-by`, the identity it names; then the trailer's key), the
/// subject, then the git-ai note's AI sessions — and the commit's agent is the agent of the
/// first piece. Every piece that matched is kept, each (source, value) once. A commit with no
/// agent evidence but a bot's (a dependency or release bot of the built-in table) is that
/// bot's: a bot marker never clears a commit an agent marker names.
///
/// What counts, with `builtin` on: the rows of ``BuiltinAgents/markers`` (exact identities,
/// never a whole domain; trailers; the subject prefix; note tools). Always: the policy's
/// `identities` (agent: the entry as written) and `trailers` (agent: the trailer key as the
/// policy wrote it, lowercased — a self-declared value never names the agent). With `notes`,
/// the commit's git-ai note (``AuthorshipNote``): each AI tool and model it attributes lines
/// to is evidence; a note that does not parse counts for nothing. With `unsignedIsAgent`, a
/// commit no agent marker attributed is attributed to `unknown`, with `signature` evidence
/// saying what its own signature was, unless that signature is a person's
/// (``CommitSignatureCheck/person(principal:fingerprint:)``).
///
/// The table's lookups are made once (``BuiltinAgents``); an attributor is immutable and safe
/// to share between threads.
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

    /// - Parameters:
    ///   - subject: the commit's subject (its first line), for subject markers.
    ///   - note: the commit's git-ai note as read; nil when not read.
    ///   - signature: what the commit's own signature says (see ``CommitSigners``); nil when
    ///     not checked. Only read with `unsignedIsAgent`, when no agent marker attributed the commit.
    public func attribute(
        author: Identity, committer: Identity, trailers: [Trailer], subject: String = "", note: AuthorshipNote.Reading? = nil,
        signature: CommitSignatureCheck? = nil
    ) -> Attribution {
        let findings = self.findings(author: author, committer: committer, trailers: trailers, subject: subject, note: note)
        var evidence = Self.evidence(findings, of: .agent)
        if evidence.isEmpty, settings.unsignedIsAgent, signature?.isPerson != true {
            evidence.append(Evidence(source: Evidence.signatureSource, value: signature?.description ?? Self.notChecked, agent: Self.unsignedAgent))
        }
        if let agent = evidence.first?.agent {
            return Attribution(agent: agent, evidence: evidence)
        }
        let bots = Self.evidence(findings, of: .bot)
        return Attribution(agent: nil, bot: bots.first?.bot, evidence: bots)
    }

    /// The attribution of a commit from its facts.
    public func attribute(_ commit: CommitFacts) -> Attribution {
        attribute(
            author: commit.author, committer: commit.committer, trailers: commit.trailers, subject: commit.subject,
            note: commit.authorshipNote, signature: commit.signature)
    }

    /// Whether ``attribute(author:committer:trailers:subject:note:signature:)`` would read the
    /// signature: with `unsignedIsAgent`, when no agent marker attributes the commit. Only then
    /// is the signature worth reading and verifying.
    public func needsSignature(
        author: Identity, committer: Identity, trailers: [Trailer], subject: String = "", note: AuthorshipNote.Reading? = nil
    ) -> Bool {
        settings.unsignedIsAgent
            && !findings(author: author, committer: committer, trailers: trailers, subject: subject, note: note).contains { $0.kind == .agent }
    }

    /// Every marker checked on a commit and what matched each: the built-in table's rows (when
    /// `builtin` is on), then the policy's identities and trailers; and what the note and the
    /// signature said.
    public func explain(_ commit: CommitFacts) -> AttributionExplanation {
        let findings = self.findings(
            author: commit.author, committer: commit.committer, trailers: commit.trailers, subject: commit.subject,
            note: commit.authorshipNote)
        var checks = [AttributionExplanation.Check]()
        if settings.builtin {
            checks = BuiltinAgents.markers.map {
                AttributionExplanation.Check(kind: $0.kind, name: $0.name, place: $0.place, form: $0.form, origin: "built-in", matched: [])
            }
        }
        let identitiesStart = checks.count
        for pattern in policyIdentities {
            checks.append(.init(kind: .agent, name: pattern.entry, place: .identity, form: pattern.entry, origin: "policy", matched: []))
        }
        let trailersStart = checks.count
        for key in policyTrailerKeys {
            checks.append(.init(kind: .agent, name: key.lowercased(), place: .trailer, form: "\(key):", origin: "policy", matched: []))
        }
        for finding in findings {
            let index: Int? =
                switch finding.marker {
                case .builtin(let row): settings.builtin ? row : nil
                case .policyIdentity(let entry): identitiesStart + entry
                case .policyTrailer(let key): trailersStart + key
                case .noteTool: nil
                }
            let text = "\(finding.source) \(finding.value)"
            if let index, !checks[index].matched.contains(text) { checks[index].matched.append(text) }
        }
        let note: String
        if !settings.notes {
            note = "\(AuthorshipNote.ref) not read: agents.notes is off"
        } else {
            note = commit.authorshipNote?.description ?? "\(AuthorshipNote.ref) not read"
        }
        var signature: String?
        if settings.unsignedIsAgent {
            if findings.contains(where: { $0.kind == .agent }) {
                signature = "not needed: an agent marker attributes the commit"
            } else {
                signature = commit.signature?.description ?? Self.notChecked
            }
        }
        return AttributionExplanation(checks: checks, note: note, signature: signature)
    }

    /// The evidence value when the signature was not checked.
    static let notChecked = "signature not checked"

    /// Which marker a finding matched.
    private enum MarkerReference {
        /// A row of ``BuiltinAgents/markers``.
        case builtin(Int)
        /// The policy's `identities[i]`.
        case policyIdentity(Int)
        /// The policy's `trailers[i]`.
        case policyTrailer(Int)
        /// A note's tool, with the built-in table off.
        case noteTool
    }

    private struct Finding {
        var source: String
        var value: String
        var name: String
        var kind: Marker.Kind
        var marker: MarkerReference
    }

    /// Every marker found, in order: the author, the committer, each trailer, the subject, the note.
    private func findings(author: Identity, committer: Identity, trailers: [Trailer], subject: String, note: AuthorshipNote.Reading?) -> [Finding] {
        var findings = [Finding]()
        let markers = BuiltinAgents.markers
        let lookup = BuiltinAgents.lookup
        // Values are written out only for what is found: most identities and trailers are none.
        func identity(_ identity: Identity, source: String, value: () -> String) {
            let email = identity.email.lowercasedIfNeeded()
            var written: String?
            func found(_ name: String, _ kind: Marker.Kind, _ marker: MarkerReference) {
                if written == nil { written = value() }
                findings.append(Finding(source: source, value: written!, name: name, kind: kind, marker: marker))
            }
            if settings.builtin {
                for row in lookup.identity(identity, lowercasedEmail: email) {
                    found(markers[row].name, markers[row].kind, .builtin(row))
                }
            }
            for index in policyIdentities.indices where policyIdentities[index].matches(identity, lowercasedEmail: email) {
                found(policyIdentities[index].entry, .agent, .policyIdentity(index))
            }
        }
        identity(author, source: Evidence.authorSource) { author.description }
        identity(committer, source: Evidence.committerSource) { committer.description }
        for trailer in trailers {
            if trailer.hasKey(Self.coAuthorKey), let named = Identity.parse(trailer.value) {
                identity(named, source: Evidence.trailerSource) { trailer.description }
            }
            if settings.builtin {
                for (row, named) in lookup.trailer(trailer) {
                    findings.append(Finding(source: Evidence.trailerSource, value: trailer.description, name: named ?? markers[row].name, kind: markers[row].kind, marker: .builtin(row)))
                }
            }
            for index in policyTrailerKeys.indices where trailer.hasKey(policyTrailerKeys[index]) {
                findings.append(Finding(source: Evidence.trailerSource, value: trailer.description, name: policyTrailerKeys[index].lowercased(), kind: .agent, marker: .policyTrailer(index)))
            }
        }
        if settings.builtin {
            for row in lookup.subject(subject) {
                findings.append(Finding(source: Evidence.subjectSource, value: subject, name: markers[row].name, kind: markers[row].kind, marker: .builtin(row)))
            }
        }
        // A note counts only when the policy reads notes, whoever passed it in.
        if settings.notes, case .read(let read) = note {
            for contribution in read.contributions {
                let value = "\(AuthorshipNote.ref): \(contribution)"
                if settings.builtin, let (row, named) = lookup.tool(contribution.tool) {
                    findings.append(Finding(source: Evidence.noteSource, value: value, name: named ?? markers[row].name, kind: markers[row].kind, marker: .builtin(row)))
                } else {
                    let name = MarkerLookup.agentName(contribution.tool, before: nil)
                    findings.append(Finding(source: Evidence.noteSource, value: value, name: name, kind: .agent, marker: .noteTool))
                }
            }
        }
        return findings
    }

    /// The findings of one kind as evidence, in order, each (source, value) once.
    private static func evidence(_ findings: [Finding], of kind: Marker.Kind) -> [Evidence] {
        var evidence = [Evidence]()
        for finding in findings where finding.kind == kind {
            if evidence.contains(where: { $0.source == finding.source && $0.value == finding.value }) { continue }
            evidence.append(
                kind == .agent
                    ? Evidence(source: finding.source, value: finding.value, agent: finding.name)
                    : Evidence(source: finding.source, value: finding.value, bot: finding.name))
        }
        return evidence
    }

    /// The agent an identity belongs to (built-in first, then the policy's entries), or nil
    /// for a person (or a bot).
    public func agent(for identity: Identity) -> String? {
        let email = identity.email.lowercasedIfNeeded()
        if settings.builtin {
            for row in BuiltinAgents.lookup.identity(identity, lowercasedEmail: email) where BuiltinAgents.markers[row].kind == .agent {
                return BuiltinAgents.markers[row].name
            }
        }
        return policyIdentities.first { $0.matches(identity, lowercasedEmail: email) }?.entry
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
