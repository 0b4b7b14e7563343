import AgentReviewCore
import AgentReviewGit

/// How strictly a ref is judged. The policy's mode for its name; for a symbolic ref on the
/// server, the strictest of its name and every ref it leads to (git writes through to the
/// target); and for the trust root, at least the strictest mode the policy gives any ref —
/// whoever may change the root may change how every ref is judged.
struct RefModes {
    var policy: Policy
    /// The server's name for the ref the policy is read from.
    var root: String?
    /// Where symbolic refs are resolved: the server's repository; nil on a client, which
    /// cannot see the server's symbolic refs.
    var symbolicRefs: Repository?

    /// git's own bound on a chain of symbolic refs.
    private static let maxSymbolicDepth = 5

    func mode(for ref: String?) throws -> EnforcementMode {
        guard let ref else { return policy.defaultMode }
        let names = try self.names(ref)
        var mode = names.map { policy.mode(for: $0).mode }.max() ?? policy.defaultMode
        if let root, names.contains(root) { mode = max(mode, policy.strictestMode) }
        return mode
    }

    /// Whether an update of `ref` writes the trust root (itself, or through a symbolic ref).
    func writesRoot(_ ref: String?) throws -> Bool {
        guard let ref, let root else { return false }
        return try names(ref).contains(root)
    }

    /// The ref and, on the server, every ref its symbolic chain leads to.
    private func names(_ ref: String) throws -> [String] {
        var names = [ref]
        if let repository = symbolicRefs {
            while let target = try repository.symbolicTarget(names[names.count - 1]) {
                guard names.count <= Self.maxSymbolicDepth, !names.contains(target) else {
                    throw CLIError("\(ref) is a symbolic ref that loops or goes deeper than \(Self.maxSymbolicDepth) refs")
                }
                names.append(target)
            }
        }
        return names
    }
}
