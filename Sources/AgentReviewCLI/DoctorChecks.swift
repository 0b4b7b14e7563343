import AgentReviewCore
import AgentReviewGit
import AgentReviewSupport
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One finding of `agentreview doctor`: what was checked, how it stands, and the command
/// that fixes it when it does not stand well.
struct DoctorCheck: Codable, Equatable, Sendable {
    enum Status: String, Codable, Sendable {
        case ok, warn, fail
    }

    var name: String
    var status: Status
    var detail: String
    var fix: String?

    static func ok(_ name: String, _ detail: String) -> DoctorCheck {
        DoctorCheck(name: name, status: .ok, detail: detail, fix: nil)
    }

    static func warn(_ name: String, _ detail: String, fix: String? = nil) -> DoctorCheck {
        DoctorCheck(name: name, status: .warn, detail: detail, fix: fix)
    }

    static func fail(_ name: String, _ detail: String, fix: String? = nil) -> DoctorCheck {
        DoctorCheck(name: name, status: .fail, detail: detail, fix: fix)
    }

    /// A check that could not be made because one it depends on did not pass.
    static func notChecked(_ name: String, _ why: String) -> DoctorCheck {
        DoctorCheck(name: name, status: .warn, detail: "not checked: \(why)", fix: nil)
    }
}

/// What `doctor --json` prints.
struct DoctorReport: Codable, Equatable, Sendable {
    var checks: [DoctorCheck]
}

/// The checks of `agentreview doctor`, in the order they are printed. A check that meets an
/// error reports it as its own failure: the doctor always gets to the end.
enum DoctorChecks {
    /// The names, in order, of a clone's checks.
    static let clientNames = [
        "hook", "hook-binary", "upstream", "default-branch", "trust-root", "policy", "signers", "signing-key",
        "key-listed", "ssh-agent", "notes", "shallow", "gpg-format",
    ]

    /// The names, in order, of a server's checks.
    static let serverNames = ["hook", "hook-binary", "trust-root", "policy", "signers"]

    /// A clone's checks: the pre-push hook, the trust root as the remote has it, the signers,
    /// this reviewer's key, the approvals shared with the remote, and git settings.
    static func client(
        _ repository: Repository, key keyOption: String?, principal principalOption: String?, offline: Bool
    ) -> [DoctorCheck] {
        var checks = HookDoctor(repository: repository, hook: "pre-push", install: "agentreview install").checks()

        let remotes = guarded("upstream") { try remoteNames(of: repository) }
        let (upstream, remote) = upstreamCheck(repository, remotes: remotes.value ?? [])
        checks.append(remotes.failure ?? upstream)

        // The trust root, as pre-push, status and approve read it.
        let root = guarded("trust-root") { try TrustedBase.rootForLocalWork(in: repository) }
        let rootRemote = root.value?.base.flatMap { base in
            (remotes.value ?? []).first { base.name.hasPrefix("refs/remotes/\($0)/") }
        } ?? remote
        checks.append(defaultBranchCheck(repository, remote: rootRemote))
        var rootFound = false
        if let failure = root.failure {
            checks.append(failure)
        } else if let base = root.value?.base {
            rootFound = true
            checks.append(.ok("trust-root", "\(base.name) at \(base.commit.hex.prefix(12))"))
        } else if let remote = rootRemote {
            let ref = root.value?.ref ?? "refs/heads/main"
            let branch = ref.hasPrefix("refs/heads/") ? String(ref.dropFirst("refs/heads/".count)) : ref
            checks.append(.fail(
                "trust-root",
                "no copy of \(ref) from \(remote) here: nothing can be judged by the trust root (before the first push, commit .agentreview/ and push it to \(branch) first)",
                fix: "git fetch \(remote)"))
        } else {
            checks.append(.fail(
                "trust-root", "no remote: there is no trust root to judge by", fix: "git remote add origin URL && git fetch origin"))
        }

        let pinned = guarded("policy") { try repository.configString("agentreview.policy") }
        let (policy, configuration) = configurationChecks(
            repository, base: root.value?.base, rootRef: root.value?.ref, pinned: pinned,
            rootMissing: rootFound ? nil : "no trust root")
        checks.append(policy)

        let key = KeyDoctor(repository: repository, option: keyOption)
        let principal = Result { try RecordSigner.principal(option: principalOption, in: repository) }
        checks.append(signersCheck(configuration, rootRef: root.value?.ref, key: key, principal: try? principal.get()))
        checks.append(contentsOf: key.checks(configuration: configuration, principal: principal))

        checks.append(notesCheck(repository, remote: remote, offline: offline))
        checks.append(shallowCheck(repository))
        checks.append(gpgFormatCheck(repository))
        return checks
    }

    /// A server's checks: the pre-receive hook, the trust root the hook judges by, its policy
    /// and its signers.
    static func server(_ repository: Repository, path: String) -> [DoctorCheck] {
        let quoted = shellQuoted(path)
        var checks = HookDoctor(repository: repository, hook: "pre-receive", install: "agentreview install --server \(quoted)").checks()
        let pinned = guarded("trust-root") { try repository.configString("agentreview.policy") }
        let root = guarded("trust-root") { try TrustedBase.root(in: repository) }
        var missing: String?
        if let failure = root.failure ?? pinned.failure {
            checks.append(failure)
            missing = "no trust root"
        } else if let (ref, base) = root.value {
            let configured = (try? TrustedBase.configuredRootRef(in: repository)) != nil
            let how = configured ? "agentreview.policyRef" : "the default branch (HEAD)"
            if let base {
                checks.append(.ok("trust-root", "\(base.name) at \(base.commit.hex.prefix(12)), \(how)"))
            } else if let ref {
                let detail = "\(how) is \(ref), which has no commit"
                if let file = pinned.value ?? nil {
                    checks.append(.warn(
                        "trust-root",
                        "\(detail): the policy is pinned to \(file), but there are no signers or owners until it has one",
                        fix: "push the first commit (with .agentreview/) to \(ref)"))
                } else {
                    checks.append(.fail(
                        "trust-root", "\(detail): the hook refuses every push", fix: serverRootFix(repository, ref: ref, path: quoted)))
                    missing = "no trust root"
                }
            } else {
                checks.append(.fail(
                    "trust-root", "HEAD names no branch and agentreview.policyRef is not set: the hook refuses every push",
                    fix: "git --git-dir=\(quoted) symbolic-ref HEAD refs/heads/main"))
                missing = "no trust root"
            }
        }
        let (policy, configuration) = configurationChecks(
            repository, base: root.value?.base, rootRef: root.value?.ref, pinned: pinned, rootMissing: missing)
        checks.append(policy)
        checks.append(signersCheck(configuration, rootRef: root.value?.ref, key: nil, principal: nil))
        return checks
    }

    /// How to give a server a root ref with a commit: point HEAD (or agentreview.policyRef) at
    /// a branch that has one, else push one.
    private static func serverRootFix(_ repository: Repository, ref: String, path: String) -> String {
        let branches = (try? repository.directReferences(matching: "refs/heads/*").map(\.name)) ?? []
        if let branch = branches.first(where: { $0 == "refs/heads/main" }) ?? branches.first(where: { $0 == "refs/heads/master" })
            ?? branches.first
        {
            return "git --git-dir=\(path) symbolic-ref HEAD \(branch) (or git config -f \(path)/config agentreview.policyRef \(branch))"
        }
        return "push the first commit (with .agentreview/) to \(ref) before pushing anything else, or pin a policy: git config -f \(path)/config agentreview.policy FILE"
    }

    // MARK: The remote and its default branch

    /// The remotes configured in the repository, as `git remote` lists them.
    static func remoteNames(of repository: Repository) throws -> [String] {
        let directory = URL(fileURLWithPath: repository.workingDirectory ?? repository.gitDirectory)
        let listed = try Subprocess.run("git", ["remote"], directory: directory)
        guard listed.status == 0 else {
            throw CLIError("git remote failed: \(listed.stderr.trimming(.whitespacesAndNewlines))")
        }
        return listed.text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    /// Whether the current branch has an upstream, and the remote the clone pushes to: the
    /// upstream's, else origin, else the first one.
    static func upstreamCheck(_ repository: Repository, remotes: [String]) -> (DoctorCheck, remote: String?) {
        do {
            let head = try repository.symbolicTarget("HEAD")
            var remote = remotes.contains("origin") ? "origin" : remotes.first
            guard let head, head.hasPrefix("refs/heads/") else {
                return (.warn("upstream", "HEAD is detached: status judges against every remote-tracking ref", fix: "git switch BRANCH"), remote)
            }
            let branch = String(head.dropFirst("refs/heads/".count))
            if let configured = try repository.configString("branch.\(branch).remote"), configured != ".",
               remotes.contains(configured)
            {
                remote = configured
            }
            guard let remote else {
                return (.fail("upstream", "no remote: nothing to push to and no trust root", fix: "git remote add origin URL && git fetch origin"), nil)
            }
            if let upstream = try repository.upstream(of: head) {
                let short = upstream.hasPrefix("refs/remotes/") ? String(upstream.dropFirst("refs/remotes/".count)) : upstream
                return (.ok("upstream", "\(branch) tracks \(short)"), remote)
            }
            let tracking = "refs/remotes/\(remote)/\(branch)"
            let fix = try repository.referenceTarget(tracking) != nil
                ? "git branch --set-upstream-to=\(remote)/\(branch)" : "git push -u \(remote) \(branch)"
            return (.warn("upstream", "\(branch) has no upstream: status judges its commits not on any remote-tracking ref", fix: fix), remote)
        } catch {
            return (.fail("upstream", describe(error)), remotes.contains("origin") ? "origin" : remotes.first)
        }
    }

    /// Whether the clone knows which branch holds the remote's trust root:
    /// `agentreview.policyRef`, else the remote's HEAD as last fetched.
    static func defaultBranchCheck(_ repository: Repository, remote: String?) -> DoctorCheck {
        do {
            if let configured = try TrustedBase.configuredRootRef(in: repository) {
                guard configured.hasPrefix("refs/heads/") else {
                    return .fail(
                        "default-branch",
                        "agentreview.policyRef is \(configured): only branches have remote-tracking copies, so no root is found here",
                        fix: "git config agentreview.policyRef refs/heads/main")
                }
                return .ok("default-branch", "agentreview.policyRef is \(configured)")
            }
            guard let remote else { return .notChecked("default-branch", "no remote") }
            let prefix = "refs/remotes/\(remote)/"
            if let head = try repository.symbolicTarget(prefix + "HEAD"), head.hasPrefix(prefix) {
                return .ok("default-branch", "\(remote)'s default branch is \(head.dropFirst(prefix.count)) (\(prefix)HEAD)")
            }
            return .warn(
                "default-branch",
                "\(remote)'s default branch is not known here (no \(prefix)HEAD): the trust root is guessed as its main or master",
                fix: "git remote set-head \(remote) --auto")
        } catch {
            return .fail("default-branch", describe(error), fix: "git config agentreview.policyRef refs/heads/main")
        }
    }

    // MARK: Policy and signers

    /// The policy check, and the trusted configuration when it loads.
    static func configurationChecks(
        _ repository: Repository, base: TrustedBase?, rootRef: String?, pinned: (value: String??, failure: DoctorCheck?),
        rootMissing: String?
    ) -> (DoctorCheck, TrustedConfiguration?) {
        if let failure = pinned.failure { return (DoctorCheck(name: "policy", status: .fail, detail: failure.detail), nil) }
        let file = pinned.value ?? nil
        if file == nil, let rootMissing { return (.notChecked("policy", rootMissing), nil) }
        let branch = rootRef.map { $0.hasPrefix("refs/heads/") ? String($0.dropFirst("refs/heads/".count)) : $0 } ?? "the root branch"
        let fix = file.map { "agentreview policy check \(shellQuoted($0))" }
            ?? "agentreview policy check \(PolicyLoader.defaultPath) (every problem, with its line), then commit the fix and push it to \(branch)"
        do {
            let configuration = try TrustedBase.load(from: base, in: repository, policyFile: file)
            let policy = configuration.policy
            var detail = "valid: \(configuration.source) (\(policy.classes.count) classes, \(policy.paths.count) path rules, \(policy.refs.count) ref rules)"
            if file != nil { detail += ", pinned by agentreview.policy" }
            return (.ok("policy", detail), configuration)
        } catch let error as PolicyError {
            let shown = error.diagnostics.prefix(5).map(\.description)
            let more = error.diagnostics.count > 5 ? "; and \(error.diagnostics.count - 5) more" : ""
            return (.fail("policy", "invalid: " + shown.joined(separator: "; ") + more, fix: fix), nil)
        } catch {
            return (.fail("policy", describe(error), fix: fix), nil)
        }
    }

    /// Whether the trusted allowed_signers lists anyone, and which of its lines are ignored.
    static func signersCheck(
        _ configuration: TrustedConfiguration?, rootRef: String?, key: KeyDoctor?, principal: String?
    ) -> DoctorCheck {
        guard let configuration else { return .notChecked("signers", "no valid policy") }
        let signers = configuration.signers
        let path = configuration.policy.signers
        let branch = rootRef.map { $0.hasPrefix("refs/heads/") ? String($0.dropFirst("refs/heads/".count)) : $0 } ?? "the root branch"
        let ignored = signers.diagnostics.map(\.description)
        let ignoredText = ignored.isEmpty ? "" : "; ignored: " + ignored.prefix(5).joined(separator: "; ")
            + (ignored.count > 5 ? "; and \(ignored.count - 5) more" : "")
        if signers.entries.isEmpty {
            return .fail(
                "signers",
                "\(signers.source) lists no reviewer: no approval can count (add a line for each reviewer, commit it and push it to \(branch))\(ignoredText)",
                fix: KeyDoctor.addLine(principal: principal, key: key?.publicKeyText, signers: path))
        }
        var principals = Set<String>()
        for entry in signers.entries {
            for name in entry.principals.split(separator: ",") where !name.hasPrefix("!") { principals.insert(String(name)) }
        }
        let keys = Set(signers.entries.map(\.key)).count
        let listed = "\(keys) key\(keys == 1 ? "" : "s") for \(principals.count) principal\(principals.count == 1 ? "" : "s") in \(signers.source)"
        if !ignored.isEmpty {
            return .warn(
                "signers", "\(listed)\(ignoredText)",
                fix: "correct or delete \(ignored.count == 1 ? "that line" : "those lines") of \(path), then commit and push it to \(branch)")
        }
        return .ok("signers", listed)
    }

    // MARK: Approvals shared with the remote

    /// Local `refs/notes/agentreview` against the remote's: as the remote has it now
    /// (`git ls-remote`), else as `sync` last fetched it.
    static func notesCheck(_ repository: Repository, remote: String?, offline: Bool) -> DoctorCheck {
        guard let remote else { return .notChecked("notes", "no remote") }
        let notes = SignoffRecords.notesRef
        let copyRef = SignoffRecords.remoteCopy(of: remote)
        do {
            let local = try repository.referenceTarget(notes)
            let copy = try repository.referenceTarget(copyRef)
            var theirs = copy
            var source = "\(remote)'s copy from the last sync (\(copyRef))"
            var unreachable = ""
            if !offline {
                switch lsRemote(repository, remote: remote, ref: notes) {
                case .success(let tip):
                    theirs = tip
                    source = remote
                case .failure(let error):
                    unreachable = " (\(remote) not reachable: \(error.message); compared with the copy from the last sync)"
                }
            }
            let sync = remote == "origin" ? "agentreview sync" : "agentreview sync \(shellQuoted(remote))"
            guard let theirs else {
                if let local {
                    return .warn("notes", "ahead: \(notes) has approvals \(source) lacks (at \(local.hex.prefix(12)))\(unreachable)", fix: sync)
                }
                return .ok("notes", "no approvals here or on \(source) yet\(unreachable)")
            }
            guard repository.contains(theirs) else {
                let mine = local == nil ? "" : ", and maybe the other way round"
                return .warn("notes", "behind: \(source) has approvals this clone has not fetched (\(theirs.hex.prefix(12)))\(mine)\(unreachable)", fix: sync)
            }
            guard let local else {
                return .warn("notes", "behind: \(source) has approvals, this clone has none in \(notes)\(unreachable)", fix: sync)
            }
            if local == theirs {
                if copy != theirs {
                    return .warn(
                        "notes",
                        "in sync with \(source), but \(copyRef), the copy pre-push counts, is \(copy.map { "at \($0.hex.prefix(12))" } ?? "missing")\(unreachable)",
                        fix: sync)
                }
                return .ok("notes", "in sync with \(source) at \(local.hex.prefix(12))\(unreachable)")
            }
            if try repository.isAncestor(theirs, of: local) {
                return .warn("notes", "ahead: \(notes) has approvals \(source) lacks\(unreachable)", fix: sync)
            }
            if try repository.isAncestor(local, of: theirs) {
                return .warn("notes", "behind: \(source) has approvals this clone lacks\(unreachable)", fix: sync)
            }
            return .warn("notes", "diverged: \(notes) and \(source) each have approvals the other lacks\(unreachable)", fix: sync)
        } catch {
            return .fail("notes", describe(error), fix: "agentreview sync")
        }
    }

    /// The remote's tip of `ref` (nil when it has none), without prompting for credentials.
    private static func lsRemote(_ repository: Repository, remote: String, ref: String) -> Result<ObjectID?, CLIError> {
        let directory = URL(fileURLWithPath: repository.workingDirectory ?? repository.gitDirectory)
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        do {
            let listed = try Subprocess.run("git", ["ls-remote", "--", remote, ref], directory: directory, environment: environment)
            guard listed.status == 0 else {
                let reason = listed.stderr.split(separator: "\n").last.map(String.init) ?? "exit \(listed.status)"
                return .failure(CLIError(reason))
            }
            for line in listed.text.split(separator: "\n") {
                let fields = line.split(separator: "\t")
                if fields.count == 2, fields[1] == ref, let id = ObjectID(hex: String(fields[0])) { return .success(id) }
            }
            return .success(nil)
        } catch {
            return .failure(CLIError(describe(error)))
        }
    }

    // MARK: git settings

    /// A shallow clone lacks the history a range is judged over.
    static func shallowCheck(_ repository: Repository) -> DoctorCheck {
        let gitDirectory = URL(fileURLWithPath: repository.gitDirectory)
        var directories = [gitDirectory]
        // A linked worktree keeps the shared files (shallow among them) in the common directory.
        if let common = try? String(contentsOf: gitDirectory.appendingPathComponent("commondir"), encoding: .utf8) {
            let path = common.trimming(.whitespacesAndNewlines)
            directories.append(path.hasPrefix("/") ? URL(fileURLWithPath: path) : gitDirectory.appendingPathComponent(path))
        }
        if directories.contains(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent("shallow").path) }) {
            return .warn(
                "shallow",
                "this is a shallow clone: commits past its depth are missing, so ranges and ancestry are judged on part of the history",
                fix: "git fetch --unshallow")
        }
        return .ok("shallow", "full history")
    }

    /// git's signing format: agentreview signs with SSH keys, and counts SSH commit
    /// signatures only.
    static func gpgFormatCheck(_ repository: Repository) -> DoctorCheck {
        do {
            guard let format = try repository.configString("gpg.format"), !format.isEmpty else {
                return .ok("gpg-format", "gpg.format is not set (approvals are signed with ssh-keygen whatever it says)")
            }
            if format.lowercased() == "ssh" { return .ok("gpg-format", "gpg.format is ssh") }
            return .warn(
                "gpg-format",
                "gpg.format is \(format): git's user.signingkey is then a key for \(format), which approve will not sign with (only --key), and only SSH commit signatures count as a person's",
                fix: "git config gpg.format ssh")
        } catch {
            return .fail("gpg-format", describe(error))
        }
    }

    // MARK: Helpers

    /// Runs `body`; an error becomes a failing check named `name`.
    static func guarded<Value>(_ name: String, _ body: () throws -> Value) -> (value: Value?, failure: DoctorCheck?) {
        do {
            return (try body(), nil)
        } catch {
            return (nil, .fail(name, describe(error)))
        }
    }
}

/// `text` as one word for sh: as it is when it needs no quoting, else in single quotes.
func shellQuoted(_ text: String) -> String {
    // Not `~`: at the start of a word the shell reads it as a home directory.
    let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_".utf8)
    if !text.isEmpty, text.utf8.allSatisfy(plain.contains) { return text }
    return "'" + text.replacingAll("'", with: "'\\''") + "'"
}
