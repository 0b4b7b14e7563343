import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

@testable import AgentReviewCLI

/// The audit log end to end: real pushes to a bare repository with the hook installed, the
/// log read back, verified, tampered with, written by eight pushers at once, and placed
/// where it cannot be written.
@Suite struct AuditTests {
    let sandbox: Sandbox
    let server: URL
    let clone: URL
    let carol: (path: String, publicKey: String)
    let dan: (path: String, publicKey: String)

    init() throws {
        sandbox = try Sandbox()
        let keys = sandbox.root.appendingPathComponent("keys")
        carol = try sandbox.sshKey("carol", in: keys)
        dan = try sandbox.sshKey("dan", in: keys)
        let signers = [("carol", carol.publicKey), ("dan", dan.publicKey)]
            .map { "\($0.0)@example.com namespaces=\"agentreview\" \($0.1)\n" }.joined()
        (server, clone) = try sandbox.server(with: [
            ".agentreview/policy.yml": Sandbox.policy, ".agentreview/allowed_signers": signers, "README.md": "# project\n",
        ])
    }

    var logPath: String { server.appendingPathComponent("agentreview/audit.jsonl").path }

    func push(_ arguments: [String], from directory: URL? = nil, environment: [String: String] = [:]) throws -> (status: Int32, text: String) {
        let output = try Sandbox.run("/usr/bin/git", ["push", "--no-verify"] + arguments, in: directory ?? clone, environment: environment)
        let text = (output.stdout + output.stderr).replacingOccurrences(of: "[ \t]*\nremote: +", with: " ", options: .regularExpression)
        return (output.status, text)
    }

    func entries() throws -> [AuditEntry] {
        let text = try String(contentsOfFile: logPath, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(AuditEntry.self, from: Data($0.utf8)) }
    }

    func verify(_ files: [String] = []) throws -> Sandbox.Output {
        try sandbox.agentreview(["audit", "verify"] + (files.isEmpty ? [logPath] : files), in: sandbox.root)
    }

    /// The repository's path in an entry is what `URL` standardises it to, made as text.
    @Test(arguments: [
        "/srv/git/project.git/", "/srv/git/project.git", "/srv//git/./project.git/", "/srv/git/../git/project.git/",
        "/", "//", "/a/b/..", "/a/b/.", "/../a", "/a/../../b/", "/a/.../b", "/a/..b/c", "/é/😀 x/", "relative/dir/",
    ])
    func aRepositorysPathIsStandardisedAsURLDoes(_ path: String) {
        #expect(AuditSink.standardized(path) == URL(fileURLWithPath: path).standardizedFileURL.path)
    }

    /// `audit show --since`: a day or a UTC time to the second, each as entries write their
    /// times, so the two compare as text; anything else is refused.
    @Test(arguments: [
        ("2026-11-28", "2026-11-28T00:00:00.000Z"),
        ("2026-11-28T15:04:05Z", "2026-11-28T15:04:05.000Z"),
        ("2026-11-28T15:04:05", nil),
        ("2026-11-28T15:04:05.123Z", nil),
        ("2026-1-28", nil),
        ("2026-11-28 ", nil),
        ("a026-11-28", nil),
        ("\u{FF12}026-11-28", nil),
        ("2026-11-28\u{301}", nil),
        ("last week", nil),
        ("", nil),
    ] as [(String, String?)])
    func sinceIsADayOrATimeAsEntriesWriteThem(_ text: String, _ normalised: String?) {
        #expect(AgentReviewCommand.Audit.Show.normalised(text) == normalised)
    }

    @Test(arguments: [
        ("/srv/a.git/agentreview/audit.jsonl", "/srv/a.git/agentreview"), ("/audit.jsonl", "/"), ("/var/log/", "/var"),
        ("audit.jsonl", "."), ("logs/audit.jsonl", "logs"),
    ])
    func theLogsDirectory(_ path: String, _ directory: String) {
        #expect(AuditLog.directory(of: path) == directory)
    }

    @Test func everyJudgedPushIsAnEntryAcceptedAndRefusedAlike() throws {
        // Refused: an agent's change to src/ without its approval.
        try sandbox.write("src/app.swift", "let a = 1\n", in: clone)
        let id = try sandbox.commit("App\n\nClaude-Session: sess-77\nCo-Authored-By: Claude <noreply@anthropic.com>", in: clone)
        let refused = try push(["origin", "HEAD:main"], environment: ["GL_USERNAME": "alice", "GL_PROJECT_PATH": "group/app"])
        #expect(refused.status != 0)
        // Approved by carol, pushed with the notes: accepted.
        let approved = try sandbox.agentreview(["approve", id, "--key", carol.path, "--as", "carol@example.com"], in: clone)
        try #require(approved.status == 0, "\(approved.stderr)")
        let accepted = try push(["origin", "HEAD:main", "refs/notes/agentreview"], environment: ["GL_USERNAME": "alice"])
        #expect(accepted.status == 0, "\(accepted.text)")

        let log = try entries().filter { $0.ref == "refs/heads/main" }
        try #require(log.count == 2, "\(log)")
        let (first, second) = (log[0], log[1])
        #expect(first.verdict == .blocked)
        #expect(second.verdict == .pass)
        #expect(first.pusher == AuditEntry.Pusher(name: "alice", from: "GL_USERNAME"))
        // The host's name for the repository when its hook says, else its path.
        #expect(first.repository == "group/app")
        #expect(second.repository.hasSuffix("/" + server.lastPathComponent), "\(second.repository)")
        #expect(first.source == "pre-receive")
        #expect(first.host == ProcessInfo.processInfo.hostName)
        #expect(first.new == id)
        #expect(first.old == (try sandbox.git("rev-parse", "HEAD~1", in: clone)))
        #expect(first.mode == .enforce)
        let policyBlob = try sandbox.git("rev-parse", "main:.agentreview/policy.yml", in: server)
        #expect(first.policy?.blob == policyBlob)
        #expect(first.policy?.ref == "refs/heads/main")
        #expect(first.policy?.path == ".agentreview/policy.yml")
        let refusedCommit = try #require(first.commits.first)
        #expect(refusedCommit.id == id)
        #expect(refusedCommit.agent == "claude-code")
        #expect(refusedCommit.session == "sess-77")
        #expect(refusedCommit.missing.map(\.requirement) == ["approvals"])
        let approval = try #require(second.commits.first?.approvals.first)
        #expect(approval.reviewer == "carol@example.com")
        #expect(approval.key?.hasPrefix("SHA256:") == true)
        // The record id is the SHA-256 of the record as it stands in the note.
        let note = try sandbox.git("notes", "--ref=refs/notes/agentreview", "show", id, in: server) + "\n"
        let sum = try Sandbox.run("/usr/bin/sha256sum", [], in: sandbox.root, input: Data(note.utf8))
        #expect(approval.record == String(sum.stdout.prefix(64)))

        // The chain: one segment, each entry naming the hash of the one before.
        #expect(second.chain == first.chain)
        #expect(second.seq == first.seq + 1)
        let verified = try verify()
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("intact: \(try entries().count) entries in 1 chain"), "\(verified.stdout)")
    }

    @Test func aTamperedLogFailsVerificationAtTheLine() throws {
        for n in 1...3 {
            try sandbox.write("docs/\(n).md", "\(n)\n", in: clone)
            try sandbox.commit("Docs \(n)", in: clone)
            #expect(try push(["origin", "HEAD:main"]).status == 0)
        }
        var lines = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try #require(lines.count >= 4)
        // Edit the second entry: "pass" becomes "warn".
        lines[1] = lines[1].replacingOccurrences(of: "\"verdict\":\"pass\"", with: "\"verdict\":\"warn\"")
        let tampered = sandbox.root.appendingPathComponent("tampered.jsonl").path
        try lines.joined(separator: "\n").write(toFile: tampered, atomically: true, encoding: .utf8)
        let result = try verify([tampered])
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stdout.contains("tampered.jsonl:2: broken"), "\(result.stdout)")
        // Remove the second entry instead.
        var removed = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").map(String.init)
        removed.remove(at: 1)
        try (removed.joined(separator: "\n") + "\n").write(toFile: tampered, atomically: true, encoding: .utf8)
        let gap = try verify([tampered])
        #expect(gap.status == 1, "\(gap.stdout)")
        #expect(gap.stdout.contains("tampered.jsonl:2: broken"), "\(gap.stdout)")
        // Several files (one per node) are verified each on its own: the intact one says so.
        let both = try verify([logPath, tampered])
        #expect(both.status == 1)
        #expect(both.stdout.contains("\(logPath): intact: \(lines.count - 1) entries in 1 chain"), "\(both.stdout)")
        #expect(both.stdout.contains("tampered.jsonl:2: broken"), "\(both.stdout)")
    }

    /// Eight pushers at once, each to its own branch: every entry is there, the chain holds.
    @Test func eightConcurrentPushesLoseNoEntry() throws {
        var clones = [URL]()
        for n in 0..<8 {
            let other = sandbox.root.appendingPathComponent("pusher\(n)")
            try sandbox.git("clone", "-q", server.path, other.path, in: sandbox.root)
            try sandbox.write("docs/p\(n).md", "pusher \(n)\n", in: other)
            try sandbox.commit("Pusher \(n)", in: other)
            clones.append(other)
        }
        let pushers = clones
        let before = (try? entries().count) ?? 0
        let statuses = ConcurrentResults(count: clones.count)
        DispatchQueue.concurrentPerform(iterations: pushers.count) { n in
            let output = try? Sandbox.run("/usr/bin/git", ["push", "--no-verify", "origin", "HEAD:refs/heads/p\(n)"], in: pushers[n])
            statuses.set(n, output?.status ?? -1)
        }
        #expect(statuses.values == Array(repeating: 0, count: 8))
        let log = try entries()
        #expect(log.count == before + 8)
        #expect(Set(log.compactMap(\.ref)).isSuperset(of: (0..<8).map { "refs/heads/p\($0)" }))
        #expect(Set(log.map(\.chain)).count == 1)
        #expect(log.map(\.seq) == Array(1...log.count))
        let verified = try verify()
        #expect(verified.status == 0, "\(verified.stdout)")
    }

    /// A writer killed mid-write leaves a torn last line: reported as torn, not tampering;
    /// the next append starts a new segment that names it.
    @Test func aTornLastLineIsRepairedByTheNextAppend() throws {
        try sandbox.write("docs/a.md", "a\n", in: clone)
        try sandbox.commit("Docs a", in: clone)
        #expect(try push(["origin", "HEAD:main"]).status == 0)
        let handle = try #require(FileHandle(forWritingAtPath: logPath))
        handle.seekToEndOfFile()
        handle.write(Data("{\"v\":1,\"chain\":\"cut sh".utf8))
        try handle.close()
        let torn = try verify()
        #expect(torn.status == 0, "\(torn.stdout)")
        #expect(torn.stdout.contains(":2: torn"), "\(torn.stdout)")

        try sandbox.write("docs/b.md", "b\n", in: clone)
        try sandbox.commit("Docs b", in: clone)
        #expect(try push(["origin", "HEAD:main"]).status == 0)
        let repaired = try verify()
        #expect(repaired.status == 0, "\(repaired.stdout)")
        #expect(repaired.stdout.contains("in 2 chain segments"), "\(repaired.stdout)")
        let last = try #require(try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").last)
        let entry = try JSONDecoder().decode(AuditEntry.self, from: Data(last.utf8))
        #expect(entry.seq == 1)
        #expect(entry.after?.bytes == "{\"v\":1,\"chain\":\"cut sh".utf8.count)
    }

    /// Hooks killed with SIGKILL at random moments never damage the entries before them.
    @Test func hooksKilledAtRandomPointsNeverCorruptEarlierEntries() throws {
        // This server's hook runs the binary under a name of its own, so that killing it
        // touches no other test's hooks.
        let name = "agentreview-killed-\(UUID().uuidString.prefix(8))"
        let alias = sandbox.root.appendingPathComponent(name)
        try FileManager.default.createSymbolicLink(at: alias, withDestinationURL: Sandbox.binary)
        try sandbox.write("pre-receive", "#!/bin/sh\nexec \"\(alias.path)\" hook pre-receive\n", in: server.appendingPathComponent("hooks"), executable: true)
        var random = SplitMix64(seed: 0xA0D17)
        for n in 0..<8 {
            try sandbox.write("docs/k\(n).md", "\(n)\n", in: clone)
            try sandbox.commit("Docs k\(n)", in: clone)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
            process.arguments = ["push", "-q", "--no-verify", "origin", "HEAD:refs/heads/k\(n)"]
            process.currentDirectoryURL = clone
            process.environment = Sandbox.environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(random.next() % 60_000))
            _ = try Sandbox.run("/usr/bin/pkill", ["-9", "-f", name], in: sandbox.root)
            process.waitUntilExit()
        }
        let verified = try verify()
        #expect(verified.status == 0, "\(verified.stdout)")
        // And the log still takes entries, chained after whatever is there.
        try sandbox.write("docs/after.md", "after\n", in: clone)
        try sandbox.commit("After", in: clone)
        #expect(try push(["origin", "HEAD:refs/heads/after"]).status == 0)
        let after = try verify()
        #expect(after.status == 0, "\(after.stdout)")
        #expect(try entries().last?.ref == "refs/heads/after")
    }

    /// A log that cannot be written refuses an enforced push, saying why; a warn ref goes
    /// through. A full device, a path that cannot be created, a file that is read-only even
    /// to root (sysfs).
    @Test(arguments: ["/dev/full", "FILE/audit.jsonl", "/sys/kernel/notes"])
    func anUnwritableLogFailsThePushClosed(location: String) throws {
        let blocker = sandbox.root.appendingPathComponent("a-file")
        try "x".write(to: blocker, atomically: true, encoding: .utf8)
        let path = location.replacingOccurrences(of: "FILE", with: blocker.path)
        if path.hasPrefix("/sys/") { try #require(FileManager.default.fileExists(atPath: path), "no \(path) on this kernel") }
        try sandbox.git("config", "agentreview.auditLog", path, in: server)
        try sandbox.write("docs/x.md", "x\n", in: clone)
        let id = try sandbox.commit("Docs x", in: clone)
        let refused = try push(["origin", "HEAD:main"])
        #expect(refused.status != 0, "\(refused.text)")
        #expect(refused.text.contains("the audit log \(path) cannot be written"), "\(refused.text)")
        #expect(try sandbox.git("rev-parse", "main", in: server) != id)
        let warned = try push(["origin", "HEAD:refs/heads/topic"])
        #expect(warned.status == 0, "\(warned.text)")
        #expect(warned.text.contains("cannot be written"), "\(warned.text)")
    }

    /// With `agentreview.syslog true`, the hook sends each entry to a real rsyslogd as it
    /// writes it: what arrives is the file's line.
    @Test(.enabled(if: Rsyslogd.executable != nil, "rsyslogd is not installed (scripts/test installs it with apt-get)"))
    func theHookSendsEachEntryToSyslog() throws {
        let rsyslogd = try Rsyslogd()
        defer { rsyslogd.stop() }
        try rsyslogd.waitUntilListening()
        try sandbox.git("config", "agentreview.syslog", "true", in: server)
        try sandbox.git("config", "agentreview.syslogAddress", "udp:127.0.0.1:\(rsyslogd.udpPort)", in: server)
        try sandbox.write("src/app.swift", "let a = 1\n", in: clone)
        try sandbox.commit("App\n\nCo-Authored-By: Claude <noreply@anthropic.com>", in: clone)
        let refused = try push(["origin", "HEAD:main"])
        #expect(refused.status != 0)
        try rsyslogd.waitForLines(1)
        let line = try #require(try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").last)
        let body = try #require(rsyslogd.msgLines().first)
        #expect(Array(body.dropFirst(3)) == Array(line.utf8))
        let fields = try #require(try rsyslogd.parsedLines().first)
        #expect(fields["msgid"] as? String == "ref-update")
        #expect(fields["app"] as? String == "agentreview")

        // `hook pre-receive --syslog` sends with agentreview.syslog unset.
        try sandbox.git("config", "--unset", "agentreview.syslog", in: server)
        try sandbox.write("pre-receive", "#!/bin/sh\nexec \"\(Sandbox.binary.path)\" hook pre-receive --syslog\n", in: server.appendingPathComponent("hooks"), executable: true)
        try sandbox.write("src/app.swift", "let a = 2\n", in: clone)
        try sandbox.commit("App 2\n\nCo-Authored-By: Claude <noreply@anthropic.com>", in: clone)
        #expect(try push(["origin", "HEAD:refs/heads/flagged"]).status == 0)
        try rsyslogd.waitForLines(2)
        let flagged = try #require(try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").last)
        #expect(rsyslogd.msgLines().count == 2)
        #expect(Array(try #require(rsyslogd.msgLines().last).dropFirst(3)) == Array(flagged.utf8))
        try sandbox.git("config", "agentreview.syslog", "true", in: server)

        // A syslog that is gone warns, and the push is judged as before.
        try sandbox.git("config", "agentreview.syslogAddress", "unix:\(sandbox.root.path)/no-such.sock", in: server)
        let warned = try push(["origin", "HEAD:refs/heads/topic"])
        #expect(warned.status == 0, "\(warned.text)")
        #expect(warned.text.contains("not sent to syslog"), "\(warned.text)")
        // A mistake in the syslog settings is said, and stops nothing: the file still records.
        try sandbox.git("config", "agentreview.syslogAddress", "bogus:address", in: server)
        let before = try entries().count
        let misconfigured = try push(["origin", "HEAD:refs/heads/topic2"])
        #expect(misconfigured.status == 0, "\(misconfigured.text)")
        #expect(misconfigured.text.contains("audit entries are not sent to syslog"), "\(misconfigured.text)")
        #expect(try entries().count == before + 1)
    }

    @Test func checkAuditWritesTheSameEntryAndShowAndExportReadIt() throws {
        try sandbox.write("infra/main.tf", "x\n", in: clone)
        let id = try sandbox.commit("Infra\n\nCo-Authored-By: Claude <noreply@anthropic.com>", in: clone)
        let base = try sandbox.git("rev-parse", "HEAD~1", in: clone)
        let checked = try sandbox.agentreview(["check", base, id, "--ref", "refs/heads/main", "--audit"], in: clone)
        #expect(checked.status == 1, "\(checked.stdout)\(checked.stderr)")
        let clonelog = clone.appendingPathComponent(".git/agentreview/audit.jsonl").path
        let line = try String(contentsOfFile: clonelog, encoding: .utf8)
        let entry = try JSONDecoder().decode(AuditEntry.self, from: Data(line.utf8.dropLast()))
        #expect(entry.source == "check")
        #expect(entry.verdict == .blocked)
        #expect(entry.commits.first?.class == "high")

        let shown = try sandbox.agentreview(["audit", "show", "--verdict", "blocked", "--agent", "claude-code"], in: clone)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("refs/heads/main  blocked"), "\(shown.stdout)")
        #expect(shown.stdout.contains("\(id.prefix(12))  blocked  high  claude-code"), "\(shown.stdout)")
        let none = try sandbox.agentreview(["audit", "show", "--ref", "refs/heads/other"], in: clone)
        #expect(none.stdout.contains("no entries"), "\(none.stdout)")
        let json = try sandbox.agentreview(["audit", "show", "--json"], in: clone)
        let decoded = try JSONDecoder().decode([AuditEntry].self, from: Data(json.stdout.utf8))
        #expect(decoded == [entry])

        let exported = try sandbox.agentreview(["audit", "export", "--format", "otlp-json"], in: clone)
        #expect(exported.status == 0, "\(exported.stderr)")
        let request = try #require(try JSONSerialization.jsonObject(with: Data(exported.stdout.utf8)) as? [String: Any])
        let resourceLogs = try #require(request["resourceLogs"] as? [[String: Any]])
        let records = ((resourceLogs.first?["scopeLogs"] as? [[String: Any]])?.first?["logRecords"] as? [[String: Any]]) ?? []
        #expect(records.count == 2)
    }
}

/// Results written from several threads, each to its own slot.
final class ConcurrentResults: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Int32]
    init(count: Int) { slots = Array(repeating: -2, count: count) }
    func set(_ index: Int, _ value: Int32) { lock.withLock { slots[index] = value } }
    var values: [Int32] { lock.withLock { slots } }
}
