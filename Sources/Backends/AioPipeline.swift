import CAio
import CShims
import Glibc
import SystemPackage

/// Streams data through a bounded pool of aligned buffers with io_submit/io_getevents:
/// each buffer is read into, then written out, and up to `queueDepth` buffers are in
/// flight at once, so reads and writes overlap. Each I/O uses the O_DIRECT descriptor
/// of its side when its offset, length and buffer fit that side's alignment, and the
/// buffered descriptor otherwise (an unaligned tail, an unaligned range), so the
/// destination is never written past the range.
final class AioPipeline {
    private enum Phase { case idle, reading, writing }

    private struct Slot {
        var srcOffset: UInt64 = 0
        var dstOffset: UInt64 = 0
        var chunk: UInt64 = 0
        var length = 0
        var written = 0
        var phase = Phase.idle
    }

    private let plan: CopyPlan
    private let sourceDirect: CInt?
    private let destinationDirect: CInt?
    private let sourceAlignment: DirectIOAlignment?
    private let destinationAlignment: DirectIOAlignment?
    private let blockSize: Int
    private let buffers: AlignedBuffers
    /// Created on the first extent larger than one buffer: tearing a context down
    /// waits for an RCU grace period (tens of milliseconds, also at process exit),
    /// which a copy that fits in one buffer has no reason to pay.
    private var aioContext: AioContext?
    /// Where the context comes from and goes back to (an agent's), if anywhere.
    private let contextPool: AioContextPool?
    /// False once a stream ended with I/O still in flight (io_getevents failed): such
    /// a context is destroyed, which waits for that I/O, never reused.
    private var contextIsQuiet = true
    private let queueDepth: Int
    private let iocbs: UnsafeMutablePointer<iocb>
    private let events: UnsafeMutablePointer<io_event>
    private var slots: [Slot]

    private(set) var directReadBytes: UInt64 = 0
    private(set) var bufferedReadBytes: UInt64 = 0
    private(set) var directWriteBytes: UInt64 = 0
    private(set) var bufferedWriteBytes: UInt64 = 0

    init(plan: CopyPlan, contextPool: AioContextPool? = nil) throws(BackendError) {
        self.plan = plan
        self.contextPool = contextPool
        let tunables = plan.tunables.aio
        let depth = max(1, tunables.queueDepth)
        let oDirect = ssc_o_direct()

        var srcAlign = tunables.direct ? plan.source.directIOAlignment() : nil
        var srcDirect: CInt? = nil
        if srcAlign != nil { srcDirect = plan.source.reopen(adding: oDirect) }
        if srcDirect == nil { srcAlign = nil }
        var dstAlign = tunables.direct ? plan.destination.directIOAlignment() : nil
        var dstDirect: CInt? = nil
        if dstAlign != nil { dstDirect = plan.destination.reopen(adding: oDirect) }
        if dstDirect == nil { dstAlign = nil }
        sourceDirect = srcDirect
        destinationDirect = dstDirect
        sourceAlignment = srcAlign
        destinationAlignment = dstAlign

        let alignment = max(4096, srcAlign?.memory ?? 0, dstAlign?.memory ?? 0, srcAlign?.offset ?? 0, dstAlign?.offset ?? 0)
        blockSize = (max(tunables.blockSize, alignment) + alignment - 1) / alignment * alignment

        guard let pool = AlignedBuffers(count: depth, size: blockSize, alignment: alignment) else {
            if let srcDirect { close(srcDirect) }
            if let dstDirect { close(dstDirect) }
            throw .declined(Decline(.cannotServe, "cannot allocate \(depth) buffers of \(blockSize) bytes"))
        }
        buffers = pool
        queueDepth = depth
        iocbs = .allocate(capacity: depth)
        iocbs.initialize(repeating: iocb(), count: depth)
        events = .allocate(capacity: depth)
        events.initialize(repeating: io_event(), count: depth)
        slots = Array(repeating: Slot(), count: depth)
    }

    deinit {
        if let aioContext, contextIsQuiet, let contextPool {
            contextPool.give(aioContext)
        }
        // Destroyed (or handed over) before the buffers and iocbs go: io_destroy waits
        // for any I/O still in flight into them.
        aioContext = nil
        iocbs.deallocate()
        events.deallocate()
        if let sourceDirect { close(sourceDirect) }
        if let destinationDirect { close(destinationDirect) }
    }

    /// Which sides carried most of their bytes with O_DIRECT.
    var directUse: DirectUse {
        DirectUse(
            source: directReadBytes > 0 && directReadBytes >= bufferedReadBytes,
            destination: directWriteBytes > 0 && directWriteBytes >= bufferedWriteBytes)
    }

    var bytesThroughBuffers: UInt64 { directReadBytes + bufferedReadBytes }

    /// Copies one data extent. Returns the contiguous bytes in place from its start
    /// (short only when cancelled); a failure's bytes count from its start too.
    func move(srcOffset: UInt64, dstOffset: UInt64, length: UInt64, context: CopyContext) throws(BackendError) -> UInt64 {
        let grown = preallocate(dstOffset: dstOffset, length: length)
        let bytes: UInt64
        do {
            if length <= UInt64(blockSize) {
                bytes = try moveOneBuffer(srcOffset: srcOffset, dstOffset: dstOffset, length: Int(length), context: context)
            } else {
                bytes = try stream(srcOffset: srcOffset, dstOffset: dstOffset, length: length, context: context)
            }
        } catch {
            if case .failed(let failure) = error { grown?.cutBack(keeping: dstOffset + failure.bytes) }
            throw error
        }
        if bytes < length { grown?.cutBack(keeping: dstOffset + bytes) }
        return bytes
    }

    /// A destination regular file grown by preallocation, and its size before.
    private struct Preallocation {
        let file: CopyFile
        let sizeBefore: UInt64

        /// After a failure or cancellation: shrink back so the file does not look more
        /// complete than it is, but never below its size before the copy.
        func cutBack(keeping end: UInt64) {
            let target = max(sizeBefore, end)
            if let size = try? file.size(), size > target {
                try? SystemCalls.ftruncate(file.descriptor, target)
            }
        }
    }

    /// Allocates the extent's destination blocks before streaming into them. ext4 runs
    /// direct writes into allocated blocks inside i_size under a shared inode lock,
    /// but serialises every write that extends the file or allocates, which would undo
    /// the queue depth. Holes are not preallocated, so a sparse copy stays sparse. Best
    /// effort: a filesystem that refuses, or fills up part way (ext4 keeps what it
    /// allocated and may have grown the file), is then written as the data comes.
    private func preallocate(dstOffset: UInt64, length: UInt64) -> Preallocation? {
        guard plan.destination.kind == .regular, let sizeBefore = try? plan.destination.size() else { return nil }
        _ = ssc_preallocate(plan.destination.descriptor, Int64(dstOffset), Int64(length))
        return Preallocation(file: plan.destination, sizeBefore: sizeBefore)
    }

    private func context() throws(BackendError) -> AioContext {
        if let aioContext { return aioContext }
        do {
            let made: AioContext
            if let contextPool {
                made = try contextPool.take(depth: queueDepth)
            } else {
                made = try AioContext(depth: queueDepth)
            }
            aioContext = made
            return made
        } catch {
            throw .failed(CopyError(error, doing: "io_setup(\(queueDepth))", on: plan.destination.name))
        }
    }

    /// An extent that fits in one buffer: one read, one write, on this thread, with the
    /// same O_DIRECT choices as the pipeline.
    private func moveOneBuffer(srcOffset: UInt64, dstOffset: UInt64, length: Int, context: CopyContext) throws(BackendError) -> UInt64 {
        if context.isCancelled { return 0 }
        let buffer = buffers.buffers[0]
        let read = readTarget(srcOffset: srcOffset, length: length)
        let got: Int
        do {
            got = try SystemCalls.preadFully(read.fd, buffer, count: read.count, offset: srcOffset)
        } catch {
            throw .failed(CopyError(error, doing: "reading at offset \(srcOffset)", on: plan.source.name))
        }
        guard got >= length else {
            throw .failed(CopyError(.io, "\(plan.source.name): the source ended at offset \(srcOffset + UInt64(got)) during the copy"))
        }
        let fd = writeTarget(dstOffset: dstOffset, buffer: buffer, length: length)
        do {
            try SystemCalls.pwriteFully(fd, buffer, count: length, offset: dstOffset)
        } catch {
            throw .failed(CopyError(error.errno, doing: "writing at offset \(dstOffset + error.written)", on: plan.destination.name))
        }
        context.progress(UInt64(length))
        return UInt64(length)
    }

    private func stream(srcOffset: UInt64, dstOffset: UInt64, length: UInt64, context: CopyContext) throws(BackendError) -> UInt64 {
        let aio = try self.context()
        let chunkSize = UInt64(blockSize)
        let chunks = (length + chunkSize - 1) / chunkSize
        var nextChunk: UInt64 = 0
        var contiguous: UInt64 = 0
        var finishedAhead = Set<UInt64>()
        var free = Array((0..<slots.count).reversed())
        var inFlight = 0
        var pending: [UnsafeMutablePointer<iocb>?] = []
        var failure: CopyError?

        while true {
            while failure == nil, !context.isCancelled, nextChunk < chunks, let i = free.popLast() {
                let offset = nextChunk * chunkSize
                slots[i] = Slot(
                    srcOffset: srcOffset + offset, dstOffset: dstOffset + offset, chunk: nextChunk,
                    length: Int(min(chunkSize, length - offset)), written: 0, phase: .reading)
                prepareRead(i)
                pending.append(iocbs + i)
                nextChunk += 1
            }
            if !pending.isEmpty {
                let before = pending.count
                let errno = aio.submit(&pending)
                inFlight += before - pending.count
                if let errno, !(errno == .resourceTemporarilyUnavailable && inFlight > 0) {
                    failure = failure ?? CopyError(errno, doing: "io_submit", on: plan.destination.name)
                    for iocb in pending { free.append(index(of: iocb!)) }
                    pending.removeAll()
                }
            }
            if inFlight == 0 { break }
            let landed: Int
            do {
                landed = try aio.wait(into: events, capacity: slots.count)
            } catch {
                failure = failure ?? CopyError(error, doing: "io_getevents", on: plan.destination.name)
                contextIsQuiet = false
                break
            }
            let contiguousBefore = contiguous
            for k in 0..<landed {
                let event = events[k]
                let i = index(of: event.obj)
                inFlight -= 1
                let result = event.result
                switch slots[i].phase {
                case .reading:
                    if result < 0 {
                        failure = failure ?? CopyError(Errno(rawValue: CInt(-result)), doing: "reading at offset \(slots[i].srcOffset)", on: plan.source.name)
                        free.append(i)
                    } else if result < slots[i].length {
                        failure = failure ?? CopyError(.io, "\(plan.source.name): the source ended at offset \(slots[i].srcOffset + UInt64(result)) during the copy")
                        free.append(i)
                    } else if failure != nil {
                        free.append(i)
                    } else {
                        slots[i].phase = .writing
                        prepareWrite(i)
                        pending.append(iocbs + i)
                    }
                case .writing:
                    if result <= 0 {
                        let errno = result < 0 ? Errno(rawValue: CInt(-result)) : Errno.ioError
                        failure = failure ?? CopyError(errno, doing: "writing at offset \(slots[i].dstOffset + UInt64(slots[i].written))", on: plan.destination.name)
                        free.append(i)
                        continue
                    }
                    slots[i].written += result
                    if slots[i].written < slots[i].length {
                        prepareWrite(i)  // a short write: the rest, which reports the error if any
                        pending.append(iocbs + i)
                        continue
                    }
                    let chunk = slots[i].chunk
                    if chunk == contiguous {
                        contiguous += 1
                        while finishedAhead.remove(contiguous) != nil { contiguous += 1 }
                    } else {
                        finishedAhead.insert(chunk)
                    }
                    slots[i].phase = .idle
                    free.append(i)
                case .idle:
                    break
                }
            }
            if contiguous != contiguousBefore {
                context.progress(min(contiguous * chunkSize, length))
            }
        }
        let bytes = min(contiguous * chunkSize, length)
        if let failure { throw .failed(failure.with(bytes: bytes)) }
        return bytes
    }

    private func index(of iocb: UnsafeMutablePointer<iocb>) -> Int {
        iocbs.distance(to: iocb)
    }

    private func prepareRead(_ i: Int) {
        let slot = slots[i]
        let target = readTarget(srcOffset: slot.srcOffset, length: slot.length)
        io_prep_pread(iocbs + i, target.fd, buffers.buffers[i], target.count, Int64(slot.srcOffset))
    }

    private func prepareWrite(_ i: Int) {
        let slot = slots[i]
        let buffer = buffers.buffers[i] + slot.written
        let offset = slot.dstOffset + UInt64(slot.written)
        let remaining = slot.length - slot.written
        let fd = writeTarget(dstOffset: offset, buffer: buffer, length: remaining)
        io_prep_pwrite(iocbs + i, fd, buffer, remaining, Int64(offset))
    }

    /// The descriptor and byte count for a read. A direct read may round its length up
    /// to the alignment: past the source's end it comes back short, and the extra bytes
    /// of a longer file are never written.
    private func readTarget(srcOffset: UInt64, length: Int) -> (fd: CInt, count: Int) {
        if let fd = sourceDirect, let align = sourceAlignment, srcOffset % UInt64(align.offset) == 0 {
            directReadBytes += UInt64(length)
            return (fd, (length + align.offset - 1) / align.offset * align.offset)
        }
        bufferedReadBytes += UInt64(length)
        return (plan.source.descriptor, length)
    }

    /// The direct descriptor when offset, length and buffer fit the destination's
    /// alignment; the buffered one otherwise, so nothing past the range is written.
    private func writeTarget(dstOffset: UInt64, buffer: UnsafeMutableRawPointer, length: Int) -> CInt {
        if let fd = destinationDirect, let align = destinationAlignment,
            dstOffset % UInt64(align.offset) == 0, length % align.offset == 0,
            Int(bitPattern: buffer) % align.memory == 0
        {
            directWriteBytes += UInt64(length)
            return fd
        }
        bufferedWriteBytes += UInt64(length)
        return plan.destination.descriptor
    }
}
