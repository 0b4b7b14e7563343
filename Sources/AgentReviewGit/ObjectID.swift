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
        guard digits.count == 40 else { return nil }
        // Without a branch per digit: each is read as a digit or a letter, and whether it
        // was either is gathered into `bad`, checked once at the end.
        var bad: UInt8 = 0
        func word(_ range: Range<Int>) -> UInt64 {
            var word: UInt64 = 0
            for index in range {
                let c = digits[index]
                // A digit, or a letter a–f in either case (setting bit 5 lowers A–F, and
                // makes nothing else land on a–f).
                let notDigit: UInt8 = c &- UInt8(ascii: "0") >= 10 ? 1 : 0
                let notLetter: UInt8 = (c | 0x20) &- UInt8(ascii: "a") >= 6 ? 1 : 0
                bad |= notDigit & notLetter
                // A digit's value is its low four bits; a letter's (bit 6 set) nine more.
                word = word << 4 | UInt64((c & 0x0f) &+ 9 &* (c >> 6))
            }
            return word
        }
        let high = word(0..<16), middle = word(16..<32), low = word(32..<40)
        guard bad == 0 else { return nil }
        return ObjectID(high: high, middle: middle, low: UInt32(low))
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
