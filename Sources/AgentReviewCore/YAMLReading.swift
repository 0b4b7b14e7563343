// The typed reading of YAML shared by the policy and task contract readers: one piece of
// code per piece of logic, so both say the same things in the same words.
//
// libyaml, the parser under Yams, for the one thing Yams cannot do: list every duplicate
// key with its position (Yams stops at the first mapping that has one, and offers no
// event-level API). Internal: nothing of it or of Yams appears in this module's interface.
internal import CYaml
import Foundation
internal import Yams

/// A reader of one YAML file that collects every problem with its line: the policy's
/// (`PolicyReader`) and a task contract's (`ContractReader`). The helpers below read typed
/// values (reporting what is wrong where it is written) and report problems.
protocol YAMLDiagnosing {
    /// How the file is named in diagnostics.
    var file: String { get }
    var diagnostics: [PolicyDiagnostic] { get set }
}

/// The fields of a mapping, by key: the value written and the key's own node (where the key
/// is written, for a clause's location).
struct YAMLFields {
    var values: [String: YAMLNode] = [:]
    var keys: [String: YAMLNode] = [:]
    subscript(key: String) -> YAMLNode? { values[key] }
}

/// Text-level helpers for files that must be UTF-8.
enum YAMLText {
    /// The 1-based line holding the first byte sequence that is not UTF-8.
    static func firstNonUTF8Line(_ bytes: some Collection<UInt8>) -> Int {
        var line = 1
        for chunk in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            if String(bytes: chunk, encoding: .utf8) == nil { return line }
            line += 1
        }
        return 1
    }
}

extension YAMLDiagnosing {
    /// The diagnostics in the order of the file (line, then column, then as found).
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

    // MARK: Typed values

    /// The fields of a mapping, with unknown keys reported. Nil (reported) when `node` is not a mapping.
    /// `naming`/`as` give entries a name in messages once their name field is known ("class 'high'").
    mutating func mapping(
        _ node: YAMLNode, in context: String, keys known: [String], naming nameKey: String? = nil, as kind: String = ""
    ) -> YAMLFields? {
        guard case .mapping(let pairs) = node else {
            error(node, "\(context) must be a mapping, found \(describe(node))")
            return nil
        }
        var fields = YAMLFields()
        var unknown: [(String, YAMLNode)] = []
        for (keyNode, value) in pairs {
            guard case .scalar(let scalar) = keyNode else {
                error(keyNode, "keys in \(context) must be plain names, found \(describe(keyNode))")
                continue
            }
            let key = scalar.string
            if DuplicateTolerantComposer.isRenamed(key) { continue }  // already reported as a duplicate
            if known.contains(key) {
                fields.values[key] = value
                fields.keys[key] = keyNode
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

    /// A key of a user-named mapping (teams, users, gates).
    mutating func mapKey(_ node: YAMLNode, in context: String) -> String? {
        guard case .scalar(let scalar) = node, !isNullKey(scalar) else {
            error(node, "keys in \(context) must be names, found \(node.scalar == nil ? describe(node) : "nothing")")
            return nil
        }
        if DuplicateTolerantComposer.isRenamed(scalar.string) { return nil }
        return scalar.string
    }

    /// The items of an optional list-valued key; nothing written means an empty list.
    mutating func list(_ node: YAMLNode?, key: String, of what: String) -> [YAMLNode]? {
        guard let node, !isNull(node) else { return nil }
        guard case .sequence(let sequence) = node else {
            error(node, "'\(key)' must be a list of \(what), found \(describe(node))")
            return nil
        }
        return Array(sequence)
    }

    mutating func integer(_ node: YAMLNode, key: String) -> Int? {
        if kind(of: node) == .int {
            if let value = node.integer { return value }
            error(node, "'\(key)' is too large, found \(describe(node))")
            return nil
        }
        error(node, "'\(key)' must be an integer, found \(describe(node))")
        return nil
    }

    mutating func boolean(_ node: YAMLNode, key: String) -> Bool? {
        if kind(of: node) == .bool, case .scalar(let scalar) = node, let value = YAMLPlainScalar.bool(scalar.string) { return value }
        error(node, "'\(key)' must be true or false, found \(describe(node))")
        return nil
    }

    /// Any scalar but an empty one, read as written: a plain `off` is the word, not YAML 1.1's false.
    mutating func string(_ node: YAMLNode, key: String, allowEmpty: Bool = false) -> String? {
        if case .scalar(let scalar) = node, !isNull(node) {
            if !scalar.string.isEmpty || allowEmpty { return scalar.string }
            error(node, "'\(key)' must not be empty")
            return nil
        }
        error(node, "'\(key)' must be a string, found \(describe(node))")
        return nil
    }

    mutating func stringNodes(_ node: YAMLNode, key: String) -> [(String, YAMLNode)]? {
        if isNull(node) { return [] }
        guard case .sequence(let sequence) = node else {
            var message = "'\(key)' must be a list of strings, found \(describe(node))"
            if case .scalar(let scalar) = node, !scalar.string.isEmpty {
                message += " (write [\(scalar.string)] for a list of one)"
            }
            error(node, message)
            return nil
        }
        var result: [(String, YAMLNode)] = []
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

    mutating func stringList(_ node: YAMLNode, key: String) -> [String]? {
        stringNodes(node, key: key)?.map(\.0)
    }

    /// One of `names`, made by `make`. `suggesting`: a word close to a name is answered with
    /// "did you mean" (off where the policy's messages were written without it).
    mutating func oneOf<T>(_ node: YAMLNode, key: String, _ names: [String], suggesting: Bool = false, _ make: (String) -> T?) -> T? {
        if case .scalar(let scalar) = node, !isNull(node), let value = make(scalar.string) { return value }
        let found = if case .scalar(let scalar) = node, !isNull(node) { "'\(scalar.string)'" } else { describe(node) }
        var message = "'\(key)' must be one of \(names.joined(separator: ", ")), found \(found)"
        if suggesting, case .scalar(let scalar) = node, !isNull(node) { message += suggestion(for: scalar.string, among: names) }
        error(node, message)
        return nil
    }

    /// A path inside the repository, relative to its root.
    mutating func repositoryPath(_ node: YAMLNode, key: String, hint: String = "") -> String? {
        guard let path = string(node, key: key) else { return nil }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        if path.hasPrefix("/") || components.contains("..") || path.hasSuffix("/") {
            error(node, "'\(key)' must be a file path inside the repository, relative to its root\(hint), found '\(path)'")
            return nil
        }
        return path
    }

    // MARK: Reporting

    func isNull(_ node: YAMLNode) -> Bool {
        if case .scalar = node { return kind(of: node) == .null }
        return false
    }

    /// The resolved tag of a node: what YAML reads a plain scalar as (`1` an int, `true` a bool,
    /// `~` null). Files are composed with Yams's basic resolver (see `YAMLPlainScalar`), so a
    /// scalar's own tag is read as written: none (`implicit`) for a plain scalar, resolved
    /// here; `str` for a quoted one; or the tag written (`!!int 3`).
    func kind(of node: YAMLNode) -> Tag.Name {
        guard case .scalar(let scalar) = node else { return node.collectionTag }
        let written = scalar.tag
        return written == .implicit ? YAMLPlainScalar.kind(of: scalar.string) : written
    }

    /// Whether a mapping key is null (`~`, `null`, nothing). Yams's check for duplicate keys
    /// has resolved every key's tag already (to `str`, with the basic resolver), so a plain
    /// key is judged by its text.
    func isNullKey(_ scalar: YAMLNode.Scalar) -> Bool {
        scalar.style == .plain ? YAMLPlainScalar.kind(of: scalar.string) == .null : kind(of: .scalar(scalar)) == .null
    }

    func describe(_ node: YAMLNode) -> String {
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

    func line(of node: YAMLNode) -> Int { node.mark.line }

    func location(of node: YAMLNode) -> SourceLocation {
        SourceLocation(file: file, line: node.mark.line, column: node.mark.column)
    }

    func diagnostic(_ node: YAMLNode, _ message: String) -> PolicyDiagnostic {
        PolicyDiagnostic(location: location(of: node), message: message)
    }

    mutating func error(_ node: YAMLNode, _ message: String) {
        diagnostics.append(diagnostic(node, message))
    }

    mutating func error(line: Int, column: Int = 1, _ message: String) {
        diagnostics.append(PolicyDiagnostic(location: SourceLocation(file: file, line: line, column: column), message: message))
    }

    /// "; did you mean 'x'?" for the closest known name, or "" when none is close.
    func suggestion(for word: String, among candidates: [String]) -> String {
        guard let best = Spelling.closest(to: word, among: candidates) else { return "" }
        return "; did you mean '\(best)'?"
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
enum DuplicateTolerantComposer {
    struct Problem {
        var line: Int
        var column: Int
        var message: String
    }

    struct Result {
        var root: YAMLNode?
        var problems: [Problem] = []
        /// False when the text could not be composed into a tree at all.
        var complete: Bool
    }

    static let renamePrefix = "agentreview-duplicate-key-"

    static func isRenamed(_ key: String) -> Bool { key.hasPrefix(renamePrefix) }

    /// Duplicate keys listed one by one before the rest are summed up.
    static var listed: Int { Limits.policyDuplicateKeys }

    /// - Parameter document: what the file holds, for messages ("policy", "contract").
    static func compose(_ yaml: String, document: String = "policy") -> Result {
        // A clean document, straight from libyaml's events (`YAMLEventComposer`).
        if let root = YAMLEventComposer.compose(yaml) { return Result(root: root, complete: true) }
        do {
            // The encoding given, not Yams's default: that reads the whole environment.
            return Result(root: try Yams.compose(yaml: yaml, .basic, .default, .utf8).map(YAMLNode.init), complete: true)
        } catch YamlError.duplicatedKeysInMapping {
            return composeRenaming(yaml, document: document)
        } catch let error as YamlError {
            return Result(problems: [syntaxProblem(error, yaml: yaml, document: document)], complete: false)
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

    private static func composeRenaming(_ yaml: String, document: String) -> Result {
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
            return Result(root: try Yams.compose(yaml: text, .basic, .default, .utf8).map(YAMLNode.init), problems: problems, complete: true)
        } catch let YamlError.duplicatedKeysInMapping(keys, context) {
            // Equal keys that are not plain scalars (lists, mappings): Yams still finds them.
            let key = keys.sorted().first ?? ""
            problems.append(Problem(line: context.mark.line, column: context.mark.column,
                                    message: "duplicate key '\(shown(key))' in this mapping"))
        } catch let error as YamlError {
            problems.append(syntaxProblem(error, yaml: text, document: document))
        } catch {
            problems.append(Problem(line: 1, column: 1, message: "invalid YAML: \(error)"))
        }
        return Result(problems: problems, complete: false)
    }

    /// Every later occurrence of a scalar key (plain, quoted or an alias of one) in the
    /// mappings of the first document, in the order written: one pass over libyaml's events.
    /// Keys are equal as Yams compares them: same text, same tag (with the basic resolver
    /// that composes them, a plain key's is `str`, as a quoted one's).
    static func findDuplicates(_ yaml: String) -> [Duplicate] {
        struct Frame {
            var isMapping: Bool
            var expectingKey = true
            var seen: [Yams.Node: Int] = [:]
        }
        var duplicates: [Duplicate] = []
        LibYAML.parsing(yaml, failed: ()) { parser in
            var stack: [Frame] = []
            var anchors: [String: Yams.Node] = [:]
            var event = yaml_event_t()
            /// A node ends; `key` is it as a mapping key when it is a scalar (or an alias of one).
            func finished(_ key: Yams.Node?, _ event: yaml_event_t) {
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
            parsing: while yaml_parser_parse(parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_SCALAR_EVENT:
                    let scalar = event.data.scalar
                    let value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                    let node = Yams.Node.scalar(.init(value, Tag(LibYAML.tag(of: scalar), .basic)))
                    if let anchor = LibYAML.string(scalar.anchor) { anchors[anchor] = node }
                    finished(node, event)
                case YAML_ALIAS_EVENT:
                    finished(LibYAML.string(event.data.alias.anchor).flatMap { anchors[$0] }, event)
                case YAML_SEQUENCE_START_EVENT:
                    if let anchor = LibYAML.string(event.data.sequence_start.anchor) { anchors[anchor] = nil }
                    stack.append(Frame(isMapping: false))
                case YAML_MAPPING_START_EVENT:
                    if let anchor = LibYAML.string(event.data.mapping_start.anchor) { anchors[anchor] = nil }
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

    static func syntaxProblem(_ error: YamlError, yaml: String, document: String = "policy") -> Problem {
        func make(_ context: YamlError.Context?, _ problem: String, _ mark: Mark) -> Problem {
            if let context, context.text.hasPrefix("expected a single document") {
                return Problem(line: mark.line, column: mark.column,
                               message: "a \(document) is a single YAML document, but another one starts here")
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
