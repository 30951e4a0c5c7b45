import CShims
import Glibc
import SystemPackage

/// A piece of the source range: data to copy, or a hole the destination must read back
/// as zeros. Offsets are relative to the start of the range.
enum Segment: Equatable {
    case data(offset: UInt64, length: UInt64)
    case hole(offset: UInt64, length: UInt64)
}

/// Walks a source range with SEEK_DATA/SEEK_HOLE, one segment at a time, so a copy
/// keeps the source's holes (copy_file_range on ext4 and plain reads would fill them).
/// Seeking moves a file position, so a descriptor the caller owns is never used for it:
/// a private one is opened through /proc/self/fd instead.
struct SourceSegments: IteratorProtocol {
    private let fd: CInt?
    private let ownsFD: Bool
    private let start: UInt64
    private let end: UInt64
    private var position: UInt64

    init(plan: CopyPlan) {
        start = plan.srcOffset
        end = plan.srcEnd
        position = plan.srcOffset
        if plan.source.kind != .regular {
            fd = nil
            ownsFD = false
        } else if plan.source.isOwned {
            fd = plan.source.descriptor
            ownsFD = false
        } else {
            fd = plan.source.reopen(adding: 0)
            ownsFD = fd != nil
        }
    }

    mutating func close() {
        if ownsFD, let fd { Glibc.close(fd) }
    }

    mutating func next() -> Segment? {
        guard position < end else { return nil }
        let here = position
        // Without SEEK_DATA (a block device, a filesystem that refuses it) all is data.
        func restIsData() -> Segment {
            position = end
            return .data(offset: here - start, length: end - here)
        }
        guard let fd else { return restIsData() }
        let dataStart: UInt64
        do {
            // nil: ENXIO, no data from here to the end of the file.
            dataStart = try SystemCalls.seek(fd, here, whence: ssc_seek_data()) ?? end
        } catch {
            return restIsData()
        }
        if dataStart > here {
            let holeEnd = min(dataStart, end)
            position = holeEnd
            return .hole(offset: here - start, length: holeEnd - here)
        }
        let holeStart = (try? SystemCalls.seek(fd, here, whence: ssc_seek_hole())) ?? end
        let dataEnd = min(holeStart, end)
        // A SEEK_HOLE answer at or before `here` would loop forever: take the rest as data.
        let stop = dataEnd > here ? dataEnd : end
        position = stop
        return .data(offset: here - start, length: stop - here)
    }
}
