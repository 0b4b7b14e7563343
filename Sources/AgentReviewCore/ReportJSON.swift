/// A commit report's JSON written member by member, not through the `Encoder` protocol:
/// what its `Codable` conformance gives, byte for byte (`StreamingJSONEncoderTests` checks
/// both against `JSONEncoder` on reports with every member set).
///
/// Judging a history writes one report per commit, most of them a few paths, strings and
/// empty lists; through `Encoder` each member costs a container box, generic dispatch and
/// a key-order check. Measured side by side on aider's history (`check --json`, release
/// build, 2 cores): see `docs/performance.md`, "Issue 17, fourth round". The members a
/// report rarely has (approvals, a contract, a declared class, an override, `explain`'s
/// attribution) still go through `Encoder`.
///
/// Members are written in key order, as `JSONEncoder` sorts them; a member added to
/// `CommitReport` must be added here too, in its place.
extension StreamingJSONEncoder {
    func writeReport(_ report: CommitReport, depth: Int) throws {
        var members = Members(self)
        members.optional("agent", report.agent)
        try members.list("approvals", report.approvals) { try encodeValue($0, depth: depth) }
        if let attribution = report.attribution { members.key("attribution"); try encodeValue(attribution, depth: depth) }
        members.key("author"); writeString(report.author)
        members.optional("bot", report.bot)
        members.key("class"); writeString(report.class)
        if let contract = report.contract { members.key("contract"); try encodeValue(contract, depth: depth) }
        if let declared = report.declared { members.key("declared"); try encodeValue(declared, depth: depth) }
        members.list("evidence", report.evidence, writeEvidence)
        members.key("id"); writeString(report.id)
        members.list("missing", report.missing, writeMissing)
        members.optional("operator", report.operator)
        if let override = report.override { members.key("override"); try encodeValue(override, depth: depth) }
        members.list("paths", report.paths, writePath)
        members.list("reasons", report.reasons, writeString)
        members.list("refused", report.refused, writeString)
        members.optional("session", report.session)
        members.key("subject"); writeString(report.subject)
        members.key("verdict"); writeString(report.verdict.rawValue)
        members.end()
    }

    private func writePath(_ path: PathReport) {
        var members = Members(self)
        members.key("class"); writeString(path.class)
        if let line = path.line { members.key("line"); writeInteger(line) }
        members.key("path"); writeString(path.path)
        members.key("rule"); writeString(path.rule)
        members.end()
    }

    private func writeEvidence(_ evidence: Evidence) {
        var members = Members(self)
        members.optional("agent", evidence.agent)
        members.optional("bot", evidence.bot)
        members.key("source"); writeString(evidence.source)
        members.key("value"); writeString(evidence.value)
        members.end()
    }

    private func writeMissing(_ missing: Missing) {
        var members = Members(self)
        members.optional("by", missing.by)
        members.key("command"); writeString(missing.command)
        members.key("detail"); writeString(missing.detail)
        members.key("requirement"); writeString(missing.requirement)
        members.end()
    }

    /// An object, its members written by `write`.
    func writeObject(_ write: (inout Members) -> Void) {
        var members = Members(self)
        write(&members)
        members.end()
    }

    /// An object's members, written in the order given: `{`, then `"key":` before each value
    /// with the commas between, then `}`.
    struct Members {
        let encoder: StreamingJSONEncoder
        var count = 0

        init(_ encoder: StreamingJSONEncoder) {
            self.encoder = encoder
        }

        /// Begins a member; `key` needs no escaping.
        mutating func key(_ key: StaticString) {
            encoder.appendKey(key, first: count == 0)
            count += 1
        }

        /// A string member that is left out when nil, as `encodeIfPresent` leaves it.
        mutating func optional(_ key: StaticString, _ value: String?) {
            guard let value else { return }
            self.key(key)
            encoder.writeString(value)
        }

        mutating func string(_ key: StaticString, _ value: String) {
            self.key(key)
            encoder.writeString(value)
        }

        mutating func integer(_ key: StaticString, _ value: Int) {
            self.key(key)
            encoder.writeInteger(value)
        }

        /// A member whose value is an object, its members written by `write`.
        mutating func object(_ key: StaticString, _ write: (inout Members) -> Void) {
            self.key(key)
            encoder.writeObject(write)
        }

        mutating func list<Element>(_ key: StaticString, _ elements: [Element], _ write: (Element) throws -> Void) rethrows {
            self.key(key)
            encoder.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { encoder.append(UInt8(ascii: ",")) }
                try write(element)
            }
            encoder.append(UInt8(ascii: "]"))
        }

        func end() {
            if count == 0 { encoder.append(UInt8(ascii: "{")) }
            encoder.append(UInt8(ascii: "}"))
        }
    }
}
