import AgentReviewCore
import AgentReviewGit
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Options every judging command shares.
struct CommonOptions: ParsableArguments {
    @Flag(help: "Print the result as JSON.")
    var json = false

    @Option(name: .customShort("C"), help: "Run as if started in this directory.")
    var directory: String?

    @Option(help: "Read the policy from this file instead of the trusted base.")
    var policy: String?

    func openRepository() throws -> Repository {
        try Repository.open(directory ?? FileManager.default.currentDirectoryPath)
    }
}

/// `A..B` (B's commits not on A) or a single revision, as `status` and `metrics` take them.
struct RevisionRange {
    /// B, or the single revision.
    let to: String
    /// A, for `A..B`.
    let from: String?

    init(_ text: String) throws {
        guard let dots = text.firstRange(of: "..") else {
            to = text
            from = nil
            return
        }
        let from = String(text[..<dots.lowerBound]), to = String(text[dots.upperBound...])
        guard !to.hasPrefix("."), !from.isEmpty, !to.isEmpty else { throw CLIError("range \(text): use A..B (both ends named)") }
        self.to = to
        self.from = from
    }
}

extension ParsableCommand {
    /// Runs a command body: errors become one line on stderr and exit 2.
    func guarded(_ body: () throws -> Int32) throws {
        let status: Int32
        do {
            status = try body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError(describe(error))
            throw ExitCode(2)
        }
        if status != 0 { throw ExitCode(status) }
    }
}

extension Repository {
    /// Opens the repository at `path` or above it; "not a git repository" in one line when there is none.
    static func open(_ path: String) throws -> Repository {
        let opened = Result { () throws(GitError) in try Repository(path: path) }
        if case .failure(let error) = opened, error.code == .notFound {
            throw CLIError("not a git repository (nor any parent up to /): \(path)")
        }
        return try opened.get()
    }
}

extension Repository {
    /// A boolean `git config` key: nil when unset; git's spellings in any case (true, yes,
    /// on, 1; false, no, off, 0). No value at all is an error: git reads a bare `key` line as
    /// true and `key =` as false, and libgit2 gives both as the empty string.
    func configBoolean(_ key: String) throws -> Bool? {
        guard let value = try configString(key) else { return nil }
        switch value.trimming(.whitespaces).lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        case "": throw CLIError("\(key) has no value: give true or false (yes/no, on/off and 1/0 also do)")
        default: throw CLIError("\(key) is \"\(value)\": give true or false (yes/no, on/off and 1/0 also do)")
        }
    }
}
