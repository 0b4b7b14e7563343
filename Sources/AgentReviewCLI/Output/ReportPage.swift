import AgentReviewCore

/// `agentreview report --html`: the metrics as one self-contained page. No script, no
/// network (a Content-Security-Policy forbids both), charts as inline SVG, readable printed.
///
/// Every number drawn from the metrics sits in an element with `data-metric="PATH"`, whose
/// text is exactly the value formatted: integers in decimal, rates with `Ratio.percent`
/// (`7.5%`), durations with `DurationStats.format` (`1d 2h`), `–` for none. PATH is where
/// the value is in `agentreview metrics --json`, prefixed by the grouping of that report:
/// `class:totals[author=agent].figures.reverted.count`,
/// `month:rows[month=2026-10,author=human].figures.commits.count`,
/// `class:latency[class=high,author=agent].buckets[label=≤ 1d].count`,
/// `class:paths[path=infra/main.tf].commits`, `class:commits.counted`. A selector `[k=v,…]`
/// picks the one array element whose members have those values.
enum ReportPage {
    static func render(byClass: MetricsReport, byMonth: MetricsReport, title: String, generated: String) -> String {
        var page = Page()
        page.header(byClass, title: title, generated: generated)
        page.cards(byClass)
        page.trends(byMonth)
        page.latency(byClass)
        page.reworkSection(byClass)
        page.paths(byClass)
        page.overrides(byClass)
        page.audit(byClass)
        page.churn(byClass)
        page.methods(byClass)
        return page.document(title: title)
    }

    /// Escapes text for HTML content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters (a hostile reason's escape sequences) shown as a space.
                if scalar.value < 0x20 && scalar != "\n" || scalar.value == 0x7F { out += " " } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    static func rate(_ ratio: Ratio) -> String { ratio.rate.map(Ratio.percent) ?? "–" }
    static func duration(_ seconds: Int64?) -> String { seconds.map(DurationStats.format) ?? "–" }

    static let colours: [AuthorKind: String] = [.agent: "#5b5bd6", .human: "#2a9d8f", .bot: "#b0a27a"]
}

/// The page as it is written.
private struct Page {
    var body = ""

    mutating func add(_ html: String) { body += html + "\n" }

    /// A number with where it comes from.
    func metric(_ path: String, _ text: String, tag: String = "span", attributes: String = "") -> String {
        "<\(tag) data-metric=\"\(ReportPage.escape(path))\"\(attributes)>\(ReportPage.escape(text))</\(tag)>"
    }

    /// `3 of 40 · 7.5%`, each number marked.
    func ratio(_ path: String, _ ratio: Ratio) -> String {
        let count = metric(path + ".count", String(ratio.count)), of = metric(path + ".of", String(ratio.of))
        return "\(count)<span class=of> of </span>\(of)"
            + "<span class=rate> · \(metric(path + ".rate", ReportPage.rate(ratio)))</span>"
    }

    static func totals(_ author: AuthorKind) -> String { "class:totals[author=\(author.rawValue)].figures" }

    mutating func header(_ report: MetricsReport, title: String, generated: String) {
        var window = [String]()
        if let since = report.window.since { window.append("since \(since)") }
        if let until = report.window.until { window.append("until \(until)") }
        let counts = report.commits
        add("<header><h1>\(ReportPage.escape(title))</h1>")
        add("<p class=sub>\(ReportPage.escape(report.range)) · policy \(ReportPage.escape(report.policy)) · \(ReportPage.escape(window.isEmpty ? "all time" : window.joined(separator: " "))) · generated \(ReportPage.escape(generated))</p>")
        add("<p class=sub>\(metric("class:commits.counted", String(counts.counted))) commits counted of \(metric("class:commits.walked", String(counts.walked))) walked; \(metric("class:commits.merges", String(counts.merges))) merges not counted</p></header>")
    }

    mutating func cards(_ report: MetricsReport) {
        let agent = report.totals.first { $0.author == .agent }?.figures
        let human = report.totals.first { $0.author == .human }?.figures
        var cards = [String]()
        func card(_ label: String, _ value: String, _ detail: String) {
            cards.append("<div class=card><div class=label>\(label)</div><div class=value>\(value)</div><div class=detail>\(detail)</div></div>")
        }
        let a = Self.totals(.agent), h = Self.totals(.human)
        if let agent {
            card("Agent share of commits", metric(a + ".commits.rate", ReportPage.rate(agent.commits)), ratio(a + ".commits", agent.commits))
            if let lines = agent.lines {
                card("Agent share of changed lines", metric(a + ".lines.rate", ReportPage.rate(lines)), ratio(a + ".lines", lines))
            }
            card("Agent commits reverted", metric(a + ".reverted.rate", ReportPage.rate(agent.reverted)),
                 ratio(a + ".reverted", agent.reverted) + (human.map { "<br>people: " + ratio(h + ".reverted", $0.reverted) } ?? ""))
            card("Agent commits fixed later", metric(a + ".fixed.rate", ReportPage.rate(agent.fixed)),
                 ratio(a + ".fixed", agent.fixed) + (human.map { "<br>people: " + ratio(h + ".fixed", $0.fixed) } ?? ""))
            card("Sign-off latency, median", metric(a + ".latency.median", ReportPage.duration(agent.latency.median)),
                 "p90 \(metric(a + ".latency.p90", ReportPage.duration(agent.latency.p90))) · \(metric(a + ".latency.count", String(agent.latency.count))) approved commits")
            card("Let through by an override", metric(a + ".overridden.count", String(agent.overridden.count)),
                 "of \(metric(a + ".overridden.of", String(agent.overridden.of))) agent commits that needed approval")
        } else {
            card("Agent commits", "0", "no agent commit in this range")
        }
        add("<section class=cards>\(cards.joined())</section>")
    }

    mutating func trends(_ report: MetricsReport) {
        add("<section><h2>Trends per month</h2>")
        let months = Array(Set(report.rows.compactMap(\.month))).sorted()
        guard !months.isEmpty else {
            add("<p class=empty>No commits in this range.</p></section>")
            return
        }
        func count(_ month: String, _ author: AuthorKind) -> Int {
            report.rows.first { $0.month == month && $0.author == author }?.figures.commits.count ?? 0
        }
        let kinds = AuthorKind.allCases.filter { kind in report.rows.contains { $0.author == kind } }
        let most = max(1, months.map { month in kinds.reduce(0) { $0 + count(month, $1) } }.max() ?? 1)
        let width = 860, height = 220, left = 40, bottom = 30
        let step = Double(width - left) / Double(months.count)
        let bar = max(2, step * 0.7)
        var svg = "<svg class=chart viewBox=\"0 0 \(width) \(height + bottom)\" role=img aria-label=\"Commits per month by agents, people and bots\">"
        for tick in 0...4 {
            let value = most * tick / 4
            let y = Double(height) - Double(height - 10) * Double(value) / Double(most)
            svg += "<line x1=\(left) x2=\(width) y1=\(y) y2=\(y) class=grid /><text x=\(left - 6) y=\(y + 4) class=axis text-anchor=end>\(value)</text>"
        }
        for (index, month) in months.enumerated() {
            var y = Double(height)
            let x = Double(left) + step * Double(index) + (step - bar) / 2
            for kind in kinds {
                let value = count(month, kind)
                guard value > 0 else { continue }
                let h = Double(height - 10) * Double(value) / Double(most)
                y -= h
                svg += "<rect x=\(x) y=\(y) width=\(bar) height=\(h) fill=\"\(ReportPage.colours[kind]!)\"><title>\(month) \(kind.rawValue): \(value)</title></rect>"
            }
            if index % ((months.count + 11) / 12) == 0 {
                svg += "<text x=\(x + bar / 2) y=\(height + 18) class=axis text-anchor=middle>\(ReportPage.escape(month))</text>"
            }
        }
        svg += "</svg>"
        add(svg)
        add(legend(kinds))
        // The numbers behind the chart.
        var table = "<table><thead><tr><th>month</th>"
        for kind in kinds { table += "<th>\(kind.rawValue) commits</th>" }
        let withLines = report.rows.first?.figures.lines != nil
        if withLines { table += "<th>agent share of lines</th>" }
        table += "<th>agent reverted</th></tr></thead><tbody>"
        for month in months.reversed() {
            table += "<tr><td>\(ReportPage.escape(month))</td>"
            for kind in kinds {
                if let row = report.rows.first(where: { $0.month == month && $0.author == kind }) {
                    table += "<td>" + ratio("month:rows[month=\(month),author=\(kind.rawValue)].figures.commits", row.figures.commits) + "</td>"
                } else {
                    table += "<td class=none>0</td>"
                }
            }
            let agent = report.rows.first { $0.month == month && $0.author == .agent }
            let path = "month:rows[month=\(month),author=agent].figures"
            if withLines { table += "<td>" + (agent?.figures.lines.map { ratio(path + ".lines", $0) } ?? "–") + "</td>" }
            table += "<td>" + (agent.map { ratio(path + ".reverted", $0.figures.reverted) } ?? "–") + "</td></tr>"
        }
        add(table + "</tbody></table></section>")
    }

    func legend(_ kinds: [AuthorKind]) -> String {
        "<p class=legend>" + kinds.map { "<span class=swatch style=\"background:\(ReportPage.colours[$0]!)\"></span>\($0.rawValue)" }.joined(separator: " ") + "</p>"
    }

    mutating func latency(_ report: MetricsReport) {
        add("<section><h2>Review latency by class</h2><p class=note>From a commit's author date to the approval that completed its sign-off.</p>")
        let measured = report.latency.filter { $0.stats.count > 0 || $0.buckets.contains { $0.count > 0 } }
        guard !report.latency.isEmpty else {
            add("<p class=empty>No commit in this range needed approval.</p></section>")
            return
        }
        if measured.isEmpty {
            // Empty histograms would only look broken: the counts say it plainly.
            add("<p class=empty>\(metric("class:totals[author=agent].figures.signed_off.of", String(report.totals.first { $0.author == .agent }?.figures.signedOff.of ?? 0))) agent commits needed approval; none has completed its sign-off yet.</p></section>")
            return
        }
        add("<div class=grid2>")
        for histogram in report.latency {
            let path = "class:latency[class=\(histogram.class),author=\(histogram.author.rawValue)]"
            let most = max(1, histogram.buckets.map(\.count).max() ?? 1)
            var svg = "<svg class=hist viewBox=\"0 0 400 \(histogram.buckets.count * 22 + 6)\" role=img aria-label=\"latency buckets\">"
            for (index, bucket) in histogram.buckets.enumerated() {
                let y = index * 22 + 4
                let w = 260.0 * Double(bucket.count) / Double(most)
                svg += "<text x=60 y=\(y + 14) class=axis text-anchor=end>\(ReportPage.escape(bucket.label))</text>"
                svg += "<rect x=68 y=\(y) width=\(w) height=16 fill=\"\(ReportPage.colours[histogram.author]!)\"><title>\(ReportPage.escape(bucket.label)): \(bucket.count)</title></rect>"
                svg += metric("\(path).buckets[label=\(bucket.label)].count", String(bucket.count), tag: "text", attributes: " x=\(Int(w) + 74) y=\(y + 13) class=val")
            }
            svg += "</svg>"
            add("<div class=panel><h3>\(ReportPage.escape(histogram.class)) · \(histogram.author.rawValue)</h3>\(svg)<p>median \(metric(path + ".stats.median", ReportPage.duration(histogram.stats.median))) · p90 \(metric(path + ".stats.p90", ReportPage.duration(histogram.stats.p90))) · \(metric(path + ".stats.count", String(histogram.stats.count))) signed off</p></div>")
        }
        add("</div></section>")
    }

    mutating func reworkSection(_ report: MetricsReport) {
        add("<section><h2>Reverts and fixes, agent against human</h2>")
        guard !report.rows.isEmpty else {
            add("<p class=empty>No commits in this range.</p></section>")
            return
        }
        let anyRework = report.rows.contains { $0.figures.reverted.count > 0 || $0.figures.fixed.count > 0 }
        if !anyRework { add("<p class=empty>No agent or human commit in this range was reverted or named by a later fix.</p>") }
        // Rates side by side per class: a bar per author kind (only when there is one to draw).
        let classes = report.rows.compactMap(\.class).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var svg = "<svg class=chart viewBox=\"0 0 860 \(classes.count * 56 + 30)\" role=img aria-label=\"revert and fix rates by class\">"
        var y = 10
        let scale = max(0.05, report.rows.map { max($0.figures.reverted.rate ?? 0, $0.figures.fixed.rate ?? 0) }.max() ?? 0)
        for name in classes {
            svg += "<text x=0 y=\(y + 22) class=axis>\(ReportPage.escape(name))</text>"
            for (offset, kind) in [AuthorKind.agent, .human].enumerated() {
                guard let row = report.rows.first(where: { $0.class == name && $0.author == kind }) else { continue }
                let yy = y + offset * 22
                let reverted = 300 * (row.figures.reverted.rate ?? 0) / scale
                let fixed = 300 * (row.figures.fixed.rate ?? 0) / scale
                svg += "<rect x=90 y=\(yy) width=\(reverted) height=16 fill=\"\(ReportPage.colours[kind]!)\"><title>\(kind.rawValue) reverted \(ReportPage.rate(row.figures.reverted))</title></rect>"
                svg += "<rect x=460 y=\(yy) width=\(fixed) height=16 fill=\"\(ReportPage.colours[kind]!)\" opacity=0.7><title>\(kind.rawValue) fixed \(ReportPage.rate(row.figures.fixed))</title></rect>"
            }
            y += 56
        }
        svg += "<text x=90 y=\(y + 10) class=axis>reverted</text><text x=460 y=\(y + 10) class=axis>fixed later (Fixes:)</text></svg>"
        if anyRework {
            add(svg)
            add(legend([.agent, .human]))
        }
        var table = "<table><thead><tr><th>class</th><th>author</th><th>commits</th><th>reverted</th><th>fixed later</th><th>time to fix (median)</th><th>signed off</th><th>overridden</th></tr></thead><tbody>"
        for row in report.rows {
            let path = "class:rows[class=\(row.class ?? ""),author=\(row.author.rawValue)].figures"
            let f = row.figures
            table += "<tr><td>\(ReportPage.escape(row.class ?? ""))</td><td>\(row.author.rawValue)</td>"
            table += "<td>\(ratio(path + ".commits", f.commits))</td><td>\(ratio(path + ".reverted", f.reverted))</td><td>\(ratio(path + ".fixed", f.fixed))</td>"
            table += "<td>\(metric(path + ".time_to_fix.median", ReportPage.duration(f.timeToFix.median)))</td>"
            table += "<td>\(ratio(path + ".signed_off", f.signedOff))</td><td>\(ratio(path + ".overridden", f.overridden))</td></tr>"
        }
        add(table + "</tbody></table></section>")
    }

    mutating func paths(_ report: MetricsReport) {
        add("<section><h2>Most touched high-risk paths</h2>")
        guard !report.paths.isEmpty else {
            add("<p class=empty>No commit in this range touched a path of the highest class.</p></section>")
            return
        }
        var table = "<table><thead><tr><th>path</th><th>class</th><th>commits</th><th>agent</th><th>human</th><th>bot</th></tr></thead><tbody>"
        for path in report.paths {
            let at = "class:paths[path=\(path.path)]"
            table += "<tr><td class=mono>\(ReportPage.escape(path.path))</td><td>\(ReportPage.escape(path.class))</td>"
            table += "<td>\(metric(at + ".commits", String(path.commits)))</td><td>\(metric(at + ".agent", String(path.agent)))</td>"
            table += "<td>\(metric(at + ".human", String(path.human)))</td><td>\(metric(at + ".bot", String(path.bot)))</td></tr>"
        }
        add(table + "</tbody></table></section>")
    }

    mutating func overrides(_ report: MetricsReport) {
        add("<section><h2>Overrides</h2>")
        guard !report.overrides.isEmpty else {
            add("<p class=empty>Nobody broke the glass in this range.</p></section>")
            return
        }
        var table = "<table><thead><tr><th>commit</th><th>subject</th><th>writer</th><th>class</th><th>signed by</th><th>on</th><th>reason</th></tr></thead><tbody>"
        for item in report.overrides {
            table += "<tr><td class=mono>\(ReportPage.escape(String(item.commit.prefix(12))))</td><td>\(ReportPage.escape(item.subject ?? "–"))</td>"
            table += "<td>\(ReportPage.escape(item.writer ?? "–"))</td><td>\(ReportPage.escape(item.class ?? "–"))</td>"
            table += "<td>\(ReportPage.escape(item.signer))</td><td>\(ReportPage.escape(item.date))</td><td class=reason>\(ReportPage.escape(item.reason))</td></tr>"
        }
        add(table + "</tbody></table></section>")
    }

    mutating func audit(_ report: MetricsReport) {
        guard let audit = report.audit else { return }
        add("<section><h2>Pushes judged by the server</h2><p class=note>From the audit log \(ReportPage.escape(audit.file)): refused \(ratio("class:audit.refused", audit.refused)); with an override \(ratio("class:audit.overridden", audit.overridden)).</p>")
        guard !audit.months.isEmpty else {
            add("<p class=empty>The log has no entries in this window.</p></section>")
            return
        }
        var table = "<table><thead><tr><th>month</th><th>judged</th><th>refused</th><th>overridden</th></tr></thead><tbody>"
        for month in audit.months.reversed() {
            let at = "class:audit.months[month=\(month.month)]"
            table += "<tr><td>\(ReportPage.escape(month.month))</td><td>\(metric(at + ".judged", String(month.judged)))</td>"
            table += "<td>\(metric(at + ".refused", String(month.refused)))</td><td>\(metric(at + ".overridden", String(month.overridden)))</td></tr>"
        }
        add(table + "</tbody></table></section>")
    }

    mutating func churn(_ report: MetricsReport) {
        guard let churn = report.churn else { return }
        add("<section><h2>Churn</h2><p>Lines rewritten within \(metric("class:churn.days", String(churn.days))) days: agent \(ratio("class:churn.agent", churn.agent)); people \(ratio("class:churn.human", churn.human)). \(metric("class:churn.too_recent", String(churn.tooRecent))) commits too recent to measure, \(metric("class:churn.skipped", String(churn.skipped))) on branches merged after their window; \(metric("class:churn.blamed", String(churn.blamed))) files blamed.</p></section>")
    }

    mutating func methods(_ report: MetricsReport) {
        add("<section><h2>How these are computed</h2><dl>")
        for (name, text) in report.methods.sorted(by: { $0.key < $1.key }) {
            add("<dt>\(ReportPage.escape(name))</dt><dd>\(ReportPage.escape(text))</dd>")
        }
        add("</dl></section>")
    }

    func document(title: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(ReportPage.escape(title))</title>
        <style>
        :root { color-scheme: light; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1f2330; background: #f6f7fb; margin: 0; }
        header { background: #1f2330; color: #fff; padding: 24px 40px 18px; }
        header h1 { margin: 0 0 6px; font-size: 24px; font-weight: 600; }
        header .sub { margin: 2px 0; color: #c9cbe0; font-size: 13px; }
        main { max-width: 1000px; margin: 0 auto; padding: 8px 24px 40px; }
        section { background: #fff; border-radius: 10px; box-shadow: 0 1px 3px rgba(20,20,50,.08); padding: 18px 22px; margin: 18px 0; }
        section.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px; background: none; box-shadow: none; padding: 0; }
        .card { background: #fff; border-radius: 10px; box-shadow: 0 1px 3px rgba(20,20,50,.08); padding: 14px 16px; }
        .card .label { color: #5c6075; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
        .card .value { font-size: 28px; font-weight: 650; margin: 4px 0; color: #3b3bb0; }
        .card .detail { color: #5c6075; font-size: 12px; }
        h2 { font-size: 17px; margin: 0 0 10px; }
        h3 { font-size: 14px; margin: 0 0 6px; }
        table { border-collapse: collapse; width: 100%; margin-top: 10px; font-size: 13px; }
        th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eceef5; vertical-align: top; }
        th { color: #5c6075; font-weight: 600; font-size: 12px; }
        .of, .rate { color: #6b6f85; }
        .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
        .reason { max-width: 320px; overflow-wrap: anywhere; }
        .empty, .note { color: #6b6f85; }
        .none { color: #b5b8c8; }
        svg.chart { width: 100%; height: auto; }
        svg.hist { width: 100%; max-width: 400px; height: auto; }
        svg .grid { stroke: #eceef5; }
        svg .axis { fill: #6b6f85; font-size: 11px; }
        svg .val { fill: #1f2330; font-size: 11px; }
        .grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 14px; }
        .panel { border: 1px solid #eceef5; border-radius: 8px; padding: 10px 12px; }
        .legend { color: #5c6075; font-size: 12px; }
        .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 10px; }
        dt { font-weight: 600; margin-top: 8px; }
        dd { margin: 2px 0 0 0; color: #3d4155; }
        @media print { body { background: #fff; } section, .card { box-shadow: none; border: 1px solid #ddd; } }
        </style>
        </head>
        <body>
        \(headerAndMain())
        </body>
        </html>

        """
    }

    /// The header outside `<main>`, everything else in it.
    private func headerAndMain() -> String {
        guard let end = body.firstRange(of: "</header>\n") else { return "<main>\n\(body)</main>" }
        return String(body[..<end.upperBound]) + "<main>\n" + String(body[end.upperBound...]) + "</main>"
    }
}
