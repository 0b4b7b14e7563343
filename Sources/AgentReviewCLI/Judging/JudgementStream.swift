import AgentReviewCore

/// How a ref's judgement is presented: what its heading says, how wide the class column is.
struct Heading: Sendable {
    var title: String
    var classWidth: Int

    init(_ title: String, configuration: TrustedConfiguration? = nil) {
        self.title = title
        self.classWidth = configuration?.policy.classes.map(\.name.count).max() ?? 4
    }
}

/// An output of the judging path. It renders what the path decided and never decides
/// anything: the verdict, the error and the exit status are the stream's.
///
/// For each ref, in order: `begin`, `commit` for each commit judged, `end`; then `finish`
/// once. A run that fails before its first ref still makes one ref (its `ref` and `mode`
/// possibly nil) that begins and ends with the error, so every output stays well-formed
/// whatever happens.
protocol JudgementSink: AnyObject {
    func begin(_ judgement: RefJudgement, heading: Heading)
    /// One commit judged; `judgement` already counts it.
    func commit(_ report: CommitReport, in judgement: RefJudgement) throws
    /// The ref's judgement, complete, before any output ends it: a sink that keeps a record
    /// (the audit log) writes it here. A throw fails the ref's judgement (fail closed: an
    /// enforced ref is refused when its judgement cannot be recorded), and every sink's
    /// `end` then sees that.
    func record(_ judgement: RefJudgement) throws
    /// The ref's judgement, complete: its verdict, and its error or why nothing was judged.
    func end(_ judgement: RefJudgement)
    func finish(_ outcome: JudgementOutcome)
}

extension JudgementSink {
    func record(_ judgement: RefJudgement) throws {}
}

/// What a run decided, ref by ref, and the exit status that says it.
struct JudgementOutcome {
    var refs: [RefJudgement]
    /// 0 pass, 1 blocked, 2 error.
    var status: Int32
}

/// The one judging path every command goes through: a push (its ref updates), a `check`,
/// a `status` range. Each ref is judged into a `RefJudgement` while its commit reports go
/// to every sink as they are made; errors become part of the ref's judgement (fail closed),
/// never a half-written output.
final class JudgementStream {
    private var sinks: [any JudgementSink]
    /// Whether an error fails the run even where the ref's mode would only warn: true for
    /// commands a person runs (an error is exit 2), false for hooks (a warn-mode ref never
    /// stops a push, not even by failing).
    private let errorsAlwaysFail: Bool
    private(set) var refs = [RefJudgement]()

    init(sinks: [any JudgementSink], errorsAlwaysFail: Bool) {
        self.sinks = sinks
        self.errorsAlwaysFail = errorsAlwaysFail
    }

    /// Adds a sink for the refs judged from now on (the audit log, once the repository that
    /// says where it is has been opened).
    func attach(_ sink: any JudgementSink) {
        sinks.append(sink)
    }

    /// Judges one ref: `body` hands each commit report to `add` as it is made and returns
    /// why nothing was judged when that is so. A thrown error ends the ref's judgement with it.
    @discardableResult
    func judge(
        _ start: RefJudgement, heading: Heading, _ body: (_ add: (CommitReport) throws -> Void) throws -> String?
    ) -> RefJudgement {
        var judgement = start
        for sink in sinks { sink.begin(judgement, heading: heading) }
        do {
            let nothingJudged = try body { report in
                try HookTimeLimit.checkpoint()
                judgement.add(report)
                let current = judgement  // one copy for every sink (each call copied it from the capture)
                for sink in sinks { try sink.commit(report, in: current) }
            }
            if judgement.judged == 0 { judgement.nothingJudged = nothingJudged }
        } catch {
            judgement.fail(describe(error))
        }
        for sink in sinks {
            do {
                try sink.record(judgement)
            } catch {
                judgement.fail(describe(error))
            }
        }
        for sink in sinks { sink.end(judgement) }
        refs.append(judgement)
        return judgement
    }

    /// Judges one ref in `mode` by `configuration`'s policy (see above).
    @discardableResult
    func judge(
        ref: String?, update: RefUpdate? = nil, mode: EnforcementMode, configuration: TrustedConfiguration, title: String,
        _ body: (_ add: (CommitReport) throws -> Void) throws -> String?
    ) -> RefJudgement {
        var start = RefJudgement(ref: ref, mode: mode, policy: configuration.source)
        (start.old, start.new) = (update?.old.hex, update?.new.hex)
        return judge(start, heading: Heading(title, configuration: configuration), body)
    }

    /// A ref, or the whole run (`ref` nil), that could not be judged at all.
    func fail(
        ref: String?, update: RefUpdate? = nil, mode: EnforcementMode? = nil, policy: String? = nil, heading: Heading,
        _ error: any Error
    ) {
        var start = RefJudgement(ref: ref, mode: mode, policy: policy)
        (start.old, start.new) = (update?.old.hex, update?.new.hex)
        judge(start, heading: heading) { _ in throw error }
    }

    /// Ends the run: every sink finishes, and the exit status is decided — 2 when an error
    /// refused a ref (or any error, for a command), else 1 when a ref is blocked, else 0.
    @discardableResult
    func finish() -> JudgementOutcome {
        let failed = refs.contains { $0.error != nil && ($0.refuses || errorsAlwaysFail) }
        let status: Int32 = failed ? 2 : refs.contains(where: \.refuses) ? 1 : 0
        let outcome = JudgementOutcome(refs: refs, status: status)
        for sink in sinks { sink.finish(outcome) }
        return outcome
    }
}
