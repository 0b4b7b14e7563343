// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "agentreview",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "agentreview", targets: ["agentreview"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        // libgit2, found through pkg-config. Only AgentReviewGit imports it.
        .systemLibrary(
            name: "Clibgit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]
        ),
        // The Swift face of libgit2: owning handles inside, plain values outside.
        // Each handle is used by one thread at a time: the run-time exclusivity checks on
        // the hot path of reading packs are dropped in release builds.
        .target(
            name: "AgentReviewGit", dependencies: ["Clibgit2"],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // The rules: pure Swift over plain values. Knows nothing of git, C or the terminal,
        // reads no files and starts no threads: the CLI reads, and decides what runs in parallel.
        .target(
            name: "AgentReviewCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Running other programs (ssh-keygen, git): the commands sign and sync with them.
        .target(name: "AgentReviewSupport"),
        // The commands, as a library so tests can run them in-process.
        .target(
            name: "AgentReviewCLI",
            dependencies: [
                "AgentReviewCore", "AgentReviewGit", "AgentReviewSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "agentreview", dependencies: ["AgentReviewCLI"]),
        // What the test targets share: the real git and ssh-keygen run in isolation, sandboxes
        // of repositories with the real binary, keys made once per run, a seeded generator.
        // Only tests depend on it; it uses nothing internal of the modules under test.
        .target(
            name: "AgentReviewTestSupport", dependencies: ["AgentReviewCore", "AgentReviewSupport"],
            path: "Tests/AgentReviewTestSupport"),
        .testTarget(
            name: "AgentReviewCoreTests", dependencies: ["AgentReviewCore", "AgentReviewTestSupport"]),
        .testTarget(
            name: "AgentReviewTests",
            dependencies: ["AgentReviewCLI", "AgentReviewCore", "AgentReviewGit", "AgentReviewSupport", "AgentReviewTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
