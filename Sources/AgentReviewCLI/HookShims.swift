import Foundation

/// The hook shims, as in `hooks/` (a test keeps the two the same). `@AGENTREVIEW@`
/// stands for the binary's absolute path, filled in by `agentreview install`.
enum HookShims {
    /// The line that marks a hook file as ours.
    static let marker = "# agentreview-hook: "

    static let preReceive = #"""
#!/bin/sh
# agentreview-hook: pre-receive, installed by `agentreview install --server`; `--uninstall` removes it.
# A hook that was here before is kept as pre-receive.local and runs first; its failure refuses the push.
# Fails closed: when agentreview cannot run, the push is refused.
agentreview='@AGENTREVIEW@'
[ -x "$agentreview" ] || agentreview=$(command -v agentreview) || {
  echo "agentreview: not found at @AGENTREVIEW@ nor on PATH: push refused" >&2
  exit 1
}
input=$(mktemp "${TMPDIR:-/tmp}/agentreview.XXXXXX") || { echo "agentreview: no temporary file: push refused" >&2; exit 1; }
trap 'rm -f "$input"' EXIT
cat >"$input" || exit 1
if [ -x "$0.local" ]; then
  "$0.local" "$@" <"$input" || exit $?
fi
"$agentreview" hook pre-receive "$@" <"$input"

"""#

    static let prePush = #"""
#!/bin/sh
# agentreview-hook: pre-push, installed by `agentreview install`; `--uninstall` removes it.
# A hook that was here before is kept as pre-push.local and runs first; its failure stops the push.
# Fails closed: when agentreview cannot run, the push is stopped.
agentreview='@AGENTREVIEW@'
[ -x "$agentreview" ] || agentreview=$(command -v agentreview) || {
  echo "agentreview: not found at @AGENTREVIEW@ nor on PATH: push stopped" >&2
  exit 1
}
input=$(mktemp "${TMPDIR:-/tmp}/agentreview.XXXXXX") || { echo "agentreview: no temporary file: push stopped" >&2; exit 1; }
trap 'rm -f "$input"' EXIT
cat >"$input" || exit 1
if [ -x "$0.local" ]; then
  "$0.local" "$@" <"$input" || exit $?
fi
"$agentreview" hook pre-push "$@" <"$input"

"""#

    static func text(for hook: String, binary: String) -> String? {
        let template: String
        switch hook {
        case "pre-receive": template = preReceive
        case "pre-push": template = prePush
        default: return nil
        }
        return template.replacingOccurrences(of: "@AGENTREVIEW@", with: binary)
    }
}
