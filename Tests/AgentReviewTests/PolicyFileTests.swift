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
}
