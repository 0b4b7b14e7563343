import AgentReviewCore
import AgentReviewGit
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AgentReviewCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Write .agentreview/policy.yml and an empty allowed_signers from the templates, at the top of this git repository.",
            discussion: """
                With --contracts, also write two example task contracts into .agentreview/contracts/ \
                (docs-only.yml, dependency-bump.yml). In a repository that already has .agentreview/policy.yml, \
                --contracts writes only the contracts and keeps the policy and allowed_signers as they are. \
                A file that already exists is never overwritten without --force: nothing is written then.
                """)

        @Flag(help: "Also write the example task contracts into .agentreview/contracts/ (only those, when a policy is already there).")
        var contracts = false

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
                let policy = folder.appendingPathComponent("policy.yml")
                // Contracts are added beside a policy that is there: the policy (most likely
                // edited by now) and the signers are kept, whatever --force says.
                let keepPolicy = contracts && FileManager.default.fileExists(atPath: policy.path)
                var files = [(URL, String)]()
                if !keepPolicy {
                    files.append((policy, Templates.policy))
                    files.append((folder.appendingPathComponent("allowed_signers"), Templates.allowedSigners))
                }
                let contractsFolder = URL(fileURLWithPath: root).appendingPathComponent(TaskContract.directory)
                if contracts {
                    files += Templates.contracts.map { (contractsFolder.appendingPathComponent($0.file), $0.text) }
                }
                if !force {
                    let existing = files.map(\.0.path).filter { FileManager.default.fileExists(atPath: $0) }
                    if !existing.isEmpty {
                        throw CLIError("\(existing.joined(separator: ", ")) already \(existing.count == 1 ? "exists" : "exist"): pass --force to overwrite")
                    }
                }
                try FileManager.default.createDirectory(at: contracts ? contractsFolder : folder, withIntermediateDirectories: true)
                if keepPolicy {
                    print("kept \(policy.path): already there (`agentreview init --force`, without --contracts, rewrites it)")
                }
                for (url, text) in files {
                    try Data(text.utf8).write(to: url)
                    print("wrote \(url.path)")
                }
                if !keepPolicy {
                    print("next: review the policy, add reviewers to allowed_signers, commit .agentreview/ and push it")
                }
                if contracts {
                    print("next: fit the contracts to the repository (goal, owner, paths), check them with `agentreview policy check`, "
                        + "commit .agentreview/contracts/ and push it; an agent's commit names one with the trailer `Task-Contract: docs-only`")
                }
                return 0
            }
        }
    }
}
