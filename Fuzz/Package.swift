// swift-tools-version:6.0
import PackageDescription

// Fuzz targets for agentreview's parsers, with libFuzzer (`swiftc -sanitize=fuzzer`). A
// package of its own, so that the main build and scripts/test never see it: run it with
// scripts/fuzz.
//
// AgentReviewCore is the repository's own module, compiled from its sources (the symlink
// Sources/AgentReviewCore -> ../../Sources/AgentReviewCore): the root package offers no
// library product to depend on, and compiling it here lets libFuzzer see its coverage and
// AddressSanitizer its unsafe buffers. swift-crypto is the root package's own dependency (the
// same range), built without instrumentation; libyaml is the distribution's (libyaml-dev),
// through the root package's CLibYAML module map (another symlink).

let fuzzing: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]

func fuzzTarget(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzTargets", "CFuzzer"],
        swiftSettings: fuzzing,
        linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address", "-use-ld=lld"])]
    )
}

let package = Package(
    name: "agentreview-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),
        .target(
            name: "AgentReviewCore",
            dependencies: [
                "CLibYAML",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: fuzzing,
            linkerSettings: [.linkedLibrary("yaml")]
        ),
        // What each target does with its input; the executables only name one.
        .target(name: "FuzzTargets", dependencies: ["AgentReviewCore"], swiftSettings: fuzzing),
        // libFuzzer's driver, declared for Swift.
        .target(name: "CFuzzer"),
        fuzzTarget("fuzz-records"),
        fuzzTarget("fuzz-signers"),
        fuzzTarget("fuzz-policy"),
        fuzzTarget("fuzz-trailers"),
        fuzzTarget("fuzz-patterns"),
    ],
    swiftLanguageModes: [.v6]
)
