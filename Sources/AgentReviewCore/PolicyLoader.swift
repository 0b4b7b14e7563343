// YAMLComposer for the tree; the typed reading of it is shared with task contracts (YAMLReading.swift).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One problem found in a policy file, with where it was written.
/// Line 0 means the file as a whole (it could not be read at all).
public struct PolicyDiagnostic: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }
    public var description: String {
        location.line > 0 ? "\(location): \(message)" : "\(location.file): \(message)"
    }
}

/// Every problem in a policy file, reported at once, in the order of the file.
public struct PolicyError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [PolicyDiagnostic]
    public init(diagnostics: [PolicyDiagnostic]) { self.diagnostics = diagnostics }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Reads policy files, version 1 (the format: README.md, "The policy"; the design: docs/design.md).
///
/// Takes text or bytes: reading the file (from disk or from git) is the caller's job.
///
/// Strict: unknown keys, wrong types, unknown or duplicate class names, duplicate keys
/// and malformed patterns are errors, and every one of them is reported with its line,
/// not just the first. A policy of a newer version is refused by name, never misread.
/// A key written with no value (`paths:` with every entry commented out) means an
/// empty list or mapping for the optional list- and mapping-valued keys.
public enum PolicyLoader {
    /// Where `agentreview init` writes the policy and where it is read from, relative to the repository root.
    public static let defaultPath = ".agentreview/policy.yml"

    /// Parses and validates a policy. `file` names it in diagnostics and becomes `Policy.source`.
    public static func load(yaml: String, file: String) throws(PolicyError) -> Policy {
        var yaml = yaml
        let count = yaml.withUTF8(\.count)
        if count > Limits.policyBytes { throw tooLarge(count, file: file) }
        var reader = PolicyReader(file: file)
        let policy = reader.read(yaml)
        if let policy, reader.diagnostics.isEmpty { return policy }
        throw PolicyError(diagnostics: reader.sortedDiagnostics)
    }

    /// Parses and validates a policy held as bytes (a file, a blob read from git), which must be UTF-8.
    public static func load(bytes: some Collection<UInt8>, file: String) throws(PolicyError) -> Policy {
        if bytes.count > Limits.policyBytes { throw tooLarge(bytes.count, file: file) }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw PolicyError(diagnostics: [
                PolicyDiagnostic(
                    location: SourceLocation(file: file, line: YAMLText.firstNonUTF8Line(bytes)),
                    message: "the policy is not valid UTF-8 text"
                )
            ])
        }
        return try load(yaml: text, file: file)
    }

    /// The one diagnostic for a policy over `Limits.policyBytes`, which is not parsed.
    /// `count` nil: the size is not known (a file that is no regular file), only that it is over.
    /// Also for whoever reads the policy from a file, and stops reading past the limit.
    public static func tooLarge(_ count: Int?, file: String) -> PolicyError {
        let size = count.map { "\($0) bytes, over" } ?? "over"
        return PolicyError(diagnostics: [
            PolicyDiagnostic(
                location: SourceLocation(file: file, line: 0),
                message: "policy is \(size) the limit of \(Limits.policyBytes) (Limits.policyBytes): not read"
            )
        ])
    }
}

// MARK: - The reader

/// Walks the YAML tree once, building the policy and collecting every problem on the way.
private struct PolicyReader: YAMLDiagnosing {
    let file: String
    var diagnostics: [PolicyDiagnostic] = []

    /// Class names and where each was defined, in rank order; nil when `classes` itself is unusable,
    /// in which case class references are type-checked but not resolved (there is nothing to resolve against).
    private var classTable: [(name: String, line: Int)]?

    init(file: String) { self.file = file }

    // MARK: Top level

    mutating func read(_ yaml: String) -> Policy? {
        let composed = YAMLComposer.compose(yaml)
        for problem in composed.problems {
            error(line: problem.line, column: problem.column, problem.message)
        }
        guard composed.complete else { return nil }
        guard let root = composed.root, !isNull(root) else {
            error(line: 1, "the policy is empty; it needs at least 'version: \(Policy.supportedVersion)' and 'classes'")
            return nil
        }
        guard case .mapping = root else {
            error(root, "the policy must be a mapping of keys to values, found \(describe(root))")
            return nil
        }
        guard let top = mapping(root, in: "the policy", keys: TopKey.allCases.map(\.rawValue)) else { return nil }

        // The version first: a newer policy is refused by name and nothing else in it is judged.
        if let node = top[TopKey.version.rawValue] {
            if let version = integer(node, key: "version") {
                if version > Policy.supportedVersion {
                    diagnostics = [diagnostic(node,
                        "policy version \(version) is newer than this agentreview understands (\(Policy.supportedVersion)); upgrade agentreview")]
                    return nil
                }
                if version < 1 {
                    diagnostics = [diagnostic(node,
                        "policy version \(version) does not exist; this agentreview understands version \(Policy.supportedVersion)")]
                    return nil
                }
            }
        } else {
            error(root, "missing required key 'version' (write 'version: \(Policy.supportedVersion)')")
        }

        // Classes before everything that refers to them, wherever they are written.
        let classes = readClasses(top[TopKey.classes.rawValue], root: root)

        var defaultClass: Int?
        if let node = top[TopKey.defaultClass.rawValue] {
            defaultClass = classReference(node, key: "default_class")
        }
        let paths = readPaths(top[TopKey.paths.rawValue])
        let escalations = readEscalations(top[TopKey.escalations.rawValue])
        let agents = readAgents(top[TopKey.agents.rawValue])

        var appliesTo = AppliesTo.agents
        if let node = top[TopKey.appliesTo.rawValue],
           let value = oneOf(node, key: "applies_to", AppliesTo.allNames, AppliesTo.init(rawValue:)) {
            appliesTo = value
        }
        let refs = readRefs(top[TopKey.refs.rawValue])
        var defaultMode = EnforcementMode.enforce
        if let node = top[TopKey.defaultMode.rawValue],
           let value = oneOf(node, key: "default_mode", EnforcementMode.allNames, EnforcementMode.init(rawValue:)) {
            defaultMode = value
        }

        var signers = ".agentreview/allowed_signers"
        if let node = top[TopKey.signers.rawValue], let path = repositoryPath(node, key: "signers") {
            signers = path
        }
        var revoked: String?
        if let node = top[TopKey.revoked.rawValue] { revoked = repositoryPath(node, key: "revoked") }
        var owners = OwnersSource.auto
        if let node = top[TopKey.owners.rawValue], let value = string(node, key: "owners") {
            if value != "auto", let path = repositoryPath(node, key: "owners", hint: " or 'auto'") {
                owners = .path(path)
            }
        }

        let teams = readTeams(top[TopKey.teams.rawValue])
        let users = readUsers(top[TopKey.users.rawValue])
        let bots = top[TopKey.bots.rawValue].flatMap { stringList($0, key: "bots") } ?? []
        let gates = readGates(top[TopKey.gates.rawValue])
        let contracts = readContracts(top[TopKey.contracts.rawValue], key: top.keys[TopKey.contracts.rawValue])
        let declaredClass = readDeclaredClass(top[TopKey.declaredClass.rawValue], key: top.keys[TopKey.declaredClass.rawValue])
        let overrides = readOverrides(
            top[TopKey.overrides.rawValue], key: top.keys[TopKey.overrides.rawValue], teams: teams, users: users)

        // A class asking for a gate that no one may attest could never be satisfied.
        for entry in classes {
            for (gate, node) in entry.gates where gates[gate] == nil {
                error(node,
                    "class '\(entry.value.name)' requires gate '\(gate)', but 'gates' does not define it, so nobody could ever attest it"
                        + suggestion(for: gate, among: Array(gates.keys)))
            }
        }

        guard diagnostics.isEmpty, !classes.isEmpty else { return nil }
        return Policy(
            version: Policy.supportedVersion,
            classes: classes.map(\.value),
            defaultClass: defaultClass,
            paths: paths,
            escalations: escalations,
            agents: agents,
            appliesTo: appliesTo,
            refs: refs,
            defaultMode: defaultMode,
            signers: signers,
            owners: owners,
            teams: teams,
            users: users,
            bots: bots,
            revoked: revoked,
            gates: gates,
            contracts: contracts,
            declaredClass: declaredClass,
            overrides: overrides,
            source: file
        )
    }

    private enum TopKey: String, CaseIterable {
        case version, classes
        case defaultClass = "default_class"
        case paths, escalations, agents
        case appliesTo = "applies_to"
        case refs
        case defaultMode = "default_mode"
        case signers, owners, teams, users, bots, revoked, gates, contracts
        case declaredClass = "declared_class"
        case overrides
    }

    // MARK: Classes

    private struct ClassEntry {
        var value: RiskClass
        /// Gate names the class requires, with where each was written.
        var gates: [(String, YAMLNode)]
    }

    private mutating func readClasses(_ node: YAMLNode?, root: YAMLNode) -> [ClassEntry] {
        guard let node else {
            error(root, "missing required key 'classes' (the risk classes, lowest first)")
            return []
        }
        guard case .sequence(let sequence) = node else {
            error(node, "'classes' must be a list of classes, lowest first, found \(describe(node))")
            return []
        }
        if sequence.isEmpty {
            error(node, "'classes' must list at least one class")
            return []
        }
        var table: [(name: String, line: Int)] = []
        var entries: [ClassEntry] = []
        for item in sequence {
            guard let fields = mapping(item, in: "classes entry", keys: ["name", "approvals", "owners", "human_signoff", "gates"],
                                       naming: "name", as: "class")
            else { continue }
            var name: String?
            if let nameNode = fields["name"], let value = string(nameNode, key: "name") {
                if let first = table.first(where: { $0.name == value }) {
                    error(nameNode, "duplicate class '\(value)' (first defined at line \(first.line))")
                } else {
                    table.append((value, line(of: nameNode)))
                    name = value
                }
            } else if fields["name"] == nil {
                error(item, "class entry has no 'name'")
            }
            var risk = RiskClass(name: name ?? "", location: location(of: item))
            if let node = fields["approvals"], let count = integer(node, key: "approvals") {
                if count < 0 {
                    error(node, "'approvals' must be an integer >= 0, found \(count)")
                } else {
                    risk.approvals = count
                }
            }
            if let node = fields["owners"], let value = boolean(node, key: "owners") { risk.owners = value }
            if let node = fields["human_signoff"], let value = boolean(node, key: "human_signoff") { risk.humanSignoff = value }
            var gates: [(String, YAMLNode)] = []
            if let node = fields["gates"], let list = stringNodes(node, key: "gates") {
                gates = list
                risk.gates = list.map(\.0)
            }
            if name != nil { entries.append(ClassEntry(value: risk, gates: gates)) }
        }
        // With no usable class at all, every class reference would be "unknown": say nothing of them.
        classTable = table.isEmpty ? nil : table
        return entries
    }

    /// Resolves a class name to its rank, reporting an unknown one.
    private mutating func classReference(_ node: YAMLNode, key: String) -> Int? {
        guard let name = string(node, key: key) else { return nil }
        guard let table = classTable else { return nil }
        if let rank = table.firstIndex(where: { $0.name == name }) { return rank }
        let names = table.map(\.name)
        var message = "unknown class '\(name)' in '\(key)'" + suggestion(for: name, among: names)
        if !names.isEmpty { message += " (the classes are \(names.joined(separator: ", ")))" }
        error(node, message)
        return nil
    }

    // MARK: Paths, escalations, agents, refs

    private mutating func readPaths(_ node: YAMLNode?) -> [PathRule] {
        guard let items = list(node, key: "paths", of: "{pattern, class} entries") else { return [] }
        var rules: [PathRule] = []
        for item in items {
            guard let fields = mapping(item, in: "paths entry", keys: ["pattern", "class"]) else { continue }
            let pattern = fields["pattern"].flatMap { node -> PathPattern? in
                guard let text = string(node, key: "pattern", allowEmpty: true) else { return nil }
                do throws(PatternError) { return try PathPattern(text) } catch { self.error(node, error.description); return nil }
            }
            let rank = fields["class"].flatMap { classReference($0, key: "class") }
            if fields["pattern"] == nil { error(item, "paths entry has no 'pattern'") }
            if fields["class"] == nil { error(item, "paths entry has no 'class'") }
            if let pattern, let rank {
                rules.append(PathRule(pattern: pattern, classRank: rank, location: location(of: item)))
            }
        }
        return rules
    }

    private mutating func readEscalations(_ node: YAMLNode?) -> Escalations {
        var result = Escalations()
        guard let node, !isNull(node),
              let fields = mapping(node, in: "'escalations'", keys: ["submodule", "symlink", "executable", "binary", "changed_lines"])
        else { return result }
        if let node = fields["submodule"] { result.submodule = classReference(node, key: "submodule") }
        if let node = fields["symlink"] { result.symlink = classReference(node, key: "symlink") }
        if let node = fields["executable"] { result.executable = classReference(node, key: "executable") }
        if let node = fields["binary"] { result.binary = classReference(node, key: "binary") }
        if let node = fields["changed_lines"],
           let lines = mapping(node, in: "'changed_lines'", keys: ["over", "class"]) {
            var over: Int?
            if let overNode = lines["over"], let count = integer(overNode, key: "over") {
                if count > 0 { over = count } else { error(overNode, "'over' must be an integer > 0, found \(count)") }
            } else if lines["over"] == nil {
                error(node, "'changed_lines' has no 'over' (the number of changed lines above which it escalates)")
            }
            let rank = lines["class"].flatMap { classReference($0, key: "changed_lines.class") }
            if lines["class"] == nil { error(node, "'changed_lines' has no 'class'") }
            if let over, let rank { result.changedLines = .init(over: over, classRank: rank) }
        }
        return result
    }

    private mutating func readAgents(_ node: YAMLNode?) -> AgentSettings {
        var result = AgentSettings()
        guard let node, !isNull(node),
              let fields = mapping(node, in: "'agents'", keys: ["builtin", "identities", "trailers", "unsigned_is_agent", "notes"])
        else { return result }
        if let node = fields["builtin"], let value = boolean(node, key: "builtin") { result.builtin = value }
        if let node = fields["identities"], let list = stringList(node, key: "identities") { result.identities = list }
        if let node = fields["trailers"], let list = stringNodes(node, key: "trailers") {
            for (key, keyNode) in list where !Self.isTrailerKey(key) {
                var message = "'\(key)' is not a trailer key: keys are letters, digits and '-'"
                if key.hasSuffix(":"), Self.isTrailerKey(String(key.dropLast())) {
                    message += " (write '\(key.dropLast())', without the colon)"
                }
                error(keyNode, message)
            }
            result.trailers = list.map(\.0).filter(Self.isTrailerKey)
        }
        if let node = fields["unsigned_is_agent"], let value = boolean(node, key: "unsigned_is_agent") {
            result.unsignedIsAgent = value
        }
        if let node = fields["notes"], let value = boolean(node, key: "notes") { result.notes = value }
        return result
    }

    static func isTrailerKey(_ key: String) -> Bool {
        !key.isEmpty && key.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
    }

    private mutating func readRefs(_ node: YAMLNode?) -> [RefRule] {
        guard let items = list(node, key: "refs", of: "{pattern, mode} entries") else { return [] }
        var rules: [RefRule] = []
        for item in items {
            guard let fields = mapping(item, in: "refs entry", keys: ["pattern", "mode"]) else { continue }
            let pattern = fields["pattern"].flatMap { node -> RefPattern? in
                guard let text = string(node, key: "pattern", allowEmpty: true) else { return nil }
                do throws(PatternError) { return try RefPattern(text) } catch { self.error(node, error.description); return nil }
            }
            let mode = fields["mode"].flatMap { oneOf($0, key: "mode", EnforcementMode.allNames, EnforcementMode.init(rawValue:)) }
            if fields["pattern"] == nil { error(item, "refs entry has no 'pattern'") }
            if fields["mode"] == nil { error(item, "refs entry has no 'mode' (enforce, warn or off)") }
            if let pattern, let mode { rules.append(RefRule(pattern: pattern, mode: mode, location: location(of: item))) }
        }
        return rules
    }

    // MARK: People and gates

    private mutating func readTeams(_ node: YAMLNode?) -> [String: [String]] {
        guard let node, !isNull(node) else { return [:] }
        guard case .mapping(let pairs) = node else {
            error(node, "'teams' must map each team name to a list of emails, found \(describe(node))")
            return [:]
        }
        var teams: [String: [String]] = [:]
        for (keyNode, value) in pairs {
            guard let name = mapKey(keyNode, in: "'teams'") else { continue }
            if let members = stringList(value, key: "teams.\(name)") { teams[name] = members }
        }
        return teams
    }

    private mutating func readUsers(_ node: YAMLNode?) -> [String: String] {
        guard let node, !isNull(node) else { return [:] }
        guard case .mapping(let pairs) = node else {
            error(node, "'users' must map each user name to an email, found \(describe(node))")
            return [:]
        }
        var users: [String: String] = [:]
        for (keyNode, value) in pairs {
            guard let name = mapKey(keyNode, in: "'users'") else { continue }
            if let email = string(value, key: "users.\(name)") { users[name] = email }
        }
        return users
    }

    private mutating func readGates(_ node: YAMLNode?) -> [String: GateRule] {
        guard let node, !isNull(node) else { return [:] }
        guard case .mapping(let pairs) = node else {
            error(node, "'gates' must map each gate name to {signers: [...]}, found \(describe(node))")
            return [:]
        }
        var gates: [String: GateRule] = [:]
        for (keyNode, value) in pairs {
            guard let name = mapKey(keyNode, in: "'gates'") else { continue }
            guard let fields = mapping(value, in: "gate '\(name)'", keys: ["signers"]) else { continue }
            guard let signersNode = fields["signers"] else {
                error(value, "gate '\(name)' has no 'signers' (the principals allowed to attest it)")
                continue
            }
            guard let signers = stringList(signersNode, key: "signers") else { continue }
            if signers.isEmpty {
                error(signersNode, "gate '\(name)' must list at least one signer, or nobody could ever attest it")
                continue
            }
            gates[name] = GateRule(signers: signers)
        }
        return gates
    }

    // MARK: Governance: contracts, declared class, overrides

    /// Where a top-level key is written: its settings' `location`.
    private func keyLocation(_ key: YAMLNode?, _ value: YAMLNode) -> SourceLocation { location(of: key ?? value) }

    private mutating func readContracts(_ node: YAMLNode?, key: YAMLNode?) -> ContractSettings {
        var result = ContractSettings()
        guard let node else { return result }
        result.location = keyLocation(key, node)
        guard !isNull(node), let fields = mapping(node, in: "'contracts'", keys: ["required", "on_violation"]) else { return result }
        if let value = fields["required"].flatMap({
            oneOf($0, key: "contracts.required", ContractSettings.Required.allCases.map(\.rawValue), suggesting: true,
                  ContractSettings.Required.init(rawValue:))
        }) {
            result.required = value
        }
        if let value = fields["on_violation"].flatMap({
            oneOf($0, key: "contracts.on_violation", ContractSettings.OnViolation.allCases.map(\.rawValue), suggesting: true,
                  ContractSettings.OnViolation.init(rawValue:))
        }) {
            result.onViolation = value
        }
        return result
    }

    private mutating func readDeclaredClass(_ node: YAMLNode?, key: YAMLNode?) -> DeclaredClassSettings {
        var result = DeclaredClassSettings()
        guard let node else { return result }
        result.location = keyLocation(key, node)
        guard !isNull(node), let fields = mapping(node, in: "'declared_class'", keys: ["under"]) else { return result }
        if let value = fields["under"].flatMap({
            oneOf($0, key: "declared_class.under", DeclaredClassSettings.Under.allCases.map(\.rawValue), suggesting: true,
                  DeclaredClassSettings.Under.init(rawValue:))
        }) {
            result.under = value
        }
        return result
    }

    private mutating func readOverrides(
        _ node: YAMLNode?, key: YAMLNode?, teams: [String: [String]], users: [String: String]
    ) -> OverrideSettings {
        var result = OverrideSettings()
        guard let node else { return result }
        result.location = keyLocation(key, node)
        guard !isNull(node), let fields = mapping(node, in: "'overrides'", keys: ["signers", "max_age"]) else { return result }
        if let signersNode = fields["signers"], let signers = stringNodes(signersNode, key: "overrides.signers") {
            var seen = Set<String>()
            for (signer, signerNode) in signers {
                if !seen.insert(signer.lowercased()).inserted {
                    error(signerNode, "'\(signer)' is listed twice in 'overrides.signers'")
                    continue
                }
                guard signer.hasPrefix("@") else { continue }
                let name = String(signer.dropFirst())
                let last = name.lastIndex(of: "/").map { String(name[name.index(after: $0)...]) }
                if teams[name] != nil || last.flatMap({ teams[$0] }) != nil || users[name] != nil { continue }
                let names = last.map { "'\(name)' or '\($0)'" } ?? "'\(name)'"
                let known = (teams.keys.sorted() + users.keys.sorted()).map { "@" + $0 }
                error(signerNode,
                    "override signer '\(signer)': neither the policy's teams nor its users name \(names), so it could never match"
                        + suggestion(for: signer, among: known))
            }
            result.signers = signers.map(\.0)
        }
        if let ageNode = fields["max_age"], let text = string(ageNode, key: "overrides.max_age") {
            switch Self.duration(text) {
            case .some(let seconds) where seconds <= 0:
                error(ageNode, "'overrides.max_age' must be more than 0, found '\(text)'")
            case .some(let seconds) where seconds > Self.longestOverrideAge:
                error(ageNode, "'overrides.max_age' is at most 30d, found '\(text)'")
            case .some(let seconds):
                result.maxAge = seconds
            case .none:
                error(ageNode, "'overrides.max_age' must be a duration: digits and a unit, s, m, h or d (24h, 90m, 7d), found \(describe(ageNode))")
            }
        }
        return result
    }

    /// The most `overrides.max_age` may be: 30 days.
    static let longestOverrideAge: TimeInterval = 30 * 24 * 60 * 60

    /// `<digits><s|m|h|d>` in seconds; nil for anything else (a sign, a space, a fraction,
    /// another unit, more digits than any sensible duration has).
    static func duration(_ text: String) -> TimeInterval? {
        guard let unit = text.last, text.count >= 2, text.count <= 10 else { return nil }
        let digits = text.dropLast()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int(digits) else { return nil }
        let scale: Int = switch unit {
        case "s": 1
        case "m": 60
        case "h": 3600
        case "d": 86400
        default: 0
        }
        guard scale > 0 else { return nil }
        return TimeInterval(count) * TimeInterval(scale)
    }
}

extension AppliesTo {
    fileprivate static let allNames = ["agents", "agents+bots", "all"]
}

extension EnforcementMode {
    fileprivate static let allNames = ["enforce", "warn", "off"]
}

// MARK: - Did you mean

public enum Spelling {
    /// The candidate closest to `word` by edit distance (ignoring case and `-`/`_`), if close enough to be a typo.
    static func closest(to word: String, among candidates: [String], limit fixed: Int? = nil) -> String? {
        func normal(_ s: String) -> [Character] { Array(s.lowercased().replacingAll("-", with: "_")) }
        let target = normal(word)
        var best: (String, Int)?
        for candidate in candidates {
            let other = normal(candidate)
            var distance = editDistance(target, other)
            // A word that extends a name or is cut short of one ("highest", "approval") is that name.
            let (shorter, longer) = target.count < other.count ? (target, other) : (other, target)
            if shorter.count >= 3, longer.starts(with: shorter) { distance = 1 }
            let limit = fixed ?? max(1, (longer.count + 1) / 3)
            if distance <= limit, distance < (best?.1 ?? .max) { best = (candidate, distance) }
        }
        return best?.0
    }

    /// The allowed key closest to a mistyped one: within an edit distance of 2 (ignoring
    /// case and `-`/`_`; a transposition is one edit, and a key cut short or extended, as
    /// `approval` or `paths_extra`, is one edit from the key), the nearest, the first written
    /// on a tie. Nil when none is that close: the message then lists the keys allowed there.
    static func closestKey(to word: String, among keys: [String]) -> String? {
        closest(to: word, among: keys, limit: 2)
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent
    /// transpositions each cost 1. (Also what the CLI's "did you mean" for commands uses.)
    public static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
