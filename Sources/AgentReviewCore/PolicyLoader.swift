// libyaml, the parser under Yams, for the one thing Yams cannot do: list every duplicate
// key with its position (Yams stops at the first mapping that has one, and offers no
// event-level API). Internal: nothing of it or of Yams appears in this module's interface.
internal import CYaml
import Foundation
internal import Yams

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
                    location: SourceLocation(file: file, line: firstNonUTF8Line(bytes)),
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

    /// The 1-based line holding the first byte sequence that is not UTF-8.
    private static func firstNonUTF8Line(_ bytes: some Collection<UInt8>) -> Int {
        var line = 1
        for chunk in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            if String(bytes: chunk, encoding: .utf8) == nil { return line }
            line += 1
        }
        return 1
    }
}

// MARK: - The reader

/// Walks the YAML tree once, building the policy and collecting every problem on the way.
private struct PolicyReader {
    let file: String
    private(set) var diagnostics: [PolicyDiagnostic] = []

    /// Class names and where each was defined, in rank order; nil when `classes` itself is unusable,
    /// in which case class references are type-checked but not resolved (there is nothing to resolve against).
    private var classTable: [(name: String, line: Int)]?

    init(file: String) { self.file = file }

    var sortedDiagnostics: [PolicyDiagnostic] {
        diagnostics.enumerated()
            .sorted { a, b in
                let (la, lb) = (a.element.location, b.element.location)
                if la.line != lb.line { return la.line < lb.line }
                if la.column != lb.column { return la.column < lb.column }
                return a.offset < b.offset
            }
            .map(\.element)
    }

    // MARK: Top level

    mutating func read(_ yaml: String) -> Policy? {
        let composed = DuplicateTolerantComposer.compose(yaml)
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
        case signers, owners, teams, users, bots, revoked, gates
    }

    // MARK: Classes

    private struct ClassEntry {
        var value: RiskClass
        /// Gate names the class requires, with where each was written.
        var gates: [(String, Node)]
    }

    private mutating func readClasses(_ node: Node?, root: Node) -> [ClassEntry] {
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
            var gates: [(String, Node)] = []
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
    private mutating func classReference(_ node: Node, key: String) -> Int? {
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

    private mutating func readPaths(_ node: Node?) -> [PathRule] {
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

    private mutating func readEscalations(_ node: Node?) -> Escalations {
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

    private mutating func readAgents(_ node: Node?) -> AgentSettings {
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

    private mutating func readRefs(_ node: Node?) -> [RefRule] {
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

    private mutating func readTeams(_ node: Node?) -> [String: [String]] {
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

    private mutating func readUsers(_ node: Node?) -> [String: String] {
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

    private mutating func readGates(_ node: Node?) -> [String: GateRule] {
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

    // MARK: Typed values

    /// The fields of a mapping, with unknown keys reported. Nil (reported) when `node` is not a mapping.
    /// `naming`/`as` give entries a name in messages once their name field is known ("class 'high'").
    private mutating func mapping(
        _ node: Node, in context: String, keys known: [String], naming nameKey: String? = nil, as kind: String = ""
    ) -> Fields? {
        guard case .mapping(let pairs) = node else {
            error(node, "\(context) must be a mapping, found \(describe(node))")
            return nil
        }
        var fields = Fields()
        var unknown: [(String, Node)] = []
        for (keyNode, value) in pairs {
            guard case .scalar(let scalar) = keyNode else {
                error(keyNode, "keys in \(context) must be plain names, found \(describe(keyNode))")
                continue
            }
            let key = scalar.string
            if DuplicateTolerantComposer.isRenamed(key) { continue }  // already reported as a duplicate
            if known.contains(key) {
                fields.values[key] = value
            } else {
                unknown.append((key, keyNode))
            }
        }
        var name = context
        if let nameKey, let nameNode = fields[nameKey], case .scalar(let scalar) = nameNode, !isNull(nameNode) {
            name = "\(kind) '\(scalar.string)'"
        }
        for (key, keyNode) in unknown {
            var message = "unknown key '\(key)' in \(name)"
            if key == "<<" {
                message += "; YAML merge keys are not supported, write the keys out"
            } else {
                if let best = Spelling.closestKey(to: key, among: known) {
                    message += "; did you mean '\(best)'?"
                } else {
                    message += " (known keys: \(known.joined(separator: ", ")))"
                }
            }
            error(keyNode, message)
        }
        return fields
    }

    private struct Fields {
        var values: [String: Node] = [:]
        subscript(key: String) -> Node? { values[key] }
    }

    /// A key of a user-named mapping (teams, users, gates).
    private mutating func mapKey(_ node: Node, in context: String) -> String? {
        guard case .scalar(let scalar) = node, !isNull(node) else {
            error(node, "keys in \(context) must be names, found \(describe(node))")
            return nil
        }
        if DuplicateTolerantComposer.isRenamed(scalar.string) { return nil }
        return scalar.string
    }

    /// The items of an optional list-valued key; nothing written means an empty list.
    private mutating func list(_ node: Node?, key: String, of what: String) -> [Node]? {
        guard let node, !isNull(node) else { return nil }
        guard case .sequence(let sequence) = node else {
            error(node, "'\(key)' must be a list of \(what), found \(describe(node))")
            return nil
        }
        return Array(sequence)
    }

    private mutating func integer(_ node: Node, key: String) -> Int? {
        if kind(of: node) == .int {
            if let value = node.int { return value }
            error(node, "'\(key)' is too large, found \(describe(node))")
            return nil
        }
        error(node, "'\(key)' must be an integer, found \(describe(node))")
        return nil
    }

    private mutating func boolean(_ node: Node, key: String) -> Bool? {
        if kind(of: node) == .bool, let value = node.bool { return value }
        error(node, "'\(key)' must be true or false, found \(describe(node))")
        return nil
    }

    /// Any scalar but an empty one, read as written: a plain `off` is the word, not YAML 1.1's false.
    private mutating func string(_ node: Node, key: String, allowEmpty: Bool = false) -> String? {
        if case .scalar(let scalar) = node, !isNull(node) {
            if !scalar.string.isEmpty || allowEmpty { return scalar.string }
            error(node, "'\(key)' must not be empty")
            return nil
        }
        error(node, "'\(key)' must be a string, found \(describe(node))")
        return nil
    }

    private mutating func stringNodes(_ node: Node, key: String) -> [(String, Node)]? {
        if isNull(node) { return [] }
        guard case .sequence(let sequence) = node else {
            var message = "'\(key)' must be a list of strings, found \(describe(node))"
            if case .scalar(let scalar) = node, !scalar.string.isEmpty {
                message += " (write [\(scalar.string)] for a list of one)"
            }
            error(node, message)
            return nil
        }
        var result: [(String, Node)] = []
        var ok = true
        for item in sequence {
            if case .scalar(let scalar) = item, !isNull(item), !scalar.string.isEmpty {
                result.append((scalar.string, item))
            } else {
                let found = if case .scalar = item, !isNull(item) { "an empty string" } else { describe(item) }
                error(item, "entries of '\(key)' must be strings, found \(found)")
                ok = false
            }
        }
        return ok ? result : nil
    }

    private mutating func stringList(_ node: Node, key: String) -> [String]? {
        stringNodes(node, key: key)?.map(\.0)
    }

    private mutating func oneOf<T>(_ node: Node, key: String, _ names: [String], _ make: (String) -> T?) -> T? {
        if case .scalar(let scalar) = node, !isNull(node), let value = make(scalar.string) { return value }
        let found = if case .scalar(let scalar) = node, !isNull(node) { "'\(scalar.string)'" } else { describe(node) }
        error(node, "'\(key)' must be one of \(names.joined(separator: ", ")), found \(found)")
        return nil
    }

    /// A path inside the repository, relative to its root.
    private mutating func repositoryPath(_ node: Node, key: String, hint: String = "") -> String? {
        guard let path = string(node, key: key) else { return nil }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        if path.hasPrefix("/") || components.contains("..") || path.hasSuffix("/") {
            error(node, "'\(key)' must be a file path inside the repository, relative to its root\(hint), found '\(path)'")
            return nil
        }
        return path
    }

    // MARK: Reporting

    private func isNull(_ node: Node) -> Bool {
        if case .scalar = node { return kind(of: node) == .null }
        return false
    }

    /// The resolved tag of a node: what YAML reads a plain scalar as (`1` an int, `true` a bool, `~` null).
    private func kind(of node: Node) -> Tag.Name { Tag.Name(rawValue: node.tag.rawValue) }

    private func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            var text = scalar.string
            if text.count > 40 { text = text.prefix(40) + "…" }
            switch kind(of: node) {
            case .null: return "nothing"
            case .bool: return "the boolean \(text)"
            case .int: return "the integer \(text)"
            case .float: return "the number \(text)"
            default: return "the string \"\(text)\""
            }
        }
    }

    private func line(of node: Node) -> Int { node.mark?.line ?? 1 }

    private func location(of node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    private func diagnostic(_ node: Node, _ message: String) -> PolicyDiagnostic {
        PolicyDiagnostic(location: location(of: node), message: message)
    }

    private mutating func error(_ node: Node, _ message: String) {
        diagnostics.append(diagnostic(node, message))
    }

    private mutating func error(line: Int, column: Int = 1, _ message: String) {
        diagnostics.append(PolicyDiagnostic(location: SourceLocation(file: file, line: line, column: column), message: message))
    }

    /// "; did you mean 'x'?" for the closest known name, or "" when none is close.
    private func suggestion(for word: String, among candidates: [String]) -> String {
        guard let best = Spelling.closest(to: word, among: candidates) else { return "" }
        return "; did you mean '\(best)'?"
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
        func normal(_ s: String) -> [Character] { Array(s.lowercased().replacingOccurrences(of: "-", with: "_")) }
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

// MARK: - Composing with duplicate keys

/// Yams refuses a mapping with a duplicate key and stops there. To report every duplicate
/// at once, with its line, the text is composed by Yams once; only when that finds a
/// duplicate, one pass over libyaml's events (the parser under Yams) finds them all, each
/// second occurrence is renamed in place to a placeholder the reader skips (on the same
/// line, so no line number moves) and Yams composes once more. Three parses at most,
/// however many duplicates there are. Syntax errors end composition; what was found so
/// far is kept.
private enum DuplicateTolerantComposer {
    struct Problem {
        var line: Int
        var column: Int
        var message: String
    }

    struct Result {
        var root: Node?
        var problems: [Problem] = []
        /// False when the text could not be composed into a tree at all.
        var complete: Bool
    }

    static let renamePrefix = "agentreview-duplicate-key-"

    static func isRenamed(_ key: String) -> Bool { key.hasPrefix(renamePrefix) }

    /// Duplicate keys listed one by one before the rest are summed up.
    static var listed: Int { Limits.policyDuplicateKeys }

    static func compose(_ yaml: String) -> Result {
        do {
            return Result(root: try Yams.compose(yaml: yaml), complete: true)
        } catch YamlError.duplicatedKeysInMapping {
            return composeRenaming(yaml)
        } catch let error as YamlError {
            return Result(problems: [syntaxProblem(error, yaml: yaml)], complete: false)
        } catch {
            return Result(problems: [Problem(line: 1, column: 1, message: "invalid YAML: \(error)")], complete: false)
        }
    }

    /// A second (third, …) occurrence of a key in one mapping.
    struct Duplicate {
        var key: String
        var line: Int
        var column: Int
        var firstLine: Int
        /// Where the key is written, in Unicode scalars (libyaml's mark index).
        var range: Range<Int>
    }

    private static func composeRenaming(_ yaml: String) -> Result {
        let duplicates = findDuplicates(yaml)
        var problems: [Problem] = []
        for duplicate in duplicates.prefix(listed) {
            problems.append(Problem(line: duplicate.line, column: duplicate.column,
                                    message: "duplicate key '\(shown(duplicate.key))' (first at line \(duplicate.firstLine))"))
        }
        if duplicates.count > listed {
            let next = duplicates[listed]
            problems.append(Problem(line: next.line, column: next.column,
                                    message: "and \(duplicates.count - listed) more duplicate keys from here on"))
        }
        var scalars = Array(yaml.unicodeScalars)
        // A key written over several lines (`? |` …) cannot be renamed without moving lines.
        if let multiline = duplicates.first(where: { $0.range.upperBound > scalars.count || scalars[$0.range].contains("\n") || scalars[$0.range].contains("\r") }) {
            problems.append(Problem(line: multiline.line, column: multiline.column,
                                    message: "a duplicate key written over several lines: write each key once, on one line"))
            return Result(problems: problems, complete: false)
        }
        for (number, duplicate) in duplicates.enumerated().reversed() {
            scalars.replaceSubrange(duplicate.range, with: Array("\(renamePrefix)\(number)".unicodeScalars))
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        let text = String(view)
        do {
            return Result(root: try Yams.compose(yaml: text), problems: problems, complete: true)
        } catch let YamlError.duplicatedKeysInMapping(keys, context) {
            // Equal keys that are not plain scalars (lists, mappings): Yams still finds them.
            let key = keys.sorted().first ?? ""
            problems.append(Problem(line: context.mark.line, column: context.mark.column,
                                    message: "duplicate key '\(shown(key))' in this mapping"))
        } catch let error as YamlError {
            problems.append(syntaxProblem(error, yaml: text))
        } catch {
            problems.append(Problem(line: 1, column: 1, message: "invalid YAML: \(error)"))
        }
        return Result(problems: problems, complete: false)
    }

    /// Every later occurrence of a scalar key (plain, quoted or an alias of one) in the
    /// mappings of the first document, in the order written: one pass over libyaml's events.
    /// Keys are equal as Yams compares them: same text, same resolved tag.
    static func findDuplicates(_ yaml: String) -> [Duplicate] {
        struct Frame {
            var isMapping: Bool
            var expectingKey = true
            var seen: [Node: Int] = [:]
        }
        var duplicates: [Duplicate] = []
        var text = yaml
        text.withUTF8 { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var stack: [Frame] = []
            var anchors: [String: Node] = [:]
            var event = yaml_event_t()
            func cString(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
                pointer.map { String(decoding: UnsafeBufferPointer(start: $0, count: strlen(UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))), as: UTF8.self) }
            }
            /// A node ends; `key` is it as a mapping key when it is a scalar (or an alias of one).
            func finished(_ key: Node?, _ event: yaml_event_t) {
                guard let top = stack.indices.last, stack[top].isMapping else { return }
                defer { stack[top].expectingKey.toggle() }
                guard stack[top].expectingKey, let key else { return }
                let line = event.start_mark.line + 1
                if let first = stack[top].seen[key] {
                    duplicates.append(Duplicate(
                        key: key.scalar?.string ?? "", line: line, column: event.start_mark.column + 1, firstLine: first,
                        range: event.start_mark.index..<event.end_mark.index))
                } else {
                    stack[top].seen[key] = line
                }
            }
            parsing: while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_SCALAR_EVENT:
                    let scalar = event.data.scalar
                    let value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                    let tag: Tag.Name = scalar.quoted_implicit == 1 ? .str : cString(scalar.tag).map(Tag.Name.init(rawValue:)) ?? .implicit
                    let node = Node.scalar(.init(value, Tag(tag)))
                    if let anchor = cString(scalar.anchor) { anchors[anchor] = node }
                    finished(node, event)
                case YAML_ALIAS_EVENT:
                    finished(cString(event.data.alias.anchor).flatMap { anchors[$0] }, event)
                case YAML_SEQUENCE_START_EVENT:
                    if let anchor = cString(event.data.sequence_start.anchor) { anchors[anchor] = nil }
                    stack.append(Frame(isMapping: false))
                case YAML_MAPPING_START_EVENT:
                    if let anchor = cString(event.data.mapping_start.anchor) { anchors[anchor] = nil }
                    stack.append(Frame(isMapping: true))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    stack.removeLast()
                    finished(nil, event)
                case YAML_DOCUMENT_END_EVENT, YAML_STREAM_END_EVENT:
                    break parsing
                default:
                    continue
                }
            }
        }
        return duplicates
    }

    /// A key as messages show it: a long one is cut short.
    static func shown(_ key: String) -> String {
        key.unicodeScalars.count > 60 ? String(String.UnicodeScalarView(key.unicodeScalars.prefix(50))) + "…" : key
    }

    static func syntaxProblem(_ error: YamlError, yaml: String) -> Problem {
        func make(_ context: YamlError.Context?, _ problem: String, _ mark: Mark) -> Problem {
            if let context, context.text.hasPrefix("expected a single document") {
                return Problem(line: mark.line, column: mark.column,
                               message: "a policy is a single YAML document, but another one starts here")
            }
            var message = "invalid YAML: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return Problem(line: mark.line, column: mark.column, message: message)
        }
        switch error {
        case let .scanner(context, problem, mark, _): return make(context, problem, mark)
        case let .parser(context, problem, mark, _): return make(context, problem, mark)
        case let .composer(context, problem, mark, _): return make(context, problem, mark)
        case let .reader(problem, offset, _, _):
            var line = 1
            if let offset { line += yaml.prefix(offset).filter { $0 == "\n" || $0 == "\r\n" }.count }
            return Problem(line: line, column: 1, message: "invalid YAML: \(problem)")
        default:
            return Problem(line: 1, column: 1, message: "invalid YAML: \(error)")
        }
    }
}
