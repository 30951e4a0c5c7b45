// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ssc-agent",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ssc-agent", targets: ["ssc-agent"]),
        .library(name: "Backends", targets: ["Backends"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
    ],
    targets: [
        // C for what Swift cannot import from Glibc: ioctl request macros, statx with
        // STATX_DIOALIGN, O_DIRECT, SEEK_DATA/SEEK_HOLE, fallocate flags.
        .target(name: "CShims"),
        // libaio: Debian ships no pkg-config file, so link through a module map.
        .systemLibrary(name: "CAio", providers: [.apt(["libaio-dev"])]),
        // libsgutils2's sg_pt pass-through layer, also through a module map.
        .systemLibrary(name: "CSgUtils", providers: [.apt(["libsgutils2-dev"])]),
        // SCSI third-party copy: CDB and parameter-list encoding, VPD/RCOP/sense
        // decoding, an SG_IO transport on sg_pt.
        .target(
            name: "XCopy",
            dependencies: ["CSgUtils", .product(name: "SystemPackage", package: "swift-system")]
        ),
        // JSON values: a compact writer and a strict, bounded reader for untrusted frames.
        .target(name: "JSON"),
        // TOML 1.0 documents: a strict reader with line and column in its errors, for the
        // profile files.
        .target(name: "TOML"),
        .target(
            name: "Backends",
            dependencies: [
                "CShims", "CAio", "XCopy",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        // Device profiles: the TOML schema of hw-profiles/, matching against device
        // identities, backend selection per pair.
        .target(
            name: "Profiles",
            dependencies: ["Backends", "TOML", "XCopy"],
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        // The profiles of hw-profiles/ as Swift values (generated: `make profiles`), and
        // the standard sources (built-in, /etc/ssc-agent/profiles.d, --profiles).
        .target(
            name: "BuiltInProfiles",
            dependencies: ["Backends", "Profiles"],
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        // Development tool: writes Sources/BuiltInProfiles/BuiltInProfiles.swift from
        // hw-profiles/*.toml through the same parser override files go through.
        .executableTarget(
            name: "generate-builtin-profiles",
            dependencies: ["Backends", "Profiles"],
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        // The agent: local-socket protocol server, jobs, events, and a client.
        .target(
            name: "Agent",
            dependencies: [
                "Backends", "CShims", "JSON", "Profiles", "XCopy",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        // `bench`: runs backends in-process and external tools as children, with the
        // CPU, I/O and wall-time counters, and renders a table, JSON and an SVG chart.
        .target(
            name: "Bench",
            dependencies: ["Backends", "JSON", .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        .executableTarget(
            name: "ssc-agent",
            dependencies: [
                "Agent", "Backends", "Bench", "BuiltInProfiles", "XCopy", "JSON", "Profiles",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // Shared by test targets: LIO's answers recorded in the device lab, hex vectors,
        // a seeded generator.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "JSONTests",
            dependencies: ["JSON"]
        ),
        .testTarget(
            name: "TOMLTests",
            dependencies: ["TOML", "TestSupport"],
            // Python's tomllib, run by TOMLDifferentialTests.
            exclude: ["Support/toml_canonical.py"]
        ),
        .testTarget(
            name: "AgentTests",
            dependencies: ["Agent", "Backends", "JSON", .product(name: "SystemPackage", package: "swift-system")]
        ),
        .testTarget(
            name: "XCopyTests",
            dependencies: ["XCopy", "TestSupport"]
        ),
        .testTarget(
            name: "ProfilesTests",
            dependencies: ["Profiles", "BuiltInProfiles", "Backends", "XCopy", "TestSupport"]
        ),
        .testTarget(
            name: "BenchLibraryTests",
            dependencies: ["Bench", "Backends", "JSON"]
        ),
        .testTarget(
            name: "BackendsTests",
            dependencies: ["Backends", "CShims", "XCopy", .product(name: "SystemPackage", package: "swift-system")]
        ),
        // The command line's two parsers, ArgumentParser and the plain copy/clone parser
        // that spares common invocations its start-up cost, fed the same arguments.
        .testTarget(
            name: "CommandLineTests",
            dependencies: ["ssc-agent", "Backends", "TestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Drive the built `ssc-agent` binary on loop-mounted filesystems and loop devices.
        .testTarget(
            name: "CLITests",
            dependencies: ["CShims", "Agent", "JSON"]
        ),
    ]
)
