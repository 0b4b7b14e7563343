import Foundation
import Testing
import Yams

@testable import AgentReviewCore

/// `YAMLEventComposer` builds, from libyaml's events, the tree Yams composes (carried over by
/// `YAMLNode.init(_:)`), node for node: strings, tags, styles and marks. Where it is not sure
/// to (anything but a clean document), it answers nil and Yams composes.
@Suite struct YAMLEventComposerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Everything about a tree, one node a line.
    static func dump(_ node: YAMLNode, _ indent: String = "") -> String {
        let at = "@\(node.mark.line):\(node.mark.column)"
        switch node {
        case .scalar(let scalar):
            return "\(indent)scalar \(at) tag=\(scalar.tag.rawValue) style=\(scalar.style) \(scalar.string.debugDescription)\n"
        case .mapping(let mapping):
            return "\(indent)mapping \(at) tag=\(mapping.tag.rawValue) kind=\(node.collectionTag.rawValue)\n"
                + mapping.map { dump($0.0, indent + "  ? ") + dump($0.1, indent + "  : ") }.joined()
        case .sequence(let list):
            return "\(indent)list \(at) tag=\(list.tag.rawValue) kind=\(node.collectionTag.rawValue)\n"
                + list.map { dump($0, indent + "  - ") }.joined()
        case .alias:
            return "\(indent)alias \(at)\n"
        }
    }

    static func yams(_ text: String) -> String? {
        (try? Yams.compose(yaml: text, .basic, .default, .utf8))?.map { dump(YAMLNode($0)) }
    }

    static func ours(_ text: String) -> String? {
        YAMLEventComposer.compose(text).map { dump($0) }
    }

    static let templates = ["templates/policy.yml", "templates/contracts/dependency-bump.yml", "templates/contracts/docs-only.yml"]

    static let written: [String] = [
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
    ]

    /// Texts it leaves to Yams: what Yams refuses, and what its shared tags would make differ.
    static let declined: [String] = [
        "",
        "a: 1\na: 2\n",
        "a: 1\n'a': 2\n",
        "x: &k key\n*k : v\n",
        "&k key: v\nother: *k\n",
        "? [complex]\n: v\n",
        "? {complex: key}\n: v\n",
        "a: 1\n---\nb: 2\n",
        "a: *undefined\n",
        "a: [unclosed\n",
        "a: b: c\n",
        "\t- tab\n",
        String(repeating: "[", count: 80) + String(repeating: "]", count: 80) + "\n",
    ]

    @Test func theTemplatesAndWrittenTextsComposeAsYamsComposesThem() throws {
        var texts = Self.written
        for path in Self.templates {
            texts.append(try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8))
        }
        for text in texts {
            let ours = Self.ours(text)
            #expect(ours != nil, "declined: \(text.prefix(80))")
            #expect(ours == Self.yams(text), "\(text.prefix(200))")
        }
    }

    @Test(arguments: declined)
    func leavesTheRestToYams(_ text: String) {
        #expect(Self.ours(text) == nil)
    }

    /// The policy template edited line by line (a line dropped, doubled, or given an
    /// anchor, an alias, a tag, a quote, a flow bracket, a key marker…): where the composer
    /// answers, Yams composes the same tree.
    @Test func editedTemplatesComposeAsYamsComposesThemOrAreLeftToIt() throws {
        let template = try String(contentsOf: Self.root.appendingPathComponent("templates/policy.yml"), encoding: .utf8)
        let lines = template.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let snippets = ["&a ", "*a ", "!!int ", "!!str ", "! ", "'", "\"", "[", "{", "? ", "- ", ": ", "# ", "~ ", "\t", "x: &a 1 ", "<<: *a "]
        var answered = 0, variants = 0
        for index in stride(from: 0, to: lines.count, by: 4) {
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
                guard let ours = Self.ours(text) else { continue }
                answered += 1
                #expect(ours == Self.yams(text), "\(text)")
            }
        }
        #expect(answered > variants / 3, "\(answered) of \(variants)")
    }
}
