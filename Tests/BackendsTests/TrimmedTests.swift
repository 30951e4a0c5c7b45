@testable import Backends
import XCTest

/// `String.trimmed` trims ASCII ends on bytes and anything else through Character; both
/// must give what trimming Characters with `isWhitespace` gives.
final class TrimmedTests: XCTestCase {
    private func characterTrimmed(_ text: String) -> String {
        var s = Substring(text)
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return String(s)
    }

    func testAgreesWithCharacterWhitespaceTrimming() {
        let cases = [
            "", " ", "\n", "512\n", "  LIO-ORG \n", "\t\u{0B}\u{0C}\r\nx\r\n", "a b", "x\r", "\r\n",
            "\u{A0}x\u{A0}", "\u{85}y", "z\u{2003}", " \u{301}x", "x \u{301}", " é ", "é", "\u{3000}", "a\n\u{301}",
        ]
        for text in cases {
            XCTAssertEqual(text.trimmed, characterTrimmed(text), text.debugDescription)
        }
    }
}
