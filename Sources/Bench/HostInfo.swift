import Glibc

/// The machine a report was measured on, to judge its numbers by.
public struct HostInfo: Sendable {
    public var kernel: String
    public var cpus: Int
    /// USER_HZ: the resolution of the system-wide CPU counter.
    public var ticksPerSecond: Int
    /// 1, 5 and 15 minute load averages when the bench started (another job running
    /// shows here and in the system-wide CPU seconds).
    public var loadAverage: [Double]

    static func current() -> HostInfo {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: name.release) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        var loads = [Double](repeating: 0, count: 3)
        let got = getloadavg(&loads, 3)
        return HostInfo(
            kernel: release, cpus: max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))), ticksPerSecond: SystemCPU.ticksPerSecond,
            loadAverage: got == 3 ? loads : [])
    }
}
