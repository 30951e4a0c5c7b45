import XCopy

/// How one EXTENDED COPY command may be shaped: the device's RECEIVE COPY OPERATING
/// PARAMETERS and the 16-bit block count of a 0x02 segment, narrowed by tunables.
struct CommandLimits {
    var segmentsPerCommand: Int
    var blocksPerSegment: UInt64

    init(segmentsPerCommand: Int, blocksPerSegment: UInt64) {
        self.segmentsPerCommand = segmentsPerCommand
        self.blocksPerSegment = blocksPerSegment
    }

    static func of(_ unit: SCSILogicalUnit, blockSize: UInt64, tunables: XCopyTunables) throws(BackendError) -> CommandLimits {
        let parameters: CopyOperatingParameters
        do {
            parameters = try unit.device.receiveCopyOperatingParameters()
        } catch {
            throw .declined(Decline(.notSupported, "\(unit.file.name): RECEIVE COPY OPERATING PARAMETERS: \(error)"))
        }
        do {
            return try CommandLimits(parameters: parameters, blockSize: blockSize, tunables: tunables)
        } catch {
            throw .declined(Decline(.notSupported, "\(unit.file.name) \(error.message)"))
        }
    }

    /// The shape of a command from the device's parameters (SPC-4 §6.18), or why the
    /// device cannot take a block-to-block copy.
    init(parameters: CopyOperatingParameters, blockSize: UInt64, tunables: XCopyTunables) throws(Decline) {
        let types = parameters.implementedDescriptorTypes
        if !types.isEmpty, !(types.contains(0x02) && types.contains(0xE4)) {
            let list = types.map { "0x" + String($0, radix: 16) }.joined(separator: ", ")
            throw Decline(.notSupported, "implements descriptor types \(list), not 0x02 (block to block) with 0xE4 (identification)")
        }
        guard parameters.maxTargetDescriptors == 0 || parameters.maxTargetDescriptors >= 2 else {
            throw Decline(.notSupported, "allows \(parameters.maxTargetDescriptors) target descriptor per command, and a copy needs two")
        }
        // Two 32-byte 0xE4 target descriptors, then 28-byte 0x02 segment descriptors.
        let byListLength = parameters.maxDescriptorListLength > 64 ? Int((parameters.maxDescriptorListLength - 64) / 28) : 1
        var segments = max(1, min(Int(max(parameters.maxSegmentDescriptors, 1)), byListLength))
        if tunables.segmentsPerCommand > 0 { segments = min(segments, tunables.segmentsPerCommand) }
        // A 0x02 segment counts blocks in 16 bits (SPC-4 §6.3.7.5, bytes 10..11).
        var blocks: UInt64 = 65535
        if parameters.maxSegmentLength > 0 { blocks = min(blocks, UInt64(parameters.maxSegmentLength) / blockSize) }
        if tunables.bytesPerCommand > 0 { blocks = min(blocks, max(1, tunables.bytesPerCommand / blockSize / UInt64(segments))) }
        guard blocks > 0 else {
            throw Decline(.notSupported, "allows segments of \(parameters.maxSegmentLength) bytes, under one \(blockSize)-byte block")
        }
        segmentsPerCommand = segments
        blocksPerSegment = blocks
    }

    /// The segments of the next command, starting at the given LBAs.
    func segments(sourceLBA: UInt64, destinationLBA: UInt64, blocks: UInt64) -> [ExtendedCopy.BlockSegment] {
        var result: [ExtendedCopy.BlockSegment] = []
        var offset: UInt64 = 0
        while offset < blocks && result.count < segmentsPerCommand {
            let n = min(blocksPerSegment, blocks - offset)
            result.append(ExtendedCopy.BlockSegment(sourceLBA: sourceLBA + offset, destinationLBA: destinationLBA + offset, blocks: UInt16(n)))
            offset += n
        }
        return result
    }
}

/// The EXTENDED COPY commands of one copy, numbered from 0 in range order, each computed
/// when asked for (a terabyte is tens of thousands of commands).
///
/// One command at a time: every command as long as the device allows, the last one what
/// is left (65535 + 65535 + 2 blocks for 64 MiB on LIO). Several at once: the range cut
/// into a multiple of the concurrency of nearly equal commands (4 × 32768 blocks for 64
/// MiB two at a time), so the commands in flight finish together instead of a short
/// last one running alone.
struct XCopyCommandSchedule {
    struct Command: Equatable {
        /// Blocks from the start of the range to this command's first block.
        var blockOffset: UInt64
        var blocks: UInt64
        var segments: [ExtendedCopy.BlockSegment]
    }

    let count: Int
    private let limits: CommandLimits
    private let sourceLBA: UInt64
    private let destinationLBA: UInt64
    private let blocks: UInt64
    /// Blocks of every command (one at a time: all but the last, which is shorter).
    private let blocksPerCommand: UInt64
    /// Several at once: how many leading commands take one block more.
    private let longer: UInt64

    init(limits: CommandLimits, sourceLBA: UInt64, destinationLBA: UInt64, blocks: UInt64, concurrency: Int) {
        self.limits = limits
        self.sourceLBA = sourceLBA
        self.destinationLBA = destinationLBA
        self.blocks = blocks
        let most = max(1, UInt64(limits.segmentsPerCommand) * limits.blocksPerSegment)
        let fewest = (blocks + most - 1) / most
        if concurrency > 1, blocks > 1 {
            let width = UInt64(concurrency)
            let commands = min((fewest + width - 1) / width * width, blocks)
            count = Int(commands)
            blocksPerCommand = blocks / commands
            longer = blocks % commands
        } else {
            count = Int(fewest)
            blocksPerCommand = most
            longer = 0
        }
    }

    /// Blocks from the start of the range to command `index`'s first block; for `count`,
    /// the whole range: the blocks in place once commands 0..<index have completed.
    func blockOffset(of index: Int) -> UInt64 {
        let i = UInt64(index)
        return min(i * blocksPerCommand + min(i, longer), blocks)
    }

    func command(_ index: Int) -> Command {
        let offset = blockOffset(of: index)
        let length = blockOffset(of: index + 1) - offset
        return Command(
            blockOffset: offset, blocks: length,
            segments: limits.segments(sourceLBA: sourceLBA + offset, destinationLBA: destinationLBA + offset, blocks: length))
    }
}
