import AgentReviewCore
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AgentReviewCommand {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Write the governance metrics as one self-contained HTML page.",
            discussion: """
                The figures of `agentreview metrics` (the same options, the same walk): trends per month, sign-off
                latency by class, reverts and fixes of agent against human commits, the most touched high-risk
                paths, every override with who and why, the audit log's months (with --audit). One file: no
                script, no network, charts as inline SVG; every number on the page is the JSON's
                (`agentreview metrics --json`), marked with data-metric.
                """)

        @OptionGroup var metrics: MetricsOptions

        @Option(help: "The HTML file to write.")
        var html: String

        @Option(help: "The page's title.")
        var title = "agentreview governance report"

        @OptionGroup var options: CommonOptions

        func validate() throws {
            if options.json { throw ValidationError("--json: the report is HTML; for JSON use agentreview metrics --json") }
        }

        func run() throws {
            try guarded {
                let run = try metrics.compute(options: options)
                let page = ReportPage.render(
                    byClass: run.report(by: .class), byMonth: run.report(by: .month), title: title,
                    generated: MetricsReport.utc(Int64(Date().timeIntervalSince1970)))
                do {
                    try Data(page.utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
                } catch {
                    throw CLIError("cannot write \(html): \(describe(error))")
                }
                print("wrote \(html) (\(page.utf8.count) bytes)")
                return 0
            }
        }
    }
}
