#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A git-ai authorship log: the note git-ai attaches to a commit in `refs/notes/ai` (the Git AI
/// Standard, schema `authorship/3.0.0`), reduced to what attribution needs: which AI tools and
/// models the note says wrote lines of the commit.
///
/// The note is an attestation section, a line `---`, then a JSON object:
///
/// ```
/// src/main.rs
///   s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10,15-20
///   h_31dce776f88375 42-50
/// ---
/// {"schema_version": "authorship/3.0.0", "base_commit_sha": "…", "prompts": {},
///  "sessions": {"s_c9883b05a2487d": {"agent_id": {"tool": "cursor", "id": "…", "model": "…"}}},
///  "humans": {"h_31dce776f88375": {"author": "Developer <dev@example.com>"}}}
/// ```
///
/// Each file path (at the start of a line; in double quotes when it holds a space or a tab) is
/// followed by its entries, each indented by exactly two spaces: a key, one space, and line
/// ranges (`3`, `19-222`, comma-separated, ascending, from 1). A key is an AI session
/// (`s_HEX::t_HEX`, looked up in `sessions`), a known person (`h_HEX`, in `humans`) or a legacy
/// AI session (16 or 7 hex digits, in `prompts`). Parsing is strict: a note that departs from
/// this in any way, that names a key its metadata lacks, or that is larger than
/// ``Limits/authorshipNoteBytes`` is not read at all. Unknown JSON members are allowed (the
/// standard adds optional ones).
public struct AuthorshipNote: Sendable, Hashable {
    /// Where git-ai keeps its notes.
    public static let ref = "refs/notes/ai"
    public static let schemaVersion = "authorship/3.0.0"

    /// Lines one AI tool and model wrote, by the note.
    public struct Contribution: Sendable, Hashable, CustomStringConvertible {
        /// `agent_id.tool` as written: `cursor`, `claude`.
        public var tool: String
        /// `agent_id.model` as written; may be empty.
        public var model: String
        public var lines: Int
        public var files: Int

        public init(tool: String, model: String, lines: Int, files: Int) {
            self.tool = tool
            self.model = model
            self.lines = lines
            self.files = files
        }

        /// `tool cursor, model claude-sonnet-4-5: 16 lines in 2 files`.
        public var description: String {
            let model = model.isEmpty ? "model not given" : "model \(model)"
            return "tool \(tool), \(model): \(lines) line\(lines == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s")"
        }
    }

    /// The AI contributions, one per (tool, model), in the order the attestations first name them.
    public var contributions: [Contribution]
    /// Lines attributed to known people (`h_` keys).
    public var humanLines: Int

    public init(contributions: [Contribution], humanLines: Int = 0) {
        self.contributions = contributions
        self.humanLines = humanLines
    }

    /// Whether the note attributes any line to an AI session.
    public var attributesAI: Bool { !contributions.isEmpty }

    /// What reading a commit's note found.
    public enum Reading: Sendable, Hashable, CustomStringConvertible {
        /// The commit has no note in `refs/notes/ai`.
        case absent
        case read(AuthorshipNote)
        /// A note that could not be read or does not parse, and why: it counts for nothing.
        case ignored(String)

        /// One line for `explain`.
        public var description: String {
            switch self {
            case .absent:
                "no note in \(AuthorshipNote.ref)"
            case .read(let note) where note.attributesAI:
                "\(AuthorshipNote.ref): " + note.contributions.map(\.description).joined(separator: "; ")
            case .read:
                "the note in \(AuthorshipNote.ref) attributes no line to an AI session"
            case .ignored(let why):
                "the note in \(AuthorshipNote.ref) is ignored: \(why)"
            }
        }

        /// Reads a note's bytes: parsed, or ignored with the reason.
        public static func of(_ bytes: [UInt8]) -> Reading {
            do {
                return .read(try AuthorshipNote.parse(bytes))
            } catch {
                return .ignored(error.description)
            }
        }
    }

    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
        init(line: Int, _ message: String) { self.description = "line \(line): \(message)" }
    }

    // MARK: Parsing

    /// Parses a note, strictly (see the type's documentation).
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> AuthorshipNote {
        guard bytes.count <= Limits.authorshipNoteBytes else {
            throw ParseError("\(bytes.count) bytes, over the limit of \(Limits.authorshipNoteBytes)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw ParseError("it is not UTF-8 text") }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let divider = lines.firstIndex(of: "---") else {
            throw ParseError("no line '---' between the attestations and the metadata")
        }
        let attestations = try Self.attestations(lines[..<divider])
        let metadata = try Self.metadata(lines[(divider + 1)...].joined(separator: "\n"), line: divider + 2)

        var contributions = [Contribution]()
        var filesOf = [Set<Int>]()
        var humanLines = 0
        for attestation in attestations {
            let agent: AgentID
            switch attestation.key {
            case .human(let id):
                guard metadata.humans?[id] != nil else {
                    throw ParseError(line: attestation.line, "'\(shown(id))' is not among the metadata's humans")
                }
                humanLines += attestation.lines
                continue
            case .session(let id):
                guard let session = metadata.sessions?[id] else {
                    throw ParseError(line: attestation.line, "'\(shown(id))' is not among the metadata's sessions")
                }
                agent = session.agent_id
            case .legacy(let id):
                guard let prompt = metadata.prompts[id] else {
                    throw ParseError(line: attestation.line, "'\(shown(id))' is not among the metadata's prompts")
                }
                agent = prompt.agent_id
            }
            if let index = contributions.firstIndex(where: { $0.tool == agent.tool && $0.model == agent.model }) {
                contributions[index].lines += attestation.lines
                filesOf[index].insert(attestation.file)
                contributions[index].files = filesOf[index].count
            } else {
                contributions.append(Contribution(tool: agent.tool, model: agent.model, lines: attestation.lines, files: 1))
                filesOf.append([attestation.file])
            }
        }
        return AuthorshipNote(contributions: contributions, humanLines: humanLines)
    }

    enum Key: Hashable {
        /// The session id (`s_…`, without the trace).
        case session(String)
        case human(String)
        case legacy(String)
    }

    struct Attestation {
        var file: Int
        var key: Key
        var lines: Int
        /// 1-based, in the note.
        var line: Int
    }

    /// The attestation section: each entry with the index of its file and how many lines it covers.
    static func attestations(_ lines: ArraySlice<Substring>) throws(ParseError) -> [Attestation] {
        var result = [Attestation]()
        var files = 0
        var entriesOfFile = 0
        var fileLine = 0
        for (offset, line) in lines.enumerated() {
            let number = offset + 1
            if line.isEmpty { throw ParseError(line: number, "an empty line in the attestations") }
            if line.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" } ) || line.unicodeScalars.contains("\u{7F}") {
                throw ParseError(line: number, "a control character")
            }
            if line.hasPrefix("  ") {
                guard files > 0 else { throw ParseError(line: number, "an attestation before any file path") }
                let entry = line.dropFirst(2)
                let parts = entry.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw ParseError(line: number, "an attestation is two spaces, a key, one space and line ranges")
                }
                let key = try Self.key(parts[0], line: number)
                let count = try Self.lineCount(parts[1], line: number)
                result.append(Attestation(file: files - 1, key: key, lines: count, line: number))
                entriesOfFile += 1
                continue
            }
            if let first = line.first, first == " " || first == "\t" {
                throw ParseError(line: number, "a line indented by other than two spaces")
            }
            if files > 0 && entriesOfFile == 0 {
                throw ParseError(line: fileLine, "a file path with no attestation")
            }
            if line.hasPrefix("\"") {
                guard line.count >= 3, line.hasSuffix("\""), !line.dropFirst().dropLast().contains("\"") else {
                    throw ParseError(line: number, "a quoted file path must be one quoted string")
                }
            } else if line.contains(" ") || line.contains("\t") {
                throw ParseError(line: number, "a file path with a space or a tab must be quoted")
            }
            files += 1
            entriesOfFile = 0
            fileLine = number
        }
        if files > 0 && entriesOfFile == 0 {
            throw ParseError(line: fileLine, "a file path with no attestation")
        }
        return result
    }

    private static func isHex(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }
    }

    /// Ids are 14 hex digits today; the standard lets that change, so 1 to 64 are taken.
    private static func isID(_ text: Substring, prefix: String) -> Bool {
        guard text.hasPrefix(prefix) else { return false }
        let hex = text.dropFirst(prefix.count)
        return hex.count <= 64 && isHex(hex)
    }

    static func key(_ text: Substring, line: Int) throws(ParseError) -> Key {
        if text.hasPrefix("s_") {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[1].isEmpty, isID(parts[0], prefix: "s_"), isID(parts[2], prefix: "t_") else {
                throw ParseError(line: line, "'\(shown(text))' is not a session key s_HEX::t_HEX")
            }
            return .session(String(parts[0]))
        }
        if text.hasPrefix("h_") {
            guard isID(text, prefix: "h_") else { throw ParseError(line: line, "'\(shown(text))' is not a human key h_HEX") }
            return .human(String(text))
        }
        guard (text.count == 16 || text.count == 7), isHex(text) else {
            throw ParseError(line: line, "'\(shown(text))' is not a key: s_HEX::t_HEX, h_HEX or 16 hex digits")
        }
        return .legacy(String(text))
    }

    /// How many lines `1-4,9,12-20` covers: ranges from 1, ascending, not overlapping.
    static func lineCount(_ text: Substring, line: Int) throws(ParseError) -> Int {
        var count = 0
        var last = 0
        for range in text.split(separator: ",", omittingEmptySubsequences: false) {
            let ends = range.split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count <= 2, let start = Self.number(ends[0]), let end = ends.count == 2 ? Self.number(ends[1]) : start,
                  start >= 1, end >= start
            else {
                throw ParseError(line: line, "'\(shown(range))' is not a line or a range of lines (N or N-M, from 1)")
            }
            guard start > last else { throw ParseError(line: line, "line ranges out of order at '\(shown(range))'") }
            count += end - start + 1
            last = end
        }
        return count
    }

    /// A decimal number of at most 9 digits.
    private static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    // MARK: The metadata

    struct AgentID: Decodable {
        var tool: String
        var id: String
        var model: String
    }

    struct Session: Decodable {
        var agent_id: AgentID
        var human_author: String?
    }

    struct Prompt: Decodable {
        var agent_id: AgentID
        var human_author: String?
        var total_additions: Int
        var total_deletions: Int
        var accepted_lines: Int
        var overriden_lines: Int
    }

    struct Human: Decodable {
        var author: String
    }

    struct Metadata: Decodable {
        var schema_version: String
        var base_commit_sha: String
        var prompts: [String: Prompt]
        var sessions: [String: Session]?
        var humans: [String: Human]?
    }

    /// The metadata section, which starts at note line `line`.
    static func metadata(_ json: String, line: Int) throws(ParseError) -> Metadata {
        let metadata: Metadata
        do {
            metadata = try JSONDecoder().decode(Metadata.self, from: Data(json.utf8))
        } catch let error as DecodingError {
            throw ParseError("the metadata after line \(line - 1) is not the standard's JSON: \(Self.describe(error))")
        } catch {
            throw ParseError("the metadata after line \(line - 1) is not JSON")
        }
        guard metadata.schema_version == schemaVersion else {
            throw ParseError("schema_version '\(shown(metadata.schema_version))', not '\(schemaVersion)'")
        }
        for id in metadata.sessions?.keys.sorted() ?? [] where !isID(Substring(id), prefix: "s_") {
            throw ParseError("the session '\(shown(id))' is not named s_HEX")
        }
        for id in metadata.humans?.keys.sorted() ?? [] where !isID(Substring(id), prefix: "h_") {
            throw ParseError("the human '\(shown(id))' is not named h_HEX")
        }
        var agents = (metadata.sessions ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value.agent_id) }
        agents += metadata.prompts.sorted { $0.key < $1.key }.map { ($0.key, $0.value.agent_id) }
        for (id, agent) in agents {
            for (name, value) in [("tool", agent.tool), ("model", agent.model)] {
                if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) || value.utf8.count > 200 {
                    throw ParseError("\(shown(id))'s agent_id.\(name) is not one line of at most 200 bytes")
                }
            }
            if agent.tool.trimmingWhitespace().isEmpty { throw ParseError("\(shown(id))'s agent_id.tool is empty") }
        }
        return metadata
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "" : " at \(shown(path))"
        }
        switch error {
        case .keyNotFound(let key, let context): return "no '\(shown(key.stringValue))'\(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "a value of the wrong type\(path(context))"
        case .dataCorrupted(let context): return "not JSON\(path(context))"
        @unknown default: return "not readable"
        }
    }
}

/// Note text as a message shows it: on one line (control characters as spaces), at most 40
/// characters, cut with `…`.
private func shown(_ text: some StringProtocol) -> String {
    var result = String(text.prefix(40).map { $0.unicodeScalars.contains { $0.properties.generalCategory == .control } ? " " : $0 })
    if text.count > 40 { result += "…" }
    return result
}
