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
        // Read as bytes: lines end at LF, fields are separated by spaces, tabs and CRs, and
        // an unescaped `#` starts a comment. (Read as Characters, a CRLF was one character,
        // neither LF nor CR: a file with CRLF line endings was one line, its rules after
        // the first lost, and every character cost a grapheme break: 26% of a one-commit
        // push's instructions on ghostty's 202-line CODEOWNERS.)
        text.withUTF8 { bytes in
            var lineStart = 0, number = 0
            while lineStart <= bytes.count {
                number += 1
                var lineEnd = lineStart
                while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                let contentEnd = Self.commentStart(bytes, lineStart, lineEnd) ?? lineEnd
                var fields = [String]()
                var at = lineStart
                while at < contentEnd {
                    while at < contentEnd, Self.separates(bytes[at]) { at += 1 }
                    let start = at
                    while at < contentEnd, !Self.separates(bytes[at]) { at += 1 }
                    if at > start { fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)) }
                }
                lineStart = lineEnd + 1
                guard let first = fields.first else { continue }
                if first.utf8.count > Limits.patternBytes, refusal == nil {
                    refusal = CodeOwnersError(source: source, line: number,
                        message: "a pattern of \(first.utf8.count) bytes, over the limit of \(Limits.patternBytes) (Limits.patternBytes): not read")
                }
                do {
                    let pattern = try PathPattern(first)
                    rules.append(Rule(pattern: pattern, owners: Array(fields.dropFirst()), line: number))
                } catch {
                    problems.append((number, "\(error)"))
                }
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

    /// Where an unescaped `#` starts a comment in `bytes[start..<end]`.
    private static func commentStart(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var escaped = false
        for index in start..<end {
            if escaped {
                escaped = false
            } else if bytes[index] == UInt8(ascii: "\\") {
                escaped = true
            } else if bytes[index] == UInt8(ascii: "#") {
                return index
            }
        }
        return nil
    }

    /// What separates a line's fields: a space, a tab, or a CR (of a CRLF line end).
    private static func separates(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
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
