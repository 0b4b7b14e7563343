import AgentReviewCore
import Testing

/// The classifier on plain values: paths and modes in, classes and rules out.
@Suite struct ClassifierTests {
    static let policy = try! PolicyLoader.load(yaml: """
        version: 1
        classes:
          - name: low
          - name: medium
            approvals: 1
          - name: high
            approvals: 2
        default_class: medium
        paths:
          - { pattern: "docs/", class: low }
          - { pattern: "*.md", class: low }
          - { pattern: "infra/", class: high }
          - { pattern: "AGENTS.md", class: high }
        escalations:
          submodule: high
          symlink: high
          executable: high
          binary: medium
          changed_lines: { over: 100, class: high }
        signers: keys/allowed_signers
        """, file: "policy.yml")

    let classifier = Classifier(policy: policy)

    @Test("one path: the highest matching rule wins, else default_class", arguments: [
        ("docs/guide.txt", "low", "\"docs/\" at policy.yml:10"),
        ("README.md", "low", "\"*.md\" at policy.yml:11"),
        ("AGENTS.md", "high", "\"AGENTS.md\" at policy.yml:13"),
        ("docs/AGENTS.md", "high", "\"AGENTS.md\" at policy.yml:13"),
        ("infra/notes.md", "high", "\"infra/\" at policy.yml:12"),
        ("src/main.swift", "medium", "default_class"),
        // Trusted files: always the highest class, whatever the rules say, whatever the case.
        (".agentreview/policy.yml", "high", "trusted file (/.agentreview/): always the highest class"),
        (".AgentReview/policy.yml", "high", "trusted file (/.agentreview/): always the highest class"),
        ("CODEOWNERS", "high", "trusted file (CODEOWNERS): always the highest class"),
        ("docs/CODEOWNERS", "high", "trusted file (CODEOWNERS): always the highest class"),
        ("hooks/pre-receive", "high", "trusted file (/hooks/): always the highest class"),
        ("keys/allowed_signers", "high", "trusted file (keys/allowed_signers, named by the policy): always the highest class"),
        // A case trick raises the class, never lowers it.
        ("INFRA/main.tf", "high", "\"infra/\" at policy.yml:12 (matched ignoring case)"),
        ("notes.MD", "medium", "default_class"),
    ])
    func path(path: String, expected: String, rule: String) {
        let result = classifier.classify(GitPath(path))
        #expect(Self.policy.classes[result.rank].name == expected)
        #expect(result.rule == rule)
    }

    @Test func commitClassIsItsHighestPath() {
        let result = classifier.classify([
            PathChange(.modified, "docs/a.txt"), PathChange(.added, "src/a.swift"), PathChange(.deleted, "README.md", from: .regular, to: .absent),
        ])
        #expect(result.rank == 1)
        #expect(result.paths.map(\.path.description) == ["docs/a.txt", "src/a.swift", "README.md"])
        #expect(result.rule == "src/a.swift: default_class")
    }

    @Test func emptyCommitIsLowest() {
        let result = classifier.classify([])
        #expect(result.rank == 0)
        #expect(result.rule == "no paths changed")
    }

    @Test func renameCountsBothSides() {
        let rename = PathChange(
            kind: .modified, oldPath: GitPath("infra/a.tf"), newPath: GitPath("docs/a.tf"), oldMode: .regular, newMode: .regular)
        let result = classifier.classify([rename])
        #expect(result.rank == 2)
        #expect(result.paths.map(\.path.description) == ["infra/a.tf", "docs/a.tf"])
    }

    @Test("escalations raise a path's class", arguments: [
        (PathChange(.added, "docs/run.sh", to: .executable), "high", "escalation executable: file made executable"),
        (PathChange(.modified, "docs/run.sh", from: .regular, to: .executable), "high", "escalation executable: file made executable"),
        (PathChange(.modified, "docs/run.sh", from: .executable, to: .executable), "low", "\"docs/\" at policy.yml:10"),
        (PathChange(.deleted, "docs/run.sh", from: .executable, to: .absent), "low", "\"docs/\" at policy.yml:10"),
        (PathChange(.added, "docs/link", to: .symlink), "high", "escalation symlink: a symbolic link added or changed"),
        (PathChange(.deleted, "docs/link", from: .symlink, to: .absent), "low", "\"docs/\" at policy.yml:10"),
        (PathChange(.added, "docs/vendor", to: .gitlink), "high", "escalation submodule: a submodule (gitlink) changed"),
        (PathChange(.deleted, "docs/vendor", from: .gitlink, to: .absent), "high", "escalation submodule: a submodule (gitlink) changed"),
    ])
    func escalation(change: PathChange, expected: String, rule: String) {
        let result = classifier.classify([change])
        #expect(Self.policy.classes[result.rank].name == expected)
        #expect(result.paths.first?.rule == rule)
    }

    @Test func binaryContentEscalatesOnlyWhenKnown() {
        var change = PathChange(.added, "docs/logo.png")
        #expect(classifier.classify([change]).rank == 0)
        change.isBinary = true
        let result = classifier.classify([change])
        #expect(result.rank == 1)
        #expect(result.paths[0].rule == "escalation binary: binary content")
    }

    @Test func changedLinesEscalateTheCommit() {
        var small = PathChange(.modified, "docs/a.txt")
        small.changedLines = 60
        var other = PathChange(.modified, "docs/b.txt")
        other.changedLines = 40
        #expect(classifier.classify([small, other]).rank == 0)
        other.changedLines = 41
        let result = classifier.classify([small, other])
        #expect(result.rank == 2)
        #expect(result.escalations == ["escalation changed_lines: 101 lines changed, over 100"])
        #expect(result.rule == "escalation changed_lines: 101 lines changed, over 100")
    }

    @Test func policyWithoutEscalationsIgnoresModes() throws {
        let plain = try PolicyLoader.load(yaml: """
            version: 1
            classes: [{ name: low }, { name: high }]
            default_class: low
            """, file: "p.yml")
        let result = Classifier(policy: plain).classify([PathChange(.added, "run.sh", to: .executable), PathChange(.added, "l", to: .symlink)])
        #expect(result.rank == 0)
    }
}

@Suite struct MergeChangesTests {
    @Test func onlyPathsThatDifferFromEveryParent() {
        let againstFirst = [PathChange(.modified, "a"), PathChange(.modified, "b"), PathChange(.added, "c")]
        let againstSecond = [PathChange(.modified, "b"), PathChange(.modified, "d"), PathChange(.added, "c")]
        let introduced = MergeChanges.introduced([againstFirst, againstSecond])
        #expect(introduced.map(\.newPath.description) == ["b", "c"])
        #expect(MergeChanges.introducedIndices([againstFirst, againstSecond]) == [1, 2])
        #expect(MergeChanges.introducedIndices([againstFirst]) == [0, 1, 2])
    }

    @Test func ordinaryCommitKeepsEverything() {
        let changes = [PathChange(.modified, "a"), PathChange(.added, "b")]
        #expect(MergeChanges.introduced([changes]) == changes)
        #expect(MergeChanges.introduced([]).isEmpty)
    }

    @Test func octopusNeedsEveryParent() {
        let introduced = MergeChanges.introduced([
            [PathChange(.modified, "a"), PathChange(.modified, "b")],
            [PathChange(.modified, "a"), PathChange(.modified, "b")],
            [PathChange(.modified, "b")],
        ])
        #expect(introduced.map(\.newPath.description) == ["b"])
    }
}

@Suite struct CodeOwnersTests {
    let owners = CodeOwners(text: """
        # comment
        *            @org/everyone
        /infra/      @infra alice@example.com
        *.md         docs@example.com   # trailing comment
        /infra/README.md

        """, source: "CODEOWNERS")

    @Test("the last matching rule wins", arguments: [
        ("src/a.swift", ["@org/everyone"]),
        ("infra/main.tf", ["@infra", "alice@example.com"]),
        ("guide.md", ["docs@example.com"]),
        ("infra/README.md", []),
    ])
    func lastMatchWins(path: String, expected: [String]) {
        #expect(owners.owners(of: GitPath(path)) == expected)
    }

    /// CRLF line ends (a file written on Windows) read as LF ones: every rule, each with its
    /// line. (Read as Characters, a CRLF was neither LF nor CR, and such a file was one line.)
    @Test func crlfLinesAreLinesToo() {
        let lf = "# comment\n*  @org/everyone\n/infra/  @infra alice@example.com\n*.md docs@example.com # c\n\t/infra/README.md\n"
        let crlf = CodeOwners(text: lf.replacingOccurrences(of: "\n", with: "\r\n"), source: "CODEOWNERS")
        let plain = CodeOwners(text: lf, source: "CODEOWNERS")
        #expect(crlf.rules == plain.rules)
        #expect(crlf.rules.map(\.line) == [2, 3, 4, 5])
        for path in ["src/a.swift", "infra/main.tf", "guide.md", "infra/README.md"] {
            #expect(crlf.owners(of: GitPath(path)) == owners.owners(of: GitPath(path)), "\(path)")
        }
        #expect(crlf.owners(of: GitPath("infra/main.tf")) == ["@infra", "alice@example.com"])
    }

    /// An escaped `#` is part of a pattern; a `#` after it still starts a comment.
    @Test func escapedHashIsNoComment() {
        let owners = CodeOwners(text: "/a\\#b/ @x # @y\n", source: "CODEOWNERS")
        #expect(owners.rules.first?.owners == ["@x"])
    }

    @Test func unmatchedPathHasNoRule() {
        let partial = CodeOwners(text: "/infra/ @infra\n", source: "CODEOWNERS")
        #expect(partial.owners(of: GitPath("src/a")) == nil)
        #expect(partial.rules.map(\.line) == [1])
    }

    @Test func badPatternIsReportedWithItsLine() throws {
        let broken = CodeOwners(text: "ok/ @a\n[abc @b\n", source: "CODEOWNERS")
        #expect(broken.rules.count == 1)
        #expect(broken.problems.map(\.line) == [2])
        #expect(broken.refusal == nil)
        // A malformed line is skipped, as GitHub does, not a refusal of the file.
        let read = try CodeOwners(bytes: Array("ok/ @a\n[abc @b\n".utf8), source: "CODEOWNERS")
        #expect(read.rules.map(\.line) == [1] && read.problems.map(\.line) == [2])
        #expect(read.owners(of: GitPath("ok/x")) == ["@a"])
    }

    /// Over `Limits.codeOwnersBytes` or with a pattern over `Limits.patternBytes`, the file
    /// is refused with one line; kept unthrown, the refusal owns every path for an owner
    /// nobody can be, so it never reads as "no owners".
    @Test(arguments: [
        ("/infra/ @infra\n# " + String(repeating: "x", count: Limits.codeOwnersBytes) + "\n",
         "CODEOWNERS: CODEOWNERS is \(Limits.codeOwnersBytes + 18) bytes, over the limit of 3145728 (Limits.codeOwnersBytes): not read"),
        ("/infra/ @infra\n\n" + String(repeating: "a", count: Limits.patternBytes + 1) + " @x\n/docs/ @docs\n",
         "CODEOWNERS:3: a pattern of 4097 bytes, over the limit of 4096 (Limits.patternBytes): not read"),
    ])
    func overTheLimitsIsRefused(_ text: String, _ message: String) throws {
        let error = try #require(throws: CodeOwnersError.self) { try CodeOwners(bytes: Array(text.utf8), source: "CODEOWNERS") }
        #expect(error.description == message)
        let kept = CodeOwners(text: text, source: "CODEOWNERS")
        #expect(kept.refusal == error)
        #expect(kept.rules.isEmpty)
        for path in ["infra/main.tf", "docs/a.md", "src/x"] {
            #expect(kept.owners(of: GitPath(path)) == ["(no owner can approve: \(message))"])
        }
    }

    @Test func atTheLimitsIsRead() throws {
        let pattern = "/" + String(repeating: "a", count: Limits.patternBytes - 1)
        var text = "/infra/ @infra\n\(pattern) @x\n# "
        text += String(repeating: "y", count: Limits.codeOwnersBytes - text.utf8.count - 1) + "\n"
        #expect(text.utf8.count == Limits.codeOwnersBytes)
        let owners = try CodeOwners(bytes: Array(text.utf8), source: "CODEOWNERS")
        #expect(owners.owners(of: GitPath("infra/main.tf")) == ["@infra"])
        #expect(owners.owners(of: GitPath(String(pattern.dropFirst()) + "/b")) == ["@x"])
        #expect(owners.owners(of: GitPath("src/x")) == nil)
    }
}

/// A thread's memo of classified paths gives what classifying them afresh gives: for paths
/// seen again in later commits (with other escalations), across policies, and past its size.
@Suite struct ClassifierMemoTests {
    static let commits: [[PathChange]] = [
        [PathChange(.modified, "docs/a.txt"), PathChange(.added, "src/a.swift"), PathChange(.deleted, "README.md", from: .regular, to: .absent)],
        // The same paths again, one now a symlink and one executable: escalations are the
        // change's, not the path's, and still raise the class.
        [PathChange(.modified, "docs/a.txt", from: .regular, to: .symlink), PathChange(.modified, "src/a.swift", from: .regular, to: .executable)],
        [PathChange(.modified, "INFRA/main.tf"), PathChange(.modified, "docs/a.txt"), PathChange(.added, "CODEOWNERS")],
        [PathChange(.modified, "docs/AGENTS.md"), PathChange(.modified, "README.md")],
        [PathChange(.modified, ".AgentReview/policy.yml"), PathChange(.modified, "keys/allowed_signers")],
    ]

    /// A memo past its warm-up: `warmUp` paths classified, none of them kept.
    static func warmedMemo(_ classifier: Classifier) -> Classifier.Memo {
        let memo = Classifier.Memo()
        let paths = (0..<Classifier.Memo.warmUp).map { PathChange(.modified, "warm/up\($0).c") }
        for start in stride(from: 0, to: paths.count, by: 100) {
            _ = classifier.classify(Array(paths[start..<min(start + 100, paths.count)]), memo: memo)
        }
        return memo
    }

    /// Until it has classified `warmUp` paths the memo keeps none (a hook's few commits
    /// never make its table); from then on it keeps them.
    @Test func aMemoKeepsNothingBeforeItsWarmUp() {
        let classifier = Classifier(policy: ClassifierTests.policy)
        let memo = Classifier.Memo()
        let changes = (0..<Classifier.Memo.warmUp).map { PathChange(.modified, "src/f\($0).c") }
        for start in stride(from: 0, to: changes.count, by: 200) {
            let commit = Array(changes[start..<min(start + 200, changes.count)])
            #expect(classifier.classify(commit, memo: memo) == classifier.classify(commit))
        }
        #expect(memo.count == 0)
        #expect(classifier.classify(Array(changes[..<10]), memo: memo) == classifier.classify(Array(changes[..<10])))
        #expect(memo.count == 10)
    }

    @Test func aMemoChangesNothing() {
        let classifier = Classifier(policy: ClassifierTests.policy)
        let memo = Self.warmedMemo(classifier)
        for _ in 0..<2 {
            for changes in Self.commits {
                #expect(classifier.classify(changes, memo: memo) == classifier.classify(changes))
            }
        }
        #expect(memo.count > 0)
    }

    /// A memo filled by one policy's classifier is not read for another's: the same path
    /// has the other policy's class there.
    @Test func aMemoIsOneClassifiers() throws {
        let other = Classifier(policy: try PolicyLoader.load(yaml: """
            version: 1
            classes:
              - name: low
              - name: high
                approvals: 2
            default_class: high
            paths:
              - { pattern: "src/", class: low }
            """, file: "other.yml"))
        let classifier = Classifier(policy: ClassifierTests.policy)
        let memo = Self.warmedMemo(classifier)
        for changes in Self.commits + Self.commits {
            #expect(classifier.classify(changes, memo: memo) == classifier.classify(changes))
            #expect(other.classify(changes, memo: memo) == other.classify(changes))
        }
        #expect(other.classify([PathChange(.added, "src/a.swift")], memo: memo).rank == 0)
    }

    /// A full memo keeps what it has and takes no more, and still answers the same.
    @Test func aFullMemoTakesNoMore() {
        let classifier = Classifier(policy: ClassifierTests.policy)
        let memo = Self.warmedMemo(classifier)
        let paths = (0..<(Classifier.Memo.capacity + 100)).map { PathChange(.modified, $0 % 3 == 0 ? "docs/f\($0).txt" : "src/f\($0).c") }
        let size = Classifier.Memo.commitPaths
        for start in stride(from: 0, to: paths.count, by: size) {
            let changes = Array(paths[start..<min(start + size, paths.count)])
            #expect(classifier.classify(changes, memo: memo) == classifier.classify(changes))
            #expect(memo.count == min(start + changes.count, Classifier.Memo.capacity))
        }
        #expect(classifier.classify([paths[0]], memo: memo) == classifier.classify([paths[0]]))
        #expect(classifier.classify([paths.last!], memo: memo) == classifier.classify([paths.last!]))
    }

    /// A commit of more paths than `commitPaths` leaves none in the memo, and reads it.
    @Test func aHugeCommitLeavesNothing() {
        let classifier = Classifier(policy: ClassifierTests.policy)
        let memo = Self.warmedMemo(classifier)
        let huge = (0...Classifier.Memo.commitPaths).map { PathChange(.added, "src/new\($0).c") }
        #expect(classifier.classify(huge, memo: memo) == classifier.classify(huge))
        #expect(memo.count == 0)
        let small = Array(huge.prefix(10))
        #expect(classifier.classify(small, memo: memo) == classifier.classify(small))
        #expect(memo.count == 10)
        #expect(classifier.classify(huge, memo: memo) == classifier.classify(huge))
        #expect(memo.count == 10)
    }
}
