import CLibYAML
import Yams

@testable import AgentReviewCore

// What policies and contracts were composed with before `YAMLComposer`: Yams, and around it
// the duplicate-key handling that reported every duplicate (`DuplicateTolerantComposer`),
// kept here unchanged as the oracle `YAMLComposerTests` compares the composer with.
//
// In this test binary libyaml is Yams's own copy (CYaml) for both: see Package.swift.

/// Everything about a tree, one node a line.
func dump(_ node: YAMLNode, _ indent: String = "") -> String {
    let at = "@\(node.mark.line):\(node.mark.column)"
    switch node {
    case .scalar(let scalar):
        return "\(indent)scalar \(at) tag=\(scalar.tag.rawValue) style=\(scalar.style) \(scalar.string.debugDescription)\n"
    case .mapping(let mapping):
        return "\(indent)mapping \(at) tag=\(mapping.tag.rawValue) kind=\(node.collectionTag.rawValue)\n"
            + mapping.map { dump($0.0, indent + "  ? ") + dump($0.1, indent + "  : ") }.joined()
    case .sequence(let list):
        return "\(indent)list \(at) tag=\(list.tag.rawValue) kind=\(node.collectionTag.rawValue)\n"
            + list.map { dump($0, indent + "  - ") }.joined()
    }
}

extension YAMLNode {
    /// Yams's tree, node by node.
    init(_ node: Node) {
        func mark(_ mark: Yams.Mark?) -> Mark { Mark(line: mark?.line ?? 1, column: mark?.column ?? 1) }
        func tag(_ tag: Yams.Tag) -> YAMLTag { YAMLTag(rawValue: tag.description) }
        switch node {
        case .scalar(let scalar):
            self = .scalar(Scalar(
                string: scalar.string, tag: tag(scalar.tag), style: Scalar.Style(rawValue: scalar.style.rawValue) ?? .any,
                mark: mark(scalar.mark)))
        case .mapping(let mapping):
            self = .mapping(Mapping(pairs: mapping.map { (YAMLNode($0.key), YAMLNode($0.value)) }, tag: tag(mapping.tag), mark: mark(mapping.mark)))
        case .sequence(let sequence):
            self = .sequence(List(items: sequence.map(YAMLNode.init), tag: tag(sequence.tag), mark: mark(sequence.mark)))
        case .alias:
            preconditionFailure("Yams resolves every alias when it composes")
        }
    }

    /// The tree without the pairs whose key `LegacyComposer` renamed: what the readers read
    /// of it (they skipped those keys).
    var withoutRenamedKeys: YAMLNode {
        switch self {
        case .scalar: return self
        case .mapping(var mapping):
            mapping.pairs = mapping.pairs
                .filter { !($0.0.scalar?.string.hasPrefix(LegacyComposer.renamePrefix) ?? false) }
                .map { ($0.withoutRenamedKeys, $1.withoutRenamedKeys) }
            return .mapping(mapping)
        case .sequence(var list):
            list.items = list.items.map(\.withoutRenamedKeys)
            return .sequence(list)
        }
    }
}

/// Yams composes; when it finds a duplicate key, one pass over libyaml's events finds them
/// all, each second occurrence is renamed in place to a placeholder the readers skipped (on
/// the same line, so no line number moves) and Yams composes once more.
enum LegacyComposer {
    typealias Problem = YAMLComposer.Problem
    typealias Result = YAMLComposer.Result

    static let renamePrefix = "agentreview-duplicate-key-"

    static var listed: Int { Limits.policyDuplicateKeys }

    static func compose(_ yaml: String, document: String = "policy") -> Result {
        do {
            return Result(root: try Yams.compose(yaml: yaml, .basic, .default, .utf8).map(YAMLNode.init), complete: true)
        } catch YamlError.duplicatedKeysInMapping {
            return composeRenaming(yaml, document: document)
        } catch let error as YamlError {
            return Result(problems: [syntaxProblem(error, yaml: yaml, document: document)], complete: false)
        } catch {
            return Result(problems: [Problem(line: 1, column: 1, message: "invalid YAML: \(error)")], complete: false)
        }
    }

    struct Duplicate {
        var key: String
        var line: Int
        var column: Int
        var firstLine: Int
        var range: Range<Int>
    }

    private static func composeRenaming(_ yaml: String, document: String) -> Result {
        let duplicates = findDuplicates(yaml)
        var problems: [Problem] = []
        for duplicate in duplicates.prefix(listed) {
            problems.append(Problem(line: duplicate.line, column: duplicate.column,
                                    message: "duplicate key '\(YAMLComposer.shown(duplicate.key))' (first at line \(duplicate.firstLine))"))
        }
        if duplicates.count > listed {
            let next = duplicates[listed]
            problems.append(Problem(line: next.line, column: next.column,
                                    message: "and \(duplicates.count - listed) more duplicate keys from here on"))
        }
        var scalars = Array(yaml.unicodeScalars)
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
            let key = keys.sorted().first ?? ""
            problems.append(Problem(line: context.mark.line, column: context.mark.column,
                                    message: "duplicate key '\(YAMLComposer.shown(key))' in this mapping"))
        } catch let error as YamlError {
            problems.append(syntaxProblem(error, yaml: text, document: document))
        } catch {
            problems.append(Problem(line: 1, column: 1, message: "invalid YAML: \(error)"))
        }
        return Result(problems: problems, complete: false)
    }

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
                    let node = Yams.Node.scalar(.init(value, Tag(Tag.Name(rawValue: LibYAML.tag(of: scalar).rawValue), .basic)))
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

    static func syntaxProblem(_ error: YamlError, yaml: String, document: String = "policy") -> Problem {
        func make(_ context: YamlError.Context?, _ problem: String, _ mark: Yams.Mark) -> Problem {
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

    /// Whether an anchored node, or an alias, is in a mapping key: where Yams's shared tag
    /// objects retag the node everywhere it is used (`YAMLComposer` keeps its own tags).
    static func anchorsMeetKeys(_ yaml: String) -> Bool {
        var found = false
        LibYAML.parsing(yaml, failed: ()) { parser in
            // Per open collection: whether a mapping, and whether its next node is a key.
            var stack: [(isMapping: Bool, expectingKey: Bool)] = []
            var keyDepth: Int?  // the stack's depth where the outermost open key started
            var event = yaml_event_t()
            func started(_ anchored: Bool) {
                let inKey = keyDepth != nil || (stack.last.map { $0.isMapping && $0.expectingKey } ?? false)
                if inKey && anchored { found = true }
            }
            func finished() {
                if let depth = keyDepth, depth == stack.count { keyDepth = nil }
                guard let top = stack.indices.last, stack[top].isMapping else { return }
                stack[top].expectingKey.toggle()
            }
            while !found, yaml_parser_parse(parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_SCALAR_EVENT:
                    started(event.data.scalar.anchor != nil)
                    finished()
                case YAML_ALIAS_EVENT:
                    started(true)
                    finished()
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let anchor = event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                    if keyDepth == nil, let top = stack.last, top.isMapping, top.expectingKey { keyDepth = stack.count }
                    started(anchor != nil)
                    stack.append((event.type == YAML_MAPPING_START_EVENT, true))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    stack.removeLast()
                    finished()
                case YAML_STREAM_END_EVENT:
                    return
                default:
                    continue
                }
            }
        }
        return found
    }
}
