/// A YAML tag, by its full name: what a node says it is (`!!int 3` is tagged
/// `tag:yaml.org,2002:int`), or what a plain scalar is read as (`YAMLPlainScalar.kind(of:)`).
///
/// The names are YAML's own, as libyaml gives them and as Yams's `Tag.Name` spells them
/// (`YAMLPlainScalarTests` checks each against it): only the ones the readers ask about.
struct YAMLTag: RawRepresentable, Hashable, Sendable {
    let rawValue: String

    init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// No tag written: a plain scalar, a collection. Resolved by what it is.
    static let implicit = YAMLTag(rawValue: "")
    /// `!`: a scalar is a string, a collection what it is.
    static let nonSpecific = YAMLTag(rawValue: "!")

    static let str = YAMLTag(rawValue: "tag:yaml.org,2002:str")
    static let seq = YAMLTag(rawValue: "tag:yaml.org,2002:seq")
    static let map = YAMLTag(rawValue: "tag:yaml.org,2002:map")
    static let bool = YAMLTag(rawValue: "tag:yaml.org,2002:bool")
    static let float = YAMLTag(rawValue: "tag:yaml.org,2002:float")
    static let null = YAMLTag(rawValue: "tag:yaml.org,2002:null")
    static let int = YAMLTag(rawValue: "tag:yaml.org,2002:int")
    static let merge = YAMLTag(rawValue: "tag:yaml.org,2002:merge")
    static let timestamp = YAMLTag(rawValue: "tag:yaml.org,2002:timestamp")
    static let value = YAMLTag(rawValue: "tag:yaml.org,2002:value")

    /// This tag, or `tagged` when none (or `!`) is written.
    func resolved(as tagged: YAMLTag) -> YAMLTag {
        self == .implicit || self == .nonSpecific ? tagged : self
    }
}
