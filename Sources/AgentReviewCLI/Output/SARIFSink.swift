import AgentReviewCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The judgement as SARIF 2.1.0 (for GitHub code scanning and other SARIF readers): one
/// run whose tool is agentreview, with one rule per requirement (`agentreview/approvals`,
/// `agentreview/contract`, …), and one result per missing requirement of each blocked or
/// warn commit, per contract violation, per overridden commit and per ref that could not
/// be judged. Written once at `finish`: to `path` atomically, or to stdout.
///
/// Levels follow the verdict: blocked `error`, warn `warning`, overridden `note`; a ref
/// that could not be judged is `error` when it refuses, else `warning`. Each result
/// points at the path that explains it (a contract clause's file and line, else the first
/// path of the commit's class), has `partialFingerprints["agentreview/v1"]` (the SHA-256
/// of commit id, requirement and detail: stable from run to run) and `properties` with
/// the commit, its agent, class and verdict.
final class SARIFSink: JudgementSink {
    static let schema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    // No `informationUri` (optional in SARIF): the project has no published address yet,
    // and a made-up one would send readers nowhere.

    /// The rules, one per requirement a result can name.
    static let rules: [(requirement: String, short: String, help: String)] = [
        ("signers", "No signer of the commit is trusted",
         "The commit needs a signature by a key the trusted allowed_signers lists. Sign it, or have it signed, as the report's command says."),
        ("approvals", "Approvals missing",
         "The commit's class needs approvals by reviewers the trusted allowed_signers lists, none of them the commit's own author or operator. A reviewer runs `agentreview approve REV` and pushes the notes (`agentreview sync`)."),
        ("owners", "Code owner approval missing",
         "A path the commit changes has code owners, and the class requires one of them to approve. An owner runs `agentreview approve REV`."),
        ("human_signoff", "Human sign-off missing",
         "The commit's class requires a person's sign-off: `agentreview attest REV` by someone the allowed_signers lists."),
        ("gate", "Gate not passed",
         "The policy gates this class on a check the commit has not passed; the report says which and how to supply it."),
        ("contract", "Task contract broken",
         "The agent's task contract (Task-Contract:) forbids what the commit does, or the commit names no usable contract where the policy requires one. Fix the commit or the contract (owned by its owner)."),
        ("declared_class", "Class under-declared",
         "The commit declares (Execution-Class:) a class below the one its paths give it. Declare the computed class or above."),
        ("override", "Accepted by a break-glass override",
         "What the commit was missing was satisfied by a signed break-glass override: who, when and why are in the message. Review it after the fact."),
        ("error", "Not judged",
         "The ref could not be judged (an unreadable policy, a missing object, the time limit): fix the cause and run again."),
    ]

    struct Log: Encodable {
        var schema = SARIFSink.schema
        var version = "2.1.0"
        var runs: [Run]

        enum CodingKeys: String, CodingKey {
            case schema = "$schema", version, runs
        }
    }

    struct Run: Encodable {
        var tool: Tool
        var results: [Result]
    }

    struct Tool: Encodable {
        var driver: Driver
    }

    struct Driver: Encodable {
        var name = "agentreview"
        var version = AgentReviewCommand.configuration.version
        var rules: [Rule]
    }

    struct Text: Encodable {
        var text: String
    }

    struct Rule: Encodable {
        struct Configuration: Encodable { var level: String }
        var id: String
        var name: String
        var shortDescription: Text
        var fullDescription: Text
        var help: Text
        var defaultConfiguration: Configuration
    }

    struct Result: Encodable {
        struct Location: Encodable {
            struct Physical: Encodable {
                struct Artifact: Encodable { var uri: String }
                struct Region: Encodable { var startLine: Int }
                var artifactLocation: Artifact
                var region: Region?
            }
            var physicalLocation: Physical
        }

        struct Properties: Encodable {
            var commit: String?
            var agent: String?
            var `class`: String?
            var verdict: String
            var requirement: String
        }

        var ruleId: String
        var ruleIndex: Int
        var level: String
        var message: Text
        var locations: [Location]
        var partialFingerprints: [String: String]
        var properties: Properties
    }

    private let path: String?
    private let write: (String) -> Void
    private var results = [Result]()

    /// `path` nil: the log goes to stdout.
    init(path: String?) {
        self.path = path
        self.write = { StandardOutput.write(Array($0.utf8)) }
    }

    /// Writes through `write` instead of stdout when `path` is nil (tests).
    init(path: String?, write: @escaping (String) -> Void) {
        self.path = path
        self.write = write
    }

    static func level(_ finding: CIFinding) -> String {
        switch finding.verdict {
        case .blocked: "error"
        case .warn: "warning"
        case .overridden, .pass: "note"
        }
    }

    /// A relative path as a URI reference: each segment percent-encoded, every byte of its
    /// UTF-8 but letters, digits, `/` and the marks RFC 3986 lets a segment hold unencoded
    /// (`:`, `;` and `@` encoded too: a first segment with a colon would read as a scheme).
    static func uri(_ path: String) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,=/".utf8)
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        for byte in path.utf8 {
            if plain.contains(byte) {
                encoded.append(byte)
            } else {
                encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    private func add(_ finding: CIFinding, level: String) {
        let index = Self.rules.firstIndex { $0.requirement == finding.requirement } ?? Self.rules.count
        let physical = Result.Location.Physical(
            artifactLocation: .init(uri: Self.uri(finding.path)), region: finding.line.map { .init(startLine: $0) })
        let isCommit = !finding.commit.isEmpty
        results.append(Result(
            ruleId: "agentreview/\(finding.requirement)", ruleIndex: index, level: level, message: Text(text: finding.message),
            locations: [.init(physicalLocation: physical)],
            partialFingerprints: ["agentreview/v1": finding.fingerprint],
            properties: .init(
                commit: isCommit ? finding.commit : nil, agent: isCommit ? finding.writer : nil,
                class: isCommit ? finding.class : nil, verdict: finding.verdict.rawValue, requirement: finding.requirement)))
    }

    func begin(_ judgement: RefJudgement, heading: Heading) {}

    func commit(_ report: CommitReport, in judgement: RefJudgement) throws {
        for finding in CIFinding.findings(report) { add(finding, level: Self.level(finding)) }
    }

    func end(_ judgement: RefJudgement) {
        if let finding = CIFinding.error(judgement, ref: judgement.ref ?? "the run") {
            add(finding, level: judgement.refuses ? "error" : "warning")
        }
    }

    /// The whole log, as written.
    func log() -> Log {
        // A requirement no rule names (one added to the policy later) gets a rule of its own.
        var rules = Self.rules.map { rule in
            Rule(
                id: "agentreview/\(rule.requirement)", name: rule.requirement, shortDescription: Text(text: rule.short),
                fullDescription: Text(text: rule.help), help: Text(text: rule.help),
                defaultConfiguration: .init(level: rule.requirement == "override" ? "note" : "error"))
        }
        for index in results.indices where results[index].ruleIndex >= Self.rules.count {
            let id = results[index].ruleId
            if let known = rules.firstIndex(where: { $0.id == id }) {
                results[index].ruleIndex = known
                continue
            }
            let requirement = results[index].properties.requirement
            rules.append(Rule(
                id: id, name: requirement, shortDescription: Text(text: "Requirement \(requirement) missing"),
                fullDescription: Text(text: "The policy requires \(requirement) for the commit's class."),
                help: Text(text: "The message names the command that supplies it."), defaultConfiguration: .init(level: "error")))
            results[index].ruleIndex = rules.count - 1
        }
        return Log(runs: [Run(tool: Tool(driver: Driver(rules: rules)), results: results)])
    }

    func finish(_ outcome: JudgementOutcome) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        do {
            var data = try encoder.encode(log())
            data.append(UInt8(ascii: "\n"))
            if let path {
                try CIFile.writeAtomically(data, to: path)
            } else {
                write(String(decoding: data, as: UTF8.self))
                StandardOutput.flush()
            }
        } catch {
            CIFile.report(error, writing: path ?? "the SARIF log")
        }
    }
}
