import XCTest

@testable import Bench

final class FormattingTests: XCTestCase {
    func testFixedRoundsHalfAwayFromZero() {
        XCTAssertEqual(TextFormat.fixed(0.1235, 3), "0.124")
        XCTAssertEqual(TextFormat.fixed(1134.4, 0), "1134")
        XCTAssertEqual(TextFormat.fixed(2.5, 0), "3")
        XCTAssertEqual(TextFormat.fixed(-0.05, 1), "-0.1")
        XCTAssertEqual(TextFormat.fixed(-0.0001, 2), "0.00")
        XCTAssertEqual(TextFormat.fixed(7, 2), "7.00")
        XCTAssertEqual(TextFormat.fixed(.nan, 2), "-")
    }

    func testSignificantKeepsThreeDigits() {
        XCTAssertEqual(TextFormat.significant(0.004123), "0.00412")
        XCTAssertEqual(TextFormat.significant(0.107), "0.107")
        XCTAssertEqual(TextFormat.significant(12.34), "12.3")
        XCTAssertEqual(TextFormat.significant(1134.4), "1134")
        XCTAssertEqual(TextFormat.significant(0), "0")
    }

    func testTicksDropTrailingZeros() {
        XCTAssertEqual(TextFormat.tick(0.1), "0.1")
        XCTAssertEqual(TextFormat.tick(1), "1")
        XCTAssertEqual(TextFormat.tick(10), "10")
        XCTAssertEqual(TextFormat.tick(250), "250")
    }

    func testBytes() {
        XCTAssertEqual(TextFormat.bytes(512), "512 B")
        XCTAssertEqual(TextFormat.bytes(8 << 20), "8.0 MiB")
        XCTAssertEqual(TextFormat.bytes(1 << 30), "1.0 GiB")
    }

    func testToolErrorLineIsTheOneNamingTheTool() {
        let dd = "dd: error writing '/mnt/t/dst': No space left on device\n5+0 records in\n4+0 records out\n4194304 bytes (4.2 MB, 4.0 MiB) copied, 0.0027 s, 1.5 GB/s\n"
        XCTAssertEqual(ToolRun.errorLine(dd, program: "dd"), "dd: error writing '/mnt/t/dst': No space left on device")
        XCTAssertEqual(
            ToolRun.errorLine("/usr/bin/cp: cannot stat 'x': No such file or directory\n", program: "cp"),
            "/usr/bin/cp: cannot stat 'x': No such file or directory")
        XCTAssertEqual(ToolRun.errorLine("something odd\nlast words\n", program: "fio"), "last words")
        XCTAssertNil(ToolRun.errorLine("\n\n", program: "fio"))
    }
}

final class ToolCommandTests: XCTestCase {
    func testFioFileNamesEscapeColons() {
        XCTAssertEqual(ExternalTools.fioEscaped("/mnt/a:b/c:d"), "/mnt/a\\:b/c\\:d")
        XCTAssertEqual(ExternalTools.fioEscaped("/mnt/plain"), "/mnt/plain")
    }
}
