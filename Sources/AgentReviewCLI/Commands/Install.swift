import AgentReviewGit
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AgentReviewCommand {
    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "install",
            abstract: "Install the hook shims: pre-push in this clone, or pre-receive in a server's repository.",
            discussion: """
                Installs into the effective hooks directory (core.hooksPath when set). A hook already there is
                kept as NAME.local and runs first; its failure still blocks. Installing twice changes nothing;
                --uninstall removes the shim and puts back what was there.
                """)

        @Option(name: .customLong("server"), help: "Install the pre-receive hook into this (bare) repository.")
        var server: String?

        @Flag(help: "Remove the shim and restore the hook that was there before.")
        var uninstall = false

        @Option(name: .customShort("C"), help: "Run as if started in this directory.")
        var directory: String?

        func run() throws {
            try guarded {
                let hook = server == nil ? "pre-push" : "pre-receive"
                let repository = try Repository.open(server ?? directory ?? FileManager.default.currentDirectoryPath)
                let hooks = try Self.hooksDirectory(of: repository)
                let installer = HookInstaller(directory: hooks, hook: hook)
                print(uninstall ? try installer.uninstall() : try installer.install(binary: try Self.binaryPath()))
                return 0
            }
        }

        /// Where git runs this repository's hooks: core.hooksPath (relative to the working
        /// tree's top, or to the repository when bare), else GIT_DIR/hooks.
        static func hooksDirectory(of repository: Repository) throws -> URL {
            let gitDirectory = URL(fileURLWithPath: repository.gitDirectory)
            guard let configured = try repository.configString("core.hooksPath"), !configured.isEmpty else {
                return gitDirectory.appendingPathComponent("hooks")
            }
            let expanded = configured.hasPrefix("~/")
                ? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(String(configured.dropFirst(2))).path
                : configured
            if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded) }
            let top = repository.workingDirectory.map { URL(fileURLWithPath: $0) } ?? gitDirectory
            return top.appendingPathComponent(expanded)
        }

        /// The absolute path of the running binary, which the shim will call.
        static func binaryPath() throws -> String {
            if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
                return resolved
            }
            let argument = CommandLine.arguments[0]
            let url = argument.hasPrefix("/")
                ? URL(fileURLWithPath: argument)
                : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(argument)
            return url.standardizedFileURL.path
        }
    }
}

/// Installs and removes one hook shim, keeping any hook that was there.
struct HookInstaller {
    let directory: URL
    let hook: String

    var hookFile: URL { directory.appendingPathComponent(hook) }
    var localFile: URL { directory.appendingPathComponent(hook + ".local") }

    private var files: FileManager { .default }

    private func isOurs(_ url: URL) -> Bool {
        guard let data = files.contents(atPath: url.path) else { return false }
        return String(decoding: data, as: UTF8.self).contains(HookShims.marker + hook)
    }

    func install(binary: String) throws -> String {
        guard !binary.contains("'") else { throw CLIError("cannot install from a path containing a quote: \(binary)") }
        guard let shim = HookShims.text(for: hook, binary: binary) else { throw CLIError("unknown hook \(hook)") }
        try files.createDirectory(at: directory, withIntermediateDirectories: true)
        var kept = ""
        if files.fileExists(atPath: hookFile.path) || isSymlink(hookFile) {
            if isOurs(hookFile) {
                if files.contents(atPath: hookFile.path) == Data(shim.utf8) {
                    return "\(hookFile.path): already installed"
                }
            } else {
                if files.fileExists(atPath: localFile.path) || isSymlink(localFile) {
                    throw CLIError(
                        "\(hookFile.path) and \(localFile.path) both exist: move one away, then install again")
                }
                try files.moveItem(at: hookFile, to: localFile)
                kept = "; the hook that was there is kept as \(localFile.lastPathComponent) and runs first"
            }
        }
        let temporary = directory.appendingPathComponent(".\(hook).agentreview-\(UUID().uuidString)")
        try Data(shim.utf8).write(to: temporary)
        try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temporary.path)
        if files.fileExists(atPath: hookFile.path) { try files.removeItem(at: hookFile) }
        try files.moveItem(at: temporary, to: hookFile)
        return "installed \(hookFile.path)\(kept)"
    }

    func uninstall() throws -> String {
        guard files.fileExists(atPath: hookFile.path), isOurs(hookFile) else {
            return "\(hookFile.path): agentreview is not installed there; nothing changed"
        }
        try files.removeItem(at: hookFile)
        if files.fileExists(atPath: localFile.path) || isSymlink(localFile) {
            try files.moveItem(at: localFile, to: hookFile)
            return "removed the agentreview \(hook) hook; restored the one that was there"
        }
        return "removed the agentreview \(hook) hook"
    }

    private func isSymlink(_ url: URL) -> Bool {
        (try? files.destinationOfSymbolicLink(atPath: url.path)) != nil
    }
}
