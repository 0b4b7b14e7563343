import AgentReviewSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AgentReviewCore
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `agentreview` command: lists the subcommands, each in its own file under Commands/.
public struct AgentReviewCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "agentreview",
        abstract: "Every agent commit carries the sign-off its risk requires.",
        discussion: "Exit codes: 0 pass, 1 blocked, 2 usage, configuration or repository error.",
        version: "0.1.0",
        subcommands: [
            Status.self, Check.self, CI.self, Explain.self, Approve.self, Attest.self, Override.self, Sync.self, Hook.self, Install.self,
            PolicyGroup.self, Records.self, Audit.self, Metrics.self, Report.self, Init.self,
            Doctor.self,
            Agents.self,
        ]
    )

    public init() {}
}

// MARK: Exit codes and usage errors

extension AgentReviewCommand {
    /// Runs the command line and exits as documented: 0 pass (and `--help`, `--version`),
    /// 1 blocked, 2 a usage error (unknown option or command, missing argument: swift-argument-parser's
    /// message, with a suggestion for a mistyped command) or any other error.
    public static func runAndExit(_ arguments: [String]? = nil) -> Never {
        let arguments = arguments ?? Array(CommandLine.arguments.dropFirst())
        if let status = withoutParser(arguments) { exitProcess(status) }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let code as ExitCode {
            exitProcess(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            // Help, version and other clean exits print to stdout and exit 0, as the parser does.
            if code == .success { exit(withError: error) }
            if code == .validationFailure, let suggestion = suggestion(for: arguments) {
                printError(suggestion)
                let usage = fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
                if !usage.isEmpty { FileIO.writeError(usage.joined(separator: "\n") + "\n") }
            } else if code == .validationFailure {
                FileIO.writeError(fullMessage(for: error) + "\n")
            } else {
                printError(describe(error))
            }
            exitProcess(2)
        }
        exitProcess(0)
    }

    /// The two command lines run most often, run without the parser: what the installed
    /// pre-receive hook runs on every push (exactly `hook pre-receive`, no options), and the
    /// `--version` probe of scripts and `agentreview doctor`. Building the parser's command
    /// tree reflects over every subcommand, and each first dynamic cast scans every protocol
    /// conformance record in the binary: measured, that was a fifth of a 1-commit hook's time.
    /// Anything else (an option, a flag, another word) goes through the parser as before.
    static func withoutParser(_ arguments: [String]) -> Int32? {
        switch arguments {
        case ["--version"]:
            print(configuration.version)
            return 0
        case ["hook", "pre-receive"]:
            do {
                return PreReceive.judge(input: try readStandardInput(), json: false)
            } catch {
                printError(describe(error))
                return 2
            }
        default:
            return nil
        }
    }

    /// "unknown command 'stauts': did you mean `status`?" when the first word that is not a
    /// command of its group is close to one (at any depth: `policy chek`); nil otherwise.
    static func suggestion(for arguments: [String]) -> String? {
        var command: ParsableCommand.Type = Self.self
        var path = [String]()
        for argument in arguments {
            guard !argument.hasPrefix("-") else { return nil }
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty else { return nil }
            if path.isEmpty && argument == "help" { return nil }
            var next: ParsableCommand.Type?
            var names = [String]()
            for subcommand in subcommands {
                let name = subcommand._commandName
                if name == argument || subcommand.configuration.aliases.contains(argument) { next = subcommand }
                if subcommand.configuration.shouldDisplay { names.append(name) }
            }
            if let next {
                command = next
                path.append(argument)
                continue
            }
            guard let best = closest(to: argument, among: names) else { return nil }
            let group = (["agentreview"] + path).joined(separator: " ")
            return "unknown command '\(argument)' for `\(group)`: did you mean `\((path + [best]).joined(separator: " "))`?"
        }
        return nil
    }

    /// The name nearest to `word` when it is near enough to be a slip: within an edit
    /// distance of a third of its length (at least 2, transpositions counting once), or the
    /// one name it begins.
    static func closest(to word: String, among names: [String]) -> String? {
        let scored = names.map { (name: $0, distance: Spelling.editDistance(Array(word), Array($0))) }.sorted { $0.distance < $1.distance }
        if let best = scored.first, best.distance <= max(2, best.name.count / 3),
           scored.dropFirst().first?.distance != best.distance {
            return best.name
        }
        let prefixed = names.filter { word.count >= 2 && $0.hasPrefix(word) }
        return prefixed.count == 1 ? prefixed[0] : nil
    }
}

/// The C library's `exit`, which `ParsableCommand.exit(withError:)` hides inside the command.
private func exitProcess(_ status: Int32) -> Never {
    exit(status)
}
