import Foundation
import SystemPackage
import XCTest
import XCopy
import TestSupport

/// SGIODevice on things that are not SCSI devices: clear errors, no crash. (Real SCSI
/// is exercised in the device lab; this machine's kernel has none.)
final class SGIODeviceTests: XCTestCase {
    private func assertRefused(_ error: SCSIError?, file: StaticString = #filePath, line: UInt = #line) {
        switch error {
        case .system(let command, let errno):
            XCTAssertEqual(command, "INQUIRY", file: file, line: line)
            XCTAssertNotEqual(errno.rawValue, 0, file: file, line: line)
        case .transport(let command, _):
            XCTAssertEqual(command, "INQUIRY", file: file, line: line)
        default:
            XCTFail("expected .system or .transport, got \(String(describing: error))", file: file, line: line)
        }
    }

    func testDevNullIsRefused() throws {
        let device = try SGIODevice(path: "/dev/null", timeout: .seconds(5))
        XCTAssertEqual(device.name, "/dev/null")
        let error = expectError { () throws(SCSIError) in try SCSIDevice(transport: device).inquiry() }
        // SG_IO on a character device that is not SCSI: the kernel answers ENOTTY,
        // which the fallback rules read as "not supported".
        XCTAssertEqual(error, .system(command: "INQUIRY", errno: .inappropriateIOCTLForDevice))
        XCTAssertEqual(
            error?.description, "INQUIRY was refused by the operating system: Inappropriate ioctl for device (errno 25).")
    }

    func testRegularFileIsRefused() throws {
        let path = NSTemporaryDirectory() + "xcopy-sgio-\(getpid()).img"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(count: 4096)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let device = try SGIODevice(path: path)
        assertRefused(expectError { () throws(SCSIError) in try SCSIDevice(transport: device).inquiry() })
        // Data-out and no-data commands are refused the same way.
        let list = [UInt8](repeating: 0, count: 80)
        let copy = expectError { () throws(SCSIError) in try SCSIDevice(transport: device).extendedCopy(parameterList: list) }
        XCTAssertEqual(copy?.command, "EXTENDED COPY(LID1)")
        XCTAssertNil(copy?.sense)
        _ = expectError { () throws(SCSIError) in try SCSIDevice(transport: device).testUnitReady() }
    }

    func testOpenFailures() {
        let missing = expectError { () throws(SCSIError) in try SGIODevice(path: "/nonexistent/sg0") }
        XCTAssertEqual(missing, .system(command: "open /nonexistent/sg0", errno: .noSuchFileOrDirectory))
        let directory = expectError { () throws(SCSIError) in try SGIODevice(path: "/tmp", writable: true) }
        XCTAssertEqual(directory, .system(command: "open /tmp", errno: .isDirectory))
    }

    /// A caller's descriptor is used as it is and never closed.
    func testBorrowedDescriptorStaysOpen() throws {
        let fd = try FileDescriptor.open("/dev/null", .readOnly)
        defer { try? fd.close() }
        do {
            let device = SGIODevice(descriptor: fd.rawValue, name: "borrowed", timeout: .milliseconds(1500), unitAttentionRetries: 0)
            XCTAssertEqual(device.name, "borrowed")
            assertRefused(expectError { () throws(SCSIError) in try SCSIDevice(transport: device).inquiry() })
        }
        XCTAssertNotEqual(fcntl(fd.rawValue, F_GETFD), -1, "the descriptor survived the device")
    }

    /// The device keeps one sg_pt object and clears it between commands; commands from
    /// several threads at once (the kept object busy) each get their own answer.
    func testCommandsInTurnAndAtOnceEachGetTheirOwnAnswer() throws {
        let device = try SGIODevice(path: "/dev/null", timeout: .seconds(5))
        for _ in 0..<3 {
            XCTAssertEqual(
                expectError { () throws(SCSIError) in try SCSIDevice(transport: device).inquiry() },
                .system(command: "INQUIRY", errno: .inappropriateIOCTLForDevice))
            XCTAssertEqual(
                expectError { () throws(SCSIError) in try SCSIDevice(transport: device).testUnitReady() }?.command, "TEST UNIT READY")
        }
        let names = (0..<64).map { "CMD\($0)" }
        let answers = Answers(count: names.count)
        DispatchQueue.concurrentPerform(iterations: names.count) { index in
            do throws(SCSIError) {
                _ = try device.execute(SCSICommand(name: names[index], cdb: hex("12 00 00 00 24 00"), direction: .fromDevice(length: 36)))
                answers.set(index, "no error")
            } catch {
                answers.set(index, error.command)
            }
        }
        XCTAssertEqual(answers.values, names)
    }

    /// Commands the pass-through layer cannot send are refused before any system call.
    func testImpossibleCommandsAreRefused() throws {
        let device = try SGIODevice(path: "/dev/null")
        let badLength = expectError { () throws(SCSIError) in
            try device.execute(SCSICommand(name: "X", cdb: hex("12 00 00 0024 00"), direction: .fromDevice(length: -1)))
        }
        guard case .transport = badLength else { return XCTFail("\(String(describing: badLength))") }
        let noCDB = expectError { () throws(SCSIError) in
            try device.execute(SCSICommand(name: "X", cdb: [], direction: .none))
        }
        guard case .transport = noCDB else { return XCTFail("\(String(describing: noCDB))") }
    }
}

private final class Answers: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String]
    init(count: Int) { list = Array(repeating: "", count: count) }
    func set(_ index: Int, _ value: String) { lock.withLock { list[index] = value } }
    var values: [String] { lock.withLock { list } }
}
