import Crypto

/// What an approval's `patch-id` binds to. It is `git patch-id --verbatim` of the commit's
/// change (whitespace kept: it can change what code does; binary files bound to their
/// blob ids), except that git's patch-id ignores file modes: a commit that only makes a
/// file executable, or adds a script as executable instead of plain, would share its
/// patch-id with its harmless twin, and an approval would carry over to it on a rebase.
/// So when any change sets a mode other than a plain file's, the modes are hashed in too.
public enum PatchBinding {
    public struct ModeChange: Sendable, Hashable {
        public var path: [UInt8]
        public var oldMode: UInt32
        public var newMode: UInt32
        public init(path: [UInt8], oldMode: UInt32, newMode: UInt32) {
            self.path = path
            self.oldMode = oldMode
            self.newMode = newMode
        }
    }

    /// Whether a change's modes are ones git's patch-id already accounts for: unchanged,
    /// a deletion, or a plain file added.
    public static func isPlain(oldMode: UInt32, newMode: UInt32) -> Bool {
        oldMode == newMode || newMode == 0 || (oldMode == 0 && newMode == 0o100644)
    }

    /// The binding: git's patch-id itself when no change sets an unusual mode.
    public static func patchID(gitPatchID: String, modeChanges: [ModeChange]) -> String {
        let unusual = modeChanges.filter { !isPlain(oldMode: $0.oldMode, newMode: $0.newMode) }
        guard !unusual.isEmpty else { return gitPatchID }
        var hasher = Insecure.SHA1()
        hasher.update(data: Array("agentreview patch-id v1\n\(gitPatchID)\n".utf8))
        for change in unusual.sorted(by: { $0.path.lexicographicallyPrecedes($1.path) }) {
            hasher.update(data: change.path)
            hasher.update(data: Array(" \(String(change.oldMode, radix: 8)) \(String(change.newMode, radix: 8))\n".utf8))
        }
        return hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
