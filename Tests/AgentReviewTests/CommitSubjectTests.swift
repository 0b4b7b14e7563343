import AgentReviewTestSupport
import Testing

@testable import AgentReviewGit

/// A commit's subject is found by scanning bytes; it must be what walking the message by
/// characters gives: the first line after any leading LFs, where a CR and the LF after it
/// are one character and so do not end the line.
@Suite struct CommitSubjectTests {
    /// The definition, by characters.
    static func byCharacters(_ message: String) -> String {
        String(message.drop { $0 == "\n" }.prefix { $0 != "\n" })
    }

    static func subject(_ message: String) -> String {
        let zero = ObjectID(hex: String(repeating: "0", count: 40))!
        let nobody = Signature(name: "A", email: "a@example.com", time: 0, offset: 0)
        return CommitInfo(id: zero, tree: zero, parents: [], author: nobody, committer: nobody, message: message).subject
    }

    @Test(arguments: [
        ("Fix it\n\nBody\n", "Fix it"), ("\n\nLeading\nsecond", "Leading"), ("", ""), ("\n\n", ""), ("one line", "one line"),
        ("CRLF\r\nstill the subject\nnext", "CRLF\r\nstill the subject"), ("\n\r\nafter", "\r\nafter"), ("a\r\r\nb\nc", "a\r\r\nb"),
        ("a\r\n\nb", "a\r\n"), ("cr\ronly\n", "cr\ronly"), ("e\u{301}\n\u{301}x", "e\u{301}"), ("🚀 launch\nmore", "🚀 launch"),
    ])
    func subjects(_ message: String, _ subject: String) {
        #expect(Self.byCharacters(message) == subject, "the definition: \(message.debugDescription)")
        #expect(Self.subject(message) == subject, "\(message.debugDescription)")
    }

    /// Every message of up to five of these pieces reads the same both ways.
    @Test func agreesWithTheDefinitionOnEveryShortMessage() {
        let pieces = ["\n", "\r", "\r\n", "a", "é", "e\u{301}", "\u{301}", "🚀", " "]
        var layer = [""]
        var checked = 0
        for _ in 1...5 {
            layer = layer.flatMap { prefix in pieces.map { prefix + $0 } }
            for message in layer where Self.subject(message) != Self.byCharacters(message) {
                Issue.record("\(message.debugDescription): \(Self.subject(message).debugDescription), by characters \(Self.byCharacters(message).debugDescription)")
            }
            checked += layer.count
        }
        #expect(checked > 60_000)
    }
}
