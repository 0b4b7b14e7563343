import AgentReviewCore

/// `agentreview metrics` for a reader: the totals, the breakdown asked for, latency, the
/// most touched high-risk paths, overrides and the audit log's months, as aligned tables.
enum MetricsText {
    static func render(_ report: MetricsReport) -> String {
        var out = "metrics of \(report.range) (policy \(report.policy))\n"
        var window = [String]()
        if let since = report.window.since { window.append("since \(since)") }
        if let until = report.window.until { window.append("until \(until)") }
        let counts = report.commits
        out += "\(window.isEmpty ? "all time" : window.joined(separator: " ")): \(counts.counted) commits counted of \(counts.walked) walked"
        var left = [String]()
        if counts.merges > 0 { left.append("\(counts.merges) merges") }
        if counts.outsideWindow > 0 { left.append("\(counts.outsideWindow) before the window") }
        if counts.afterWindow > 0 { left.append("\(counts.afterWindow) after it") }
        out += left.isEmpty ? "\n" : " (not counted: \(left.joined(separator: ", ")))\n"

        out += "\nall commits\n" + table(report.totals, keys: [("author", { $0.author.rawValue })])
        let keys: [(String, (MetricsRow) -> String)] = switch report.by {
        case .class: [("class", { $0.class ?? "" }), ("author", { $0.author.rawValue })]
        case .agent: [("writer", { $0.writer ?? "" }), ("class", { $0.class ?? "" })]
        case .month: [("month", { $0.month ?? "" }), ("author", { $0.author.rawValue })]
        }
        out += "\nby \(report.by.rawValue)\n" + table(report.rows, keys: keys)

        if !report.latency.isEmpty {
            let labels = report.latency[0].buckets.map(\.label)
            var rows = [["class", "author"] + labels + ["median", "p90"]]
            for histogram in report.latency {
                rows.append(
                    [histogram.class, histogram.author.rawValue] + histogram.buckets.map { String($0.count) }
                        + [histogram.stats.median.map(DurationStats.format) ?? "–", histogram.stats.p90.map(DurationStats.format) ?? "–"])
            }
            out += "\nsign-off latency (author date to the approval that completed it)\n" + aligned(rows)
        }
        if !report.paths.isEmpty {
            var rows = [["path", "class", "commits", "agent", "human", "bot"]]
            for path in report.paths {
                rows.append([path.path, path.class, String(path.commits), String(path.agent), String(path.human), String(path.bot)])
            }
            out += "\nmost touched paths of the highest class\n" + aligned(rows)
        }
        if !report.overrides.isEmpty {
            out += "\noverrides\n"
            for item in report.overrides {
                let subject = item.subject.map { " \"\(Self.oneLine($0))\"" } ?? ""
                out += "  \(item.commit.prefix(12))\(subject) (\(item.writer ?? "?"), \(item.class ?? "?")): by \(item.signer) on \(item.date): \"\(Self.oneLine(item.reason))\"\(item.source == "audit" ? " [audit log]" : "")\n"
            }
        }
        if let audit = report.audit {
            var rows = [["month", "judged", "refused", "overridden"]]
            for month in audit.months {
                rows.append([month.month, String(month.judged), String(month.refused), String(month.overridden)])
            }
            out += "\naudit log \(audit.file): \(audit.entries) entries; refused \(audit.refused.description), with an override \(audit.overridden.description)\n"
            if audit.months.count > 0 { out += aligned(rows) }
        }
        if let churn = report.churn {
            out += "\nchurn: lines rewritten within \(churn.days) days: agent \(churn.agent.description), human \(churn.human.description)"
            out += " (\(churn.tooRecent) commits too recent, \(churn.skipped) on branches merged later; \(churn.blamed) files blamed)\n"
        }
        out += "\nHow each figure is computed: agentreview metrics --json (methods).\n"
        return out
    }

    private static func table(_ rows: [MetricsRow], keys: [(String, (MetricsRow) -> String)]) -> String {
        guard !rows.isEmpty else { return "  no commits\n" }
        let withLines = rows.first?.figures.lines != nil
        var header = keys.map(\.0) + ["commits"]
        if withLines { header.append("lines") }
        header += ["reverted", "fixed", "time to fix", "signed off", "overridden", "latency", "first approval"]
        var table = [header]
        for row in rows {
            let f = row.figures
            var cells = keys.map { $0.1(row) } + [f.commits.description]
            if withLines { cells.append(f.lines?.description ?? "–") }
            cells += [
                f.reverted.description, f.fixed.description, median(f.timeToFix), f.signedOff.description,
                f.overridden.description, medianAndP90(f.latency), median(f.firstApproval),
            ]
            table.append(cells)
        }
        return aligned(table)
    }

    private static func median(_ stats: DurationStats) -> String {
        stats.median.map { "\(DurationStats.format($0)) (\(stats.count))" } ?? "–"
    }

    private static func medianAndP90(_ stats: DurationStats) -> String {
        guard let median = stats.median, let p90 = stats.p90 else { return "–" }
        return "\(DurationStats.format(median)) / \(DurationStats.format(p90)) (\(stats.count))"
    }

    private static func aligned(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            "  " + row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : Rendering.pad(cell, widths[index])
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// Control characters (a newline in a hostile reason) shown as spaces: one entry, one line.
    private static func oneLine(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    }
}
