import Synchronization

/// A cancellation request shared between whoever asks and the copying thread; the
/// backends check it between chunks.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public func cancel() { flag.store(true, ordering: .relaxed) }

    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

/// What a running copy reports to and hears from its caller.
public struct CopyContext: Sendable {
    public let cancellation: CancellationFlag
    /// Called with the contiguous bytes in place so far, from the copying thread.
    public let progress: @Sendable (UInt64) -> Void

    public init(cancellation: CancellationFlag = CancellationFlag(), progress: @escaping @Sendable (UInt64) -> Void = { _ in }) {
        self.cancellation = cancellation
        self.progress = progress
    }

    public var isCancelled: Bool { cancellation.isCancelled }

    /// The same cancellation, with progress offset by `base` bytes already in place.
    func offset(by base: UInt64) -> CopyContext {
        let report = progress
        return CopyContext(cancellation: cancellation) { report(base + $0) }
    }
}
