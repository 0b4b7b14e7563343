internal import CYaml
internal import Yams

/// The tree Yams composes of a text (`Yams.compose(yaml:_:_:_:)` with the basic resolver,
/// carried over by `YAMLNode.init(_:)`), built straight from libyaml's events, for a text
/// that composes without a problem.
///
/// Yams composes through an object per event, a table of conversions built at first use
/// and a check for duplicate keys that groups every mapping's keys in a dictionary of
/// nodes; reading the policy was a sixth of a 1-commit hook, most of it there. This builds
/// the same nodes: the same strings, tags as written (a mapping key's resolved, as Yams's
/// check leaves it), styles and marks. It answers only for one document that libyaml
/// parses without an error, whose mapping keys are scalars written out (no alias, no
/// anchor: Yams's shared tags would make those differ), each once in its mapping, and that
/// nests no deeper than `maxDepth`. For anything else it answers nil, and
/// `DuplicateTolerantComposer` composes with Yams as before, with Yams's messages.
/// `YAMLEventComposerTests` checks the two trees are the same.
enum YAMLEventComposer {
    static let maxDepth = 64

    static func compose(_ yaml: String) -> YAMLNode? {
        LibYAML.parsing(yaml, failed: nil) { parser in
            var events = Events(parser: parser)
            defer { yaml_event_delete(&events.event) }
            return events.document()
        }
    }

    private struct Events {
        let parser: UnsafeMutablePointer<yaml_parser_t>
        var event = yaml_event_t()
        var anchors: [String: YAMLNode] = [:]

        init(parser: UnsafeMutablePointer<yaml_parser_t>) {
            self.parser = parser
        }

        /// Moves to the next event (the current one deleted); false when libyaml stops with an error.
        mutating func next() -> Bool {
            yaml_event_delete(&event)
            return yaml_parser_parse(parser, &event) == 1
        }

        mutating func document() -> YAMLNode? {
            guard next(), event.type == YAML_STREAM_START_EVENT else { return nil }
            guard next(), event.type == YAML_DOCUMENT_START_EVENT else { return nil }
            guard next(), let root = node(depth: 0) else { return nil }
            guard next(), event.type == YAML_DOCUMENT_END_EVENT else { return nil }
            guard next(), event.type == YAML_STREAM_END_EVENT else { return nil }
            return root
        }

        /// The node that starts at the current event; the current event is then its last.
        mutating func node(depth: Int, isKey: Bool = false) -> YAMLNode? {
            guard depth <= YAMLEventComposer.maxDepth else { return nil }
            let mark = YAMLNode.Mark(line: event.start_mark.line + 1, column: event.start_mark.column + 1)
            switch event.type {
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let name = LibYAML.string(scalar.anchor)
                guard !(isKey && name != nil),
                    let value = String(validating: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self),
                    let style = YAMLNode.Scalar.Style(rawValue: numericCast(scalar.style.rawValue))
                else { return nil }
                var tag = LibYAML.tag(of: scalar)
                // The basic resolver resolves any scalar to `str`.
                if isKey, tag == .implicit || tag == .nonSpecific { tag = .str }
                let node = YAMLNode.scalar(.init(string: value, tag: tag, style: style, mark: mark))
                if let name { anchors[name] = node }
                return node
            case YAML_ALIAS_EVENT:
                guard !isKey, let name = LibYAML.string(event.data.alias.anchor) else { return nil }
                return anchors[name]
            case YAML_SEQUENCE_START_EVENT:
                let start = event.data.sequence_start
                let (name, tag) = (LibYAML.string(start.anchor), Self.tag(start.implicit, start.tag))
                guard !isKey else { return nil }
                var items: [YAMLNode] = []
                while true {
                    guard next() else { return nil }
                    if event.type == YAML_SEQUENCE_END_EVENT { break }
                    guard let item = node(depth: depth + 1) else { return nil }
                    items.append(item)
                }
                let node = YAMLNode.sequence(.init(items: items, tag: tag, mark: mark))
                if let name { anchors[name] = node }
                return node
            case YAML_MAPPING_START_EVENT:
                let start = event.data.mapping_start
                let (name, tag) = (LibYAML.string(start.anchor), Self.tag(start.implicit, start.tag))
                guard !isKey else { return nil }
                var pairs: [(YAMLNode, YAMLNode)] = []
                var keys = Set<String>()
                while true {
                    guard next() else { return nil }
                    if event.type == YAML_MAPPING_END_EVENT { break }
                    guard let key = node(depth: depth + 1, isKey: true), case .scalar(let scalar) = key,
                        keys.insert(scalar.tag.rawValue + "\0" + scalar.string).inserted,
                        next(), let value = node(depth: depth + 1)
                    else { return nil }
                    pairs.append((key, value))
                }
                let node = YAMLNode.mapping(.init(pairs: pairs, tag: tag, mark: mark))
                if let name { anchors[name] = node }
                return node
            default:
                return nil
            }
        }

        static func tag(_ implicit: Int32, _ tag: UnsafeMutablePointer<yaml_char_t>?) -> Tag.Name {
            (implicit != 0 ? nil : LibYAML.string(tag).map(Tag.Name.init(rawValue:))) ?? .implicit
        }
    }
}

/// What both passes over libyaml's events share (`YAMLEventComposer`, and
/// `DuplicateTolerantComposer.findDuplicates`).
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

    /// A NUL-terminated string of libyaml's (an anchor, a tag).
    static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(decoding: UnsafeBufferPointer(start: $0, count: strlen(UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))), as: UTF8.self) }
    }

    /// A scalar's tag as Yams reads it: `str` for a quoted one, the tag written, or none.
    static func tag(of scalar: yaml_event_t.__Unnamed_union_data.__Unnamed_struct_scalar) -> Tag.Name {
        scalar.quoted_implicit == 1 ? .str : string(scalar.tag).map(Tag.Name.init(rawValue:)) ?? .implicit
    }
}
