import AgentReviewCore
import AgentReviewGit
import ArgumentParser

extension AgentReviewCommand {
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
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
                    let trustedBase = try TrustedBase.forLocalWork(in: opened, explicit: base)
                    if trustedBase == nil && options.policy == nil {
                        configuration = try WorkingTreePolicy.load(in: opened)
                    } else {
                        configuration = try TrustedBase.load(from: trustedBase, in: opened, policyFile: options.policy)
                    }
                }
                let policy = configuration.policy

                if let revision, let repository {
                    let records = try SignoffRecords.index(
                        notesCommits: try SignoffRecords.localTips(in: repository), in: repository,
                        configuration: configuration)
                    let judge = Judge(repository: repository, configuration: configuration, records: records)
                    let id = try repository.resolveCommit(revision)
                    let report = try judge.judge(id, mode: .enforce)
                    print(options.json ? try Rendering.json(report) : Self.text(report, policy: configuration.source))
                    return 0
                }
                let classifier = Classifier(policy: policy)
                let reports = paths.map { path in
                    let classified = classifier.classify(GitPath(path))
                    return PathReport(path: path, class: policy.classes[classified.rank].name, rule: classified.rule)
                }
                if options.json {
                    print(try Rendering.json(PathsReport(policy: configuration.source, paths: reports)))
                } else {
                    print("policy \(configuration.source)")
                    let width = reports.map(\.path.count).max() ?? 0
                    for report in reports {
                        print("  \(Rendering.pad(report.path, width))  \(Rendering.pad(report.class, 6))  \(report.rule)")
                    }
                }
                return 0
            }
        }

        static func text(_ report: CommitReport, policy: String) -> String {
            var lines = [
                "commit  \(report.id)",
                "subject \(report.subject)",
                "author  \(report.author)",
                "agent   \(report.agent ?? "none (human)")",
            ]
            for evidence in report.evidence {
                lines.append("        evidence: \(evidence)")
            }
            lines.append("class   \(report.class)")
            lines.append("policy  \(policy)")
            lines.append("paths:")
            let width = report.paths.map(\.path.count).max() ?? 0
            for path in report.paths {
                lines.append("  \(Rendering.pad(path.path, width))  \(Rendering.pad(path.class, 6))  \(path.rule)")
            }
            if report.paths.isEmpty { lines.append("  (none)") }
            lines.append("verdict \(report.verdict.rawValue) (as if enforced)")
            for reason in report.reasons { lines.append("  - \(reason)") }
            for missing in report.missing {
                lines.append("  run: \(missing.command)" + (missing.by.map { "  (by \($0))" } ?? ""))
            }
            return lines.joined(separator: "\n")
        }
    }
}
