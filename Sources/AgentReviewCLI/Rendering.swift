import AgentReviewCore
import Foundation

enum Rendering {
    /// JSON from Codable values: sorted keys, one line (see `StreamingJSONEncoder`).
    static func json<Value: Encodable>(_ value: Value) throws -> String {
        String(decoding: try StreamingJSONEncoder.encode(value), as: UTF8.self)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

/// Writes a judgement while it is made, commit by commit, so that a whole history is
/// judged in constant memory. Text: a compact table a person reads, one line a commit,
/// then for each commit that is not a plain pass why, what is missing, and the command
/// that supplies it. JSON: the `Judgement` object, keys sorted, `commits` first, written
/// through `StandardOutput` in large chunks.
final class JudgementWriter {
    struct Tail: Encodable {
        var mode: EnforcementMode
        var policy: String
        var ref: String?
        var verdict: Verdict
    }

    let json: Bool
    let title: String
    let ref: String?
    let mode: EnforcementMode
    let policy: String
    let classWidth: Int
    /// Print a header and "no commits" when nothing was judged (status, check); hooks stay quiet.
    let showEmpty: Bool

    private(set) var verdict = Verdict.pass
    private(set) var counts = [Verdict: Int]()
    private var started = false
    /// Reused for every commit: its buffer keeps its capacity.
    private let encoder = StreamingJSONEncoder()

    init(json: Bool, title: String, ref: String?, mode: EnforcementMode, configuration: TrustedConfiguration, showEmpty: Bool = true) {
        self.json = json
        self.title = title
        self.ref = ref
        self.mode = mode
        self.policy = configuration.source
        self.classWidth = configuration.policy.classes.map(\.name.count).max() ?? 4
        self.showEmpty = showEmpty
    }

    /// What was written reaches stdout even when judging stops half-way.
    deinit {
        if json { StandardOutput.flush() }
    }

    var total: Int { counts.values.reduce(0, +) }

    private func start() {
        guard !started else { return }
        started = true
        if json {
            StandardOutput.write(Array("{\"commits\":[".utf8))
        } else {
            print("\(title) — mode \(mode.rawValue), policy \(policy)")
        }
    }

    func add(_ commit: CommitReport) throws {
        start()
        if json {
            encoder.removeAll()
            if total > 0 { encoder.append(UInt8(ascii: ",")) }
            try encoder.encode(commit)
            StandardOutput.write(encoder.bytes)
        } else {
            print(Self.lines(commit, classWidth: classWidth).joined(separator: "\n"))
        }
        counts[commit.verdict, default: 0] += 1
        verdict = max(verdict, commit.verdict)
    }

    /// Writes the end and returns the verdict.
    @discardableResult
    func finish() throws -> Verdict {
        if !started && !showEmpty && !json { return verdict }
        start()
        if json {
            // The rest of the object: `],` then the other members, sorted after `commits`.
            let tail = try StreamingJSONEncoder.encode(Tail(mode: mode, policy: policy, ref: ref, verdict: verdict))
            StandardOutput.write(Array("],".utf8) + tail.dropFirst())
            StandardOutput.flush()
            return verdict
        }
        let total = self.total
        let commits = total == 1 ? "commit" : "commits"
        switch verdict {
        case .blocked: print("blocked: sign-off missing on \(counts[.blocked] ?? 0) of \(total) \(commits)")
        case .warn: print("warn: sign-off missing on \(counts[.warn] ?? 0) of \(total) \(commits) (not enforced on this ref)")
        case .pass: print(total == 0 ? "pass: no commits to judge" : "pass: \(total) \(commits) judged")
        }
        return verdict
    }

    static func lines(_ commit: CommitReport, classWidth: Int) -> [String] {
        let agent = commit.agent ?? "human"
        var lines = [
            "  \(commit.shortID)  \(Rendering.pad(commit.verdict.rawValue, 7))  \(Rendering.pad(commit.class, classWidth))  \(Rendering.pad(agent, 11))  \(commit.subject)",
        ]
        for approval in commit.approvals {
            lines.append("      \(approval)")
        }
        guard commit.verdict != .pass else { return lines }
        if let evidence = commit.evidence.first {
            lines.append("      agent: \(evidence)")
        }
        lines.append("      \(commit.reasons.first { $0.hasPrefix("class ") } ?? "class \(commit.class)")")
        for refused in commit.refused {
            lines.append("      not counted: \(refused)")
        }
        for missing in commit.missing {
            lines.append("      missing: \(missing.detail)")
        }
        var commands = [String]()
        for missing in commit.missing where !commands.contains(missing.command) {
            commands.append(missing.command)
        }
        for command in commands {
            lines.append("      run: \(command)")
        }
        return lines
    }
}

/// Writes diagnostics to stderr, results stay on stdout.
func printError(_ message: String) {
    // Results written so far go first: in a hook both streams reach the pusher as one.
    StandardOutput.flush()
    fflush(nil)  // every output stream: stdout is the one with anything buffered
    FileHandle.standardError.write(Data(("agentreview: " + message + "\n").utf8))
}
