import Glibc
import Synchronization

/// A descriptor received from a peer that a job keeps: closed when the last holder lets
/// go (the job ends), never earlier.
public final class HeldDescriptor: Sendable {
    public let descriptor: CInt

    init(_ descriptor: CInt) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }
}

/// The descriptors that arrived with one frame. Those a request keeps become
/// `HeldDescriptor`s; the rest are closed once the frame has been handled.
public final class ReceivedDescriptors: Sendable {
    private let state: Mutex<(fds: [CInt], held: [HeldDescriptor?], closed: Bool)>

    public init(_ fds: [CInt]) {
        state = Mutex((fds, Array(repeating: nil, count: fds.count), false))
    }

    public var count: Int { state.withLock { $0.fds.count } }

    /// The descriptor at `index`, held until the holder is released. The same index may
    /// be asked for twice (a copy within one file) and gives the same holder.
    public func hold(_ index: Int) -> HeldDescriptor? {
        state.withLock { s in
            guard !s.closed, index >= 0, index < s.fds.count else { return nil }
            if let held = s.held[index] { return held }
            let held = HeldDescriptor(s.fds[index])
            s.held[index] = held
            return held
        }
    }

    /// Closes every descriptor no request kept. Called once the frame is handled.
    public func closeUnheld() {
        state.withLock { s in
            guard !s.closed else { return }
            s.closed = true
            for (i, fd) in s.fds.enumerated() where s.held[i] == nil { close(fd) }
            s.held = Array(repeating: nil, count: s.held.count)
        }
    }

    deinit {
        closeUnheld()
    }
}
