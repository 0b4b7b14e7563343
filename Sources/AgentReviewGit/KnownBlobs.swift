internal import Clibgit2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ids of the two buffers a line count hands libgit2, while it runs.
///
/// `git_patch_from_buffers` hashes each buffer to fill in the diff's ids (`git_odb_hash`,
/// with libgit2's collision-detecting SHA-1): a third of the time counting the lines of
/// libgit2's own history took. The caller read both buffers by their ids, so the hashes
/// are known. Where libgit2 is linked statically (Package.swift), the linker's `--wrap`
/// sends libgit2's `git_odb_hash` calls to `agentreviewHash` below, which answers a hash of
/// exactly a registered buffer (this thread's, same address, same length, as a blob) with
/// its id, and computes every other hash. With a shared libgit2 nothing is sent here, and
/// libgit2 hashes as before: the same ids, slower.
enum KnownBlobs {
    private struct Entry {
        var thread: pthread_t
        var address: UnsafeRawPointer
        var count: Int
        var id: git_oid
    }

    private final class Table: @unchecked Sendable {
        let lock = Lock()
        var entries: [Entry] = []
    }

    private static let table = Table()

    /// Whether libgit2's hashes are sent here (libgit2 linked statically, with `--wrap`).
    #if AGENTREVIEW_STATIC_LIBGIT2
    static let answersLibgit2 = true
    #else
    static let answersLibgit2 = false
    #endif

    /// Runs `body` with `buffers` (address, length, the blob id its bytes hash to) known
    /// to this thread's hashes. An empty buffer or one without an address is not registered.
    static func with<T, E: Error>(
        _ buffers: [(address: UnsafeRawPointer?, count: Int, id: ObjectID)], _ body: () throws(E) -> T
    ) throws(E) -> T {
        let thread = pthread_self()
        let entries = buffers.compactMap { buffer in
            buffer.address.map { Entry(thread: thread, address: $0, count: buffer.count, id: buffer.id.oid) }
        }
        guard !entries.isEmpty else { return try body() }
        table.lock.lock()
        table.entries.append(contentsOf: entries)
        table.lock.unlock()
        defer {
            table.lock.lock()
            table.entries.removeAll { pthread_equal($0.thread, thread) != 0 }
            table.lock.unlock()
        }
        return try body()
    }

    /// The registered id of exactly this buffer on this thread, if any.
    fileprivate static func id(of address: UnsafeRawPointer, count: Int) -> git_oid? {
        let thread = pthread_self()
        table.lock.lock()
        defer { table.lock.unlock() }
        return table.entries.first { pthread_equal($0.thread, thread) != 0 && $0.address == address && $0.count == count }?.id
    }
}

#if AGENTREVIEW_STATIC_LIBGIT2
/// libgit2's `git_odb_hash`, through the linker's `--wrap`: a registered buffer's id, or the hash.
@_cdecl("__wrap_git_odb_hash")
public func agentreviewHash(_ out: UnsafeMutableRawPointer?, _ data: UnsafeRawPointer?, _ count: Int, _ type: Int32) -> Int32 {
    let oid = out?.assumingMemoryBound(to: git_oid.self)
    if let oid, let data, type == GIT_OBJECT_BLOB.rawValue, let id = KnownBlobs.id(of: data, count: count) {
        oid.pointee = id
        return 0
    }
    return __real_git_odb_hash(oid, data, count, git_object_t(rawValue: type))
}
#endif
