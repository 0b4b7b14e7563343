/// A node of a composed YAML document, as the policy and contract readers read it (see
/// `YAMLDiagnosing`): its text or members, its tag as written, its style, where it starts.
/// Composed from libyaml's events by `YAMLComposer`, aliases resolved: an alias is a copy
/// of the node it names.
enum YAMLNode {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence(List)

    struct Mark: Hashable {
        /// 1-based.
        var line: Int
        var column: Int
    }

    struct Scalar {
        var string: String
        /// As written: `implicit` for a plain scalar, `str` for a quoted one. A mapping key's
        /// is resolved (`asKey`): `str` when none is written.
        var tag: YAMLTag
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
        var tag: YAMLTag
        var mark: Mark
        func makeIterator() -> IndexingIterator<[(YAMLNode, YAMLNode)]> { pairs.makeIterator() }
    }

    struct List: RandomAccessCollection {
        var items: [YAMLNode]
        var tag: YAMLTag
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
        }
    }

    /// The resolved tag of a mapping or a list (`map`, `seq` when none is written, or `!`).
    var collectionTag: YAMLTag {
        switch self {
        case .mapping(let mapping): mapping.tag.resolved(as: .map)
        case .sequence(let list): list.tag.resolved(as: .seq)
        case .scalar(let scalar): scalar.tag
        }
    }

    /// The integer YAML 1.1 reads a scalar as (`YAMLPlainScalar.integer`): plain scalars
    /// only, as Yams reads them (a quoted one tagged `!!int` is no integer).
    var integer: Int? {
        guard let scalar, scalar.style == .plain || scalar.style == .any else { return nil }
        return YAMLPlainScalar.integer(scalar.string)
    }

    /// The node as a mapping key: every tag in it resolved, `str`, `seq` or `map` where none
    /// (or `!`) is written. Yams compares keys by their resolved tags, and resolving them
    /// changes the nodes' own (its check for duplicate keys hashes a key and all that is in
    /// it); its trees, and so the readers' messages, have keys tagged so.
    var asKey: YAMLNode {
        switch self {
        case .scalar(var scalar):
            scalar.tag = scalar.tag.resolved(as: .str)
            return .scalar(scalar)
        case .mapping(var mapping):
            mapping.tag = mapping.tag.resolved(as: .map)
            mapping.pairs = mapping.pairs.map { ($0.asKey, $1.asKey) }
            return .mapping(mapping)
        case .sequence(var list):
            list.tag = list.tag.resolved(as: .seq)
            list.items = list.items.map(\.asKey)
            return .sequence(list)
        }
    }
}
