@testable import AgentReviewCLI
import ArgumentParser
import Testing

/// Every command names itself. Without a `commandName`, swift-argument-parser derives a
/// command's name from its type's name with `String(describing:)`, every time a command
/// line is parsed, for every command beside the one run; the first such call for each type
/// scans all the binary's protocol conformance records. That was 19.2 million of the 45.8
/// million instructions a one-commit `check` took (12.5 → 9.5 ms). Every command but the
/// pre-receive hook, which is run without the parser, paid it.
@Suite struct CommandNameTests {
    @Test func everyCommandNamesItself() {
        var unnamed = [String]()
        var seen = 0
        func visit(_ command: ParsableCommand.Type, path: String) {
            seen += 1
            let name = command.configuration.commandName
            if name == nil { unnamed.append("\(path) › \(command)") }
            for subcommand in command.configuration.subcommands {
                visit(subcommand, path: path + " " + (name ?? "?"))
            }
        }
        visit(AgentReviewCommand.self, path: "")
        #expect(unnamed.isEmpty, "commands without a commandName: \(unnamed)")
        #expect(seen >= 25, "the whole tree was visited")
    }
}
