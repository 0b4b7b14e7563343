import AgentReviewSupport
import AgentReviewCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

enum Rendering {
    /// JSON from a Codable value, as every `--json` output writes it: keys sorted, slashes
    /// as they are, one line.
    static func json<Value: Encodable>(_ value: Value) throws -> String {
        String(decoding: try jsonBytes(value), as: UTF8.self)
    }

    static func jsonBytes<Value: Encodable>(_ value: Value) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Seconds as a person writes them: `2`, `0.5`, `0.001`. (Foundation's `formatted()`
    /// starts ICU's number formatting, a millisecond of a hook's time.)
    static func seconds(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

/// Colour for a terminal: only when stdout is one, never when `NO_COLOR` is set (to
/// anything, https://no-color.org) or the terminal is `dumb`.
struct Colour: Sendable {
    var enabled: Bool

    static let never = Colour(enabled: false)

    static func forStandardOutput() -> Colour {
        // The terminal first: a hook's stdout never is one, and the environment's dictionary
        // costs a hook a third of a millisecond.
        guard isatty(STDOUT_FILENO) == 1 else { return .never }
        return Colour(enabled: getenv("NO_COLOR") == nil && getenv("TERM").map { String(cString: $0) } != "dumb")
    }

    func verdict(_ verdict: Verdict, _ text: String) -> String {
        guard enabled else { return text }
        let code = switch verdict {
        case .pass: "32"  // green
        case .warn: "33"  // yellow
        case .overridden: "1;35"  // bold magenta: a break-glass is never mistaken for a pass
        case .blocked: "1;31"  // bold red
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}

/// Writes diagnostics to stderr, results stay on stdout.
func printError(_ message: String) {
    // Results written so far go first: in a hook both streams reach the pusher as one.
    StandardOutput.flush()
    fflush(nil)  // every output stream: stdout is the one with anything buffered
    FileIO.writeError("agentreview: " + message + "\n")
}
