import XCTest

@testable import Bench

/// fio's --output-format=json, trimmed from a real fio 3.33 run of the bench's paired
/// jobs on 32 MiB.
final class FioFiguresTests: XCTestCase {
    static let report = """
        note: both iodepth >= 1 and synchronous I/O engine are selected, queue depth will be capped at 1
        {
          "fio version" : "fio-3.33",
          "global options" : { "ioengine" : "libaio", "direct" : "1", "bs" : "1M", "iodepth" : "16" },
          "jobs" : [
            {
              "jobname" : "read", "groupid" : 0, "error" : 0, "eta" : 0, "elapsed" : 1,
              "job_runtime" : 9,
              "read" : { "io_bytes" : 33554432, "io_kbytes" : 32768, "bw" : 3640888, "runtime" : 9 },
              "write" : { "io_bytes" : 0, "io_kbytes" : 0, "bw" : 0, "runtime" : 0 },
              "usr_cpu" : 0.000000, "sys_cpu" : 66.666667, "ctx" : 40
            },
            {
              "jobname" : "write", "groupid" : 0, "error" : 0, "eta" : 0, "elapsed" : 1,
              "job_runtime" : 15,
              "read" : { "io_bytes" : 0, "io_kbytes" : 0, "bw" : 0, "runtime" : 0 },
              "write" : { "io_bytes" : 33554432, "io_kbytes" : 32768, "bw" : 2184533, "runtime" : 15 },
              "usr_cpu" : 20.000000, "sys_cpu" : 13.333333, "ctx" : 52
            }
          ],
          "disk_util" : []
        }

        """

    func testTimeIsTheLongerJobAndCPUTheSumOfBoth() throws {
        let figures = try FioFigures.parse(Array(Self.report.utf8)).get()
        XCTAssertEqual(figures.seconds, 0.015, accuracy: 1e-12)
        XCTAssertEqual(figures.cpu.user, 0.20 * 0.015, accuracy: 1e-9)
        XCTAssertEqual(figures.cpu.system, 0.66666667 * 0.009 + 0.13333333 * 0.015, accuracy: 1e-9)
        XCTAssertEqual(figures.bytesRead, 33_554_432)
        XCTAssertEqual(figures.bytesWritten, 33_554_432)
    }

    func testOutputWithoutAReportIsAnError() {
        for text in ["", "fio: failed to open file\n", "{\"jobs\": []}", "{\"jobs\": [{\"jobname\": \"read\"}]}", "{\"jobs\": [} "] {
            guard case .failure(let error) = FioFigures.parse(Array(text.utf8)) else {
                XCTFail("accepted \(text)")
                continue
            }
            XCTAssertTrue(error.message.hasPrefix("fio"), error.message)
        }
    }
}
