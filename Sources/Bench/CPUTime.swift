import Glibc

/// User and system CPU seconds, as getrusage(2) and wait4(2) report them.
public struct CPUTime: Sendable, Equatable {
    public var user: Double
    public var system: Double

    public init(user: Double = 0, system: Double = 0) {
        self.user = user
        self.system = system
    }

    public var total: Double { user + system }

    init(_ usage: rusage) {
        user = Self.seconds(usage.ru_utime)
        system = Self.seconds(usage.ru_stime)
    }

    /// This process, all its threads (RUSAGE_SELF).
    static func ofThisProcess() -> CPUTime {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return CPUTime(usage)
    }

    static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1e6
    }

    static func + (a: CPUTime, b: CPUTime) -> CPUTime {
        CPUTime(user: a.user + b.user, system: a.system + b.system)
    }

    static func - (a: CPUTime, b: CPUTime) -> CPUTime {
        CPUTime(user: a.user - b.user, system: a.system - b.system)
    }
}
