import AgentReviewCore
import AgentReviewGit
import AgentReviewTestSupport
import Crypto
import Foundation
import Testing

@testable import AgentReviewCLI

// Linux only: the sockets below are Glibc's, and rsyslogd's readiness is read from /proc.
#if canImport(Glibc)
import Glibc

/// Sending audit entries to syslog: the configuration read from git, and end to end with
/// the real rsyslogd (its own, on private ports and a private socket), over UDP, TCP and a
/// unix socket.
@Suite struct SyslogTests {
    // MARK: - Configuration

    @Test func configuredFromGit() throws {
        let sandbox = try Sandbox()
        let url = try sandbox.repository()
        let configure = { (key: String, value: String?) throws in
            if let value {
                try sandbox.git("config", key, value, in: url)
            } else {
                _ = try? sandbox.git("config", "--unset", key, in: url)
            }
        }
        func destination() throws -> SyslogDestination? { try SyslogDestination.configured(in: try Repository(path: url.path)) }

        #expect(try destination() == nil)
        for value in ["false", "no", "off", "0", "FALSE", "Off"] {
            try configure("agentreview.syslog", value)
            #expect(try destination() == nil, "\(value)")
        }
        for value in ["true", "yes", "on", "1", "True", "ON"] {
            try configure("agentreview.syslog", value)
            #expect(try destination()?.address == .unix(path: "/dev/log"), "\(value)")
        }
        try configure("agentreview.syslog", "maybe")
        #expect {
            try destination()
        } throws: { error in
            "\(error)" == #"agentreview.syslog is "maybe": give true or false (yes/no, on/off and 1/0 also do)"#
        }

        // A bare `syslog` line (true to git) and `syslog =` (false to git) read the same through libgit2.
        try configure("agentreview.syslog", nil)
        let config = url.appendingPathComponent(".git/config")
        let original = try String(contentsOf: config, encoding: .utf8)
        for bare in ["[agentreview]\n\tsyslog\n", "[agentreview]\n\tsyslog =\n"] {
            try (original + bare).write(to: config, atomically: true, encoding: .utf8)
            #expect {
                try destination()
            } throws: { error in
                "\(error)" == "agentreview.syslog has no value: give true or false (yes/no, on/off and 1/0 also do)"
            }
        }
        try original.write(to: config, atomically: true, encoding: .utf8)

        try configure("agentreview.syslog", "true")
        try configure("agentreview.syslogAddress", "tcp:127.0.0.1:6514")
        #expect(try destination()?.address == .tcp(host: "127.0.0.1", port: 6514))
        #expect(try destination()?.maxBytes == 8096)
        #expect(try destination()?.timeout == 2)
        try configure("agentreview.syslogAddress", "udp:127.0.0.1")
        #expect(throws: CLIError.self) { try destination() }
    }

    @Test(arguments: [
        ("unix:/dev/log", SyslogDestination.Address.unix(path: "/dev/log")),
        ("unix:/run/systemd/journal/syslog", .unix(path: "/run/systemd/journal/syslog")),
        ("udp:127.0.0.1:514", .udp(host: "127.0.0.1", port: 514)),
        ("udp:[::1]:514", .udp(host: "::1", port: 514)),
        ("tcp:logs.example.com:601", .tcp(host: "logs.example.com", port: 601)),
        (" tcp:10.0.0.5:10514 ", .tcp(host: "10.0.0.5", port: 10514)),
    ])
    func addresses(text: String, address: SyslogDestination.Address) throws {
        #expect(try SyslogDestination.address(text) == address)
        #expect(try SyslogDestination.address(address.description) == address)
    }

    @Test(arguments: [
        "", "/dev/log", "unix:", "unix:dev/log", "udp:", "udp:127.0.0.1", "udp:127.0.0.1:", "udp::514", "tcp:host:0",
        "tcp:host:65536", "tcp:host:port", "udp:::1:514", "udp:[127.0.0.1]:514", "tls:host:6514", "tcp:a b:514",
        "unix:/" + String(repeating: "x", count: 200),
    ])
    func malformedAddresses(text: String) {
        #expect {
            try SyslogDestination.address(text)
        } throws: { error in
            let message = "\(error)"
            return message.hasPrefix("agentreview.syslogAddress is \"\(text)\"") && message.contains("unix:/path")
                && message.contains("udp:HOST:PORT") && message.contains("tcp:HOST:PORT") && !message.contains("\n")
        }
    }

    // MARK: - Failures

    @Test func failuresNameTheAddressAndTheReason() throws {
        let sandbox = try Sandbox()
        let entry = try Self.entry(verdict: .pass)
        let line = try Self.line(entry)
        let missing = SyslogDestination(address: .unix(path: sandbox.root.path + "/none.sock"))
        #expect {
            try missing.send(entry, line: line)
        } throws: { error in
            "\(error)" == "syslog unix:\(sandbox.root.path)/none.sock: send: No such file or directory"
        }
        let closed = SyslogDestination(address: .tcp(host: "127.0.0.1", port: try Self.freePort(type: Self.stream)))
        #expect {
            try closed.send(entry, line: line)
        } throws: { error in
            "\(error)".hasPrefix("syslog tcp:127.0.0.1:") && "\(error)".hasSuffix(": connect: Connection refused")
        }
    }

    /// A receiver that reads nothing: its queue fills, and the send gives up at the timeout
    /// instead of holding the push.
    @Test func aStuckReceiverTimesOut() throws {
        let directory = try Self.shortDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/stuck.sock"
        let receiver = try Self.boundUnixDatagramSocket(path)
        defer { close(receiver) }
        let destination = SyslogDestination(address: .unix(path: path), timeout: 0.3)
        let entry = try Self.entry(verdict: .pass)
        let line = try Self.line(entry)
        let start = Date()
        var failure: (any Error)?
        for _ in 0..<1000 {
            do { try destination.send(entry, line: line) } catch {
                failure = error
                break
            }
        }
        let error = try #require(failure, "1000 datagrams queued on a socket nobody reads")
        #expect("\(error)" == "syslog unix:\(path): send: timed out after 0.3 s")
        #expect(Date().timeIntervalSince(start) < 5)
    }

    // MARK: - End to end, with rsyslogd

    @Test(.enabled(if: Rsyslogd.executable != nil, "rsyslogd is not installed (scripts/test installs it with apt-get)"))
    func rsyslogReceivesEveryTransport() throws {
        let rsyslogd = try Rsyslogd()
        defer { rsyslogd.stop() }
        try rsyslogd.waitUntilListening()

        let host = SyslogDestination.hostName()
        let destinations: [(input: String, destination: SyslogDestination)] = [
            ("imudp", SyslogDestination(address: .udp(host: "127.0.0.1", port: rsyslogd.udpPort))),
            ("imtcp", SyslogDestination(address: .tcp(host: "127.0.0.1", port: rsyslogd.tcpPort))),
            ("imuxsock", SyslogDestination(address: .unix(path: rsyslogd.socketPath))),
        ]
        var sent: [(input: String, entry: AuditEntry, line: [UInt8], message: [UInt8])] = []
        for (input, destination) in destinations {
            let exact = try Self.entry(verdict: .pass, fillingExactly: SyslogMessage.defaultMaxBytes, host: host)
            let entries = [
                try Self.entry(verdict: .pass),
                try Self.entry(verdict: .blocked, ref: #"refs/heads/odd]"name\"#, pusher: #"ann "the] \ admin" jürgen"#),
                try Self.entry(verdict: .overridden, source: "check", ref: nil, pusher: nil),
                try Self.entry(verdict: .warn, error: "git: object not found"),
                // Too long for rsyslog's default: sent without its commits.
                try Self.entry(verdict: .blocked, commits: 120),
                // Exactly as long as rsyslog's default allows: sent whole, and arrives whole.
                exact,
            ]
            for entry in entries {
                let line = try Self.line(entry)
                try destination.send(entry, line: line)
                let message = SyslogMessage.rfc5424(
                    entry, line: line, host: host, processID: getpid(), maxBytes: SyslogMessage.defaultMaxBytes)
                sent.append((input, entry, line, message))
                // One at a time: each arrives before the next is sent, so the files' lines are in order.
                try rsyslogd.waitForLines(sent.count)
            }
        }

        let raw = rsyslogd.rawLines()
        let parsed = try rsyslogd.parsedLines()
        let bodies = rsyslogd.msgLines()
        try #require(
            raw.count == sent.count && parsed.count == sent.count && bodies.count == sent.count,
            "\(raw.count) raw, \(parsed.count) parsed, \(bodies.count) MSG, \(sent.count) sent")
        let diagnostics = rsyslogd.diagnostics()
        #expect(diagnostics.isEmpty, "rsyslogd said: \(diagnostics)")
        for (index, (input, entry, line, message)) in sent.enumerated() {
            let context = "message \(index) over \(input)"
            // Byte for byte what was sent, and never more than rsyslog takes.
            #expect(raw[index] == message, "\(context)")
            #expect(message.count <= SyslogMessage.defaultMaxBytes, "\(context)")
            // As rsyslog's RFC 5424 parser reads it.
            let fields = parsed[index]
            #expect(fields["input"] as? String == input, "\(context)")
            #expect(fields["pri"] as? String == String(SyslogMessage.priority(of: entry)), "\(context)")
            #expect(fields["app"] as? String == "agentreview", "\(context)")
            #expect(fields["procid"] as? String == String(getpid()), "\(context)")
            #expect(fields["msgid"] as? String == (entry.source == "check" ? "check" : "ref-update"), "\(context)")
            #expect(fields["host"] as? String == host, "\(context)")
            #expect(fields["time"] as? String == entry.time, "\(context)")
            // The structured data, unescaped by rsyslog's own parser (mmpstrucdata).
            let sd = (fields["rfc5424-sd"] as? [String: Any])?["agentreview@32473"] as? [String: String]
            let expected = Dictionary(uniqueKeysWithValues: SyslogMessage.parameters(of: entry).map { ($0.name, $0.value) })
            #expect(sd == expected, "\(context)")
            #expect(sd?["verdict"] == entry.verdict.rawValue && sd?["seq"] == String(entry.seq), "\(context)")
            // MSG: the BOM, then the file's line, or the entry without its commits and the line's hash.
            let body = bodies[index]
            #expect(Array(body.prefix(3)) == SyslogMessage.bom, "\(context)")
            let whole = SyslogMessage.rfc5424(entry, line: line, host: host, processID: getpid(), maxBytes: .max)
            if whole.count <= SyslogMessage.defaultMaxBytes {
                #expect(Array(body.dropFirst(3)) == line, "\(context)")
            } else {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(body.dropFirst(3))) as? [String: Any])
                #expect(object["commitsOmitted"] as? Int == entry.commits.count, "\(context)")
                #expect(object["entrySha256"] as? String == Self.sha256Hex(line), "\(context)")
                var withoutCommits = entry
                withoutCommits.commits = []
                #expect(try JSONDecoder().decode(AuditEntry.self, from: Data(body.dropFirst(3))) == withoutCommits, "\(context)")
            }
        }
        // The one filled to the limit went whole.
        #expect(sent.filter { $0.message.count == SyslogMessage.defaultMaxBytes }.count == destinations.count)
        // And the long one went without its commits.
        #expect(sent.filter { $0.entry.commits.count == 120 && $0.message.count < 2000 }.count == destinations.count)
    }

    // MARK: - Entries

    static func entry(
        verdict: Verdict, error: String? = nil, source: String = "pre-receive", ref: String? = "refs/heads/main",
        pusher: String? = "alice", commits: Int = 2, repository: String = "/srv/git/project.git"
    ) throws -> AuditEntry {
        let context = AuditEntry.Context(
            time: Date(), source: source, repository: repository, old: String(repeating: "1", count: 40),
            new: String(repeating: "2", count: 40), pusher: pusher.map { AuditEntry.Pusher(name: $0, from: "GL_USERNAME") })
        var entry = AuditEntry(RefJudgement(ref: ref, mode: .enforce, policy: nil), commits: [], context: context)
        entry.chain = "9f2c41d07ab3"
        entry.seq = Int.random(in: 1...10_000)
        entry.prev = String(repeating: "a", count: 64)
        entry.verdict = verdict
        entry.error = error
        let counts = [
            "pass": verdict == .pass ? commits : 0, "overridden": verdict == .overridden ? commits : 0,
            "warn": verdict == .warn ? commits : 0, "blocked": verdict == .blocked ? commits : 0,
        ]
        entry.counts = try JSONDecoder().decode(VerdictCounts.self, from: JSONSerialization.data(withJSONObject: counts))
        entry.commits = try (0..<commits).map { index in
            let json = """
                {"id":"\(String(format: "%040x", index))","agent":"claude-code","evidence":["trailer Co-Authored-By: Claude"],
                 "class":"medium","verdict":"\(verdict.rawValue)","approvals":[],"missing":[]}
                """
            return try JSONDecoder().decode(AuditEntry.Commit.self, from: Data(json.utf8))
        }
        return entry
    }

    /// An entry whose message is exactly `bytes` long, its repository path padded to fit.
    static func entry(verdict: Verdict, fillingExactly bytes: Int, host: String) throws -> AuditEntry {
        let base = try entry(verdict: verdict, repository: "/srv/git/")
        let length = SyslogMessage.rfc5424(base, line: try line(base), host: host, processID: getpid(), maxBytes: .max).count
        let filled = try entry(verdict: verdict, repository: "/srv/git/" + String(repeating: "p", count: bytes - length))
        var same = filled
        same.seq = base.seq
        same.time = base.time
        let message = SyslogMessage.rfc5424(same, line: try line(same), host: host, processID: getpid(), maxBytes: .max)
        try #require(message.count == bytes)
        return same
    }

    static func line(_ entry: AuditEntry) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(entry))
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    // MARK: - Sockets

    static let datagram = Int32(SOCK_DGRAM.rawValue)
    static let stream = Int32(SOCK_STREAM.rawValue)

    /// A port on 127.0.0.1 that was free a moment ago: the kernel's pick for port 0.
    static func freePort(type: Int32) throws -> UInt16 {
        let socket = Glibc.socket(AF_INET, type, 0)
        try #require(socket >= 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socket, pointer, length) == 0 && getsockname(socket, pointer, &length) == 0
            }
        }
        try #require(bound, "bind: \(String(cString: strerror(errno)))")
        return UInt16(bigEndian: address.sin_port)
    }

    static func boundUnixDatagramSocket(_ path: String) throws -> Int32 {
        let socket = Glibc.socket(AF_UNIX, datagram, 0)
        try #require(socket >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            let bytes = Array(path.utf8)
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0, "bind \(path): \(String(cString: strerror(errno)))")
        return socket
    }

    /// A new directory with a short path: a unix socket's path must fit in 108 bytes.
    static func shortDirectory() throws -> String {
        var template = Array("/tmp/agentreview-syslog-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        try #require(made != nil, "mkdtemp: \(String(cString: strerror(errno)))")
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An rsyslogd of the test's own: UDP and TCP on free ports of 127.0.0.1, a unix socket in
/// a temporary directory (never /dev/log), every message written to `raw.log` as received
/// (`%rawmsg%`), its MSG to `msg.log` as rsyslog's RFC 5424 parser found it (`%msg%`), and
/// the other fields to `parsed.log` as that parser and `mmpstrucdata` read them (one JSON
/// object a line). rsyslog's defaults otherwise: its default `maxMessageSize` is
/// what the sender keeps to. Its stdout and stderr go to a file, so it holds none of the
/// test's pipes; `stop` ends it (SIGTERM, then SIGKILL) and removes the directory.
final class Rsyslogd {
    static let executable: String? = {
        let candidates =
            ["/usr/sbin/rsyslogd", "/sbin/rsyslogd", "/usr/local/sbin/rsyslogd"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/rsyslogd" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    let directory: String
    let udpPort: UInt16
    let tcpPort: UInt16
    let socketPath: String
    let rawPath: String
    let parsedPath: String
    let msgPath: String
    let outputPath: String
    private let pid: pid_t
    private var exitStatus: Int32?

    init() throws {
        let executable = try #require(Self.executable)
        directory = try SyslogTests.shortDirectory()
        socketPath = directory + "/log.sock"
        rawPath = directory + "/raw.log"
        parsedPath = directory + "/parsed.log"
        msgPath = directory + "/msg.log"
        outputPath = directory + "/rsyslogd.out"
        udpPort = try SyslogTests.freePort(type: SyslogTests.datagram)
        tcpPort = try SyslogTests.freePort(type: SyslogTests.stream)
        try FileManager.default.createDirectory(atPath: directory + "/work", withIntermediateDirectories: true)
        let configuration = """
            global(workDirectory="\(directory)/work")
            module(load="imudp")
            input(type="imudp" address="127.0.0.1" port="\(udpPort)")
            module(load="imtcp")
            input(type="imtcp" address="127.0.0.1" port="\(tcpPort)")
            module(load="imuxsock" SysSock.Use="off")
            input(type="imuxsock" Socket="\(socketPath)" UseSpecialParser="off" ParseHostname="on" IgnoreTimestamp="off")
            module(load="mmpstrucdata")
            template(name="raw" type="string" string="%rawmsg%\\n")
            template(name="msg" type="string" string="%msg%\\n")
            template(name="time" type="string" string="%timereported:::date-rfc3339%")
            template(name="tree" type="string" string="%$!%\\n")
            action(type="omfile" file="\(rawPath)" template="raw")
            action(type="omfile" file="\(msgPath)" template="msg")
            action(type="mmpstrucdata")
            set $!input = $inputname;
            set $!pri = $pri;
            set $!app = $app-name;
            set $!procid = $procid;
            set $!msgid = $msgid;
            set $!host = $hostname;
            set $!time = exec_template("time");
            action(type="omfile" file="\(parsedPath)" template="tree")

            """
        try configuration.write(toFile: directory + "/rsyslog.conf", atomically: true, encoding: .utf8)
        let arguments = [executable, "-n", "-f", directory + "/rsyslog.conf", "-i", directory + "/rsyslogd.pid"]
        do {
            pid = try Self.spawn(arguments, output: outputPath)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Starts a program with stdin from /dev/null, stdout and stderr to `output`, no other
    /// descriptor of ours (none of the test's pipes), and signals as a shell would leave them:
    /// none blocked, none ignored. (Foundation's `Process` passes on the spawning thread's
    /// mask, where SIGTERM may be blocked: rsyslogd would then ignore it.)
    private static func spawn(_ arguments: [String], output: String) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Whatever this process has open without close-on-exec (a pipe another test left
        // inheritable, say) is closed in the child.
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap({ Int32($0) }) where fd > 2 {
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0, flags & FD_CLOEXEC == 0 { posix_spawn_file_actions_addclose(&actions, fd) }
        }

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard status == 0 else { throw Failure("cannot start \(arguments[0]): \(String(cString: strerror(status)))") }
        return pid
    }

    /// Until the unix socket is there, the TCP port takes connections and the UDP port is
    /// bound: at most 10 s.
    func waitUntilListening() throws {
        let portHex = String(format: ":%04X", udpPort)
        try poll("rsyslogd listening on udp \(udpPort), tcp \(tcpPort) and \(socketPath)") {
            guard isRunning else { throw Failure("rsyslogd exited (status \(exitStatus ?? 0)): \(diagnostics())") }
            guard FileManager.default.fileExists(atPath: socketPath) else { return false }
            let udp = (try? String(contentsOfFile: "/proc/net/udp", encoding: .utf8)) ?? ""
            guard udp.split(separator: "\n").contains(where: { $0.contains("0100007F" + portHex) }) else { return false }
            let destination = SyslogDestination(address: .tcp(host: "127.0.0.1", port: tcpPort))
            return (try? destination.probe()) != nil
        }
    }

    /// Until `raw.log` and `parsed.log` hold `count` lines each: at most 10 s.
    func waitForLines(_ count: Int) throws {
        try poll("\(count) messages in \(rawPath) and \(parsedPath)") {
            guard isRunning else { throw Failure("rsyslogd exited (status \(exitStatus ?? 0)): \(diagnostics())") }
            let raw = rawLines().count
            let msg = msgLines().count
            return try raw >= count && msg >= count && parsedLines().count >= count
        }
    }

    func rawLines() -> [[UInt8]] { lines(rawPath) }

    /// MSG as rsyslog's parser found it, a line each.
    func msgLines() -> [[UInt8]] { lines(msgPath) }

    private func lines(_ path: String) -> [[UInt8]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return Array(data).split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map(Array.init)
    }

    func parsedLines() throws -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: parsedPath) else { return [] }
        return try Array(data).split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map {
            try #require(try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any])
        }
    }

    /// What rsyslogd wrote on its stdout and stderr.
    func diagnostics() -> String {
        String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
    }

    /// Whether rsyslogd still runs; reaps it when it has exited.
    private var isRunning: Bool {
        guard exitStatus == nil else { return false }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return true }
        exitStatus = status
        return false
    }

    /// Ends rsyslogd (SIGTERM, then SIGKILL after 5 s), reaps it, removes the directory.
    func stop() {
        if isRunning {
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while isRunning, Date() < deadline { usleep(10_000) }
            if isRunning {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                exitStatus = status
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }

    private func poll(_ what: String, _ done: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if try done() { return }
            usleep(20_000)
        }
        throw Failure("timed out waiting for \(what); rsyslogd said: \(diagnostics())")
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

extension SyslogDestination {
    /// Connects to a TCP destination and hangs up, sending nothing.
    fileprivate func probe() throws {
        guard case .tcp(let host, let port) = address else { return }
        let socket = Glibc.socket(AF_INET, SyslogTests.stream, 0)
        guard socket >= 0 else { throw CLIError("socket") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw CLIError("connect") }
    }
}

#endif
