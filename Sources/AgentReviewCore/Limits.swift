#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Every bound on work that hostile input can cause, in one place. Anything an agent can
/// write — a policy or CODEOWNERS on a branch, a note, a tree, a commit — is read only up
/// to these; past them the input is refused with a reason, never read on. The README's
/// "Limits" section lists the same numbers.
public enum Limits {
    /// `.agentreview/policy.yml` (or a pinned policy file), in bytes.
    public static let policyBytes = 256 * 1024
    /// A CODEOWNERS file, in bytes (GitHub ignores one over 3 MiB).
    public static let codeOwnersBytes = 3 * 1024 * 1024
    /// The allowed_signers file, and the revoked keys file, in bytes.
    public static let signersBytes = 1024 * 1024
    /// One task contract, `.agentreview/contracts/NAME.yml`, in bytes.
    public static let contractBytes = 64 * 1024
    /// Entries of `.agentreview/contracts/` read; past this many the rest are not read, and
    /// a commit naming one of them has no usable contract.
    public static let contracts = 256
    /// Duplicate keys reported in one policy (or contract) before the rest are summed up.
    public static let policyDuplicateKeys = 20
    /// Levels a node of a policy (or contract) may be nested below the document's root,
    /// counting what aliases copy.
    public static let yamlDepth = 64
    /// Nodes the aliases of one policy (or contract) may copy in all: this many, or one per
    /// byte of a larger text. A policy that reuses its lists is far below; an alias bomb
    /// (aliases of lists of aliases) soon over.
    public static let yamlAliasedNodes = 10_000
    /// One note blob in `refs/notes/agentreview`, in bytes.
    public static let noteBytes = 1024 * 1024
    /// Signed records in one note.
    public static let recordsPerNote = 1000
    /// Directories nested in a tree (git's `core.maxTreeDepth` default).
    public static let treeDepth = 4096
    /// One path pattern (policy `paths`, `refs`, CODEOWNERS), in bytes.
    public static let patternBytes = 4096
    /// A new record pushed to the server's notes may be dated at most this long before the
    /// push (and never before the commit it names was committer-dated).
    public static let recordAge: TimeInterval = 24 * 60 * 60
    /// The whole pre-receive or pre-push hook, in seconds, unless the server sets
    /// `git config agentreview.timeLimit SECONDS`. Past it the push is refused.
    public static let hookSeconds: Double = 60
    /// A commit's own signature (its `gpgsig` header, continuation lines joined), in bytes:
    /// read for `unsigned_is_agent`. An SSH signature by the largest RSA key is under 5 KiB;
    /// past this the signature is not read, and the commit counts as unsigned.
    public static let commitSignatureBytes = 64 * 1024
    /// A git-ai authorship note in `refs/notes/ai`, in bytes: read with `agents.notes: true`.
    /// Past this the note is ignored (it can only add evidence, never clear a commit).
    public static let authorshipNoteBytes = 1024 * 1024
}
