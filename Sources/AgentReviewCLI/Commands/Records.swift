import AgentReviewSupport
import AgentReviewCore
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AgentReviewCommand {
    struct Records: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "records",
            abstract: "Work with signed records outside a repository.",
            subcommands: [VerifyRecords.self])
    }

    struct VerifyRecords: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Verify the signed records in note files against an allowed_signers file, in-process.",
            discussion: "Exit 0 when every record verifies, 1 when any does not, 2 on error.")

        @Option(help: "The OpenSSH allowed_signers file.")
        var signers: String

        @Option(help: "A file of revoked public keys.")
        var revoked: String?

        @Argument(help: "Files holding one note each (records separated by blank lines); - for stdin.")
        var files: [String] = ["-"]

        @Flag(help: "Print only the summary line.")
        var quiet = false

        func run() throws {
            try guarded {
                let allowed = AllowedSigners(text: try Self.read(signers), source: signers)
                let revokedKeys = try revoked.map { RevokedKeys(text: try Self.read($0), source: $0) } ?? .none
                let now = Date()
                var entries = [(file: String, entry: RecordNote.Entry)]()
                for file in files {
                    entries += RecordNote.parse(Array(try Self.read(file).utf8)).map { (file, $0) }
                }
                let readable = entries.compactMap(\.entry.signedRecord)
                var verdicts = RecordVerification(signers: allowed, revoked: revokedKeys, now: now).onAllCores(readable)[...]
                var good = 0, bad = 0
                for (file, entry) in entries {
                    let outcome: String
                    switch entry.record {
                    case .failure(let error):
                        bad += 1
                        outcome = "unreadable: \(error)"
                    case .success(let record):
                        switch verdicts.removeFirst() {
                        case .success(let match):
                            good += 1
                            outcome = "ok: \(match.principal) (\(match.key.fingerprint)) for \(record.body.commit.prefix(12))"
                        case .failure(let refusal):
                            bad += 1
                            outcome = "refused: \(refusal)"
                        }
                    }
                    if !quiet { print("\(file):\(entry.line): \(outcome)") }
                }
                print("\(good) verified, \(bad) refused")
                return bad == 0 ? 0 : 1
            }
        }

        static func read(_ path: String) throws -> String {
            let data = path == "-" ? try FileIO.readStandardInput() : FileManager.default.contents(atPath: path).map { [UInt8]($0) }
            guard let data else { throw CLIError("cannot read \(path)") }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
