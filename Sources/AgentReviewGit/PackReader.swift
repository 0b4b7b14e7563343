internal import CLibDeflate
internal import Clibgit2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Git's object types, numbered as in pack files.
enum ObjectKind: UInt8 {
    case commit = 1, tree = 2, blob = 3, tag = 4
}

/// An object's type and its bytes, as git stores them.
struct RawObject {
    var kind: ObjectKind
    var bytes: [UInt8]
}

/// Reads objects straight from the repository's pack files, for the one hot path: the
/// commits, trees (and, for line counts, the blobs) of every commit of a long history.
/// libgit2 reads the same objects through small remapped windows (its window budget is
/// what keeps its memory bounded), inflates each with a new zlib stream, and keeps delta
/// bases in a cache whose size is fixed when it is built. Here the pack is read with
/// `pread` through a few small windows, each entry is inflated whole by libdeflate, and
/// delta chains are cached in bounded memory of our own: the objects deltas were applied
/// to (as git's delta-base cache does) and the inflated deltas themselves, so that walking
/// a chain again costs copies, not inflating.
///
/// It answers only for what it can read with certainty: an id in a version 2 index of a
/// pack whose entries inflate to the sizes they declare. Anything else (loose objects, the
/// quarantine of a push, alternates, old index versions, damage) returns nil, and the
/// caller reads the object through libgit2, which knows every case and reports every error.
/// Ids are not re-hashed: git does not either (objects were checked when they entered).
/// One thread at a time.
final class PackReader {
    private var packs: [Pack]
    private var bases: ObjectCache<RawObject>
    private var links: ObjectCache<DeltaLink>
    /// Trees and commits just read, by id: each is read again for the next commit (its
    /// parent's tree, its parent's commit).
    private var recent = RecentObjects()
    private var inflater = Inflater()
    private var buffer = ObjectBuffer()

    /// Opens the packs in `directory` (`objects/pack`); a pack that cannot be opened is skipped.
    /// The cache budgets (`Repository.PackCaches`) were measured on the histories of
    /// `scripts/bench`. Reading blobs: 8 MiB of bases and 4 MiB of delta links judged the
    /// 10,000-commit history 7% faster than 6 and 2 MiB, for 2.4 MB more peak RSS; more bases
    /// or fewer links gained nothing. Reading trees only: 16 MiB of bases and 2 MiB of links
    /// judge it 13% faster than 8 and 4 MiB, and the 200,000-commit one 20% (59.0 → 47.3 s),
    /// for 7 MiB more peak RSS (49.6 MiB; 56.2 MiB at 200,000 commits); the real histories
    /// are the same within the noise. (With blobs, 16 and 2 MiB took libgit2's line counts to
    /// 63.7 MiB, at the edge of the 64 MiB bound.)
    /// An index bigger than `indexBytes` is not kept resident whole (see `IndexPages`).
    /// 12 MiB holds the index of a pack of 440,000 objects (OpenHands' 373,000 objects have
    /// a 10.5 MB index); dropping the pages of libgit2's 4.5 MB index at a budget of 4 MiB
    /// cost a third of the time judging its history took (2,174 drops, each read back by
    /// page faults). Each reader keeps its own count over the shared mapping: with the walk's
    /// and a worker's, an index keeps at most twice this resident.
    init(
        directory: String, cacheBytes: Int = Repository.PackCaches.withBlobs.bases, linkBytes: Int = Repository.PackCaches.withBlobs.links,
        indexBytes: Int = 12 << 20
    ) {
        packs = []
        bases = ObjectCache(budget: cacheBytes)
        links = ObjectCache(budget: linkBytes)
        guard let listing = opendir(directory) else { return }
        defer { closedir(listing) }
        while let entry = readdir(listing) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasSuffix(".idx") else { continue }
            let base = directory + "/" + name.dropLast(4)
            if let pack = Pack(index: base + ".idx", pack: base + ".pack", indexBudget: indexBytes) {
                packs.append(pack)
            }
        }
    }

    /// The budgets of the caches of delta chains: the objects deltas were applied to, and
    /// the inflated deltas.
    var budgets: (bases: Int, links: Int) { (bases.budget, links.budget) }

    /// Where `id` is in these packs: the first pack holding it, its place in that pack's
    /// index, and how many objects that pack has. nil when no pack read here holds it.
    func place(of id: ObjectID) -> (pack: Int, position: Int, count: Int)? {
        for (number, pack) in packs.enumerated() {
            if let position = pack.position(of: id) {
                lastPlace = (id, number, position)
                return (number, position, pack.objectCount)
            }
        }
        return nil
    }

    /// The place `place(of:)` found last: the walk asks where a commit is (to mark it met),
    /// then reads it, and the read need not search the index again.
    private var lastPlace: (id: ObjectID, pack: Int, position: Int)?

    /// How many times the pages read from the pack indexes were dropped.
    var indexDrops: Int { packs.reduce(0) { $0 + $1.indexDrops } }

    /// Where each pack's index is mapped (shared by every reader of the process).
    var indexMappings: [UnsafeRawPointer] { packs.map(\.indexMapping) }

    /// The object, or nil when it is not in these packs in a form read here.
    func read(_ id: ObjectID) -> RawObject? {
        if let recent = recent[id] { return recent }
        if let last = lastPlace, last.id == id {
            lastPlace = nil
            if let offset = packs[last.pack].offset(at: last.position) { return read(id, at: offset, in: last.pack) }
        }
        for (number, pack) in packs.enumerated() {
            if let offset = pack.offset(of: id) { return read(id, at: offset, in: number) }
        }
        return nil
    }

    private func read(_ id: ObjectID, at offset: Int, in number: Int) -> RawObject? {
        guard let object = object(at: offset, in: number) else { return nil }
        if object.kind != .blob { recent.insert(object, id: id) }
        return object
    }

    /// Resolves the entry at `offset`: its delta chain is followed down to a stored object
    /// or a cached base, then the deltas are applied back up. As in git, the objects a
    /// delta is applied to are what the base cache keeps, and the inflated deltas are kept
    /// as links (trees and commits read are kept apart, by id, in `read`).
    private func object(at offset: Int, in number: Int) -> RawObject? {
        if let found = bases[cacheKey(pack: number, offset: offset)] {
            return found
        }
        let pack = packs[number]
        var deltas = [(offset: Int, delta: [UInt8])]()
        var current = offset
        var base: RawObject
        chain: while true {
            let key = cacheKey(pack: number, offset: current)
            if !deltas.isEmpty, let cached = bases[key] {
                base = cached
                break chain
            }
            if let link = links[key] {
                deltas.append((current, link.delta))
                current = link.baseOffset
                guard deltas.count < 10_000 else { return nil }
                continue
            }
            guard let entry = pack.entry(at: current, inflater: &inflater, buffer: &buffer) else { return nil }
            let baseOffset: Int
            switch entry.header.type {
            case .stored(let kind):
                base = RawObject(kind: kind, bytes: entry.data)
                break chain
            case .offsetDelta(let offset):
                baseOffset = offset
            case .referenceDelta(let baseID):
                guard let offset = pack.offset(of: baseID) else { return nil }
                baseOffset = offset
            }
            deltas.append((current, entry.data))
            links.insert(DeltaLink(baseOffset: baseOffset, delta: entry.data), at: key)
            current = baseOffset
            guard deltas.count < 10_000 else { return nil }
        }
        for (deltaOffset, delta) in deltas.reversed() {
            bases.insert(base, at: cacheKey(pack: number, offset: current))
            guard let bytes = Delta.apply(delta, to: base.bytes, into: &buffer) else { return nil }
            base = RawObject(kind: base.kind, bytes: bytes)
            current = deltaOffset
        }
        return base
    }
}

/// An entry's type, size and where its compressed data starts, from the bytes at its offset.
private struct EntryHeader {
    enum EntryType {
        case stored(ObjectKind)
        case offsetDelta(base: Int)
        case referenceDelta(base: ObjectID)
    }

    var type: EntryType
    /// The inflated size of the data that follows.
    var size: Int
    /// Bytes before the compressed data.
    var length: Int

    /// The header of the entry at `offset`, from the bytes there; nil for a type this
    /// reader does not know, or a header that runs past `bytes`.
    init?(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        var index = 0
        guard index < bytes.count else { return nil }
        var byte = bytes[index]
        index += 1
        let typeNumber = (byte >> 4) & 7
        var size = Int(byte & 0x0f)
        var shift = 4
        while byte & 0x80 != 0 {
            guard index < bytes.count, shift < 57 else { return nil }
            byte = bytes[index]
            index += 1
            size |= Int(byte & 0x7f) << shift
            shift += 7
        }
        switch typeNumber {
        case 1...4:
            type = .stored(ObjectKind(rawValue: typeNumber)!)
        case 6:
            // The base's distance back, in git's offset encoding (each continuation adds one).
            guard index < bytes.count else { return nil }
            byte = bytes[index]
            index += 1
            var distance = Int(byte & 0x7f)
            while byte & 0x80 != 0 {
                guard index < bytes.count, distance < Int.max >> 8 else { return nil }
                byte = bytes[index]
                index += 1
                distance = ((distance + 1) << 7) | Int(byte & 0x7f)
            }
            guard distance > 0, offset - distance >= 12 else { return nil }
            type = .offsetDelta(base: offset - distance)
        case 7:
            guard bytes.count - index >= 20 else { return nil }
            type = .referenceDelta(base: ObjectID(raw: bytes.baseAddress! + index))
            index += 20
        default:
            return nil
        }
        self.size = size
        self.length = index
    }
}

/// A file mapped whole, read-only (a pack index), once per process: the walk's reader and
/// each worker's read the same index, whose pages would otherwise be resident once for
/// each of them. Nothing in it changes; the pages it keeps resident are `IndexPages`' to count.
private final class MappedFile: @unchecked Sendable {
    let base: UnsafeRawPointer
    let size: Int

    private init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size > 0,
              let mapped = mmap(nil, Int(status.st_size), PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED
        else { return nil }
        base = UnsafeRawPointer(mapped)
        size = Int(status.st_size)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), size)
    }

    func bigEndian32(_ at: Int) -> Int {
        Int(UInt32(bigEndian: base.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
    }

    /// The mapping of `path` (a pack index: its name holds its pack's checksum, so a path
    /// is one content), shared with every reader that has it open; unmapped after the last.
    static func shared(_ path: String) -> MappedFile? {
        registry.lock.lock()
        defer { registry.lock.unlock() }
        registry.files = registry.files.filter { $0.value.file != nil }
        if let file = registry.files[path]?.file { return file }
        guard let file = MappedFile(path: path) else { return nil }
        registry.files[path] = Weak(file: file)
        return file
    }

    private struct Weak {
        weak var file: MappedFile?
    }

    private final class Registry: @unchecked Sendable {
        let lock = Lock()
        var files: [String: Weak] = [:]
    }

    private static let registry = Registry()
}

/// A mutex (pthread's: this module has no Foundation).
final class Lock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
}

/// What one reader keeps resident of an index. Every page read stays resident until
/// dropped, and the kernel maps more around each fault (measured: about 256 KiB a touch on
/// Linux 6.18 with ext4's large folios), so the 256 KiB chunks read are counted and all
/// pages are dropped again when they could add up to more than the budget. (Dropping
/// them under another reader of the same mapping only makes it read them back.)
private struct IndexPages {
    let file: MappedFile
    private var touched: [UInt64]
    private var touchedCount = 0
    /// How many times the pages read were dropped.
    private(set) var drops = 0
    private let budget: Int
    private static let chunkShift = 18

    init(_ file: MappedFile, budget: Int) {
        self.file = file
        touched = [UInt64](repeating: 0, count: (file.size >> Self.chunkShift) / 64 + 1)
        self.budget = budget >> Self.chunkShift
    }

    /// Notes that the bytes `start..<end` were read.
    mutating func touch(_ start: Int, _ end: Int) {
        var chunk = start >> Self.chunkShift
        let last = max(start, end - 1) >> Self.chunkShift
        while chunk <= last {
            let bit: UInt64 = 1 << UInt64(chunk & 63)
            if touched[chunk >> 6] & bit == 0 {
                touched[chunk >> 6] |= bit
                touchedCount += 1
            }
            chunk += 1
        }
        if touchedCount > budget {
            madvise(UnsafeMutableRawPointer(mutating: file.base), file.size, MADV_DONTNEED)
            for index in touched.indices { touched[index] = 0 }
            touchedCount = 0
            drops += 1
        }
    }
}

/// One pack and its version 2 index. The index is mapped; the pack is read with `pread`
/// into windows of our own (mapping it would make every scattered read resident: see
/// `MappedFile`): 256 windows of 4 KiB (measured fastest of 2 to 64 KiB: the trees and
/// deltas a history needs are small and scattered among blobs), each in the slot its
/// place in the pack picks.
private final class Pack {
    private let index: MappedFile
    private var pages: IndexPages
    private let descriptor: Int32
    /// Where entries end: before the pack's trailing checksum.
    private let dataEnd: Int
    private let count: Int
    /// The windows' bytes, one slot after another, and where each slot's window starts
    /// in the pack (-1: empty) and how much of it was read.
    private let windows: UnsafeMutableRawPointer
    private var starts = [Int](repeating: -1, count: Pack.windowCount)
    private var lengths = [Int](repeating: 0, count: Pack.windowCount)
    private var scratch = [UInt8]()
    private static let ids = 8 + 1024
    private static let windowShift = 12
    private static let windowSize = 1 << windowShift
    /// Each window reads this much past its end, so that an entry starting near the end is whole.
    private static let overlap = 1 << 10
    private static let windowCount = 256

    init?(index indexPath: String, pack packPath: String, indexBudget: Int) {
        guard let index = MappedFile.shared(indexPath), index.size >= Self.ids + 40 else { return nil }
        let descriptor = open(packPath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var status = stat()
        var header = (UInt32(0), UInt32(0))
        // Version 2: magic, version, fan-out, ids, CRCs, 32-bit offsets, 64-bit offsets, two checksums.
        let count = index.bigEndian32(8 + 255 * 4)
        guard fstat(descriptor, &status) == 0, status.st_size >= 12 + 20,
              pread(descriptor, &header, 8, 0) == 8,
              UInt32(bigEndian: header.0) == 0x5041_434b, (2...3).contains(UInt32(bigEndian: header.1)),
              index.bigEndian32(0) == 0xff74_4f63, index.bigEndian32(4) == 2,
              index.size >= Self.ids + count * 28 + 40
        else {
            close(descriptor)
            return nil
        }
        self.index = index
        self.pages = IndexPages(index, budget: indexBudget)
        self.descriptor = descriptor
        windows = .allocate(byteCount: Self.windowCount * (Self.windowSize + Self.overlap), alignment: 64)
        self.dataEnd = Int(status.st_size) - 20
        self.count = count
    }

    deinit {
        close(descriptor)
        windows.deallocate()
    }

    var indexDrops: Int { pages.drops }
    var indexMapping: UnsafeRawPointer { index.base }

    /// The offset of `id` in the pack: the fan-out table gives the range of ids with the
    /// same first byte, and an interpolation search (ids are uniformly spread) finds it in
    /// a few probes.
    func offset(of id: ObjectID) -> Int? {
        position(of: id).flatMap(offset(at:))
    }

    /// The number of objects in the pack: positions are 0 up to it.
    var objectCount: Int { count }

    /// The place of `id` in the index (ids sorted): a number below `objectCount` no other
    /// object of this pack has.
    func position(of id: ObjectID) -> Int? {
        let first = Int(id.firstByte)
        var low = first == 0 ? 0 : index.bigEndian32(8 + (first - 1) * 4)
        let end = index.bigEndian32(8 + first * 4)
        guard low <= end, end <= count else { return nil }
        pages.touch(8 + first * 4 - 4, 8 + first * 4 + 4)
        pages.touch(Self.ids + low * 20, Self.ids + end * 20)
        var high = end - 1
        let target = id.leadingBits
        func key(_ at: Int) -> UInt64 { UInt64(bigEndian: index.base.loadUnaligned(fromByteOffset: Self.ids + at * 20, as: UInt64.self)) }
        while low <= high {
            let lowKey = key(low), highKey = key(high)
            guard target >= lowKey, target <= highKey else { return nil }
            var middle = (low + high) / 2
            if highKey > lowKey {
                let share = Double(target - lowKey) / Double(highKey - lowKey)
                middle = low + min(high - low, Int(share * Double(high - low)))
            }
            let candidate = ObjectID(raw: index.base + Self.ids + middle * 20)
            if candidate == id { return middle }
            if candidate < id { low = middle + 1 } else { high = middle - 1 }
        }
        return nil
    }

    /// The pack offset of the index's entry number `position`.
    func offset(at position: Int) -> Int? {
        let at = Self.ids + count * 24 + position * 4
        pages.touch(at, at + 4)
        let small = index.bigEndian32(at)
        guard small & 0x8000_0000 != 0 else { return small < dataEnd ? small : nil }
        let large = Self.ids + count * 28 + (small & 0x7fff_ffff) * 8
        guard large + 8 <= index.size - 40 else { return nil }
        pages.touch(large, large + 8)
        let value = UInt64(bigEndian: index.base.loadUnaligned(fromByteOffset: large, as: UInt64.self))
        return value < UInt64(dataEnd) ? Int(value) : nil
    }

    /// The entry at `offset`: its header and its inflated data. Read from a window; an
    /// entry that does not fit in one is read on its own.
    func entry(at offset: Int, inflater: inout Inflater, buffer: inout ObjectBuffer) -> (header: EntryHeader, data: [UInt8])? {
        guard offset >= 12, offset < dataEnd, let window = window(containing: offset) else { return nil }
        let bytes = UnsafeRawBufferPointer(rebasing: window[(offset & (Self.windowSize - 1))...])
        guard let header = EntryHeader(UnsafeRawBufferPointer(rebasing: bytes.prefix(32)), at: offset) else { return nil }
        if let data = inflater.inflate(UnsafeRawBufferPointer(rebasing: bytes[header.length...]), size: header.size, into: &buffer) {
            return (header, data)
        }
        // Not whole in the window: read it alone. Deflate adds at most 5 bytes a 16 KiB block, and 6.
        let length = min(dataEnd - offset, header.length + header.size + header.size / 16_000 * 5 + 64)
        guard read(into: &scratch, count: length, at: offset) else { return nil }
        let data = scratch.withUnsafeBytes { raw in
            inflater.inflate(UnsafeRawBufferPointer(rebasing: raw[header.length..<length]), size: header.size, into: &buffer)
        }
        return data.map { (header, $0) }
    }

    /// The bytes of the window holding `offset`, read into its slot if it is not there.
    private func window(containing offset: Int) -> UnsafeRawBufferPointer? {
        let start = offset & ~(Self.windowSize - 1)
        let slot = (offset >> Self.windowShift) & (Self.windowCount - 1)
        let bytes = windows + slot * (Self.windowSize + Self.overlap)
        if starts[slot] != start {
            let length = min(dataEnd - start, Self.windowSize + Self.overlap)
            starts[slot] = -1
            guard read(to: bytes, count: length, at: start) else { return nil }
            starts[slot] = start
            lengths[slot] = length
        }
        return UnsafeRawBufferPointer(start: bytes, count: lengths[slot])
    }

    /// Reads `count` bytes at `offset` into the front of `buffer`.
    private func read(into buffer: inout [UInt8], count: Int, at offset: Int) -> Bool {
        if buffer.count < count { buffer = [UInt8](repeating: 0, count: count) }
        return buffer.withUnsafeMutableBytes { read(to: $0.baseAddress!, count: count, at: offset) }
    }

    /// Reads `count` bytes at `offset` to `buffer`.
    private func read(to buffer: UnsafeMutableRawPointer, count: Int, at offset: Int) -> Bool {
        var done = 0
        while done < count {
            let result = pread(descriptor, buffer + done, count - done, off_t(offset + done))
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return false }
            done += result
        }
        return true
    }
}

/// What a cache entry costs in bytes.
private protocol CacheCost {
    /// Bytes it holds.
    var cost: Int { get }
}

extension RawObject: CacheCost {
    var cost: Int { bytes.count }
}

/// An inflated delta and where its base is: a link of a delta chain, kept so that walking
/// the chain again needs no inflating.
private struct DeltaLink: CacheCost {
    var baseOffset: Int
    var delta: [UInt8]
    var cost: Int { delta.count }
}

/// Values by their place in a pack, least recently used dropped first once they hold more
/// than the budget: the bases of delta chains (git stores older versions of a tree as
/// deltas of newer ones, so a history walked newest first meets each base before the
/// objects built on it), and the links of those chains.
/// A cache key: a place in one of the reader's packs.
private func cacheKey(pack: Int, offset: Int) -> Int { pack << 48 | offset }

/// One entry of an `ObjectCache`. Not nested in it: an array of a type nested in a generic
/// type with a constraint is made at run time by looking up `Value: CacheCost` among every
/// conformance in the binary, a tenth of a millisecond per cache at each start.
private struct CacheSlot<Value> {
    var key: Int
    var object: Value?
    var newer: Int
    var older: Int
}

private struct ObjectCache<Value: CacheCost> {
    private typealias Slot = CacheSlot<Value>

    private var slots = [Slot]()
    private var unused = [Int]()
    private var index = OffsetTable()
    private var newest = -1
    private var oldest = -1
    private var bytes = 0
    let budget: Int

    init(budget: Int) {
        self.budget = budget
    }

    subscript(key: Int) -> Value? {
        mutating get {
            guard let slot = index.value(for: key) else { return nil }
            unlink(slot)
            linkNewest(slot)
            return slots[slot].object
        }
    }

    mutating func insert(_ object: Value, at key: Int) {
        let size = object.cost + 96
        guard size <= budget / 8, index.value(for: key) == nil else { return }
        let slot: Int
        if let reused = unused.popLast() {
            slot = reused
            slots[slot] = Slot(key: key, object: object, newer: -1, older: -1)
        } else {
            slot = slots.count
            slots.append(Slot(key: key, object: object, newer: -1, older: -1))
        }
        index.insert(key, slot)
        linkNewest(slot)
        bytes += size
        while bytes > budget, oldest >= 0 {
            let victim = oldest
            unlink(victim)
            bytes -= (slots[victim].object?.cost ?? 0) + 96
            index.remove(slots[victim].key)
            slots[victim].object = nil
            unused.append(victim)
        }
    }

    private mutating func unlink(_ slot: Int) {
        let (newer, older) = (slots[slot].newer, slots[slot].older)
        if newer >= 0 { slots[newer].older = older } else { newest = older }
        if older >= 0 { slots[older].newer = newer } else { oldest = newer }
    }

    private mutating func linkNewest(_ slot: Int) {
        slots[slot].newer = -1
        slots[slot].older = newest
        if newest >= 0 { slots[newest].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }
}

/// Non-negative integers (pack offsets) to integers, by open addressing with linear
/// probing and a multiplicative hash: the cache's index, without the cost of hashing a
/// dictionary key with a seeded hasher.
private struct OffsetTable {
    private var keys = [Int](repeating: -1, count: 1024)
    private var values = [Int](repeating: 0, count: 1024)
    private var count = 0
    private var shift = 64 - 10

    private func home(_ key: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(truncatingIfNeeded: key) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    func value(for key: Int) -> Int? {
        let mask = keys.count - 1
        var place = home(key)
        while keys[place] >= 0 {
            if keys[place] == key { return values[place] }
            place = (place + 1) & mask
        }
        return nil
    }

    /// Adds a key that is not in the table.
    mutating func insert(_ key: Int, _ value: Int) {
        if (count + 1) * 2 > keys.count { grow() }
        let mask = keys.count - 1
        var place = home(key)
        while keys[place] >= 0 { place = (place + 1) & mask }
        keys[place] = key
        values[place] = value
        count += 1
    }

    /// Removes a key, moving back any later key of the same run whose probe passed its place.
    mutating func remove(_ key: Int) {
        let mask = keys.count - 1
        var place = home(key)
        while keys[place] != key {
            guard keys[place] >= 0 else { return }
            place = (place + 1) & mask
        }
        keys[place] = -1
        count -= 1
        var next = (place + 1) & mask
        while keys[next] >= 0 {
            let wanted = home(keys[next])
            // Move it back if its home is not within (place, next] going round.
            let between = place <= next ? (wanted > place && wanted <= next) : (wanted > place || wanted <= next)
            if !between {
                keys[place] = keys[next]
                values[place] = values[next]
                keys[next] = -1
                place = next
            }
            next = (next + 1) & mask
        }
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = [Int](repeating: -1, count: oldKeys.count * 2)
        values = [Int](repeating: 0, count: oldKeys.count * 2)
        shift -= 1
        count = 0
        for (key, value) in zip(oldKeys, oldValues) where key >= 0 {
            insert(key, value)
        }
    }
}

/// The trees and commits read last, by id, in a table indexed by the id's first bits:
/// an insert replaces whatever had its place. No hashing and no bookkeeping, for the
/// objects read twice in a row (a commit's trees are its child's parent trees).
private struct RecentObjects {
    private var slots = [(id: ObjectID, object: RawObject)?](repeating: nil, count: 2048)
    private var bytes = 0
    private static let budget = 2 << 20

    subscript(id: ObjectID) -> RawObject? {
        guard let slot = slots[Self.slot(id)], slot.id == id else { return nil }
        return slot.object
    }

    mutating func insert(_ object: RawObject, id: ObjectID) {
        let place = Self.slot(id)
        if let old = slots[place] {
            bytes -= old.object.bytes.count
            slots[place] = nil
        }
        guard bytes + object.bytes.count <= Self.budget else { return }
        bytes += object.bytes.count
        slots[place] = (id, object)
    }

    private static func slot(_ id: ObjectID) -> Int { Int(truncatingIfNeeded: id.leadingBits >> 53) }
}

/// git's delta format: the base's size, the result's size, then copies from the base and
/// inserted bytes.
private enum Delta {
    static func apply(_ delta: [UInt8], to base: [UInt8], into buffer: inout ObjectBuffer) -> [UInt8]? {
        delta.withUnsafeBufferPointer { delta in
            base.withUnsafeBufferPointer { base in apply(delta, to: base, into: &buffer) }
        }
    }

    private static func apply(
        _ delta: UnsafeBufferPointer<UInt8>, to base: UnsafeBufferPointer<UInt8>, into buffer: inout ObjectBuffer
    ) -> [UInt8]? {
        var index = 0
        func size() -> Int? {
            var value = 0, shift = 0
            while index < delta.count, shift < 57 {
                let byte = delta[index]
                index += 1
                value |= Int(byte & 0x7f) << shift
                shift += 7
                if byte & 0x80 == 0 { return value }
            }
            return nil
        }
        guard let baseSize = size(), baseSize == base.count, let resultSize = size() else { return nil }
        return buffer.make(resultSize) { out in run(delta[index...], on: base, into: out) }
    }

    /// Runs the delta's instructions into `out`, which they must fill exactly.
    private static func run(
        _ delta: Slice<UnsafeBufferPointer<UInt8>>, on base: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>
    ) -> Bool {
        var index = delta.startIndex
        var written = 0
        while index < delta.endIndex {
            let command = delta[index]
            index += 1
            if command & 0x80 != 0 {
                var offset = 0, length = 0
                for bit in 0..<4 where command & (1 << bit) != 0 {
                    guard index < delta.endIndex else { return false }
                    offset |= Int(delta[index]) << (8 * bit)
                    index += 1
                }
                for bit in 0..<3 where command & (0x10 << bit) != 0 {
                    guard index < delta.endIndex else { return false }
                    length |= Int(delta[index]) << (8 * bit)
                    index += 1
                }
                if length == 0 { length = 0x10000 }
                guard offset + length <= base.count, written + length <= out.count else { return false }
                (out.baseAddress! + written).update(from: base.baseAddress! + offset, count: length)
                written += length
            } else if command != 0 {
                let length = Int(command)
                guard index + length <= delta.endIndex, written + length <= out.count else { return false }
                (out.baseAddress! + written).update(from: delta.base.baseAddress! + index, count: length)
                index += length
                written += length
            } else {
                return false
            }
        }
        return written == out.count
    }
}

/// Inflates a pack entry's zlib stream whole, with libdeflate: its size is known from its
/// header, so no stream is kept between calls (zlib's inflate, reset for each entry, took
/// about twice as long).
private struct Inflater: ~Copyable {
    private let decompressor: OpaquePointer?

    init() {
        decompressor = libdeflate_alloc_decompressor()
    }

    deinit {
        if let decompressor { libdeflate_free_decompressor(decompressor) }
    }

    /// Inflates one zlib stream from the front of `input`, which must come to exactly
    /// `size` bytes (and whose checksum must hold); nil when it does not, or when `input`
    /// ends first.
    mutating func inflate(_ input: UnsafeRawBufferPointer, size: Int, into buffer: inout ObjectBuffer) -> [UInt8]? {
        guard let decompressor, let start = input.baseAddress else { return nil }
        // Without a count of what was written, anything but exactly `size` bytes is an error.
        return buffer.make(size) { out in
            libdeflate_zlib_decompress(decompressor, start, input.count, out.baseAddress, size, nil) == LIBDEFLATE_SUCCESS
        }
    }
}

/// Where a reader makes each object (inflated, or a delta applied) before it is copied into
/// an array of its size. An array made by `Array(unsafeUninitializedCapacity:)` is
/// allocated by the standard library's unspecialized code, which looks up the array's type
/// at run time: about 400 instructions more than a copy of a few hundred bytes into an
/// array made from a buffer (callgrind), for each of the tens of thousands of objects a
/// history's trees and commits take. Objects above `limit` are made in place.
struct ObjectBuffer: ~Copyable {
    private var space: UnsafeMutableBufferPointer<UInt8>
    static let limit = 1 << 16

    init() {
        space = .allocate(capacity: 1 << 12)
    }

    deinit {
        space.deallocate()
    }

    /// `count` bytes written by `write`, which says whether it wrote them all; nil when it did not.
    mutating func make(_ count: Int, _ write: (UnsafeMutableBufferPointer<UInt8>) -> Bool) -> [UInt8]? {
        guard count <= Self.limit else {
            var complete = false
            let result = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
                complete = write(out)
                initialized = complete ? count : 0
            }
            return complete ? result : nil
        }
        if space.count < count {
            space.deallocate()
            space = .allocate(capacity: max(count, space.count * 2))
        }
        let out = UnsafeMutableBufferPointer(rebasing: space[..<count])
        guard write(out) else { return nil }
        return Array(UnsafeBufferPointer(out))
    }
}

extension Repository {
    /// An object's bytes, checked to be of `kind`: from the packs directly when they hold
    /// it, else through libgit2 (loose objects, a push's quarantine, alternates).
    func rawObject(_ id: ObjectID, _ kind: ObjectKind) throws(GitError) -> [UInt8] {
        func operation() -> String { "read \(kind) \(id)" }
        if let object = packReader.read(id) {
            guard object.kind == kind else {
                throw GitError(code: .other(-3), operation: operation(), message: "the object is a \(object.kind)")
            }
            return object.bytes
        }
        var odb: OpaquePointer?
        try git(operation()) { git_repository_odb(&odb, pointer) }
        defer { git_odb_free(odb) }
        var object: OpaquePointer?
        var oid = id.oid
        try git(operation()) { git_odb_read(&object, odb, &oid) }
        defer { git_odb_object_free(object) }
        let type = git_odb_object_type(object)
        guard type.rawValue == Int32(kind.rawValue) else {
            throw GitError(code: .other(-3), operation: operation(), message: "the object is not a \(kind)")
        }
        let size = git_odb_object_size(object)
        guard size > 0, let data = git_odb_object_data(object) else { return [] }
        return Array(UnsafeRawBufferPointer(start: data, count: size))
    }
}

extension Repository.PackCaches {
    /// The budget of the objects deltas were applied to (`PackReader`).
    var bases: Int {
        switch self {
        case .withBlobs: 8 << 20
        case .treesOnly: 16 << 20
        }
    }

    /// The budget of inflated deltas.
    var links: Int {
        switch self {
        case .withBlobs: 4 << 20
        case .treesOnly: 2 << 20
        }
    }
}
