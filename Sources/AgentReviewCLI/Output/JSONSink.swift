import AgentReviewCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The judgement as JSON on stdout, streamed: each commit report is encoded (keys sorted,
/// by `StreamingJSONEncoder`: see there for why) and written as it is made, so a whole
/// history is written in constant memory.
///
/// A ref is the `Judgement` object: `{"commits":[…]` then the ref's other members, which
/// sort after `commits`. A single-ref run (`status`, `check`) writes that object; a push
/// (`hook …`) writes an array of them. The output is complete JSON whatever happens: an
/// error ends its ref with an `error` member, and a run that failed before its first ref
/// still writes one object carrying the error.
final class JSONSink: JudgementSink {
    private let list: Bool
    private var refsWritten = 0
    private var commitsInRef = 0
    /// One encoder for every report: its buffer keeps its capacity.
    private let encoder = StreamingJSONEncoder()

    init(list: Bool) {
        self.list = list
    }

    func begin(_ judgement: RefJudgement, heading: Heading) {
        var opening = ""
        if list { opening += refsWritten == 0 ? "[" : "," }
        StandardOutput.write(Array((opening + "{\"commits\":[").utf8))
        refsWritten += 1
        commitsInRef = 0
    }

    func commit(_ report: CommitReport, in judgement: RefJudgement) throws {
        encoder.removeAll()
        if commitsInRef > 0 { encoder.append(UInt8(ascii: ",")) }
        try encoder.encode(report)
        StandardOutput.write(encoder.bytes)
        commitsInRef += 1
    }

    func end(_ judgement: RefJudgement) {
        // The ref's members after `commits`: its own encoding without the opening brace.
        // Encoding a few strings and enums cannot fail; if it ever did, the error still closes the object.
        let members = (try? Rendering.jsonBytes(judgement)).map { Array($0.dropFirst()) }
            ?? Array("\"error\":\"the judgement could not be encoded\",\"verdict\":\"blocked\"}".utf8)
        StandardOutput.write(Array("],".utf8) + members)
    }

    func finish(_ outcome: JudgementOutcome) {
        if list { StandardOutput.write(Array((refsWritten == 0 ? "[]" : "]").utf8)) }
        StandardOutput.write([UInt8(ascii: "\n")])
        StandardOutput.flush()
    }
}

/// Diagnostics on stderr: a ref that could not be judged, or a run that failed before its
/// first ref, in one line each.
final class DiagnosticSink: JudgementSink {
    enum Wording {
        /// `push refused: …` for the run, `REF refused: …` for an enforced ref, `REF: not
        /// judged (warn mode): …` for one whose policy only warns.
        case hook(refusal: String)
        /// The error alone, as every command reports one.
        case command
    }

    private let wording: Wording

    init(_ wording: Wording) {
        self.wording = wording
    }

    func begin(_ judgement: RefJudgement, heading: Heading) {}
    func commit(_ report: CommitReport, in judgement: RefJudgement) throws {}
    func finish(_ outcome: JudgementOutcome) {}

    func end(_ judgement: RefJudgement) {
        guard let error = judgement.error else { return }
        switch wording {
        case .command:
            printError(error)
        case .hook(let refusal):
            if let ref = judgement.ref {
                if judgement.refuses {
                    printError("\(ref) refused: \(error)")
                } else {
                    printError("\(ref): not judged (\(judgement.mode?.rawValue ?? "unknown") mode): \(error)")
                }
            } else {
                printError("\(refusal): \(error)")
            }
        }
    }
}
