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

        # Task contracts: what an agent's task allows, written down before the work
        # (.agentreview/contracts/NAME.yml, read from the trust root like this file;
        # `agentreview init --contracts` writes two examples, `agentreview policy check`
        # checks them). A commit names its contract with a `Task-Contract: NAME` trailer
        # and is then also checked against it: the paths it may touch, what it may not do,
        # the highest class it may reach. A contract only adds checks; it never lowers
        # what a commit needs. A contract that is named but missing, expired or malformed
        # is a violation, never a pass.
        #   required      none: only commits that name a contract are checked against one
        #                 agents: an agent commit that names none is a violation
        #                 all: any commit judged that names none is a violation
        #   on_violation  block: a commit that breaks its contract is refused (in warn mode,
        #                 reported) until it is rewritten or overridden
        #                 raise-class: it is raised to the highest class instead (more
        #                 sign-off, not a wall)
        contracts:
          required: none
          on_violation: block

        # A commit may declare its class with an `Execution-Class: CLASS` trailer. A class
        # below the one computed from its paths is under-declared (so is a class the policy
        # does not name, or two different declarations); the declaration never lowers the
        # class.
        #   under  block: the commit is refused (in warn mode, reported)
        #          warn: the verdict is at least warn, the push goes through
        #          ignore: only recorded in the report
        declared_class:
          under: warn

        # Break-glass: `agentreview override REV --reason TEXT` signs a record that satisfies
        # everything a commit lacks, when it must land now. It counts only when signed by a
        # principal listed here (with a key in allowed_signers; `@team` through teams:), by
        # none of the commit's own people, with a reason, within max_age before the push;
        # the verdict is then `overridden`, never `pass`, and every report shows who, when
        # and why. With no signers listed, nobody can override.
        # overrides:
        #   signers: [oncall-lead@example.com]
        #   max_age: 24h        # s, m, h or d; at most 30d

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

    /// The example task contracts `init --contracts` writes into `.agentreview/contracts/`,
    /// in the order written: each file name with its text, the file of the same name in
    /// `templates/contracts/`.
    static let contracts: [(file: String, text: String)] = [
        ("docs-only.yml", docsOnlyContract),
        ("dependency-bump.yml", dependencyBumpContract),
    ]

    /// `.agentreview/contracts/docs-only.yml`: documentation only, in the lowest class.
    static let docsOnlyContract: String = #"""
        # agentreview task contract, version 1: docs-only
        #
        # What an agent working on documentation may touch and do. A commit works under it
        # when its message ends with the trailer
        #
        #   Task-Contract: docs-only
        #
        # and is then checked against every clause below, on top of what the policy
        # requires: a contract only adds checks, it never lowers what a commit needs.
        # A commit that breaks a clause is refused (or raised to the highest class, as the
        # policy's contracts.on_violation says), and the report names the clause, the path
        # and the line of this file.
        #
        # agentreview reads contracts from the trust root, like the policy: this file counts
        # once it has been reviewed and merged there (it is under .agentreview/, so changes
        # to it are always in the highest class). The file name is the contract's name.
        # Check an edit: agentreview policy check

        version: 1

        # What the work is for, and who answers for the contract: shown in every report.
        goal: Keep the documentation accurate and readable, without touching code
        owner: docs-lead@example.com

        # The highest class a commit under this contract may reach, one of the policy's
        # classes. The template policy puts docs/ and *.md in low and agent instructions
        # (AGENTS.md, CLAUDE.md, ...) in high, so a commit that edits those is refused here.
        class: low

        # The paths a commit may touch, in the policy's pattern syntax: with "allow", every
        # touched path (both sides of a rename, deletions too) must match one pattern.
        # "deny" wins over "allow", and is matched ignoring case as well.
        paths:
          allow: ["docs/", "*.md"]
          # deny: ["docs/security/"]      # e.g. pages that need their owners' eyes

        # What a commit may not do, even inside the allowed paths:
        forbid:
          - delete              # remove a file (moving one is a rename, which this contract allows)
          - executable          # make a file executable
          - symlink             # add, change or remove a symbolic link
          - submodule           # add, move or update a submodule
          - binary              # commit binary content (reads file contents)
          - dependency-change   # touch a dependency manifest or lockfile
          - agent-config        # touch agents' instructions or configuration (AGENTS.md, CLAUDE.md, .cursor/, ...)
          - ci-config           # touch CI configuration (.github/workflows/, .gitlab-ci.yml, ...)

        # Optional clauses:
        # expires: 2026-12-31         # holds through that day, UTC (or a time: 2026-12-31T18:00:00Z)
        # max_changed_lines: 400      # lines added + deleted over the whole commit (reads file contents)

        """#

    /// `.agentreview/contracts/dependency-bump.yml`: version bumps in existing npm and Go
    /// manifests and lockfiles, nothing else.
    static let dependencyBumpContract: String = #"""
        # agentreview task contract, version 1: dependency-bump
        #
        # What an agent (or a person driving one) may do to update dependencies: change
        # the versions in existing manifests and lockfiles, and nothing else. A commit works
        # under it when its message ends with the trailer
        #
        #   Task-Contract: dependency-bump
        #
        # and is then checked against every clause below, on top of what the policy
        # requires: a contract only adds checks, it never lowers what a commit needs.
        # A commit that breaks a clause is refused (or raised to the highest class, as the
        # policy's contracts.on_violation says), and the report names the clause, the path
        # and the line of this file.
        #
        # agentreview reads contracts from the trust root, like the policy: this file counts
        # once it has been reviewed and merged there (it is under .agentreview/, so changes
        # to it are always in the highest class). The file name is the contract's name.
        # Check an edit: agentreview policy check

        version: 1

        # What the work is for, and who answers for the contract: shown in every report.
        goal: Update npm and Go dependencies to newer versions, in existing manifests and lockfiles only
        owner: platform-lead@example.com

        # The highest class a commit under this contract may reach, one of the policy's
        # classes. The template policy puts every manifest and lockfile in high, so a bump
        # is high and needs the high class's sign-off whatever this says; a lower ceiling
        # would refuse every bump. With a policy that puts lockfiles in medium, write
        # medium here: a bump that reaches a higher class is then refused.
        class: high

        # The paths a commit may touch, in the policy's pattern syntax: every touched path
        # must match one. A pattern without a "/" matches at any depth, so the manifests of
        # packages in subdirectories are allowed too. For other ecosystems add theirs:
        # Cargo.toml and Cargo.lock, requirements*.txt, pyproject.toml and poetry.lock, ...
        paths:
          allow:
            # npm, yarn, pnpm
            - "package.json"
            - "package-lock.json"
            - "npm-shrinkwrap.json"
            - "yarn.lock"
            - "pnpm-lock.yaml"
            # Go modules
            - "go.mod"
            - "go.sum"

        # What a commit may not do, even inside the allowed paths:
        forbid:
          - new-file            # add a manifest or lockfile: a new package is not a bump
          - delete              # remove one
          - executable          # make a file executable
          - symlink             # replace a manifest with a symbolic link
          - agent-config        # touch agents' instructions or configuration (AGENTS.md, .mcp.json, ...)
          - ci-config           # touch CI configuration (.github/workflows/, .gitlab-ci.yml, ...)

        # Lines added + deleted over the whole commit (reads file contents). Lockfiles churn,
        # but a bump bigger than this is more than a bump: split it, or raise the limit.
        max_changed_lines: 2000

        # Optional:
        # expires: 2026-12-31         # holds through that day, UTC (or a time: 2026-12-31T18:00:00Z)

        """#
}
