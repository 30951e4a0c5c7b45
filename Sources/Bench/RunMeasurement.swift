/// What one timed run of a backend or tool did.
public struct RunMeasurement: Sendable {
    /// Wall time from opening the files (or spawning the tool) to the destination's
    /// fdatasync returning.
    public var seconds: Double
    /// Bytes copied (for a tool: the source size, once its exit status and the
    /// destination's size say it copied them all).
    public var bytes: UInt64
    /// CPU of the copying process: the bench itself for a backend; the tool (with its
    /// reaped children) plus the bench's own fdatasync for a tool.
    public var cpu: CPUTime
    /// Busy CPU seconds of the whole machine over the run (/proc/stat).
    public var systemCPUSeconds: Double
    /// Block-layer bytes read and written by the copying process (/proc/self/io).
    public var io: IOCounters
    /// Bytes that passed through the agent's own buffers; nil for external tools.
    public var bufferedBytes: UInt64?

    public init(seconds: Double, bytes: UInt64, cpu: CPUTime, systemCPUSeconds: Double, io: IOCounters, bufferedBytes: UInt64?) {
        self.seconds = seconds
        self.bytes = bytes
        self.cpu = cpu
        self.systemCPUSeconds = systemCPUSeconds
        self.io = io
        self.bufferedBytes = bufferedBytes
    }

    public var bytesPerSecond: Double { seconds > 0 ? Double(bytes) / seconds : 0 }

    /// Per GiB copied; 0 when nothing was copied.
    public var cpuSecondsPerGiB: Double { perGiB(cpu.total) }
    public var systemCPUSecondsPerGiB: Double { perGiB(systemCPUSeconds) }

    private func perGiB(_ value: Double) -> Double {
        bytes > 0 ? value / (Double(bytes) / Double(1 << 30)) : 0
    }
}

/// Medians with minimum and maximum over a case's runs.
public struct RunSummary: Sendable {
    public var seconds: Spread
    public var bytesPerSecond: Spread
    public var cpuSeconds: Spread
    public var cpuSecondsPerGiB: Spread
    public var systemCPUSeconds: Spread
    public var systemCPUSecondsPerGiB: Spread
    public var readBytes: Spread
    public var writeBytes: Spread
    public var bufferedBytes: Spread?

    /// Nil for no runs.
    public init?(_ runs: [RunMeasurement]) {
        guard let seconds = Spread(runs.map(\.seconds)) else { return nil }
        self.seconds = seconds
        bytesPerSecond = Spread(runs.map(\.bytesPerSecond))!
        cpuSeconds = Spread(runs.map(\.cpu.total))!
        cpuSecondsPerGiB = Spread(runs.map(\.cpuSecondsPerGiB))!
        systemCPUSeconds = Spread(runs.map(\.systemCPUSeconds))!
        systemCPUSecondsPerGiB = Spread(runs.map(\.systemCPUSecondsPerGiB))!
        readBytes = Spread(runs.map { Double($0.io.readBytes) })!
        writeBytes = Spread(runs.map { Double($0.io.writeBytes) })!
        let buffered = runs.compactMap(\.bufferedBytes)
        bufferedBytes = buffered.count == runs.count ? Spread(buffered.map { Double($0) }) : nil
    }
}
