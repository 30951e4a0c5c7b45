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
        .target(
            name: "Backends",
            dependencies: [
                "CShims", "CAio", "XCopy",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ssc-agent",
            dependencies: [
                "Backends", "XCopy", "JSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .testTarget(
            name: "JSONTests",
            dependencies: ["JSON"]
        ),
        .testTarget(
            name: "XCopyTests",
            dependencies: ["XCopy"]
        ),
        .testTarget(
            name: "BackendsTests",
            dependencies: ["Backends", "CShims", "XCopy", .product(name: "SystemPackage", package: "swift-system")]
        ),
        // The command line's two parsers, ArgumentParser and the plain copy/clone parser
        // that spares common invocations its start-up cost, fed the same arguments.
        .testTarget(
            name: "CommandLineTests",
            dependencies: ["ssc-agent", "Backends", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Drive the built `ssc-agent` binary on loop-mounted filesystems and loop devices.
        .testTarget(
            name: "CLITests",
            dependencies: ["CShims"]
        ),
    ]
)
