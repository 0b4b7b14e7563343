import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An audit entry as OpenTelemetry logs: one OTLP `ExportLogsServiceRequest` in the OTLP/JSON
/// encoding (opentelemetry-proto `docs/specification.md`, "JSON Protobuf Encoding": the proto3
/// JSON mapping with lowerCamelCase keys, 64-bit integers as decimal strings, enums as
/// integers), ready to POST to a collector's `/v1/logs` or to write one a line.
///
/// Shape: one `resourceLogs` (the resource: this service on this host, for this
/// repository), one `scopeLogs` (scope `agentreview`, the service's version), and log
/// records: the first for the ref update (event `agentreview.ref_update`), then one per
/// judged commit (event `agentreview.commit`), in the entry's order. Each record's
/// `timeUnixNano` and `observedTimeUnixNano` are the entry's `time`; the event's name is in
/// the record's `eventName` field, as the semantic conventions now ask (the `event.name`
/// attribute is deprecated for it); trace and span ids are left out. Attributes with no
/// value (an absent member, an empty list) are left out.
///
/// Severity, by verdict (the ref's for the ref record, the commit's for a commit's):
///
/// | verdict      | severityNumber | severityText | why |
/// |--------------|----------------|--------------|-----|
/// | `pass`       | 9              | `INFO`       | nothing to look at |
/// | `overridden` | 13             | `WARN`       | a break-glass override let it through: someone should look |
/// | `warn`       | 13             | `WARN`       | something missing on a ref that is not enforced |
/// | `blocked`    | 13             | `WARN`       | the push was refused: the policy worked, but someone tried |
/// | (an error)   | 17             | `ERROR`      | the ref record when the judgement failed (`error` set) |
///
/// Resource attributes:
///
/// | name                      | meaning | convention |
/// |---------------------------|---------|------------|
/// | `service.name`            | `agentreview` | semantic convention (stable) |
/// | `service.version`         | this build's version | semantic convention (stable) |
/// | `host.name`               | the node that wrote the entry (its `host`), else the caller's | semantic convention |
/// | `vcs.repository.name`     | the repository's name: the last component of `repository`, without `.git` | semantic convention (vcs) |
/// | `vcs.repository.url.full` | the repository's URL, only when `repository` is an http(s) URL (without `.git`) | semantic convention (vcs) |
///
/// Ref record (`agentreview.ref_update`) attributes:
///
/// | name                         | meaning | convention |
/// |------------------------------|---------|------------|
/// | `vcs.ref.head.name`          | the ref's name: the branch or tag name for `refs/heads/…` and `refs/tags/…`, else the full ref | semantic convention (vcs) |
/// | `vcs.ref.head.type`          | `branch` or `tag`, for those | semantic convention (vcs) |
/// | `vcs.ref.head.revision`      | the ref's new value (left out for a deletion) | semantic convention (vcs) |
/// | `vcs.ref.base.revision`      | the ref's old value (left out for a creation) | semantic convention (vcs) |
/// | `enduser.id`                 | who pushed, as the server knows them | semantic convention (enduser) |
/// | `agentreview.pusher.source`  | the variable that said who pushed (`GL_USERNAME`, `USER`, …) | ours |
/// | `agentreview.ref`            | the full ref name, as judged | ours |
/// | `agentreview.change`         | `create`, `update` or `delete` (from old and new) | ours |
/// | `agentreview.repository`     | the repository as the server knows it (path, or the host's project name) | ours |
/// | `agentreview.source`         | what judged: `pre-receive` or `check` | ours |
/// | `agentreview.mode`           | `enforce`, `warn` or `off` | ours |
/// | `agentreview.verdict`        | `pass`, `overridden`, `warn` or `blocked` | ours |
/// | `agentreview.counts.pass`, `.overridden`, `.warn`, `.blocked` | commits judged, by verdict (int) | ours |
/// | `agentreview.nothing_judged` | why nothing was judged, when nothing was | ours |
/// | `agentreview.error`          | the error that stopped the judgement | ours |
/// | `agentreview.policy.ref`, `.commit`, `.path`, `.blob` | where the policy came from | ours |
///
/// Commit record (`agentreview.commit`) attributes, with `vcs.ref.head.name` and
/// `vcs.ref.head.type` of the ref as above:
///
/// | name                           | meaning | convention |
/// |--------------------------------|---------|------------|
/// | `vcs.ref.head.revision`        | the commit's id | semantic convention (vcs) |
/// | `gen_ai.agent.name`            | the agent that wrote it (`claude-code`, …) | semantic convention (GenAI, development) |
/// | `gen_ai.conversation.id`       | the agent's session, as its trailer names it | semantic convention (GenAI, development) |
/// | `agentreview.bot`              | the bot that wrote it, for a bot's commit | ours |
/// | `agentreview.operator`         | the person who ran the agent (`Agent-Operator:`) | ours |
/// | `agentreview.evidence`         | what attributed it (array of strings) | ours |
/// | `agentreview.class`            | its risk class | ours |
/// | `agentreview.declared`         | the class it declared (`Execution-Class:`), with `(under)`/`(over)` when it differs | ours |
/// | `agentreview.verdict`          | its verdict | ours |
/// | `agentreview.contract.name`, `.source` | the task contract it was judged against | ours |
/// | `agentreview.contract.violations` | each clause it broke (array) | ours |
/// | `agentreview.approvals`        | the reviewers whose approvals counted (array) | ours |
/// | `agentreview.override.signer`, `.key`, `.record`, `.date`, `.reason` | the break-glass override that satisfied it | ours |
/// | `agentreview.override.satisfied` | what the override satisfied (array) | ours |
/// | `agentreview.missing`          | what it still lacks, each in words (array) | ours |
///
/// On every record, to join them to each other and to the log:
///
/// | name                         | meaning | convention |
/// |------------------------------|---------|------------|
/// | `agentreview.chain`          | the entry's segment | ours |
/// | `agentreview.seq`            | its place in the segment (int) | ours |
/// | `agentreview.entry.sha256`   | the SHA-256 of the entry's line, when given: the next entry's `prev` | ours |
public enum AuditExport {
    /// The event names, in each log record's `eventName`.
    public static let refUpdateEvent = "agentreview.ref_update"
    public static let commitEvent = "agentreview.commit"
    /// `service.name`, and the instrumentation scope's name.
    public static let serviceName = "agentreview"

    public struct TimeError: Error, CustomStringConvertible {
        public var time: String
        public var description: String { "the entry's time \"\(time)\" is not UTC as YYYY-MM-DDTHH:MM:SS[.mmm]Z" }
    }

    /// The entry as one OTLP/JSON `ExportLogsServiceRequest`, on one line with no LF at the end.
    ///
    /// `line` is the entry's line in the log, as appended (an LF at either end is not hashed):
    /// given, each record carries its SHA-256 as `agentreview.entry.sha256`. `host` is the
    /// server's host name, when known. Throws ``TimeError`` when the entry's `time` is not
    /// as ``AuditEntry/format(_:)`` writes it.
    public static func otlpJSON(_ entry: AuditEntry, line: [UInt8]? = nil, host: String?, serviceVersion: String) throws -> [UInt8] {
        let nanos = try unixNanos(entry.time)
        var shared: [KeyValue] = [.init("agentreview.chain", entry.chain), .init("agentreview.seq", .int(Int64(entry.seq)))]
        if let line { shared.append(.init("agentreview.entry.sha256", SHA256Digest.hex(trimmingNewlines(line)))) }

        let refName = entry.ref.map(headName)
        var ref: [KeyValue] = []
        ref.append("vcs.ref.head.name", refName?.name)
        ref.append("vcs.ref.head.type", refName?.type)
        ref.append("vcs.ref.head.revision", entry.new.flatMap(revision))
        ref.append("vcs.ref.base.revision", entry.old.flatMap(revision))
        ref.append("enduser.id", entry.pusher?.name)
        ref.append("agentreview.pusher.source", entry.pusher?.from)
        ref.append("agentreview.ref", entry.ref)
        ref.append("agentreview.change", change(old: entry.old, new: entry.new))
        ref.append("agentreview.repository", entry.repository)
        ref.append("agentreview.source", entry.source)
        ref.append("agentreview.mode", entry.mode?.rawValue)
        ref.append("agentreview.verdict", entry.verdict.rawValue)
        for verdict in Verdict.allCases {
            ref.append(.init("agentreview.counts.\(verdict.rawValue)", .int(Int64(entry.counts[verdict] ?? 0))))
        }
        ref.append("agentreview.nothing_judged", entry.nothingJudged)
        ref.append("agentreview.error", entry.error)
        ref.append("agentreview.policy.ref", entry.policy?.ref)
        ref.append("agentreview.policy.commit", entry.policy?.commit)
        ref.append("agentreview.policy.path", entry.policy?.path)
        ref.append("agentreview.policy.blob", entry.policy?.blob)

        var records = [
            LogRecord(
                time: nanos, severity: entry.error != nil ? .error : Severity(entry.verdict), eventName: refUpdateEvent,
                body: refBody(entry), attributes: ref + shared)
        ]
        for commit in entry.commits {
            var attributes: [KeyValue] = []
            attributes.append("vcs.ref.head.name", refName?.name)
            attributes.append("vcs.ref.head.type", refName?.type)
            attributes.append("vcs.ref.head.revision", commit.id)
            attributes.append("gen_ai.agent.name", commit.agent)
            attributes.append("gen_ai.conversation.id", commit.session)
            attributes.append("agentreview.bot", commit.bot)
            attributes.append("agentreview.operator", commit.operator)
            attributes.append("agentreview.evidence", commit.evidence)
            attributes.append("agentreview.class", commit.class)
            attributes.append("agentreview.declared", commit.declared)
            attributes.append("agentreview.verdict", commit.verdict.rawValue)
            attributes.append("agentreview.contract.name", commit.contract?.name)
            attributes.append("agentreview.contract.source", commit.contract?.source)
            attributes.append("agentreview.contract.violations", commit.contract?.violations ?? [])
            attributes.append("agentreview.approvals", commit.approvals.map(\.reviewer))
            attributes.append("agentreview.override.signer", commit.override?.signer)
            attributes.append("agentreview.override.key", commit.override?.key)
            attributes.append("agentreview.override.record", commit.override?.record)
            attributes.append("agentreview.override.date", commit.override?.date)
            attributes.append("agentreview.override.reason", commit.override?.reason)
            attributes.append("agentreview.override.satisfied", commit.override?.satisfied ?? [])
            attributes.append("agentreview.missing", commit.missing.map(\.detail))
            records.append(
                LogRecord(
                    time: nanos, severity: Severity(commit.verdict), eventName: commitEvent, body: commitBody(commit),
                    attributes: attributes + shared))
        }

        var resource: [KeyValue] = [.init("service.name", serviceName), .init("service.version", serviceVersion)]
        resource.append("host.name", entry.host ?? host)
        resource.append("vcs.repository.name", repositoryName(entry.repository))
        resource.append("vcs.repository.url.full", repositoryURL(entry.repository))

        let request = Request(resourceLogs: [
            ResourceLogs(
                resource: Resource(attributes: resource),
                scopeLogs: [ScopeLogs(scope: Scope(name: serviceName, version: serviceVersion), logRecords: records)])
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return [UInt8](try encoder.encode(request))
    }

    // MARK: - Words

    /// `refs/heads/main (enforce): blocked, 3 commits: 1 pass, 2 blocked`.
    static func refBody(_ entry: AuditEntry) -> String {
        var text = entry.ref ?? "(no ref)"
        if let mode = entry.mode { text += " (\(mode.rawValue))" }
        text += ": \(entry.verdict.rawValue)"
        if let error = entry.error { return text + ", error: \(error)" }
        if let nothing = entry.nothingJudged { return text + ", nothing judged: \(nothing)" }
        let total = entry.counts.total
        let parts = Verdict.allCases.compactMap { verdict in
            (entry.counts[verdict] ?? 0) > 0 ? "\(entry.counts[verdict] ?? 0) \(verdict.rawValue)" : nil
        }
        text += ", \(total) commit\(total == 1 ? "" : "s")"
        if !parts.isEmpty { text += ": " + parts.joined(separator: ", ") }
        return text
    }

    /// `0123456789ab by claude-code, class high: blocked; missing: 1 more approval`.
    static func commitBody(_ commit: AuditEntry.Commit) -> String {
        let writer = commit.agent ?? commit.bot.map { "bot:\($0)" } ?? "human"
        var text = "\(commit.id.prefix(12)) by \(writer), class \(commit.class): \(commit.verdict.rawValue)"
        if let override = commit.override { text += "; overridden by \(override.signer): \"\(override.reason)\"" }
        if !commit.missing.isEmpty { text += "; missing: " + commit.missing.map(\.detail).joined(separator: "; ") }
        return text
    }

    /// `refs/heads/x` → (`x`, `branch`), `refs/tags/v1` → (`v1`, `tag`), anything else as it is.
    static func headName(_ ref: String) -> (name: String, type: String?) {
        if ref.hasPrefix("refs/heads/"), ref.count > 11 { return (String(ref.dropFirst(11)), "branch") }
        if ref.hasPrefix("refs/tags/"), ref.count > 10 { return (String(ref.dropFirst(10)), "tag") }
        return (ref, nil)
    }

    /// A revision, or nil for git's all-zeros "no object".
    static func revision(_ id: String) -> String? {
        id.isEmpty || id.allSatisfy({ $0 == "0" }) ? nil : id
    }

    static func change(old: String?, new: String?) -> String? {
        guard let old, let new else { return nil }
        switch (revision(old), revision(new)) {
        case (nil, .some): return "create"
        case (.some, nil): return "delete"
        case (.some, .some): return "update"
        case (nil, nil): return nil
        }
    }

    /// The last path component, without `.git`: `/srv/git/project.git` → `project`, `group/sub/app` → `app`.
    static func repositoryName(_ repository: String) -> String? {
        var name = Substring(repository)
        while name.hasSuffix("/") { name = name.dropLast() }
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        if name.hasSuffix(".git") { name = name.dropLast(4) }
        return name.isEmpty ? nil : String(name)
    }

    static func repositoryURL(_ repository: String) -> String? {
        guard repository.hasPrefix("https://") || repository.hasPrefix("http://") else { return nil }
        var url = Substring(repository)
        while url.hasSuffix("/") { url = url.dropLast() }
        if url.hasSuffix(".git") { url = url.dropLast(4) }
        return String(url)
    }

    static func trimmingNewlines(_ line: [UInt8]) -> ArraySlice<UInt8> {
        var slice = line[...]
        if slice.first == AuditChain.newline { slice = slice.dropFirst() }
        if slice.last == AuditChain.newline { slice = slice.dropLast() }
        return slice
    }

    /// Nanoseconds since the epoch of `2026-11-28T15:04:05.123Z` (or without the milliseconds).
    static func unixNanos(_ time: String) throws -> Int64 {
        let bytes = Array(time.utf8)
        func at(_ i: Int, _ character: Character) -> Bool { bytes[i] == character.asciiValue }
        guard bytes.count == 24 || bytes.count == 20, at(4, "-"), at(7, "-"), at(10, "T"), at(13, ":"), at(16, ":"),
            bytes.last == UInt8(ascii: "Z"), bytes.count == 20 || at(19, "."),
            let year = CivilTime.number(bytes[0..<4]), let month = CivilTime.number(bytes[5..<7]),
            let day = CivilTime.number(bytes[8..<10]), let hour = CivilTime.number(bytes[11..<13]),
            let minute = CivilTime.number(bytes[14..<16]), let second = CivilTime.number(bytes[17..<19]),
            let date = CivilTime.date(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { throw TimeError(time: time) }
        var millis = 0
        if bytes.count == 24 {
            guard let read = CivilTime.number(bytes[20..<23]) else { throw TimeError(time: time) }
            millis = read
        }
        return Int64(date.timeIntervalSince1970) * 1_000_000_000 + Int64(millis) * 1_000_000
    }

    // MARK: - OTLP/JSON messages (opentelemetry/proto/logs/v1, common/v1)

    struct Request: Encodable { var resourceLogs: [ResourceLogs] }
    struct ResourceLogs: Encodable {
        var resource: Resource
        var scopeLogs: [ScopeLogs]
    }
    struct Resource: Encodable { var attributes: [KeyValue] }
    struct ScopeLogs: Encodable {
        var scope: Scope
        var logRecords: [LogRecord]
    }
    struct Scope: Encodable {
        var name: String
        var version: String
    }

    enum Severity {
        case info, warn, error

        init(_ verdict: Verdict) {
            self = verdict == .pass ? .info : .warn
        }

        /// `SeverityNumber`: INFO 9, WARN 13, ERROR 17.
        var number: Int {
            switch self {
            case .info: 9
            case .warn: 13
            case .error: 17
            }
        }

        var text: String {
            switch self {
            case .info: "INFO"
            case .warn: "WARN"
            case .error: "ERROR"
            }
        }
    }

    struct LogRecord: Encodable {
        /// fixed64: decimal strings.
        var timeUnixNano: String
        var observedTimeUnixNano: String
        /// An enum: its number.
        var severityNumber: Int
        var severityText: String
        var eventName: String
        var body: AnyValue
        var attributes: [KeyValue]

        init(time: Int64, severity: Severity, eventName: String, body: String, attributes: [KeyValue]) {
            timeUnixNano = String(time)
            observedTimeUnixNano = String(time)
            severityNumber = severity.number
            severityText = severity.text
            self.eventName = eventName
            self.body = .string(body)
            self.attributes = attributes
        }
    }

    struct KeyValue: Encodable {
        var key: String
        var value: AnyValue

        init(_ key: String, _ value: AnyValue) {
            self.key = key
            self.value = value
        }

        init(_ key: String, _ value: String) {
            self.init(key, .string(value))
        }
    }

    /// `AnyValue`: one of its members. `intValue` is an int64, so a decimal string.
    enum AnyValue: Encodable {
        case string(String)
        case int(Int64)
        case bool(Bool)
        case array([AnyValue])

        private enum CodingKeys: String, CodingKey { case stringValue, intValue, boolValue, arrayValue }
        private struct ArrayValue: Encodable { var values: [AnyValue] }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .string(let value): try container.encode(value, forKey: .stringValue)
            case .int(let value): try container.encode(String(value), forKey: .intValue)
            case .bool(let value): try container.encode(value, forKey: .boolValue)
            case .array(let values): try container.encode(ArrayValue(values: values), forKey: .arrayValue)
            }
        }
    }
}

extension [AuditExport.KeyValue] {
    /// Appends a string attribute when there is a value.
    fileprivate mutating func append(_ key: String, _ value: String?) {
        if let value { append(.init(key, value)) }
    }

    /// Appends an array of strings when it is not empty.
    fileprivate mutating func append(_ key: String, _ values: [String]) {
        if !values.isEmpty { append(.init(key, .array(values.map { .string($0) }))) }
    }
}
