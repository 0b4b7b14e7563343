import AgentReviewCore
import AgentReviewGit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Records that cannot count are never written: before `approve`, `attest` or `override` signs, the
/// record is checked against the trusted base for local work (the trust root as the remote
/// has it), the way the server and the evaluator would judge it, and checked again once
/// signed (`NotesGuard.refusal`, the server's own check of a new record). A record the
/// server would refuse poisons the notes ref: every later `sync` of the clone would be refused.
struct RecordHygiene {
    let repository: Repository
    let base: TrustedBase
    let configuration: TrustedConfiguration
    let now: Date

    /// Where the signers come from, for messages.
    var signersSource: String { "\(base.name):\(configuration.policy.signers)" }

    /// The checks for local work, or why there are none: with no trusted base yet (nothing
    /// pushed) nothing says whether a record would count.
    static func forLocalWork(in repository: Repository, now: Date = Date()) throws -> Result<RecordHygiene, CLIError> {
        let root = try TrustedBase.rootForLocalWork(in: repository)
        guard let base = root.base else {
            let ref = root.ref.map { " (\($0.replacingAll("refs/heads/", with: "")))" } ?? ""
            return .failure(CLIError(
                "there is no trusted base to check it against yet: the remote has no trust root\(ref) that this clone has fetched, so nothing says whose approvals count (push the policy first, or `git fetch`)"))
        }
        do {
            // A pinned policy file (`agentreview.policy`) replaces the base's, as for `pre-push`.
            let pinned = try repository.configString("agentreview.policy")
            let configuration = try TrustedBase.load(from: base, in: repository, policyFile: pinned)
            return .success(RecordHygiene(repository: repository, base: base, configuration: configuration, now: now))
        } catch {
            return .failure(CLIError("the trusted base \(base.name) cannot be read: \(describe(error))"))
        }
    }

    /// Why a record about to be signed would not count, or would be refused by the server:
    /// empty when it would count. `key` is the key that will sign, when known before signing
    /// (else only the signed record's key is checked, by ``refusals(signed:on:)``).
    func refusals(of body: RecordBody, key: SSHPublicKey?, on commit: ObjectID) throws -> [String] {
        var problems = [String]()
        let what = Self.phrase(body)
        if let stale = try NotesGuard.freshness(of: body, on: commit, in: repository, now: now) {
            problems.append("\(what) would be refused by the server: \(stale)")
        }
        if let key, case .failure(let refusal) = configuration.signers.verify(
            principal: body.principal, key: key, namespace: SignedRecord.namespace, at: body.date, now: now,
            revoked: configuration.revoked, keyValidAt: now) {
            problems.append("\(what) would not count, and the server would refuse it: \(refusal)")
        }
        return problems + (try countRefusals(of: body, key: key, on: commit))
    }

    /// The same for a signed record: what the server checks of a new record
    /// (`NotesGuard.refusal`: it reads, names its commit, is fresh, verifies with the key valid
    /// now), then the rules of what counts, with the key that signed.
    func refusals(signed record: SignedRecord, on commit: ObjectID) throws -> [String] {
        var problems = [String]()
        if let refusal = try NotesGuard.refusal(of: record, inNoteOn: commit, in: repository, configuration: configuration, now: now) {
            problems.append("\(Self.phrase(record.body)) would be refused by the server: \(refusal)")
        }
        return problems + (try countRefusals(of: record.body, key: record.signature.publicKey, on: commit))
    }

    /// Why a record the server would take still would not count: an approval from the
    /// commit's own people, an attestation by a signer the policy does not allow for its gate,
    /// an override by someone not among the policy's override signers or by the commit's own people.
    private func countRefusals(of body: RecordBody, key: SSHPublicKey?, on commit: ObjectID) throws -> [String] {
        let what = Self.phrase(body)
        switch body {
        case .approval(let approval):
            // A rejection by the commit's own people cancels nothing that counts, and hurts nothing.
            guard approval.decision == .approve, let reason = try ownReason(approval.reviewer, date: approval.date, key: key, on: commit)
            else { return [] }
            return ["\(what) would not count: \(reason)"]
        case .attestation(let attestation):
            let allowed = (configuration.policy.gates[attestation.gate]?.signers ?? []).map { $0.lowercased() }
            guard !allowed.contains(attestation.signer.lowercased()) else { return [] }
            return ["\(what) would not count: the policy allows \(allowed.isEmpty ? "nobody" : allowed.joined(separator: ", ")) for that gate"]
        case .override(let override):
            var problems = [String]()
            if configuration.policy.overrides.signers.isEmpty {
                problems.append(
                    "\(what) would not count: the policy names nobody who may override (`overrides: {signers: [...]}` in \(configuration.policy.source))")
            } else if !configuration.policy.overrideSigners.contains(override.signer.lowercased()) {
                problems.append("\(what) would not count: \(override.signer) is not among the policy's overrides.signers")
            }
            if let reason = try ownReason(override.signer, date: override.date, key: key, on: commit) {
                problems.append("\(what) would not count: \(reason); nobody overrides their own commit")
            }
            return problems
        }
    }

    /// "approval by X", "rejection by X", "tests attestation by X", "override by X".
    static func phrase(_ body: RecordBody) -> String {
        switch body {
        case .approval(let approval): "\(approval.decision == .approve ? "approval" : "rejection") by \(approval.reviewer)"
        case .attestation(let attestation): "\(attestation.gate) attestation by \(attestation.signer)"
        case .override(let override): "override by \(override.signer)"
        }
    }

    /// Why a record signed as `principal` with `key` would be the commit's own people's (the
    /// evaluator's rule, with the trusted signers' aliases and the listings of the key), or nil.
    private func ownReason(_ principal: String, date: Date, key: SSHPublicKey?, on commit: ObjectID) throws -> String? {
        let facts = try FactGatherer(repository: repository, contents: false, linesOver: nil).facts(for: commit)
        let signers = configuration.signers
        let evaluator = Evaluator(policy: configuration.policy)
        let own = evaluator.ownPrincipals(facts, aliases: signers.aliases)
        let decision = Signoff.Approval(
            reviewer: principal, decision: .approve, date: date, key: key?.fingerprint,
            keyListings: key.map { signers.listings(of: $0) } ?? [])
        return evaluator.ownReason(decision, own: own)
    }

    /// Who may override, for a refusal: the policy's override signers (as written), never the
    /// commit's own people; nil when the policy names nobody (the refusal says so).
    func whoCanOverride() -> String? {
        let listed = configuration.policy.overrides.signers
        guard !listed.isEmpty else { return nil }
        let names = listed.prefix(8).joined(separator: ", ") + (listed.count > 8 ? " and \(listed.count - 8) more" : "")
        return "one of \(names) (overrides.signers in \(configuration.policy.source)), not the commit's own people"
    }

    /// Who can approve `commit`: the principals the trusted allowed_signers lists for
    /// approvals, less the commit's own people and their aliases.
    func whoCanApprove(_ commit: ObjectID) throws -> String {
        let facts = try FactGatherer(repository: repository, contents: false, linesOver: nil).facts(for: commit)
        let signers = configuration.signers
        let own = Evaluator(policy: configuration.policy).ownPrincipals(facts, aliases: signers.aliases)
        let eligible = signersNow().filter { own[$0] == nil }
        let people = Set([facts.author.email, facts.committer.email].map { $0.lowercased() }).sorted().joined(separator: " or ")
        guard !eligible.isEmpty else {
            return "nobody yet: \(signersSource) lists no reviewer other than \(people), who wrote it; add a reviewer's key there on the trust root"
        }
        let names = eligible.prefix(8).joined(separator: ", ") + (eligible.count > 8 ? " and \(eligible.count - 8) more" : "")
        return "one of \(names) (not \(people), who wrote it), each with their own key listed in \(signersSource)"
    }

    /// The principals listed by name for approvals with a key that can sign now (in its
    /// validity window, not revoked), lowercased, sorted.
    private func signersNow() -> [String] {
        var names = Set<String>()
        for entry in configuration.signers.entries
        where !entry.isCertificateAuthority && entry.allows(namespace: SignedRecord.namespace)
            && entry.validAfter.map({ $0 <= now }) != false && entry.validBefore.map({ now <= $0 }) != false
            && !configuration.revoked.contains(entry.key) {
            for principal in entry.principals.split(separator: ",") where !principal.contains(where: { "*?!".contains($0) }) {
                names.insert(principal.lowercased())
            }
        }
        return names.sorted()
    }

    /// Who can attest `gate`: the signers the policy allows for it.
    func whoCanAttest(_ gate: String) -> String {
        let allowed = configuration.policy.gates[gate]?.signers ?? []
        return allowed.isEmpty ? "nobody: the policy names no signer for gate \(gate)" : allowed.joined(separator: ", ")
    }
}

/// What `approve` and `override` do with the records they make, one per commit: check every
/// record before any is signed (nothing is written unless all would count, or --force), sign
/// them, check each signed record as the server will, and store them in the local notes.
struct RecordBatch {
    let signer: RecordSigner
    /// The key that will sign, when known before signing.
    let publicKey: SSHPublicKey?
    let hygiene: Result<RecordHygiene, CLIError>
    let force: Bool
    /// The line naming who could sign instead, said after a refusal (`who can approve it: …`), if any.
    let whoCan: (RecordHygiene, ObjectID) -> String?

    /// The records signed and stored, in the order of `bodies`; nil when they were refused
    /// (said on stderr) and nothing was written.
    func signAndStore(_ bodies: [(id: ObjectID, body: RecordBody)]) throws -> [SignedRecord]? {
        var refused = false
        for (id, body) in bodies where !report(try problems(of: body, on: id), on: id) {
            refused = true
        }
        if refused {
            printError("nothing was written: --force writes it anyway (a record the server refuses is left out by `agentreview sync`)")
            return nil
        }
        var signed = [SignedRecord]()
        for (id, body) in bodies {
            let record = try signer.sign(body)
            // The key that signed, checked as the server will check it.
            if case .success(let hygiene) = hygiene, !force || publicKey == nil {
                if !report(try hygiene.refusals(signed: record, on: id), on: id) {
                    printError("nothing was written: --force writes it anyway")
                    return nil
                }
            }
            signed.append(record)
        }
        for ((id, _), record) in zip(bodies, signed) { try signer.store(record, on: id) }
        return signed
    }

    /// The problems of one record: the hygiene checks, or that there is no base to check by.
    private func problems(of body: RecordBody, on id: ObjectID) throws -> [String] {
        switch hygiene {
        case .success(let hygiene): try hygiene.refusals(of: body, key: publicKey, on: id)
        case .failure(let none): [none.message]
        }
    }

    /// Says why a record would not count, and who could sign it; true when it may be written
    /// (nothing wrong, or --force).
    private func report(_ problems: [String], on id: ObjectID) -> Bool {
        guard !problems.isEmpty else { return true }
        let short = id.hex.prefix(12)
        for problem in problems {
            printError("\(short): \(force ? "written anyway (--force): " : "")\(problem)")
        }
        if case .success(let hygiene) = hygiene {
            if let who = whoCan(hygiene, id) { printError("\(short): \(who)") }
            printError("\(short): checked against \(hygiene.base.name) at \(hygiene.base.commit.hex.prefix(12)), as this clone last fetched it (`git fetch` if it has changed since)")
        }
        return force
    }
}
