import AgentReviewCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
        let trimmed = ref.trimming(.whitespaces)
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
        let payload: PullRequestEvent
        do {
            payload = try JSONDecoder().decode(PullRequestEvent.self, from: try readFile(path))
        } catch is DecodingError {
            throw CLIError("cannot read the \(event) event at \(path) (it is not JSON): \(manualHint)")
        } catch {
            throw CLIError("cannot read the \(event) event at \(path) (\(describe(error))): \(manualHint)")
        }
        let pull = payload.pullRequest
        guard let base = pull?.base?.sha, let head = pull?.head?.sha, let ref = pull?.base?.ref else {
            throw CLIError(
                "the \(event) event at \(path) has no pull_request.base.sha, pull_request.head.sha and pull_request.base.ref: \(manualHint)")
        }
        return CIRequest(base: base, head: head, ref: ref, provider: .github, number: pull?.number?.text ?? payload.number?.text)
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

/// The members of a GitHub pull request event that `agentreview ci` reads. Any JSON is read:
/// a member that is absent or of another type is nil, so the message names what is missing.
private struct PullRequestEvent: Decodable {
    struct Side: Decodable {
        var sha: String?
        var ref: String?

        init(from decoder: any Decoder) throws {
            let members = Members(decoder)
            (sha, ref) = (members["sha"], members["ref"])
        }
    }

    struct PullRequest: Decodable {
        var base: Side?
        var head: Side?
        var number: Number?

        init(from decoder: any Decoder) throws {
            let members = Members(decoder)
            (base, head, number) = (members["base"], members["head"], members["number"])
        }
    }

    /// A pull request's number, written as a JSON number or a string.
    struct Number: Decodable {
        var text: String

        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer()
            if let integer = try? value.decode(Int.self) {
                text = String(integer)
            } else {
                text = try value.decode(String.self)
            }
        }
    }

    /// A JSON value's members, each nil when absent or of another type (all of them when
    /// the value is no object).
    struct Members {
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        let container: KeyedDecodingContainer<Key>?

        init(_ decoder: any Decoder) {
            container = try? decoder.container(keyedBy: Key.self)
        }

        subscript<Value: Decodable>(name: String) -> Value? {
            guard let key = Key(stringValue: name) else { return nil }
            return try? container?.decodeIfPresent(Value.self, forKey: key)
        }
    }

    var pullRequest: PullRequest?
    var number: Number?

    init(from decoder: any Decoder) throws {
        let members = Members(decoder)
        (pullRequest, number) = (members["pull_request"], members["number"])
    }
}
