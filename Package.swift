// swift-tools-version:6.0
import Foundation
import PackageDescription

/// Where distributions keep libraries' static archives.
let libraryDirectories = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"]

/// On Linux, libgit2 and the libraries it uses are linked into the binary from the
/// distribution's static archives (Debian's libgit2-dev ships them all), when every one is
/// there. A process then loads none of the fifteen shared libraries libgit2 brings, whose
/// relocation was a quarter of the time `agentreview --version` took. Two parts of libgit2's
/// network code are replaced by `--wrap` (AgentReviewGit/NoNetwork.swift): its TLS set-up,
/// which reads and parses every system CA certificate at start (a sixth of a 1-commit
/// pre-receive hook's time), and HTTP's Kerberos authentication, which alone needs GSSAPI
/// and its five shared libraries. libgit2's SSH transport is refused the same way: it is
/// the only user of libssh2, which alone brings OpenSSL's libcrypto, whose relocations and
/// start (`libssh2_init`) were a tenth of a 1-commit hook. agentreview reads repositories on disk and fetches with
/// the git binary. A third, `git_odb_hash`, is answered from the ids a line count already
/// knows (AgentReviewGit/KnownBlobs.swift). Without the archives (another distribution, macOS),
/// libgit2 is linked as a shared library, as pkg-config gives it.
let staticLibgit2: [String]? = {
    #if os(Linux)
    let archives = ["git2", "mbedtls", "mbedx509", "mbedcrypto", "http_parser", "ssh2", "pcre2-8", "z", "crypto"]
    for directory in libraryDirectories {
        let paths = archives.map { "\(directory)/lib\($0).a" }
        guard paths.allSatisfy(FileManager.default.fileExists(atPath:)) else { continue }
        let wrapped = [
            "git_mbedtls_stream_global_init", "git_mbedtls_stream_new", "git_mbedtls_stream_wrap", "git_mbedtls__set_cert_location",
            "git_http_auth_negotiate", "git_smart_subtransport_ssh", "git_transport_ssh_global_init", "git_odb_hash",
        ]
        return paths + ["-lrt"] + wrapped.flatMap { ["-Xlinker", "--wrap=\($0)"] }
    }
    #endif
    return nil
}()

/// libyaml, the YAML parser policies and task contracts are composed with
/// (AgentReviewCore/YAMLComposer.swift): linked from the distribution's static archive where
/// there is one (Debian's libyaml-dev ships it), else as a shared library.
///
/// The test binary holds a second copy of libyaml: Yams, which tests keep as an oracle,
/// compiles its own (CYaml) into objects. Its declarations are the same as 0.2.5's (CYaml is
/// libyaml's later master), so both are the same library to the code that calls it. The
/// archive is passed as an archive, after every object file, and a linker takes a member out
/// of an archive only for a symbol still undefined: in the test binary CYaml's objects have
/// defined every `yaml_` symbol by then, no member is taken and nothing is defined twice
/// (`-whole-archive`, or the archive ahead of the objects, would break that). The shipped
/// binary has no Yams, and takes the members it calls.
let staticLibYAML = staticArchive("yaml")

/// libdeflate, which inflates the objects the pack reader reads
/// (AgentReviewGit/PackReader.swift): a whole object at once, its size known from its entry,
/// in about half zlib's time. Linked from the distribution's static archive where there is
/// one (Debian's libdeflate-dev ships it), else as a shared library.
let staticLibDeflate = staticArchive("deflate")

/// The path of the distribution's static archive of a library, where there is one.
func staticArchive(_ name: String) -> String? {
    #if os(Linux)
    for directory in libraryDirectories {
        let path = "\(directory)/lib\(name).a"
        if FileManager.default.fileExists(atPath: path) { return path }
    }
    #endif
    return nil
}

let package = Package(
    name: "agentreview",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "agentreview", targets: ["agentreview"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Only for the tests: the oracle the YAML composer is checked against.
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        // libgit2 (and zlib): statically linked where the archives are (see staticLibgit2),
        // else found through pkg-config. Only AgentReviewGit imports it.
        .systemLibrary(
            name: "Clibgit2",
            pkgConfig: staticLibgit2 == nil ? "libgit2" : nil,
            providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]
        ),
        // The Swift face of libgit2: owning handles inside, plain values outside.
        // Each handle is used by one thread at a time: the run-time exclusivity checks on
        // the hot path of reading packs are dropped in release builds.
        .target(
            name: "AgentReviewGit", dependencies: ["Clibgit2", "CLibDeflate"],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
                + (staticLibgit2 == nil ? [] : [.define("AGENTREVIEW_STATIC_LIBGIT2")]),
            linkerSettings: (staticLibgit2.map { [.unsafeFlags($0)] } ?? [.linkedLibrary("git2"), .linkedLibrary("z")])
                + (staticLibDeflate.map { [.unsafeFlags([$0])] } ?? [.linkedLibrary("deflate")])
        ),
        // libdeflate: statically linked where the archive is (see staticLibDeflate), else
        // found through pkg-config. Only AgentReviewGit imports it, to inflate pack entries.
        .systemLibrary(
            name: "CLibDeflate",
            pkgConfig: staticLibDeflate == nil ? "libdeflate" : nil,
            providers: [.apt(["libdeflate-dev"]), .brew(["libdeflate"])]
        ),
        // libyaml: statically linked where the archive is (see staticLibYAML), else found
        // through pkg-config. Only AgentReviewCore imports it, to compose YAML.
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: staticLibYAML == nil ? "yaml-0.1" : nil,
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
        ),
        // The rules: pure Swift over plain values. Knows nothing of git or the terminal (libyaml
        // only parses the YAML it is given), reads no files and starts no threads: the CLI
        // reads, and decides what runs in parallel.
        .target(
            name: "AgentReviewCore",
            dependencies: [
                "CLibYAML",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            linkerSettings: staticLibYAML.map { [.unsafeFlags([$0])] } ?? [.linkedLibrary("yaml")]
        ),
        // posix_spawn's file actions glibc declares only under _GNU_SOURCE (header only).
        .systemLibrary(name: "CSpawn"),
        // Running other programs (ssh-keygen, git): the commands sign and sync with them.
        .target(name: "AgentReviewSupport", dependencies: ["CSpawn"]),
        // The commands, as a library so tests can run them in-process.
        .target(
            name: "AgentReviewCLI",
            dependencies: [
                "AgentReviewCore", "AgentReviewGit", "AgentReviewSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // swiftc exports every symbol of the package's own objects (14,000) from the
        // executable; nothing looks them up, and at each start glibc's malloc set-up
        // (`dladdr`) and the dynamic loader walk them: not exported, a start is 0.4 ms shorter.
        .executableTarget(
            name: "agentreview", dependencies: ["AgentReviewCLI"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic"], .when(platforms: [.linux]))]),
        // What the test targets share: the real git and ssh-keygen run in isolation, sandboxes
        // of repositories with the real binary, keys made once per run, a seeded generator.
        // Only tests depend on it; it uses nothing internal of the modules under test.
        .target(
            name: "AgentReviewTestSupport", dependencies: ["AgentReviewCore", "AgentReviewSupport"],
            path: "Tests/AgentReviewTestSupport"),
        .testTarget(
            name: "AgentReviewCoreTests",
            dependencies: ["AgentReviewCore", "AgentReviewTestSupport", "CLibYAML", .product(name: "Yams", package: "Yams")]),
        .testTarget(
            name: "AgentReviewTests",
            dependencies: [
                "AgentReviewCLI", "AgentReviewCore", "AgentReviewGit", "AgentReviewSupport", "AgentReviewTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
