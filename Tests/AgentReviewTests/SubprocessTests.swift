import AgentReviewSupport
import AgentReviewTestSupport
import Foundation
import Testing

/// `Subprocess` starts programs with `posix_spawn` and serves their pipes from one `poll`
/// loop; `FileIO` reads and writes through descriptors. Real programs, real files.
@Suite struct SubprocessTests {
    @Test func inputAndOutputLargerThanAPipeDoNotBlock() throws {
        // 1 MiB through cat, while it writes: a loop that wrote all before reading would wait forever.
        let input = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let result = try Subprocess.run("/bin/cat", [], input: input)
        #expect(result.status == 0)
        #expect(result.stdout == input)
        #expect(result.stderr.isEmpty)
    }

    @Test func stdoutAndStderrAreKeptApart() throws {
        let result = try Subprocess.run("/bin/sh", ["-c", "printf out; printf err >&2; exit 3"])
        #expect(result.status == 3)
        #expect(result.text == "out")
        #expect(result.stderr == "err")
    }

    /// A program that stops reading early (as ssh-keygen refusing a signature does) costs us
    /// no SIGPIPE: the write fails, the rest of its output is still read.
    @Test func aProgramThatClosesItsInputEarly() throws {
        let result = try Subprocess.run("/usr/bin/head", ["-c", "5"], input: Data(repeating: 65, count: 4 << 20))
        #expect(result.status == 0)
        #expect(result.text == "AAAAA")
    }

    @Test func aNameIsLookedUpOnTheGivenPath() throws {
        let found = try Subprocess.run("printenv", ["ONLY"], environment: ["PATH": "/usr/bin:/bin", "ONLY": "this"])
        #expect(found.text == "this\n")
        #expect(found.status == 0)
        // The whole environment is the one given: nothing of this process's comes along.
        let listed = try Subprocess.run("/usr/bin/env", [], environment: ["A": "1"])
        #expect(listed.text == "A=1\n")
        let missing = try Subprocess.run("no-such-program-here", [], environment: ["PATH": "/usr/bin:/bin"])
        #expect(missing.status == 127)
    }

    @Test func runsInTheDirectoryGiven() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("subprocess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Subprocess.run("/bin/pwd", ["-P"], directory: directory)
        #expect(result.text == directory.resolvingSymlinksInPath().path + "\n")
    }

    @Test func aProgramThatCannotStartIsALaunchError() throws {
        #expect(throws: Subprocess.LaunchError.self) { try Subprocess.run("/no/such/program", []) }
        do {
            _ = try Subprocess.run("/no/such/program", [])
        } catch let error as Subprocess.LaunchError {
            #expect(error.description == "cannot run /no/such/program: No such file or directory")
        }
    }

    /// Killed by a signal: its number, as Foundation's `Process` gave it.
    @Test func aSignalEndsWithItsNumber() throws {
        let result = try Subprocess.run("/bin/sh", ["-c", "kill -TERM $$"])
        #expect(result.status == 15)
    }

    /// The child gets 0, 1 and 2 and nothing else of ours, and no signal we ignore: git run
    /// with SIGPIPE ignored behaves differently.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/status")))
    func theChildInheritsNoDescriptorAndNoIgnoredSignal() throws {
        let leaked = open("/dev/null", O_RDONLY)  // without O_CLOEXEC
        defer { close(leaked) }
        let result = try Subprocess.run("/bin/sh", ["-c", "ls /proc/$$/fd; grep SigIgn /proc/$$/status"], input: Data("x".utf8))
        var lines = result.text.split(separator: "\n").map(String.init)
        let ignored = lines.popLast().flatMap { UInt64($0.dropFirst("SigIgn:\t".count), radix: 16) }
        #expect(lines == ["0", "1", "2"], "descriptor \(leaked) left open")
        // SIGPIPE is 13: bit 12. (glibc keeps its own two real-time signals, 32 and 33, as it likes.)
        #expect(ignored.map { $0 & (1 << 12) } == 0)
    }

    @Test func fileIOReadsNoMoreThanAsked() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("fileio-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(try FileIO.read(file, upTo: 10) == nil)
        try FileIO.append(Array("hello, ".utf8), to: file)
        try FileIO.append(Array("world".utf8), to: file)
        #expect(try FileIO.read(file, upTo: 100) == Array("hello, world".utf8))
        #expect(try FileIO.read(file, upTo: 5) == Array("hello".utf8))
        #expect(try FileIO.read(file, upTo: 0) == [])
        #expect(FileIO.status(file)?.size == 12)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file)
        #expect(FileIO.status(file)?.permissions == 0o640)
        #expect(FileIO.status(file + ".none") == nil)
        // A file of several reads' worth (each read is at most 64 KiB) comes back whole and
        // in order, and a limit that ends inside a read is kept to the byte.
        let large = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let big = file + ".big"
        defer { try? FileManager.default.removeItem(atPath: big) }
        try FileIO.append(large, to: big)
        #expect(try FileIO.read(big, upTo: .max) == large)
        #expect(try FileIO.read(big, upTo: 70_001) == Array(large[..<70_001]))
        #expect(try FileIO.read(big, upTo: 65_536) == Array(large[..<65_536]))
        // A directory opens but cannot be read: an error with the system's reason.
        #expect(throws: FileIO.Failure.self) { try FileIO.read("/", upTo: 10) }
        #expect(throws: FileIO.Failure.self) { try FileIO.append([1], to: "/no/such/directory/file") }
    }
}
