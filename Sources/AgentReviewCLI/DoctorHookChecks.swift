import AgentReviewCore
import AgentReviewGit
import AgentReviewSupport
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Whether a hook shim is where git runs it, runs, and calls a binary that runs.
struct HookDoctor {
    let repository: Repository
    /// `pre-push` or `pre-receive`.
    let hook: String
    /// The command that installs it (`agentreview install`, with `--server PATH`).
    let install: String

    private var files: FileManager { .default }
    private var stopped: String { hook == "pre-push" ? "stopped" : "refused" }

    /// The `hook` and `hook-binary` checks.
    func checks() -> [DoctorCheck] {
        let directory: URL
        do {
            directory = try AgentReviewCommand.Install.hooksDirectory(of: repository)
        } catch {
            return [.fail("hook", describe(error), fix: install), .notChecked("hook-binary", "no hook")]
        }
        let file = directory.appendingPathComponent(hook)
        var shim = file
        if !exists(file) || !isOurs(file) {
            // Gitea runs every executable of hooks/pre-receive.d/ from its own pre-receive.
            if let dispatched = dispatchedShim(in: directory) {
                shim = dispatched
            } else if !exists(file) {
                return [.fail("hook", "no \(hook) hook at \(file.path)\(elsewhere(directory)): pushes are not checked", fix: install),
                        .notChecked("hook-binary", "no hook")]
            } else {
                return [
                    .fail(
                        "hook", "\(file.path) is not agentreview's shim: pushes are not checked",
                        fix: "\(install) (keeps the hook that is there as \(hook).local, run first)"),
                    .notChecked("hook-binary", "no agentreview hook"),
                ]
            }
        }
        return [hookCheck(shim), binaryCheck(shim)]
    }

    private func hookCheck(_ shim: URL) -> DoctorCheck {
        guard files.isExecutableFile(atPath: shim.path) else {
            return .fail("hook", "\(shim.path) is not executable: git does not run it", fix: "chmod +x \(shellQuoted(shim.path))")
        }
        let local = URL(fileURLWithPath: shim.path + ".local")
        if shim.lastPathComponent == hook, exists(local), !files.isExecutableFile(atPath: local.path) {
            return .warn(
                "hook", "\(shim.path) is installed, but \(local.lastPathComponent) beside it is not executable: the shim skips it",
                fix: "chmod +x \(shellQuoted(local.path))")
        }
        if let binary = binary(in: shim), let current = HookShims.text(for: hook, binary: binary),
           files.contents(atPath: shim.path) != Data(current.utf8)
        {
            return .warn("hook", "\(shim.path) is an agentreview shim of another version", fix: install)
        }
        return .ok("hook", "\(shim.path): agentreview's \(hook) shim, executable")
    }

    private func binaryCheck(_ shim: URL) -> DoctorCheck {
        guard let binary = binary(in: shim) else {
            return .fail("hook-binary", "\(shim.path) names no agentreview binary", fix: install)
        }
        guard files.isExecutableFile(atPath: binary) else {
            let missing = files.fileExists(atPath: binary) ? "is not executable" : "does not exist"
            if let found = onPath("agentreview") {
                return .warn(
                    "hook-binary", "\(binary) \(missing): the shim falls back to \(found), found on PATH (git's PATH may differ)",
                    fix: install)
            }
            return .fail("hook-binary", "\(binary) \(missing), and no agentreview is on PATH: every push is \(stopped)", fix: install)
        }
        do {
            let result = try Subprocess.run(binary, ["--version"])
            guard result.status == 0 else {
                let reason = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
                return .fail("hook-binary", "\(binary) --version exited \(result.status): \(reason)", fix: install)
            }
            let version = result.text.trimming(.whitespacesAndNewlines)
            return .ok("hook-binary", "\(binary) runs (version \(version))")
        } catch {
            return .fail("hook-binary", "\(binary) does not run: \(describe(error))", fix: install)
        }
    }

    /// The binary a shim calls: its `agentreview='…'` line.
    func binary(in shim: URL) -> String? {
        guard let text = read(shim) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("agentreview='") && line.hasSuffix("'") && line.count > 14 {
            return String(line.dropFirst("agentreview='".count).dropLast())
        }
        return nil
    }

    /// An agentreview shim in `pre-receive.d/` (Gitea's dispatcher), for the server hook.
    private func dispatchedShim(in directory: URL) -> URL? {
        guard hook == "pre-receive" else { return nil }
        let folder = directory.appendingPathComponent("pre-receive.d")
        let names = (try? files.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().map { folder.appendingPathComponent($0) }.first { isOurs($0) }
    }

    /// Where else the shim is, when git does not look there: GIT_DIR/hooks under core.hooksPath.
    private func elsewhere(_ directory: URL) -> String {
        let standard = URL(fileURLWithPath: repository.gitDirectory).appendingPathComponent("hooks")
        guard standard.standardizedFileURL.path != directory.standardizedFileURL.path else { return "" }
        let path = standard.appendingPathComponent(hook)
        let what = exists(path) ? "\(path.path) is there, but git " : "git "
        return " (\(what)runs hooks from core.hooksPath, \(directory.path))"
    }

    private func isOurs(_ url: URL) -> Bool {
        read(url)?.contains(HookShims.marker + hook) ?? false
    }

    private func exists(_ url: URL) -> Bool {
        files.fileExists(atPath: url.path) || (try? files.destinationOfSymbolicLink(atPath: url.path)) != nil
    }

    /// A hook's text, at most 64 KiB of it (a shim is under 1 KiB).
    private func read(_ url: URL) -> String? {
        guard let data = try? FileIO.read(url.path, upTo: 1 << 16) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// `name` as the shim's `command -v` would find it on this process's PATH.
    private func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if files.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
