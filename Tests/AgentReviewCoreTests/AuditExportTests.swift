import Crypto
import Foundation
import Testing

@testable import AgentReviewCore

@Suite struct AuditExportTests {
    /// 2026-11-18T11:06:40.125Z: the milliseconds are exact in binary.
    static let time = Date(timeIntervalSince1970: 1_795_000_000.125)
    static let nanos = "1795000000125000000"

    static let agentCommit = String(repeating: "c", count: 40)
    static let humanCommit = String(repeating: "d", count: 40)
    static let blockedCommit = String(repeating: "e", count: 40)

    /// An agent's commit let through by a break-glass override, with a session and an operator.
    static func overridden() -> CommitReport {
        var report = AuditFixture.report(agentCommit, verdict: .overridden, session: "sess-42", operator: "bob@example.com")
        report.approvals = [
            ApprovalReport(approval: Signoff.Approval(reviewer: "r1@example.com", key: "SHA256:k1", record: "rec1"), meets: ["approval 1 of 2"]),
            ApprovalReport(approval: Signoff.Approval(reviewer: "r2@example.com"), meets: []),
        ]
        report.override = OverrideReport(
            override: Signoff.Override(
                signer: "oncall@example.com", reason: "prod down: INC-4211", date: utc("2026-11-18T10:00:00Z"), key: "SHA256:ko",
                record: "rec-override"),
            satisfied: [Missing(requirement: "approvals", detail: "1 more approval", command: "agentreview approve cccccccccccc")])
        report.contract = ContractReport(name: "infra-fix", source: ".agentreview/contracts/infra-fix.yml", violations: [])
        return report
    }

    static func blocked() -> CommitReport {
        var report = AuditFixture.report(blockedCommit, verdict: .blocked)
        report.missing = [
            Missing(requirement: "approvals", detail: "2 more approvals", command: "agentreview approve eeeeeeeeeeee"),
            Missing(requirement: "human_signoff", detail: "a person's sign-off", command: "agentreview approve eeeeeeeeeeee"),
        ]
        return report
    }

    static func chained(_ entry: AuditEntry) -> (entry: AuditEntry, line: [UInt8]) {
        let next = AuditChain.Next(chain: String(repeating: "9", count: 32), seq: 7, prev: String(repeating: "8", count: 64), after: nil, newlineFirst: false)
        let line = try! AuditChain.line(for: entry, chained: next)
        return (try! JSONDecoder().decode(AuditEntry.self, from: Data(line.dropLast())), line)
    }

    /// The export of `entry`, parsed.
    static func export(_ entry: AuditEntry, line: [UInt8]? = nil, host: String? = "git.example.com") throws -> [String: Any] {
        let bytes = try AuditExport.otlpJSON(entry, line: line, host: host, serviceVersion: "1.2.3")
        #expect(!bytes.contains(UInt8(ascii: "\n")), "one line, no LF")
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    static func scopeLogs(_ json: [String: Any]) throws -> [String: Any] {
        let resourceLogs = try #require(json["resourceLogs"] as? [[String: Any]])
        #expect(resourceLogs.count == 1)
        let scopeLogs = try #require(resourceLogs[0]["scopeLogs"] as? [[String: Any]])
        #expect(scopeLogs.count == 1)
        return scopeLogs[0]
    }

    static func records(_ json: [String: Any]) throws -> [[String: Any]] {
        try #require(try scopeLogs(json)["logRecords"] as? [[String: Any]])
    }

    /// Attributes as key → the AnyValue object.
    static func attributes(_ object: [String: Any]) throws -> [String: [String: Any]] {
        let list = try #require(object["attributes"] as? [[String: Any]])
        var map = [String: [String: Any]]()
        for item in list {
            let key = try #require(item["key"] as? String)
            #expect(map[key] == nil, "\(key) once")
            map[key] = try #require(item["value"] as? [String: Any])
        }
        return map
    }

    static func string(_ value: [String: Any]?) -> String? { value?["stringValue"] as? String }

    static func strings(_ value: [String: Any]?) -> [String]? {
        guard let array = value?["arrayValue"] as? [String: Any], let values = array["values"] as? [[String: Any]] else { return nil }
        return values.map { $0["stringValue"] as? String ?? "(not a string)" }
    }

    @Test func theResourceAndScope() throws {
        let json = try Self.export(AuditFixture.entry([Self.blocked()], time: Self.time))
        let resourceLogs = try #require(json["resourceLogs"] as? [[String: Any]])
        let resource = try #require(resourceLogs[0]["resource"] as? [String: Any])
        let attributes = try Self.attributes(resource)
        #expect(Self.string(attributes["service.name"]) == "agentreview")
        #expect(Self.string(attributes["service.version"]) == "1.2.3")
        #expect(Self.string(attributes["host.name"]) == "git.example.com")
        #expect(Self.string(attributes["vcs.repository.name"]) == "project")
        #expect(attributes["vcs.repository.url.full"] == nil, "a path is no URL")
        let scope = try #require(try Self.scopeLogs(json)["scope"] as? [String: Any])
        #expect(scope["name"] as? String == "agentreview")
        #expect(scope["version"] as? String == "1.2.3")

        // No host: no host.name.
        let noHost = try Self.export(AuditFixture.entry([Self.blocked()], time: Self.time), host: nil)
        let noHostResource = try #require((noHost["resourceLogs"] as? [[String: Any]])?.first?["resource"] as? [String: Any])
        #expect(try Self.attributes(noHostResource)["host.name"] == nil)
    }

    @Test func oneRecordForTheRefAndOnePerCommitAtTheEntrysTime() throws {
        let entry = AuditFixture.entry([Self.overridden(), AuditFixture.report(Self.humanCommit, verdict: .pass, agent: nil), Self.blocked()], time: Self.time)
        #expect(entry.time == "2026-11-18T11:06:40.125Z")
        let records = try Self.records(try Self.export(entry))
        #expect(records.count == 1 + 3)
        for record in records {
            #expect(record["timeUnixNano"] as? String == Self.nanos)
            #expect(record["observedTimeUnixNano"] as? String == Self.nanos)
            #expect(record["traceId"] == nil && record["spanId"] == nil)
        }
        #expect(records.map { $0["eventName"] as? String } == ["agentreview.ref_update", "agentreview.commit", "agentreview.commit", "agentreview.commit"])
        #expect(try records.map { Self.string(try Self.attributes($0)["vcs.ref.head.revision"]) } == [
            String(repeating: "2", count: 40), Self.agentCommit, Self.humanCommit, Self.blockedCommit,
        ])
    }

    @Test(arguments: [
        (Verdict.pass, 9, "INFO"), (.overridden, 13, "WARN"), (.warn, 13, "WARN"), (.blocked, 13, "WARN"),
    ])
    func severityByVerdict(_ verdict: Verdict, _ number: Int, _ text: String) throws {
        let entry = AuditFixture.entry([AuditFixture.report(Self.agentCommit, verdict: verdict)], mode: verdict == .warn ? .warn : .enforce, time: Self.time)
        #expect(entry.verdict == verdict)
        let records = try Self.records(try Self.export(entry))
        for record in records {
            #expect(record["severityNumber"] as? Int == number)
            #expect(record["severityText"] as? String == text)
        }
    }

    @Test func aFailedJudgementIsAnError() throws {
        let entry = AuditFixture.entry([], time: Self.time, error: "cannot read the policy")
        let records = try Self.records(try Self.export(entry))
        #expect(records.count == 1)
        #expect(records[0]["severityNumber"] as? Int == 17)
        #expect(records[0]["severityText"] as? String == "ERROR")
        #expect(Self.string(try Self.attributes(records[0])["agentreview.error"]) == "cannot read the policy")
        #expect(Self.string(records[0]["body"] as? [String: Any]) == "refs/heads/main (enforce): blocked, error: cannot read the policy")
    }

    @Test func theRefRecordsAttributes() throws {
        let (entry, line) = Self.chained(AuditFixture.entry([Self.overridden(), Self.blocked()], time: Self.time))
        let records = try Self.records(try Self.export(entry, line: line))
        let attributes = try Self.attributes(records[0])
        #expect(Self.string(attributes["vcs.ref.head.name"]) == "main")
        #expect(Self.string(attributes["vcs.ref.head.type"]) == "branch")
        #expect(Self.string(attributes["vcs.ref.head.revision"]) == String(repeating: "2", count: 40))
        #expect(Self.string(attributes["vcs.ref.base.revision"]) == String(repeating: "1", count: 40))
        #expect(Self.string(attributes["enduser.id"]) == "alice")
        #expect(Self.string(attributes["agentreview.pusher.source"]) == "GL_USERNAME")
        #expect(Self.string(attributes["agentreview.ref"]) == "refs/heads/main")
        #expect(Self.string(attributes["agentreview.change"]) == "update")
        #expect(Self.string(attributes["agentreview.repository"]) == "/srv/git/project.git")
        #expect(Self.string(attributes["agentreview.source"]) == "pre-receive")
        #expect(Self.string(attributes["agentreview.mode"]) == "enforce")
        #expect(Self.string(attributes["agentreview.verdict"]) == "blocked")
        #expect(attributes["agentreview.counts.pass"]?["intValue"] as? String == "0")
        #expect(attributes["agentreview.counts.overridden"]?["intValue"] as? String == "1")
        #expect(attributes["agentreview.counts.warn"]?["intValue"] as? String == "0")
        #expect(attributes["agentreview.counts.blocked"]?["intValue"] as? String == "1")
        #expect(Self.string(attributes["agentreview.policy.ref"]) == "refs/heads/main")
        #expect(Self.string(attributes["agentreview.policy.commit"]) == String(repeating: "a", count: 40))
        #expect(Self.string(attributes["agentreview.policy.path"]) == ".agentreview/policy.yml")
        #expect(Self.string(attributes["agentreview.policy.blob"]) == String(repeating: "b", count: 40))
        #expect(attributes["agentreview.error"] == nil && attributes["agentreview.nothing_judged"] == nil)
        #expect(Self.string(records[0]["body"] as? [String: Any]) == "refs/heads/main (enforce): blocked, 2 commits: 1 overridden, 1 blocked")

        // Every record joins the log: chain, seq, and the line's hash, which the next entry's prev is.
        let next = AuditChain.next(tail: [Self.lf] + line, fileIsEmpty: false, newChainID: { "unused" })
        for record in records {
            let shared = try Self.attributes(record)
            #expect(Self.string(shared["agentreview.chain"]) == String(repeating: "9", count: 32))
            #expect(shared["agentreview.seq"]?["intValue"] as? String == "7")
            #expect(Self.string(shared["agentreview.entry.sha256"]) == next.prev)
        }
        // The same with the LF the appender wrote first.
        let records2 = try Self.records(try Self.export(entry, line: [Self.lf] + line))
        #expect(Self.string(try Self.attributes(records2[0])["agentreview.entry.sha256"]) == next.prev)
        // No line, no hash.
        #expect(try Self.attributes(try Self.records(try Self.export(entry))[0])["agentreview.entry.sha256"] == nil)
    }

    static let lf = UInt8(ascii: "\n")

    @Test func aCreatedTagAndADeletedBranch() throws {
        let zeros = String(repeating: "0", count: 40)
        let created = AuditFixture.entry([Self.blocked()], ref: "refs/tags/v1.0", time: Self.time, old: zeros)
        let createdAttributes = try Self.attributes(try Self.records(try Self.export(created))[0])
        #expect(Self.string(createdAttributes["vcs.ref.head.name"]) == "v1.0")
        #expect(Self.string(createdAttributes["vcs.ref.head.type"]) == "tag")
        #expect(createdAttributes["vcs.ref.base.revision"] == nil)
        #expect(Self.string(createdAttributes["agentreview.change"]) == "create")

        var deleted = AuditFixture.entry([], ref: "refs/notes/agentreview", time: Self.time, new: zeros)
        deleted.nothingJudged = "a deletion"
        let deletedRecord = try Self.records(try Self.export(deleted))[0]
        let deletedAttributes = try Self.attributes(deletedRecord)
        #expect(Self.string(deletedAttributes["vcs.ref.head.name"]) == "refs/notes/agentreview")
        #expect(deletedAttributes["vcs.ref.head.type"] == nil)
        #expect(deletedAttributes["vcs.ref.head.revision"] == nil)
        #expect(Self.string(deletedAttributes["agentreview.change"]) == "delete")
        #expect(Self.string(deletedAttributes["agentreview.nothing_judged"]) == "a deletion")
        #expect(Self.string(deletedRecord["body"] as? [String: Any]) == "refs/notes/agentreview (enforce): pass, nothing judged: a deletion")
    }

    @Test func aCommitWithAgentSessionAndOverride() throws {
        let entry = AuditFixture.entry([Self.overridden(), Self.blocked()], time: Self.time)
        let records = try Self.records(try Self.export(entry))
        let attributes = try Self.attributes(records[1])
        #expect(Self.string(attributes["vcs.ref.head.name"]) == "main")
        #expect(Self.string(attributes["vcs.ref.head.revision"]) == Self.agentCommit)
        #expect(Self.string(attributes["gen_ai.agent.name"]) == "claude-code")
        #expect(Self.string(attributes["gen_ai.conversation.id"]) == "sess-42")
        #expect(Self.string(attributes["agentreview.operator"]) == "bob@example.com")
        #expect(Self.strings(attributes["agentreview.evidence"]) == ["trailer Co-Authored-By: Claude"])
        #expect(Self.string(attributes["agentreview.class"]) == "high")
        #expect(Self.string(attributes["agentreview.verdict"]) == "overridden")
        #expect(Self.string(attributes["agentreview.contract.name"]) == "infra-fix")
        #expect(Self.string(attributes["agentreview.contract.source"]) == ".agentreview/contracts/infra-fix.yml")
        #expect(attributes["agentreview.contract.violations"] == nil, "none broken")
        #expect(Self.strings(attributes["agentreview.approvals"]) == ["r1@example.com", "r2@example.com"])
        #expect(Self.string(attributes["agentreview.override.signer"]) == "oncall@example.com")
        #expect(Self.string(attributes["agentreview.override.reason"]) == "prod down: INC-4211")
        #expect(Self.string(attributes["agentreview.override.record"]) == "rec-override")
        #expect(Self.string(attributes["agentreview.override.key"]) == "SHA256:ko")
        #expect(Self.string(attributes["agentreview.override.date"]) == "2026-11-18T10:00:00Z")
        #expect(Self.strings(attributes["agentreview.override.satisfied"]) == ["1 more approval"])
        #expect(attributes["agentreview.missing"] == nil)
        #expect(attributes["agentreview.bot"] == nil)
        #expect(records[1]["severityNumber"] as? Int == 13)
        #expect(
            Self.string(records[1]["body"] as? [String: Any])
                == "cccccccccccc by claude-code, class high: overridden; overridden by oncall@example.com: \"prod down: INC-4211\"")

        let blocked = try Self.attributes(records[2])
        #expect(Self.strings(blocked["agentreview.missing"]) == ["2 more approvals", "a person's sign-off"])
        #expect(blocked["gen_ai.conversation.id"] == nil)
        #expect(blocked["agentreview.override.signer"] == nil)
        #expect(blocked["agentreview.approvals"] == nil)
        #expect(Self.string(blocked["agentreview.verdict"]) == "blocked")
    }

    @Test func theEncodingIsOTLPJSON() throws {
        let entry = AuditFixture.entry([Self.overridden()], time: Self.time)
        let bytes = try AuditExport.otlpJSON(entry, host: "h", serviceVersion: "1.2.3")
        let text = String(decoding: bytes, as: UTF8.self)
        // lowerCamelCase keys, enums as numbers, 64-bit integers as strings; deterministic.
        #expect(text.contains(#""timeUnixNano":"1795000000125000000""#))
        #expect(text.contains(#""severityNumber":13"#))
        #expect(text.contains(#""intValue":"1""#))
        #expect(!text.contains("_unix_nano") && !text.contains("resource_logs"))
        #expect(try AuditExport.otlpJSON(entry, host: "h", serviceVersion: "1.2.3") == bytes)
    }

    @Test func aTimeNotAsTheLogWritesItIsRefused() throws {
        var entry = AuditFixture.entry([], time: Self.time)
        entry.time = "2026-11-18 11:06:40"
        #expect(throws: AuditExport.TimeError.self) { try AuditExport.otlpJSON(entry, host: nil, serviceVersion: "1") }
        entry.time = "2026-02-30T11:06:40.000Z"
        #expect(throws: AuditExport.TimeError.self) { try AuditExport.otlpJSON(entry, host: nil, serviceVersion: "1") }
        entry.time = "2026-11-18T11:06:40Z"
        let records = try Self.records(try Self.export(entry))
        #expect(records[0]["timeUnixNano"] as? String == "1795000000000000000")
    }

    @Test func repositoryNamesAndURLs() {
        #expect(AuditExport.repositoryName("/srv/git/project.git") == "project")
        #expect(AuditExport.repositoryName("group/sub/app") == "app")
        #expect(AuditExport.repositoryName("/srv/git/project.git/") == "project")
        #expect(AuditExport.repositoryURL("/srv/git/project.git") == nil)
        #expect(AuditExport.repositoryURL("https://git.example.com/group/app.git") == "https://git.example.com/group/app")
    }
}
