import AgentReviewCore
@testable import AgentReviewGit
import AgentReviewTestSupport
import Clibgit2
import Foundation
import Testing

/// Attacks on the server hook through the shapes of git objects: binary changes that
/// share a patch-id, notes trees that name one commit twice, commits with two authors,
/// trees nested deeper than any stack. Real repositories, real pushes to a bare server
/// with the hook, real ssh-keygen keys.
@Suite struct GitHardeningTests {
    let sandbox: Sandbox
    let server: URL
    let clone: URL
    let keys: URL

    static let policy = """
        version: 1
        classes:
          - name: low
          - name: medium
            approvals: 1
          - name: high
            approvals: 1
        default_class: medium
        paths:
          - { pattern: "docs/", class: low }
          - { pattern: "infra/", class: high }
        refs:
          - { pattern: "refs/heads/main", mode: enforce }
        default_mode: warn

        """

    init() throws {
        sandbox = try Sandbox()
        keys = sandbox.root.appendingPathComponent("keys")
        var signers = ""
        for person in ["bob", "alice"] {
            signers += "\(person)@example.com namespaces=\"agentreview\" \(try sandbox.sshKey(person, in: keys).publicKey)\n"
        }
        (server, clone) = try sandbox.server(with: [
            ".agentreview/policy.yml": Self.policy, ".agentreview/allowed_signers": signers, "README.md": "# project\n",
        ])
    }

    // MARK: Helpers

    func push(_ arguments: String...) throws -> Sandbox.Output {
        try Sandbox.run("/usr/bin/git", ["push"] + arguments, in: clone)
    }

    func serverRefs() throws -> String {
        try sandbox.git("for-each-ref", "--format=%(objectname) %(refname)", in: server)
    }

    func approve(_ revision: String, by person: String, extra: [String] = []) throws {
        let output = try sandbox.agentreview(
            ["approve", revision, "--key", keys.appendingPathComponent(person).path, "--as", "\(person)@example.com"] + extra,
            in: clone)
        #expect(output.status == 0, "\(output.stderr)")
    }

    /// Runs git with bytes on stdin; throws unless it exits 0; stdout without the newline.
    @discardableResult
    func git(_ arguments: [String], input: [UInt8], in directory: URL) throws -> String {
        let output = try Sandbox.run("/usr/bin/git", arguments, in: directory, input: Data(input))
        guard output.status == 0 else { throw Sandbox.Failure(command: "git \(arguments.joined(separator: " "))", output: output) }
        return output.stdout.trimmingCharacters(in: .newlines)
    }

    func writeBytes(_ path: String, _ bytes: [UInt8], in repository: URL) throws {
        let url = repository.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    /// `git show --full-index | git patch-id --stable`: git's own patch-id of a commit (of a
    /// binary file, git hashes the ids on its `index` line, here in full).
    func gitPatchID(_ commit: String, in repository: URL) throws -> String {
        let show = try Sandbox.run("/usr/bin/git", ["show", "--no-renames", "--full-index", commit], in: repository)
        let patchID = try Sandbox.run("/usr/bin/git", ["patch-id", "--stable"], in: repository, input: Data(show.stdout.utf8))
        return String(patchID.stdout.prefix(40))
    }

    /// libgit2's `git_diff_patchid`, which approvals were bound to before binary files
    /// were hashed by their ids.
    func libgit2PatchID(_ commit: String, in repository: URL) throws -> String {
        let repo = try Repository(path: repository.path)
        let info = try repo.commit(try #require(ObjectID(hex: commit)))
        let oldTree = try info.parents.first.map { try repo.tree(ofCommit: $0) }
        return try repo.withDiff(from: oldTree, to: info.tree, contents: true) { diff throws(GitError) in
            var options = git_diff_patchid_options()
            git_diff_patchid_options_init(&options, UInt32(GIT_DIFF_PATCHID_OPTIONS_VERSION))
            var out = git_oid()
            guard git_diff_patchid(&out, diff, &options) == 0 else {
                throw GitError(code: .other(-1), operation: "git_diff_patchid", message: "failed")
            }
            return ObjectID(out).hex
        }
    }

    /// Two patch-ids added as git and libgit2 add the files' hashes: 20 bytes, first byte lowest.
    static func sum(_ a: String, _ b: String) -> String {
        func bytes(_ hex: String) -> [Int] {
            let digits = Array(hex.utf8)
            return stride(from: 0, to: 40, by: 2).map { Int(String(decoding: digits[$0..<($0 + 2)], as: UTF8.self), radix: 16)! }
        }
        var carry = 0
        var out = ""
        for (p, q) in zip(bytes(a), bytes(b)) {
            carry += p + q
            out += String(format: "%02x", carry & 0xFF)
            carry >>= 8
        }
        return out
    }

    /// Our patch-id; by default as `git patch-id --stable` computes it, to compare with git.
    func ourPatchID(_ commit: String, in repository: URL, whitespace: PatchIDWhitespace = .ignored) throws -> String {
        let repo = try Repository(path: repository.path)
        return try repo.patchID(of: try #require(ObjectID(hex: commit)), maxDepth: Limits.treeDepth, whitespace: whitespace).hex
    }

    /// The message of the `GitError` a call throws; nil when it returns.
    func refusal<T>(_ body: () throws -> T) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Bytes with a NUL early: binary to git and libgit2.
    static func binary(_ seed: UInt8, count: Int = 300) -> [UInt8] {
        [0, 1, 2, 0xFF] + (0..<count).map { UInt8(truncatingIfNeeded: Int($0) &* 31 &+ Int(seed)) }
    }

    // MARK: 1. Binary changes and patch-id

    /// Two commits that put different bytes at the same binary path, on the same parent,
    /// get different patch-ids (libgit2's `git_diff_patchid`, used before, gave them one:
    /// it hashes only "Binary files a/x and b/x differ"); the same change picked onto
    /// another base keeps its patch-id; binary files added and deleted are bound to their
    /// bytes too. A binary file is hashed as git's `patch-id --stable` hashes it (its header,
    /// then its old and new ids), which adds one more empty hash when the last file is binary.
    @Test func binaryChangesAreBoundToTheirBytes() throws {
        let repository = try sandbox.repository("binary")
        try writeBytes("infra/firmware.bin", Self.binary(1), in: repository)
        try sandbox.write("src/app.txt", "one\n", in: repository)
        let base = try sandbox.commit("base", in: repository)
        try writeBytes("infra/firmware.bin", Self.binary(2), in: repository)
        let first = try sandbox.commit("first bytes", in: repository)
        try sandbox.git("reset", "-q", "--hard", base, in: repository)
        try writeBytes("infra/firmware.bin", Self.binary(3), in: repository)
        let second = try sandbox.commit("other bytes", in: repository)

        #expect(try libgit2PatchID(first, in: repository) == (try libgit2PatchID(second, in: repository)), "the hole: one patch-id for any bytes")
        #expect(try ourPatchID(first, in: repository) != (try ourPatchID(second, in: repository)))
        let emptySHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        for commit in [first, second] {
            #expect(Self.sum(try ourPatchID(commit, in: repository), emptySHA1) == (try gitPatchID(commit, in: repository)))
        }

        // Picked onto another base: the same change, the same patch-id.
        try sandbox.git("reset", "-q", "--hard", base, in: repository)
        try sandbox.write("docs/other.md", "elsewhere\n", in: repository)
        try sandbox.commit("another base", in: repository)
        try sandbox.git("cherry-pick", first, in: repository)
        let picked = try sandbox.git("rev-parse", "HEAD", in: repository)
        #expect(picked != first)
        #expect(try ourPatchID(picked, in: repository) == (try ourPatchID(first, in: repository)))

        // With a text change in the same commit, still bound to the bytes.
        try writeBytes("infra/firmware.bin", Self.binary(4), in: repository)
        try sandbox.write("src/app.txt", "one\ntwo\n", in: repository)
        let mixedOne = try sandbox.commit("mixed", in: repository)
        try sandbox.git("reset", "-q", "--hard", "HEAD~1", in: repository)
        try writeBytes("infra/firmware.bin", Self.binary(5), in: repository)
        try sandbox.write("src/app.txt", "one\ntwo\n", in: repository)
        let mixedOther = try sandbox.commit("mixed", in: repository)
        #expect(try ourPatchID(mixedOne, in: repository) != (try ourPatchID(mixedOther, in: repository)))

        // Added and deleted binary files.
        try writeBytes("infra/new.bin", Self.binary(6), in: repository)
        let addedOne = try sandbox.commit("add one", in: repository)
        try sandbox.git("reset", "-q", "--hard", "HEAD~1", in: repository)
        try writeBytes("infra/new.bin", Self.binary(7), in: repository)
        let addedOther = try sandbox.commit("add another", in: repository)
        #expect(try ourPatchID(addedOne, in: repository) != (try ourPatchID(addedOther, in: repository)))
        #expect(Self.sum(try ourPatchID(addedOther, in: repository), emptySHA1) == (try gitPatchID(addedOther, in: repository)))
        try FileManager.default.removeItem(at: repository.appendingPathComponent("infra/new.bin"))
        let deleted = try sandbox.commit("delete", in: repository)
        #expect(Self.sum(try ourPatchID(deleted, in: repository), emptySHA1) == (try gitPatchID(deleted, in: repository)))
    }

    /// Text-only commits keep their patch-id: libgit2's (approvals given before still carry
    /// over a rebase), which is git's `patch-id --stable` for changes of content. Several
    /// files, whitespace, a missing final newline, deletions and additions, a root commit;
    /// and, where libgit2 and git already differed (an empty file, a mode change), libgit2's.
    @Test func textPatchIDsStayAsTheyWere() throws {
        let repository = try sandbox.repository("text")
        var commits = [(id: String, asGit: Bool)]()
        try sandbox.write("a.txt", (1...40).map { "line \($0)\n" }.joined(), in: repository)
        try sandbox.write("dir/b.txt", "b\n", in: repository)
        try sandbox.write("gone.txt", "bye\n", in: repository)
        commits.append((try sandbox.commit("root", in: repository), true))
        try sandbox.write("a.txt", (1...40).map { $0 == 20 ? "line  \t twenty\n" : "line \($0)\n" }.joined() + "tail", in: repository)
        try sandbox.write("dir/b.txt", "b\nc\n", in: repository)
        try sandbox.write("dir/sub/new.txt", "new\n", in: repository)
        try FileManager.default.removeItem(at: repository.appendingPathComponent("gone.txt"))
        commits.append((try sandbox.commit("several files", in: repository), true))
        try sandbox.write("a.txt", (1...40).map { "line \($0)\n" }.joined(), in: repository)
        commits.append((try sandbox.commit("final newline back", in: repository), true))
        try sandbox.write("empty.txt", "", in: repository)
        try sandbox.write("dir/b.txt", "b\n", in: repository)
        commits.append((try sandbox.commit("an empty file", in: repository), false))
        try sandbox.write("empty.txt", "now something\n", in: repository)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: repository.appendingPathComponent("dir/b.txt").path)
        commits.append((try sandbox.commit("a mode change", in: repository), false))
        for (commit, asGit) in commits {
            let ours = try ourPatchID(commit, in: repository)
            #expect(ours == (try libgit2PatchID(commit, in: repository)), "commit \(commit)")
            if asGit { #expect(ours == (try gitPatchID(commit, in: repository)), "commit \(commit)") }
        }
    }

    /// Approvals bind to the patch-id with whitespace kept (`git patch-id --verbatim`):
    /// `rm -rf /tmp/x` and `rm -rf / tmp/x`, or two indentations, are different changes, though
    /// `--stable` gives them one id. The same change picked onto another base keeps its id.
    @Test func whitespaceChangesTheBoundPatchID() throws {
        let repository = try sandbox.repository("whitespace")
        try sandbox.write("run.sh", "set -e\n", in: repository)
        try sandbox.write("job.py", "if ready:\n    go()\nstop()\n", in: repository)
        let base = try sandbox.commit("base", in: repository)
        var ids = [String: String]()
        for (name, script, python) in [
            ("meant", "set -e\nrm -rf /tmp/x\n", "if ready:\n    go()\n    stop()\n"),
            ("space", "set -e\nrm -rf / tmp/x\n", "if ready:\n    go()\n    stop()\n"),
            ("indent", "set -e\nrm -rf /tmp/x\n", "if ready:\n    go()\nstop()\n  \n"),
        ] {
            try sandbox.git("checkout", "-q", "-B", name, base, in: repository)
            try sandbox.write("run.sh", script, in: repository)
            try sandbox.write("job.py", python, in: repository)
            ids[name] = try sandbox.commit(name, in: repository)
        }
        let meant = try #require(ids["meant"]), space = try #require(ids["space"])
        #expect(try ourPatchID(meant, in: repository) == (try ourPatchID(space, in: repository)), "--stable cannot tell them apart")
        #expect(try ourPatchID(meant, in: repository) == (try gitPatchID(meant, in: repository)))
        var kept = Set<String>()
        for id in ids.values { kept.insert(try ourPatchID(id, in: repository, whitespace: .kept)) }
        #expect(kept.count == 3)
        // Picked onto new work elsewhere in the tree: the same change, the same id.
        try sandbox.git("checkout", "-q", "-B", "moved", base, in: repository)
        try sandbox.write("other.txt", "x\n", in: repository)
        try sandbox.commit("other work", in: repository)
        try sandbox.git("cherry-pick", meant, in: repository)
        let picked = try sandbox.git("rev-parse", "HEAD", in: repository)
        #expect(try ourPatchID(picked, in: repository, whitespace: .kept) == (try ourPatchID(meant, in: repository, whitespace: .kept)))
    }

    /// SHA-1 against known answers (the patch-id hashes each file with it).
    @Test func sha1KnownAnswers() {
        func hex(_ text: String) -> String {
            var hasher = SHA1()
            hasher.update(Array(text.utf8))
            return hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
        #expect(hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(hex(String(repeating: "a", count: 1_000_000)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
        for length in [55, 56, 63, 64, 65, 119, 120] {
            // Against git: a blob's id is SHA-1("blob LENGTH\0" + bytes).
            let text = String(repeating: "x", count: length)
            #expect(hex("blob \(length)\0" + text) == (try? git(["hash-object", "--stdin"], input: Array(text.utf8), in: sandbox.root)))
        }
    }

    /// End to end: a reviewer approves an agent's binary change under infra/ (high); the
    /// agent swaps in other bytes at the same path, on the same parent, and pushes: the
    /// server refuses it. The approved change itself, picked onto a newer main, still passes
    /// by its patch-id.
    @Test func approvalOfOneBinaryChangeDoesNotPassAnother() throws {
        try writeBytes("infra/firmware.bin", Self.binary(7), in: clone)
        let approved = try sandbox.commit("Update the firmware\n\nAgent: codex/1", in: clone)
        try approve(approved, by: "bob")
        let notes = try push("origin", "refs/notes/agentreview")
        try #require(notes.status == 0, "\(notes.stderr)")

        try writeBytes("infra/firmware.bin", Self.binary(8), in: clone)
        try sandbox.git(["commit", "-q", "-a", "--amend", "--no-edit"], in: clone)
        let swapped = try sandbox.git("rev-parse", "HEAD", in: clone)
        #expect(try sandbox.git("rev-parse", "HEAD~1", in: clone) == (try sandbox.git("rev-parse", "\(approved)~1", in: clone)))
        let before = try serverRefs()
        let refused = try push("--no-verify", "origin", "main")
        #expect(refused.status != 0, "the swapped bytes must not pass on the approval of other bytes")
        #expect(refused.stderr.contains(String(swapped.prefix(12))))
        #expect(refused.stderr.contains("missing: 1 approval"))
        #expect(try serverRefs() == before)

        // A person moves main on; the approved change, picked onto it, keeps its approval.
        try sandbox.git("reset", "-q", "--hard", "origin/main", in: clone)
        try sandbox.write("docs/notes.md", "moved on\n", in: clone)
        try sandbox.commit("Docs", in: clone)
        try sandbox.git("cherry-pick", approved, in: clone)
        let picked = try sandbox.git("rev-parse", "HEAD", in: clone)
        let accepted = try push("--no-verify", "origin", "main")
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(try sandbox.git("rev-parse", "main", in: server) == picked)
    }

    // MARK: 2. Two paths for one note

    enum SecondPath: String, CaseIterable, Sendable {
        /// `ab/cdef…` beside `abcdef…`, holding the same note: the old guard let this in.
        case fanoutSameNote
        /// `ab/cdef…` holding the note as it was before the reviewer's rejection.
        case fanoutWithoutRejection
        /// `ABCDEF…` beside `abcdef…`: upper-case hex names the same commit.
        case upperCaseSameNote
    }

    /// A reviewer approves, then rejects, an agent commit; the server holds the note. A
    /// notes commit on top of the server's whose tree names that commit at a second path
    /// is refused with the reason, and the server's refs stay as they were.
    @Test(arguments: SecondPath.allCases)
    func notesTreeNamingOneCommitTwiceRefused(second: SecondPath) throws {
        try sandbox.write("src/app.swift", "print(1)\n", in: clone)
        let commit = try sandbox.commit("Change the app\n\nAgent: codex/1", in: clone)
        try approve(commit, by: "bob")
        try #require(try push("origin", "refs/notes/agentreview").status == 0)
        try approve(commit, by: "bob", extra: ["--reject"])
        let pushed = try push("origin", "refs/notes/agentreview")
        try #require(pushed.status == 0, "\(pushed.stderr)")
        let tip = try sandbox.git("rev-parse", "refs/notes/agentreview", in: server)
        #expect(try sandbox.git("rev-parse", "refs/notes/agentreview", in: clone) == tip)

        let withRejection = try sandbox.git("rev-parse", "\(tip):\(commit)", in: clone)
        let withoutRejection = try sandbox.git("rev-parse", "\(tip)~1:\(commit)", in: clone)
        #expect(try sandbox.git("cat-file", "blob", withRejection, in: clone).contains("decision reject"))
        #expect(!(try sandbox.git("cat-file", "blob", withoutRejection, in: clone).contains("decision reject")))

        var entries = try sandbox.git("ls-tree", tip, in: clone).split(separator: "\n").map(String.init)
        switch second {
        case .fanoutSameNote, .fanoutWithoutRejection:
            let blob = second == .fanoutSameNote ? withRejection : withoutRejection
            let subtree = try git(["mktree"], input: Array("100644 blob \(blob)\t\(commit.dropFirst(2))\n".utf8), in: clone)
            entries.append("040000 tree \(subtree)\t\(commit.prefix(2))")
        case .upperCaseSameNote:
            entries.append("100644 blob \(withRejection)\t\(commit.uppercased())")
        }
        let tree = try git(["mktree"], input: Array((entries.joined(separator: "\n") + "\n").utf8), in: clone)
        let attack = try sandbox.git("commit-tree", tree, "-p", tip, "-m", "Notes", in: clone)
        #expect(try sandbox.git("ls-tree", "-r", "--name-only", attack, in: clone).split(separator: "\n").count == 2)

        let before = try serverRefs()
        let output = try push("--no-verify", "origin", "\(attack):refs/notes/agentreview")
        #expect(output.status != 0)
        #expect(output.stderr.contains("refs/notes/agentreview refused"), "\(output.stderr)")
        #expect(output.stderr.contains("two notes for \(commit)"), "\(output.stderr)")
        #expect(try serverRefs() == before)
        #expect(try sandbox.git("rev-parse", "refs/notes/agentreview", in: server) == tip)
    }

    /// A file in a notes tree whose path is no object id is refused too (libgit2 lists it
    /// with an all-zero target).
    @Test func notesTreeWithAFileThatIsNoNoteRefused() throws {
        let repository = try sandbox.repository("notes")
        try sandbox.commit("root", in: repository)
        let blob = try git(["hash-object", "-w", "--stdin"], input: Array("not a note\n".utf8), in: repository)
        let tree = try git(["mktree"], input: Array("100644 blob \(blob)\tREADME\n".utf8), in: repository)
        let notes = try sandbox.git("commit-tree", tree, "-m", "Notes", in: repository)
        let repo = try Repository(path: repository.path)
        let id = try #require(ObjectID(hex: notes))
        #expect(refusal { try repo.notes(atNotesCommit: id) }?.contains("whose path is not an object id") == true)
        // libgit2's notes iterator walks a notes tree 6,000 deep without running out of stack.
        let deep = try deepCommit(depth: 6000, on: notes, message: "deep notes\n", in: repository, branch: "deepnotes")
        let deepID = try #require(ObjectID(hex: deep))
        #expect(refusal { try repo.notes(atNotesCommit: deepID) }?.contains("whose path is not an object id") == true)
        #expect(try repo.note(on: deepID, atNotesCommit: deepID) == nil)
    }

    // MARK: 3. Commit objects with duplicate headers

    /// A commit whose first author is a person and whose second is an agent: git shows the
    /// agent, libgit2 and our parser read the person. Pushed to the enforced branch, the
    /// server refuses it with the one-line reason, whether our parser or libgit2 would have
    /// read it (a NUL in the message sends it to libgit2).
    @Test(arguments: [false, true])
    func commitWithTwoAuthorsRefused(nulInMessage: Bool) throws {
        try sandbox.write("infra/main.tf", "resource {}\n", in: clone)
        try sandbox.git("add", "-A", in: clone)
        let tree = try sandbox.git("write-tree", in: clone)
        let parent = try sandbox.git("rev-parse", "HEAD", in: clone)
        let header = """
            tree \(tree)
            parent \(parent)
            author Hugh Mann <hugh@example.com> 1700000000 +0000
            author Claude <noreply@anthropic.com> 1700000000 +0000
            committer Hugh Mann <hugh@example.com> 1700000000 +0000

            Add a bucket

            """
        let raw = Array(header.utf8) + (nulInMessage ? [0] + Array("more\n".utf8) : [])
        let commit = try git(["hash-object", "-t", "commit", "-w", "--literally", "--stdin"], input: raw, in: clone)
        #expect(try sandbox.git("log", "-1", "--format=%an", commit, in: clone) == "Claude", "git shows the second author")
        let repo = try Repository(path: clone.path)
        let id = try #require(ObjectID(hex: commit))
        #expect(try repo.commit(try repo.commitObject(id)).author.name == "Hugh Mann", "the unchecked read takes the first")
        #expect(refusal { try repo.commit(id) }?.contains("multipleAuthors") == true, "the read by id is checked")
        #expect(CommitInfo(id: id, raw: raw) == nil, "the byte parser does not take it")
        try sandbox.git("update-ref", "refs/heads/main", commit, in: clone)

        let before = try serverRefs()
        let output = try push("--no-verify", "origin", "main")
        #expect(output.status != 0)
        let reason = output.stderr.split(separator: "\n").first { $0.contains("refs/heads/main refused") }
        #expect(reason?.contains("read commit \(commit)") == true, "\(output.stderr)")
        #expect(reason?.contains("multipleAuthors") == true, "\(output.stderr)")
        #expect(try serverRefs() == before)
    }

    /// Each header out of git's order is refused by name, by the checked read of commits,
    /// whichever parser would read the commit; commits in git's forms pass.
    @Test func headerOrderChecked() throws {
        let repository = try sandbox.repository("headers")
        let parent = try sandbox.commit("root", in: repository)
        let tree = try sandbox.git("rev-parse", "HEAD^{tree}", in: repository)
        let person = "Hugh Mann <hugh@example.com> 1700000000 +0000"
        let agent = "Claude <noreply@anthropic.com> 1700000000 +0000"
        let bad: [(String, String)] = [
            ("tree \(tree)\nauthor \(person)\nauthor \(agent)\ncommitter \(person)\n\nm\n", "multipleAuthors"),
            ("tree \(tree)\nauthor \(person)\ncommitter \(person)\nauthor \(agent)\n\nm\n", "multipleAuthors"),
            ("tree \(tree)\nauthor \(person)\ncommitter \(person)\ncommitter \(agent)\n\nm\n", "multipleCommitters"),
            ("tree \(tree)\nauthor \(person)\ncommitter \(person)\ntree \(tree)\n\nm\n", "multipleTrees"),
            ("tree \(tree)\ntree \(tree)\nauthor \(person)\ncommitter \(person)\n\nm\n", "multipleTrees"),
            ("tree \(tree)\nauthor \(person)\nparent \(parent)\ncommitter \(person)\n\nm\n", "badHeaderOrder"),
            ("tree \(tree)\nauthor \(person)\ncommitter \(person)\nparent \(parent)\n\nm\n", "badHeaderOrder"),
            ("tree \(tree)\ncommitter \(person)\nauthor \(person)\n\nm\n", "missingAuthor"),
            ("tree \(tree)\nauthor \(person)\nencoding UTF-8\ncommitter \(person)\n\nm\n", "missingCommitter"),
            ("parent \(parent)\ntree \(tree)\nauthor \(person)\ncommitter \(person)\n\nm\n", "missingTree"),
        ]
        let good = [
            "tree \(tree)\nparent \(parent)\nauthor \(person)\ncommitter \(person)\n\nm\n",
            "tree \(tree)\nparent \(parent)\nparent \(parent)\nauthor \(person)\ncommitter \(person)\nencoding ISO-8859-1\n\nmerge\n",
            "tree \(tree)\nauthor \(person)\ncommitter \(person)\ngpgsig -----BEGIN SSH SIGNATURE-----\n author \(agent)\n -----END SSH SIGNATURE-----\n\nsigned\n",
            "tree \(tree)\nauthor \(person)\ncommitter \(person)\n",
            // "author" in the message is no header.
            "tree \(tree)\nauthor \(person)\ncommitter \(person)\n\nauthor \(agent)\n",
        ]
        let repo = try Repository(path: repository.path)
        for (text, problem) in bad {
            let id = try #require(ObjectID(hex: try git(["hash-object", "-t", "commit", "-w", "--literally", "--stdin"], input: Array(text.utf8), in: repository)))
            #expect(CommitInfo.headerProblem(Array(text.utf8))?.hasPrefix(problem) == true, "\(text)")
            let message = refusal { try repo.commit(id) }
            #expect(message?.contains("read commit \(id)") == true, "\(text)")
            #expect(message?.contains(problem) == true && message?.contains("\n") == false, "\(message ?? "")")
        }
        for text in good {
            let id = try #require(ObjectID(hex: try git(["hash-object", "-t", "commit", "-w", "--literally", "--stdin"], input: Array(text.utf8), in: repository)))
            #expect(CommitInfo.headerProblem(Array(text.utf8)) == nil, "\(text)")
            #expect(try repo.commit(id) == (try repo.commit(try repo.commitObject(id))))
        }
        // git fsck names the first shape as we do.
        let fsck = try Sandbox.run("/usr/bin/git", ["fsck", "--no-dangling"], in: repository)
        #expect((fsck.stdout + fsck.stderr).contains("multipleAuthors"))
    }

    // MARK: 4. Deep trees

    /// A commit on top of `base` whose one file sits `depth` directories down (`d/d/…/f`),
    /// written by `git fast-import` in one process; returns its id.
    func deepCommit(depth: Int, on base: String, message: String, in repository: URL, branch: String = "deep") throws -> String {
        let path = Array(repeating: "d", count: depth).joined(separator: "/") + "/f"
        let stream = "commit refs/heads/\(branch)\ncommitter Hugh Mann <hugh@example.com> 1700000000 +0000\ndata \(message.utf8.count)\n\(message)\nfrom \(base)\nM 100644 inline \(path)\ndata 2\nx\n\n"
        try git(["fast-import", "--quiet"], input: Array(stream.utf8), in: repository)
        return try sandbox.git("rev-parse", "refs/heads/\(branch)", in: repository)
    }

    /// End to end: an agent commit whose tree is nested 6,000 directories deep (deeper
    /// than the stack of a recursive diff) is refused by the server with the depth reason,
    /// quickly, and nothing crashes.
    @Test func deepTreeRefusedByTheServer() throws {
        let base = try sandbox.git("rev-parse", "HEAD", in: clone)
        let deep = try deepCommit(depth: 6000, on: base, message: "Deep\n\nAgent: codex/1\n", in: clone)
        let before = try serverRefs()
        let started = Date()
        let output = try push("--no-verify", "origin", "\(deep):refs/heads/main")
        let seconds = Date().timeIntervalSince(started)
        #expect(output.status != 0)
        let reason = output.stderr.split(separator: "\n").first { $0.contains("refs/heads/main refused") }
        #expect(reason?.contains("deeper than the limit of \(Limits.treeDepth)") == true, "\(output.stderr.suffix(2000))")
        #expect(reason?.contains("d/d/d/d/") == true)
        #expect(!output.stderr.contains("Backtrace") && !output.stderr.contains("Fatal error"))
        #expect(seconds < 10, "took \(seconds) s")
        #expect(try serverRefs() == before)
    }

    /// The depth bound exactly: directories `maxDepth` deep are read, one more is refused
    /// with the limit and the path; libgit2's own walk (the patch-id's diff) copes with a
    /// tree 6,000 deep, behind our bound.
    @Test func depthBoundAndLibgit2OnDeepTrees() throws {
        let repository = try sandbox.repository("deep")
        let base = try sandbox.commit("root", in: repository)
        let repo = try Repository(path: repository.path)
        func changes(_ commit: String, maxDepth: Int) throws(GitError) -> [FileChange] {
            let info = try repo.commit(ObjectID(hex: commit)!)
            return try repo.changes(from: try repo.tree(ofCommit: info.parents[0]), to: info.tree, contents: false, maxDepth: maxDepth)
        }
        let five = try deepCommit(depth: 5, on: base, message: "five\n", in: repository, branch: "five")
        #expect(try changes(five, maxDepth: 5).map { String(decoding: $0.newPath, as: UTF8.self) } == ["d/d/d/d/d/f"])
        let shallow = refusal { try changes(five, maxDepth: 4) }
        #expect(shallow?.hasSuffix("deeper than the limit of 4, at d/d/d/d/d/") == true, "\(shallow ?? "")")
        let deep = try deepCommit(depth: 6000, on: base, message: "deep\n", in: repository)
        let refused = refusal { try changes(deep, maxDepth: Limits.treeDepth) }
        #expect(refused?.contains("deeper than the limit of 4096, at d/d/d/") == true, "\(refused ?? "")")
        #expect(refused?.hasSuffix("… (8194 bytes)") == true, "\(refused ?? "")")
        #expect(try changes(deep, maxDepth: 10_000).count == 1)
        let id = try #require(ObjectID(hex: deep))
        #expect(refusal { try repo.patchID(of: id, maxDepth: Limits.treeDepth) }?.contains("deeper than the limit of 4096") == true)
        #expect(try repo.patchID(of: id, maxDepth: 10_000, whitespace: .ignored).hex == (try gitPatchID(deep, in: repository)))
    }

    /// The diff walked with a stack agrees with `git diff-tree` where directories are
    /// left and resumed at many levels: changes before, inside and after changed subtrees,
    /// a file that becomes a directory and a directory that becomes a file.
    @Test func stackedTreeDiffAgreesWithGit() throws {
        let repository = try sandbox.repository("shapes")
        let files = ["a/b/c/d/e.txt", "a/b/c/z.txt", "a/b/m.txt", "a/b/c-d.txt", "a/y.txt", "a.txt", "b/x/y/z.txt", "b/w.txt", "c", "q/r/s.txt"]
        for file in files { try sandbox.write(file, "\(file)\n", in: repository) }
        try sandbox.commit("root", in: repository)
        try sandbox.write("a/b/c/d/e.txt", "changed\n", in: repository)
        try sandbox.write("a/b/c-d.txt", "changed\n", in: repository)
        try sandbox.write("a/b/n.txt", "added\n", in: repository)
        try sandbox.write("a/z.txt", "added\n", in: repository)
        try FileManager.default.removeItem(at: repository.appendingPathComponent("b/x"))
        try sandbox.write("b/x", "a file now\n", in: repository)
        try FileManager.default.removeItem(at: repository.appendingPathComponent("c"))
        try sandbox.write("c/inside.txt", "a directory now\n", in: repository)
        try sandbox.write("q/r/t/u.txt", "deeper\n", in: repository)
        try sandbox.write("zz/top.txt", "last\n", in: repository)
        let commit = try sandbox.commit("shapes", in: repository)
        let expected = try sandbox.git(["diff-tree", "-r", "--no-renames", "--no-commit-id", "--name-status", commit], in: repository)
            .split(separator: "\n").map(String.init)
        let repo = try Repository(path: repository.path)
        let info = try repo.commit(try #require(ObjectID(hex: commit)))
        let ours = try repo.changes(from: try repo.tree(ofCommit: info.parents[0]), to: info.tree, contents: false, maxDepth: Limits.treeDepth)
            .map { change -> String in
                let status = switch change.status {
                case .added: "A"
                case .deleted: "D"
                case .typeChange: "T"
                case .modified: "M"
                }
                return "\(status)\t\(String(decoding: change.newPath.isEmpty ? change.oldPath : change.newPath, as: UTF8.self))"
            }
        // git's own order, entry by entry.
        #expect(ours == expected)
    }
}
