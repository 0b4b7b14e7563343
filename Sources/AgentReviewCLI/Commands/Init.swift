import AgentReviewCore
import AgentReviewGit
import ArgumentParser
import Foundation

extension AgentReviewCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write .agentreview/policy.yml and an empty allowed_signers from the templates, at the top of this git repository.")

        @Flag(help: "Overwrite files that already exist.")
        var force = false

        @Option(name: .customShort("C"), help: "Run as if started in this directory.")
        var directory: String?

        func run() throws {
            try guarded {
                let start = directory ?? FileManager.default.currentDirectoryPath
                // .agentreview/ belongs at the top of a clone, committed and pushed: never in any directory.
                let repository = try Repository.open(start)
                guard let root = repository.workingDirectory else {
                    throw CLIError("\(repository.gitDirectory) is a bare repository: run `agentreview init` in a clone, then commit and push .agentreview/")
                }
                let folder = URL(fileURLWithPath: root).appendingPathComponent(".agentreview")
                let files = [
                    (folder.appendingPathComponent("policy.yml"), Templates.policy),
                    (folder.appendingPathComponent("allowed_signers"), Templates.allowedSigners),
                ]
                if !force {
                    let existing = files.map(\.0.path).filter { FileManager.default.fileExists(atPath: $0) }
                    if !existing.isEmpty {
                        throw CLIError("\(existing.joined(separator: ", ")) already exists: pass --force to overwrite")
                    }
                }
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for (url, text) in files {
                    try Data(text.utf8).write(to: url)
                    print("wrote \(url.path)")
                }
                print("next: review the policy, add reviewers to allowed_signers, commit .agentreview/ and push it")
                return 0
            }
        }
    }
}
