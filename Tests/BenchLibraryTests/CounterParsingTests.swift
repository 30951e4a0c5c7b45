import XCTest

@testable import Bench

/// The /proc parsers on text in the kernel's formats.
final class CounterParsingTests: XCTestCase {
    func testProcSelfIOGivesReadAndWriteBytes() {
        let text = """
            rchar: 2012
            wchar: 4096
            syscr: 7
            syscw: 1
            read_bytes: 33554432
            write_bytes: 16777216
            cancelled_write_bytes: 0

            """
        XCTAssertEqual(IOCounters.parse(text), IOCounters(readBytes: 33_554_432, writeBytes: 16_777_216))
    }

    func testProcSelfIOWithoutTheBlockCountersIsRejected() {
        XCTAssertNil(IOCounters.parse("rchar: 1\nwchar: 2\n"))
        XCTAssertNil(IOCounters.parse("read_bytes: x\nwrite_bytes: 1\n"))
        XCTAssertNil(IOCounters.parse(""))
    }

    func testIOCounterDifferencesNeverGoNegative() {
        let earlier = IOCounters(readBytes: 100, writeBytes: 50)
        XCTAssertEqual(IOCounters(readBytes: 150, writeBytes: 50).since(earlier), IOCounters(readBytes: 50, writeBytes: 0))
        XCTAssertEqual(IOCounters(readBytes: 10, writeBytes: 10).since(earlier), IOCounters(readBytes: 0, writeBytes: 0))
    }

    /// user nice system idle iowait irq softirq steal guest guest_nice: busy is
    /// user + nice + system + irq + softirq; guest time is already inside user and nice,
    /// steal and iowait are not this machine working.
    func testProcStatBusyTicksLeaveOutIdleIOWaitStealAndGuest() {
        let text = """
            cpu  1000 20 300 50000 400 5 60 700 800 9
            cpu0 500 10 150 25000 200 2 30 350 400 4
            intr 12345

            """
        XCTAssertEqual(SystemCPU.parse(text), SystemCPU(busyTicks: 1000 + 20 + 300 + 5 + 60))
    }

    func testProcStatOfAnOldKernelWithSevenFields() {
        XCTAssertEqual(SystemCPU.parse("cpu  1 2 3 4 5 6 7\n"), SystemCPU(busyTicks: 1 + 2 + 3 + 6 + 7))
    }

    func testProcStatWithoutAnAggregateLineIsRejected() {
        XCTAssertNil(SystemCPU.parse("cpu0 1 2 3 4 5 6 7\n"))
        XCTAssertNil(SystemCPU.parse("cpu  1 2 x 4 5 6 7\n"))
        XCTAssertNil(SystemCPU.parse("cpu  1 2 3\n"))
    }

    func testSystemCPUSecondsUseUserHZ() {
        let earlier = SystemCPU(busyTicks: 1000)
        let later = SystemCPU(busyTicks: 1000 + UInt64(SystemCPU.ticksPerSecond) * 3)
        XCTAssertEqual(later.seconds(since: earlier), 3, accuracy: 1e-9)
        XCTAssertEqual(earlier.seconds(since: later), 0)
    }

    /// The live counters of this process read and move the right way.
    func testLiveCountersOfThisProcessAreReadable() throws {
        let io = try IOCounters.ofThisProcess()
        let cpu = try SystemCPU.now()
        var x = 0.0
        for i in 0..<2_000_000 { x += Double(i).squareRoot() }
        XCTAssertGreaterThan(x, 0)
        XCTAssertGreaterThanOrEqual(try IOCounters.ofThisProcess().readBytes, io.readBytes)
        XCTAssertGreaterThanOrEqual(try SystemCPU.now().busyTicks, cpu.busyTicks)
        XCTAssertGreaterThan(CPUTime.ofThisProcess().total, 0)
    }
}
