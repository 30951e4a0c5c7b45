import JSON

/// fio's own account of the paired read and write jobs, from its JSON output. fio takes
/// about a third of a second to start (measured here) before its jobs run; the ceiling
/// it stands for is what the jobs did, so its time and CPU are taken from the jobs, as
/// bench/compare.sh does.
struct FioFigures: Equatable {
    /// The longer of the two jobs' runtimes (they run at once).
    var seconds: Double
    /// The jobs' user and system CPU (fio reports them as percentages of each job's
    /// runtime).
    var cpu: CPUTime
    var bytesRead: UInt64
    var bytesWritten: UInt64

    /// Parses fio's --output-format=json document (anything before its first '{' is
    /// skipped: fio may print notes first).
    static func parse(_ output: [UInt8]) -> Result<FioFigures, BenchError> {
        guard let start = output.firstIndex(of: UInt8(ascii: "{")) else {
            return .failure(BenchError("fio printed no JSON report"))
        }
        let document: JSONValue
        do {
            document = try JSONParser().parse(output[start...])
        } catch {
            return .failure(BenchError("fio's JSON report does not parse: \(error)"))
        }
        guard let jobs = document["jobs"]?.arrayValue, !jobs.isEmpty else {
            return .failure(BenchError("fio's JSON report has no jobs"))
        }
        var figures = FioFigures(seconds: 0, cpu: CPUTime(), bytesRead: 0, bytesWritten: 0)
        for job in jobs {
            guard let runtime = job["job_runtime"]?.doubleValue, let user = job["usr_cpu"]?.doubleValue,
                let system = job["sys_cpu"]?.doubleValue, let read = job["read"]?["io_bytes"]?.uint64Value,
                let written = job["write"]?["io_bytes"]?.uint64Value
            else {
                return .failure(BenchError("fio's JSON report lacks job_runtime, usr_cpu, sys_cpu or io_bytes"))
            }
            let seconds = runtime / 1000
            figures.seconds = max(figures.seconds, seconds)
            figures.cpu = figures.cpu + CPUTime(user: user / 100 * seconds, system: system / 100 * seconds)
            figures.bytesRead += read
            figures.bytesWritten += written
        }
        return .success(figures)
    }
}
