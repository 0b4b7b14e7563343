import AgentReviewCore
import Foundation

/// What each fuzz target does with one input. Besides not crashing, hanging or blowing up,
/// each checks a few things that must hold for any input (a failed `check` is a finding).
public enum FuzzTargets {
    /// A fixed clock, so that a run does the same thing on every input it replays.
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("fuzz check failed: \(message())") }
    }

    static func text(_ input: [UInt8]) -> String { String(decoding: input, as: UTF8.self) }

    // MARK: Signed records

    /// A note of signed records: read, signatures checked, the record re-read from its own
    /// bytes; and merging two notes (the first and second halves of the input) keeps every
    /// record of both, as the server's "notes only grow" check demands of `agentreview sync`.
    public static func records(_ input: [UInt8]) {
        _ = try? SignedRecord.parse(bytes: input)
        let signers = AllowedSigners(text: "", source: "fuzz")
        for entry in RecordNote.parse(input).prefix(50) {
            guard case .success(let record) = entry.record else { continue }
            _ = try? record.verifySignature()
            _ = record.verify(signers: signers, now: now)
            _ = try? record.body.rendered()
            let again = try? SignedRecord.parse(bytes: record.bytes)
            check(again?.body == record.body, "a record read from a note does not read again from its own bytes")
        }
        let middle = input.count / 2
        let ours = Array(input[..<middle]), theirs = Array(input[middle...])
        let merged = RecordNote.merge(ours, theirs)
        check(RecordNote.changes(from: ours, to: merged).removed.isEmpty, "merging lost a record of ours")
        check(RecordNote.changes(from: theirs, to: merged).removed.isEmpty, "merging lost a record of theirs")
        check(RecordNote.merge(merged, merged) == merged, "merging a merged note with itself changed it")
    }

    // MARK: allowed_signers

    /// An allowed_signers file (and the same bytes as a revoked keys file): every usable
    /// line's key asked about, as the hooks ask.
    public static func signers(_ input: [UInt8]) {
        let signers = AllowedSigners(text: text(input), source: "fuzz")
        let revoked = RevokedKeys(text: text(input), source: "fuzz")
        _ = signers.aliases.aliases(of: "alice@example.com")
        for entry in signers.entries.prefix(20) {
            _ = entry.lists(principal: "alice@example.com")
            _ = entry.lists(principal: entry.principals)
            _ = entry.allows(namespace: "agentreview")
            _ = signers.principals(for: entry.key, namespace: "agentreview", at: now)
            _ = signers.listings(of: entry.key)
            _ = signers.verify(principal: "alice@example.com", key: entry.key, namespace: "agentreview", at: now, now: now)
            _ = signers.verify(
                principal: entry.principals, key: entry.key, namespace: "agentreview", at: now, now: now, revoked: revoked,
                keyValidAt: now)
        }
    }

    // MARK: The policy

    /// A policy file: loaded, and when valid, a few paths classified and refs given modes.
    public static func policy(_ input: [UInt8]) {
        guard let policy = try? PolicyLoader.load(bytes: input, file: "fuzz/policy.yml") else { return }
        check(!policy.classes.isEmpty && policy.classes.indices.contains(policy.defaultClass), "a valid policy without its default class")
        let classifier = Classifier(policy: policy)
        for path in ["infra/main.tf", "docs/a.md", "README.md", ".github/workflows/ci.yml", "a/b/c/d.swift", ".agentreview/policy.yml"] {
            let classified = classifier.classify(GitPath(path))
            check(policy.classes.indices.contains(classified.rank), "a path classified outside the policy's classes")
        }
        for ref in ["refs/heads/main", "refs/heads/release/1", "refs/tags/v1", "refs/notes/agentreview"] {
            _ = policy.mode(for: ref)
        }
        _ = policy.strictestMode
    }

    // MARK: Trailers

    /// A commit message: its trailers, whose keys are tokens and whose values are one line.
    public static func trailers(_ input: [UInt8]) {
        for trailer in Trailers.parse(text(input)) {
            check(!trailer.key.isEmpty, "a trailer with an empty key")
            check(
                trailer.key.utf8.allSatisfy { byte in
                    byte == UInt8(ascii: "-") || (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                },
                "a trailer key that is not a token: \(trailer.key.debugDescription)")
            check(!trailer.value.utf8.contains(0x0A), "a trailer value over several lines: \(trailer.value.debugDescription)")
            _ = trailer.hasKey("Co-Authored-By")
        }
    }

    // MARK: Path patterns

    /// A pattern (the first line) matched against paths (the other lines), as a path rule,
    /// with wildmatch both ways, and as a ref pattern. A pattern with no special bytes
    /// matches itself.
    public static func patterns(_ input: [UInt8]) {
        let lines = input.split(separator: 0x0A, omittingEmptySubsequences: false).prefix(17).map { Array($0) }
        let pattern = lines[0]
        let paths = lines.dropFirst()
        let source = text(pattern)
        let compiled = try? PathPattern(source)
        let ref = try? RefPattern(source)
        _ = try? Wildmatch.validate(source, pathname: true)
        for path in paths {
            _ = compiled?.matches(GitPath(bytes: path))
            _ = compiled?.matches(GitPath(bytes: path), ignoringCase: true)
            _ = Wildmatch.matches(pattern: pattern, text: path, pathname: true)
            _ = Wildmatch.matches(pattern: pattern, text: path, pathname: false, ignoringCase: true)
            _ = ref?.matchesRef(text(path))
        }
        let special: Set<UInt8> = [UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "["), UInt8(ascii: "\\")]
        if !pattern.contains(where: special.contains) {
            check(Wildmatch.matches(pattern: pattern, text: pattern, pathname: true), "a literal pattern does not match itself")
        }
    }
}
