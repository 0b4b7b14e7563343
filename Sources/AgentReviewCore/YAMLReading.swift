// The typed reading of YAML shared by the policy and task contract readers: one piece of
// code per piece of logic, so both say the same things in the same words. The tree they
// read is `YAMLComposer`'s.

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
            if String(validating: chunk, as: UTF8.self) == nil { return line }
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
    /// `~` null). A scalar's own tag is as written (see `YAMLPlainScalar`): none (`implicit`)
    /// for a plain scalar, resolved here; `str` for a quoted one; or the tag written (`!!int 3`).
    func kind(of node: YAMLNode) -> YAMLTag {
        guard case .scalar(let scalar) = node else { return node.collectionTag }
        let written = scalar.tag
        return written == .implicit ? YAMLPlainScalar.kind(of: scalar.string) : written
    }

    /// Whether a mapping key is null (`~`, `null`, nothing). Every key's tag is resolved
    /// already (to `str`: `YAMLNode.asKey`), so a plain key is judged by its text.
    func isNullKey(_ scalar: YAMLNode.Scalar) -> Bool {
        scalar.style == .plain ? YAMLPlainScalar.kind(of: scalar.string) == .null : kind(of: .scalar(scalar)) == .null
    }

    func describe(_ node: YAMLNode) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
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
