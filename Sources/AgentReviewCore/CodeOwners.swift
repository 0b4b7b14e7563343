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
    /// Lines that could not be read, with why; they own nothing (GitHub skips them too).
    public var problems: [(line: Int, message: String)]
    public var source: String
    /// Why the whole file was refused (over `Limits.codeOwnersBytes`, or a pattern over
    /// `Limits.patternBytes`); nil when it was read. A refused file owns every path, for an
    /// owner nobody can be (see `owners(of:)`): a refusal never reads as "no owners".
    public private(set) var refusal: CodeOwnersError?

    /// Reads a CODEOWNERS file, refusing it whole, with its line, when it is over
    /// `Limits.codeOwnersBytes` (before anything is decoded) or holds a pattern over
    /// `Limits.patternBytes`. Lines that are malformed otherwise go to `problems`.
    public init(bytes: some Collection<UInt8>, source: String) throws(CodeOwnersError) {
        if bytes.count > Limits.codeOwnersBytes { throw Self.tooLarge(bytes.count, source: source) }
        self.init(text: String(decoding: bytes, as: UTF8.self), source: source)
        if let refusal { throw refusal }
    }

    /// Reads a CODEOWNERS file; never throws. Prefer `init(bytes:source:)`, which throws
    /// what this one keeps in `refusal`.
    public init(text: String, source: String) {
        self.source = source
        var text = text
        let count = text.withUTF8(\.count)
        if count > Limits.codeOwnersBytes {
            self.rules = []
            self.problems = []
            self.refusal = Self.tooLarge(count, source: source)
            return
        }
        var rules = [Rule]()
        var problems = [(Int, String)]()
        var refusal: CodeOwnersError?
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(raw)
            if let hash = Self.commentStart(line) { line = line[..<hash] }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let first = fields.first else { continue }
            if first.utf8.count > Limits.patternBytes, refusal == nil {
                refusal = CodeOwnersError(source: source, line: offset + 1,
                    message: "a pattern of \(first.utf8.count) bytes, over the limit of \(Limits.patternBytes) (Limits.patternBytes): not read")
            }
            do {
                let pattern = try PathPattern(String(first))
                rules.append(Rule(pattern: pattern, owners: fields.dropFirst().map(String.init), line: offset + 1))
            } catch {
                problems.append((offset + 1, "\(error)"))
            }
        }
        self.rules = refusal == nil ? rules : []
        self.problems = problems
        self.refusal = refusal
    }

    private static func tooLarge(_ count: Int, source: String) -> CodeOwnersError {
        CodeOwnersError(source: source, line: 0,
            message: "CODEOWNERS is \(count) bytes, over the limit of \(Limits.codeOwnersBytes) (Limits.codeOwnersBytes): not read")
    }

    /// The owners of a path: nil when no rule matches, empty when the last matching rule
    /// names nobody. A refused file owns every path for one owner nobody can be, named
    /// after the refusal, so that an owners requirement can never be met through it.
    public func owners(of path: GitPath) -> [String]? {
        if let refusal { return ["(no owner can approve: \(refusal))"] }
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

/// A CODEOWNERS file refused whole: one line saying where and why.
public struct CodeOwnersError: Error, Sendable, Hashable, CustomStringConvertible {
    public var source: String
    /// 0 for the file as a whole.
    public var line: Int
    public var message: String

    public var description: String { line > 0 ? "\(source):\(line): \(message)" : "\(source): \(message)" }
}
