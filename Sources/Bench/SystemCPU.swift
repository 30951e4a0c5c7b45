import Backends
import Glibc

/// Busy CPU time of the whole machine, from the aggregate `cpu` line of /proc/stat, in
/// seconds summed over all CPUs. Offload moves work out of the copying process into
/// kernel threads, interrupts and devices, which the process's own rusage does not see;
/// this counter does, together with everything else the machine was doing meanwhile.
///
/// Busy is user + nice + system + irq + softirq. Not counted: idle and iowait (waiting,
/// not working), steal (time the hypervisor gave to other guests: no work of this
/// machine), and guest/guest_nice, which the kernel already includes in user and nice.
public struct SystemCPU: Sendable, Equatable {
    /// Busy clock ticks (USER_HZ) since boot.
    public var busyTicks: UInt64

    public init(busyTicks: UInt64) { self.busyTicks = busyTicks }

    /// Parses /proc/stat; nil without a well-formed aggregate `cpu` line.
    public static func parse(_ text: String) -> SystemCPU? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let fields = line.split(separator: " ").dropFirst().map { UInt64($0) }
        // user nice system idle iowait irq softirq [steal guest guest_nice]
        guard fields.count >= 7, fields.allSatisfy({ $0 != nil }) else { return nil }
        let value = fields.map { $0! }
        return SystemCPU(busyTicks: value[0] + value[1] + value[2] + value[5] + value[6])
    }

    static func now() throws(BenchError) -> SystemCPU {
        guard let text = readWholeFile("/proc/stat"), let counter = parse(text) else {
            throw BenchError("cannot read the aggregate cpu line of /proc/stat")
        }
        return counter
    }

    /// USER_HZ, the unit of /proc/stat.
    public static let ticksPerSecond: Int = {
        let hz = sysconf(Int32(_SC_CLK_TCK))
        return hz > 0 ? hz : 100
    }()

    /// Seconds of busy CPU between `earlier` and self.
    func seconds(since earlier: SystemCPU) -> Double {
        guard busyTicks >= earlier.busyTicks else { return 0 }
        return Double(busyTicks - earlier.busyTicks) / Double(Self.ticksPerSecond)
    }
}
