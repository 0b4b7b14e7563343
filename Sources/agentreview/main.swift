import AgentReviewCLI

AgentReviewCommand.main()
