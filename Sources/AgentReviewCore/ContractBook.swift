#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The task contracts of a trusted base (`.agentreview/contracts/`), parsed once, looked up
/// by the name a commit's `Task-Contract:` trailer gives. Pure: the caller reads the
/// directory's entries (each within `Limits.contractBytes`, at most `Limits.contracts + 1`
/// of them) and hands them in.
///
/// Every `NAME.yml` directly in the directory is parsed against the policy. A contract that
/// cannot be used (malformed, unreadable, a name no trailer can give) breaks only the
/// commits that name it, never the whole judgement; `problems` lists them all for
/// `policy check`. Entries that are not `NAME.yml` are never read (`warnings`).
public struct ContractBook: Sendable {
    /// One entry of the contracts directory.
    public struct File: Sendable {
        /// The repository path: `.agentreview/contracts/docs-only.yml`.
        public var path: String
        /// How messages name it: `refs/heads/main@1a2b3c4d5e6f:.agentreview/contracts/docs-only.yml`.
        public var source: String
        /// Its contents; nil when it could not be read.
        public var bytes: [UInt8]?
        /// Why `bytes` is nil: over the limit, a symbolic link, a directory…
        public var unreadable: String?

        public init(path: String, source: String, bytes: [UInt8]?, unreadable: String? = nil) {
            self.path = path
            self.source = source
            self.bytes = bytes
            self.unreadable = unreadable
        }
    }

    /// What a name looks up to.
    public enum Lookup: Sendable {
        case found(TaskContract)
        /// Why the commit naming it has no usable contract: clause `Task-Contract` (not a
        /// name), `missing` (no such file) or `malformed` (it does not parse, or cannot be read).
        case unusable(ContractViolation)
    }

    private enum Entry: Sendable {
        case contract(TaskContract)
        /// Every diagnostic, in the order of the file (never empty).
        case malformed([PolicyDiagnostic])
        case unreadable(why: String, source: String)
    }

    /// No contracts directory.
    public static let empty = ContractBook()

    private var entries: [String: Entry] = [:]
    /// How the directory is named in messages.
    private var directory: String = "\(TaskContract.directory)/"
    /// More entries than `Limits.contracts` were handed in: the rest were not read.
    private var truncated = false

    /// Every problem of every contract, each with its file and line (line 0: the file as a
    /// whole), contract by contract in path order: what makes a contract unusable.
    public private(set) var problems: [PolicyDiagnostic] = []
    /// Entries of the directory that are not `NAME.yml`, and so are never read.
    public private(set) var warnings: [PolicyDiagnostic] = []
    /// The name of every `NAME.yml` read (usable or not), sorted.
    public private(set) var names: [String] = []

    private init() {}

    /// - Parameters:
    ///   - files: the entries directly in the contracts directory.
    ///   - directory: how the directory is named in messages
    ///     (`refs/heads/main@1a2b3c4d5e6f:.agentreview/contracts/`).
    ///   - policy: the policy the contracts' classes are resolved against.
    public init(files: [File], directory: String, policy: Policy) {
        self.directory = directory
        var files = files.sorted { $0.path < $1.path }
        if files.count > Limits.contracts {
            truncated = true
            files = Array(files.prefix(Limits.contracts))
            problems.append(PolicyDiagnostic(
                location: SourceLocation(file: directory, line: 0),
                message: "more than \(Limits.contracts) entries (Limits.contracts): only the first \(Limits.contracts) are read, and a commit naming another has no usable contract"))
        }
        for file in files {
            let fileName = file.path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? file.path
            guard fileName.hasSuffix(".yml") else {
                warnings.append(PolicyDiagnostic(
                    location: SourceLocation(file: file.source, line: 0),
                    message: "contracts are NAME.yml: \(TaskContract.shown(fileName)) is not read"))
                continue
            }
            let name = String(fileName.dropLast(4))
            names.append(name)
            guard let bytes = file.bytes else {
                let why = file.unreadable ?? "it cannot be read"
                problems.append(PolicyDiagnostic(
                    location: SourceLocation(file: file.source, line: 0), message: "cannot read the contract: \(why)"))
                if TaskContract.isValidName(name) { entries[name] = .unreadable(why: why, source: file.source) }
                continue
            }
            do throws(PolicyError) {
                let contract = try ContractLoader.load(bytes: bytes, name: name, file: file.source, policy: policy)
                entries[name] = .contract(contract)
            } catch {
                problems += error.diagnostics
                if TaskContract.isValidName(name) { entries[name] = .malformed(error.diagnostics) }
            }
        }
        names.sort()
    }

    /// The usable contracts, by name.
    public var contracts: [TaskContract] {
        entries.keys.sorted().compactMap { name in
            if case .contract(let contract)? = entries[name] { return contract }
            return nil
        }
    }

    /// The contract `name` (as a `Task-Contract:` trailer gives it), or why there is none to use.
    public func lookup(_ name: String) -> Lookup {
        guard TaskContract.isValidName(name) else {
            return .unusable(ContractViolation(
                clause: "Task-Contract", detail: "'\(TaskContract.shown(name))' is not a contract name: \(TaskContract.nameRule)"))
        }
        switch entries[name] {
        case .contract(let contract)?:
            return .found(contract)
        case .malformed(let diagnostics)?:
            let first = diagnostics[0]
            let more = diagnostics.count > 1 ? " and \(diagnostics.count - 1) more" : ""
            let location = first.location.line > 0 ? "\(first.location)" : first.location.file
            return .unusable(ContractViolation(
                clause: "malformed", detail: "contract \(name) is malformed: \(first.message)\(more)", location: location))
        case .unreadable(let why, let source)?:
            return .unusable(ContractViolation(
                clause: "malformed", detail: "contract \(name) cannot be read: \(why)", location: source))
        case nil:
            let detail = truncated
                ? "no contract \(name): \(directory) has more than \(Limits.contracts) entries (Limits.contracts), and \(name).yml is not among those read"
                : "no contract \(name): \(directory) has no \(name).yml"
            return .unusable(ContractViolation(clause: "missing", detail: detail))
        }
    }
}
