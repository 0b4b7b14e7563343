import Testing

@testable import AgentReviewCore

/// Hostile YAML, as an agent could write it into a policy or a contract on a branch: each
/// refused with one clear problem, in bounded time and memory.
@Suite struct YAMLAttackTests {
    /// Runs `body`, and says whether it took under `limit` (a backstop: each takes milliseconds).
    private func quick<T>(_ limit: Duration = .seconds(10), _ body: () -> T) -> T {
        let clock = ContinuousClock()
        let start = clock.now
        let result = body()
        #expect(clock.now - start < limit)
        return result
    }

    @Test(arguments: ["[\n", "{a:\n", "- ", "[{a:\n", "? "])
    func deepNestingIsRefusedAtTheLimit(_ opener: String) {
        let text = String(repeating: opener, count: 100_000)
        let result = quick { YAMLComposer.compose(text) }
        #expect(!result.complete && result.root == nil)
        #expect(result.problems.map(\.message) == ["invalid YAML: nesting deeper than 64 levels (Limits.yamlDepth)"])
    }

    /// On one line, libyaml's scanner reads a thousand brackets ahead (for a key they might
    /// start) before the composer sees the first: the later libyaml of Yams, which this test
    /// binary runs, refuses 1000 levels itself; Debian's 0.2.5, in the shipped binary, has
    /// no limit and the composer's applies. Refused either way.
    @Test func aHundredThousandBracketsOnOneLineAreRefused() {
        let result = quick { YAMLComposer.compose(String(repeating: "[", count: 100_000)) }
        #expect(!result.complete && result.root == nil)
        #expect(result.problems.count == 1)
        let message = result.problems.first?.message ?? ""
        #expect(message == "invalid YAML: nesting deeper than 64 levels (Limits.yamlDepth)" || message.hasPrefix("invalid YAML: Maximum nesting level reached"), "\(message)")
    }

    @Test func nestedBlockMappingsAreRefusedAtTheLimit() {
        let text = (0..<5_000).map { String(repeating: " ", count: $0) + "k:\n" }.joined()
        let result = quick { YAMLComposer.compose(text) }
        // The keys of the mapping on line 65 are 65 levels deep.
        #expect(result.problems == [.init(line: 65, column: 65, message: "invalid YAML: nesting deeper than 64 levels (Limits.yamlDepth)")])
    }

    /// Nine levels of ten aliases each: a billion strings in the tree, if it were made.
    static func laughs(levels: Int, width: Int = 10) -> String {
        var text = "a0: &a0 [" + Array(repeating: "lol", count: width).joined(separator: ", ") + "]\n"
        for level in 1..<levels {
            text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: width).joined(separator: ", ") + "]\n"
        }
        return text
    }

    @Test func aBillionLaughsIsRefused() {
        let text = Self.laughs(levels: 9)
        let result = quick { YAMLComposer.compose(text) }
        #expect(!result.complete)
        #expect(result.problems.map(\.message) == ["invalid YAML: aliases expand to more than 10000 nodes (Limits.yamlAliasedNodes)"])
        // Where the copies pass the limit: each alias on the fourth line copies 1,111 nodes.
        #expect(result.problems.first?.line == 4, "\(result.problems)")
        // The policy reader says so and stops.
        do throws(PolicyError) {
            _ = try PolicyLoader.load(yaml: "version: 1\nclasses: [{name: low}]\n" + text, file: "p.yml")
            Issue.record("loaded")
        } catch {
            #expect(error.diagnostics.map(\.description) == ["p.yml:6: invalid YAML: aliases expand to more than 10000 nodes (Limits.yamlAliasedNodes)"])
        }
    }

    @Test func aliasesWithinTheLimitAreCopied() throws {
        // Three levels: 10 + 100 + … well under the limit.
        let result = YAMLComposer.compose(Self.laughs(levels: 3))
        #expect(result.complete && result.problems.isEmpty)
        guard case .mapping(let mapping) = try #require(result.root), case .sequence(let top) = mapping.pairs[2].1,
            case .sequence(let middle) = top[9], case .sequence(let bottom) = middle[9]
        else { Issue.record("not the tree written"); return }
        #expect(bottom.count == 10 && bottom[9].scalar?.string == "lol")
    }

    /// The limit grows with the text: a large text may alias as many nodes as it has bytes.
    @Test func theAliasLimitGrowsWithTheText() {
        let anchor = "a: &a [" + Array(repeating: "x", count: 20).joined(separator: ", ") + "]\n"
        let aliases = (0..<1_000).map { "k\($0): *a\n" }.joined()  // 21,000 nodes copied
        let padding = "# " + String(repeating: "p", count: 25_000) + "\n"
        #expect(YAMLComposer.aliasedNodes(in: anchor + aliases) == 10_000)
        let refused = YAMLComposer.compose(anchor + aliases).complete
        #expect(!refused)
        #expect(YAMLComposer.aliasedNodes(in: anchor + aliases + padding) > 21_000)
        let copied = YAMLComposer.compose(anchor + aliases + padding).complete
        #expect(copied)
    }

    /// Many aliases of one large anchor: each copy is counted in full.
    @Test func manyAliasesOfALargeAnchorAreRefused() {
        let anchor = "big: &b [" + (0..<2_000).map { "x\($0)" }.joined(separator: ", ") + "]\n"
        let aliases = (0..<1_000).map { "k\($0): *b\n" }.joined()
        let result = quick { YAMLComposer.compose(anchor + aliases) }
        let limit = YAMLComposer.aliasedNodes(in: anchor + aliases)
        #expect(limit > 10_000)
        #expect(result.problems.map(\.message) == ["invalid YAML: aliases expand to more than \(limit) nodes (Limits.yamlAliasedNodes)"])
        #expect(result.problems.first?.line == 2 + limit / 2_001, "\(result.problems)")
    }

    /// A key of 200,000 characters, written twice: the message shows the start of it.
    @Test func hugeDuplicateKeysAreShownCut() {
        let key = String(repeating: "k", count: 200_000)
        let result = quick { YAMLComposer.compose("? \(key)\n: 1\n? \(key)\n: 2\n") }
        #expect(result.problems == [.init(line: 3, column: 3, message: "duplicate key '\(String(repeating: "k", count: 50))…' (first at line 1)")])
        #expect(result.complete)
    }

    /// libyaml allows a key written without `?` at most 1024 characters.
    @Test func aLongImplicitKeyIsASyntaxError() {
        let result = YAMLComposer.compose(String(repeating: "k", count: 2_000) + ": v\n")
        #expect(result.problems.map(\.message) == ["invalid YAML: mapping values are not allowed in this context"])
    }

    /// Many keys in one mapping, every one a duplicate of the first: one pass.
    @Test func manyDuplicatesAreFoundInOnePass() {
        let text = (0..<50_000).map { _ in "a: 1\n" }.joined()
        let result = quick { YAMLComposer.compose(text) }
        #expect(result.problems.count == YAMLComposer.listed + 1)
        #expect(result.problems.last?.message == "and \(49_999 - YAMLComposer.listed) more duplicate keys from here on")
    }
}
