import AgentReviewCore
import AgentReviewGit
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AgentReviewCommand {
    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Read the audit log: verify its chains, show its entries, export them to a log pipeline.",
            discussion: """
                The pre-receive hook appends one entry per ref update it judges (and `check --audit` one per check)
                to the repository's audit log: `git config agentreview.auditLog`, else $GIT_DIR/agentreview/audit.jsonl.
                Each entry carries the SHA-256 of the one before it. With no FILE, these commands read that log.
                """,
            subcommands: [Verify.self, Show.self, Export.self])
    }
}

/// The log files a command reads: those named, else the repository's.
struct AuditFiles: ParsableArguments {
    @Argument(help: "Audit log files (default: this repository's log).")
    var files: [String] = []

    @Option(name: .customShort("C"), help: "Run as if started in this directory.")
    var directory: String?

    func paths() throws -> [String] {
        if !files.isEmpty { return files }
        let repository = try Repository.open(directory ?? FileManager.default.currentDirectoryPath)
        return [try AuditLog.location(in: repository)]
    }

    /// A file's bytes; one clear line when it cannot be read.
    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "it cannot be read" : "no such file"
            throw CLIError("\(path): \(why)")
        }
        return [UInt8](data)
    }

    /// The entries of a file that read, each with its exact line; lines that do not read
    /// (a torn last line, damage `verify` reports) are said once on stderr and left out.
    static func entries(_ path: String) throws -> [(entry: AuditEntry, line: [UInt8])] {
        let bytes = try read(path)
        var entries = [(AuditEntry, [UInt8])]()
        var skipped = [Int]()
        let decoder = JSONDecoder()
        for (index, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            if let entry = try? decoder.decode(AuditEntry.self, from: Data(line)) {
                entries.append((entry, Array(line)))
            } else {
                skipped.append(index + 1)
            }
        }
        if !skipped.isEmpty {
            let lines = skipped.prefix(5).map(String.init).joined(separator: ", ") + (skipped.count > 5 ? " and \(skipped.count - 5) more" : "")
            printError("\(path): left out line\(skipped.count == 1 ? "" : "s") \(lines), which do not read as entries (agentreview audit verify says why)")
        }
        return entries
    }
}

extension AgentReviewCommand.Audit {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check that every chain of the audit log is intact.",
            discussion: """
                Exit 0 when every file's chains are intact (a torn last line, left by a hook killed mid-write, is
                reported but is no break), 1 naming the first broken line of each damaged file (an entry edited,
                removed, reordered or cut short, a chain restarted), 2 when a file cannot be read. Several files
                (one per server node) are verified each on its own.
                """)

        @OptionGroup var files: AuditFiles

        @Flag(help: "Print the result as JSON.")
        var json = false

        struct Result: Codable {
            var file: String
            var intact: Bool
            var entries: Int
            var segments: Int
            var torn: [Int]
            var line: Int?
            var problem: String?
            var message: String?
        }

        func run() throws {
            try guarded {
                var results = [Result]()
                var unreadable = false
                for path in try files.paths() {
                    let bytes: [UInt8]
                    do {
                        bytes = try AuditFiles.read(path)
                    } catch {
                        printError(describe(error))
                        unreadable = true
                        continue
                    }
                    let verification = AuditChain.verify(bytes)
                    let problem = verification.firstProblem
                    results.append(Result(
                        file: path, intact: problem == nil, entries: verification.entries, segments: verification.segments,
                        torn: verification.torn, line: problem?.line, problem: problem?.kind.rawValue, message: problem?.message))
                }
                if json {
                    print(try Rendering.json(results))
                } else {
                    for result in results {
                        if let line = result.line, let message = result.message {
                            print("\(result.file):\(line): broken: \(message)")
                        } else {
                            let segments = result.segments == 1 ? "1 chain" : "\(result.segments) chain segments"
                            print("\(result.file): intact: \(result.entries) entr\(result.entries == 1 ? "y" : "ies") in \(segments)")
                        }
                        for line in result.torn {
                            print("\(result.file):\(line): torn: a writer was killed mid-write; not tampering (the next entry starts a new segment naming it)")
                        }
                    }
                }
                return !results.allSatisfy(\.intact) ? 1 : unreadable ? 2 : 0
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show the audit log's entries: who pushed what, the verdict, what was missing, who broke the glass.")

        @OptionGroup var files: AuditFiles

        @Option(help: "Only entries at or after this time (2026-11-28 or 2026-11-28T15:00:00Z).")
        var since: String?

        @Option(help: "Only entries for this ref (refs/heads/main).")
        var ref: String?

        @Option(help: "Only entries with a commit by this agent (claude-code, copilot, …).")
        var agent: String?

        @Option(help: "Only entries with this verdict: pass, overridden, warn or blocked.")
        var verdict: Verdict?

        @Flag(help: "Print the entries as JSON (an array).")
        var json = false

        func run() throws {
            try guarded {
                let since = try self.since.map { text -> String in
                    guard let normalised = Self.normalised(text) else {
                        throw CLIError("--since \(text): write a date (2026-11-28) or a UTC time (2026-11-28T15:00:00Z)")
                    }
                    return normalised
                }
                var shown = [AuditEntry]()
                for path in try files.paths() {
                    for (entry, _) in try AuditFiles.entries(path) where matches(entry, since: since) {
                        shown.append(entry)
                    }
                }
                if json {
                    print(try Rendering.json(shown))
                    return 0
                }
                var lines = [String]()
                for entry in shown { lines += Self.text(entry) }
                if shown.isEmpty { lines.append("no entries") }
                print(lines.joined(separator: "\n"))
                return 0
            }
        }

        /// `2026-11-28` as the first moment of that day, `2026-11-28T15:00:00Z` as it is, written
        /// as entries write their times, so that the two compare as text; nil for anything else.
        static func normalised(_ text: String) -> String? {
            // Matched byte by byte, `9` standing for an ASCII digit.
            func shaped(_ shape: StaticString) -> Bool {
                let pattern = UnsafeBufferPointer(start: shape.utf8Start, count: shape.utf8CodeUnitCount)
                return text.utf8.count == pattern.count
                    && zip(text.utf8, pattern).allSatisfy { byte, want in
                        want == UInt8(ascii: "9") ? (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) : byte == want
                    }
            }
            if shaped("9999-99-99") { return text + "T00:00:00.000Z" }
            if shaped("9999-99-99T99:99:99Z") { return String(text.dropLast()) + ".000Z" }
            return nil
        }

        func matches(_ entry: AuditEntry, since: String?) -> Bool {
            if let since, entry.time < since { return false }
            if let ref, entry.ref != ref { return false }
            if let agent, !entry.commits.contains(where: { $0.agent == agent }) { return false }
            if let verdict, entry.verdict != verdict { return false }
            return true
        }

        /// One entry: a line for the ref update, then one for each commit that did not simply pass.
        static func text(_ entry: AuditEntry) -> [String] {
            let pusher = entry.pusher.map { "\($0.name) (\($0.from))" } ?? "pusher unknown"
            let ref = entry.ref ?? "(push)"
            var counts = [String]()
            for verdict in Verdict.allCases.reversed() where (entry.counts[verdict] ?? 0) > 0 {
                counts.append("\(entry.counts[verdict]!) \(verdict.rawValue)")
            }
            let summary = counts.isEmpty ? "no commits" : counts.joined(separator: ", ")
            var lines = ["\(entry.time)  \(ref)  \(entry.verdict.rawValue)  \(pusher)  \(entry.source): \(summary)"]
            if let error = entry.error { lines += TextLayout.wrap("error: \(error)", indent: 2, width: TextLayout.width) }
            for commit in entry.commits where commit.verdict != .pass {
                var head = "\(commit.id.prefix(12))  \(commit.verdict.rawValue)  \(commit.class)  \(commit.agent ?? commit.bot.map { "bot:\($0)" } ?? "human")"
                if let session = commit.session { head += "  session \(session)" }
                lines.append("  " + head)
                if let override = commit.override {
                    lines += TextLayout.wrap("OVERRIDDEN by \(override.signer) on \(override.date): \"\(override.reason)\"", indent: 4, width: TextLayout.width)
                }
                for violation in commit.contract?.violations ?? [] {
                    lines += TextLayout.wrap("contract \(commit.contract?.name ?? ""): \(violation)", indent: 4, width: TextLayout.width)
                }
                for missing in commit.missing {
                    lines += TextLayout.wrap("missing: \(missing.detail)", indent: 4, width: TextLayout.width)
                }
            }
            return lines
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write the audit log's entries for a log pipeline: one OTLP/JSON ExportLogsServiceRequest per line.",
            discussion: """
                An OpenTelemetry Collector reads the output with its `otlpjsonfile` receiver (see the README, "Audit").
                Lines that do not read as entries are left out, said on stderr.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case otlpJSON = "otlp-json"
        }

        @OptionGroup var files: AuditFiles

        @Option(help: "The output format: otlp-json.")
        var format: Format = .otlpJSON

        func run() throws {
            try guarded {
                let host = ProcessInfo.processInfo.hostName
                let version = AgentReviewCommand.configuration.version
                for path in try files.paths() {
                    for (entry, line) in try AuditFiles.entries(path) {
                        var out = try AuditExport.otlpJSON(entry, line: line, host: host, serviceVersion: version)
                        out.append(0x0A)
                        StandardOutput.write(out)
                    }
                }
                StandardOutput.flush()
                return 0
            }
        }
    }
}

extension Verdict: ExpressibleByArgument {}
