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

/// A path inside a repository, as git stores it: bytes, `/`-separated, no leading slash.
/// Paths need not be UTF-8.
public struct GitPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    /// The path as text, safe to print on one line.
    ///
    /// A UTF-8 path without control characters, `"` or `\` is shown as itself. Any other
    /// path is quoted the way git quotes it: a UTF-8 path as `git -c core.quotePath=false`
    /// would (`"tab\there"`), a path that is not UTF-8 as git does by default, with every
    /// byte above 0x7F in octal (`"caf\351.txt"`).
    public var description: String {
        // Most paths are printable ASCII: shown as themselves, no UTF-8 check needed.
        if !bytes.contains(where: { $0 < 0x20 || $0 >= 0x7F || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let isUTF8 = text.utf8.elementsEqual(bytes)
        if isUTF8 && !bytes.contains(where: Self.needsEscape) { return text }
        return String(decoding: Self.quoted(bytes, escapingNonASCII: !isUTF8), as: UTF8.self)
    }

    public static func < (lhs: GitPath, rhs: GitPath) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    /// The bytes hashed and compared at once, not one by one as an array does.
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func == (lhs: GitPath, rhs: GitPath) -> Bool {
        lhs.bytes.count == rhs.bytes.count
            && lhs.bytes.withUnsafeBytes { a in rhs.bytes.withUnsafeBytes { b in a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
    }

    /// Bytes git's `quote_c_style` escapes whatever `core.quotePath` says.
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// git's `quote_c_style`, with `core.quotePath` as `escapingNonASCII`.
    private static func quoted(_ bytes: [UInt8], escapingNonASCII: Bool) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(bytes.count + 8)
        for byte in bytes {
            let escape: UInt8? = switch byte {
            case 0x07: UInt8(ascii: "a")
            case 0x08: UInt8(ascii: "b")
            case 0x09: UInt8(ascii: "t")
            case 0x0A: UInt8(ascii: "n")
            case 0x0B: UInt8(ascii: "v")
            case 0x0C: UInt8(ascii: "f")
            case 0x0D: UInt8(ascii: "r")
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): byte
            default: nil
            }
            if let escape {
                out += [UInt8(ascii: "\\"), escape]
            } else if byte < 0x20 || byte == 0x7F || (byte >= 0x80 && escapingNonASCII) {
                out += [UInt8(ascii: "\\"), 0x30 + (byte >> 6), 0x30 + ((byte >> 3) & 7), 0x30 + (byte & 7)]
            } else {
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }
}
