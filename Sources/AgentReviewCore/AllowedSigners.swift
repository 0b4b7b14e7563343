#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An OpenSSH allowed_signers file (ssh-keygen(1), "ALLOWED SIGNERS"): who may sign, with
/// which key, in which namespaces, and when.
///
/// Each line is `PRINCIPALS [OPTIONS] KEYTYPE BASE64 [COMMENT]`; `#` starts a comment
/// line. Principals are a comma-separated OpenSSH pattern list (`*`, `?`, `!` negation);
/// they may be quoted. Options: `namespaces="PATTERN-LIST"`, `valid-after="TIME"`,
/// `valid-before="TIME"`, `cert-authority` (option names are case-insensitive).
///
/// Differences from ssh-keygen, on purpose:
/// - A malformed line is reported (``diagnostics``, with its line number) and never
///   matches, but reading goes on; ssh-keygen stops at the first malformed line whose
///   principals match.
/// - `TIME` is `YYYYMMDD[HHMM[SS]]` with an optional `Z` or `UTC` suffix, and is always
///   read as UTC: ssh-keygen reads a time without a suffix in its local time zone, which is
///   UTC on servers that leave `TZ` unset. Write the `Z` to mean the same everywhere.
///   Impossible dates (February 30) are malformed rather than normalised.
/// - `cert-authority` lines are read but never match: certificates are not supported, and
///   the line is reported in ``diagnostics``.
/// - Keys agentreview cannot verify (security keys, DSA, RSA under 2048 bits) make their
///   line malformed.
public struct AllowedSigners: Sendable {
    /// One usable line.
    public struct Entry: Sendable, Hashable {
        /// 1-based line number.
        public var line: Int
        /// The principals pattern list, as written (unquoted).
        public var principals: String
        public var key: SSHPublicKey
        /// The `namespaces=` pattern list, if any.
        public var namespaces: String?
        public var validAfter: Date?
        public var validBefore: Date?
        public var isCertificateAuthority: Bool

        /// Whether the line lists `principal` (OpenSSH `match_pattern_list`: a matching
        /// negated pattern wins over any positive one).
        public func lists(principal: String) -> Bool {
            OpenSSHPattern.matchList(principal, principals) == 1
        }

        /// Whether the line's `namespaces=` option (if any) admits `namespace`.
        public func allows(namespace: String) -> Bool {
            guard let namespaces else { return true }
            return OpenSSHPattern.matchList(namespace, namespaces) == 1
        }
    }

    /// Where the file came from, for messages (`.agentreview/allowed_signers`).
    public let source: String
    /// The usable lines, in file order.
    public let entries: [Entry]
    /// Every malformed or unsupported line, in file order. Those lines never match.
    public let diagnostics: [PolicyDiagnostic]

    /// A signature time may be this far ahead of `now` (clock skew); further is refused.
    public static let allowedClockSkew: TimeInterval = 5 * 60

    public init(text: String, source: String = "allowed_signers") {
        self.source = source
        var entries = [Entry]()
        var diagnostics = [PolicyDiagnostic]()
        // Split bytes, not Characters: "\r\n" is one Character and would hide the "\n".
        for (index, line) in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            switch AllowedSignersLine.parse(Array(line), line: number) {
            case .blank:
                continue
            case .entry(let entry):
                entries.append(entry)
                if entry.isCertificateAuthority {
                    diagnostics.append(
                        PolicyDiagnostic(
                            location: SourceLocation(file: source, line: number),
                            message: "cert-authority lines are not supported (agentreview does not verify certificates); this line never matches"
                        ))
                }
            case .malformed(let why):
                diagnostics.append(
                    PolicyDiagnostic(location: SourceLocation(file: source, line: number), message: "\(why); this line is ignored"))
            }
        }
        self.entries = entries
        self.diagnostics = diagnostics
    }

    /// The principals `key` may sign as in `namespace` at `date`, from every line that lists
    /// the key, in file order, without duplicates. Entries are the patterns as written, so a
    /// wildcard principal comes back as its pattern; negated patterns are left out.
    public func principals(for key: SSHPublicKey, namespace: String, at date: Date) -> [String] {
        var found = [String]()
        for entry in entries where !entry.isCertificateAuthority && entry.key == key {
            guard entry.allows(namespace: namespace), entry.isValid(at: date) else { continue }
            for principal in entry.principals.split(separator: ",") where !principal.hasPrefix("!") {
                let name = String(principal)
                if !found.contains(name) { found.append(name) }
            }
        }
        return found
    }

    /// The principal lists (as written, patterns and negations included) of every line that
    /// lists `key`, in file order, without duplicates: whatever the line's namespaces,
    /// validity window or `cert-authority`. Who a key could be, for the rules that exclude
    /// people (the commit's own, bots): a key belongs to everyone it is listed for.
    public func listings(of key: SSHPublicKey) -> [String] {
        var found = [String]()
        for entry in entries where entry.key == key && !found.contains(entry.principals) {
            found.append(entry.principals)
        }
        return found
    }

    /// The principals listed by name (not by pattern) for signatures in `namespace`,
    /// lowercased, each once, sorted: the people a report can name as able to sign.
    public func listedPrincipals(for namespace: String) -> [String] {
        var names = Set<String>()
        for entry in entries where !entry.isCertificateAuthority && entry.allows(namespace: namespace) {
            for principal in entry.principals.split(separator: ",") where !principal.contains(where: { "*?!".contains($0) }) {
                names.insert(principal.lowercased())
            }
        }
        return names.sorted()
    }

    /// Which principals are aliases of one reviewer: the plain principals listed for one key
    /// (on one line or several) are one reviewer, and so are principals chained through
    /// several keys. See ``PrincipalAliases``.
    public var aliases: PrincipalAliases { PrincipalAliases(entries.map { (key: $0.key, principals: $0.principals) }) }

    /// Whether a signature made with `key` in `namespace`, dated `date`, counts as a
    /// signature by `principal`. `now` is the caller's clock: a `date` more than
    /// ``allowedClockSkew`` after it is refused, so a signer cannot post-date a record into
    /// a validity window. Keys in `revoked` never count.
    ///
    /// With `keyValidAt`, the line that allows the key must also be valid (`valid-after`,
    /// `valid-before`) at that time: a server accepting a new record passes the time of the
    /// push, so a key past its `valid-before` cannot add records dated back into its window.
    ///
    /// This checks who the key belongs to, not the signature itself: verify that first with
    /// ``SSHSignature/verify(message:namespace:)``.
    public func verify(
        principal: String, key: SSHPublicKey, namespace: String, at date: Date, now: Date,
        revoked: RevokedKeys = .none, keyValidAt: Date? = nil
    ) -> Result<SignerMatch, SignerRefusal> {
        if revoked.contains(key) {
            return .failure(.revoked(fingerprint: key.fingerprint, source: revoked.source))
        }
        if date.timeIntervalSince(now) > Self.allowedClockSkew {
            return .failure(.dateInFuture(date: date, now: now))
        }
        var firstProblem: SignerRefusal?
        var keyListedAs = [String]()
        var principalLines = [Int]()
        for entry in entries {
            let listsPrincipal = entry.lists(principal: principal)
            let sameKey = entry.key == key
            if listsPrincipal && sameKey {
                let problem: SignerRefusal
                if entry.isCertificateAuthority {
                    problem = .certificateAuthorityUnsupported(source: source, line: entry.line)
                } else if !entry.allows(namespace: namespace) {
                    problem = .namespaceNotAllowed(
                        namespace: namespace, allowed: entry.namespaces ?? "", source: source, line: entry.line)
                } else if let after = entry.validAfter, date < after {
                    problem = .notYetValid(date: date, validAfter: after, source: source, line: entry.line)
                } else if let before = entry.validBefore, date > before {
                    problem = .expired(date: date, validBefore: before, source: source, line: entry.line)
                } else if let keyValidAt, !entry.isValid(at: keyValidAt) {
                    problem = .keyNotValid(
                        at: keyValidAt, validAfter: entry.validAfter, validBefore: entry.validBefore, source: source,
                        line: entry.line)
                } else {
                    return .success(SignerMatch(principal: principal, key: key, source: source, line: entry.line))
                }
                if firstProblem == nil { firstProblem = problem }
            } else if sameKey && !entry.isCertificateAuthority {
                for name in entry.principals.split(separator: ",") where !name.hasPrefix("!") {
                    if !keyListedAs.contains(String(name)) { keyListedAs.append(String(name)) }
                }
            } else if listsPrincipal {
                principalLines.append(entry.line)
            }
        }
        if let firstProblem { return .failure(firstProblem) }
        if !keyListedAs.isEmpty {
            return .failure(
                .principalNotListed(principal: principal, fingerprint: key.fingerprint, listedAs: keyListedAs, source: source))
        }
        if !principalLines.isEmpty {
            return .failure(
                .keyNotListedForPrincipal(
                    principal: principal, fingerprint: key.fingerprint, lines: principalLines, source: source))
        }
        return .failure(
            .keyNotListed(
                principal: principal, fingerprint: key.fingerprint, source: source,
                ignoredLines: diagnostics.map(\.location.line).filter { line in !entries.contains { $0.line == line } }))
    }
}

extension AllowedSigners.Entry {
    func isValid(at date: Date) -> Bool {
        if let validAfter, date < validAfter { return false }
        if let validBefore, date > validBefore { return false }
        return true
    }
}

/// Which principals of an allowed_signers file are one reviewer. A key is one reviewer
/// whatever principals it is listed for: the plain principals (no `*` or `?`, not negated)
/// of every line that lists one key are aliases of each other, and aliases chain through
/// keys (alice's laptop key lists alice@example.com, her security key lists
/// alice@example.com and alice@corp.example: all three keys and both names are alice).
/// A pattern principal (`*@corp.example`) lets its key sign as anyone it matches, but does
/// not make those people one another's aliases. Principals are compared lowercased.
public struct PrincipalAliases: Sendable, Hashable {
    /// Lowercased principal -> its class (index into `classes`), for principals with aliases.
    private var classOf: [String: Int] = [:]
    /// Each class's principals, lowercased, sorted.
    private var classes: [[String]] = []

    /// No aliases: every principal is only itself.
    public static let none = PrincipalAliases()

    private init() {}

    /// From (key, principal list) pairs, as allowed_signers lines give them; a key is anything
    /// that tells keys apart (the key itself, its fingerprint).
    public init<Key: Hashable>(_ lines: [(key: Key, principals: String)]) {
        var parent = [String: String]()
        func root(_ name: String) -> String {
            var current = name
            while let up = parent[current], up != current { current = up }
            var walk = name
            while let up = parent[walk], up != current {
                parent[walk] = current
                walk = up
            }
            return current
        }
        func union(_ a: String, _ b: String) {
            let (ra, rb) = (root(a), root(b))
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        var firstOfKey = [Key: String]()
        for (key, list) in lines {
            for name in OpenSSHPattern.positives(list) where !name.isEmpty && !OpenSSHPattern.isPattern(name) {
                if parent[name] == nil { parent[name] = name }
                if let first = firstOfKey[key] { union(first, name) } else { firstOfKey[key] = name }
            }
        }
        var members = [String: [String]]()
        for name in parent.keys { members[root(name), default: []].append(name) }
        for (_, names) in members.sorted(by: { $0.key < $1.key }) where names.count > 1 {
            for name in names { classOf[name] = classes.count }
            classes.append(names.sorted())
        }
    }

    /// `principal` (lowercased) and its aliases, sorted; just `principal` when it has none.
    public func aliases(of principal: String) -> [String] {
        let name = principal.lowercased()
        guard let index = classOf[name] else { return [name] }
        return classes[index]
    }

    /// Whether two principals are one reviewer.
    public func same(_ a: String, _ b: String) -> Bool {
        let (x, y) = (a.lowercased(), b.lowercased())
        if x == y { return true }
        guard let i = classOf[x], let j = classOf[y] else { return false }
        return i == j
    }
}

/// A signature that counts: `principal` signed with `key`, allowed by line `line` of `source`.
public struct SignerMatch: Sendable, Hashable {
    public var principal: String
    public var key: SSHPublicKey
    public var source: String
    public var line: Int
}

/// Why a key does not count as a principal's signature.
public enum SignerRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The key is in the revocation list.
    case revoked(fingerprint: String, source: String)
    /// The signature claims a date after the caller's clock (plus the allowed skew).
    case dateInFuture(date: Date, now: Date)
    /// No line lists the key at all.
    case keyNotListed(principal: String, fingerprint: String, source: String, ignoredLines: [Int])
    /// The key is listed, but for other principals.
    case principalNotListed(principal: String, fingerprint: String, listedAs: [String], source: String)
    /// The principal is listed, but with other keys.
    case keyNotListedForPrincipal(principal: String, fingerprint: String, lines: [Int], source: String)
    /// The line's `namespaces=` option does not admit the namespace.
    case namespaceNotAllowed(namespace: String, allowed: String, source: String, line: Int)
    /// The signature is dated before the line's `valid-after`.
    case notYetValid(date: Date, validAfter: Date, source: String, line: Int)
    /// The signature is dated after the line's `valid-before`.
    case expired(date: Date, validBefore: Date, source: String, line: Int)
    /// The matching line is a `cert-authority` line, which is not supported.
    case certificateAuthorityUnsupported(source: String, line: Int)
    /// The record's date is inside the line's validity window, but the time the caller asked
    /// about (`keyValidAt`: a server accepting a new record, the time of the push) is not.
    case keyNotValid(at: Date, validAfter: Date?, validBefore: Date?, source: String, line: Int)

    public var description: String {
        switch self {
        case .revoked(let fingerprint, let source):
            return "key \(fingerprint) is revoked (\(source)); its signatures do not count"
        case .dateInFuture(let date, let now):
            return "the signature is dated \(CivilTime.format(date)), after the current time \(CivilTime.format(now)): check the signer's clock"
        case .keyNotListed(let principal, let fingerprint, let source, let ignored):
            let note = ignored.isEmpty
                ? "" : " (lines \(ignored.map(String.init).joined(separator: ", ")) of \(source) could not be read)"
            return "key \(fingerprint) is not in \(source): to let \(principal) sign with it, add a line \"\(principal) KEYTYPE BASE64\" from the signer's .pub file\(note)"
        case .principalNotListed(let principal, let fingerprint, let listedAs, let source):
            return "key \(fingerprint) belongs to \(listedAs.joined(separator: ", ")) in \(source), not to \(principal)"
        case .keyNotListedForPrincipal(let principal, let fingerprint, let lines, let source):
            let where_ = lines.map { "\(source):\($0)" }.joined(separator: ", ")
            return "\(principal) is listed with other keys (\(where_)), not with key \(fingerprint)"
        case .namespaceNotAllowed(let namespace, let allowed, let source, let line):
            return "\(source):\(line) allows this key only in namespaces \"\(allowed)\", not \"\(namespace)\""
        case .notYetValid(let date, let validAfter, let source, let line):
            return "\(source):\(line): the key is not valid until \(CivilTime.format(validAfter)); the signature is dated \(CivilTime.format(date))"
        case .expired(let date, let validBefore, let source, let line):
            return "\(source):\(line): the key expired at \(CivilTime.format(validBefore)); the signature is dated \(CivilTime.format(date))"
        case .certificateAuthorityUnsupported(let source, let line):
            return "\(source):\(line) is a cert-authority line; certificates are not supported: list the signer's own key instead"
        case .keyNotValid(let at, let validAfter, let validBefore, let source, let line):
            if let validBefore, at > validBefore {
                return "\(source):\(line): the key expired at \(CivilTime.format(validBefore)); a record signed with it cannot be added at \(CivilTime.format(at)), whatever its own date"
            }
            let after = validAfter.map(CivilTime.format) ?? "later"
            return "\(source):\(line): the key is not valid until \(after); a record signed with it cannot be added at \(CivilTime.format(at))"
        }
    }
}

/// Public keys whose signatures never count: one key a line (`KEYTYPE BASE64 [COMMENT]`),
/// `#` comment lines and blank lines allowed. OpenSSH binary KRLs are not read.
public struct RevokedKeys: Sendable {
    public let source: String
    public let keys: Set<SSHPublicKey>
    /// Lines that are not keys, in file order.
    public let diagnostics: [PolicyDiagnostic]

    public static let none = RevokedKeys(text: "", source: "revoked keys")

    public init(text: String, source: String = "revoked_keys") {
        self.source = source
        var keys = Set<SSHPublicKey>()
        var diagnostics = [PolicyDiagnostic]()
        for (index, line) in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            var bytes = line.drop(while: { $0 == 0x20 || $0 == 0x09 })
            if bytes.last == 0x0D { bytes = bytes.dropLast() }
            let trimmed = String(decoding: bytes, as: UTF8.self)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            do {
                keys.insert(try SSHPublicKey(authorizedKeysLine: trimmed))
            } catch {
                diagnostics.append(
                    PolicyDiagnostic(location: SourceLocation(file: source, line: index + 1), message: error.description))
            }
        }
        self.keys = keys
        self.diagnostics = diagnostics
    }

    public func contains(_ key: SSHPublicKey) -> Bool { keys.contains(key) }
}

// MARK: - Reading one line

enum AllowedSignersLine {
    enum Outcome {
        case blank
        case entry(AllowedSigners.Entry)
        case malformed(String)
    }

    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let comma = UInt8(ascii: ",")

    static func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == tab || byte == 0x0D || byte == 0x0A }

    static func parse(_ line: [UInt8], line number: Int) -> Outcome {
        var i = 0
        while i < line.count, isBlank(line[i]) { i += 1 }
        if i == line.count || line[i] == UInt8(ascii: "#") { return .blank }

        // Principals: up to the first blank, or a quoted run (OpenSSH strdelimw).
        var principals = [UInt8]()
        var j = i
        while j < line.count, !isBlank(line[j]), line[j] != quote { j += 1 }
        principals += line[i..<j]
        if j < line.count, line[j] == quote {
            guard let close = line[(j + 1)...].firstIndex(of: quote) else {
                return .malformed("the principals have an opening quote but no closing one")
            }
            principals += line[(j + 1)..<close]
            j = close + 1
        }
        while j < line.count, isBlank(line[j]) { j += 1 }
        guard !principals.isEmpty else { return .malformed("no principals before the key") }
        guard j < line.count else { return .malformed("no key after the principals") }

        // Options, unless the next word is a key type.
        var options = Options()
        if !SSHPublicKey.isKeyTypeName(String(decoding: word(line, from: j), as: UTF8.self)) {
            var end = j
            var quoted = false
            while end < line.count, quoted || (line[end] != space && line[end] != tab) {
                if line[end] == backslash, end + 1 < line.count, line[end + 1] == quote {
                    end += 1
                } else if line[end] == quote {
                    quoted.toggle()
                }
                end += 1
            }
            if quoted { return .malformed("an option value has an opening quote but no closing one") }
            switch Options.parse(Array(line[j..<end])) {
            case .success(let parsed): options = parsed
            case .failure(let why): return .malformed(why.message)
            }
            j = end
            while j < line.count, line[j] == space || line[j] == tab { j += 1 }
            guard j < line.count else { return .malformed("no key after the options") }
        }

        let type = word(line, from: j)
        var k = j + type.count
        while k < line.count, line[k] == space || line[k] == tab { k += 1 }
        let base64 = word(line, from: k)
        let key: SSHPublicKey
        do {
            key = try SSHPublicKey(
                type: String(decoding: type, as: UTF8.self), base64: String(decoding: base64, as: UTF8.self))
        } catch {
            return .malformed(error.description)
        }
        return .entry(
            AllowedSigners.Entry(
                line: number, principals: String(decoding: principals, as: UTF8.self), key: key,
                namespaces: options.namespaces, validAfter: options.validAfter, validBefore: options.validBefore,
                isCertificateAuthority: options.certificateAuthority))
    }

    /// The bytes from `start` up to the next blank.
    static func word(_ line: [UInt8], from start: Int) -> ArraySlice<UInt8> {
        var end = start
        while end < line.count, !isBlank(line[end]) { end += 1 }
        return line[start..<end]
    }

    struct Problem: Error { var message: String }

    struct Options {
        var certificateAuthority = false
        var namespaces: String?
        var validAfter: Date?
        var validBefore: Date?

        /// OpenSSH's `sshsigopt_parse`: comma-separated options, values in double quotes
        /// with `\"` for a quote inside.
        static func parse(_ text: [UInt8]) -> Result<Options, Problem> {
            var options = Options()
            var p = 0
            func fail(_ message: String) -> Result<Options, Problem> { .failure(Problem(message: message)) }
            while p < text.count {
                let rest = text[p...]
                if let after = Self.flag(rest, "cert-authority") {
                    options.certificateAuthority = true
                    p = after
                } else if let valueStart = Self.named(rest, "namespaces") {
                    guard options.namespaces == nil else { return fail("namespaces= is given twice") }
                    guard let (value, after) = dequote(text, from: valueStart) else {
                        return fail("the namespaces= value must be in double quotes")
                    }
                    options.namespaces = String(decoding: value, as: UTF8.self)
                    p = after
                } else if let valueStart = Self.named(rest, "valid-after") ?? Self.named(rest, "valid-before") {
                    let isAfter = Self.named(rest, "valid-after") != nil
                    let name = isAfter ? "valid-after" : "valid-before"
                    guard (isAfter ? options.validAfter : options.validBefore) == nil else {
                        return fail("\(name)= is given twice")
                    }
                    guard let (value, after) = dequote(text, from: valueStart) else {
                        return fail("the \(name)= value must be in double quotes, as in \(name)=\"20270101\"")
                    }
                    let written = String(decoding: value, as: UTF8.self)
                    guard let date = CivilTime.parseSSHTime(written) else {
                        return fail("\(name)=\"\(written)\" is not a time: write YYYYMMDD[HHMM[SS]][Z]")
                    }
                    if isAfter { options.validAfter = date } else { options.validBefore = date }
                    p = after
                } else {
                    let name = rest.prefix(while: { $0 != comma && $0 != UInt8(ascii: "=") })
                    return fail("unknown option \"\(String(decoding: name.prefix(40), as: UTF8.self))\"")
                }
                if p == text.count { break }
                guard text[p] == comma else {
                    return fail("unexpected text after an option: \"\(String(decoding: text[p...].prefix(40), as: UTF8.self))\"")
                }
                p += 1
                if p == text.count { return fail("the options end with a comma") }
            }
            if let after = options.validAfter, let before = options.validBefore, before <= after {
                return fail("valid-before is not after valid-after")
            }
            return .success(options)
        }

        /// The index after `name` when `text` starts with it (case-insensitively) as a whole option.
        static func flag(_ text: ArraySlice<UInt8>, _ name: String) -> Int? {
            guard hasPrefixIgnoringCase(text, name) else { return nil }
            let end = text.startIndex + name.utf8.count
            guard end == text.endIndex || text[end] == comma else { return nil }
            return end
        }

        /// The index of the value when `text` starts with `name=` (case-insensitively).
        static func named(_ text: ArraySlice<UInt8>, _ name: String) -> Int? {
            guard hasPrefixIgnoringCase(text, name + "=") else { return nil }
            return text.startIndex + name.utf8.count + 1
        }

        static func hasPrefixIgnoringCase(_ text: ArraySlice<UInt8>, _ prefix: String) -> Bool {
            let wanted = Array(prefix.utf8)
            guard text.count >= wanted.count else { return false }
            return zip(text, wanted).allSatisfy { lowercase($0) == lowercase($1) }
        }

        static func lowercase(_ byte: UInt8) -> UInt8 {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
        }

        /// A double-quoted value starting at `start`, with `\"` unescaped, and the index after it.
        static func dequote(_ text: [UInt8], from start: Int) -> ([UInt8], Int)? {
            guard start < text.count, text[start] == quote else { return nil }
            var value = [UInt8]()
            var i = start + 1
            while i < text.count, text[i] != quote {
                if text[i] == backslash, i + 1 < text.count, text[i + 1] == quote { i += 1 }
                value.append(text[i])
                i += 1
            }
            guard i < text.count else { return nil }
            return (value, i + 1)
        }
    }
}

// MARK: - OpenSSH patterns

/// OpenSSH's `match_pattern` and `match_pattern_list` (match.c): `*` any run of bytes,
/// `?` one byte, case-sensitive, comma-separated lists with `!` negation.
enum OpenSSHPattern {
    static func match(_ string: some Collection<UInt8>, _ pattern: some Collection<UInt8>) -> Bool {
        let s = Array(string)
        let p = Array(pattern)
        // Iterative glob with single-star backtracking: equivalent to match.c's recursion.
        var si = 0
        var pi = 0
        var starP = -1
        var starS = 0
        while si < s.count {
            if pi < p.count, p[pi] == UInt8(ascii: "*") {
                starP = pi
                starS = si
                pi += 1
            } else if pi < p.count, p[pi] == UInt8(ascii: "?") || p[pi] == s[si] {
                pi += 1
                si += 1
            } else if starP >= 0 {
                pi = starP + 1
                starS += 1
                si = starS
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }

    /// Whether `list` lists `principal` as OpenSSH reads it, or would if case were ignored:
    /// for rules that exclude (the commit's own people, bots), where matching more is safer.
    static func mayList(_ list: String, _ principal: String) -> Bool {
        matchList(principal, list) == 1 || matchList(principal.lowercased(), list.lowercased()) == 1
    }

    /// The positive patterns of a list, lowercased (negations dropped: what the list could match, at most).
    static func positives(_ list: String) -> [String] {
        list.lowercased().split(separator: ",", omittingEmptySubsequences: false).filter { !$0.hasPrefix("!") }.map(String.init)
    }

    static func isPattern(_ text: String) -> Bool { text.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") } }

    /// Whether some string matches both patterns (`*`, `?`, bytes): a search of the pairs of
    /// positions both patterns can reach on a common input.
    static func intersect(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        let p = Array(a)
        let q = Array(b)
        let star = UInt8(ascii: "*")
        let any = UInt8(ascii: "?")
        let width = q.count + 1
        var seen = [Bool](repeating: false, count: (p.count + 1) * width)
        var stack = [(0, 0)]
        seen[0] = true
        func visit(_ i: Int, _ j: Int) {
            if !seen[i * width + j] {
                seen[i * width + j] = true
                stack.append((i, j))
            }
        }
        while let (i, j) = stack.popLast() {
            if i == p.count && j == q.count { return true }
            // A star may match nothing.
            if i < p.count, p[i] == star { visit(i + 1, j) }
            if j < q.count, q[j] == star { visit(i, j + 1) }
            // Both consume one byte they can agree on.
            guard i < p.count, j < q.count else { continue }
            let pAny = p[i] == star || p[i] == any
            let qAny = q[j] == star || q[j] == any
            guard pAny || qAny || p[i] == q[j] else { continue }
            visit(p[i] == star ? i : i + 1, q[j] == star ? j : j + 1)
        }
        return false
    }

    /// 1 when a positive pattern matches and no negated one does, -1 when a negated pattern
    /// matches, 0 when nothing matches.
    static func matchList(_ string: String, _ list: String) -> Int {
        var gotPositive = false
        for item in list.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            var pattern = item[...]
            let negated = pattern.first == UInt8(ascii: "!")
            if negated { pattern = pattern.dropFirst() }
            // match.c gives up on subpatterns of 1023 bytes or more.
            if pattern.count >= 1023 { return 0 }
            if match(string.utf8, pattern) {
                if negated { return -1 }
                gotPositive = true
            }
        }
        return gotPositive ? 1 : 0
    }
}

// MARK: - Civil time in UTC

/// Calendar arithmetic in UTC without Foundation's calendars or formatters, so results do
/// not depend on the machine's time zone or locale.
enum CivilTime {
    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// A UTC date from fields, or nil when a field is out of range (no leap seconds).
    static func date(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) -> Date? {
        guard (1...9999).contains(year), (1...12).contains(month), (1...daysInMonth(year: year, month: month)).contains(day),
            (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
        else { return nil }
        let seconds = days(year: year, month: month, day: day) * 86400 + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Reads decimal digits at fixed positions; nil unless all are ASCII digits.
    static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    /// OpenSSH's `YYYYMMDD[HHMM[SS]]` with an optional `Z` or `UTC` suffix, read as UTC.
    /// Times at or before the epoch are refused, as OpenSSH refuses them.
    static func parseSSHTime(_ text: String) -> Date? {
        var bytes = Array(text.utf8)[...]
        let upper = String(decoding: bytes, as: UTF8.self).uppercased()
        if upper.hasSuffix("UTC"), bytes.count > 3 {
            bytes = bytes.dropLast(3)
        } else if upper.hasSuffix("Z"), bytes.count > 1 {
            bytes = bytes.dropLast()
        }
        guard [8, 12, 14].contains(bytes.count) else { return nil }
        let s = bytes.startIndex
        guard let year = number(bytes[s..<s + 4]), let month = number(bytes[s + 4..<s + 6]),
            let day = number(bytes[s + 6..<s + 8])
        else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        if bytes.count >= 12 {
            guard let h = number(bytes[s + 8..<s + 10]), let m = number(bytes[s + 10..<s + 12]) else { return nil }
            hour = h
            minute = m
        }
        if bytes.count == 14 {
            guard let sec = number(bytes[s + 12..<s + 14]) else { return nil }
            second = sec
        }
        guard let date = date(year: year, month: month, day: day, hour: hour, minute: minute, second: second),
            date.timeIntervalSince1970 > 0
        else { return nil }
        return date
    }

    /// `2026-11-25T12:00:00Z`; fractions of a second are dropped.
    static func format(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        var days = total / 86400
        var seconds = total % 86400
        if seconds < 0 {
            seconds += 86400
            days -= 1
        }
        // Inverse of `days(year:month:day:)`.
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let dayOfEra = z - era * 146097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))Z"
    }
}
