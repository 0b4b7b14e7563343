import AgentReviewCLI

AgentReviewCommand.runAndExit()
