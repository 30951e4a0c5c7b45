@testable import Backends
import XCTest
import XCopy

/// How the xcopy backend shapes EXTENDED COPY commands from RECEIVE COPY OPERATING
/// PARAMETERS (SPC-4 §6.18) and the 16-bit block count of a 0x02 segment. The real
/// device proof is in the device lab (lab/tests/8x-ssc-*.sh).
final class XCopyPlanningTests: XCTestCase {
    /// LIO's answer (lab/README.md): 2 target descriptors, 1 segment descriptor, list
    /// length 1024, max segment 256 MiB, granularity 2^9, descriptor types 0x02 0xE4.
    func lio() throws -> CopyOperatingParameters {
        let bytes: [UInt8] = [
            0x00, 0x00, 0x00, 0x2A, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x04, 0x00,
            0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x01, 0x01, 0x09, 0x09, 0x09, 0x00, 0x00, 0x00, 0x02, 0x02, 0xE4,
        ]
        return try CopyOperatingParameters(bytes: bytes)
    }

    func testLIOGetsOneSegmentOf65535BlocksPerCommand() throws {
        let limits = try CommandLimits(parameters: lio(), blockSize: 512, tunables: XCopyTunables())
        XCTAssertEqual(limits.segmentsPerCommand, 1)
        XCTAssertEqual(limits.blocksPerSegment, 65535)
        // A whole 64 MiB LUN: 131072 blocks in three commands, 65535 + 65535 + 2.
        var done: UInt64 = 0
        var commands: [[ExtendedCopy.BlockSegment]] = []
        while done < 131072 {
            let segments = limits.segments(sourceLBA: done, destinationLBA: 1000 + done, blocks: 131072 - done)
            commands.append(segments)
            done += segments.reduce(0) { $0 + UInt64($1.blocks) }
        }
        XCTAssertEqual(commands.map { $0.map(\.blocks) }, [[65535], [65535], [2]])
        XCTAssertEqual(commands[1][0].sourceLBA, 65535)
        XCTAssertEqual(commands[1][0].destinationLBA, 1000 + 65535)
    }

    func testSegmentsPerCommandFollowTheDescriptorListLengthAndTunables() throws {
        var parameters = try lio()
        parameters.maxSegmentDescriptors = 64
        parameters.maxDescriptorListLength = 64 + 28 * 3 + 10  // room for three 0x02 segments
        var limits = try CommandLimits(parameters: parameters, blockSize: 512, tunables: XCopyTunables())
        XCTAssertEqual(limits.segmentsPerCommand, 3)
        XCTAssertEqual(limits.segments(sourceLBA: 0, destinationLBA: 0, blocks: 1_000_000).map(\.blocks), [65535, 65535, 65535])

        var tunables = XCopyTunables()
        tunables.segmentsPerCommand = 2
        tunables.bytesPerCommand = 8 << 20
        limits = try CommandLimits(parameters: parameters, blockSize: 512, tunables: tunables)
        XCTAssertEqual(limits.segmentsPerCommand, 2)
        XCTAssertEqual(limits.blocksPerSegment, 8192)  // 8 MiB / 512 B / 2 segments
        // The last command is as short as what is left.
        XCTAssertEqual(limits.segments(sourceLBA: 7, destinationLBA: 9, blocks: 8200).map(\.blocks), [8192, 8])
    }

    func testMaxSegmentLengthBoundsTheBlocksPerSegment() throws {
        var parameters = try lio()
        parameters.maxSegmentLength = 1 << 20
        XCTAssertEqual(try CommandLimits(parameters: parameters, blockSize: 4096, tunables: XCopyTunables()).blocksPerSegment, 256)
        parameters.maxSegmentLength = 100
        XCTAssertThrowsError(try CommandLimits(parameters: parameters, blockSize: 512, tunables: XCopyTunables()))
    }

    func testADeviceWithoutBlockToBlockSegmentsIsNotSupported() throws {
        var parameters = try lio()
        parameters.implementedDescriptorTypes = [0x01, 0xE4]
        XCTAssertThrowsError(try CommandLimits(parameters: parameters, blockSize: 512, tunables: XCopyTunables())) { error in
            XCTAssertEqual((error as? Decline)?.reason, .notSupported)
        }
        parameters = try lio()
        parameters.maxTargetDescriptors = 1
        XCTAssertThrowsError(try CommandLimits(parameters: parameters, blockSize: 512, tunables: XCopyTunables()))
    }

    func testBlockTopologyOfALoopDeviceIsNotSCSI() throws {
        // The host has no SCSI; a loop device is a whole disk without an sg node.
        var st = stat()
        XCTAssertEqual(stat("/dev/loop-control", &st), 0)
        let topology = BlockTopology.of(rdev: 7 << 8)  // loop0, 7:0
        XCTAssertNotNil(topology)
        XCTAssertEqual(topology?.disk, "loop0")
        XCTAssertEqual(topology?.isSCSI, false)
        XCTAssertEqual(topology?.partitionOffset, 0)
        XCTAssertNil(topology?.genericNode)
    }
}
