import Backends
import SystemPackage
import XCTest

final class MountTableTests: XCTestCase {
    let sample = """
        22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
        40 22 0:40 / /mnt/btrfs rw,relatime shared:20 - btrfs /dev/loop0 rw,space_cache=v2
        41 22 7:1 / /mnt/with\\040space rw shared:21 - xfs /dev/loop1 rw
        42 40 0:45 /sub /mnt/btrfs/sub rw shared:22 - btrfs /dev/loop0 rw
        """

    func testParsesFieldsAfterTheOptionalFields() {
        let table = MountTable(parsing: sample)
        XCTAssertEqual(table.entries.count, 4)
        XCTAssertEqual(table.entries[1], MountEntry(device: "0:40", root: "/", mountPoint: "/mnt/btrfs", fstype: "btrfs", source: "/dev/loop0"))
        XCTAssertEqual(table.entries[2].mountPoint, "/mnt/with space")
    }

    func testFindsTheMountOfAPathByDeviceThenLongestPrefix() {
        let table = MountTable(parsing: sample)
        XCTAssertEqual(table.mount(forPath: "/mnt/btrfs/a", device: "0:40")?.mountPoint, "/mnt/btrfs")
        XCTAssertEqual(table.mount(forPath: "/mnt/btrfs/sub/a", device: "0:45")?.mountPoint, "/mnt/btrfs/sub")
        // A btrfs subvolume not mounted on its own has an anonymous device of its own.
        XCTAssertEqual(table.mount(forPath: "/mnt/btrfs/nested/a", device: "0:99")?.fstype, "btrfs")
        XCTAssertEqual(table.mount(forPath: "/etc/hosts", device: "254:0")?.fstype, "ext4")
        XCTAssertNil(MountTable(parsing: "garbage line\n\n").mount(forPath: "/x", device: "1:1"))
    }

    /// The kernel's \ooo escapes decode to their byte; anything else after a backslash
    /// (too short, not octal, above 0o377) stays as it is.
    func testUnescapesOctalEscapesAndKeepsEverythingElse() {
        let table = MountTable(parsing: #"""
            50 22 7:2 / /mnt/tab\011here rw - xfs /dev/back\134slash rw
            51 22 7:3 / /mnt/new\012line rw shared:1 master:2 - ext4 /dev/loop3 rw
            52 22 7:4 / /mnt/short\04 rw - ext4 /dev/loop4 rw
            53 22 7:5 / /mnt/not\09octal rw - ext4 /dev/loop5 rw
            54 22 7:6 / /mnt/big\400 rw - ext4 /dev/loop6 rw
            55 22   7:7  /  /mnt/spaced  rw  -  ext4  /dev/loop7  rw
            56 22 7:8 / /mnt/no-dash rw ext4 /dev/loop8 rw x
            """#)
        XCTAssertEqual(table.entries.map(\.mountPoint), [
            "/mnt/tab\there", "/mnt/new\nline", "/mnt/short\\04", "/mnt/not\\09octal", "/mnt/big\\400", "/mnt/spaced",
        ])
        XCTAssertEqual(table.entries[0].source, "/dev/back\\slash")
        XCTAssertEqual(table.entries[1].fstype, "ext4", "the optional fields end at the lone dash")
        XCTAssertEqual(table.entries[5].device, "7:7")
    }
}

final class ErrorMappingTests: XCTestCase {
    func testErrnoKindsAndNFSStatuses() {
        let cases: [(Errno, CopyErrorKind, String)] = [
            (.noSpace, .nospace, "NFS4ERR_NOSPC"), (.diskQuotaExceeded, .quota, "NFS4ERR_DQUOT"),
            (.fileTooLarge, .fbig, "NFS4ERR_FBIG"), (.readOnlyFileSystem, .rofs, "NFS4ERR_ROFS"),
            (.staleNFSFileHandle, .stale, "NFS4ERR_STALE"), (.ioError, .io, "NFS4ERR_IO"),
            (.improperLink, .xdev, "NFS4ERR_XDEV"), (.permissionDenied, .access, "NFS4ERR_ACCESS"),
            (.notSupported, .notSupported, "NFS4ERR_NOTSUPP"), (.invalidArgument, .invalid, "NFS4ERR_INVAL"),
        ]
        for (errno, kind, nfs4) in cases {
            let error = CopyError(errno, doing: "writing", on: "/x")
            XCTAssertEqual(error.kind, kind, "\(errno)")
            XCTAssertEqual(error.nfs4, nfs4)
            XCTAssertTrue(error.message.hasPrefix("/x: writing failed: "), error.message)
        }
        XCTAssertEqual(CopyError(.isDirectory, doing: "open", on: "/d").nfs4, "NFS4ERR_ISDIR")
        XCTAssertEqual(CopyErrorKind.busy.nfs4, "NFS4ERR_DELAY")
        XCTAssertEqual(CopyErrorKind.denied.nfs4, "NFS4ERR_OFFLOAD_DENIED")
        XCTAssertEqual(CopyErrorKind.noSuchJob.nfs4, "NFS4ERR_BAD_STATEID")
        XCTAssertEqual(CopyErrorKind.internal.nfs4, "NFS4ERR_SERVERFAULT")
        XCTAssertEqual(Errno.noSpace.summary, "No space left on device (ENOSPC)")
    }
}

final class CloneAlignmentTests: XCTestCase {
    func plan(_ src: UInt64, _ dst: UInt64, _ count: UInt64, sourceSize: UInt64, destinationSize: UInt64) throws -> CopyPlan {
        let file = try CopyFile(descriptor: 0, name: "stdin")
        return CopyPlan(
            source: file, destination: file, srcOffset: src, dstOffset: dst, count: count, sourceSize: sourceSize,
            destinationSize: destinationSize)
    }

    func testOffsetsAndCountMustBeBlockMultiplesExceptAtSourceEOF() throws {
        let bs: UInt64 = 4096
        XCTAssertNil(ReflinkBackend.alignmentProblem(try plan(0, 0, 8192, sourceSize: 10_000, destinationSize: 0), blockSize: bs))
        XCTAssertNotNil(ReflinkBackend.alignmentProblem(try plan(1, 0, 4096, sourceSize: 10_000, destinationSize: 0), blockSize: bs))
        XCTAssertNotNil(ReflinkBackend.alignmentProblem(try plan(0, 512, 4096, sourceSize: 10_000, destinationSize: 0), blockSize: bs))
        // Unaligned count: only when it ends at the source's EOF ...
        XCTAssertNotNil(ReflinkBackend.alignmentProblem(try plan(0, 0, 5000, sourceSize: 10_000, destinationSize: 0), blockSize: bs))
        XCTAssertNil(ReflinkBackend.alignmentProblem(try plan(4096, 0, 5904, sourceSize: 10_000, destinationSize: 0), blockSize: bs))
        // ... and reaches at least the destination's end (or the kernel would zero past it).
        XCTAssertNotNil(ReflinkBackend.alignmentProblem(try plan(4096, 0, 5904, sourceSize: 10_000, destinationSize: 9000), blockSize: bs))
        XCTAssertNil(ReflinkBackend.alignmentProblem(try plan(4096, 4096, 5904, sourceSize: 10_000, destinationSize: 9000), blockSize: bs))
    }
}
