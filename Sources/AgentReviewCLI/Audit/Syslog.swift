import AgentReviewCore
import AgentReviewGit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Where the audit entries are also sent, one RFC 5424 message each (`SyslogMessage`), when
/// `git config agentreview.syslog true` is set where the hook runs.
///
/// The audit file is the record: it is written first and fails closed (an entry that
/// cannot be written refuses the push). Syslog only ships copies of it to a collector: a
/// send that fails (no daemon, a full queue, a refused connection, 2 s gone) is a warning
/// on stderr, never a refused push, and the entry stays in the file. `send` only throws;
/// the caller decides that. Every send has a deadline (`timeout`, 2 s by default, for
/// connecting and sending together) so a dead collector never holds a push open.
///
/// `git config agentreview.syslogAddress`:
/// - `unix:/path`: a datagram unix socket, as `/dev/log` is (the default, `unix:/dev/log`);
/// - `udp:HOST:PORT`: one datagram per message (RFC 5426; a datagram lost on the way is
///   lost without an error, as UDP goes);
/// - `tcp:HOST:PORT`: one connection per message, framed by octet counting, `LEN SP MSG`
///   (RFC 6587, 3.4.1);
///
/// HOST is an IP address (IPv6 in brackets: `udp:[::1]:514`) or a name. A name is resolved
/// by the system's resolver at each send, with the resolver's own timeouts, outside the 2 s:
/// an IP address spares the push a DNS lookup.
struct SyslogDestination: Sendable, Hashable {
    enum Address: Sendable, Hashable, CustomStringConvertible {
        case unix(path: String)
        case udp(host: String, port: UInt16)
        case tcp(host: String, port: UInt16)

        var description: String {
            switch self {
            case .unix(let path): "unix:\(path)"
            case .udp(let host, let port): "udp:\(Self.bracketed(host)):\(port)"
            case .tcp(let host, let port): "tcp:\(Self.bracketed(host)):\(port)"
            }
        }

        private static func bracketed(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }
    }

    static let defaultAddress = Address.unix(path: "/dev/log")
    static let forms =
        "unix:/path (a datagram unix socket; the default is unix:/dev/log), udp:HOST:PORT or tcp:HOST:PORT (HOST an IP address, IPv6 in brackets, or a name)"

    var address: Address
    /// The longest message sent (`SyslogMessage.defaultMaxBytes`: rsyslog's default
    /// `maxMessageSize`, 8096 bytes).
    var maxBytes: Int
    /// Seconds for connecting and sending one message, together.
    var timeout: Double
    /// HOSTNAME in the messages.
    var host: String
    /// PROCID in the messages.
    var processID: Int32

    init(
        address: Address = Self.defaultAddress, maxBytes: Int = SyslogMessage.defaultMaxBytes, timeout: Double = 2,
        host: String = Self.hostName(), processID: Int32 = getpid()
    ) {
        self.address = address
        self.maxBytes = maxBytes
        self.timeout = timeout
        self.host = host
        self.processID = processID
    }

    /// The destination `git config` names, or nil unless `agentreview.syslog` is true (or
    /// `forced`: `hook pre-receive --syslog`). Its address is `agentreview.syslogAddress`,
    /// else /dev/log.
    static func configured(in repository: Repository, forced: Bool = false) throws -> SyslogDestination? {
        let enabled = try repository.configBoolean("agentreview.syslog") == true
        guard enabled || forced else { return nil }
        guard let text = try repository.configString("agentreview.syslogAddress") else { return SyslogDestination() }
        return SyslogDestination(address: try address(text))
    }

    /// An address in one of the `forms`.
    static func address(_ text: String) throws -> Address {
        let trimmed = text.trimming(.whitespaces)
        func malformed(_ why: String? = nil) -> CLIError {
            CLIError("agentreview.syslogAddress is \"\(text)\"\(why.map { " (\($0))" } ?? ""): give \(forms)")
        }
        if trimmed.hasPrefix("unix:") {
            let path = String(trimmed.dropFirst("unix:".count))
            guard path.hasPrefix("/") else { throw malformed("the socket's path must be absolute") }
            guard path.utf8.count < Self.socketPathCapacity else {
                throw malformed("the socket's path is longer than \(Self.socketPathCapacity - 1) bytes")
            }
            return .unix(path: path)
        }
        let isUDP = trimmed.hasPrefix("udp:")
        guard isUDP || trimmed.hasPrefix("tcp:") else { throw malformed() }
        let rest = trimmed.dropFirst(4)
        guard let colon = rest.lastIndex(of: ":") else { throw malformed("no port") }
        var host = rest[..<colon]
        let portText = rest[rest.index(after: colon)...]
        guard let port = UInt16(portText), port > 0 else { throw malformed("the port must be a number from 1 to 65535") }
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = host.dropFirst().dropLast()
            guard host.contains(":") else { throw malformed("brackets are for IPv6 addresses") }
        } else if host.contains(":") {
            throw malformed("an IPv6 address goes in brackets")
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || "/[]@".contains($0) }) else { throw malformed("no host") }
        return isUDP ? .udp(host: String(host), port: port) : .tcp(host: String(host), port: port)
    }

    /// Sends the entry's message (the audit file's `line`, or an abridged entry when that
    /// is over `maxBytes`). Throws a one-line error naming the address and errno's text.
    func send(_ entry: AuditEntry, line: [UInt8]) throws {
        let message = SyslogMessage.rfc5424(entry, line: line, host: host, processID: processID, maxBytes: maxBytes)
        try send(message: message)
    }

    /// Sends one message, framed for TCP.
    func send(message: [UInt8]) throws {
        let deadline = Deadline(seconds: timeout)
        switch address {
        case .unix(let path):
            let socket = try makeSocket(family: AF_UNIX, type: datagramType)
            defer { close(socket) }
            try setSendTimeout(socket, deadline)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < Self.socketPathCapacity else { throw failure("the socket's path is too long") }
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                buffer.copyBytes(from: bytes)
                buffer[bytes.count] = 0
            }
            let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + 1)
            try retrying("send", deadline) {
                withUnsafePointer(to: &address) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                        message.withUnsafeBytes { cSendTo(socket, $0.baseAddress, $0.count, noSignal, address, length) }
                    }
                }
            }
        case .udp(let host, let port):
            let socket = try connected(host: host, port: port, type: datagramType, deadline)
            defer { close(socket) }
            try retrying("send", deadline) { message.withUnsafeBytes { cSend(socket, $0.baseAddress, $0.count, noSignal) } }
        case .tcp(let host, let port):
            let socket = try connected(host: host, port: port, type: streamType, deadline)
            defer { close(socket) }
            // RFC 6587 octet counting: the message's length in bytes, a space, the message.
            let framed = Array("\(message.count) ".utf8) + message
            var sent = 0
            while sent < framed.count {
                let count = try retrying("send", deadline) {
                    framed.withUnsafeBytes { cSend(socket, $0.baseAddress! + sent, $0.count - sent, noSignal) }
                }
                sent += count
            }
            shutdown(socket, Int32(SHUT_WR))
        }
    }

    // MARK: - Sockets

    /// The room for a path in `sockaddr_un`, with its terminating NUL.
    static let socketPathCapacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

    private struct Deadline {
        var end: Double
        init(seconds: Double) { end = Self.now() + seconds }
        var remaining: Double { max(end - Self.now(), 0) }
        static func now() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_MONOTONIC, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
    }

    private func failure(_ step: String, errno code: Int32? = nil) -> CLIError {
        CLIError("syslog \(address): \(step)\(code.map { ": " + String(cString: strerror($0)) } ?? "")")
    }

    private func makeSocket(family: Int32, type: Int32) throws -> Int32 {
        let socket = cSocket(family, type | closeOnExec, 0)
        guard socket >= 0 else { throw failure("socket", errno: errno) }
        return socket
    }

    /// A send of the whole buffer or an error; interrupted calls (the hook's SIGALRM) are
    /// tried again while there is time.
    @discardableResult
    private func retrying(_ step: String, _ deadline: Deadline, _ call: () -> Int) throws -> Int {
        while true {
            let result = call()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR, deadline.remaining > 0 { continue }
            if code == EAGAIN || code == EWOULDBLOCK { throw failure("\(step): timed out after \(Rendering.seconds(timeout)) s") }
            throw failure(step, errno: code)
        }
    }

    private func setSendTimeout(_ socket: Int32, _ deadline: Deadline) throws {
        let remaining = max(deadline.remaining, 0.001)
        var value = timeval()
        value.tv_sec = numericCast(Int(remaining))
        value.tv_usec = numericCast(Int((remaining - remaining.rounded(.down)) * 1e6))
        guard setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            throw failure("setsockopt", errno: errno)
        }
    }

    /// A socket connected to the first of the host's addresses that takes the connection
    /// before the deadline.
    private func connected(host: String, port: UInt16, type: Int32, _ deadline: Deadline) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = type
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw failure("resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError: CLIError?
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            do {
                return try connecting(info.pointee, deadline)
            } catch let error as CLIError {
                lastError = error
            }
        }
        throw lastError ?? failure("resolve \(host): no address")
    }

    /// Connects without blocking, waits for the connection until the deadline, then makes
    /// the socket blocking again with the rest of the time as its send timeout.
    private func connecting(_ info: addrinfo, _ deadline: Deadline) throws -> Int32 {
        let socket = try makeSocket(family: info.ai_family, type: info.ai_socktype)
        var keep = false
        defer { if !keep { close(socket) } }
        let flags = fcntl(socket, F_GETFL)
        guard flags >= 0, fcntl(socket, F_SETFL, flags | O_NONBLOCK) == 0 else { throw failure("fcntl", errno: errno) }
        if cConnect(socket, info.ai_addr, info.ai_addrlen) != 0 {
            let code = errno
            guard code == EINPROGRESS || code == EINTR else { throw failure("connect", errno: code) }
            var poller = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
            while true {
                let milliseconds = Int32((deadline.remaining * 1000).rounded(.up))
                let ready = poll(&poller, 1, milliseconds)
                if ready > 0 { break }
                let code = errno
                if ready == 0 || deadline.remaining <= 0 { throw failure("connect: timed out after \(Rendering.seconds(timeout)) s") }
                if code != EINTR { throw failure("connect", errno: code) }
            }
            var pending: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(socket, SOL_SOCKET, SO_ERROR, &pending, &length) == 0 else { throw failure("connect", errno: errno) }
            guard pending == 0 else { throw failure("connect", errno: pending) }
        }
        guard fcntl(socket, F_SETFL, flags) == 0 else { throw failure("fcntl", errno: errno) }
        try setSendTimeout(socket, deadline)
        keep = true
        return socket
    }

    /// This machine's name, for HOSTNAME.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "-" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

#if canImport(Glibc)
private let datagramType = Int32(SOCK_DGRAM.rawValue)
private let streamType = Int32(SOCK_STREAM.rawValue)
private let closeOnExec = Int32(SOCK_CLOEXEC.rawValue)
private let noSignal = Int32(MSG_NOSIGNAL)
#else
private let datagramType = SOCK_DGRAM
private let streamType = SOCK_STREAM
private let closeOnExec: Int32 = 0
private let noSignal: Int32 = 0
#endif

// The C calls under names the methods above do not shadow.
private func cSocket(_ family: Int32, _ type: Int32, _ proto: Int32) -> Int32 { socket(family, type, proto) }
private func cConnect(_ socket: Int32, _ address: UnsafePointer<sockaddr>!, _ length: socklen_t) -> Int32 {
    connect(socket, address, length)
}
private func cSend(_ socket: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int { send(socket, bytes, count, flags) }
private func cSendTo(
    _ socket: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ flags: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t
) -> Int {
    sendto(socket, bytes, count, flags, address, length)
}
