internal import Clibgit2

/// A libgit2 failure, carrying libgit2's own message and the operation that failed.
public struct GitError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case notFound
        case ambiguous
        case invalidSpec
        /// An object larger than the caller's bound: not read.
        case tooLarge
        case other(Int32)
    }

    public var code: Code
    public var operation: String
    public var message: String

    public init(code: Code, operation: String, message: String) {
        self.code = code
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(operation): \(message)" }
}

/// The one door to C: calls a libgit2 function and turns a negative result into a
/// `GitError` with libgit2's message, read right after the failure.
@discardableResult
func git(_ operation: @autoclosure () -> String, _ call: () -> Int32) throws(GitError) -> Int32 {
    let result = call()
    guard result < 0 else { return result }
    throw lastError(result, operation: operation())
}

func lastError(_ result: Int32, operation: String) -> GitError {
    var message = "libgit2 error \(result)"
    if let error = git_error_last(), let text = error.pointee.message {
        message = String(cString: text)
    }
    git_error_clear()
    let code: GitError.Code
    switch result {
    case GIT_ENOTFOUND.rawValue: code = .notFound
    case GIT_EAMBIGUOUS.rawValue: code = .ambiguous
    case GIT_EINVALIDSPEC.rawValue: code = .invalidSpec
    default: code = .other(result)
    }
    return GitError(code: code, operation: operation, message: message)
}

/// libgit2 is initialised once per process, before the first repository is opened,
/// and set up to read in bounded memory: the object cache and the mapped pack windows are
/// capped, and objects are not re-hashed on every read (git does not either). Long
/// histories are read by `PackReader` and `RevisionWalk`; libgit2 reads what they leave
/// to it (loose and quarantined objects, notes, policy files, patch-ids, odd commits).
let libgit2Initialised: Bool = {
    git_libgit2_init()
    _ = agentreview_git_set_cache_max_size(2 << 20)
    _ = agentreview_git_set_strict_hash_verification(0)
    _ = agentreview_git_set_mwindow_size(4 << 20)
    _ = agentreview_git_set_mwindow_mapped_limit(8 << 20)
    return true
}()
