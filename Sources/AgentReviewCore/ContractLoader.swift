#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads task contracts, version 1: `.agentreview/contracts/NAME.yml` on the trusted base.
///
/// ```yaml
/// version: 1
/// goal: Keep the user docs in step with the v2 API   # required, non-empty
/// owner: docs-lead@example.com                       # required, non-empty
/// class: low                                         # required: the ceiling, a class of the policy
/// paths:                                             # optional
///   allow: ["docs/", "*.md"]                         # the policy's pattern semantics (PathPattern)
///   deny: ["docs/security/"]
/// forbid: [delete, executable, binary]               # optional: ContractAction raw values
/// expires: 2026-12-31                                # optional: a date (through that day, UTC) or 2026-12-31T18:00:00Z
/// max_changed_lines: 400                             # optional, > 0
/// ```
///
/// Strict as the policy is (it shares the policy's reading, `YAMLDiagnosing`): unknown keys
/// (with "did you mean"), wrong types, duplicate keys, an unknown class, an unknown or
/// repeated action and malformed patterns are errors, every one reported with its line. A
/// contract of a newer version is refused by name, never misread. Takes bytes: reading
/// the file (from git, from a working tree) is the caller's job.
public enum ContractLoader {
    /// Parses and validates a contract held as bytes, which must be UTF-8 and within
    /// `Limits.contractBytes`. `name` is what `Task-Contract:` calls it (the file name without
    /// `.yml`); `file` names it in diagnostics and becomes `TaskContract.source`; the class
    /// is resolved against `policy`'s classes.
    public static func load(bytes: some Collection<UInt8>, name: String, file: String, policy: Policy) throws(PolicyError) -> TaskContract {
        if bytes.count > Limits.contractBytes { throw tooLarge(bytes.count, file: file) }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw PolicyError(diagnostics: [
                PolicyDiagnostic(
                    location: SourceLocation(file: file, line: YAMLText.firstNonUTF8Line(bytes)),
                    message: "the contract is not valid UTF-8 text")
            ])
        }
        return try load(yaml: text, name: name, file: file, policy: policy)
    }

    /// `load(bytes:name:file:policy:)` for text.
    public static func load(yaml: String, name: String, file: String, policy: Policy) throws(PolicyError) -> TaskContract {
        var yaml = yaml
        let count = yaml.withUTF8(\.count)
        if count > Limits.contractBytes { throw tooLarge(count, file: file) }
        var reader = ContractReader(file: file, policy: policy)
        if !TaskContract.isValidName(name) {
            reader.error(line: 0, "'\(TaskContract.shown(name))' is not a contract name: \(TaskContract.nameRule)")
        }
        let contract = reader.read(yaml, name: name)
        if let contract, reader.diagnostics.isEmpty { return contract }
        throw PolicyError(diagnostics: reader.sortedDiagnostics)
    }

    /// The one diagnostic for a contract over `Limits.contractBytes`, which is not parsed.
    /// `count` nil: the size is not known, only that it is over.
    public static func tooLarge(_ count: Int?, file: String) -> PolicyError {
        let size = count.map { "\($0) bytes, over" } ?? "over"
        return PolicyError(diagnostics: [
            PolicyDiagnostic(
                location: SourceLocation(file: file, line: 0),
                message: "contract is \(size) the limit of \(Limits.contractBytes) (Limits.contractBytes): not read")
        ])
    }

    /// A date `2026-12-31` (the contract holds through that day, UTC: the moment returned is
    /// the next midnight UTC) or a UTC time `2026-12-31T18:00:00Z`; nil for anything else.
    public static func expiry(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? { CivilTime.number(bytes[range]) }
        func at(_ index: Int, _ character: Character) -> Bool { bytes[index] == character.asciiValue }
        guard bytes.count == 10 || bytes.count == 20, at(4, "-"), at(7, "-"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10)
        else { return nil }
        if bytes.count == 10 {
            return CivilTime.date(year: year, month: month, day: day)?.addingTimeInterval(24 * 60 * 60)
        }
        guard at(10, "T"), at(13, ":"), at(16, ":"), at(19, "Z"),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        return CivilTime.date(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }
}

// MARK: - The reader

/// Walks a contract's YAML tree once, building the contract and collecting every problem.
private struct ContractReader: YAMLDiagnosing {
    let file: String
    let policy: Policy
    var diagnostics: [PolicyDiagnostic] = []

    init(file: String, policy: Policy) {
        self.file = file
        self.policy = policy
    }

    private enum Key: String, CaseIterable {
        case version, goal, owner
        case `class`
        case paths, forbid, expires
        case maxChangedLines = "max_changed_lines"
    }

    mutating func read(_ yaml: String, name: String) -> TaskContract? {
        let composed = YAMLComposer.compose(yaml, document: "contract")
        for problem in composed.problems {
            error(line: problem.line, column: problem.column, problem.message)
        }
        guard composed.complete else { return nil }
        guard let root = composed.root, !isNull(root) else {
            error(line: 1, "the contract is empty; it needs at least 'version: \(TaskContract.supportedVersion)', 'goal', 'owner' and 'class'")
            return nil
        }
        guard case .mapping = root else {
            error(root, "the contract must be a mapping of keys to values, found \(describe(root))")
            return nil
        }
        guard let top = mapping(root, in: "the contract", keys: Key.allCases.map(\.rawValue)) else { return nil }
        var locations = [String: SourceLocation]()
        func noteLocation(_ key: String, as name: String? = nil, in fields: YAMLFields? = nil) {
            if let node = (fields ?? top).keys[key] { locations[name ?? key] = location(of: node) }
        }

        // The version first: a newer contract is refused by name and nothing else in it is judged.
        if let node = top[Key.version.rawValue] {
            if let version = integer(node, key: "version") {
                if version > TaskContract.supportedVersion {
                    diagnostics = [diagnostic(node,
                        "contract version \(version) is newer than this agentreview understands (\(TaskContract.supportedVersion)); upgrade agentreview")]
                    return nil
                }
                if version < 1 {
                    diagnostics = [diagnostic(node,
                        "contract version \(version) does not exist; this agentreview understands version \(TaskContract.supportedVersion)")]
                    return nil
                }
            }
        } else {
            error(root, "missing required key 'version' (write 'version: \(TaskContract.supportedVersion)')")
        }

        let goal = requiredText(top, Key.goal.rawValue, root: root, what: "what the task is, in a sentence")
        noteLocation(Key.goal.rawValue)
        let owner = requiredText(top, Key.owner.rawValue, root: root, what: "who answers for the contract: an email or a name")
        noteLocation(Key.owner.rawValue)

        var ceiling: Int?
        let classNames = policy.classes.map(\.name)
        if let node = top[Key.class.rawValue] {
            if let value = string(node, key: "class") {
                if let rank = policy.rank(of: value) {
                    ceiling = rank
                } else {
                    error(node, "unknown class '\(value)' in 'class'" + suggestion(for: value, among: classNames)
                        + " (the policy's classes are \(classNames.joined(separator: ", ")))")
                }
            }
        } else {
            error(root, "missing required key 'class' (the highest class its commits may reach: one of \(classNames.joined(separator: ", ")))")
        }
        noteLocation(Key.class.rawValue)

        var allow = [TaskContract.PathClause]()
        var deny = [TaskContract.PathClause]()
        if let node = top[Key.paths.rawValue], !isNull(node),
           let paths = mapping(node, in: "'paths'", keys: ["allow", "deny"]) {
            if let node = paths["allow"] {
                allow = patterns(node, key: "paths.allow")
                noteLocation("allow", as: "paths.allow", in: paths)
                if case .sequence(let items) = node, items.isEmpty {
                    error(node, "'paths.allow' lists no pattern, which would allow every path: list what the contract allows, or leave 'allow' out")
                }
            }
            if let node = paths["deny"] {
                deny = patterns(node, key: "paths.deny")
                noteLocation("deny", as: "paths.deny", in: paths)
            }
        }

        var forbid = [TaskContract.ForbidClause]()
        if let node = top[Key.forbid.rawValue] {
            forbid = actions(node)
            noteLocation(Key.forbid.rawValue)
        }

        var expires: Date?
        if let node = top[Key.expires.rawValue] {
            noteLocation(Key.expires.rawValue)
            let form = "a date (2026-12-31: the contract holds through that day, UTC) or a UTC time (2026-12-31T18:00:00Z)"
            if case .scalar(let scalar) = node, !isNull(node) {
                if let date = ContractLoader.expiry(scalar.string) {
                    expires = date
                } else {
                    error(node, "'expires' must be \(form), found '\(TaskContract.shown(scalar.string))'")
                }
            } else {
                error(node, "'expires' must be \(form), found \(describe(node))")
            }
        }

        var maxChangedLines: Int?
        if let node = top[Key.maxChangedLines.rawValue] {
            noteLocation(Key.maxChangedLines.rawValue)
            if let count = integer(node, key: "max_changed_lines") {
                if count > 0 { maxChangedLines = count } else { error(node, "'max_changed_lines' must be an integer > 0, found \(count)") }
            }
        }

        guard diagnostics.isEmpty, let goal, let owner, let ceiling else { return nil }
        return TaskContract(
            name: name, source: file, goal: goal, owner: owner, ceiling: ceiling, allow: allow, deny: deny, forbid: forbid,
            expires: expires, maxChangedLines: maxChangedLines, locations: locations)
    }

    /// A required key holding text that is not only spaces.
    private mutating func requiredText(_ fields: YAMLFields, _ key: String, root: YAMLNode, what: String) -> String? {
        guard let node = fields[key] else {
            error(root, "missing required key '\(key)' (\(what))")
            return nil
        }
        guard let text = string(node, key: key) else { return nil }
        if text.allSatisfy(\.isWhitespace) {
            error(node, "'\(key)' must not be empty")
            return nil
        }
        return text
    }

    /// A list of path patterns, each with where it is written.
    private mutating func patterns(_ node: YAMLNode, key: String) -> [TaskContract.PathClause] {
        guard let items = stringNodes(node, key: key) else { return [] }
        var clauses = [TaskContract.PathClause]()
        for (text, item) in items {
            do throws(PatternError) {
                clauses.append(TaskContract.PathClause(pattern: try PathPattern(text), location: location(of: item)))
            } catch {
                self.error(item, "in '\(key)': \(error.description)")
            }
        }
        return clauses
    }

    /// The `forbid` list: each a known action, each once.
    private mutating func actions(_ node: YAMLNode) -> [TaskContract.ForbidClause] {
        guard let items = stringNodes(node, key: "forbid") else { return [] }
        let names = ContractAction.allCases.map(\.rawValue)
        var clauses = [TaskContract.ForbidClause]()
        for (text, item) in items {
            guard let action = ContractAction(rawValue: text) else {
                error(item, "unknown action '\(TaskContract.shown(text))' in 'forbid'" + suggestion(for: text, among: names)
                    + " (the actions are \(names.joined(separator: ", ")))")
                continue
            }
            if let first = clauses.first(where: { $0.action == action }) {
                error(item, "'\(text)' is in 'forbid' twice (first at line \(first.location.line))")
                continue
            }
            clauses.append(TaskContract.ForbidClause(action: action, location: location(of: item)))
        }
        return clauses
    }
}
