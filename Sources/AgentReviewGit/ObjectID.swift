internal import Clibgit2

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
        self = withUnsafeBytes(of: &bytes) { ObjectID(raw: $0.baseAddress!) }
    }

    /// From 20 raw bytes, as git stores ids in trees and pack indexes.
    init(raw: UnsafeRawPointer) {
        self.init(
            high: UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
            middle: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            low: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
    }

    /// Parses 40 hex digits (either case); nil for anything else.
    public init?(hex: String) {
        self.init(hexBytes: hex.utf8)
    }

    /// From 40 hex digits' bytes (either case), as a commit's headers hold them.
    init?(hexBytes utf8: some Collection<UInt8>) {
        let parsed = utf8.withContiguousStorageIfAvailable(Self.parse) ?? Array(utf8).withUnsafeBufferPointer(Self.parse)
        guard let parsed else { return nil }
        self = parsed
    }

    private static func parse(_ digits: UnsafeBufferPointer<UInt8>) -> ObjectID? {
        guard digits.count == 40, let start = digits.baseAddress else { return nil }
        let raw = UnsafeRawPointer(start)
        guard let w0 = word(raw), let w1 = word(raw + 8), let w2 = word(raw + 16), let w3 = word(raw + 24), let w4 = word(raw + 32)
        else { return nil }
        return ObjectID(high: w0 << 32 | w1, middle: w2 << 32 | w3, low: UInt32(w4))
    }

    /// The value of 8 hex digits (either case) read as one word, all eight at once; nil when
    /// any byte is not one. (A byte at a time this was 2.3% of the instructions judging a
    /// history: every commit's tree and parents are read from hex.)
    private static func word(_ at: UnsafeRawPointer) -> UInt64? {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        // The first digit is the lowest byte.
        let text = UInt64(littleEndian: at.loadUnaligned(as: UInt64.self))
        guard text & high == 0 else { return nil }
        // For bytes below 0x80, adding 0x80 - a sets a byte's high bit exactly when it is
        // at least a, and no carry crosses into the next byte. Setting bit 5 lowers A–F
        // (digits are told from the bytes as they are: it would also make 0x10–0x19 digits).
        func inRange(_ word: UInt64, _ first: UInt8, _ last: UInt8) -> UInt64 {
            let atLeastFirst = word &+ ones &* UInt64(0x80 - first)
            let pastLast = word &+ ones &* UInt64(0x80 - (last + 1))
            return atLeastFirst & ~pastLast & high
        }
        let lower = text | ones &* 0x20
        let digit = inRange(text, UInt8(ascii: "0"), UInt8(ascii: "9"))
        let letter = inRange(lower, UInt8(ascii: "a"), UInt8(ascii: "f"))
        guard digit | letter == high else { return nil }
        // A digit's value is its low four bits; a letter's (bit 6 set) nine more.
        var value = (lower & (ones &* 0x0f)) &+ ((lower >> 6) & ones) &* 9
        // Pack the nibbles, the first digit highest: byte-swapped, pairs into bytes, bytes
        // into 16-bit halves, halves into 32 bits.
        value = value.byteSwapped
        value = ((value >> 4) & 0x00f0_00f0_00f0_00f0) | (value & 0x000f_000f_000f_000f)
        value = (value | value >> 8) & 0x0000_ffff_0000_ffff
        return (value | value >> 16) & 0xffff_ffff
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

    /// The first 8 bytes as a number, for searching sorted ids.
    var leadingBits: UInt64 { high }

    /// The first byte, which indexes a pack index's fan-out table.
    var firstByte: UInt8 { UInt8(truncatingIfNeeded: high >> 56) }

    public var hex: String {
        String(unsafeUninitializedCapacity: 40) { out in
            let digits: StaticString = "0123456789abcdef"
            let table = digits.utf8Start
            func put(_ value: UInt64, count: Int, at offset: Int) {
                for i in 0..<count {
                    out[offset + i] = table[Int((value >> UInt64(4 * (count - 1 - i))) & 0xf)]
                }
            }
            put(high, count: 16, at: 0)
            put(middle, count: 16, at: 16)
            put(UInt64(low), count: 8, at: 32)
            return 40
        }
    }

    public var description: String { hex }

    public static func < (a: ObjectID, b: ObjectID) -> Bool {
        (a.high, a.middle, a.low) < (b.high, b.middle, b.low)
    }
}
