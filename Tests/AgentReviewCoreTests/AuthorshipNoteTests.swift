import Foundation
import Testing
@testable import AgentReviewCore

/// git-ai authorship notes (the Git AI Standard v3.0.0, `authorship/3.0.0`): the standard's
/// own examples parse; anything else is refused, saying where; and a note only ever adds
/// evidence.
@Suite("Authorship notes")
struct AuthorshipNoteTests {
    /// The standard's sessions example (§1.2.5).
    static let sessions = """
        src/main.rs
          s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10,15-20
          s_c9883b05a2487d::t_a1b2c3d4e5f678 25,30-35
          h_31dce776f88375 42-50
        src/lib.rs
          s_e7f2a90b31cc48::t_deadbeef012345 1-50
        ---
        {
          "schema_version": "authorship/3.0.0",
          "git_ai_version": "1.4.5",
          "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
          "prompts": {},
          "humans": {
            "h_31dce776f88375": {
              "author": "Developer <dev@example.com>"
            }
          },
          "sessions": {
            "s_c9883b05a2487d": {
              "agent_id": {
                "tool": "cursor",
                "id": "6ef2299e-a67f-432b-aa80-3d2fb4d28999",
                "model": "claude-sonnet-4-5-20250514"
              },
              "human_author": "dev@example.com"
            },
            "s_e7f2a90b31cc48": {
              "agent_id": {
                "tool": "claude",
                "id": "conv_abc123def456",
                "model": "claude-sonnet-4-5-20250514"
              },
              "human_author": "dev@example.com",
              "custom_attributes": {
                "team": "backend"
              }
            }
          }
        }

        """

    /// The standard's legacy example (§1.2.6), compacted.
    static let legacy = """
        src/main.rs
          abcd1234abcd1234 1-10,15-20
          ef0b5678ef0b5678 25,30-35
        src/lib.rs
          abcd1234abcd1234 1-50
        ---
        {"schema_version": "authorship/3.0.0", "git_ai_version": "1.0.23", "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
         "prompts": {
          "abcd1234abcd1234": {"agent_id": {"tool": "cursor", "id": "6ef2299e", "model": "claude-4.5-opus"},
            "human_author": "Developer <dev@example.com>", "total_additions": 25, "total_deletions": 5, "accepted_lines": 20, "overriden_lines": 0},
          "ef0b5678ef0b5678": {"agent_id": {"tool": "cursor", "id": "a1b2c3d4", "model": "claude-3-sonnet"},
            "human_author": "Developer <dev@example.com>", "total_additions": 6, "total_deletions": 0, "accepted_lines": 6, "overriden_lines": 0}
         }}
        """

    /// Only a known person's lines.
    static let humanOnly = """
        "docs/read me.md"
          h_31dce776f88375 1-3
        ---
        {"schema_version": "authorship/3.0.0", "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b", "prompts": {},
         "humans": {"h_31dce776f88375": {"author": "Developer <dev@example.com>"}}}
        """

    static func parse(_ text: String) throws(AuthorshipNote.ParseError) -> AuthorshipNote {
        try AuthorshipNote.parse(Array(text.utf8))
    }

    @Test("the standard's sessions example: each tool and model, its lines and files")
    func sessionsExample() throws {
        let note = try Self.parse(Self.sessions)
        #expect(note.contributions == [
            .init(tool: "cursor", model: "claude-sonnet-4-5-20250514", lines: 10 + 6 + 1 + 6, files: 1),
            .init(tool: "claude", model: "claude-sonnet-4-5-20250514", lines: 50, files: 1),
        ])
        #expect(note.humanLines == 9)
        #expect(note.attributesAI)
        #expect(note.contributions[0].description == "tool cursor, model claude-sonnet-4-5-20250514: 23 lines in 1 file")
    }

    @Test("the standard's legacy example: prompts keyed by 16 hex digits")
    func legacyExample() throws {
        let note = try Self.parse(Self.legacy)
        #expect(note.contributions == [
            .init(tool: "cursor", model: "claude-4.5-opus", lines: 16 + 50, files: 2),
            .init(tool: "cursor", model: "claude-3-sonnet", lines: 7, files: 1),
        ])
    }

    @Test("a note of a known person's lines only attributes nothing to AI; an empty attestation section parses")
    func humanOnly() throws {
        let note = try Self.parse(Self.humanOnly)
        #expect(!note.attributesAI)
        #expect(note.humanLines == 3)
        let empty = try Self.parse("---\n{\"schema_version\": \"authorship/3.0.0\", \"base_commit_sha\": \"abc\", \"prompts\": {}}\n")
        #expect(empty == AuthorshipNote(contributions: []))
    }

    static let refusals: [(String, String, String)] = [
        ("no divider", sessions.replacingOccurrences(of: "\n---\n", with: "\n"), "no line '---'"),
        ("divider with a space", sessions.replacingOccurrences(of: "\n---\n", with: "\n--- \n"), "no line '---'"),
        ("three-space indent", sessions.replacingOccurrences(of: "\n  s_e7f2", with: "\n   s_e7f2"), "line 6: an attestation is two spaces"),
        ("tab indent", sessions.replacingOccurrences(of: "\n  s_e7f2", with: "\n\ts_e7f2"), "line 6: a line indented by other than two spaces"),
        ("entry before a file", "  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-2\n---\n{}", "line 1: an attestation before any file path"),
        ("file without entries", sessions.replacingOccurrences(of: "src/lib.rs\n  s_e7f2a90b31cc48::t_deadbeef012345 1-50\n", with: "src/lib.rs\n"), "line 5: a file path with no attestation"),
        ("unquoted path with a space", sessions.replacingOccurrences(of: "src/lib.rs", with: "src/my lib.rs"), "line 5: a file path with a space or a tab must be quoted"),
        ("empty line", sessions.replacingOccurrences(of: "src/lib.rs", with: "\nsrc/lib.rs"), "line 5: an empty line"),
        ("session without trace", sessions.replacingOccurrences(of: "s_e7f2a90b31cc48::t_deadbeef012345", with: "s_e7f2a90b31cc48"), "line 6: 's_e7f2a90b31cc48' is not a session key"),
        ("not a key", sessions.replacingOccurrences(of: "h_31dce776f88375 42", with: "alice 42"), "line 4: 'alice' is not a key"),
        ("unknown session", sessions.replacingOccurrences(of: "s_e7f2a90b31cc48::", with: "s_e7f2a90b31cc49::"), "line 6: 's_e7f2a90b31cc49' is not among the metadata's sessions"),
        ("unknown human", sessions.replacingOccurrences(of: "  h_31dce776f88375 42", with: "  h_31dce776f88376 42"), "line 4: 'h_31dce776f88376' is not among the metadata's humans"),
        ("line 0", sessions.replacingOccurrences(of: " 1-50", with: " 0-50"), "line 6: '0-50' is not a line"),
        ("backwards range", sessions.replacingOccurrences(of: " 1-50", with: " 50-1"), "line 6: '50-1' is not a line"),
        ("ranges out of order", sessions.replacingOccurrences(of: " 1-10,15-20", with: " 15-20,1-10"), "line 2: line ranges out of order at '1-10'"),
        ("a space in the ranges", sessions.replacingOccurrences(of: " 1-10,15-20", with: " 1-10, 15-20"), "line 2: an attestation is two spaces"),
        ("a huge line number", sessions.replacingOccurrences(of: " 1-50", with: " 1-99999999999"), "line 6: '1-99999999999' is not a line"),
        ("another schema", sessions.replacingOccurrences(of: "authorship/3.0.0", with: "authorship/2.0.0"), "schema_version 'authorship/2.0.0', not 'authorship/3.0.0'"),
        ("no prompts", sessions.replacingOccurrences(of: "\"prompts\": {},", with: ""), "no 'prompts'"),
        ("no model", sessions.replacingOccurrences(of: "\"model\": \"claude-sonnet-4-5-20250514\"\n      },\n      \"human_author\": \"dev@example.com\",", with: "\"x\": 1},\"human_author\": \"dev@example.com\","), "no 'model'"),
        ("a tool on two lines", sessions.replacingOccurrences(of: "\"tool\": \"claude\"", with: "\"tool\": \"cla\\nude\""), "agent_id.tool is not one line"),
        ("an empty tool", sessions.replacingOccurrences(of: "\"tool\": \"claude\"", with: "\"tool\": \" \""), "agent_id.tool is empty"),
        ("metadata not JSON", sessions.replacingOccurrences(of: "\"prompts\": {},", with: "\"prompts\": {},,"), "is not the standard's JSON"),
        ("a long schema on two lines", sessions.replacingOccurrences(of: "authorship/3.0.0", with: "authorship/\\n" + String(repeating: "9", count: 5000)), "schema_version 'authorship/ " + String(repeating: "9", count: 28) + "…', not"),
        ("a carriage return", sessions.replacingOccurrences(of: "src/lib.rs\n", with: "src/lib.rs\r\n"), "line 5: a control character"),
    ]

    @Test("anything else is refused, saying where", arguments: refusals)
    func refused(_ name: String, _ text: String, _ message: String) {
        #expect(throws: AuthorshipNote.ParseError.self, "\(name)") { try Self.parse(text) }
        do {
            _ = try Self.parse(text)
        } catch {
            #expect(error.description.contains(message), "\(name): \(error.description)")
        }
    }

    @Test("bounded: over the limit, or not UTF-8, the note is not read")
    func bounded() {
        let large = Self.sessions + String(repeating: " ", count: Limits.authorshipNoteBytes)
        #expect(AuthorshipNote.Reading.of(Array(large.utf8)) == .ignored("\(large.utf8.count) bytes, over the limit of \(Limits.authorshipNoteBytes)"))
        #expect(AuthorshipNote.Reading.of([0x66, 0xFF, 0x0A]) == .ignored("it is not UTF-8 text"))
        #expect(AuthorshipNote.Reading.of(Array(Self.legacy.utf8)) == .read(try! Self.parse(Self.legacy)))
    }

    @Test("mutated notes either parse into counted AI lines or are refused, never anything else")
    func mutations() {
        // A fixed generator, so a failure replays (SplitMix64).
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
        let seeds = [Self.sessions, Self.legacy, Self.humanOnly].map { Array($0.utf8) }
        let alphabet = Array(" \n\t\"-,:_0123456789abcdefs_th{}[]---".utf8) + [0x00, 0xC3, 0xFF]
        var parsed = 0
        for round in 0..<3000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<(1 + next(4)) {
                let at = next(bytes.count)
                switch next(3) {
                case 0: bytes[at] = alphabet[next(alphabet.count)]
                case 1: bytes.insert(alphabet[next(alphabet.count)], at: at)
                default: bytes.remove(at: at)
                }
            }
            switch AuthorshipNote.Reading.of(bytes) {
            case .read(let note):
                parsed += 1
                #expect(note.contributions.allSatisfy { $0.lines >= 1 && $0.files >= 1 && !$0.tool.isEmpty })
            case .ignored(let why):
                #expect(!why.isEmpty && !why.contains("\n"), "\(why)")
            case .absent:
                Issue.record("a note's bytes never read as absent")
            }
        }
        // Some mutations leave a valid note (a changed line number, a changed id in the JSON).
        #expect(parsed > 0)
    }

    // MARK: As evidence

    static let person = Identity(name: "Ada Lovelace", email: "ada@example.com")

    static func attribute(_ note: AuthorshipNote.Reading?, notes: Bool = true, trailers: [Trailer] = []) -> Attribution {
        Attributor(settings: AgentSettings(notes: notes)).attribute(author: person, committer: person, trailers: trailers, note: note)
    }

    @Test("a note that attributes lines to an AI session makes the commit an agent's, naming tool and model")
    func evidence() throws {
        let attribution = Self.attribute(.read(try Self.parse(Self.sessions)))
        #expect(attribution.agent == "cursor")
        #expect(attribution.evidence == [
            Evidence(source: "note", value: "refs/notes/ai: tool cursor, model claude-sonnet-4-5-20250514: 23 lines in 1 file", agent: "cursor"),
            Evidence(source: "note", value: "refs/notes/ai: tool claude, model claude-sonnet-4-5-20250514: 50 lines in 1 file", agent: "claude-code"),
        ])
        // With the built-in table off the tool names itself.
        let plain = Attributor(settings: AgentSettings(builtin: false, notes: true)).attribute(
            author: Self.person, committer: Self.person, trailers: [], note: .read(try Self.parse(Self.sessions)))
        #expect(plain.evidence.map(\.agent) == ["cursor", "claude"])
    }

    @Test("a note never clears a commit, and counts for nothing when ignored, human-only or not asked for")
    func neverClears() throws {
        let claude = [Trailer(key: "Co-Authored-By", value: "Claude <noreply@anthropic.com>")]
        let human = try Self.parse(Self.humanOnly)
        for reading in [AuthorshipNote.Reading.read(human), .ignored("line 1: broken"), .absent] {
            #expect(Self.attribute(reading, trailers: claude).agent == "claude-code")
            #expect(Self.attribute(reading, trailers: claude).evidence.map(\.source) == ["trailer"])
            #expect(Self.attribute(reading) == Attribution(agent: nil, evidence: []))
        }
        // Off: a note handed in is not read.
        #expect(Self.attribute(.read(try Self.parse(Self.sessions)), notes: false) == Attribution(agent: nil, evidence: []))
        // The note is the commit's only mark: unsigned_is_agent needs no signature then.
        let attributor = Attributor(settings: AgentSettings(unsignedIsAgent: true, notes: true))
        #expect(!attributor.needsSignature(author: Self.person, committer: Self.person, trailers: [], note: .read(try Self.parse(Self.sessions))))
        #expect(attributor.needsSignature(author: Self.person, committer: Self.person, trailers: [], note: .read(human)))
    }

    @Test("explain says what the note said")
    func explain() throws {
        var commit = CommitFacts(id: String(repeating: "b", count: 40), author: Self.person, committer: Self.person, subject: "x")
        let attributor = Attributor(settings: AgentSettings(notes: true))
        #expect(attributor.explain(commit).note == "refs/notes/ai not read")
        commit.authorshipNote = .ignored("line 2: an attestation is two spaces, a key, one space and line ranges")
        #expect(attributor.explain(commit).note == "the note in refs/notes/ai is ignored: line 2: an attestation is two spaces, a key, one space and line ranges")
        commit.authorshipNote = .read(try Self.parse(Self.humanOnly))
        #expect(attributor.explain(commit).note == "the note in refs/notes/ai attributes no line to an AI session")
        commit.authorshipNote = .absent
        #expect(attributor.explain(commit).note == "no note in refs/notes/ai")
        commit.authorshipNote = .read(try Self.parse(Self.legacy))
        let explained = attributor.explain(commit)
        #expect(explained.note.hasPrefix("refs/notes/ai: tool cursor, model claude-4.5-opus: 66 lines in 2 files"))
        #expect(explained.matched.map(\.form) == ["AGENT"])
        #expect(explained.matched.map(\.place) == [.note])
    }
}
