#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files and the standard streams read and written through their descriptors: what we used
/// Foundation's `FileHandle` for, which is not in FoundationEssentials (see `Subprocess`).
public enum FileIO {
    /// A read or write that failed: the system's reason.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String

        public init(errno code: Int32) {
            description = String(cString: strerror(code))
        }
    }

    /// At most `limit` bytes from the start of the file at `path`, never more read whatever
    /// its size; nil when it cannot be opened (there is none, or it may not be read).
    public static func read(_ path: String, upTo limit: Int) throws -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return try readAll(descriptor, upTo: limit)
    }

    /// The size and permission bits of the file at `path`, symbolic links followed; nil when
    /// there is none. (FoundationEssentials' `attributesOfItem` gives them as `UInt`, which
    /// an `as? Int` silently misses.)
    public static func status(_ path: String) -> (size: Int, permissions: Int)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (Int(info.st_size), Int(info.st_mode) & 0o7777)
    }

    /// All of standard input, to its end.
    public static func readStandardInput() throws -> [UInt8] {
        try readAll(0, upTo: .max)
    }

    /// Writes `text` to standard error, all of it (an error there is not reported: there is
    /// nowhere left to report it).
    public static func writeError(_ text: String) {
        _ = try? writeAll(Array(text.utf8), to: 2)
    }

    /// Appends `bytes` to the file at `path`, made (as umask allows) when there is none.
    public static func append(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw Failure(errno: errno) }
        defer { close(descriptor) }
        try writeAll(bytes, to: descriptor)
    }

    private static func readAll(_ descriptor: Int32, upTo limit: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        // Read through a buffer left uninitialized: zeroing a fresh 64 KiB for every file a
        // hook reads (its input, the policy, the signers) was 2% of a 1-commit hook's time.
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 65536) { chunk in
            while bytes.count < limit {
                let wanted = min(chunk.count, limit - bytes.count)
                let count = systemRead(descriptor, chunk.baseAddress, wanted)
                if count == 0 { break }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw Failure(errno: errno)
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[..<count]))
            }
        }
        return bytes
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws {
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(errno: errno)
            }
            written += count
        }
    }
}

/// The system's `read`, which `FileIO.read(_:upTo:)` hides inside the type.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
