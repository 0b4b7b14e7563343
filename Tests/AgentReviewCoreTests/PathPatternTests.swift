import AgentReviewTestSupport
import Foundation
import Testing

@testable import AgentReviewCore

/// One row of the matching table: does `pattern` match the file at `path`?
struct MatchCase: Sendable, CustomTestStringConvertible {
    var pattern: String
    var path: [UInt8]
    var expected: Bool
    var ignoringCase: Bool

    var testDescription: String {
        "\"\(pattern)\" \(expected ? "matches" : "does not match") \(GitPath(bytes: path))\(ignoringCase ? " (ignoring case)" : "")"
    }
}

private func row(_ pattern: String, _ path: String, _ expected: Bool, ignoringCase: Bool = false) -> MatchCase {
    MatchCase(pattern: pattern, path: Array(path.utf8), expected: expected, ignoringCase: ignoringCase)
}

private func row(_ pattern: String, bytes path: [UInt8], _ expected: Bool) -> MatchCase {
    MatchCase(pattern: pattern, path: path, expected: expected, ignoringCase: false)
}

/// "café.txt" with é in Latin-1: not UTF-8.
private let latin1Cafe: [UInt8] = Array("caf".utf8) + [0xE9] + Array(".txt".utf8)

/// Every row is checked twice: against `PathPattern`, and against `git check-ignore`.
let pathPatternTable: [MatchCase] = [
    // A pattern without "/" matches a name at any depth, file or leading directory.
    row("*.md", "README.md", true),
    row("*.md", "docs/guide/intro.md", true),
    row("*.md", "README.markdown", false),
    row("*.md", ".md", true),
    row("*.md", "notes.md/todo.txt", true),
    row("README", "docs/README", true),
    row("README", "README.md", false),
    row("docs", "docs/a.md", true),
    row("docs", "x/docs/y.md", true),
    row("docs", "x/docs", true),
    row("docs", "mydocs/a.md", false),
    row("a*", "x/abc/d", true),
    row("*", ".hidden", true),
    row(".*", "src/.env", true),
    row("Dockerfile*", "svc/Dockerfile.prod", true),

    // A leading "/" or a "/" inside anchors the pattern at the root.
    row("/docs", "docs/a.md", true),
    row("/docs", "x/docs/y.md", false),
    row("/*.md", "README.md", true),
    row("/*.md", "docs/README.md", false),
    row("docs/*.md", "docs/a.md", true),
    row("docs/*.md", "x/docs/a.md", false),
    row("docs/*.md", "docs/sub/a.md", false),
    row("docs/*", "docs/sub/a.md", true),
    row("*/b", "a/b/c", true),
    row("*/b", "x/a/b", false),
    row("/.github/", ".github/CODEOWNERS", true),

    // A trailing "/" matches directories only; the path itself is a file.
    row("infra/", "infra/a/b.tf", true),
    row("infra/", "infra", false),
    row("infra/", "x/infra/main.tf", true),
    row("/infra/", "x/infra/main.tf", false),
    row("infra/modules/", "infra/modules/vpc/main.tf", true),
    row("infra/modules/", "x/infra/modules/vpc.tf", false),
    row(".github/workflows/", ".github/workflows/ci.yml", true),
    row("build/", "src/build", false),
    row("**/", "file", false),
    row("**/", "dir/file", true),

    // "**" is special only as a whole component.
    row("**/foo", "foo", true),
    row("**/foo", "a/b/foo", true),
    row("**/foo", "a/b/foo/bar.txt", true),
    row("foo/**", "foo", false),
    row("foo/**", "foo/a/b", true),
    row("a/**/b", "a/b", true),
    row("a/**/b", "a/x/y/b", true),
    row("a/**/b", "x/a/x/b", false),
    row("/**", "any/deep/file", true),
    row("**", "a/b/c", true),
    row("docs/**/*.md", "docs/a.md", true),
    row("docs/**/*.md", "docs/x/y/a.md", true),
    row("docs/**/*.md", "docs/x/a.txt", false),
    row("**/node_modules/", "web/node_modules/x.js", true),
    row("x/a**b", "x/acb", true),
    row("x/a**b", "x/a/c/b", false),
    // git strips the literal prefix "foo" before wildmatch, so "**" then starts a component.
    row("foo**/bar", "foox/y/bar", true),
    row("foo**/bar", "foo/bar", true),
    // ... and "**/" may match nothing, even where that joins two components.
    row("foo**//bar", "foo/bar", true),
    row("foo**//", "foo/x", true),
    // "**" before an escaped "/" crosses directories but cannot match nothing.
    row("a/**\\/b", "a/b", false),
    row("a/**\\/b", "a/x/b", true),

    // "?" matches one byte, never "/".
    row("?.txt", "a.txt", true),
    row("?.txt", "ab.txt", false),
    row("x/a?b", "x/a/b", false),
    row("caf?.txt", bytes: latin1Cafe, true),
    row("caf?.txt", "café.txt", false),

    // Bracket expressions: ranges, negation, classes; one byte each.
    row("file[0-9].txt", "file7.txt", true),
    row("file[0-9].txt", "filex.txt", false),
    row("file[!0-9].txt", "filex.txt", true),
    row("file[^0-9].txt", "file7.txt", false),
    row("[[:upper:]]*", "Makefile", true),
    row("[[:upper:]]*", "makefile", false),
    row("*[[:digit:]]", "v2", true),
    row("a[[:space:]]b", "a b", true),
    row("a[[:space:]]b", "a\u{0B}b", false),
    row("caf[[:alpha:]].txt", bytes: latin1Cafe, false),
    row("caf[é].txt", "café.txt", false),
    row("[]]", "]", true),
    row("[a-]", "-", true),
    row("[a/]b", "ab", true),
    row("[a/]b", "x/ab", false),

    // Escapes, and git's handling of trailing spaces.
    row("\\*.md", "*.md", true),
    row("\\*.md", "a.md", false),
    row("\\!important", "!important", true),
    row("\\#notes", "#notes", true),
    row("a\\[b]", "a[b]", true),
    row("a\\[b]", "ab", false),
    row("foo\\ ", "foo ", true),
    row("foo  ", "foo", true),
    row("foo  ", "foo ", false),
    row(" foo", " foo", true),

    // Case: sensitive by default; ASCII folding on request.
    row("*.MD", "README.md", false),
    row("*.MD", "README.md", true, ignoringCase: true),
    row("Docs/", "docs/a.md", true, ignoringCase: true),
    row("/Makefile", "makefile", true, ignoringCase: true),
    row("[A-Z]*.txt", "a.txt", true, ignoringCase: true),
    row("[[:upper:]]x", "ax", true, ignoringCase: true),
    row("[m]akefile", "Makefile", true, ignoringCase: true),
    row("café.txt", "CAFÉ.txt", false, ignoringCase: true),

    // Paths that are not UTF-8.
    row("*.txt", bytes: latin1Cafe, true),
    row("café.txt", bytes: latin1Cafe, false),
    row("dir/", bytes: Array("dir/".utf8) + [0xFF, 0xFE], true),
    row("*", bytes: [0xFF], true),

    // The shapes matched without wildmatch (`PathPattern.Shortcut`): a literal name, a
    // name with one "*", each maybe directories only; an anchored literal path.
    row("go.mod", "go.mod", true),
    row("go.mod", "svc/go.mod", true),
    row("go.mod", "go.mod/x", true),
    row("go.mod", "go.modx", false),
    row("go.mod", "xgo.mod", false),
    row("go.mod", "go", false),
    row("Makefile", "makefile", false),
    row("Makefile", "src/makefile", true, ignoringCase: true),
    row("makefile", "MAKEFILE", true, ignoringCase: true),
    row("Dockerfile*", "Dockerfile", true),
    row("Dockerfile*", "a/Dockerfile.dev/x", true),
    row("Dockerfile*", "xDockerfile", false),
    row("Dockerfile*", "Docker", false),
    row("Dockerfile*", "svc/dockerfile.prod", true, ignoringCase: true),
    row("requirements*.txt", "requirements.txt", true),
    row("requirements*.txt", "py/requirements-dev.txt", true),
    row("requirements*.txt", "requirements.tx", false),
    row("requirements*.txt", "requirements.txt.bak", false),
    row("docker-compose*.yml", "svc/docker-compose.prod.yml", true),
    row("a*a", "a", false),
    row("a*a", "aa", true),
    row("ab*ba", "aba", false),
    row("ab*ba", "abba", true),
    row("*.tf", "infra/main.tf", true),
    row("*.tf", ".tf", true),
    row("*.tf", "tf", false),
    row("*.TF", "main.tf", true, ignoringCase: true),
    row("docs/", "docs", false),
    row("docs/", "a/docs/b", true),
    row("*.d/", "x.d", false),
    row("*.d/", "x.d/y", true),
    row("k8s*/", "deploy/k8s-prod/a.yaml", true),
    row("k8s*/", "deploy/k8s-prod", false),
    row("/infra/", "infra/x", true),
    row("/infra/", "infra", false),
    row("/infra", "infra", true),
    row("/infra", "infrastructure/x", false),
    row("/infra", "x/infra", false),
    row(".github/workflows/", ".github/workflows", false),
    row(".github/workflows", ".github/workflows", true),
    row(".github/copilot-instructions.md", ".github/copilot-instructions.md", true),
    row(".github/copilot-instructions.md", "x/.github/copilot-instructions.md", false),
    row("a/b", "a/bc", false),
    row("a/b", "a/b/c/d", true),
    row("/A/b", "a/B/c", true, ignoringCase: true),
    row("/.agentreview/", ".AgentReview/policy.yml", true, ignoringCase: true),

    // Deep paths.
    row("vendor/", "a/b/c/d/e/f/g/vendor/h/i.go", true),
    row("/a/b/c/d/e/f", "a/b/c/d/e/f/g/h.txt", true),
    row("a/*/c/*/e", "a/b/c/d/e/f/g", true),
    row("a/*/c/*/e", "a/b/c/e", false),
    row("*.d", "etc/conf.d/x/y/z", true),

    // Many stars: decided by the memoized recursion (the plain one runs out of its budget).
    row("**/**/**/**/**/x", "a/b/c/d/e/f/g/h/i/j/k/l", false),
    row("**/**/**/**/**/x", "a/b/c/d/e/f/g/h/i/j/k/x", true),
    row("**/**/**/**/**/x", "x", true),
    row("a/**/**/b/**/c", "a/b/c", true),
    row("a/**/**/b/**/c", "a/x/b/y/b/z/d", false),
    row("a/**/**/b/**/c", "a/x/b/y/b/z/c/d", true),
    row("*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaa/aaaaaaaaaaaaaaaaaaaaaa/aaaaaaaaaaaaaaab", true),
    row("*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaa/aaaaaaaaaaaaaaaaaaaaaa/aaaaaaaaaaaaaaaaa", false),
    row("/**/*a*a*a*a*/*b", "aaaaaaaaaaaa/aaaaaaaaaaaa/aaaaaaaaaaaa/aaaaaaaaaaab", true),
    row("/**/*a*a*a*a*/*b", "aaaaaaaaaaaa/aaaaaaaaaaaa/aaaaaaaaaaaa/aaaaaaaaaaaa", false),
    row("**/a*?**/**b", "a/aa/ab/b/ab", true),
    row("**/a*?**/**b", "a/aa/ab/b/ac", true),
    row("**/a*?**/**b", "b/ac/c/c", false),
]

@Suite struct PathPatternTests {
    // MARK: The table

    @Test(arguments: pathPatternTable)
    func matches(_ row: MatchCase) throws {
        let pattern = try PathPattern(row.pattern)
        #expect(pattern.matches(GitPath(bytes: row.path), ignoringCase: row.ignoringCase) == row.expected)
    }

    @Test func everyRowAgreesWithGitCheckIgnore() throws {
        let repo = try CheckIgnore()
        defer { repo.remove() }
        let groups = Dictionary(grouping: pathPatternTable) { "\($0.ignoringCase) \($0.pattern)" }
        #expect(pathPatternTable.count >= 60)
        for rows in groups.values {
            let ignored = try repo.ignored(pattern: rows[0].pattern, paths: rows.map(\.path), ignoringCase: rows[0].ignoringCase)
            for row in rows {
                #expect(ignored.contains(row.path) == row.expected, "git disagrees: \(row.testDescription)")
            }
        }
    }

    /// With `ignoringCase`, git leaves letters in brackets and after `\` unfolded, so `[D]`
    /// matches nothing at all; ours folds them, so folding only ever adds matches.
    @Test func ignoringCaseAlsoFoldsBracketsAndEscapesUnlikeGit() throws {
        let repo = try CheckIgnore()
        defer { repo.remove() }
        for (source, path) in [("[D]ockerfile", "Dockerfile"), ("[D]ockerfile", "dockerfile"), ("Make\\File", "makefile")] {
            let pattern = try PathPattern(source)
            #expect(pattern.matches(GitPath(path), ignoringCase: true))
            #expect(!pattern.matches(GitPath(path), flags: .caseFold), "git's own folding")
            #expect(try repo.ignored(pattern: source, paths: [Array(path.utf8)], ignoringCase: true).isEmpty)
        }
        #expect(!Wildmatch.matches(pattern: "[D]ockerfile", text: "Dockerfile", pathname: true, ignoringCase: true))
        #expect(Wildmatch.matches(pattern: "[D]ockerfile", text: "Dockerfile", pathname: true))
    }

    /// Random patterns and paths from a small alphabet, checked against git: every valid
    /// pattern matches what git ignores, with and without folding, and every refused
    /// pattern is ignored by git for none of the paths.
    @Test func randomPatternsAgreeWithGit() throws {
        let repo = try CheckIgnore()
        defer { repo.remove() }
        var random = SplitMix64(seed: 0x5EED)
        let pieces = [
            "a", "b", "A", "ab", "foo", "f", "o", "x", ".", "-", " ", ":", "!", "^", "[", "]",
            "/", "/", "/", "a/", "*", "*", "*a", "*/", "**", "**", "**/", "/**", "?",
            "[ab]", "[!a]", "[^a-b]", "[a-c]", "[A-Z]", "[]a]", "[!/]", "[/a]", "[a-", "[!",
            "[[:upper:]]", "[[:space:]]", "[[:alpha:][:digit:]]", "[:alpha:]", "[[:alp]", "[\\]]", "[a\\-c]",
            "\\", "\\*", "\\*\\*", "\\a", "\\A", "\\ ", "\\/", "\\[", "\\]",
        ]
        let names = [
            "a", "b", "c", "f", "o", "x", "A", "ab", "ba", "aB", "Ab", "oo", "fo", "foo", "foox", "a.b", ".a",
            "*", "-", "^", "!", "[", "]", "[a]", "a]", "a-c", "a b", "ab ", "a\\b", "a:b",
        ]
        var paths = Set<[UInt8]>()
        while paths.count < 120 {
            let depth = 1 + random.next(5)
            paths.insert(Array((0..<depth).map { _ in names[random.next(names.count)] }.joined(separator: "/").utf8))
        }
        let pathList = Array(paths)
        var checked = 0
        var refused = 0
        for _ in 0..<300 {
            let source = (0..<(1 + random.next(7))).map { _ in pieces[random.next(pieces.count)] }.joined()
            let pattern: PathPattern
            do {
                pattern = try PathPattern(source)
            } catch {
                // Refused as negation or comment, or for a reversed range (which git reads
                // as its first character alone): those could match in git. The rest never do.
                if source.first != "!" && source.first != "#" && !error.description.contains("reversed range") {
                    refused += 1
                    let ignored = try repo.ignored(pattern: source, paths: pathList, ignoringCase: false)
                    #expect(ignored.isEmpty, "refused \"\(source)\" but git ignores \(ignored.map { GitPath(bytes: $0) })")
                }
                continue
            }
            checked += 1
            for fold in [false, true] {
                let ignored = try repo.ignored(pattern: source, paths: pathList, ignoringCase: fold)
                for path in pathList {
                    let ours = pattern.matches(GitPath(bytes: path), flags: fold ? .caseFold : [])
                    #expect(ours == ignored.contains(path), "\"\(source)\" on \(GitPath(bytes: path)) ignoring case: \(fold)")
                    if fold {
                        // Our public folding only adds matches to git's.
                        #expect(!ours || pattern.matches(GitPath(bytes: path), ignoringCase: true))
                    }
                }
            }
        }
        #expect(checked > 50)
        #expect(refused > 0)
    }

    // MARK: Shortcuts

    /// The shortcut shapes decide as wildmatch does, with and without folding, and so does
    /// `PathPatternList`; patterns of other shapes take no shortcut.
    @Test func shortcutsAgreeWithWildmatch() throws {
        let shortcuts = [
            "go.mod", "Makefile", "makefile", "a", "A", ".a", "*", "*.md", "*.MD", "*a", "a*", "a*a", "ab*ba",
            "Dockerfile*", "requirements*.txt", "docs/", "*.d/", "a*/", "x/", "/a", "/a/", "a/b", "/a/b/",
            "A/b", ".github/workflows/", "a.b/c d", "é",
        ]
        let others = ["?.md", "[ab]", "a**", "**/a", "a/*.md", "\\a", "a\\*", "*a*", "/a/**", "a/**/b"]
        let names = [
            "a", "A", "aa", "aA", "aba", "abba", "b", ".a", "go.mod", "GO.MOD", "go.modx", "Makefile", "makefile",
            "Dockerfile", "dockerfile.dev", "requirements.txt", "requirements-dev.TXT", "x.md", "X.MD", ".md",
            "docs", "Docs", "x.d", "github", ".github", "workflows", "a b", "c d", "a.b", "é", "É", "ab",
        ]
        var random = SplitMix64(seed: 0xFA57)
        var paths = Set<[UInt8]>()
        while paths.count < 400 {
            let depth = 1 + random.next(4)
            paths.insert(Array((0..<depth).map { _ in names[random.next(names.count)] }.joined(separator: "/").utf8))
        }
        paths.insert(Array(".github/workflows/ci.yml".utf8))
        paths.insert(Array("a.b/c d/e".utf8))
        let all = try (shortcuts + others).map(PathPattern.init)
        let list = PathPatternList(all)
        for (index, pattern) in all.enumerated() {
            #expect((pattern.shortcut != nil) == (index < shortcuts.count), "\(pattern)")
            for path in paths {
                let gitPath = GitPath(bytes: path)
                for flags: WildFlags in [[], .caseFold, [.caseFold, .foldAll]] {
                    let ours = pattern.matches(gitPath, flags: flags)
                    #expect(ours == pattern.matchesByWildmatch(gitPath, flags: flags), "\(pattern) on \(gitPath) \(flags.rawValue)")
                    let listed = path.withUnsafeBufferPointer { bytes in
                        SplitPath.split(bytes) { list.matches(index, $0, flags: flags) }
                    }
                    #expect(listed == ours, "\(pattern) listed on \(gitPath)")
                }
                // What `Classifier` relies on to skip folding.
                if !list.foldMatters(index) && !path.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) {
                    #expect(pattern.matches(gitPath, flags: [.caseFold, .foldAll]) == pattern.matches(gitPath, flags: []))
                }
            }
        }
    }

    // MARK: Patterns that would take git minutes

    /// The memoized recursion decides exactly as git's plain one: the same outcome (abort
    /// kinds included, which steer the callers' retries), for random patterns heavy in
    /// stars, with and without `pathname` and folding; and `run()` agrees with both.
    @Test func memoizedRecursionDecidesAsGitsRecursion() {
        var random = SplitMix64(seed: 0x3E30)
        let pieces = [
            "a", "b", "A", "/", "/", "*", "*", "**", "**/", "/**", "/**/", "?", "[ab]", "[!a]", "\\*", "\\/", "*a", "a*", "b/",
        ]
        let names = ["a", "b", "ab", "ba", "aa", "bb", "aab", "A", "*", ""]
        var differing = 0
        var compared = 0
        var memoizedOften = 0
        for _ in 0..<15000 {
            let pattern = Array((0..<(1 + random.next(9))).map { _ in pieces[random.next(pieces.count)] }.joined().utf8)
            let text = Array((0..<(1 + random.next(7))).map { _ in names[random.next(names.count)] }.joined(separator: "/").utf8)
            for flags: WildFlags in [[], .pathname, [.pathname, .caseFold], [.caseFold, .foldAll]] {
                let (plain, memoized, run, _) = outcomes(pattern, text, flags)
                compared += 1
                if plain != memoized || run != plain { differing += 1 }
                #expect(plain == memoized && run == plain,
                        "\"\(String(decoding: pattern, as: UTF8.self))\" on \"\(String(decoding: text, as: UTF8.self))\" flags \(flags.rawValue)")
                if memoized == .match { memoizedOften += 1 }
            }
        }
        #expect(compared == 60000 && differing == 0)
        #expect(memoizedOften > 2500, "the random patterns match often enough to mean something")
    }

    /// Inputs on which git's recursion (and ours before) takes minutes — twelve `**/`
    /// against a path thirty directories deep takes git 2.39 longer than the 113 s it takes
    /// for ten — finish in a number of steps polynomial in their sizes, with git's answer.
    @Test(arguments: [
        // (pattern, text, expected)
        (String(repeating: "**/", count: 12) + "x", thirtyLevels + "/y", false),
        (String(repeating: "**/", count: 12) + "x", thirtyLevels + "/x", true),
        ("**/" + String(repeating: "*a", count: 12) + "*b", thirtyLevels.replacingOccurrences(of: "d", with: "aaaaaaaa"), false),
        (String(repeating: "*a", count: 12) + "*b", String(repeating: "a", count: 400), false),
        (String(repeating: "**/*a", count: 12) + "*b", thirtyLevels.replacingOccurrences(of: "d", with: "aaaaaaaa"), false),
        (String(repeating: "*a", count: Limits.patternBytes / 2), String(repeating: "a", count: 2000) + "b", false),
        (String(repeating: "**/", count: Limits.patternBytes / 3) + "*", thirtyLevels, true),
        (String(repeating: "**/", count: Limits.patternBytes / 3 - 1) + "x", thirtyLevels, false),
    ])
    func manyStarsFinishInPolynomialSteps(_ source: String, _ text: String, _ expected: Bool) throws {
        let pattern = Array(source.utf8)
        let path = Array(text.utf8)
        #expect(pattern.count <= Limits.patternBytes)
        var steps = 0
        let outcome = pattern.withUnsafeBufferPointer { p in
            path.withUnsafeBufferPointer { t in
                WildEngine(pattern: p, text: t, flags: .pathname).run(steps: &steps)
            }
        }
        #expect((outcome == .match) == expected)
        // Two tables of (stars × 2 + 1) rows by (text + 1) columns bound the memoized work;
        // the plain recursion's budget comes on top.
        let stars = source.split(separator: "*", omittingEmptySubsequences: true).count
        let bound = 4 * (2 * stars + 1) * (path.count + 1) + WildEngine.plainBudget(pattern.count, path.count)
        #expect(steps <= bound, "\(steps) steps, over \(bound)")

        // The same through `PathPattern` (every leading directory tried), with a backstop
        // of seconds where git needs minutes.
        let clock = ContinuousClock()
        let start = clock.now
        _ = try PathPattern(source).matches(GitPath(text))
        #expect(clock.now - start < .seconds(60))
    }

    /// The inputs above are the ones that matter: git's recursion as written, on a smaller
    /// one (five `**/` over twenty directories), already takes far more steps than the
    /// memoized one, and the plain budget is what makes `run()` switch.
    @Test func gitsRecursionIsExponentialWhereOursIsNot() {
        var counts: [(plain: Int, memoized: Int)] = []
        for stars in [3, 4, 5] {
            let pattern = Array((String(repeating: "**/", count: stars) + "x").utf8)
            let text = Array(String(thirtyLevels.prefix(39)).utf8)  // twenty directories
            let (plain, memoized, run, steps) = outcomes(pattern, text, .pathname)
            #expect(plain == .abortAll || plain == .noMatch)
            #expect(memoized == plain && run == plain)
            counts.append((steps.plain, steps.memoized))
        }
        // Each `**/` more multiplies the plain steps (by about twenty / its count) and adds
        // a little to the memoized ones.
        #expect(counts[2].plain > 4 * counts[1].plain && counts[1].plain > 4 * counts[0].plain, "\(counts)")
        #expect(counts[2].memoized < 2 * counts[1].memoized, "\(counts)")
        #expect(counts[2].plain > WildEngine.plainBudget(16, 39))
    }

    @Test func patternsOverTheLimitAreRefused() throws {
        let longest = String(repeating: "a", count: Limits.patternBytes)
        #expect(throws: Never.self) { try PathPattern(longest) }
        #expect(throws: Never.self) { try RefPattern("refs/heads/" + String(repeating: "a", count: Limits.patternBytes - 11)) }
        for source in [longest + "a", String(repeating: "**/", count: 20_000) + "x"] {
            let errors: [PatternError] = [
                try #require(throws: PatternError.self) { try PathPattern(source) },
                try #require(throws: PatternError.self) { try RefPattern("refs/" + source) },
                try #require(throws: PatternError.self) { try Wildmatch.validate(source, pathname: false) },
            ]
            for error in errors {
                let count = source.utf8.count + (error.description.contains("\"refs/") ? 5 : 0)
                #expect(error.description.contains("it is \(count) bytes, over the limit of 4096 (Limits.patternBytes)"), "\(error)")
                #expect(error.description.count < 200, "the message stays one short line")
            }
        }
    }

    // MARK: Refused patterns

    @Test(arguments: [
        ("", "empty"),
        ("   ", "only spaces"),
        ("!docs/", "negation"),
        ("#notes", "comment"),
        ("docs\\", "lone \"\\\""),
        ("docs\\/", "lone \"\\\""),
        ("[abc", "no closing \"]\""),
        ("[]", "no closing \"]\""),
        ("docs/[!]", "no closing \"]\""),
        ("[[:alpha:]", "no closing \"]\""),
        ("[[:letter:]]", "unknown character class \"[:letter:]\""),
        ("[z-a].txt", "reversed range"),
        ("[!z-a]", "reversed range"),
        ("x/[\\/]", "matches no character"),
        ("a[/]b", "matches no character"),
        ("/", "\"/\" alone matches nothing"),
        ("a//b", "empty path component"),
        ("//a", "empty path component"),
        ("a//", "empty path component"),
        ("./docs/", "\".\" or \"..\""),
        ("src/../lib", "\".\" or \"..\""),
        ("..", "\".\" or \"..\""),
        ("a\nb", "line break"),
        ("\u{FEFF}docs", "byte-order mark"),
    ])
    func refuses(_ source: String, _ reason: String) throws {
        let error = try #require(throws: PatternError.self) { try PathPattern(source) }
        guard case .malformed(let pattern, let why) = error else { return }
        #expect(pattern == source)
        #expect(why.contains(reason), "\(why)")
        #expect(error.description.hasPrefix("malformed pattern \"\(source)\": "))
    }

    @Test func acceptsEscapedMarkers() throws {
        #expect(try PathPattern("\\!x").matches(GitPath("!x")))
        #expect(try PathPattern("\\#x").matches(GitPath("#x")))
        #expect(try PathPattern("a\\\\").matches(GitPath("a\\")))
    }

    @Test func patternsAreEqualByTheirSource() throws {
        #expect(try PathPattern("docs/") == PathPattern("docs/"))
        #expect(try PathPattern("docs/") != PathPattern("docs"))
        #expect(try PathPattern("docs/").description == "docs/")
    }

    // MARK: Wildmatch

    @Test(arguments: [
        // (pattern, text, pathname, ignoring case, expected) — after git's t3070-wildmatch.
        ("foo/*", "foo/bar/baz", true, false, false),
        ("foo/*", "foo/bar/baz", false, false, true),
        ("foo/**", "foo/bar/baz", true, false, true),
        ("**/foo", "foo", true, false, true),
        ("**/bar*", "deep/foo/bar/baz", true, false, false),
        ("**/bar/*", "deep/foo/bar/baz", true, false, true),
        ("*/bar/**", "foo/bar/baz/x", true, false, true),
        ("*/bar/**", "deep/foo/bar/baz/x", true, false, false),
        ("foo?bar", "foo/bar", true, false, false),
        ("foo?bar", "foo/bar", false, false, true),
        ("foo[/]bar", "foo/bar", true, false, false),
        ("foo[/]bar", "foo/bar", false, false, true),
        ("[[:xdigit:]]", "F", true, false, true),
        ("[[:punct:]]", ",", true, false, true),
        ("[\\-_]", "-", true, false, true),
        ("[\\]]", "]", true, false, true),
        ("[!]-]", "]", true, false, false),
        ("[a-c", "b", true, false, false),
        ("[[:foo:]]", "f", true, false, false),
        ("[A-Z]", "a", true, true, true),
        ("[a-z]", "A", true, true, true),
        ("[[:lower:]]", "A", true, true, true),
        ("[B-Za]", "A", true, true, true),
        ("-*-*-*-*-*-*-12-*-*-*-m-*-*-*", "-adobe-courier-bold-o-normal--12-120-75-75-m-70-iso8859-1", true, false, true),
        ("**/*a*b*g*n*t", "abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txt", true, false, true),
        ("**/*a*b*g*n*t", "abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txtz", true, false, false),
        ("XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*", "XXX/adobe/courier/bold/o/normal//12/120/75/75/m/70/iso8859/1", true, false, true),
    ])
    func wildmatch(_ pattern: String, _ text: String, _ pathname: Bool, _ ignoringCase: Bool, _ expected: Bool) {
        #expect(Wildmatch.matches(pattern: pattern, text: text, pathname: pathname, ignoringCase: ignoringCase) == expected)
    }

    @Test func wildmatchValidatesPatterns() {
        #expect(throws: Never.self) { try Wildmatch.validate("Build Bot <*@corp.example>", pathname: false) }
        #expect(throws: PatternError.self) { try Wildmatch.validate("bot-[0-9", pathname: false) }
        #expect(throws: PatternError.self) { try Wildmatch.validate("trailing\\", pathname: false) }
        #expect(throws: Never.self) { try Wildmatch.validate("a[/]b", pathname: false) }
        #expect(throws: PatternError.self) { try Wildmatch.validate("a[/]b", pathname: true) }
    }

    // MARK: RefPattern

    @Test(arguments: [
        ("refs/heads/main", "refs/heads/main", true),
        ("refs/heads/main", "refs/heads/main2", false),
        ("refs/heads/release/*", "refs/heads/release/1.0", true),
        ("refs/heads/release/*", "refs/heads/release/1.0/hotfix", false),
        ("refs/heads/release/*", "refs/heads/release", false),
        ("refs/heads/release/**", "refs/heads/release/1.0/hotfix", true),
        ("refs/heads/**", "refs/heads/main", true),
        ("refs/tags/v[0-9]*", "refs/tags/v1.2", true),
        ("refs/tags/v[0-9]*", "refs/tags/vx", false),
        ("refs/heads/*", "refs/tags/main", false),
        ("refs/heads/feature-?", "refs/heads/feature-a", true),
    ])
    func refPatternMatches(_ source: String, _ ref: String, _ expected: Bool) throws {
        #expect(try RefPattern(source).matchesRef(ref) == expected)
    }

    @Test(arguments: [
        ("main", "ref patterns name full refs: did you mean \"refs/heads/main\"?"),
        ("heads/main", "ref patterns name full refs: did you mean \"refs/heads/main\"?"),
        ("tags/v*", "ref patterns name full refs: did you mean \"refs/tags/v*\"?"),
        ("/refs/heads/main", "ref patterns name full refs: did you mean \"refs/heads/main\"?"),
        ("", "it is empty"),
        ("refs/heads/", "ref names never end with \"/\": write \"refs/heads/**\" for every ref under it"),
        ("refs/heads/[abc", "no closing \"]\""),
        ("refs/heads/x\\", "lone \"\\\""),
        ("refs//main", "empty component"),
        ("refs/heads/my branch", "never contain \" \""),
        ("refs/heads/a..b", "never contain \"..\""),
        ("refs/heads/.hidden", "never start with \".\""),
    ])
    func refusesRefPattern(_ source: String, _ reason: String) throws {
        let error = try #require(throws: PatternError.self) { try RefPattern(source) }
        guard case .malformed(let pattern, let why) = error else { return }
        #expect(pattern == source)
        #expect(why.contains(reason), "\(why)")
    }

    // MARK: GitPath

    @Test func gitPathDescriptionQuotesLikeGit() throws {
        let directory = try GitProcess.temporaryDirectory("agentreview-quote")
        defer { try? FileManager.default.removeItem(at: directory) }
        try GitProcess.check(["init", "-q"], in: directory)
        let blob = try GitProcess.check(["hash-object", "-w", "--stdin"], in: directory, input: Data()).text
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let names: [[UInt8]] = [
            Array("plain/file.txt".utf8),
            Array("café.txt".utf8),
            latin1Cafe,
            Array("é/".utf8) + [0xFF],
            Array("tab\there".utf8),
            Array("quote\"and\\backslash".utf8),
            Array("new\nline\u{7F}".utf8),
            [0x01, 0x07],
        ]
        var input = Data()
        for name in names { input += Data("100644 \(blob)\t".utf8) + Data(name) + Data([0]) }
        try GitProcess.check(["update-index", "--add", "-z", "--index-info"], in: directory, input: input)

        // By default git escapes every byte above 0x7F; with core.quotePath=false, none.
        let quoted = try GitProcess.check(["ls-files"], in: directory).text.split(separator: "\n").map(String.init)
        let unquoted = try GitProcess.check(["-c", "core.quotePath=false", "ls-files"], in: directory).text
            .split(separator: "\n").map(String.init)
        let listed = try GitProcess.check(["ls-files", "-z"], in: directory).stdout.split(separator: 0).map(Array.init)
        #expect(listed.count == names.count)
        for (index, name) in listed.enumerated() {
            let isUTF8 = String(validatingUTF8Bytes: name) != nil
            #expect(GitPath(bytes: name).description == (isUTF8 ? unquoted[index] : quoted[index]))
        }
        #expect(GitPath(bytes: latin1Cafe).description == #""caf\351.txt""#)
        #expect(GitPath("café.txt").description == "café.txt")
        #expect(GitPath("tab\there").description == #""tab\there""#)
    }
}

// MARK: - Helpers

/// "d/d/…/d": thirty directories.
let thirtyLevels = Array(repeating: "d", count: 30).joined(separator: "/")

/// What git's plain recursion, the memoized one and `run()` decide, and the steps the
/// first two take.
private func outcomes(_ pattern: [UInt8], _ text: [UInt8], _ flags: WildFlags)
    -> (WildEngine.Outcome, WildEngine.Outcome, WildEngine.Outcome, (plain: Int, memoized: Int))
{
    pattern.withUnsafeBufferPointer { p in
        text.withUnsafeBufferPointer { t in
            let engine = WildEngine(pattern: p, text: t, flags: flags)
            var plainSteps = 0
            var memoizedSteps = 0
            var runSteps = 0
            let plain = engine.runPlain(steps: &plainSteps)
            let memoized = engine.runMemoized(steps: &memoizedSteps)
            let run = engine.run(steps: &runSteps)
            return (plain, memoized, run, (plainSteps, memoizedSteps))
        }
    }
}

/// A scratch repository in which to ask `git check-ignore` about one-line .gitignore files.
private struct CheckIgnore {
    let directory: URL

    init() throws {
        directory = try GitProcess.temporaryDirectory("agentreview-check-ignore")
        try GitProcess.check(["init", "-q"], in: directory)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// The paths that git ignores when `.gitignore` holds just `pattern`. The paths do not
    /// exist on disk, so git takes each one for a file.
    func ignored(pattern: String, paths: [[UInt8]], ignoringCase: Bool) throws -> Set<[UInt8]> {
        try Data((pattern + "\n").utf8).write(to: directory.appendingPathComponent(".gitignore"))
        var input = Data()
        for path in paths { input += Data(path) + Data([0]) }
        let arguments = ["-c", "core.ignoreCase=\(ignoringCase)", "check-ignore", "--no-index", "--stdin", "-z"]
        let output = try GitProcess.run(arguments, in: directory, input: input)
        // check-ignore exits 1 when it ignores nothing.
        guard output.status == 0 || output.status == 1 else {
            throw GitProcess.Failure(arguments: arguments, status: output.status, stderr: output.stderr)
        }
        return Set(output.stdout.split(separator: 0).map(Array.init))
    }
}

private extension String {
    init?(validatingUTF8Bytes bytes: [UInt8]) {
        let decoded = String(decoding: bytes, as: UTF8.self)
        guard decoded.utf8.elementsEqual(bytes) else { return nil }
        self = decoded
    }
}

