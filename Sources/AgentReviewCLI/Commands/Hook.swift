import AgentReviewSupport
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AgentReviewCommand {
    struct Hook: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hook",
            abstract: "Run as a git hook (the shims in hooks/ call these).",
            subcommands: [PreReceive.self, PrePush.self])
    }
}

/// All of standard input, decoded leniently (a hook must read all of it). A failed read is
/// an error, never an empty push.
func readStandardInput() throws -> String {
    do {
        return String(decoding: try FileIO.readStandardInput(), as: UTF8.self)
    } catch {
        throw CLIError("cannot read the ref lines on standard input: \(error)")
    }
}

extension JudgementStream {
    /// The stream a hook writes to: JSON or text on stdout, refusals on stderr. A warn-mode
    /// ref never stops a push, not even by failing.
    static func forHook(json: Bool, refusal: String, closing: String) -> JudgementStream {
        JudgementStream(
            sinks: [json ? JSONSink(list: true) : TextSink(style: .hook(closing: closing)), DiagnosticSink(.hook(refusal: refusal))],
            errorsAlwaysFail: false)
    }

    /// The stream a command writes to: one judgement, JSON or text on stdout, errors on stderr.
    static func forCommand(json: Bool) -> JudgementStream {
        JudgementStream(sinks: [json ? JSONSink(list: false) : TextSink(style: .command), DiagnosticSink(.command)], errorsAlwaysFail: true)
    }
}
