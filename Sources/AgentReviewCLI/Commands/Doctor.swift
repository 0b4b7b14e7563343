import AgentReviewCore
import AgentReviewGit
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AgentReviewCommand {
    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "doctor",
            abstract: "Check this clone's (or a server's) agentreview setup; say how to fix each problem.",
            discussion: """
                One line per check: ok, warn or fail, what was found, and the command that fixes it. In a clone:
                the pre-push hook (in core.hooksPath when set) and the binary it calls, the upstream, the remote's
                default branch, the trust root and its policy, the trusted allowed_signers, your signing key (listed
                under user.email? in ssh-agent when only its public half is given?), refs/notes/agentreview against
                the remote's, a shallow clone, gpg.format. With --server GIT-DIR: the pre-receive hook and the binary
                it calls, the root ref, its policy and its signers.
                Exit 0 when no check fails, 1 when one does, 2 on error.
                """)

        @Option(name: .customLong("server"), help: "Check this (bare) server repository instead of a clone.")
        var server: String?

        @Option(help: "The signing key to check (default: git's user.signingkey).")
        var key: String?

        @Option(name: .customLong("as"), help: "The identity to check the key is listed for (default: user.email).")
        var principal: String?

        @Flag(help: "Compare the approvals with the remote's copy from the last sync, without contacting the remote.")
        var offline = false

        @Flag(help: "Print the checks as JSON.")
        var json = false

        @Option(name: .customShort("C"), help: "Run as if started in this directory.")
        var directory: String?

        func run() throws {
            try guarded {
                let checks: [DoctorCheck]
                if let server {
                    let repository = try Repository.open(server)
                    checks = DoctorChecks.server(repository, path: server)
                } else {
                    let repository = try Repository.open(directory ?? FileManager.default.currentDirectoryPath)
                    checks = DoctorChecks.client(repository, key: key, principal: principal, offline: offline)
                }
                if json {
                    print(try Rendering.json(DoctorReport(checks: checks)))
                } else {
                    print(Self.text(checks, colour: .forStandardOutput()))
                }
                return checks.contains { $0.status == .fail } ? 1 : 0
            }
        }

        /// One line a check, then a count of each status.
        static func text(_ checks: [DoctorCheck], colour: Colour) -> String {
            let width = (checks.map(\.name.count).max() ?? 0) + 2
            var lines = checks.map { check in
                let verdict: Verdict = switch check.status {
                case .ok: .pass
                case .warn: .warn
                case .fail: .blocked
                }
                let status = colour.verdict(verdict, Rendering.pad(check.status.rawValue, 4))
                let fix = check.fix.map { " — fix: \($0)" } ?? ""
                return "\(status)  \(Rendering.pad(check.name, width))\(check.detail)\(fix)"
            }
            let count = { (status: DoctorCheck.Status) in checks.filter { $0.status == status }.count }
            lines.append("\(count(.ok)) ok, \(count(.warn)) warn, \(count(.fail)) fail")
            return lines.joined(separator: "\n")
        }
    }
}
