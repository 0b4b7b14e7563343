import AgentReviewGit

/// Shallow clones (`git clone --depth`, CI checkouts). The repository reads a commit at the
/// edge of the clone as git does, with no parents, so a walk that only needs to hide it
/// works: a pre-push of a few commits on top of a depth-1 clone is judged as usual. Judging
/// a commit at the edge, or reading a commit past it, is refused with
/// `GitError.Code.shallowHistory` and one line naming the fix (see `Repository.commitObject`);
/// the hooks say that line as it is. `status` and `check` say it here, with what to deepen to.
enum Shallow {
    /// `error` in one line naming the fix when it is history a shallow clone lacks; any other
    /// error as it is. `judging` is what was judged ("HEAD's commits"), `reaching` the ref
    /// the history must reach (the hidden side), when known.
    static func explained(_ error: any Error, judging: String, reaching: String?) -> any Error {
        guard let git = error as? GitError, git.code == .shallowHistory else { return error }
        let deepen = reaching.map { "`git fetch --deepen=N` with N large enough to reach \($0)" }
            ?? "`git fetch --deepen=N` for N more commits of history"
        return CLIError(
            "this is a shallow clone, and judging \(judging) needs history it does not have (\(git.operation)): run `git fetch --unshallow`, or \(deepen)")
    }
}
