import AgentReviewCore
import AgentReviewTestSupport
import Foundation
import Testing

/// Exit codes as `--help` and the README give them, for every command: 0 pass (and help,
/// version), 1 blocked, 2 a usage error or any other error; and a mistyped command is
/// answered with the command it was probably meant to be.
@Suite struct ExitCodeTests {
    let sandbox: Sandbox
    let clone: URL

    init() throws {
        sandbox = try Sandbox()
        (_, clone) = try sandbox.server(with: [".agentreview/policy.yml": Sandbox.policy, "README.md": "# project\n"])
    }

    @Test(arguments: [
        ["status", "--frob"],
        ["status", "-C"],
        ["status", "--ref"],
        ["check"],
        ["check", "HEAD"],
        ["check", "HEAD", "HEAD", "--ref"],
        ["explain", "HEAD", "--nope"],
        ["approve", "HEAD", "--key"],
        ["sync", "origin", "extra", "arguments"],
        ["hook", "pre-push"],
        ["hook", "pre-receive", "--unknown"],
        ["install", "--server"],
        ["policy", "check", "--strict-mode"],
        ["records", "verify"],
        ["init", "--forse"],
        ["--frob"],
    ])
    func usageErrorsExit2(_ arguments: [String]) throws {
        let output = try sandbox.agentreview(arguments, in: clone)
        #expect(output.status == 2, "\(arguments): \(output.status)\n\(output.stderr)")
        #expect(output.stdout.isEmpty, "\(arguments): \(output.stdout)")
        // swift-argument-parser's message, on stderr, with the usage line.
        #expect(output.stderr.hasPrefix("Error: "), "\(arguments): \(output.stderr)")
        #expect(output.stderr.contains("Usage: agentreview"), "\(arguments): \(output.stderr)")
    }

    @Test(arguments: [["--help"], ["-h"], ["status", "--help"], ["help", "check"], ["hook", "pre-push", "--help"], []])
    func helpExits0(_ arguments: [String]) throws {
        let output = try sandbox.agentreview(arguments, in: clone)
        #expect(output.status == 0, "\(arguments): \(output.stderr)")
        #expect(output.stdout.contains("USAGE: agentreview"), "\(arguments): \(output.stdout)")
        #expect(output.stderr.isEmpty, "\(arguments): \(output.stderr)")
    }

    /// A hook whose standard input cannot be read (here a directory) refuses the push with
    /// exit 2 and the reason: it never judges an empty push. Both ways in: without the parser
    /// (`hook pre-receive`, as installed) and through it (`--json`).
    @Test(arguments: [["hook", "pre-receive"], ["hook", "pre-receive", "--json"]])
    func anUnreadableStandardInputIsAnError(_ arguments: [String]) throws {
        let command = ([Sandbox.binary.path] + arguments).joined(separator: " ")
        let output = try Sandbox.run("/bin/sh", ["-c", "exec \(command) < /"], in: clone)
        #expect(output.status == 2)
        #expect(output.stderr == "agentreview: cannot read the ref lines on standard input: Is a directory\n")
    }

    @Test func versionExits0() throws {
        let output = try sandbox.agentreview(["--version"], in: clone)
        #expect(output.status == 0)
        #expect(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }

    @Test func helpSaysTheExitCodesThatHappen() throws {
        let help = try sandbox.agentreview(["--help"], in: clone)
        #expect(help.stdout.contains("2 usage"), "\(help.stdout)")
    }

    @Test(arguments: [
        (["stauts"], "status"),
        (["statsu", "--json"], "status"),
        (["chekc", "HEAD", "HEAD"], "check"),
        (["explian", "HEAD"], "explain"),
        (["aprove"], "approve"),
        (["docter"], "doctor"),
        (["policy", "chek"], "policy check"),
        (["hook", "pre-pus", "origin"], "hook pre-push"),
        (["hook", "prereceive"], "hook pre-receive"),
    ])
    func aMistypedCommandIsAnsweredWithTheNearestOne(_ arguments: [String], _ meant: String) throws {
        let output = try sandbox.agentreview(arguments, in: clone)
        #expect(output.status == 2, "\(arguments): \(output.stderr)")
        let first = output.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("agentreview: unknown command '\(arguments[arguments.count > 1 && ["policy", "hook"].contains(arguments[0]) ? 1 : 0])'"), "\(first)")
        #expect(first.hasSuffix("did you mean `\(meant)`?"), "\(arguments): \(first)")
        #expect(output.stderr.contains("Usage: agentreview"), "\(output.stderr)")
    }

    @Test func aWordNearNoCommandGetsNoGuess() throws {
        let output = try sandbox.agentreview(["frobnicate"], in: clone)
        #expect(output.status == 2)
        #expect(!output.stderr.contains("did you mean"), "\(output.stderr)")
        #expect(output.stderr.contains("frobnicate"), "\(output.stderr)")
    }

    @Test func blockedIs1AndErrorsAre2() throws {
        try sandbox.write("infra/main.tf", in: clone)
        try sandbox.commit("Infra\n\nCo-Authored-By: Claude <noreply@anthropic.com>", in: clone)
        #expect(try sandbox.agentreview(["status"], in: clone).status == 1)
        #expect(try sandbox.agentreview(["check", "origin/main", "HEAD", "--ref", "refs/heads/main"], in: clone).status == 1)
        // Errors that are not usage errors.
        let missing = try sandbox.agentreview(["check", "origin/main", "no-such-revision", "--ref", "refs/heads/main"], in: clone)
        #expect(missing.status == 2, "\(missing.stderr)")
        #expect(missing.stderr.contains("no-such-revision"), "\(missing.stderr)")
        let outside = try sandbox.agentreview(["explain", "HEAD"], in: sandbox.root)
        #expect(outside.status == 2, "\(outside.stderr)")
        #expect(outside.stderr.hasPrefix("agentreview: not a git repository"), "\(outside.stderr)")
    }
}
