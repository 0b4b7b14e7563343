import Clibgit2

/// A 20-byte git object id (SHA-1), stored inline: no allocation, cheap to hash.
public struct ObjectID: Hashable, Sendable, Comparable, CustomStringConvertible {
    private var high: UInt64
    private var middle: UInt64
    private var low: UInt32

    public static let zero = ObjectID(high: 0, middle: 0, low: 0)

    private init(high: UInt64, middle: UInt64, low: UInt32) {
        self.high = high
        self.middle = middle
        self.low = low
    }

    init(_ oid: git_oid) {
        var bytes = oid.id
        (high, middle, low) = withUnsafeBytes(of: &bytes) { raw in
            var h: UInt64 = 0, m: UInt64 = 0, l: UInt32 = 0
            for i in 0..<8 { h = h << 8 | UInt64(raw[i]) }
            for i in 8..<16 { m = m << 8 | UInt64(raw[i]) }
            for i in 16..<20 { l = l << 8 | UInt32(raw[i]) }
            return (h, m, l)
        }
    }

    /// Parses 40 hex digits (either case); nil for anything else.
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 40 else { return nil }
        var h: UInt64 = 0, m: UInt64 = 0, l: UInt32 = 0
        for (i, c) in utf8.enumerated() {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            if i < 16 { h = h << 4 | UInt64(v) } else if i < 32 { m = m << 4 | UInt64(v) } else { l = l << 4 | UInt32(v) }
        }
        self.init(high: h, middle: m, low: l)
    }

    var oid: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { raw in
            for i in 0..<8 { raw[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i))) }
            for i in 0..<8 { raw[8 + i] = UInt8(truncatingIfNeeded: middle >> (56 - 8 * UInt64(i))) }
            for i in 0..<4 { raw[16 + i] = UInt8(truncatingIfNeeded: low >> (24 - 8 * UInt32(i))) }
        }
        return oid
    }

    public var isZero: Bool { self == .zero }

    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(40)
        for i in stride(from: 60, through: 0, by: -4) { out.append(digits[Int((high >> UInt64(i)) & 0xf)]) }
        for i in stride(from: 60, through: 0, by: -4) { out.append(digits[Int((middle >> UInt64(i)) & 0xf)]) }
        for i in stride(from: 28, through: 0, by: -4) { out.append(digits[Int((low >> UInt32(i)) & 0xf)]) }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    public static func < (a: ObjectID, b: ObjectID) -> Bool {
        (a.high, a.middle, a.low) < (b.high, b.middle, b.low)
    }
}
