import AgentReviewSupport
import AgentReviewCore
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AgentReviewCommand {
    struct PolicyGroup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "policy",
            abstract: "Work with policy files.",
            subcommands: [CheckPolicy.self])
    }

    struct CheckPolicy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate a policy file; every problem is reported with file:line.",
            discussion: """
                Also warns (without failing) about requirements no key can meet, reading the allowed_signers, \
                revoked keys and CODEOWNERS the policy names from the working tree it is in: a class needing more \
                approvals than reviewers are listed, a human sign-off when every key is a bot's, an owner no key \
                is listed for (or a @team or @user that teams/users do not resolve), an override signer no key is \
                listed for.
                Also checks every task contract in .agentreview/contracts/ of that working tree against the policy: \
                every error of every contract, with file:line (an entry that is not NAME.yml is a warning: it is never read).
                Exit 0 when the policy and its contracts are valid (warnings or not), 1 when either is invalid, \
                2 when the file cannot be read.
                """)

        @Argument(help: "The policy file (default: .agentreview/policy.yml).")
        var file: String = PolicyLoader.defaultPath

        @Flag(help: "Print the result as JSON.")
        var json = false

        /// One problem, as `--json` gives it.
        struct Problem: Codable, Equatable {
            var file: String
            /// 0 for the file as a whole.
            var line: Int
            var column: Int?
            var message: String
        }

        struct Result: Codable {
            var file: String
            var valid: Bool
            var errors: [Problem]
            var warnings: [Problem]
            /// How many contracts (`NAME.yml` in `.agentreview/contracts/`) were checked; absent
            /// when there is no such directory, or the policy is invalid (nothing to check them against).
            var contracts: Int?
        }

        func run() throws {
            // A file that cannot be read is not an invalid policy: exit 2, as for any other error.
            var isDirectory = false
            let unreadable: String? =
                if !FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) { "no such file" }
                else if isDirectory { "it is a directory, not a file" }
                else if !FileManager.default.isReadableFile(atPath: file) { "the file exists but could not be read (permissions?)" }
                else { nil }
            if let unreadable {
                let problem = Problem(file: file, line: 0, message: "cannot read the policy: \(unreadable)")
                if json {
                    print(try Rendering.json(Result(file: file, valid: false, errors: [problem], warnings: [])))
                } else {
                    printError("\(file): \(problem.message)")
                }
                throw ExitCode(2)
            }
            let policy: Policy
            do {
                policy = try PolicyLoader.load(contentsOf: file)
            } catch {
                let errors = error.diagnostics.map {
                    Problem(file: $0.location.file, line: $0.location.line,
                            column: $0.location.line > 0 ? $0.location.column : nil, message: $0.message)
                }
                if json {
                    print(try Rendering.json(Result(file: file, valid: false, errors: errors, warnings: [])))
                } else {
                    for diagnostic in error.diagnostics {
                        FileIO.writeError("\(diagnostic)\n")
                    }
                }
                throw ExitCode(1)
            }
            var warnings = Self.warnings(for: policy, file: file)
            let book = Self.contracts(for: policy, file: file)
            let contractErrors = book?.problems ?? []
            warnings += (book?.warnings ?? []).map { PolicyWarning(file: $0.location.file, line: $0.location.line, message: $0.message) }
            if json {
                let problems = warnings.map { Problem(file: $0.file, line: $0.line, column: $0.column, message: $0.message) }
                let errors = contractErrors.map {
                    Problem(file: $0.location.file, line: $0.location.line,
                            column: $0.location.line > 0 ? $0.location.column : nil, message: $0.message)
                }
                print(try Rendering.json(Result(
                    file: file, valid: errors.isEmpty, errors: errors, warnings: problems, contracts: book?.names.count)))
            } else {
                var counts = "\(policy.classes.count) classes, \(policy.paths.count) path rules, \(policy.refs.count) ref rules"
                if let book {
                    counts += book.names.count == 1 ? ", 1 contract" : ", \(book.names.count) contracts"
                }
                let invalid = Set(contractErrors.map(\.location.file)).count
                if invalid > 0 { counts += ", \(invalid) invalid" }
                counts += warnings.isEmpty ? "" : warnings.count == 1 ? ", 1 warning" : ", \(warnings.count) warnings"
                print(contractErrors.isEmpty ? "\(file): valid (\(counts))" : "\(file): the policy is valid, its contracts are not (\(counts))")
                for diagnostic in contractErrors {
                    FileIO.writeError("\(diagnostic)\n")
                }
                for warning in warnings {
                    FileIO.writeError("\(warning)\n")
                }
            }
            if !contractErrors.isEmpty { throw ExitCode(1) }
        }

        /// The task contracts in `.agentreview/contracts/` of the working tree the policy is in
        /// (see `root(of:)`), read as the hooks read them from the trusted base: regular files
        /// within `Limits.contractBytes`, never a symbolic link, at most `Limits.contracts` + 1
        /// entries; each named by its repository path. Nil when there is no such directory.
        static func contracts(for policy: Policy, file: String) -> ContractBook? {
            let directory = root(of: file).appendingPathComponent(TaskContract.directory)
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory,
                  let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
            else { return nil }
            var files = [ContractBook.File]()
            for name in names.sorted().prefix(Limits.contracts + 1) {
                let path = "\(TaskContract.directory)/\(name)"
                let url = directory.appendingPathComponent(name)
                // attributesOfItem does not follow a symbolic link: it describes the link.
                let type = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.type] as? FileAttributeType
                var bytes: [UInt8]?
                var unreadable: String?
                switch type {
                case .typeRegular?:
                    do {
                        if let data = try FileIO.read(url.path, upTo: Limits.contractBytes + 1) {
                            if data.count <= Limits.contractBytes {
                                bytes = data
                            } else {
                                unreadable = "it is over the limit of \(Limits.contractBytes) bytes (Limits.contractBytes)"
                            }
                        } else {
                            unreadable = "it could not be read (permissions?)"
                        }
                    } catch {
                        unreadable = "it could not be read: \(describe(error))"
                    }
                case .typeSymbolicLink?: unreadable = "it is a symbolic link, which is never followed"
                case .typeDirectory?: unreadable = "it is a directory"
                default: unreadable = "it is not a file"
                }
                files.append(ContractBook.File(path: path, source: path, bytes: bytes, unreadable: unreadable))
            }
            return ContractBook(files: files, directory: "\(TaskContract.directory)/", policy: policy)
        }

        /// The repository directory a policy file is in: the working tree holding it (the
        /// nearest directory above it with a `.git`), else the directory above its
        /// `.agentreview/`, else its own directory.
        static func root(of file: String) -> URL {
            let policy = URL(fileURLWithPath: file).standardizedFileURL
            var directory = policy.deletingLastPathComponent()
            while directory.path != "/" {
                if FileManager.default.fileExists(atPath: directory.appendingPathComponent(".git").path) { return directory }
                directory = directory.deletingLastPathComponent()
            }
            let parent = policy.deletingLastPathComponent()
            return parent.lastPathComponent == ".agentreview" ? parent.deletingLastPathComponent() : parent
        }

        /// What the files beside the policy make impossible, and what could not be read of them.
        static func warnings(for policy: Policy, file: String, now: Date = Date()) -> [PolicyWarning] {
            let root = root(of: file)
            var warnings = [PolicyWarning]()
            /// A repository path's bytes, nil when there is no such file; a warning when it is over `limit`.
            func read(_ path: String, limit: Int) -> [UInt8]? {
                guard let data = try? FileIO.read(root.appendingPathComponent(path).path, upTo: limit + 1) else { return nil }
                if data.count > limit {
                    warnings.append(PolicyWarning(file: path, line: 0, message: "over \(limit) bytes: not read, as the hooks would not read it"))
                    return nil
                }
                return [UInt8](data)
            }

            let signersBytes = read(policy.signers, limit: Limits.signersBytes)
            if signersBytes == nil {
                warnings.append(PolicyWarning(file: policy.signers, line: 0,
                    message: "not found in \(root.path): until it lists reviewers, no approval can count"))
            }
            let signers = AllowedSigners(text: String(decoding: signersBytes ?? [], as: UTF8.self), source: policy.signers)
            warnings += signers.diagnostics.map {
                PolicyWarning(file: $0.location.file, line: $0.location.line, message: $0.message)
            }
            var revoked = RevokedKeys.none
            if let path = policy.revoked {
                if let bytes = read(path, limit: Limits.signersBytes) {
                    revoked = RevokedKeys(text: String(decoding: bytes, as: UTF8.self), source: path)
                    warnings += revoked.diagnostics.map {
                        PolicyWarning(file: $0.location.file, line: $0.location.line, message: $0.message)
                    }
                } else {
                    warnings.append(PolicyWarning(file: path, line: 0,
                        message: "named by the policy's 'revoked' but not found in \(root.path): judging refuses to run until it exists"))
                }
            }
            var owners: CodeOwners?
            for candidate in policy.owners.candidates {
                guard let bytes = read(candidate, limit: Limits.codeOwnersBytes) else { continue }
                do {
                    owners = try CodeOwners(bytes: bytes, source: candidate)
                } catch {
                    warnings.append(PolicyWarning(file: error.source, line: error.line, message: error.message))
                }
                break
            }
            return warnings + PolicyWarnings.check(policy: policy, signers: signers, revoked: revoked, owners: owners, now: now)
        }
    }
}
