import AgentReviewCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The hook shims, as in `hooks/` (a test keeps the two the same). `@AGENTREVIEW@`
/// stands for the binary's absolute path, filled in by `agentreview install`.
enum HookShims {
    /// The line that marks a hook file as ours.
    static let marker = "# agentreview-hook: "

    static let preReceive = shim(hook: "pre-receive", install: "agentreview install --server", stops: "refuses", stopped: "refused")
    static let prePush = shim(hook: "pre-push", install: "agentreview install", stops: "stops", stopped: "stopped")

    /// The two shims differ only in their hook's name, the command that installs them and
    /// what they do to a push.
    private static func shim(hook: String, install: String, stops: String, stopped: String) -> String {
        #"""
#!/bin/sh
# agentreview-hook: \#(hook), installed by `\#(install)`; `--uninstall` removes it.
# A hook that was here before is kept as \#(hook).local and runs first; its failure \#(stops) the push.
# Fails closed: when agentreview cannot run, the push is \#(stopped).
agentreview='@AGENTREVIEW@'
[ -x "$agentreview" ] || agentreview=$(command -v agentreview) || {
  echo "agentreview: not found at @AGENTREVIEW@ nor on PATH: push \#(stopped)" >&2
  exit 1
}
# Without one, agentreview takes git's stdin directly: no temporary file, no other process.
[ -x "$0.local" ] || exec "$agentreview" hook \#(hook) "$@"
input=$(mktemp "${TMPDIR:-/tmp}/agentreview.XXXXXX") || { echo "agentreview: no temporary file: push \#(stopped)" >&2; exit 1; }
trap 'rm -f "$input"' EXIT
cat >"$input" || exit 1
"$0.local" "$@" <"$input" || exit $?
"$agentreview" hook \#(hook) "$@" <"$input"

"""#
    }

    static func text(for hook: String, binary: String) -> String? {
        let template: String
        switch hook {
        case "pre-receive": template = preReceive
        case "pre-push": template = prePush
        default: return nil
        }
        return template.replacingAll("@AGENTREVIEW@", with: binary)
    }
}
