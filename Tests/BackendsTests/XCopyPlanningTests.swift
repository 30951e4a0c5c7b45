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

/// The commands of a copy, one at a time and several at once.
final class XCopyCommandScheduleTests: XCTestCase {
    func limits(segments: Int = 1, blocks: UInt64 = 65535) -> CommandLimits {
        CommandLimits(segmentsPerCommand: segments, blocksPerSegment: blocks)
    }

    func commands(_ schedule: XCopyCommandSchedule) -> [XCopyCommandSchedule.Command] {
        (0..<schedule.count).map(schedule.command)
    }

    /// Every block of the range exactly once, in order, each command within the limits.
    func assertCovers(_ schedule: XCopyCommandSchedule, blocks: UInt64, limits: CommandLimits, from source: UInt64, to destination: UInt64) {
        var next: UInt64 = 0
        for command in commands(schedule) {
            XCTAssertEqual(command.blockOffset, next)
            XCTAssertLessThanOrEqual(command.segments.count, limits.segmentsPerCommand)
            var lba = next
            for segment in command.segments {
                XCTAssertEqual(segment.sourceLBA, source + lba)
                XCTAssertEqual(segment.destinationLBA, destination + lba)
                XCTAssertLessThanOrEqual(UInt64(segment.blocks), limits.blocksPerSegment)
                lba += UInt64(segment.blocks)
            }
            XCTAssertEqual(lba - next, command.blocks)
            next += command.blocks
        }
        XCTAssertEqual(next, blocks)
    }

    func testOneAtATimeFillsEachCommand() {
        let schedule = XCopyCommandSchedule(limits: limits(), sourceLBA: 0, destinationLBA: 1000, blocks: 131072, concurrency: 1)
        XCTAssertEqual(commands(schedule).map(\.blocks), [65535, 65535, 2])
        assertCovers(schedule, blocks: 131072, limits: limits(), from: 0, to: 1000)
    }

    func testSeveralAtOnceCutsAMultipleOfTheConcurrencyOfNearlyEqualCommands() {
        // 64 MiB two at a time: four commands of 32768 blocks (two rounds), not
        // 65535 + 65535 + a lone 2.
        var schedule = XCopyCommandSchedule(limits: limits(), sourceLBA: 2048, destinationLBA: 6144, blocks: 131072, concurrency: 2)
        XCTAssertEqual(commands(schedule).map(\.blocks), [32768, 32768, 32768, 32768])
        assertCovers(schedule, blocks: 131072, limits: limits(), from: 2048, to: 6144)
        // 40 MiB two at a time: two commands of 40960.
        schedule = XCopyCommandSchedule(limits: limits(), sourceLBA: 2048, destinationLBA: 6144, blocks: 81920, concurrency: 2)
        XCTAssertEqual(commands(schedule).map(\.blocks), [40960, 40960])
        // Uneven: the leading commands take the extra block.
        schedule = XCopyCommandSchedule(limits: limits(), sourceLBA: 0, destinationLBA: 0, blocks: 10, concurrency: 4)
        XCTAssertEqual(commands(schedule).map(\.blocks), [3, 3, 2, 2])
        assertCovers(schedule, blocks: 10, limits: limits(), from: 0, to: 0)
        // Fewer blocks than the concurrency: one block per command.
        schedule = XCopyCommandSchedule(limits: limits(), sourceLBA: 5, destinationLBA: 9, blocks: 3, concurrency: 8)
        XCTAssertEqual(commands(schedule).map(\.blocks), [1, 1, 1])
        schedule = XCopyCommandSchedule(limits: limits(), sourceLBA: 5, destinationLBA: 9, blocks: 1, concurrency: 8)
        XCTAssertEqual(commands(schedule).map(\.blocks), [1])
    }

    func testCommandsStayWithinTheLimitsWhateverTheShape() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let shape = limits(segments: Int.random(in: 1...4, using: &generator), blocks: UInt64.random(in: 1...65535, using: &generator))
            let blocks = UInt64.random(in: 1...2_000_000, using: &generator)
            let concurrency = Int.random(in: 1...9, using: &generator)
            let schedule = XCopyCommandSchedule(limits: shape, sourceLBA: 77, destinationLBA: 1 << 33, blocks: blocks, concurrency: concurrency)
            let perCommand = UInt64(shape.segmentsPerCommand) * shape.blocksPerSegment
            XCTAssertEqual(schedule.count, concurrency == 1 ? Int((blocks + perCommand - 1) / perCommand) : schedule.count)
            if concurrency > 1, UInt64(schedule.count) < blocks { XCTAssertEqual(schedule.count % concurrency, 0) }
            assertCovers(schedule, blocks: blocks, limits: shape, from: 77, to: 1 << 33)
        }
    }

    func testATerabyteIsComputedCommandByCommand() {
        // 2^31 blocks of 512 B: 32769 commands one at a time, none built in advance.
        let schedule = XCopyCommandSchedule(limits: limits(), sourceLBA: 0, destinationLBA: 0, blocks: 1 << 31, concurrency: 1)
        XCTAssertEqual(schedule.count, 32769)
        XCTAssertEqual(schedule.command(32768).blocks, (1 << 31) - 32768 * 65535)
        XCTAssertEqual(schedule.command(32768).blockOffset, 32768 * 65535)
    }
}
