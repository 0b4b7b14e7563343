/// A CODEOWNERS file: patterns with owners; for a path, the last matching rule wins.
public struct CodeOwners: Sendable {
    public struct Rule: Sendable, Hashable {
        public var pattern: PathPattern
        /// Emails, `@user` or `@org/team` names; empty means the path has no owner.
        public var owners: [String]
        public var line: Int
    }

    /// GitHub's locations, in the order GitHub looks.
    public static let locations = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]

    public var rules: [Rule]
    /// Lines that could not be read, with why; they own nothing.
    public var problems: [(line: Int, message: String)]
    public var source: String

    public init(text: String, source: String) {
        var rules = [Rule]()
        var problems = [(Int, String)]()
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(raw)
            if let hash = Self.commentStart(line) { line = line[..<hash] }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let first = fields.first else { continue }
            do {
                let pattern = try PathPattern(String(first))
                rules.append(Rule(pattern: pattern, owners: fields.dropFirst().map(String.init), line: offset + 1))
            } catch {
                problems.append((offset + 1, "\(error)"))
            }
        }
        self.rules = rules
        self.problems = problems
        self.source = source
    }

    /// The owners of a path: nil when no rule matches, empty when the last matching rule names nobody.
    public func owners(of path: GitPath) -> [String]? {
        for index in rules.indices.reversed() where rules[index].pattern.matches(path) {
            return rules[index].owners
        }
        return nil
    }

    /// Where an unescaped `#` starts a comment.
    private static func commentStart(_ line: Substring) -> Substring.Index? {
        var escaped = false
        for index in line.indices {
            let character = line[index]
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "#" {
                return index
            }
        }
        return nil
    }
}
