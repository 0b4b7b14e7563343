import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

@testable import AgentReviewCLI

/// A valid policy: classes low (line 3) and high (line 4).
private let base = """
    version: 1
    classes:
      - name: low
      - name: high

    """

/// A policy read from a file (`--policy FILE`, a server's pinned `agentreview.policy`,
/// `policy check FILE`): the CLI reads it, within its limit, and Core parses it.
@Suite struct PolicyFileTests {
    @Test func loadsFromAFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("policy-loader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("policy.yml").path
        try (base + "default_mode: warn\n").write(toFile: path, atomically: true, encoding: .utf8)

        let policy = try PolicyLoader.load(contentsOf: path)
        #expect(policy.defaultMode == .warn)
        #expect(policy.source == path)
        #expect(try PolicyLoader.load(contentsOf: path, file: "main:.agentreview/policy.yml").source == "main:.agentreview/policy.yml")

        #expect(throws: PolicyError.self) { try PolicyLoader.load(contentsOf: directory.path) }
        do throws(PolicyError) {
            _ = try PolicyLoader.load(contentsOf: directory.path)
        } catch {
            #expect(error.description == "\(directory.path): cannot read the policy: it is a directory, not a file")
        }
    }

    @Test func aMissingFileSaysSo() {
        do throws(PolicyError) {
            _ = try PolicyLoader.load(contentsOf: "/nonexistent/.agentreview/policy.yml")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "/nonexistent/.agentreview/policy.yml: cannot read the policy: no such file")
            #expect(error.diagnostics.map(\.location.line) == [0])
        }
    }

    /// A pinned 50 MB policy file (sparse: it costs no disk) is refused by its size.
    @Test func aHugePolicyFileIsRefusedByItsSize() throws {
        let directory = try GitProcess.temporaryDirectory("agentreview-huge-policy")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("policy.yml").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(base.utf8)))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 50 * 1024 * 1024)
        try handle.close()
        do throws(PolicyError) {
            _ = try PolicyLoader.load(contentsOf: path, file: "pinned.yml")
            Issue.record("a 50 MB policy was read")
        } catch {
            #expect(error.diagnostics.map(\.description)
                == ["pinned.yml: policy is 52428800 bytes, over the limit of 262144 (Limits.policyBytes): not read"])
        }
    }

    // MARK: policy check and the task contracts beside the policy

    struct CheckResult: Decodable {
        struct Problem: Decodable, Equatable {
            var file: String
            var line: Int
            var column: Int?
            var message: String
        }
        var valid: Bool
        var errors: [Problem]
        var warnings: [Problem]
        var contracts: Int?
    }

    static let contract = """
        version: 1
        goal: Keep the docs in step
        owner: docs-lead@example.com
        class: low
        paths:
          allow: [docs/]
        forbid: [delete, ci-config]
        expires: 2030-12-31

        """

    /// Every error of every contract at once, each `file:line: message`, and exit 1; an
    /// entry that is not NAME.yml is a warning; the summary counts the contracts.
    @Test func policyCheckReportsABrokenContractWithItsLines() throws {
        let sandbox = try Sandbox()
        let repository = try sandbox.repository()
        try sandbox.write(".agentreview/policy.yml", base, in: repository)
        try sandbox.write(".agentreview/contracts/docs-only.yml", Self.contract, in: repository)
        try sandbox.write(".agentreview/contracts/broken.yml", """
            version: 1
            goal: Fix the build
            owner: ci-lead@example.com
            class: hihg
            forbid: [delete, delte]
            max_changed_lines: 0

            """, in: repository)
        try sandbox.write(".agentreview/contracts/notes.txt", "not a contract\n", in: repository)
        try FileManager.default.createSymbolicLink(
            atPath: repository.appendingPathComponent(".agentreview/contracts/linked.yml").path, withDestinationPath: "docs-only.yml")

        let text = try sandbox.agentreview(["policy", "check"], in: repository)
        #expect(text.status == 1, "\(text.stdout)\(text.stderr)")
        let lines = text.stderr.split(separator: "\n").map(String.init)
        let broken = ".agentreview/contracts/broken.yml"
        #expect(Array(lines.prefix(4)) == [
            "\(broken):4: unknown class 'hihg' in 'class'; did you mean 'high'? (the policy's classes are low, high)",
            "\(broken):5: unknown action 'delte' in 'forbid'; did you mean 'delete'? (the actions are delete, rename, new-file, executable, symlink, submodule, binary, dependency-change, agent-config, ci-config)",
            "\(broken):6: 'max_changed_lines' must be an integer > 0, found 0",
            ".agentreview/contracts/linked.yml: cannot read the contract: it is a symbolic link, which is never followed",
        ], "\(text.stderr)")
        #expect(lines.contains(".agentreview/contracts/notes.txt: warning: contracts are NAME.yml: notes.txt is not read"), "\(text.stderr)")
        #expect(text.stdout.hasPrefix(".agentreview/policy.yml: the policy is valid, its contracts are not (2 classes, 0 path rules, 0 ref rules, 3 contracts, 2 invalid, "),
                "\(text.stdout)")

        let json = try sandbox.agentreview(["policy", "check", "--json"], in: repository)
        #expect(json.status == 1)
        let result = try JSONDecoder().decode(CheckResult.self, from: Data(json.stdout.utf8))
        #expect(result.valid == false)
        #expect(result.contracts == 3)
        #expect(result.errors.map(\.file) == [broken, broken, broken, ".agentreview/contracts/linked.yml"])
        #expect(result.errors.map(\.line) == [4, 5, 6, 0])
        #expect(result.errors.map(\.column) == [8, 18, 20, nil])
        #expect(result.warnings.contains(.init(
            file: ".agentreview/contracts/notes.txt", line: 0, column: nil, message: "contracts are NAME.yml: notes.txt is not read")))

        // Fixed, the set is valid: exit 0, the contracts counted.
        try FileManager.default.removeItem(at: repository.appendingPathComponent(".agentreview/contracts/linked.yml"))
        try FileManager.default.removeItem(at: repository.appendingPathComponent(".agentreview/contracts/notes.txt"))
        try sandbox.write(".agentreview/contracts/broken.yml", Self.contract.replacingOccurrences(of: "class: low", with: "class: high"), in: repository)
        let fixed = try sandbox.agentreview(["policy", "check"], in: repository)
        #expect(fixed.status == 0, "\(fixed.stdout)\(fixed.stderr)")
        #expect(fixed.stdout.hasPrefix(".agentreview/policy.yml: valid (2 classes, 0 path rules, 0 ref rules, 2 contracts"), "\(fixed.stdout)")
        #expect(!fixed.stderr.contains("contracts/"), "\(fixed.stderr)")
        let fixedJSON = try JSONDecoder().decode(
            CheckResult.self, from: Data(try sandbox.agentreview(["policy", "check", "--json"], in: repository).stdout.utf8))
        #expect(fixedJSON.valid && fixedJSON.errors.isEmpty && fixedJSON.contracts == 2)
    }

    /// Contracts are checked against the policy being checked: a class only it names.
    @Test func contractsAreCheckedAgainstThePolicyBeingChecked() throws {
        let sandbox = try Sandbox()
        let repository = try sandbox.repository()
        try sandbox.write(".agentreview/policy.yml", base.replacingOccurrences(of: "name: low", with: "name: trivial"), in: repository)
        try sandbox.write(".agentreview/contracts/docs-only.yml", Self.contract, in: repository)
        let output = try sandbox.agentreview(["policy", "check", ".agentreview/policy.yml"], in: repository)
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix(
            ".agentreview/contracts/docs-only.yml:4: unknown class 'low' in 'class' (the policy's classes are trivial, high)\n"), "\(output.stderr)")

        // No contracts directory: nothing said of contracts, as before.
        try FileManager.default.removeItem(at: repository.appendingPathComponent(".agentreview/contracts"))
        let none = try sandbox.agentreview(["policy", "check"], in: repository)
        #expect(none.status == 0)
        #expect(!none.stdout.contains("contract"), "\(none.stdout)")
        #expect(try sandbox.agentreview(["policy", "check", "--json"], in: repository).stdout.contains("\"contracts\"") == false)
    }
}
