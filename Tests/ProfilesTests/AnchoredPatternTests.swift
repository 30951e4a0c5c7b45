import BuiltInProfiles
@testable import Profiles
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
        // Not of the literal shape, so the regex is compiled, once, by whichever thread comes first.
        let pattern = AnchoredPattern(uncompiled: "PURE|NETAPP[0-9]?")
        XCTAssertFalse(pattern.isLiteral)
        let results = Mutex([Bool](repeating: false, count: 64))
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let matched = pattern.matches(i % 2 == 0 ? "PURE" : "NETAPPX")
            results.withLock { $0[i] = matched }
        }
        let seen = results.withLock { $0 }
        for i in 0..<64 { XCTAssertEqual(seen[i], i % 2 == 0, "\(i)") }
    }

    // MARK: literal alternatives, matched without the regex library

    /// Every built-in vendor, product and revision rule has the literal shape: a copy
    /// never compiles a regular expression.
    func testEveryBuiltInPatternIsMatchedWithoutTheRegexLibrary() {
        for profile in BuiltInProfiles.all {
            for pattern in [profile.match.vendor, profile.match.product, profile.match.revision].compactMap({ $0 }) {
                XCTAssertTrue(pattern.isLiteral, "\(profile.name): /\(pattern.source)/")
            }
        }
    }

    func testShapesOutsideTheLiteralSubsetGoToTheRegexLibrary() throws {
        // Uncompiled: some of these are not valid expressions at all, which is beside the point here.
        for source in ["2145[0-9]?", "OPEN-[A-Z]+", "a|", "|a", "(a)|(b)", ".*", "A.B", "A*", "(A|B)+", "A\\.B", "^A", "A$", "()", "(A", "A{2}", "\u{7F}", "é"] {
            XCTAssertFalse(AnchoredPattern(uncompiled: source).isLiteral, source)
        }
        for source in ["LIO-ORG", "HITACHI|HP|HPE", "OPEN-.*", "(RAID|DISK|VRAID).*", "(A|B)", "A.*|B", "LUN C-Mode", "3PARdata"] {
            XCTAssertTrue(try AnchoredPattern(source).isLiteral, source)
        }
    }

    /// The literal matcher answers as regexec(3) does on the same anchored pattern, for
    /// exact, prefix, longer, shorter, case-changed, empty, NUL- and newline-carrying and
    /// non-ASCII values.
    func testLiteralMatcherAgreesWithTheRegexLibrary() throws {
        let sources = [
            "LIO-ORG", "FILEIO|IBLOCK|RAMDISK-MCP|RAMDISK-DR", "HITACHI|HP|HPE", "OPEN-.*", "(RAID|DISK|VRAID).*",
            "2145.*", "LUN.*", "(A|B)", "A.*|BC", "LUN C-Mode", "X",
        ]
        let values = [
            "", "LIO-ORG", "LIO-ORG ", "LIO-OR", "lio-org", "FILEIO", "IBLOCK", "RAMDISK-MCP", "RAMDISK", "HP", "HPE", "HPX",
            "HITACHI", "OPEN-", "OPEN-V", "OPEN-V\nX", "OPEN", "RAID", "RAID 5", "VRAID", "XRAID", "DISK\u{0}", "2145", "21457",
            "LUN", "LUN C-Mode", "LUN\u{0}X", "LIO-ORG\u{0}", "LIO-ORG\u{0}X", "A", "B", "AB", "A\u{0}", "BC", "BCD", "Aé",
            "é", "X", "XX", "x",
        ]
        for source in sources {
            let literal = try AnchoredPattern(source)
            let regex = try AnchoredPattern(regexOnly: source)
            XCTAssertTrue(literal.isLiteral, source)
            XCTAssertFalse(regex.isLiteral, source)
            for value in values {
                XCTAssertEqual(literal.matches(value), regex.matches(value), "/\(source)/ against \(value.debugDescription)")
            }
        }
    }
}
