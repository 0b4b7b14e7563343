import AgentReviewCore
import ArgumentParser
import Foundation

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
            discussion: "Exit 0 when valid, 2 when not.")

        @Argument(help: "The policy file.")
        var file: String = PolicyLoader.defaultPath

        @Flag(help: "Print the result as JSON.")
        var json = false

        struct Result: Codable {
            var file: String
            var valid: Bool
            var errors: [String]
        }

        func run() throws {
            do {
                let policy = try PolicyLoader.load(contentsOf: file)
                if json {
                    print(try Rendering.json(Result(file: file, valid: true, errors: [])))
                } else {
                    print("\(file): valid (\(policy.classes.count) classes, \(policy.paths.count) path rules, \(policy.refs.count) ref rules)")
                }
            } catch let error as PolicyError {
                if json {
                    print(try Rendering.json(Result(file: file, valid: false, errors: error.diagnostics.map(\.description))))
                } else {
                    for diagnostic in error.diagnostics {
                        FileHandle.standardError.write(Data("\(diagnostic)\n".utf8))
                    }
                }
                throw ExitCode(2)
            }
        }
    }
}
