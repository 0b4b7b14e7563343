// YAML is parsed by libyaml (Debian's libyaml-dev, linked in: Package.swift) and composed
// here, into `YAMLNode`s. Yams composed it before, and its trees and messages are what this
// keeps: `YAMLComposerTests` compares both, Yams being the tests' oracle. Internal: nothing of
// libyaml appears in this module's interface.
internal import CLibYAML

/// Composes the one document of a YAML text into a tree of `YAMLNode`s, straight from
/// libyaml's events, collecting what is wrong with it.
///
/// The tree is the one Yams composed (`Yams.compose` with the basic resolver): the same
/// strings, tags as written (a mapping key's resolved, `YAMLNode.asKey`), styles and marks;
/// an alias is a copy of the node it names. Syntax errors are reported as libyaml words
/// them, where Yams placed them, and end composition.
///
/// Duplicate keys do not: every later occurrence of a scalar key in a mapping (plain,
/// quoted or an alias of one) is reported, with the line of the first, and left out of the
/// mapping, as if not written (its value is still composed, for what is in it); keys are
/// equal as Yams compares them, same text and same resolved tag, so `a` and `'a'` are one
/// key. The first `listed` are listed, the rest summed up. Yams refused a mapping with a
/// duplicate key only when the mapping ended, and reported duplicates only then: so a syntax
/// error, or another error of its, before any such mapping ends is reported alone, as it
/// was. Keys that are lists or mappings are not compared (Yams stopped at two equal ones):
/// the readers refuse every one.
///
/// Bounded, whatever the text: no node is nested deeper than `maxDepth`, counting what
/// aliases copy, and aliases copy at most `aliasedNodes(in:)` nodes in all (an alias bomb,
/// aliases of aliases of lists of aliases, would make billions).
///
/// Where it differs from Yams on purpose: an anchored node used as a key keeps its own tags
/// where it is not a key (Yams shares one tag object between the key and every alias of it,
/// so a value aliasing a key, or aliased by a key, was retagged `str`: `&k 1: x` made a later
/// `*k` value the string "1"); duplicate keys are left out rather than renamed, so a
/// duplicate written over several lines, or anchored and aliased later, is reported like
/// any other, and a key that happens to look like a renamed one is an unknown key; a
/// syntax error after a duplicate on its line is placed at its own column (Yams placed it
/// in the renamed text); anything deeper than `maxDepth` is refused (Yams's libyaml
/// stopped at 1000 levels, Debian's 0.2.5 does not stop).
enum YAMLComposer {
    /// The most levels a node is nested below the document's root.
    static var maxDepth: Int { Limits.yamlDepth }

    /// Duplicate keys listed one by one before the rest are summed up.
    static var listed: Int { Limits.policyDuplicateKeys }

    /// The most nodes aliases may copy into one document (`Limits.yamlAliasedNodes`).
    static func aliasedNodes(in yaml: String) -> Int { max(Limits.yamlAliasedNodes, yaml.utf8.count) }

    struct Problem: Equatable {
        var line: Int
        var column: Int
        var message: String
    }

    struct Result {
        /// Nil for a text with no document (empty, or only comments).
        var root: YAMLNode?
        var problems: [Problem] = []
        /// False when the text could not be composed into a tree at all.
        var complete: Bool
    }

    /// - Parameter document: what the file holds, for messages ("policy", "contract").
    static func compose(_ yaml: String, document: String = "policy") -> Result {
        LibYAML.parsing(yaml, failed: Result(problems: [LibYAML.memoryProblem], complete: false)) { parser in
            var events = Events(parser: parser, yaml: yaml, document: document)
            defer { yaml_event_delete(&events.event) }
            do throws(Failure) {
                let root = try events.document()
                return Result(root: root, problems: events.duplicates.problems, complete: true)
            } catch {
                let duplicates = events.mappingEndedWithDuplicates ? events.duplicates.problems : []
                return Result(problems: duplicates + [error.problem], complete: false)
            }
        }
    }

    /// What ends composition: the problem to report.
    private struct Failure: Error {
        var problem: Problem
    }

    /// A node composed, with its extent.
    private struct Composed {
        var node: YAMLNode
        var extent = Extent()
    }

    /// What bounds a node: how many nodes it is (an alias's counted in full) and how many
    /// levels it nests below itself.
    private struct Extent {
        var size = 1
        var height = 0

        /// Counts a member in.
        mutating func include(_ member: Composed) {
            size += member.extent.size
            height = max(height, member.extent.height + 1)
        }
    }

    /// A mapping key as Yams compares keys.
    private struct KeyIdentity: Hashable {
        var tag: YAMLTag
        var string: String
    }

    /// Duplicate keys, in the order written: the first `listed` and where the next one is.
    private struct Duplicates {
        var listed: [Problem] = []
        var unlisted: Problem?
        var count = 0

        mutating func add(_ key: String, at mark: YAMLNode.Mark, firstLine: Int) {
            count += 1
            if listed.count < YAMLComposer.listed {
                listed.append(Problem(mark, "duplicate key '\(YAMLComposer.shown(key))' (first at line \(firstLine))"))
            } else if unlisted == nil {
                unlisted = Problem(mark, "")
            }
        }

        var problems: [Problem] {
            guard var next = unlisted else { return listed }
            next.message = "and \(count - listed.count) more duplicate keys from here on"
            return listed + [next]
        }
    }

    private struct Events {
        let parser: UnsafeMutablePointer<yaml_parser_t>
        let yaml: String
        /// What the file holds, for messages.
        let holds: String
        var event = yaml_event_t()
        var anchors: [String: Composed] = [:]
        var duplicates = Duplicates()
        /// Whether a mapping with a duplicate key has ended (when Yams reported duplicates).
        var mappingEndedWithDuplicates = false
        /// What aliases may still copy.
        var aliasBudget: Int

        init(parser: UnsafeMutablePointer<yaml_parser_t>, yaml: String, document: String) {
            self.parser = parser
            self.yaml = yaml
            holds = document
            aliasBudget = YAMLComposer.aliasedNodes(in: yaml)
        }

        /// Moves to the next event (the current one deleted).
        mutating func next() throws(Failure) {
            yaml_event_delete(&event)
            guard yaml_parser_parse(parser, &event) == 1 else { throw Failure(problem: LibYAML.problem(parser.pointee, in: yaml)) }
        }

        var mark: YAMLNode.Mark { YAMLNode.Mark(event.start_mark) }

        /// The stream's one document, as Yams's `compose` reads it: the stream's start, then
        /// nothing (no document) or a document's start, its root and end, and the stream's end.
        mutating func document() throws(Failure) -> YAMLNode? {
            try next()
            try next()
            if event.type == YAML_STREAM_END_EVENT { return nil }
            try next()
            let root = try node(depth: 0)
            try next()
            try next()
            guard event.type == YAML_STREAM_END_EVENT else {
                throw Failure(problem: Problem(mark, "a \(holds) is a single YAML document, but another one starts here"))
            }
            return root.node
        }

        /// The node that starts at the current event; the current event is then its last.
        mutating func node(depth: Int) throws(Failure) -> Composed {
            let mark = self.mark
            guard depth <= YAMLComposer.maxDepth else { throw Self.tooDeep(mark) }
            switch event.type {
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                guard let value = String(validating: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self) else {
                    throw Failure(problem: Problem(mark, "invalid YAML: a scalar that is not UTF-8"))
                }
                let style = YAMLNode.Scalar.Style(rawValue: numericCast(scalar.style.rawValue)) ?? .any
                let node = YAMLNode.scalar(.init(string: value, tag: LibYAML.tag(of: scalar), style: style, mark: mark))
                return anchoring(LibYAML.string(scalar.anchor), Composed(node: node))
            case YAML_ALIAS_EVENT:
                guard let name = LibYAML.string(event.data.alias.anchor), let anchored = anchors[name] else {
                    throw Failure(problem: Problem(mark, "invalid YAML: found undefined alias"))
                }
                guard depth + anchored.extent.height <= YAMLComposer.maxDepth else { throw Self.tooDeep(mark) }
                aliasBudget -= anchored.extent.size
                guard aliasBudget >= 0 else {
                    throw Failure(problem: Problem(mark, "invalid YAML: aliases expand to more than \(YAMLComposer.aliasedNodes(in: yaml)) nodes (Limits.yamlAliasedNodes)"))
                }
                return anchored
            case YAML_SEQUENCE_START_EVENT:
                let start = event.data.sequence_start
                let (name, tag) = (LibYAML.string(start.anchor), LibYAML.tag(start.implicit, start.tag))
                var items: [YAMLNode] = []
                var extent = Extent()
                while true {
                    try next()
                    if event.type == YAML_SEQUENCE_END_EVENT { break }
                    let item = try node(depth: depth + 1)
                    items.append(item.node)
                    extent.include(item)
                }
                return anchoring(name, Composed(node: .sequence(.init(items: items, tag: tag, mark: mark)), extent: extent))
            case YAML_MAPPING_START_EVENT:
                let start = event.data.mapping_start
                let (name, tag) = (LibYAML.string(start.anchor), LibYAML.tag(start.implicit, start.tag))
                var pairs: [(YAMLNode, YAMLNode)] = []
                var firstLines: [KeyIdentity: Int] = [:]
                var hasDuplicate = false
                var extent = Extent()
                while true {
                    try next()
                    if event.type == YAML_MAPPING_END_EVENT { break }
                    // Where the key is written: an alias's own place, not its anchor's.
                    let keyMark = self.mark
                    var key = try node(depth: depth + 1)
                    key.node = key.node.asKey
                    var duplicate = false
                    if case .scalar(let scalar) = key.node {
                        let identity = KeyIdentity(tag: scalar.tag, string: scalar.string)
                        if let firstLine = firstLines[identity] {
                            duplicates.add(scalar.string, at: keyMark, firstLine: firstLine)
                            duplicate = true
                            hasDuplicate = true
                        } else {
                            firstLines[identity] = keyMark.line
                        }
                    }
                    try next()
                    let value = try node(depth: depth + 1)
                    if !duplicate {
                        pairs.append((key.node, value.node))
                        extent.include(key)
                        extent.include(value)
                    }
                }
                if hasDuplicate { mappingEndedWithDuplicates = true }
                return anchoring(name, Composed(node: .mapping(.init(pairs: pairs, tag: tag, mark: mark)), extent: extent))
            default:
                throw Failure(problem: Problem(mark, "invalid YAML: no node where one was expected"))
            }
        }

        /// `composed`, which an alias of `name` now copies (a later anchor of the same name
        /// replaces it, as in Yams; an alias inside the node itself names an earlier one).
        mutating func anchoring(_ name: String?, _ composed: Composed) -> Composed {
            if let name { anchors[name] = composed }
            return composed
        }

        static func tooDeep(_ mark: YAMLNode.Mark) -> Failure {
            Failure(problem: Problem(mark, "invalid YAML: nesting deeper than \(YAMLComposer.maxDepth) levels (Limits.yamlDepth)"))
        }
    }

    /// A key as messages show it: a long one is cut short.
    static func shown(_ key: String) -> String {
        key.unicodeScalars.count > 60 ? String(String.UnicodeScalarView(key.unicodeScalars.prefix(50))) + "…" : key
    }
}

extension YAMLComposer.Problem {
    /// `message`, at `mark`.
    init(_ mark: YAMLNode.Mark, _ message: String) {
        self.init(line: mark.line, column: mark.column, message: message)
    }
}

extension YAMLNode.Mark {
    /// libyaml's mark, 0-based, made 1-based.
    fileprivate init(_ mark: yaml_mark_t) {
        self.init(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }
}

/// libyaml's parser, strings, tags and errors, as Yams read them.
enum LibYAML {
    /// `body` with a parser reading `yaml` as UTF-8; `failed` when no parser can be made.
    static func parsing<T>(_ yaml: String, failed: T, _ body: (UnsafeMutablePointer<yaml_parser_t>) -> T) -> T {
        var text = yaml
        return text.withUTF8 { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return failed }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            return withUnsafeMutablePointer(to: &parser, body)
        }
    }

    /// A NUL-terminated string of libyaml's (an anchor, a tag, a message).
    static func string(_ pointer: UnsafePointer<yaml_char_t>?) -> String? {
        pointer.map { String(decodingCString: $0, as: UTF8.self) }
    }

    /// One of libyaml's messages.
    static func message(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// A scalar's tag as Yams reads it: `str` for a quoted one, the tag written, or none.
    static func tag(of scalar: yaml_event_t.__Unnamed_union_data.__Unnamed_struct_scalar) -> YAMLTag {
        scalar.quoted_implicit == 1 ? .str : string(scalar.tag).map(YAMLTag.init(rawValue:)) ?? .implicit
    }

    /// A collection's tag as Yams reads it: the tag written, or none.
    static func tag(_ implicit: Int32, _ tag: UnsafePointer<yaml_char_t>?) -> YAMLTag {
        (implicit != 0 ? nil : string(tag).map(YAMLTag.init(rawValue:))) ?? .implicit
    }

    static let memoryProblem = YAMLComposer.Problem(line: 1, column: 1, message: "invalid YAML: Memory error")

    /// The parser's error, as Yams's `YamlError` carried it and the readers worded it: "invalid
    /// YAML: " and libyaml's problem, with its context and the context's line, at the
    /// problem's place; an input that cannot be read (a control character) at its line.
    static func problem(_ parser: yaml_parser_t, in yaml: String) -> YAMLComposer.Problem {
        let problem = message(parser.problem) ?? "unknown problem"
        switch parser.error {
        case YAML_MEMORY_ERROR:
            return memoryProblem
        case YAML_READER_ERROR:
            // Yams counted the lines (LF and CRLF) before the problem's byte.
            let offset = Int(parser.problem_offset)
            let line = offset <= yaml.utf8.count ? 1 + yaml.utf8.prefix(offset).count(where: { $0 == 0x0A }) : 1
            return YAMLComposer.Problem(line: line, column: 1, message: "invalid YAML: \(problem)")
        default:
            var text = "invalid YAML: \(problem)"
            if let context = message(parser.context) { text += " (\(context) at line \(parser.context_mark.line + 1))" }
            let mark = YAMLNode.Mark(parser.problem_mark)
            return YAMLComposer.Problem(mark, text)
        }
    }
}
