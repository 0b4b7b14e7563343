#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A path's bytes and where its components end, found once for trying many patterns.
struct SplitPath {
    let bytes: UnsafeBufferPointer<UInt8>
    /// For each component, the index of the `/` after it, or the path's length for the last.
    let ends: UnsafeBufferPointer<Int>
    /// `lengthBit(n)` is set for each component length `n`.
    let lengths: UInt64
    /// The longest component's length.
    let longest: Int
    /// `byteBit(b)` is set for the first byte `b` of each component, and for its last byte:
    /// a name pattern that starts or ends with a literal byte is tried only when a
    /// component could match it.
    let firsts: UInt64
    let lasts: UInt64

    /// The bit of `lengths` for components `length` bytes long (63 and longer share one).
    static func lengthBit(_ length: Int) -> UInt64 { 1 << UInt64(min(length, 63)) }

    /// The bit of `firsts` and `lasts` for a byte: its low six bits, ASCII letters folded to
    /// lower case, so that a match ignoring case has its bits set too.
    @inline(__always)
    static func byteBit(_ byte: UInt8) -> UInt64 { 1 << UInt64(byte.lowered & 63) }

    /// Calls `body` with `path` split at its slashes.
    static func split<Result>(_ path: UnsafeBufferPointer<UInt8>, _ body: (SplitPath) -> Result) -> Result {
        var count = 1
        for byte in path where byte == .slash { count += 1 }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { ends in
            var next = 0
            var start = 0
            var lengths: UInt64 = 0
            var longest = 0
            var firsts: UInt64 = 0, lasts: UInt64 = 0
            func component(_ end: Int) {
                lengths |= lengthBit(end - start)
                longest = max(longest, end - start)
                if end > start {
                    firsts |= byteBit(path[start])
                    lasts |= byteBit(path[end - 1])
                }
            }
            for index in path.indices where path[index] == .slash {
                ends[next] = index
                next += 1
                component(index)
                start = index + 1
            }
            ends[next] = path.count
            component(path.count)
            return body(
                SplitPath(
                    bytes: path, ends: UnsafeBufferPointer(ends), lengths: lengths, longest: longest, firsts: firsts, lasts: lasts))
        }
    }
}

/// Path patterns matched one after another against the same paths, as a classifier does:
/// the shortcuts are plain values over one buffer holding every body, so trying a pattern
/// copies nothing and counts no references.
struct PathPatternList: Sendable {
    let patterns: [PathPattern]
    /// Each pattern's shortcut, and where its body starts in `bodies`.
    private let shortcuts: [(shortcut: PathPattern.Shortcut, offset: Int)?]
    private let bodies: [UInt8]

    init(_ patterns: [PathPattern]) {
        self.patterns = patterns
        var bodies = [UInt8]()
        var shortcuts = [(shortcut: PathPattern.Shortcut, offset: Int)?]()
        for pattern in patterns {
            if let shortcut = pattern.shortcut {
                shortcuts.append((shortcut, bodies.count))
                bodies += pattern.bodyBytes
            } else {
                shortcuts.append(nil)
            }
        }
        self.shortcuts = shortcuts
        self.bodies = bodies
    }

    var count: Int { patterns.count }

    /// `patterns[index].matches(path.bytes, flags: flags)`.
    func matches(_ index: Int, _ path: SplitPath, flags: WildFlags) -> Bool {
        guard let (shortcut, offset) = shortcuts[index] else { return patterns[index].matches(path.bytes, flags: flags) }
        if path.bytes.isEmpty { return false }
        return bodies.withUnsafeBufferPointer { shortcut.matches(body: $0.baseAddress! + offset, path, fold: flags.contains(.caseFold)) }
    }

    /// Whether folding case can change what pattern `index` matches in a path without
    /// ASCII uppercase letters.
    func foldMatters(_ index: Int) -> Bool {
        shortcuts[index].map { !$0.shortcut.foldInvariant } ?? true
    }
}
