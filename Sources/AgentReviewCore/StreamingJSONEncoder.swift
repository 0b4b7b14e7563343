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

/// JSON from `Encodable` values, byte for byte what `JSONEncoder` writes with
/// `[.sortedKeys, .withoutEscapingSlashes]`, appended straight to a byte buffer.
///
/// `JSONEncoder` builds a tree of every value, then writes it; judging a history writes
/// thousands of reports, so this one writes as it goes. Why it is kept, measured with
/// `scripts/bench --repo libgit2 --only names` (16,450 commits of libgit2's own public
/// history, `check --json`, release build, 2 cores, median of 5): 1.28 s with this encoder
/// against 1.59 s with a reused `JSONEncoder` per report (+24%: the judging thread, which
/// also encodes, is the critical path on a long history). It serves the stream of commit
/// reports (`JSONSink`) and the audit log's lines (`AuditChain.line`), where a hook that
/// judges one commit would otherwise pay for `JSONEncoder`'s casts of each type it meets
/// (each a scan of every conformance in the binary); every other `--json` output uses
/// `JSONEncoder` (`Rendering.json`), and the tests check the two agree byte for byte. Each object's members are written
/// in the order they are encoded, then put in key order (keys compared by their UTF-8
/// bytes, as `JSONEncoder` does) when the object ends: at once when they already are.
///
/// Like `JSONEncoder`: strings escape `"`, `\` and control characters (`\n`, `\u001f`, …)
/// and nothing else; floating-point numbers are their `description` without a trailing
/// `.0`, and NaN or infinity is an error; `Data` is base64, `URL` its absolute string,
/// `Decimal` a number; a value that encodes nothing is `{}`; a key encoded twice in one
/// object keeps its last value.
///
/// Values are written in order: a nested container or a super encoder is complete once
/// its parent encodes its next element (synthesised `Codable` conformances always work
/// so).
///
/// The state is checked for exclusive access statically only: the encoder is used from one
/// thread, and never re-entered while it changes its buffers.
package final class StreamingJSONEncoder {
    /// The JSON written so far.
    @exclusivity(unchecked) package private(set) var bytes: [UInt8] = []

    /// Open containers, outermost first.
    @exclusivity(unchecked) fileprivate var frames: [Frame] = []
    /// The members of the open objects, in encoding order: a frame's are
    /// `entries[frame.firstEntry...]`, up to the next open object's.
    @exclusivity(unchecked) fileprivate var entries: [Entry] = []
    /// The keys of `entries`, unescaped, end to end.
    @exclusivity(unchecked) fileprivate var keys: [UInt8] = []
    /// Where an object's members are copied to while they are put in order.
    @exclusivity(unchecked) private var scratch: [UInt8] = []
    /// The key order found for each keyed container type and member count, as offsets
    /// into its members: used again when it still sorts the keys, which it nearly always
    /// does (a type encodes its keys in the same order each time).
    @exclusivity(unchecked) private var orders: [OrderKey: [Int]] = [:]

    private struct OrderKey: Hashable {
        var type: ObjectIdentifier
        var count: Int
    }

    fileprivate struct Frame {
        /// An object's `CodingKey` type; nil for an array.
        var keyType: ObjectIdentifier?
        var isObject: Bool { keyType != nil }
        /// Just after the `{` or `[`.
        var start: Int
        /// Elements begun so far.
        var count = 0
        /// Where the latest element's value starts (after its key, for an object member).
        var valueStart: Int
        var firstEntry: Int
        var firstKey: Int
    }

    fileprivate struct Entry {
        /// Where the member starts in `bytes`: its key's opening quote.
        var start: Int
        /// The key in `keys`.
        var keyStart: Int
        var keyEnd: Int
    }

    package init() {}

    /// The JSON for one value.
    package static func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        let encoder = StreamingJSONEncoder()
        try encoder.encode(value)
        return encoder.bytes
    }

    /// Appends the JSON for `value` to `bytes`.
    package func encode<Value: Encodable>(_ value: Value) throws {
        precondition(frames.isEmpty, "a value is already being encoded")
        let mark = bytes.count
        let wrote: Bool
        do {
            wrote = try encodeAny(value, depth: 0)
        } catch {
            forget(from: mark)
            throw error
        }
        if !wrote {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: [], debugDescription: "Top-level \(Value.self) did not encode any values."))
        }
    }

    /// Appends the JSON of a commit report, as `encode(_:)` would, without its generic path:
    /// casting the value to `CommitReport` there copied the report (its dozen strings and
    /// lists retained and released again), once for every commit judged.
    package func encode(_ report: CommitReport) throws {
        precondition(frames.isEmpty, "a value is already being encoded")
        let mark = bytes.count
        do {
            try writeReport(report, depth: 0)
        } catch {
            forget(from: mark)
            throw error
        }
    }

    /// Drops what a failed `encode` left: its open containers, and its bytes from `mark`.
    private func forget(from mark: Int) {
        frames.removeAll()
        entries.removeAll()
        keys.removeAll()
        bytes.removeSubrange(mark...)
    }

    /// Forgets what was written, keeping the buffer's capacity up to `keptCapacity`: one
    /// report of thousands of paths (ghostty's history has one of 17,121, 2.6 MB of JSON)
    /// would otherwise hold its buffer, grown to 4 MiB, for the rest of the run.
    package func removeAll() {
        bytes.removeAll(keepingCapacity: bytes.capacity <= Self.keptCapacity)
    }

    /// The most buffer `removeAll` keeps: the JSON of a report of a few hundred paths.
    package static let keptCapacity = 1 << 16

    /// Appends raw bytes (punctuation between values written separately).
    package func append(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Appends raw bytes: JSON that needs no escaping.
    package func append(_ raw: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: raw.utf8Start, count: raw.utf8CodeUnitCount))
    }

    /// Appends `"key":`, after `{` for an object's first member or `,` for the others: put
    /// together on the stack and appended at once (four appends cost 4% of the
    /// instructions judging a history, most of it each append's own overhead).
    package func appendKey(_ key: StaticString, first: Bool) {
        let length = key.utf8CodeUnitCount
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length + 4) { token in
            token[0] = first ? UInt8(ascii: "{") : UInt8(ascii: ",")
            token[1] = UInt8(ascii: "\"")
            UnsafeMutableRawPointer(token.baseAddress! + 2).copyMemory(from: key.utf8Start, byteCount: length)
            token[length + 2] = UInt8(ascii: "\"")
            token[length + 3] = UInt8(ascii: ":")
            bytes.append(contentsOf: UnsafeBufferPointer(token))
        }
    }

    // MARK: Values

    /// Writes one value at `depth` (the number of containers around it), `{}` when it
    /// encodes nothing.
    func encodeValue<Value: Encodable>(_ value: Value, depth: Int) throws {
        if try !encodeAny(value, depth: depth) { writeEmptyObject() }
    }

    /// Writes one value at `depth` and closes the containers it opened; returns whether
    /// it wrote anything.
    private func encodeAny<Value: Encodable>(_ value: Value, depth: Int) throws -> Bool {
        // Judging a history writes one of these per commit: member by member (`ReportJSON`).
        if Value.self == CommitReport.self {
            try writeReport(value as! CommitReport, depth: depth)
            return true
        }
        if Value.self == String.self {
            writeString((value as! String))
            return true
        }
        // What JSONEncoder does not leave to the types' own `encode(to:)`.
        if Value.self == Data.self {
            writeString((value as! Data).base64EncodedString())
            return true
        }
        if Value.self == URL.self {
            writeString((value as! URL).absoluteString)
            return true
        }
        if Value.self == Decimal.self {
            bytes.append(contentsOf: (value as! Decimal).description.utf8)
            return true
        }
        let mark = bytes.count
        try value.encode(to: Handle(encoder: self, depth: depth))
        close(to: depth)
        return bytes.count != mark
    }

    func writeString(_ string: String) {
        var string = string
        string.withUTF8 { writeEscaped($0) }
    }

    private func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var run = 0
        var index = 0
        while index < utf8.count {
            // Eight bytes at a time while none needs escaping, which is nearly always; the
            // last few as the string's last eight (bytes before `index` are done with: were
            // one of them escaped, the bytes are taken one at a time, as before).
            if index + 8 <= utf8.count {
                let word = UnsafeRawPointer(utf8.baseAddress! + index).loadUnaligned(as: UInt64.self)
                if !Self.needsEscape(word) {
                    index += 8
                    continue
                }
            } else if utf8.count >= 8 {
                let word = UnsafeRawPointer(utf8.baseAddress! + utf8.count - 8).loadUnaligned(as: UInt64.self)
                if !Self.needsEscape(word) {
                    index = utf8.count
                    continue
                }
            }
            let byte = utf8[index]
            index += 1
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            let escapedIndex = index - 1
            if run < escapedIndex { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<escapedIndex])) }
            run = index
            let escaped: UInt8? = switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): byte
            case 0x08: UInt8(ascii: "b")
            case 0x0C: UInt8(ascii: "f")
            case 0x0A: UInt8(ascii: "n")
            case 0x0D: UInt8(ascii: "r")
            case 0x09: UInt8(ascii: "t")
            default: nil
            }
            if let escaped {
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(escaped)
            } else {
                bytes.append(contentsOf: Self.unicodeEscape)
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0xF)])
            }
        }
        if run < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...])) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Whether any of the eight bytes in `word` is a control character, `"` or `\`
    /// (the classic bit tricks: a byte is zero after the xor, or below 0x20).
    @inline(__always)
    private static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & high }
        // Bytes below 0x20: subtracting 0x20 borrows into the high bit (ASCII bytes only;
        // bytes from 0x80 up have it set already and are masked out by `~word`).
        let control = (word &- ones &* 0x20) & ~word & high
        return (control | hasZero(word ^ (ones &* 0x22)) | hasZero(word ^ (ones &* 0x5C))) != 0
    }

    fileprivate func writeBool(_ value: Bool) {
        bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
    }

    fileprivate func writeNull() {
        bytes.append(contentsOf: Self.nullBytes)
    }

    fileprivate func writeEmptyObject() {
        bytes.append(UInt8(ascii: "{"))
        bytes.append(UInt8(ascii: "}"))
    }

    func writeInteger<Integer: BinaryInteger>(_ value: Integer) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = UInt64(value.magnitude)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    fileprivate func writeFloat<Number: BinaryFloatingPoint & CustomStringConvertible>(_ value: Number, depth: Int) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: codingPath(depth: depth), debugDescription: "Unable to encode \(Number.self).\(value) directly in JSON."))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// `\u00`, then two lowercase hex digits: how JSONEncoder writes other control characters.
    private static let unicodeEscape: [UInt8] = Array("\\u00".utf8)
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    private static let trueBytes: [UInt8] = Array("true".utf8)
    private static let falseBytes: [UInt8] = Array("false".utf8)
    private static let nullBytes: [UInt8] = Array("null".utf8)

    // MARK: Containers

    /// The container at `depth` for a value that asks for one: the one it already opened,
    /// or a new one.
    /// - Parameter keyType: for an object, its `CodingKey` type.
    fileprivate func container(at depth: Int, keyType: ObjectIdentifier?) {
        if frames.count > depth {
            precondition(frames[depth].isObject == (keyType != nil), "a value asked for a keyed and an unkeyed container")
            return
        }
        precondition(frames.count == depth, "a container was used after its parent moved on")
        open(keyType: keyType)
    }

    private func open(keyType: ObjectIdentifier?) {
        bytes.append(keyType != nil ? UInt8(ascii: "{") : UInt8(ascii: "["))
        frames.append(Frame(keyType: keyType, start: bytes.count, valueStart: bytes.count, firstEntry: entries.count, firstKey: keys.count))
    }

    /// Starts the next element of the container at `depth`: closes what its last element
    /// left open, then writes the separator and, in an object, the key.
    fileprivate func beginElement(at depth: Int, key: String?) {
        precondition(depth < frames.count, "a container was used after its parent moved on")
        close(to: depth + 1)
        endElement(at: depth)
        if frames[depth].count > 0 { bytes.append(UInt8(ascii: ",")) }
        if let key {
            let keyStart = keys.count
            keys.append(contentsOf: key.utf8)
            entries.append(Entry(start: bytes.count, keyStart: keyStart, keyEnd: keys.count))
            writeString(key)
            bytes.append(UInt8(ascii: ":"))
        }
        frames[depth].count += 1
        frames[depth].valueStart = bytes.count
    }

    /// Begins an element holding a new container, and returns that container's depth.
    fileprivate func beginNested(at depth: Int, key: String?, keyType: ObjectIdentifier?) -> Int {
        beginElement(at: depth, key: key)
        open(keyType: keyType)
        return depth + 1
    }

    /// An element that got no value (an unused super encoder) is `{}`.
    private func endElement(at depth: Int) {
        if frames[depth].count > 0 && bytes.count == frames[depth].valueStart { writeEmptyObject() }
    }

    /// Closes the open containers deeper than `depth`.
    fileprivate func close(to depth: Int) {
        while frames.count > depth {
            let index = frames.count - 1
            endElement(at: index)
            let frame = frames.removeLast()
            if frame.isObject {
                sortMembers(of: frame)
                entries.removeSubrange(frame.firstEntry...)
                keys.removeSubrange(frame.firstKey...)
                bytes.append(UInt8(ascii: "}"))
            } else {
                bytes.append(UInt8(ascii: "]"))
            }
        }
    }

    /// Puts the members of an object being closed in key order, the last of equal keys winning.
    private func sortMembers(of frame: Frame) {
        let first = frame.firstEntry
        let count = entries.count - first
        guard count > 1, let order = memberOrder(first: first, count: count, keyType: frame.keyType) else { return }

        // Each member runs to the comma before the next one, the last to the end.
        let end = bytes.count
        if order.count == count, moveAroundLargest(of: frame, order: order, end: end) { return }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: bytes[frame.start...])
        if order.count < count { bytes.removeSubrange(frame.start...) }
        var position = frame.start
        scratch.withUnsafeBufferPointer { source in
            for (index, member) in order.enumerated() {
                if index > 0 {
                    if position < bytes.count { bytes[position] = UInt8(ascii: ",") } else { bytes.append(UInt8(ascii: ",")) }
                    position += 1
                }
                let start = entries[first + member].start - frame.start
                let stop = (member + 1 < count ? entries[first + member + 1].start - 1 : end) - frame.start
                let member = UnsafeBufferPointer(rebasing: source[start..<stop])
                if position < bytes.count {
                    // The same bytes in another order: written over the old ones.
                    bytes.withUnsafeMutableBufferPointer { bytes in
                        _ = UnsafeMutableBufferPointer(rebasing: bytes[position..<(position + member.count)]).initialize(from: member)
                    }
                } else {
                    bytes.append(contentsOf: member)
                }
                position += member.count
            }
        }
    }

    /// Reorders the members (none dropped) copying all but the largest: that one is moved
    /// within the buffer to where it belongs, and the others are written around it. A
    /// commit touching thousands of paths has one member (its paths) of megabytes, which a
    /// copy of the whole object would cost again. False, with nothing done, when the
    /// largest member is not most of the object (the plain copy is as good).
    private func moveAroundLargest(of frame: Frame, order: [Int], end: Int) -> Bool {
        let first = frame.firstEntry
        let count = order.count
        func range(_ member: Int) -> Range<Int> {
            entries[first + member].start..<(member + 1 < count ? entries[first + member + 1].start - 1 : end)
        }
        var largest = 0
        for member in 1..<count where range(member).count > range(largest).count { largest = member }
        let moved = range(largest)
        guard moved.count > (end - frame.start) / 2 else { return false }
        // Where the largest member goes: after the members that sort before it, each with its comma.
        var target = frame.start
        for member in order {
            if member == largest { break }
            target += range(member).count + 1
        }
        scratch.removeAll(keepingCapacity: true)
        for member in order where member != largest { scratch.append(contentsOf: bytes[range(member)]) }
        bytes.withUnsafeMutableBufferPointer { bytes in
            let base = bytes.baseAddress!
            memmove(base + target, base + moved.lowerBound, moved.count)
            var position = frame.start
            var copied = 0
            for (index, member) in order.enumerated() {
                if index > 0 {
                    base[position] = UInt8(ascii: ",")
                    position += 1
                }
                if member == largest {
                    position += moved.count
                    continue
                }
                let length = range(member).count
                scratch.withUnsafeBufferPointer { source in
                    (base + position).update(from: source.baseAddress! + copied, count: length)
                }
                copied += length
                position += length
            }
        }
        return true
    }

    /// The order of the `count` members from `entries[first]` (as offsets), or nil when
    /// they are in order already.
    private func memberOrder(first: Int, count: Int, keyType: ObjectIdentifier?) -> [Int]? {
        let cacheKey = keyType.map { OrderKey(type: $0, count: count) }
        if let cacheKey, let cached = orders[cacheKey], isAscending(cached, first) { return cached }
        if isAscending(0..<count, first) { return nil }
        // Ascending keys; of equal keys the last encoded first, so that it is the one kept.
        let sorted = (0..<count).sorted { a, b in
            let order = compareKeys(entries[first + a], entries[first + b])
            return order < 0 || (order == 0 && a > b)
        }
        var order = [Int]()
        for member in sorted where order.last.map({ compareKeys(entries[first + $0], entries[first + member]) != 0 }) ?? true {
            order.append(member)
        }
        if let cacheKey, order.count == count { orders[cacheKey] = order }
        return order
    }

    /// Whether the members at `first + offset`, for each offset of `order`, have strictly
    /// ascending keys.
    private func isAscending(_ order: some Collection<Int>, _ first: Int) -> Bool {
        var previous: Int?
        for member in order {
            if let previous, compareKeys(entries[first + previous], entries[first + member]) >= 0 { return false }
            previous = member
        }
        return true
    }

    /// Compares two keys by their UTF-8 bytes: negative, zero or positive.
    private func compareKeys(_ a: Entry, _ b: Entry) -> Int {
        let countA = a.keyEnd - a.keyStart
        let countB = b.keyEnd - b.keyStart
        let common = min(countA, countB)
        if common > 0 {
            let order = keys.withUnsafeBufferPointer { memcmp($0.baseAddress! + a.keyStart, $0.baseAddress! + b.keyStart, common) }
            if order != 0 { return Int(order) }
        }
        return countA - countB
    }

    /// The keys that lead to the value at `depth`, for errors.
    fileprivate func codingPath(depth: Int) -> [any CodingKey] {
        var path = [any CodingKey]()
        var entry = 0
        for frame in frames.prefix(depth) {
            guard frame.count > 0 else { break }
            if frame.isObject {
                // The frame's latest member: the last of its entries, before any deeper frame's.
                let next = frames.first { $0.isObject && $0.firstEntry > frame.firstEntry }?.firstEntry ?? entries.count
                entry = next - 1
                let key = entries[entry]
                path.append(Key(stringValue: String(decoding: keys[key.keyStart..<key.keyEnd], as: UTF8.self)))
            } else {
                path.append(Key(intValue: frame.count - 1))
            }
        }
        return path
    }

    fileprivate struct Key: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) {
            self.stringValue = stringValue
        }
        init(intValue: Int) {
            self.stringValue = "Index \(intValue)"
            self.intValue = intValue
        }
    }
}

// MARK: - The Encoder protocol

extension StreamingJSONEncoder {
    /// The encoder a value at `depth` is given.
    fileprivate struct Handle: Encoder {
        let encoder: StreamingJSONEncoder
        let depth: Int

        var codingPath: [any CodingKey] { encoder.codingPath(depth: depth) }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            encoder.container(at: depth, keyType: ObjectIdentifier(Key.self))
            return KeyedEncodingContainer(KeyedContainer<Key>(encoder: encoder, depth: depth))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            encoder.container(at: depth, keyType: nil)
            return UnkeyedContainer(encoder: encoder, depth: depth)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            SingleValueContainer(encoder: encoder, depth: depth)
        }
    }

    fileprivate struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: StreamingJSONEncoder
        /// The container's own depth: its members are at `depth + 1`.
        let depth: Int

        var codingPath: [any CodingKey] { encoder.codingPath(depth: depth) }

        private func begin(_ key: Key) {
            encoder.beginElement(at: depth, key: key.stringValue)
        }

        mutating func encodeNil(forKey key: Key) throws {
            begin(key)
            encoder.writeNull()
        }
        mutating func encode(_ value: Bool, forKey key: Key) throws {
            begin(key)
            encoder.writeBool(value)
        }
        mutating func encode(_ value: String, forKey key: Key) throws {
            begin(key)
            encoder.writeString(value)
        }
        mutating func encode(_ value: Double, forKey key: Key) throws {
            begin(key)
            try encoder.writeFloat(value, depth: depth + 1)
        }
        mutating func encode(_ value: Float, forKey key: Key) throws {
            begin(key)
            try encoder.writeFloat(value, depth: depth + 1)
        }
        mutating func encode(_ value: Int, forKey key: Key) throws { begin(key); encoder.writeInteger(value) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { begin(key); encoder.writeInteger(value) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { begin(key); encoder.writeInteger(value) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { begin(key); encoder.writeInteger(value) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { begin(key); encoder.writeInteger(value) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { begin(key); encoder.writeInteger(value) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { begin(key); encoder.writeInteger(value) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { begin(key); encoder.writeInteger(value) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { begin(key); encoder.writeInteger(value) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { begin(key); encoder.writeInteger(value) }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            begin(key)
            try encoder.encodeValue(value, depth: depth + 1)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey key: Key
        ) -> KeyedEncodingContainer<NestedKey> {
            let nested = encoder.beginNested(at: depth, key: key.stringValue, keyType: ObjectIdentifier(NestedKey.self))
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: encoder, depth: nested))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            UnkeyedContainer(encoder: encoder, depth: encoder.beginNested(at: depth, key: key.stringValue, keyType: nil))
        }

        mutating func superEncoder() -> any Encoder {
            encoder.beginElement(at: depth, key: "super")
            return Handle(encoder: encoder, depth: depth + 1)
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            begin(key)
            return Handle(encoder: encoder, depth: depth + 1)
        }
    }

    fileprivate struct UnkeyedContainer: UnkeyedEncodingContainer {
        let encoder: StreamingJSONEncoder
        let depth: Int
        private(set) var count = 0

        init(encoder: StreamingJSONEncoder, depth: Int) {
            self.encoder = encoder
            self.depth = depth
            self.count = encoder.frames[depth].count
        }

        var codingPath: [any CodingKey] { encoder.codingPath(depth: depth) }

        private mutating func begin() {
            encoder.beginElement(at: depth, key: nil)
            count += 1
        }

        mutating func encodeNil() throws {
            begin()
            encoder.writeNull()
        }
        mutating func encode(_ value: Bool) throws {
            begin()
            encoder.writeBool(value)
        }
        mutating func encode(_ value: String) throws {
            begin()
            encoder.writeString(value)
        }
        mutating func encode(_ value: Double) throws {
            begin()
            try encoder.writeFloat(value, depth: depth + 1)
        }
        mutating func encode(_ value: Float) throws {
            begin()
            try encoder.writeFloat(value, depth: depth + 1)
        }
        mutating func encode(_ value: Int) throws { begin(); encoder.writeInteger(value) }
        mutating func encode(_ value: Int8) throws { begin(); encoder.writeInteger(value) }
        mutating func encode(_ value: Int16) throws { begin(); encoder.writeInteger(value) }
        mutating func encode(_ value: Int32) throws { begin(); encoder.writeInteger(value) }
        mutating func encode(_ value: Int64) throws { begin(); encoder.writeInteger(value) }
        mutating func encode(_ value: UInt) throws { begin(); encoder.writeInteger(value) }
        mutating func encode(_ value: UInt8) throws { begin(); encoder.writeInteger(value) }
        mutating func encode(_ value: UInt16) throws { begin(); encoder.writeInteger(value) }
        mutating func encode(_ value: UInt32) throws { begin(); encoder.writeInteger(value) }
        mutating func encode(_ value: UInt64) throws { begin(); encoder.writeInteger(value) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            begin()
            try encoder.encodeValue(value, depth: depth + 1)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            count += 1
            let nested = encoder.beginNested(at: depth, key: nil, keyType: ObjectIdentifier(NestedKey.self))
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: encoder, depth: nested))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            count += 1
            return UnkeyedContainer(encoder: encoder, depth: encoder.beginNested(at: depth, key: nil, keyType: nil))
        }

        mutating func superEncoder() -> any Encoder {
            begin()
            return Handle(encoder: encoder, depth: depth + 1)
        }
    }

    fileprivate struct SingleValueContainer: SingleValueEncodingContainer {
        let encoder: StreamingJSONEncoder
        let depth: Int

        var codingPath: [any CodingKey] { encoder.codingPath(depth: depth) }

        mutating func encodeNil() throws { encoder.writeNull() }
        mutating func encode(_ value: Bool) throws { encoder.writeBool(value) }
        mutating func encode(_ value: String) throws { encoder.writeString(value) }
        mutating func encode(_ value: Double) throws { try encoder.writeFloat(value, depth: depth) }
        mutating func encode(_ value: Float) throws { try encoder.writeFloat(value, depth: depth) }
        mutating func encode(_ value: Int) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: Int8) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: Int16) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: Int32) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: Int64) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: UInt) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: UInt8) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: UInt16) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: UInt32) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: UInt64) throws { encoder.writeInteger(value) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            try encoder.encodeValue(value, depth: depth)
        }
    }
}
