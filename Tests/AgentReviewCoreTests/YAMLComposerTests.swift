#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
import Yams

@testable import AgentReviewCore

/// `YAMLComposer` against what Yams composed (`LegacyComposer`, the code it replaces, kept as
/// the oracle): the same trees, node for node (strings, tags, styles, marks), and the same
/// problems (line, column, message) for broken texts. Where it differs on purpose, each
/// difference has its own test.
@Suite struct YAMLComposerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Ours and the oracle's answers, side by side, in one comparable text: the problems,
    /// whether composition went through, and the tree (the oracle's without its renamed keys).
    /// Where Yams's shared tag objects retag anchored nodes used in keys, every tag is
    /// compared resolved.
    static func compared(_ text: String, document: String = "policy") -> (ours: String, yams: String) {
        let lenient = LegacyComposer.anchorsMeetKeys(text)
        func describe(_ result: YAMLComposer.Result) -> String {
            var lines = result.problems.map { "\($0.line):\($0.column): \($0.message)" }
            lines.append(result.complete ? "complete" : "incomplete")
            var tree = result.root.map { dump(lenient ? $0.resolvedEverywhere : $0) } ?? "no document\n"
            if !result.complete { tree = "" }
            return lines.joined(separator: "\n") + "\n" + tree
        }
        var legacy = LegacyComposer.compose(text, document: document)
        legacy.root = legacy.root?.withoutRenamedKeys
        var ours = YAMLComposer.compose(text, document: document)
        // A syntax error on the line of a renamed duplicate key: Yams placed it in the renamed
        // text, whose columns moved; ours is at its own column.
        if let error = ours.problems.last, !ours.complete, ours.problems.dropLast().contains(where: { $0.line == error.line }),
            let theirs = legacy.problems.last, theirs.line == error.line, theirs.message == error.message
        {
            ours.problems[ours.problems.count - 1].column = theirs.column
        }
        return (describe(ours), describe(legacy))
    }

    static let templates = ["templates/policy.yml", "templates/contracts/dependency-bump.yml", "templates/contracts/docs-only.yml"]

    /// Texts that compose: clean ones, and what only Yams composed before (aliases, anchors,
    /// keys that are lists, empty documents).
    static let composing: [String] = [
        "a: 1\nb: [x, 'y', \"z\"]\nc: {d: e, f: ~}\n",
        "key: |\n  literal\n  text\nfolded: >\n  folded\n  text\nplain: a b c\n",
        "tagged: !!int 3\nquoted: !!str yes\nlocal: !thing x\nbare: ! y\nnull:\n~: z\n'': empty\n",
        "!!str k: v\n\"2\": two\n1: plain one\n",
        "list:\n- a\n- - nested\n  - deeper\n- {k: v}\n- []\n- {}\n",
        "anchors:\n  base: &b {x: 1}\n  copy: *b\n  s: &s text\n  again: *s\n",
        "---\nexplicit: start\n...\n",
        "crlf: a\r\nnext: b\r\n",
        "unicode: é 😀\n\"ключ\": значение\n",
        "mapping: !!map {a: b}\nseq: !!seq [1]\nbang: ! {c: d}\n",
        "# only a comment and a value\nvalue\n",
        "- top\n- level\n- list\n",
        "k: 'it''s'\nd: \"tab\\tand \\u00e9\"\n",
        "a:\n  b:\n    c:\n      d: [1, [2, [3, {e: f}]]]\n",
        // Aliases and anchors.
        "x: &k key\n*k : v\n",
        "&k key: v\nother: *k\n",
        "- &a x\n- &a y\n- *a\n",
        "a: &l [1, 2]\nm: &m {b: *l}\nc: *m\nd: [*l, *l]\n",
        "a: &n\nb: *n\n",
        "a: &x !!int 1\nb: *x\n",
        "users: &u {alice: a@example.com}\nteams: {t: *u}\n",
        // Keys that are lists or mappings.
        "? [complex]\n: v\n",
        "? {complex: key}\n: v\n",
        "? [a, {b: [c]}]\n: v\n? [d]\n: w\n",
        "[a, b]: c\n{d: e}: f\n",
        "? - x\n  - ! y\n: z\n",
        // No document, an empty one.
        "",
        "# nothing but a comment\n\n",
        "---\n",
        "--- ~\n",
        // Nested as deep as allowed.
        String(repeating: "[", count: 65) + String(repeating: "]", count: 65) + "\n",
        String(repeating: "{a: ", count: 64) + "b" + String(repeating: "}", count: 64) + "\n",
        (0..<64).map { String(repeating: "  ", count: $0) + "k\($0):\n" }.joined() + String(repeating: "  ", count: 64) + "leaf\n",
    ]

    @Test func theTemplatesAndTextsThatComposeComposeAsYamsComposedThem() throws {
        var texts = Self.composing
        for path in Self.templates {
            texts.append(try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8))
        }
        for text in texts {
            let result = YAMLComposer.compose(text)
            #expect(result.complete && result.problems.isEmpty, "\(text.prefix(80)): \(result.problems)")
            let (ours, yams) = Self.compared(text)
            #expect(ours == yams, "\(text.prefix(200))")
        }
    }

    /// Strict where the lenient comparison is not needed: the same tree, tags and all.
    @Test func aliasesCopyTheAnchoredNodeWithItsMarks() throws {
        let text = "a: &l [1, 2]\nm: &m {b: *l}\nc: *m\n"
        #expect(!LegacyComposer.anchorsMeetKeys(text))
        let root = try #require(YAMLComposer.compose(text).root)
        #expect(dump(root) == dump(YAMLNode(try #require(try Yams.compose(yaml: text, .basic, .default, .utf8)))))
        guard case .mapping(let mapping) = root, case .mapping(let copy) = mapping.pairs[2].1 else { Issue.record("\(dump(root))"); return }
        #expect(copy.mark == YAMLNode.Mark(line: 2, column: 4))
    }

    /// Broken texts: syntax errors of every kind, a second document, undefined aliases,
    /// control characters, and duplicate keys alone and with the rest.
    static let broken: [String] = [
        "a: [unclosed\n",
        "a: b: c\n",
        "\t- tab\n",
        "version: 1\nclasses:\n\t- name: low\n",
        "a: 1\n---\nb: 2\n",
        "a: 1\n...\nb: 2\n",
        "a: 1\n--- [\n",
        "...\n",
        "--- |\n  text\n--- >\n  more\n",
        "a: *undefined\n",
        "*a : b\n",
        "a: &a [*a]\n",
        "a: 'unterminated\n",
        "a: \"unterminated\n",
        "key: value\n  bad: indent\n",
        "- a\nb: c\n",
        "a:\n  - b\n - c\n",
        "a: [b, c]]\n",
        "a: {b: c\n",
        "a: @b\n",
        "a: `b\n",
        "\"\\q\"\n",
        "\"\\ud800\"\n",
        "!!str !!int x: y\n",
        "&a &b x: y\n",
        "a: !<tag:x b\n",
        "%YAML 1.1\n%YAML 1.1\n---\na: 1\n",
        "%TAG ! !a\n%TAG ! !b\n---\na: 1\n",
        "a: |\n  x\n y\n",
        "a: >-2\n x\n",
        String(repeating: "k", count: 1100) + ": v\n",
        "a: 1\u{01}\n",
        "x:\n  y: \u{0}\n",
        "a: b\r\nc: d\r\ne: \u{7F}\n",
        "a: b\rc: d\re: \u{2}\n",
        "é: 1\nf: \u{85}\u{9F}\n",
        "a: \u{FFFE}\n",
        // Duplicate keys.
        "a: 1\na: 2\n",
        "a: 1\n'a': 2\n\"a\": 3\n",
        "&k key: v\n*k : w\n",
        "!!str 1: a\n1: b\n\"1\": c\n!!int 1: d\n",
        "é: 1\ne\u{301}: 2\n",
        "? a\n? a\n",
        "{a: 1, a: 2}\n",
        "- {a: 1, b: 2, a: 3}\n- [{c: 1, c: 2}]\n",
        "outer:\n  inner: {a: 1, a: 2}\n  inner: x\n",
        "x: {a: 1, a: 2}\n" + (0..<30).map { "k: \($0)\n" }.joined(),
        (0..<25).map { "k\($0 % 3): \($0)\n" }.joined(),
        // Duplicate keys with another problem: reported with it only when a mapping with a
        // duplicate key ended before it, as Yams reported them.
        "x:\n  a: 1\n  a: 2\nb: [\n",
        "a: 1\na: 2\nb: [\n",
        "a: 1\na: 2\n---\nb: 1\n",
        "x:\n  a: 1\n  a: 2\ny: *nope\n",
        "x: {a: 1, a: 2}\ny: \u{1}\n",
        "x: {a: 1, a: 2}\ny: {b: 1, b: 2, c: [}\n",
        "{a: 1, a: 2, b: [}\n",
        "- {a: 1, a: 2}\n- \"unterminated\n",
    ]

    @Test(arguments: broken)
    func brokenTextsGiveTheProblemsYamsGave(_ text: String) {
        let (ours, yams) = Self.compared(text)
        #expect(ours == yams, "\(text.debugDescription)")
    }

    @Test func aContractNamesItselfInTheSecondDocumentMessage() {
        let (ours, yams) = Self.compared("version: 1\n---\nversion: 1\n", document: "contract")
        #expect(ours == yams)
        #expect(ours.hasPrefix("2:1: a contract is a single YAML document, but another one starts here\n"), "\(ours)")
    }

    /// The policy template edited line by line (a line dropped, doubled, or given an anchor,
    /// an alias, a tag, a quote, a flow bracket, a key marker…): the same answer as Yams's.
    @Test func editedTemplatesComposeAsYamsComposedThem() throws {
        let template = try String(contentsOf: Self.root.appendingPathComponent("templates/policy.yml"), encoding: .utf8)
        let lines = template.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let snippets = ["&a ", "*a ", "!!int ", "!!str ", "! ", "'", "\"", "[", "{", "? ", "- ", ": ", "# ", "~ ", "\t", "x: &a 1 ", "<<: *a ", "\u{1}"]
        var failed = 0, variants = 0
        for index in stride(from: 0, to: lines.count, by: 3) {
            var edits: [[String]] = []
            var dropped = lines
            dropped.remove(at: index)
            edits.append(dropped)
            var doubled = lines
            doubled.insert(lines[index], at: index)
            edits.append(doubled)
            let line = lines[index]
            let indent = line.prefix { $0 == " " }.count
            for snippet in snippets {
                var edited = lines
                edited[index] = String(line.prefix(indent)) + snippet + line.dropFirst(indent)
                edits.append(edited)
                if let colon = line.firstIndex(of: ":") {
                    var valued = lines
                    valued[index] = String(line[...colon]) + " " + snippet + line[line.index(after: colon)...]
                    edits.append(valued)
                }
            }
            for edit in edits {
                variants += 1
                let text = edit.joined(separator: "\n")
                let (ours, yams) = Self.compared(text)
                if !YAMLComposer.compose(text).complete { failed += 1 }
                #expect(ours == yams, "\(text)")
            }
        }
        // Both kinds are well represented.
        #expect(failed > variants / 10 && failed < variants * 9 / 10, "\(failed) of \(variants) fail")
    }

    // MARK: Where it differs from Yams on purpose

    /// Yams retagged an anchored scalar wherever it was used once it was used as a key (one
    /// tag object, resolved by its check for duplicate keys): the key is `str`, the value
    /// keeps its own, and so reads as what it is written as.
    @Test func anAnchoredScalarUsedAsAKeyKeepsItsOwnTagElsewhere() throws {
        for text in ["&k 1: x\nother: *k\n", "other: &k 1\n*k : x\n"] {
            let root = try #require(YAMLComposer.compose(text).root)
            guard case .mapping(let mapping) = root else { Issue.record("\(dump(root))"); continue }
            let key = try #require(mapping.pairs.first { $0.0.scalar?.string == "1" }?.0.scalar)
            let value = try #require(mapping.pairs.first { $0.0.scalar?.string == "other" }?.1.scalar)
            #expect(key.tag == .str)
            #expect(value.tag == .implicit && value.string == "1")
            // Yams: `str` for both.
            let yams = YAMLNode(try #require(try Yams.compose(yaml: text, .basic, .default, .utf8)))
            guard case .mapping(let theirs) = yams else { continue }
            #expect(theirs.pairs.first { $0.0.scalar?.string == "other" }?.1.scalar?.tag == .str, "\(dump(yams))")
        }
    }

    /// Duplicates are left out, not renamed: one written over several lines is reported like
    /// any other (Yams's composer could not rename it in place, and gave up on the text).
    @Test func aDuplicateKeyOverSeveralLinesIsReportedLikeAnyOther() throws {
        let text = "? |\n  long\n  key\n: 1\n? |\n  long\n  key\n: 2\nb: 3\n"
        let result = YAMLComposer.compose(text)
        #expect(result.problems == [.init(line: 5, column: 3, message: "duplicate key 'long\nkey\n' (first at line 1)")])
        #expect(result.complete)
        guard case .mapping(let mapping) = try #require(result.root) else { Issue.record("not a mapping"); return }
        #expect(mapping.pairs.map { $0.0.scalar?.string } == ["long\nkey\n", "b"])
        #expect(LegacyComposer.compose(text).problems.last?.message == "a duplicate key written over several lines: write each key once, on one line")
    }

    /// An anchored duplicate key can still be aliased: renaming it in place removed its anchor.
    @Test func anAnchoredDuplicateKeyCanStillBeAliased() throws {
        let text = "a: 1\n&k a: 2\nb: *k\n"
        let result = YAMLComposer.compose(text)
        #expect(result.problems == [.init(line: 2, column: 1, message: "duplicate key 'a' (first at line 1)")])
        guard case .mapping(let mapping) = try #require(result.root) else { Issue.record("not a mapping"); return }
        #expect(mapping.pairs.map { "\($0.0.scalar?.string ?? ""): \($0.1.scalar?.string ?? "")" } == ["a: 1", "b: a"])
        #expect(LegacyComposer.compose(text).problems.last?.message == "invalid YAML: found undefined alias")
    }

    /// Keys that are lists or mappings are not compared (Yams stopped at two equal ones): the
    /// readers refuse every such key.
    @Test func equalKeysThatAreListsAreLeftToTheReaders() throws {
        let text = "? [a]\n: 1\n? [a]\n: 2\n"
        let result = YAMLComposer.compose(text)
        #expect(result.problems.isEmpty && result.complete)
        #expect(LegacyComposer.compose(text).problems.map(\.message) == ["duplicate key '<uncovertable>' in this mapping"])
        let found = problems(text)
        #expect(found.contains("p.yml:1: keys in the policy must be plain names, found a list"), "\(found)")
        #expect(found.contains("p.yml:3: keys in the policy must be plain names, found a list"), "\(found)")
    }

    /// A key spelled like the placeholders duplicates were renamed to is an unknown key, not
    /// one silently skipped.
    @Test func aKeyLikeTheOldRenamedOnesIsAnUnknownKey() {
        let found = problems("version: 1\nclasses: [{name: low}]\nagentreview-duplicate-key-0: x\n")
        #expect(found.count == 1 && found[0].hasPrefix("p.yml:3: unknown key 'agentreview-duplicate-key-0' in the policy"), "\(found)")
    }

    /// A syntax error on the line of a duplicate key is placed at its own column.
    @Test func aSyntaxErrorAfterADuplicateOnItsLineIsAtItsOwnColumn() {
        let text = "[{a: 1, a: 2}, ]]\n"
        let result = YAMLComposer.compose(text)
        #expect(result.problems == [
            .init(line: 1, column: 9, message: "duplicate key 'a' (first at line 1)"),
            .init(line: 1, column: 17, message: "invalid YAML: did not find expected <document start>"),
        ])
        #expect(LegacyComposer.compose(text).problems.last?.column == 17 + LegacyComposer.renamePrefix.count)
    }

    @Test func nothingNestsDeeperThan64Levels() {
        let deep = String(repeating: "[", count: 66) + String(repeating: "]", count: 66) + "\n"
        let result = YAMLComposer.compose(deep)
        #expect(result.problems == [.init(line: 1, column: 66, message: "invalid YAML: nesting deeper than 64 levels (Limits.yamlDepth)")])
        #expect(!result.complete && result.root == nil)
        // Yams composed it (libyaml stopped it at 1000 levels).
        #expect(LegacyComposer.compose(deep).complete)
        // Nor through an alias: a copy nests as deep as where it is put.
        let aliased = "a: &d " + String(repeating: "[", count: 10) + String(repeating: "]", count: 10) + "\nb: "
            + String(repeating: "[", count: 55) + "*d" + String(repeating: "]", count: 55) + "\n"
        #expect(YAMLComposer.compose(aliased).problems == [.init(line: 2, column: 59, message: "invalid YAML: nesting deeper than 64 levels (Limits.yamlDepth)")])
        let fits = "a: &d " + String(repeating: "[", count: 10) + String(repeating: "]", count: 10) + "\nb: "
            + String(repeating: "[", count: 54) + "*d" + String(repeating: "]", count: 54) + "\n"
        #expect(YAMLComposer.compose(fits).complete)
    }
}

extension YAMLNode {
    /// Every tag resolved as a key's is.
    var resolvedEverywhere: YAMLNode { asKey }
}

/// What the policy reader reports for a text.
private func problems(_ yaml: String) -> [String] {
    do throws(PolicyError) {
        _ = try PolicyLoader.load(yaml: yaml, file: "p.yml")
        return []
    } catch {
        return error.diagnostics.map(\.description)
    }
}
