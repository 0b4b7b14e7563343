/// An audit entry's JSON written member by member, not through the `Encoder` protocol:
/// what its `Codable` conformance gives, byte for byte (`AuditChainTests` checks the line
/// against `JSONEncoder` with every member set and with none).
///
/// The hook writes one entry per ref it judges, in a process that starts for that push.
/// Through `Encoder`, the first use of each `Codable` type builds its keyed container's
/// metadata, and each such build scans every conformance record of the binary: one entry
/// met four of those scans, each about a tenth of a millisecond.
///
/// Members are written in key order, as `JSONEncoder` sorts them; a member added to
/// `AuditEntry` or to one of its types must be added here too, in its place.
extension StreamingJSONEncoder {
    /// The JSON for one entry.
    static func encode(_ entry: AuditEntry) -> [UInt8] {
        let encoder = StreamingJSONEncoder()
        encoder.writeEntry(entry)
        return encoder.bytes
    }

    private func writeEntry(_ entry: AuditEntry) {
        var members = Members(self)
        if let after = entry.after {
            members.object("after") { torn in
                torn.integer("bytes", after.bytes)
                torn.optional("chain", after.chain)
                if let seq = after.seq { torn.integer("seq", seq) }
                torn.string("sha256", after.sha256)
            }
        }
        members.string("chain", entry.chain)
        members.list("commits", entry.commits, writeCommit)
        members.object("counts") { counts in
            counts.integer("blocked", entry.counts.blocked)
            counts.integer("overridden", entry.counts.overridden)
            counts.integer("pass", entry.counts.pass)
            counts.integer("warn", entry.counts.warn)
        }
        members.optional("error", entry.error)
        members.optional("host", entry.host)
        members.optional("mode", entry.mode?.rawValue)
        members.optional("new", entry.new)
        members.optional("nothingJudged", entry.nothingJudged)
        members.optional("old", entry.old)
        if let policy = entry.policy {
            members.object("policy") { origin in
                origin.optional("blob", policy.blob)
                origin.optional("commit", policy.commit)
                origin.string("path", policy.path)
                origin.optional("ref", policy.ref)
            }
        }
        members.string("prev", entry.prev)
        if let pusher = entry.pusher {
            members.object("pusher") { who in
                who.string("from", pusher.from)
                who.string("name", pusher.name)
            }
        }
        members.optional("ref", entry.ref)
        members.string("repository", entry.repository)
        members.integer("seq", entry.seq)
        members.string("source", entry.source)
        members.string("time", entry.time)
        members.integer("v", entry.v)
        members.string("verdict", entry.verdict.rawValue)
        members.end()
    }

    private func writeCommit(_ commit: AuditEntry.Commit) {
        var members = Members(self)
        members.optional("agent", commit.agent)
        members.list("approvals", commit.approvals) { approval in
            writeObject { signature in
                signature.optional("key", approval.key)
                signature.optional("record", approval.record)
                signature.string("reviewer", approval.reviewer)
            }
        }
        members.optional("bot", commit.bot)
        members.string("class", commit.class)
        if let contract = commit.contract {
            members.object("contract") { written in
                written.optional("name", contract.name)
                written.optional("source", contract.source)
                written.list("violations", contract.violations, writeString)
            }
        }
        members.optional("declared", commit.declared)
        members.list("evidence", commit.evidence, writeString)
        members.string("id", commit.id)
        members.list("missing", commit.missing) { missing in
            writeObject { written in
                written.string("detail", missing.detail)
                written.string("requirement", missing.requirement)
            }
        }
        members.optional("operator", commit.operator)
        if let override = commit.override {
            members.object("override") { written in
                written.string("date", override.date)
                written.optional("key", override.key)
                written.string("reason", override.reason)
                written.optional("record", override.record)
                written.list("satisfied", override.satisfied, writeString)
                written.string("signer", override.signer)
            }
        }
        members.optional("session", commit.session)
        members.string("verdict", commit.verdict.rawValue)
        members.end()
    }
}
