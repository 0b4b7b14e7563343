import AgentReviewTestSupport
import Foundation
import Testing
@testable import AgentReviewCore

@Suite("Trailers")
struct TrailersTests {
    /// A commit message as raw bytes, to feed both git and our parser.
    struct RawMessage: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]

        init(_ name: String, _ text: String) {
            self.name = name
            self.bytes = Array(text.utf8)
        }

        init(_ name: String, bytes: [UInt8]) {
            self.name = name
            self.bytes = bytes
        }

        var testDescription: String { name }
        /// What our caller hands us: the bytes decoded lossily.
        var string: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// What `git interpret-trailers --parse` prints for `bytes`, one trailer a line, decoded lossily.
    static func gitParsedTrailers(_ bytes: [UInt8], in directory: URL) throws -> [String] {
        let output = try GitProcess.check(["interpret-trailers", "--parse"], in: directory, input: Data(bytes))
        var lines = output.stdout.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Runs git outside any repository, so no repository's `trailer.*` or `core.commentChar` applies.
    static func withScratchDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let directory = try GitProcess.temporaryDirectory("agentreview-trailers")
        defer { try? FileManager.default.removeItem(at: directory) }
        return try body(directory)
    }

    static let scissorsLine = "# ------------------------ >8 ------------------------"

    static let gitReferenceCases: [RawMessage] = [
        RawMessage("plain trailers", "Fix the frobnicator\n\nLonger text.\n\nSigned-off-by: A <a@example.com>\nReviewed-by: B <b@example.com>\n"),
        RawMessage("trailer outside the last paragraph", "Title\n\nKey: not a trailer here\n\nSome closing words.\n"),
        RawMessage("trailers in an earlier paragraph and the last", "Title\n\nEarlier: one\n\nLater: two\n"),
        RawMessage("mixed case keys", "Title\n\nCo-Authored-By: Claude <noreply@anthropic.com>\nco-authored-by: x <x@y>\nSIGNED-OFF-BY: Me <me@example.com>\n"),
        RawMessage("continuation lines", "Title\n\nKey: first\n  second\n\tthird\nOther: v\n"),
        RawMessage("continuation with blank-ish lines", "Title\n\nKey: first\n   \n  second\n"),
        RawMessage("continuation before any trailer", "Title\n\n  indented\nKey: v\n"),
        RawMessage("only continuation-like lines", "Title\n\n  Key: v\n"),
        RawMessage("divider ends the message", "Title\n\nKey: v\n---\nOther: w\n"),
        RawMessage("divider with text", "Title\n\nKey: v\n--- a/file\n+++ b/file\n"),
        RawMessage("divider with tab", "Title\n\nKey: v\n---\tx\nOther: w\n"),
        RawMessage("dashes without whitespace are not a divider", "Title\n\nBody\n\n---x\nKey: v\n"),
        RawMessage("four dashes", "Title\n\nKey: v\n----\nOther: w\n"),
        RawMessage("divider at the very end without newline", "Title\n\nKey: v\n---"),
        RawMessage("divider inside the title paragraph", "Title\n---\n\nKey: v\n"),
        RawMessage("comment lines in the block", "Title\n\nKey: v\n# a comment\nOther: w\n"),
        RawMessage("trailing comment lines", "Title\n\nKey: v\n\n# Please enter the commit message\n# Lines starting with '#' are ignored\n"),
        RawMessage("comment right after the blank line", "Title\n\n# comment\nKey: v\n"),
        RawMessage("comment-only message", "# one\n# two\nKey: v\n"),
        RawMessage("scissors line", "Title\n\nKey: v\n\(scissorsLine)\nOther: w\n"),
        RawMessage("scissors at the start", "\(scissorsLine)\nTitle\n\nKey: v\n"),
        RawMessage("scissors right after a blank line", "Title\n\nKey: v\n\n\(scissorsLine)\nOther: w\n"),
        RawMessage("scissors as the last line", "Title\n\nKey: v\n\(scissorsLine)"),
        RawMessage("old conflicts block", "Title\n\nKey: v\n\nConflicts:\n\tfile.c\n\tother.c\n"),
        RawMessage("25% rule: one signed-off-by among three lines", "Title\n\nThis is body text\nthat looks like a paragraph\nbut ends with a sign-off\nSigned-off-by: A <a@example.com>\n"),
        RawMessage("25% rule: one signed-off-by among four lines", "Title\n\none\ntwo\nthree\nfour\nSigned-off-by: A <a@example.com>\n"),
        RawMessage("25% rule: cherry-pick line", "Title\n\nsome text\nmore text\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)\nKey: v\n"),
        RawMessage("25% rule without a git-generated line", "Title\n\nsome text\nKey: v\nOther: w\n"),
        RawMessage("25% rule: continuation lines count as non-trailers", "Title\n\nSigned-off-by: A <a@example.com>\n  x\n  y\n  z\n  w\nnot a trailer\n"),
        RawMessage("signed-off-by needs the space", "Title\n\ntext\nSigned-off-by:A\n"),
        RawMessage("title only", "Fix: the thing\n"),
        RawMessage("title only without newline", "Key: value"),
        RawMessage("two-line title", "Key: value\nOther: w\n"),
        RawMessage("empty message", ""),
        RawMessage("only newlines", "\n\n\n"),
        RawMessage("leading blank line", "\nKey: v\n"),
        RawMessage("CRLF", "Title\r\n\r\nBody text.\r\n\r\nKey: v\r\nOther: w\r\n"),
        RawMessage("CRLF continuation", "Title\r\n\r\nKey: first\r\n  second\r\n"),
        RawMessage("CRLF trailing blank lines", "Title\r\n\r\nKey: v\r\n\r\n\r\n"),
        RawMessage("trailing blank lines", "Title\n\nKey: v\n\n\n\n"),
        RawMessage("trailing whitespace lines", "Title\n\nKey: v\n  \n\t\n"),
        RawMessage("no final newline", "Title\n\nKey: v"),
        RawMessage("empty value", "Title\n\nKey:\nOther:   \n"),
        RawMessage("whitespace before the colon", "Title\n\nKey : v\nTab\t: w\n"),
        RawMessage("space inside the key", "Title\n\nNot a: trailer\n"),
        RawMessage("line starting with a colon", "Title\n\n: v\nKey: w\n"),
        RawMessage("indented colon after a comment", "Title\n\nSigned-off-by: A <a@b>\nKey: v\n# c\n : w\n"),
        RawMessage("continuation after a comment", "Title\n\nSigned-off-by: A <a@b>\nKey: v\n# c\n  cont: x\nplain\n"),
        RawMessage("URL line is a trailer", "Title\n\nhttps://example.com/x\n"),
        RawMessage("value with colons and spaces", "Title\n\nKey:   a: b  c  \n"),
        RawMessage("key with digits and dashes", "Title\n\nX-1-y: v\n-lead: w\n"),
        RawMessage("non-trailer line in an all-trailer block", "Title\n\nKey: v\nplain words\nOther: w\n"),
        RawMessage("non-ASCII key", "Title\n\nClé: v\n"),
        RawMessage("non-ASCII value", "Title\n\nCo-authored-by: Tomás Barreiro <t@example.com>\nMade-with: Cursor 🚀\n"),
        RawMessage("NUL byte ends the message", "Title\n\nKey: v\u{0}\nOther: w\n"),
        RawMessage("NUL in the title", "Ti\u{0}tle\n\nKey: v\n"),
        RawMessage("non-UTF-8 value", bytes: Array("Title\n\nKey: caf".utf8) + [0xE9] + Array("\nOther: \u{FF}".utf8) + [0xFF, 0xFE] + Array(" end\n".utf8)),
        RawMessage("non-UTF-8 in the key", bytes: Array("Title\n\nK".utf8) + [0xE9] + Array("y: v\nOk: w\n".utf8)),
        RawMessage("non-UTF-8 title", bytes: [0xC3, 0x28] + Array("\n\nKey: v\n".utf8)),
        RawMessage("truncated UTF-8 at end of value", bytes: Array("Title\n\nKey: v".utf8) + [0xE2, 0x82] + Array("\n".utf8)),
    ]

    @Test("agrees with git interpret-trailers --parse", arguments: TrailersTests.gitReferenceCases)
    func agreesWithGit(_ message: RawMessage) throws {
        let expected = try Self.withScratchDirectory { try Self.gitParsedTrailers(message.bytes, in: $0) }
        let parsed = Trailers.parse(message.string).map(\.description)
        #expect(parsed == expected)
    }

    @Test("the reference cases exercise what they claim")
    func referenceCasesAreMeaningful() {
        // Guards against a table that passes because both sides print nothing.
        func parse(_ name: String) -> [String] {
            Trailers.parse(Self.gitReferenceCases.first { $0.name == name }!.string).map(\.description)
        }
        #expect(parse("continuation lines") == ["Key: first second third", "Other: v"])
        #expect(parse("mixed case keys").first == "Co-Authored-By: Claude <noreply@anthropic.com>")
        #expect(parse("divider ends the message") == ["Key: v"])
        #expect(parse("scissors right after a blank line") == ["Key: v"])
        #expect(parse("25% rule: one signed-off-by among three lines") == ["Signed-off-by: A <a@example.com>"])
        #expect(parse("25% rule: one signed-off-by among four lines").isEmpty)
        #expect(parse("trailer outside the last paragraph").isEmpty)
        #expect(parse("title only").isEmpty)
        #expect(parse("CRLF continuation") == ["Key: first\r second"])
        #expect(parse("empty value") == ["Key: ", "Other: "])
        #expect(parse("URL line is a trailer") == ["https: //example.com/x"])
        #expect(parse("non-trailer line in an all-trailer block").isEmpty)
    }

    @Test("keys keep their case, values are trimmed and unfolded")
    func keyAndValue() {
        let trailers = Trailers.parse("T\n\nCo-Authored-By:   Claude <noreply@anthropic.com>  \nKey: a\n   b\n")
        #expect(trailers == [
            Trailer(key: "Co-Authored-By", value: "Claude <noreply@anthropic.com>"),
            Trailer(key: "Key", value: "a b"),
        ])
        #expect(trailers[0].hasKey("co-authored-by"))
        #expect(!trailers[1].hasKey("Ke"))
    }

    /// git 2.39 never returns on this message (it looks for the scissors past the divider);
    /// later git, and we, ignore a scissors line after the end of the message.
    @Test("a scissors line after a divider neither hangs nor changes the result")
    func scissorsAfterDivider() throws {
        let withScissors = "Title\n\nKey: v\n---\npatch\n\(Self.scissorsLine)\nmore\n"
        let withoutScissors = "Title\n\nKey: v\n---\npatch\nmore\n"
        let expected = try Self.withScratchDirectory { try Self.gitParsedTrailers(Array(withoutScissors.utf8), in: $0) }
        #expect(expected == ["Key: v"])
        #expect(Trailers.parse(withScissors).map(\.description) == expected)
    }

    @Test("large hostile messages parse")
    func largeMessages() {
        let continuations = "T\n\nKey: v\n" + String(repeating: " x\n", count: 100_000)
        #expect(Trailers.parse(continuations).first?.value.count == 1 + 2 * 100_000)
        let manyTrailers = "T\n\n" + String(repeating: "K: v\n", count: 100_000)
        #expect(Trailers.parse(manyTrailers).count == 100_000)
        let longLine = "T\n\nKey: " + String(repeating: "a", count: 1_000_000)
        #expect(Trailers.parse(longLine).first?.value.count == 1_000_000)
        let manyComments = "T\n\n" + String(repeating: "#\n", count: 100_000) + "K: v\n"
        #expect(Trailers.parse(manyComments).map(\.description) == ["K: v"])
    }

    /// Messages assembled from the lines git's rules care about, compared with git itself.
    @Test("agrees with git on generated messages")
    func generatedMessagesAgreeWithGit() throws {
        let fragments = [
            "Title", "", "", " ", "\t", "Body text here", "more body", "Key: value", "Co-authored-by: A <a@b>",
            "Signed-off-by: S <s@example.com>", "Signed-off-by:S", "(cherry picked from commit abc)",
            "  continued", "\tcontinued", "# comment", "---", "--- x", "---x", "Conflicts:", "\tpath.c",
            ": no key", "Key : spaced", "Bad key: v", "X-y-1:", "https://x", "Cl\u{E9}: v", "val\r",
            "Key: crlf\r", "\r", Self.scissorsLine, "K:v:w", " : x", "  K: v",
        ]
        var generator = SplitMix64(seed: 0x5EED_7A11)
        var failures: [String] = []
        try Self.withScratchDirectory { directory in
            for _ in 0..<300 {
                let count = Int(generator.next() % 10)
                var lines = (0..<count).map { _ in fragments[Int(generator.next() % UInt64(fragments.count))] }
                // git 2.39 hangs on a scissors line after a divider (see scissorsAfterDivider).
                if let divider = lines.firstIndex(where: { $0 == "---" || $0.hasPrefix("--- ") }) {
                    lines = Array(lines[...divider]) + lines[(divider + 1)...].filter { $0 != Self.scissorsLine }
                }
                let message = lines.joined(separator: "\n") + (generator.next() % 4 == 0 ? "" : "\n")
                let expected = try Self.gitParsedTrailers(Array(message.utf8), in: directory)
                let parsed = Trailers.parse(message).map(\.description)
                if parsed != expected {
                    failures.append("\(message.debugDescription): git \(expected), ours \(parsed)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) mismatches:\n\(failures.prefix(5).joined(separator: "\n"))")
    }
}
