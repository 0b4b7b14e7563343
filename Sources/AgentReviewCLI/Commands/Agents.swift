import AgentReviewCore
import ArgumentParser

extension AgentReviewCommand {
    struct Agents: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "agents",
            abstract: "List the agents and bots recognised, and the marks each is recognised by.",
            discussion: """
                One row per marker: the agent (or bot), where in a commit it is looked for, and its exact form. \
                An identity is the author, the committer or a Co-authored-by trailer, matched by exact address \
                (never a whole domain) or exact name; a trailer by its key (and value, when given); a note by the \
                tool of a git-ai session in refs/notes/ai (read with agents.notes: true). AGENT stands for the \
                agent the commit itself names. Bots are recognised but are not agents: applies_to: agents+bots \
                judges them too. The policy's agents.identities and agents.trailers add to these; \
                agents.builtin: false turns this table off.
                """)

        @Flag(help: "Print the table as JSON: an array of {kind, name, where, form, detail}.")
        var json = false

        func run() throws {
            try guarded {
                if json {
                    print(try Rendering.json(BuiltinAgents.markers))
                } else {
                    print(Self.text(BuiltinAgents.markers))
                }
                return 0
            }
        }

        /// The table for people: agents, then bots, one row each, in columns.
        static func text(_ markers: [Marker]) -> String {
            let nameWidth = markers.map(\.name.count).max() ?? 0
            let placeWidth = markers.map(\.place.rawValue.count).max() ?? 0
            func rows(_ kind: Marker.Kind) -> [String] {
                markers.filter { $0.kind == kind }.map { marker in
                    let row = "  \(Rendering.pad(marker.name, nameWidth))  \(Rendering.pad(marker.place.rawValue, placeWidth))  \(marker.form)"
                    return marker.detail.map { "\(row)  (\($0))" } ?? row
                }
            }
            var lines = ["agents (identity: author, committer or Co-authored-by; note: a git-ai session's tool in refs/notes/ai):"]
            lines += rows(.agent)
            lines.append("bots (recognised, not agents; `applies_to: agents+bots` judges them too):")
            lines += rows(.bot)
            return lines.joined(separator: "\n")
        }
    }
}
