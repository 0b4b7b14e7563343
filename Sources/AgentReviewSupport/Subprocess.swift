internal import CSpawn
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs another program to completion: ssh-keygen to sign, git to fetch and push, and in
/// tests the real git and ssh-keygen. Used once per command, never once per commit.
///
/// Started with `posix_spawn` and served by one `poll` loop on this thread, rather than with
/// Foundation's `Process`, `Pipe` and a thread per pipe: those are not in FoundationEssentials,
/// and linking the rest of Foundation (and ICU's data behind it) cost every process, a git
/// hook's included, a millisecond and a half to start.
public enum Subprocess {
    public struct Result: Sendable {
        /// The exit status; for a program killed by a signal, the signal's number.
        public var status: Int32
        public var stdout: Data
        public var stderr: String
        public var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    public struct LaunchError: Error, CustomStringConvertible {
        public var program: String
        public var reason: String
        public var description: String { "cannot run \(program): \(reason)" }
    }

    /// Runs `program` (a path, or a name looked up on PATH) with `arguments`, feeding
    /// `input` on stdin while stdout and stderr are drained, so no pipe fills and blocks.
    /// A name is looked up by `/usr/bin/env`, on the PATH of the environment given.
    /// - Parameter environment: the whole environment; nil inherits this process's.
    public static func run(
        _ program: String, _ arguments: [String], input: Data = Data(), directory: URL? = nil,
        environment: [String: String]? = nil
    ) throws -> Result {
        let (path, argv) = program.contains("/") ? (program, [program] + arguments) : ("/usr/bin/env", ["/usr/bin/env", program] + arguments)
        // A program may exit without reading all its input (ssh-keygen refusing a signature
        // early): writing to its closed pipe must be an error here, not a SIGPIPE that kills us.
        _ = ignoreBrokenPipes
        var pipes = try Pipes(program: program)
        defer { pipes.closeAll() }
        let pid = try spawn(path, argv, environment: environment, directory: directory?.path, pipes: pipes, program: program)
        pipes.closeChildEnds()
        let (out, err) = pipes.exchange(input: input)
        return Result(status: wait(for: pid), stdout: out, stderr: String(decoding: err, as: UTF8.self))
    }

    private static func spawn(
        _ path: String, _ argv: [String], environment: [String: String]?, directory: String?, pipes: Pipes, program: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipes.input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, pipes.output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, pipes.errors.write, 2)
        #if os(Linux)
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        #endif
        if let directory { posix_spawn_file_actions_addchdir_np(&actions, directory) }

        // The child starts with every signal at its default and none blocked: it must not
        // inherit this process's ignored SIGPIPE.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        #if canImport(Darwin)
        flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let environ = environment.map { $0.map { "\($0.key)=\($0.value)" } }
        var pid = pid_t()
        let started = withCStrings(argv) { argv in
            if let environ {
                return withCStrings(environ) { posix_spawn(&pid, path, &actions, &attributes, argv, $0) }
            }
            return posix_spawn(&pid, path, &actions, &attributes, argv, currentEnvironment)
        }
        guard started == 0 else { throw LaunchError(program: program, reason: FileIO.Failure(errno: started).description) }
        return pid
    }

    /// The exit status of `pid`, once it has ended; a signal's number if one ended it.
    private static func wait(for pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : signal
    }

    /// `body` with `strings` as a NULL-terminated array of C strings.
    private static func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> T) -> T {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return (copies + [nil]).withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    private static var currentEnvironment: UnsafePointer<UnsafeMutablePointer<CChar>?> {
        #if canImport(Darwin)
        UnsafePointer(_NSGetEnviron().pointee!)
        #else
        UnsafePointer(environ)
        #endif
    }
}

/// SIGPIPE ignored for the whole process, once, before the first program is started.
private let ignoreBrokenPipes: Bool = {
    signal(SIGPIPE, SIG_IGN)
    return true
}()

/// The child's stdin, stdout and stderr: three pipes, each end closed on exec but for the
/// copies the child gets as 0, 1 and 2.
private struct Pipes {
    struct Pipe {
        var read: Int32 = -1
        var write: Int32 = -1
    }

    var input = Pipe(), output = Pipe(), errors = Pipe()

    init(program: String) throws {
        do {
            input = try Self.makePipe()
            output = try Self.makePipe()
            errors = try Self.makePipe()
        } catch {
            closeAll()
            throw Subprocess.LaunchError(program: program, reason: error.description)
        }
    }

    private static func makePipe() throws(FileIO.Failure) -> Pipe {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw FileIO.Failure(errno: errno) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return Pipe(read: ends[0], write: ends[1])
    }

    mutating func closeChildEnds() {
        Self.closing(&input.read)
        Self.closing(&output.write)
        Self.closing(&errors.write)
    }

    mutating func closeAll() {
        for end in [\Pipes.input.read, \.input.write, \.output.read, \.output.write, \.errors.read, \.errors.write] {
            Self.closing(&self[keyPath: end])
        }
    }

    private static func closing(_ descriptor: inout Int32) {
        if descriptor >= 0 { _ = close(descriptor) }
        descriptor = -1
    }

    /// Writes `input` to the child's stdin and reads its stdout and stderr to their ends,
    /// whichever is ready first, so neither side waits on a full pipe.
    mutating func exchange(input data: Data) -> (out: Data, err: Data) {
        var out: [UInt8] = [], err: [UInt8] = []
        let bytes = [UInt8](data)
        var written = 0
        if bytes.isEmpty {
            Self.closing(&input.write)
        } else {
            _ = fcntl(input.write, F_SETFL, fcntl(input.write, F_GETFL) | O_NONBLOCK)
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while input.write >= 0 || output.read >= 0 || errors.read >= 0 {
            var watched = [
                pollfd(fd: input.write, events: Int16(POLLOUT), revents: 0),
                pollfd(fd: output.read, events: Int16(POLLIN), revents: 0),
                pollfd(fd: errors.read, events: Int16(POLLIN), revents: 0),
            ]
            guard poll(&watched, 3, -1) >= 0 else {
                if errno == EINTR { continue }
                break
            }
            if watched[0].revents != 0 {
                let count = bytes[written...].withUnsafeBytes { write(input.write, $0.baseAddress, $0.count) }
                if count > 0 { written += count }
                // Done, or the child closed its stdin (EPIPE): nothing more to give it.
                if written == bytes.count || (count < 0 && errno != EAGAIN && errno != EINTR) { Self.closing(&input.write) }
            }
            for (index, end) in [(1, \Pipes.output.read), (2, \.errors.read)] where watched[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(self[keyPath: end], $0.baseAddress, $0.count) }
                if count > 0 {
                    if index == 1 { out += buffer[..<count] } else { err += buffer[..<count] }
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    Self.closing(&self[keyPath: end])
                }
            }
        }
        return (Data(out), Data(err))
    }
}
