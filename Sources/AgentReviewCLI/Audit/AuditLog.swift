import AgentReviewCore
import AgentReviewGit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The audit log of a repository: an append-only JSON Lines file outside the object store,
/// one chained `AuditEntry` per judged ref update (docs/design.md, "The audit log").
///
/// Where: `git config agentreview.auditLog PATH` (relative to the git directory when not
/// absolute), else `$GIT_DIR/agentreview/audit.jsonl`. Off only with `git config
/// agentreview.audit false`.
///
/// An append takes an exclusive `flock` on the file, reads back its last line to chain the
/// new entry after it (or, after a torn line, starts a new segment that names it), writes
/// the entry's line with one `write`, `fsync`s it (and the directory, when the file is new)
/// and only then lets go: concurrent pushes are serialised, and an entry is on disk before
/// the hook says anything about the push. A write that fails is taken back (`ftruncate` to
/// the size before), and the error says what happened: the caller fails the push closed.
struct AuditLog {
    let path: String

    /// Where the log is by default, inside the git directory.
    static let defaultPath = "agentreview/audit.jsonl"

    /// The log configured for `repository`, or nil when `agentreview.audit` is false.
    static func configured(in repository: Repository) throws -> AuditLog? {
        if try repository.configBoolean("agentreview.audit") == false { return nil }
        return AuditLog(path: try location(in: repository))
    }

    /// The log's path for `repository`, whether or not it is on.
    static func location(in repository: Repository) throws -> String {
        // Joined as text (the git directory is absolute): `URL`'s path handling was a
        // seventieth of a 1-commit hook.
        var directory = repository.gitDirectory
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        if let configured = try repository.configString("agentreview.auditLog")?.trimming(.whitespaces),
           !configured.isEmpty {
            return configured.hasPrefix("/") ? configured : directory + "/" + configured
        }
        return directory + "/" + defaultPath
    }

    /// The directory a file's path names it in: `/a/b` for `/a/b/c`, `.` for `c`.
    static func directory(of path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = path[..<slash]
        return directory.isEmpty ? "/" : String(directory)
    }

    /// Appends `entry`, chained after the last entry in the file. Returns the entry as
    /// chained and the exact line written (with its LF).
    @discardableResult
    func append(_ entry: AuditEntry) throws -> (entry: AuditEntry, line: [UInt8]) {
        let directory = Self.directory(of: path)
        var isDirectory = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
            } catch {
                throw CLIError("the audit log \(path) cannot be written (create the directory \(directory): \(describe(error))): the judgement is not recorded; fix the location or set `git config agentreview.auditLog PATH`")
            }
        }
        let existed = FileManager.default.fileExists(atPath: path)
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        try posix("open", fd >= 0)
        defer { close(fd) }
        try posix("lock", flock(fd, LOCK_EX) == 0)
        defer { flock(fd, LOCK_UN) }

        var status = stat()
        try posix("read the size of", fstat(fd, &status) == 0)
        let size = (status.st_mode & S_IFMT) == S_IFREG ? Int(status.st_size) : 0
        let tail = try Self.tail(of: fd, size: size)
        let next = AuditChain.next(tail: tail, fileIsEmpty: size == 0, newChainID: AuditChain.newChainID)
        // Stamped under the lock: the times in a file never step backwards.
        var entry = entry
        entry.time = AuditEntry.format(Date())
        let line = try AuditChain.line(for: entry, chained: next)
        var chained = entry
        chained.chain = next.chain
        chained.seq = next.seq
        chained.prev = next.prev
        chained.after = next.after

        var written = 0
        while written < line.count {
            let result = line.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if result < 0 && errno == EINTR { continue }
            if result <= 0 {
                let error = result < 0 ? errno : ENOSPC
                // Nothing half-written stays behind: the file is as it was.
                if (status.st_mode & S_IFMT) == S_IFREG { _ = ftruncate(fd, off_t(size)) }
                throw failure("write", error)
            }
            written += result
        }
        try posix("flush to disk", fsync(fd) == 0)
        if !existed {
            let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if directoryFD >= 0 {
                _ = fsync(directoryFD)
                close(directoryFD)
            }
        }
        return (chained, line)
    }

    /// The end of the file, read backwards a block at a time until it holds what chaining
    /// the next entry reads (``AuditChain/tailIsComplete(_:)``: the last whole line, the one
    /// before it when that is no entry, and torn bytes after them), or the whole file.
    static func tail(of fd: Int32, size: Int) throws -> [UInt8] {
        guard size > 0 else { return [] }
        var buffer = [UInt8]()
        var offset = size
        let block = 64 * 1024
        while offset > 0 {
            let start = max(0, offset - block)
            var chunk = [UInt8](repeating: 0, count: offset - start)
            let read = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(start)) }
            guard read == chunk.count else {
                throw CLIError("cannot read the audit log's last entry: \(String(cString: strerror(errno)))")
            }
            buffer = chunk + buffer
            offset = start
            if AuditChain.tailIsComplete(buffer) { break }
        }
        return buffer
    }

    private func posix(_ what: String, _ ok: Bool) throws {
        if !ok { throw failure(what, errno) }
    }

    private func failure(_ what: String, _ code: Int32) -> CLIError {
        CLIError("the audit log \(path) cannot be written (\(what): \(String(cString: strerror(code)))): the judgement is not recorded; fix the location or set `git config agentreview.auditLog PATH`")
    }
}
