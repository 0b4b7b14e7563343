import Foundation

/// The pull or merge request `agentreview ci` judges: its base (the trusted side, where the
/// policy is read), its head (the commits judged are `base..head`) and the ref it targets
/// (whose mode decides).
struct CIRequest: Sendable, Hashable {
    enum Provider: String, Sendable, Hashable {
        case github, gitlab, manual
    }

    var base: String
    var head: String
    /// The target ref as the server names it: `refs/heads/main`.
    var ref: String
    var provider: Provider
    /// The pull (GitHub) or merge (GitLab) request's number, when known.
    var number: String?

    /// How the request is named in a heading: `pull request #12 into refs/heads/main`.
    var title: String {
        switch provider {
        case .github: "ci: pull request\(number.map { " #\($0)" } ?? "") into \(ref)"
        case .gitlab: "ci: merge request\(number.map { " !\($0)" } ?? "") into \(ref)"
        case .manual: "ci: \(ref)"
        }
    }
}

/// Reads a `CIRequest` from the CI system's environment: GitHub Actions (the event payload
/// of a `pull_request` or `pull_request_target` event) or GitLab CI (a merge request
/// pipeline's predefined variables); `--base`, `--head` and `--ref` override whatever the
/// environment says, and are needed anywhere else. Pure but for reading the event file.
enum CIEnvironment {
    static let githubEvents = ["pull_request", "pull_request_target"]
    static let manualHint = "pass --base REV --head REV --ref REF"

    /// - Parameters:
    ///   - readFile: reads the event payload (`GITHUB_EVENT_PATH`).
    static func request(
        environment: [String: String], base: String? = nil, head: String? = nil, ref: String? = nil,
        readFile: (String) throws -> Data = { try Data(contentsOf: URL(fileURLWithPath: $0)) }
    ) throws -> CIRequest {
        var request: CIRequest
        if let base, let head, let ref {
            request = CIRequest(base: base, head: head, ref: ref, provider: .manual, number: nil)
        } else if environment["GITHUB_ACTIONS"] == "true" {
            request = try github(environment, readFile: readFile)
        } else if environment["GITLAB_CI"] == "true" {
            request = try gitlab(environment)
        } else {
            let missing = [("--base", base), ("--head", head), ("--ref", ref)].filter { $0.1 == nil }.map(\.0)
            throw CLIError(
                "not in GitHub Actions or GitLab CI: \(manualHint) (missing \(missing.joined(separator: ", ")))")
        }
        if let base { request.base = base }
        if let head { request.head = head }
        if let ref { request.ref = ref }
        request.ref = try normalized(request.ref)
        return request
    }

    /// `main` → `refs/heads/main`; a full ref as it is.
    static func normalized(_ ref: String) throws -> String {
        let trimmed = ref.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw CLIError("the target ref is empty: \(manualHint)") }
        if trimmed.hasPrefix("refs/") { return trimmed }
        return "refs/heads/" + trimmed
    }

    static func github(_ environment: [String: String], readFile: (String) throws -> Data) throws -> CIRequest {
        let event = environment["GITHUB_EVENT_NAME"] ?? ""
        guard githubEvents.contains(event) else {
            throw CLIError(
                "GitHub Actions event \"\(event.isEmpty ? "(none)" : event)\" is not a pull request: agentreview ci reads \(githubEvents.joined(separator: " and ")) events; for any other, \(manualHint)")
        }
        guard let path = environment["GITHUB_EVENT_PATH"], !path.isEmpty else {
            throw CLIError("GITHUB_EVENT_PATH is not set, so the \(event) event cannot be read: \(manualHint)")
        }
        let payload: Any
        do {
            payload = try JSONSerialization.jsonObject(with: try readFile(path))
        } catch {
            throw CLIError("cannot read the \(event) event at \(path) (\(error.localizedDescription)): \(manualHint)")
        }
        let pull = (payload as? [String: Any])?["pull_request"] as? [String: Any]
        let baseSide = pull?["base"] as? [String: Any], headSide = pull?["head"] as? [String: Any]
        guard let base = baseSide?["sha"] as? String, let head = headSide?["sha"] as? String,
              let ref = baseSide?["ref"] as? String
        else {
            throw CLIError(
                "the \(event) event at \(path) has no pull_request.base.sha, pull_request.head.sha and pull_request.base.ref: \(manualHint)")
        }
        var number: String?
        if let value = pull?["number"] ?? (payload as? [String: Any])?["number"] {
            number = (value as? NSNumber)?.stringValue ?? (value as? String)
        }
        return CIRequest(base: base, head: head, ref: ref, provider: .github, number: number)
    }

    static func gitlab(_ environment: [String: String]) throws -> CIRequest {
        guard let iid = environment["CI_MERGE_REQUEST_IID"], !iid.isEmpty else {
            throw CLIError(
                "this GitLab pipeline is not a merge request pipeline (no CI_MERGE_REQUEST_IID): run agentreview ci in merge request pipelines (rules: if $CI_PIPELINE_SOURCE == \"merge_request_event\"), or \(manualHint)")
        }
        let names = ["CI_MERGE_REQUEST_DIFF_BASE_SHA", "CI_COMMIT_SHA", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"]
        let values = names.map { environment[$0].flatMap { $0.isEmpty ? nil : $0 } }
        guard let base = values[0], let head = values[1], let ref = values[2] else {
            let missing = zip(names, values).filter { $0.1 == nil }.map(\.0)
            throw CLIError("this merge request pipeline lacks \(missing.joined(separator: ", ")): \(manualHint)")
        }
        return CIRequest(base: base, head: head, ref: ref, provider: .gitlab, number: iid)
    }
}
