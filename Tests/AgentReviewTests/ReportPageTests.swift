import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

@testable import AgentReviewCLI

/// `agentreview report --html` in a real headless Chromium (Debian's `chromium`, which
/// `scripts/test` installs): the page renders with no console error, a screenshot shows
/// something, every number on it is the JSON's (`agentreview metrics --json`), and hostile
/// text from the history stays text.
@Suite struct ReportPageTests {
    /// Runs Chromium headless on a file, with its console on stderr; a profile of its own.
    static func chromium(_ arguments: [String], page: URL, in directory: URL) throws -> Sandbox.Output {
        let profile = directory.appendingPathComponent("profile-\(UUID().uuidString)")
        return try Sandbox.run(
            "/usr/bin/timeout",
            ["120", "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
             "--enable-logging=stderr", "--v=0"] + arguments + [page.absoluteString],
            in: directory)
    }

    /// The console messages Chromium logged for the page (errors, CSP violations, logs).
    static func consoleMessages(_ output: Sandbox.Output) -> [String] {
        output.stderr.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") }
    }

    /// Every `data-metric` element of the rendered DOM: its path and its text.
    static func metrics(in dom: String) throws -> [(path: String, text: String)] {
        let pattern = try Regex(#"data-metric="([^"]*)"[^>]*>([^<]*)<"#)
        return dom.matches(of: pattern).map { match in
            (unescape(String(match.output[1].substring!)), unescape(String(match.output[2].substring!)))
        }
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The value at a `data-metric` path (`class:totals[author=agent].figures.reverted.rate`)
    /// in the JSON of the report for that grouping.
    static func resolve(_ path: String, in reports: [String: Any]) throws -> Any? {
        let colon = try #require(path.firstIndex(of: ":"))
        var value: Any? = reports[String(path[..<colon])]
        var rest = Substring(path[path.index(after: colon)...])
        while !rest.isEmpty, let current = value {
            // A member name, then any number of `[k=v,…]` selectors, then `.`.
            let nameEnd = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
            let name = String(rest[..<nameEnd])
            rest = rest[nameEnd...]
            value = (current as? [String: Any])?[name]
            while rest.first == "[", let close = rest.firstIndex(of: "]") {
                let selectors = rest[rest.index(after: rest.startIndex)..<close].split(separator: ",").map { pair in
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
                }
                let array = (value as? [[String: Any]]) ?? []
                let found = array.filter { element in selectors.allSatisfy { key, wanted in element[key].map { "\($0)" } == wanted } }
                #expect(found.count == 1, "\(path): \(found.count) elements match")
                value = found.first
                rest = rest[rest.index(after: close)...]
            }
            if rest.first == "." { rest = rest.dropFirst() }
        }
        return value
    }

    /// A JSON value as the page formats it.
    static func formatted(_ value: Any?, path: String) -> String {
        guard let value, !(value is NSNull) else { return "–" }
        let number = (value as? NSNumber)?.doubleValue ?? 0
        if path.hasSuffix(".rate") { return Ratio.percent(number) }
        if path.hasSuffix(".median") || path.hasSuffix(".p90") { return DurationStats.format(Int64(number)) }
        return "\(value)"
    }

    /// The known history of `MetricsCommandTests`, its audit log, the JSON and the page.
    struct Rendered {
        /// Kept while the page is looked at: its sandbox goes when it does.
        var history: MetricsCommandTests
        var directory: URL
        var page: URL
        var reports: [String: Any]
        var classReport: MetricsReport
        var monthReport: MetricsReport
    }

    static func render() throws -> Rendered {
        let history = try MetricsCommandTests()
        _ = try history.build()
        let push = try Sandbox.run("/usr/bin/git", ["push", "origin", "main", "refs/notes/agentreview"], in: history.clone)
        #expect(push.status != 0)
        let log = history.server.appendingPathComponent("agentreview/audit.jsonl").path
        let options = ["\(history.base)..HEAD", "--lines", "--churn", "--audit", log]
        var reports = [String: Any](), decoded = [String: MetricsReport]()
        for grouping in ["class", "month"] {
            let output = try history.sandbox.agentreview(["metrics", "--json", "--by", grouping] + options, in: history.clone)
            try #require(output.status == 0, "\(output.stderr)")
            reports[grouping] = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8))
            decoded[grouping] = try JSONDecoder().decode(MetricsReport.self, from: Data(output.stdout.utf8))
        }
        let page = history.sandbox.root.appendingPathComponent("governance.html")
        let wrote = try history.sandbox.agentreview(["report", "--html", page.path] + options, in: history.clone)
        try #require(wrote.status == 0, "\(wrote.stderr)")
        #expect(wrote.stdout.contains("wrote \(page.path)"))
        return Rendered(
            history: history, directory: history.sandbox.root, page: page, reports: reports, classReport: decoded["class"]!,
            monthReport: decoded["month"]!)
    }

    @Test func everyNumberOnThePageIsTheJSONs() throws {
        let rendered = try Self.render()
        let dom = try Self.chromium(["--dump-dom"], page: rendered.page, in: rendered.directory)
        try #require(dom.status == 0, "\(dom.stderr)")
        #expect(Self.consoleMessages(dom).isEmpty, "\(Self.consoleMessages(dom))")
        let shown = try Self.metrics(in: dom.stdout)
        #expect(shown.count > 100)
        for (path, text) in shown {
            let value = try Self.resolve(path, in: rendered.reports)
            #expect(text == Self.formatted(value, path: path), "\(path)")
        }
        // What must be on the page, at least.
        let paths = Set(shown.map(\.path))
        var required = ["class:commits.counted", "class:audit.refused.count", "class:churn.agent.count", "class:churn.agent.of"]
        for author in ["agent", "human"] {
            for figure in ["reverted", "fixed"] {
                required += ["count", "of", "rate"].map { "class:totals[author=\(author)].figures.\(figure).\($0)" }
            }
        }
        required += rendered.monthReport.rows.map { "month:rows[month=\($0.month!),author=\($0.author.rawValue)].figures.commits.count" }
        required += rendered.classReport.latency.map { "class:latency[class=\($0.class),author=\($0.author.rawValue)].stats.median" }
        required += rendered.classReport.paths.map { "class:paths[path=\($0.path)].commits" }
        for path in required { #expect(paths.contains(path), "\(path) is not on the page") }
        // Known values, as a reader sees them.
        #expect(shown.contains { $0.path == "class:totals[author=agent].figures.reverted.rate" && $0.text == "25.0%" })
        #expect(shown.contains { $0.path == "class:totals[author=agent].figures.latency.median" && $0.text == "1d" })
        // The override is listed with who and why; its reason is text, not markup.
        #expect(dom.stdout.contains("oncall@example.com"))
        #expect(dom.stdout.contains("prod down: INC-7 &lt;b&gt;"))
        #expect(!dom.stdout.contains("<script"))
    }

    @Test func aScreenshotShowsThePage() throws {
        let rendered = try Self.render()
        let shot = rendered.directory.appendingPathComponent("report.png")
        let output = try Self.chromium(
            ["--hide-scrollbars", "--window-size=1280,2400", "--screenshot=\(shot.path)"], page: rendered.page, in: rendered.directory)
        try #require(output.status == 0, "\(output.stderr)")
        #expect(Self.consoleMessages(output).isEmpty, "\(Self.consoleMessages(output))")
        let png = try Data(contentsOf: shot)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // Width and height from the IHDR chunk: the window's.
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 1280 && height == 2400)
        // A blank page of the same size compresses to almost nothing; the report does not.
        let blankPage = rendered.directory.appendingPathComponent("blank.html")
        try Data("<!doctype html><title>blank</title>".utf8).write(to: blankPage)
        let blankShot = rendered.directory.appendingPathComponent("blank.png")
        _ = try Self.chromium(["--hide-scrollbars", "--window-size=1280,2400", "--screenshot=\(blankShot.path)"], page: blankPage, in: rendered.directory)
        let blank = try Data(contentsOf: blankShot)
        #expect(png.count > blank.count * 10, "report \(png.count) bytes, blank \(blank.count) bytes")
    }

    /// The console check is not a no-op: a page that logs an error, and one whose external
    /// image the report's Content-Security-Policy blocks, are both caught.
    @Test func theConsoleCheckCatchesErrors() throws {
        let directory = try GitProcess.temporaryDirectory("agentreview-console")
        defer { try? FileManager.default.removeItem(at: directory) }
        let logging = directory.appendingPathComponent("logging.html")
        try Data("<!doctype html><body><script>console.error('boom')</script></body>".utf8).write(to: logging)
        let logged = try Self.chromium(["--dump-dom"], page: logging, in: directory)
        #expect(Self.consoleMessages(logged).contains { $0.contains("boom") })
        let external = directory.appendingPathComponent("external.html")
        let policy = #"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">"#
        try Data("<!doctype html><head>\(policy)</head><body><img src=\"https://example.com/x.png\"></body>".utf8).write(to: external)
        let blocked = try Self.chromium(["--dump-dom"], page: external, in: directory)
        #expect(Self.consoleMessages(blocked).contains { $0.contains("Content Security Policy") })
    }

    /// Hostile text in subjects, reasons, paths and signers is escaped: nothing in it becomes markup.
    @Test func hostileTextStaysText() throws {
        let json = #"{"signer":"x@example.com","date":"2026-10-01T00:00:00Z","reason":"r","satisfied":[]}"#
        let override = try JSONDecoder().decode(OverrideReport.self, from: Data(json.utf8))
        var accumulator = MetricsAccumulator(classes: ["low", "high"])
        accumulator.add(
            MetricsCommit(
                id: String(repeating: "a", count: 40), subject: "s", authorTime: 1_788_220_800, committerTime: 1_788_220_800,
                author: .agent, writer: "claude", classRank: 1, highPaths: ["infra/<img src=x onerror=alert(1)>.tf"],
                needsApproval: true, override: override))
        var report = accumulator.report(by: .class, range: "HEAD", policy: "p", window: .init())
        report.overrides[0].reason = "<script>alert(1)</script> & \"quoted\""
        report.overrides[0].subject = "<img src=x onerror=alert(2)>"
        report.overrides[0].signer = "eve<b>@example.com"
        let page = ReportPage.render(
            byClass: report, byMonth: accumulator.report(by: .month, range: "HEAD", policy: "p", window: .init()),
            title: "<title>t</title>", generated: "now")
        let directory = try GitProcess.temporaryDirectory("agentreview-hostile")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("hostile.html")
        try Data(page.utf8).write(to: file)
        let dom = try Self.chromium(["--dump-dom"], page: file, in: directory)
        try #require(dom.status == 0)
        #expect(Self.consoleMessages(dom).isEmpty, "\(Self.consoleMessages(dom))")
        #expect(!dom.stdout.contains("<script"))
        #expect(!dom.stdout.contains("<img"))
        #expect(!dom.stdout.contains("<b>"))
        #expect(dom.stdout.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"quoted\""))
        #expect(dom.stdout.contains("infra/&lt;img src=x onerror=alert(1)&gt;.tf"))
    }
}
