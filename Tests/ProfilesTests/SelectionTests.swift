import Backends
import BuiltInProfiles
import Profiles
import XCTest

/// Per-pair selection: one profile's order, two profiles' common backends in the
/// source's order, every left-out backend named, tunables from the source.
final class SelectionTests: XCTestCase {
    func selection(_ source: DeviceIdentity, _ destination: DeviceIdentity, directory: String? = nil) throws -> ProfileSelection {
        let set = try directory.map { try ProfileSet.load(directories: [($0, true)]) } ?? ProfileSet.builtIn()
        return ProfileSelection(set: set, source: source, destination: destination)
    }

    func testSameProfileUsesItsOrder() throws {
        let s = try selection(identity("/a", fstype: "xfs"), identity("/b", fstype: "xfs"))
        XCTAssertEqual(s.plan.order, [.reflink, .copyFileRange, .aio])
        XCTAssertEqual(s.plan.sourceProfile, "xfs")
        XCTAssertEqual(s.plan.destinationProfile, "xfs")
        XCTAssertEqual(s.plan.excluded.map(\.backend), [.xcopy])
        XCTAssertEqual(s.plan.excluded.first?.reason, .excluded)
        XCTAssertTrue(s.plan.excluded.first?.message.contains("profile xfs does not list it") == true)
    }

    func testDifferentProfilesTryOnlyWhatBothListInTheSourceOrder() throws {
        let s = try selection(identity("/a", fstype: "ext4"), identity("/b", fstype: "xfs"))
        XCTAssertEqual(s.plan.order, [.copyFileRange, .aio])
        let excluded = Dictionary(uniqueKeysWithValues: s.plan.excluded.map { ($0.backend, $0.message) })
        XCTAssertTrue(excluded[.reflink]?.contains("the source's profile ext4 does not list it") == true, "\(excluded)")
        XCTAssertTrue(excluded[.xcopy]?.contains("neither profile ext4 nor xfs") == true, "\(excluded)")
        XCTAssertTrue(s.plan.explanation.contains { $0.contains("profiles differ") }, "\(s.plan.explanation)")

        let reverse = try selection(identity("/b", fstype: "xfs"), identity("/a", fstype: "ext4"))
        XCTAssertEqual(reverse.plan.order, [.copyFileRange, .aio])
        XCTAssertTrue(reverse.plan.excluded.contains { $0.backend == .reflink && $0.message.contains("destination's profile ext4") })
    }

    func testSourceOrderDecidesBetweenTwoOrders() throws {
        let d = try ScratchDirectory()
        try d.write("p/one.toml", profileText(name: "one", order: ["aio", "copy_file_range", "reflink"], match: "fstype = [\"one\"]"))
        try d.write("p/two.toml", profileText(name: "two", order: ["reflink", "copy_file_range"], match: "fstype = [\"two\"]"))
        let s = try selection(identity("/a", fstype: "one"), identity("/b", fstype: "two"), directory: "\(d.path)/p")
        XCTAssertEqual(s.plan.order, [.copyFileRange, .reflink])
        let t = try selection(identity("/b", fstype: "two"), identity("/a", fstype: "one"), directory: "\(d.path)/p")
        XCTAssertEqual(t.plan.order, [.reflink, .copyFileRange])
    }

    func testTunablesComeFromTheSourceAndDirectNeedsBoth() throws {
        let d = try ScratchDirectory()
        try d.write(
            "p/fast.toml",
            profileText(
                name: "fast", match: "fstype = [\"fast\"]",
                tunables: "[tunables.aio]\nblock_size = 1048576\nqueue_depth = 4\n[tunables.xcopy]\nconcurrency = 4"))
        try d.write("p/slow.toml", profileText(name: "slow", match: "fstype = [\"slow\"]", tunables: "[tunables.aio]\ndirect = false"))
        let s = try selection(identity("/a", fstype: "fast"), identity("/b", fstype: "slow"), directory: "\(d.path)/p")
        XCTAssertEqual(s.plan.tunables.aio.blockSize, 1 << 20)
        XCTAssertEqual(s.plan.tunables.aio.queueDepth, 4)
        XCTAssertFalse(s.plan.tunables.aio.direct, "the destination's profile forbids O_DIRECT")
        XCTAssertEqual(s.plan.tunables.xcopy.concurrency, 4)
        XCTAssertTrue(
            s.plan.explanation.contains("xcopy: up to 4 EXTENDED COPY commands at once (profile fast)"), "\(s.plan.explanation)")
        let u = try selection(identity("/b", fstype: "slow"), identity("/a", fstype: "fast"), directory: "\(d.path)/p")
        XCTAssertEqual(u.plan.tunables.aio.blockSize, Tunables().aio.blockSize)
        XCTAssertFalse(u.plan.tunables.aio.direct)

        let overridden = TunableOverrides(aioBlockSize: 65536, aioDirect: true).applied(to: s.plan.tunables)
        XCTAssertEqual(overridden.aio.blockSize, 65536, "command-line options win over profiles")
        XCTAssertEqual(overridden.aio.queueDepth, 4)
    }
}
