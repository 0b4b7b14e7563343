/// The files `agentreview init` writes, embedded so the binary works when copied
/// alone (no resource bundle). Each is byte-for-byte the file of the same name in
/// `templates/`; a test keeps them identical, so edit both together.
enum Templates {
    /// `.agentreview/policy.yml`: the default policy, commented for people to read and edit.
    static let policy: String = #"""
        # agentreview policy, version 1
        #
        # Decides which commits written by AI coding agents need sign-off before they
        # may land, and what sign-off. agentreview reads this file from the trust root
        # (the default branch, or `git config agentreview.policyRef`) as it was before
        # the push, never from the commits being judged: an edit here takes effect once
        # it has itself been reviewed and merged there.
        #
        # Check an edit:                 agentreview policy check
        # See which rule classes a path: agentreview explain --path PATH

        version: 1

        # Risk classes, lowest first. A commit's class is the highest class of any path
        # it touches (renames count on both sides, deletions count), raised by the
        # escalations below. Each class says what a commit needs before it may land:
        #   approvals      how many reviewers must approve it (agentreview approve REV)
        #   owners         an owner (CODEOWNERS) of every owned touched path must approve
        #   human_signoff  at least one approver is a person, not a bot principal
        #   gates          named checks that must be attested as passed (see "gates" below)
        classes:
          - name: low          # documentation
            approvals: 0
          - name: medium       # ordinary code changes
            approvals: 1
            # gates: [tests]   # once a "tests" gate is defined below
          - name: high         # infrastructure, CI, dependencies, agent configuration
            approvals: 2
            owners: true
            human_signoff: true

        # The class of a path that no rule below matches.
        default_class: medium

        # Path rules, in gitignore/CODEOWNERS syntax: "*" stays within a directory, "**"
        # crosses directories, a trailing "/" matches a directory and everything in it,
        # and a pattern with a "/" at the start or in the middle is anchored to the
        # repository root. When several rules match a path, the highest class wins: that
        # is how "*.md" can be low while AGENTS.md and CLAUDE.md are high.
        # Changes to .agentreview/, CODEOWNERS and git hooks are always in the highest
        # class, whatever this list says.
        paths:
          # Documentation
          - { pattern: "docs/", class: low }
          - { pattern: "*.md", class: low }

          # Infrastructure
          - { pattern: "infra/", class: high }
          - { pattern: "terraform/", class: high }
          - { pattern: "*.tf", class: high }
          - { pattern: "*.tfvars", class: high }
          - { pattern: "k8s/", class: high }
          - { pattern: "helm/", class: high }
          - { pattern: "Dockerfile*", class: high }
          - { pattern: "docker-compose*.yml", class: high }
          - { pattern: "docker-compose*.yaml", class: high }

          # CI
          - { pattern: ".github/workflows/", class: high }
          - { pattern: ".github/actions/", class: high }
          - { pattern: ".gitlab-ci.yml", class: high }
          - { pattern: "Jenkinsfile", class: high }
          - { pattern: ".circleci/", class: high }
          - { pattern: "azure-pipelines.yml", class: high }

          # Dependency manifests and lockfiles
          - { pattern: "package.json", class: high }
          - { pattern: "package-lock.json", class: high }
          - { pattern: "npm-shrinkwrap.json", class: high }
          - { pattern: "yarn.lock", class: high }
          - { pattern: "pnpm-lock.yaml", class: high }
          - { pattern: ".npmrc", class: high }
          - { pattern: "Package.swift", class: high }
          - { pattern: "Package.resolved", class: high }
          - { pattern: "go.mod", class: high }
          - { pattern: "go.sum", class: high }
          - { pattern: "Cargo.toml", class: high }
          - { pattern: "Cargo.lock", class: high }
          - { pattern: "requirements*.txt", class: high }
          - { pattern: "pyproject.toml", class: high }
          - { pattern: "poetry.lock", class: high }
          - { pattern: "uv.lock", class: high }
          - { pattern: "Pipfile", class: high }
          - { pattern: "Pipfile.lock", class: high }
          - { pattern: "setup.py", class: high }
          - { pattern: "Gemfile", class: high }
          - { pattern: "Gemfile.lock", class: high }
          - { pattern: "*.gemspec", class: high }
          - { pattern: "pom.xml", class: high }
          - { pattern: "build.gradle*", class: high }
          - { pattern: "settings.gradle*", class: high }
          - { pattern: "gradle/wrapper/", class: high }
          - { pattern: "composer.json", class: high }
          - { pattern: "composer.lock", class: high }

          # Agent and plugin configuration: what agents may run and what they are told
          - { pattern: ".mcp.json", class: high }
          - { pattern: ".vscode/mcp.json", class: high }
          - { pattern: ".claude/", class: high }
          - { pattern: ".cursor/", class: high }
          - { pattern: ".cursorrules", class: high }
          - { pattern: ".github/copilot-instructions.md", class: high }
          - { pattern: "AGENTS.md", class: high }
          - { pattern: "CLAUDE.md", class: high }
          - { pattern: "GEMINI.md", class: high }

        # What raises a commit's class whatever paths it touches.
        escalations:
          submodule: high      # a submodule (gitlink) added, moved or updated
          symlink: high        # a symbolic link added or changed
          executable: high     # a file made executable
          # These two read file contents, which makes judging slower:
          # binary: medium                          # binary content
          # changed_lines: { over: 1000, class: high }   # more lines added + deleted

        # How agent-authored commits are recognised.
        agents:
          builtin: true        # the trailers and identities of known agents and bots: `agentreview agents` lists them
          identities: []       # more exact identities, e.g. ["Build Bot <bot@corp.example>"]
          trailers: []         # trailer keys whose presence marks an agent commit, e.g. [Agent]
          # true: a commit without a valid signature from a known human signer counts
          # as agent-authored, so an agent cannot escape by leaving no trailer.
          unsigned_is_agent: false
          # true: read git-ai's authorship notes (refs/notes/ai): a note that gives lines
          # to an AI session marks the commit as that agent's. The client writes them,
          # unsigned, so a note can only add evidence, never clear a commit.
          notes: false

        # Which commits the classes apply to: agents (agent-authored commits),
        # agents+bots (also dependency and release bots': dependabot, renovate, ...) or all.
        applies_to: agents

        # Enforcement per ref: the first matching rule wins; other refs use default_mode.
        #   enforce  a commit without its sign-off is refused
        #   warn     the push goes through, with a report of what is missing
        #   off      not judged
        refs:
          - { pattern: "refs/heads/main", mode: enforce }
          - { pattern: "refs/heads/master", mode: enforce }
          - { pattern: "refs/heads/release/*", mode: enforce }
        default_mode: warn

        # Whose signatures count: an OpenSSH allowed_signers file in this repository.
        signers: .agentreview/allowed_signers
        # Public keys whose signatures no longer count, one a line:
        # revoked: .agentreview/revoked_keys

        # Who owns what: auto reads CODEOWNERS from .github/, the root or docs/, first
        # found; or give a path.
        owners: auto
        # CODEOWNERS names teams and users (@infra, @alice); map them to signer principals:
        # teams: { infra: [alice@example.com, bob@example.com] }
        # users: { alice: alice@example.com }
        # Principals that are machines, never a human sign-off:
        # bots: [ci@example.com]

        # Gates are checks a machine or a person attests with a signed record
        # (agentreview attest GATE REV --result pass). Each names who may attest it;
        # a class can then require it (gates: [tests] above).
        # gates:
        #   tests: { signers: [ci@example.com] }
        #   lint: { signers: [ci@example.com] }

        """#

    /// `.agentreview/allowed_signers`: no signers yet, and how to add one.
    static let allowedSigners: String = #"""
        # agentreview allowed signers: the keys whose signatures count.
        #
        # agentreview checks every approval and gate attestation against this file,
        # read from the trust root (the default branch, or agentreview.policyRef) as it
        # was before the push, never from the commits being judged. Changes to it are
        # always in the highest risk class, and count only once merged there.
        #
        # The format is OpenSSH's allowed_signers (see ALLOWED SIGNERS in ssh-keygen(1)),
        # one key a line:
        #
        #   principal[,principal...] [options] keytype base64-key [comment]
        #
        # principal  who signs: the reviewer's email, as CODEOWNERS, teams, users and
        #            gates in policy.yml name them.
        # options    comma-separated, no spaces:
        #              namespaces="agentreview"   the key signs only agentreview records
        #                                         (a git commit signature never passes as
        #                                         an approval either way)
        #              valid-after="YYYYMMDD"     the key counts from this date on
        #              valid-before="YYYYMMDD"    the key counts until this date
        #            Time options need the quotes, as shown.
        # keytype base64-key
        #            the public key, as in ~/.ssh/id_ed25519.pub.
        #
        # To add a reviewer, from the root of the repository:
        #
        #   echo "alice@example.com namespaces=\"agentreview\" $(cat ~/.ssh/id_ed25519.pub)" >> .agentreview/allowed_signers
        #
        # which adds a line like:
        #
        #   alice@example.com namespaces="agentreview" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... alice@laptop
        #
        # and commit it for review like any other change.

        """#
}
