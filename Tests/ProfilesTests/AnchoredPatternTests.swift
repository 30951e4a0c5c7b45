import Profiles
import Synchronization
import XCTest

/// The vendor/product/revision rules: POSIX extended regular expressions matched against
/// the whole string.
final class AnchoredPatternTests: XCTestCase {
    func testMatchesTheWholeStringOnly() throws {
        let pattern = try AnchoredPattern("FILEIO|IBLOCK")
        XCTAssertTrue(pattern.matches("FILEIO"))
        XCTAssertTrue(pattern.matches("IBLOCK"))
        // Each alternative is anchored, not only the first and the last.
        XCTAssertFalse(pattern.matches("FILEIO2"))
        XCTAssertFalse(pattern.matches("XIBLOCK"))
        XCTAssertFalse(pattern.matches("fileio"), "case-sensitive, as INQUIRY strings are")
        XCTAssertFalse(pattern.matches(""))
    }

    func testExtendedSyntax() throws {
        let product = try AnchoredPattern("(RAID|DISK|VRAID).*")
        XCTAssertTrue(product.matches("VRAID 5"))
        XCTAssertFalse(product.matches("XRAID"))
        XCTAssertTrue(try AnchoredPattern("2145[0-9]?").matches("21457"))
        XCTAssertTrue(try AnchoredPattern("OPEN-[A-Z]+").matches("OPEN-V"))
        XCTAssertTrue(try AnchoredPattern("LIO-ORG").matches("LIO-ORG"))
    }

    func testRefusesWhatDoesNotCompileAloneWithTheCompilersMessage() {
        // "a)|(b" would compile inside ^(...)$ as ^(a)|(b)$, anchoring only one side.
        for bad in ["Flash(Array", "a)|(b", "[", "x{2,1}"] {
            XCTAssertThrowsError(try AnchoredPattern(bad), bad) { error in
                XCTAssertFalse("\(error)".isEmpty, bad)
            }
            let lazy = AnchoredPattern(uncompiled: bad)
            XCTAssertThrowsError(try lazy.validate(), bad)
            XCTAssertFalse(lazy.matches(bad), "a pattern that does not compile matches nothing")
        }
    }

    func testUncompiledPatternsCompileOnFirstUseFromManyThreads() {
        let pattern = AnchoredPattern(uncompiled: "PURE|NETAPP")
        let results = Mutex([Bool](repeating: false, count: 64))
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let matched = pattern.matches(i % 2 == 0 ? "PURE" : "NETAPPX")
            results.withLock { $0[i] = matched }
        }
        let seen = results.withLock { $0 }
        for i in 0..<64 { XCTAssertEqual(seen[i], i % 2 == 0, "\(i)") }
    }
}
