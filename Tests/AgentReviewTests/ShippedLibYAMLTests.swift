import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

/// The shipped binary parses YAML with the distribution's libyaml; the test binary, which
/// also links Yams as the composer's oracle, with Yams' own copy of it. So the composer's
/// answers are checked here through the real binary (`policy check FILE --json`) against the
/// same text loaded in this process: the two libyamls must agree on every text below, and
/// the attacks must be refused by the binary as they are here.
@Suite struct ShippedLibYAMLTests {
    struct CheckResult: Decodable {
        struct Problem: Decodable {
            var line: Int
            var column: Int?
            var message: String
        }
        var valid: Bool
        var errors: [Problem]
    }

    static let valid = "version: 1\nclasses:\n  - name: low\n  - name: high\n"

    static let texts: [(String, String)] = [
        ("valid", valid),
        ("anchors and aliases", "version: 1\nclasses:\n  - &low {name: low}\n  - name: high\nx: *low\n"),
        ("duplicate keys", "version: 1\nversion: 1\nclasses:\n  - name: low\n    name: high\n"),
        ("a tab for indentation", "version: 1\nclasses:\n\t- name: low\n"),
        ("an unterminated quote", "version: 1\nclasses: \"low\n"),
        ("a second document", valid + "---\nversion: 2\n"),
        ("an undefined alias", "version: 1\nclasses: *none\n"),
        ("a control character", "version: 1\nclasses: \u{7}\n"),
        ("bad indentation", "version: 1\nclasses:\n  - name: low\n - name: high\n"),
        ("a billion laughs", "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"),
        ("65 levels", "version: 1\nx: " + String(repeating: "[", count: 65) + String(repeating: "]", count: 65) + "\n"),
        ("an empty file", ""),
    ]

    @Test(arguments: texts.map(\.0)) func theBinaryAnswersAsThisProcess(_ name: String) throws {
        let text = try #require(Self.texts.first { $0.0 == name }?.1)
        let directory = try GitProcess.temporaryDirectory("agentreview-libyaml")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("policy.yml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)

        let run = try Sandbox.run(Sandbox.binary.path, ["policy", "check", path, "--json"], in: directory)
        let result = try JSONDecoder().decode(CheckResult.self, from: Data(run.stdout.utf8))
        let here: [PolicyDiagnostic]
        do {
            _ = try PolicyLoader.load(yaml: text, file: path)
            here = []
        } catch {
            here = error.diagnostics
        }
        #expect(result.errors.map(\.message) == here.map(\.message), "\(run.stdout)")
        #expect(result.errors.map(\.line) == here.map(\.location.line))
        #expect(result.valid == here.isEmpty)
        #expect(run.status == (here.isEmpty ? 0 : 1))
    }

    /// Where the two libyamls differ (Yams' copy stops at 1,000 levels itself), the binary's
    /// answer is the composer's own.
    @Test func aHundredThousandBracketsAreRefusedByTheBinary() throws {
        let directory = try GitProcess.temporaryDirectory("agentreview-libyaml")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("policy.yml").path
        try String(repeating: "[", count: 100_000).write(toFile: path, atomically: true, encoding: .utf8)
        let run = try Sandbox.run(Sandbox.binary.path, ["policy", "check", path, "--json"], in: directory)
        let result = try JSONDecoder().decode(CheckResult.self, from: Data(run.stdout.utf8))
        #expect(run.status == 1)
        #expect(result.errors.map(\.message) == ["invalid YAML: nesting deeper than 64 levels (Limits.yamlDepth)"], "\(run.stdout)")
    }
}
