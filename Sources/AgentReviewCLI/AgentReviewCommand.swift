import ArgumentParser

/// The `agentreview` command: lists the subcommands, each in its own file under Commands/.
public struct AgentReviewCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "agentreview",
        abstract: "Every agent commit carries the sign-off its risk requires.",
        discussion: "Exit codes: 0 pass, 1 blocked, 2 usage, configuration or repository error.",
        version: "0.1.0",
        subcommands: [
            Status.self, Check.self, Explain.self, Approve.self, Attest.self, Sync.self, Hook.self, Install.self,
            PolicyGroup.self, Records.self, Init.self,
            Doctor.self,
            Agents.self,
        ]
    )

    public init() {}
}
