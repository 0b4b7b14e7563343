// `stdout` is a C global; it is only written under `StandardOutput`'s lock or by `print`.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif
import AgentReviewSupport
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Results on stdout, in large writes. Bytes collect here and go to the C `stdout` stream,
/// the one `print` writes to, 64 KiB at a time and on `flush()`. Whoever writes to stdout
/// another way must flush first; `printError` does, so results come before diagnostics.
enum StandardOutput {
    private final class Buffer: @unchecked Sendable {
        let lock = Lock()
        var bytes = [UInt8]()
    }

    private static let buffer = Buffer()
    private static let chunk = 1 << 16

    static func write(_ bytes: [UInt8]) {
        buffer.lock.lock()
        defer { buffer.lock.unlock() }
        // A write of a chunk or more (a commit touching thousands of paths) goes out as it
        // is, after what was waiting: copied here it would cost its size again.
        if bytes.count >= chunk {
            flushLocked()
            bytes.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
            return
        }
        buffer.bytes.append(contentsOf: bytes)
        if buffer.bytes.count >= chunk { flushLocked() }
    }

    static func flush() {
        buffer.lock.lock()
        defer { buffer.lock.unlock() }
        flushLocked()
    }

    private static func flushLocked() {
        guard !buffer.bytes.isEmpty else { return }
        buffer.bytes.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
        buffer.bytes.removeAll(keepingCapacity: true)
    }
}
