import Foundation

/// Runs another program to completion: ssh-keygen to sign, git to fetch and push, and in
/// tests the real git and ssh-keygen. Used once per command, never once per commit.
public enum Subprocess {
    public struct Result: Sendable {
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
    /// - Parameter environment: the whole environment; nil inherits this process's.
    public static func run(
        _ program: String, _ arguments: [String], input: Data = Data(), directory: URL? = nil,
        environment: [String: String]? = nil
    ) throws -> Result {
        let process = Process()
        if program.contains("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + arguments
        }
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw LaunchError(program: program, reason: error.localizedDescription)
        }
        // A program may exit without reading all its input (ssh-keygen refusing a signature
        // early): writing to its closed pipe must be an error here, not a SIGPIPE that kills us.
        _ = ignoreBrokenPipes
        let writer = Thread {
            try? stdin.fileHandleForWriting.write(contentsOf: input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errors = Collector(stderr.fileHandleForReading)
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: out, stderr: errors.finish())
    }
}

/// SIGPIPE ignored for the whole process, once, before the first program is started.
private let ignoreBrokenPipes: Bool = {
    signal(SIGPIPE, SIG_IGN)
    return true
}()

/// Reads a pipe to its end on a thread of its own.
private final class Collector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func finish() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
