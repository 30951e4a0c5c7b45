import Glibc

/// A fixed pool of equally sized buffers aligned for O_DIRECT, allocated once per copy.
final class AlignedBuffers {
    let size: Int
    private(set) var buffers: [UnsafeMutableRawPointer] = []

    /// Nil when memory is short.
    init?(count: Int, size: Int, alignment: Int) {
        self.size = size
        for _ in 0..<count {
            var pointer: UnsafeMutableRawPointer?
            guard posix_memalign(&pointer, alignment, size) == 0, let pointer else {
                return nil
            }
            buffers.append(pointer)
        }
    }

    deinit {
        for buffer in buffers { free(buffer) }
    }
}
