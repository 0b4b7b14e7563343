import ArgumentParser

public struct AgentReviewCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "agentreview",
        abstract: "Every agent commit carries the sign-off its risk requires."
    )
    public init() {}
}
