internal import CYaml
internal import Yams

/// A node of a composed YAML document, as the policy and contract readers read it (see
/// `YAMLDiagnosing`): its text or members, its tag as written, its style, where it starts.
///
/// A file is composed by `YAMLNode.compose(_:)` straight from libyaml's events; when that
/// finds anything but a clean document, by Yams (`DuplicateTolerantComposer`), whose tree
/// is then carried over node by node (`init(_:)`), so both give the same nodes.
enum YAMLNode {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence(List)
    /// An alias Yams kept unresolved (it resolves them all when composing).
    case alias(Mark)

    struct Mark: Hashable {
        /// 1-based.
        var line: Int
        var column: Int
    }

    struct Scalar {
        var string: String
        /// As written: `implicit` for a plain scalar, `str` for a quoted one. A mapping key's
        /// is resolved, as Yams's check for duplicate keys leaves it: `str` when none is written.
        var tag: Tag.Name
        var style: Style
        var mark: Mark

        /// libyaml's scalar styles, by its numbers.
        enum Style: UInt32 {
            case any = 0
            case plain
            case singleQuoted
            case doubleQuoted
            case literal
            case folded
        }
    }

    /// A mapping's pairs, in the order written.
    struct Mapping: Swift.Sequence {
        var pairs: [(YAMLNode, YAMLNode)]
        var tag: Tag.Name
        var mark: Mark
        func makeIterator() -> IndexingIterator<[(YAMLNode, YAMLNode)]> { pairs.makeIterator() }
    }

    struct List: RandomAccessCollection {
        var items: [YAMLNode]
        var tag: Tag.Name
        var mark: Mark
        var startIndex: Int { items.startIndex }
        var endIndex: Int { items.endIndex }
        subscript(position: Int) -> YAMLNode { items[position] }
    }

    var scalar: Scalar? {
        if case .scalar(let scalar) = self { scalar } else { nil }
    }

    var mark: Mark {
        switch self {
        case .scalar(let scalar): scalar.mark
        case .mapping(let mapping): mapping.mark
        case .sequence(let list): list.mark
        case .alias(let mark): mark
        }
    }

    /// The resolved tag of a mapping or a list (`map`, `seq` when none is written, or `!`).
    var collectionTag: Tag.Name {
        switch self {
        case .mapping(let mapping): [.implicit, .nonSpecific].contains(mapping.tag) ? .map : mapping.tag
        case .sequence(let list): [.implicit, .nonSpecific].contains(list.tag) ? .seq : list.tag
        case .scalar(let scalar): scalar.tag
        case .alias: .implicit
        }
    }

    /// The integer Yams reads a scalar as: plain scalars only (a quoted one tagged `!!int` is
    /// no integer to it). Decimals are read directly (`YAMLPlainScalar.decimal`), the other
    /// forms (`0x1f`, `0o17`, `1:30`, …) by Yams.
    var integer: Int? {
        guard let scalar, scalar.style == .plain || scalar.style == .any else { return nil }
        return YAMLPlainScalar.decimal(scalar.string) ?? Int.construct(from: Node.Scalar(scalar.string))
    }

    /// Yams's tree, node by node.
    init(_ node: Node) {
        func mark(_ mark: Yams.Mark?) -> Mark { Mark(line: mark?.line ?? 1, column: mark?.column ?? 1) }
        switch node {
        case .scalar(let scalar):
            self = .scalar(Scalar(
                string: scalar.string, tag: Tag.Name(rawValue: scalar.tag.description),
                style: Scalar.Style(rawValue: scalar.style.rawValue) ?? .any, mark: mark(scalar.mark)))
        case .mapping(let mapping):
            self = .mapping(Mapping(
                pairs: mapping.map { (YAMLNode($0.key), YAMLNode($0.value)) }, tag: Tag.Name(rawValue: mapping.tag.description),
                mark: mark(mapping.mark)))
        case .sequence(let sequence):
            self = .sequence(List(items: sequence.map(YAMLNode.init), tag: Tag.Name(rawValue: sequence.tag.description), mark: mark(sequence.mark)))
        case .alias(let alias):
            self = .alias(mark(alias.mark))
        }
    }
}
