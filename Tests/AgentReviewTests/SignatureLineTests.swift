@testable import AgentReviewGit
import Testing

/// The `NAME <EMAIL> SECONDS ±HHMM` lines of a commit's author and committer, as the byte
/// parser takes them apart (`Signature.strictParts`): against a plain reading of the same
/// rules on many lines, odd ones and one-byte changes of each (which lines reach libgit2
/// instead is tested on real commits in `PackReaderTests`).
@Suite struct SignatureLineTests {
    /// The rules as first written, on the slice's own operations: the oracle.
    static func reference(_ text: ArraySlice<UInt8>) -> (name: Range<Int>, email: Range<Int>, time: Int64, offset: Int32)? {
        let open = UInt8(ascii: "<"), close = UInt8(ascii: ">"), space = UInt8(ascii: " ")
        func isSpace(_ byte: UInt8) -> Bool { byte == space || (byte >= 9 && byte <= 13) }
        guard let lt = text.firstIndex(of: open), let gt = text.firstIndex(of: close), lt < gt,
              text.count(where: { $0 == open || $0 == close }) == 2,
              lt > text.startIndex + 1, text[lt - 1] == space
        else { return nil }
        let name = text[text.startIndex..<(lt - 1)]
        let email = text[(lt + 1)..<gt]
        guard let first = name.first, let last = name.last, !isSpace(first), !isSpace(last),
              email.isEmpty || (!isSpace(email.first!) && !isSpace(email.last!))
        else { return nil }
        // " SECONDS ±HHMM" and nothing more.
        let rest = text[(gt + 1)...]
        guard rest.count >= 8, rest.first == space, let gap = rest.dropFirst().firstIndex(of: space) else { return nil }
        let digits = rest[(rest.startIndex + 1)..<gap], zone = rest[(gap + 1)...]
        guard (1...18).contains(digits.count), digits.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              zone.count == 5, zone.first == UInt8(ascii: "+") || zone.first == UInt8(ascii: "-"),
              zone.dropFirst().allSatisfy({ $0 >= 48 && $0 <= 57 })
        else { return nil }
        let time = digits.reduce(Int64(0)) { $0 * 10 + Int64($1 - 48) }
        func digit(_ at: Int) -> Int32 { Int32(zone[zone.startIndex + at] - 48) }
        let hours = digit(1) * 10 + digit(2), minutes = digit(3) * 10 + digit(4)
        guard hours <= 14, minutes <= 59 else { return nil }
        let offset = (hours * 60 + minutes) * (zone.first == UInt8(ascii: "-") ? -1 : 1)
        return (name.startIndex..<name.endIndex, email.startIndex..<email.endIndex, time, offset)
    }

    static let lines = [
        "A U Thor <author@example.com> 1700000000 +0000",
        "Claude <noreply@anthropic.com> 1 -1200",
        "x <> 0 +1400",
        "Name With  Spaces <a@b> 123456789012345678 +0959",
        "Name <a@b> 1234567890123456789 +0000",
        "Name <a@b> 1700000000 +1500",
        "Name <a@b> 1700000000 +0160",
        "Name <a@b> 1700000000 0100",
        "Name <a@b> 1700000000 +010",
        "Name <a@b> 1700000000 +01000",
        "Name <a@b>  1700000000 +0100",
        "Name <a@b> 1700000000  +0100",
        "Name <a@b>1700000000 +0100",
        "Name<a@b> 1700000000 +0100",
        " Name <a@b> 1700000000 +0100",
        "Name  <a@b> 1700000000 +0100",
        "Name < a@b> 1700000000 +0100",
        "Name <a@b > 1700000000 +0100",
        "Name <a@b> <c@d> 1700000000 +0100",
        "Name >a@b< 1700000000 +0100",
        "Name <a@b 1700000000 +0100",
        " <a@b> 1700000000 +0100",
        "<a@b> 1700000000 +0100",
        "Name\t <a@b> 1700000000 +0100",
        "Caf\u{e9} <caf\u{e9}@example.com> 1700000000 -0030",
        "",
        "Name <a@b>",
        "Name <a@b> ",
        "Name <a@b> 1 +0000 ",
    ]

    @Test func readsEachLineAsTheRulesSay() {
        var taken = 0
        for line in Self.lines {
            let bytes = Array(line.utf8)
            let ours = Signature.strictParts(bytes[...])
            #expect(Self.same(ours, Self.reference(bytes[...])), "\(line)")
            if ours != nil { taken += 1 }
        }
        #expect(taken >= 4, "the usual forms are taken")
    }

    /// Every line with each byte replaced by each of the bytes the rules care about, and
    /// with each byte removed; inside a longer buffer, so that the slice's indices are not 0.
    @Test func oneByteChangesAreReadAsTheRulesSay() {
        let bytesOfNote = Array(" <>\t\n\r+-09aZ".utf8) + [0, 0x0b, 0x0c, 0x2f, 0x3a, 0x80, 0xff]
        var compared = 0
        for line in Self.lines.prefix(4) {
            let bytes = Array(line.utf8)
            var variants = [[UInt8]]()
            for index in bytes.indices {
                for byte in bytesOfNote where byte != bytes[index] {
                    var changed = bytes
                    changed[index] = byte
                    variants.append(changed)
                }
                var shorter = bytes
                shorter.remove(at: index)
                variants.append(shorter)
            }
            for variant in variants {
                let framed = Array("author ".utf8) + variant + [UInt8(ascii: "\n")]
                let slice = framed[7..<(framed.count - 1)]
                #expect(Self.same(Signature.strictParts(slice), Self.reference(slice)), "\(String(decoding: variant, as: UTF8.self))")
                compared += 1
            }
        }
        #expect(compared > 1_000)
    }

    private static func same(
        _ a: (name: Range<Int>, email: Range<Int>, time: Int64, offset: Int32)?,
        _ b: (name: Range<Int>, email: Range<Int>, time: Int64, offset: Int32)?
    ) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (a?, b?): a.name == b.name && a.email == b.email && a.time == b.time && a.offset == b.offset
        default: false
        }
    }
}
