import AgentReviewCore
import AgentReviewGit
import ArgumentParser

extension AgentReviewCommand {
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "explain",
            abstract: "Show which rule classed each path of a commit, or of the given paths, and why.",
            discussion: """
                `explain REV` judges one commit and shows every path with its class and rule, the attribution
                evidence and every requirement. `explain --path P…` classifies paths without a commit.
                The policy comes from the trusted base (as for status) unless --policy or --base says otherwise.
                """)

        @Argument(help: "The commit to explain.")
        var revision: String?

        @Option(name: .customLong("path"), parsing: .upToNextOption, help: "Paths to classify.")
        var paths: [String] = []

        @Option(help: "Read the policy from this revision instead of the upstream.")
        var base: String?

        @OptionGroup var options: CommonOptions

        func validate() throws {
            if revision == nil && paths.isEmpty {
                throw ValidationError("name a commit (explain REV) or paths (explain --path P…)")
            }
            if revision != nil && !paths.isEmpty {
                throw ValidationError("explain takes a commit or --path, not both")
            }
        }

        struct PathsReport: Codable {
            var policy: String
            var paths: [PathReport]
        }

        func run() throws {
            try guarded {
                let configuration: TrustedConfiguration
                var repository: Repository?
                if let file = options.policy, base == nil, revision == nil {
                    // Paths against a policy file need no repository at all.
                    configuration = try TrustedBase.load(from: nil, in: nil, policyFile: file)
                } else {
                    let opened = try options.openRepository()
                    repository = opened
                    configuration = try WorkingTreePolicy.load(
                        orFrom: try TrustedBase.forLocalWork(in: opened, explicit: base), policyFile: options.policy, in: opened)
                }
                let policy = configuration.policy

                if let revision, let repository {
                    let records = try SignoffRecords.index(
                        notesCommits: try SignoffRecords.localTips(in: repository), in: repository,
                        configuration: configuration)
                    let judge = Judge(repository: repository, configuration: configuration, records: records)
                    let id = try repository.resolveCommit(revision)
                    var report = try judge.judge(id, mode: .enforce)
                    report.attribution = try Self.attribution(of: id, in: repository, configuration: configuration)
                    print(options.json ? try Rendering.json(report) : Self.text(report, policy: configuration.source))
                    return 0
                }
                let classifier = Classifier(policy: policy)
                let reports = paths.map { path in
                    let classified = classifier.classify(GitPath(path))
                    return PathReport(
                        path: path, class: policy.classes[classified.rank].name, rule: classified.rule,
                        line: classified.line, brief: classified.brief)
                }
                if options.json {
                    print(try Rendering.json(PathsReport(policy: configuration.source, paths: reports)))
                } else {
                    var lines = TextLayout.wrap("policy \(configuration.source)", indent: 0, width: TextLayout.width)
                    lines += TextLayout.paths(reports, indent: 2, width: TextLayout.width)
                    print(lines.joined(separator: "\n"))
                }
                return 0
            }
        }

        /// One commit explained at `width` columns: the policy named once, each path's rule
        /// by its line there, every reason, and each command once with everyone who can run it.
        static func text(_ report: CommitReport, policy: String, width: Int = TextLayout.width) -> String {
            /// `label` in an 8-column margin, `text` wrapped beside it.
            func field(_ label: String, _ text: String) -> [String] {
                TextLayout.wrap(text, after: Rendering.pad(label, 7) + " ", hanging: 8, width: width)
            }
            var lines = field("commit", report.id)
            lines += field("subject", report.subject)
            lines += field("author", report.author)
            lines += field("agent", report.agent ?? report.bot.map { "none (bot: \($0))" } ?? "none (human)")
            for evidence in report.evidence {
                lines += TextLayout.wrap("evidence: \(evidence)", indent: 8, hanging: 10, width: width)
            }
            lines += Self.attributionLines(report.attribution, width: width)
            if let session = report.session { lines += field("session", session) }
            if let person = report.operator { lines += field("run by", person) }
            if let contract = report.contract, let name = contract.name {
                var task = name
                if let goal = contract.goal { task += ": \(goal)" }
                if let owner = contract.owner, let ceiling = contract.class { task += " (owner \(owner), ceiling \(ceiling))" }
                lines += field("task", task)
            }
            lines += field("class", report.class)
            lines += field("policy", policy)
            lines.append("paths:")
            lines += TextLayout.paths(report.paths, indent: 2, width: width)
            if report.paths.isEmpty { lines.append("  (none)") }
            lines.append("verdict \(report.verdict.rawValue) (as if enforced)")
            // The class's reason names the policy's line: the policy is named above.
            let classReason = report.reasons.firstIndex { $0.hasPrefix("class \(report.class): ") }
            for (index, reason) in report.reasons.enumerated() {
                let text = index == classReason ? TextLayout.classReason(report) : reason
                lines += TextLayout.wrap("- \(text)", indent: 2, hanging: 4, width: width)
            }
            for (command, by) in TextLayout.commands(report.missing) {
                lines += TextLayout.run(command, indent: 2, width: width)
                for who in by { lines += TextLayout.wrap("by \(who)", indent: 4, hanging: 6, width: width) }
            }
            return lines.joined(separator: "\n")
        }
    }
}

// MARK: What attribution checked

extension AgentReviewCommand.Explain {
    /// Every attribution marker checked on a commit and what matched each, from Core's
    /// ``Attributor/explain(_:)`` over the commit's facts as the judge gathers them (its
    /// git-ai note with `agents.notes`, its signature with `unsigned_is_agent`).
    static func attribution(of id: ObjectID, in repository: Repository, configuration: TrustedConfiguration) throws -> AttributionExplanation {
        let facts = try FactGatherer(repository: repository, configuration: configuration).facts(for: id)
        return Attributor(settings: configuration.policy.agents).explain(facts)
    }

    /// The markers in text: each that matched with what matched it, then every other marker
    /// checked (by the agent or bot it names), what `refs/notes/ai` said, and the signature.
    static func attributionLines(_ explanation: AttributionExplanation?, width: Int) -> [String] {
        guard let explanation else { return [] }
        func who(_ check: AttributionExplanation.Check) -> String {
            let name = check.name == Marker.namedByValue ? "the agent a commit names" : check.name
            return (check.kind == .bot ? "bot:" : "") + name + (check.origin == "policy" ? " (policy)" : "")
        }
        /// A form as a reader needs it: identities and trailers show what they are.
        func form(_ check: AttributionExplanation.Check) -> String {
            switch check.place {
            case .identity, .trailer: check.form
            case .subject: "subject \"\(check.form)…\""
            case .note: "note tool \(check.form)"
            }
        }
        var lines = ["markers: \(explanation.checks.count) checked, \(explanation.matched.count) matched"]
        for check in explanation.matched {
            for text in check.matched {
                lines += TextLayout.wrap("found \(who(check)), \(check.place.rawValue) \(check.form): \(text)", indent: 2, hanging: 4, width: width)
            }
        }
        var others = [(who: String, forms: [String])]()
        for check in explanation.checks where check.matched.isEmpty {
            if let last = others.indices.last, others[last].who == who(check) {
                others[last].forms.append(form(check))
            } else {
                others.append((who(check), [form(check)]))
            }
        }
        for (name, forms) in others {
            lines += TextLayout.wrap("not found \(name): \(forms.joined(separator: ", "))", indent: 2, hanging: 4, width: width)
        }
        lines += TextLayout.wrap("note: \(explanation.note)", indent: 2, hanging: 4, width: width)
        if let signature = explanation.signature {
            lines += TextLayout.wrap("signature: \(signature)", indent: 2, hanging: 4, width: width)
        }
        return lines
    }
}
