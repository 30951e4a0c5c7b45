import CShims
import Glibc
import SystemPackage

/// Makes a destination range read back as zeros where the source has a hole: skipped
/// beyond the destination's old end, punched inside it (PUNCH_HOLE | KEEP_SIZE) where
/// the filesystem allows, written as zeros otherwise; BLKZEROOUT on a block device.
final class HoleWriter {
    private let file: CopyFile
    /// The destination's size before the copy; past it the file reads zeros anyway.
    private let oldSize: UInt64
    private var zeros: UnsafeMutableRawPointer?
    private static let zeroChunk = 1 << 20

    init(destination: CopyFile, oldSize: UInt64) {
        self.file = destination
        self.oldSize = oldSize
    }

    deinit { free(zeros) }

    /// Bytes written as zeros through the agent's buffers (not punched or skipped).
    private(set) var zeroBytesWritten: UInt64 = 0

    func zero(offset: UInt64, length: UInt64) throws(CopyError) {
        guard length > 0 else { return }
        if file.kind == .block {
            try zeroBlockDevice(offset: offset, length: length)
            return
        }
        let insideEnd = min(offset + length, oldSize)
        guard offset < insideEnd else { return }
        if ssc_punch_hole(file.descriptor, Int64(offset), Int64(insideEnd - offset)) == 0 { return }
        let errno = Errno.current
        guard errno == .notSupported || errno == .noFunction else {
            throw CopyError(errno, doing: "punching a hole at offset \(offset)", on: file.name)
        }
        try writeZeros(offset: offset, length: insideEnd - offset)
    }

    private func zeroBlockDevice(offset: UInt64, length: UInt64) throws(CopyError) {
        // BLKZEROOUT wants 512-byte multiples; the unaligned edges are written.
        let sector: UInt64 = 512
        let alignedStart = (offset + sector - 1) / sector * sector
        let alignedEnd = (offset + length) / sector * sector
        guard alignedStart < alignedEnd else {
            try writeZeros(offset: offset, length: length)
            return
        }
        try writeZeros(offset: offset, length: alignedStart - offset)
        if ssc_blkzeroout(file.descriptor, alignedStart, alignedEnd - alignedStart) != 0 {
            let errno = Errno.current
            guard errno == .notSupported || errno == .inappropriateIOCTLForDevice || errno == .invalidArgument
            else { throw CopyError(errno, doing: "BLKZEROOUT at offset \(alignedStart)", on: file.name) }
            try writeZeros(offset: alignedStart, length: alignedEnd - alignedStart)
        }
        try writeZeros(offset: alignedEnd, length: offset + length - alignedEnd)
    }

    private func writeZeros(offset: UInt64, length: UInt64) throws(CopyError) {
        guard length > 0 else { return }
        if zeros == nil { zeros = calloc(1, Self.zeroChunk) }
        guard let zeros else { throw CopyError(.internal, "\(file.name): out of memory for a zero buffer") }
        var done: UInt64 = 0
        while done < length {
            let n = Int(min(UInt64(Self.zeroChunk), length - done))
            do {
                try SystemCalls.pwriteFully(file.descriptor, zeros, count: n, offset: offset + done)
            } catch {
                throw CopyError(error.errno, doing: "writing zeros at offset \(offset + done + error.written)", on: file.name)
            }
            done += UInt64(n)
            zeroBytesWritten += UInt64(n)
        }
    }
}
