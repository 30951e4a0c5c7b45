import XCTest

@testable import Bench

final class SpreadTests: XCTestCase {
    func testOddCountTakesTheMiddleValue() {
        XCTAssertEqual(Spread([3, 1, 2]), Spread(median: 2, min: 1, max: 3))
    }

    func testEvenCountAveragesTheMiddleTwo() {
        XCTAssertEqual(Spread([4, 1, 3, 2]), Spread(median: 2.5, min: 1, max: 4))
    }

    func testNoValuesHaveNoSpread() {
        XCTAssertNil(Spread([]))
    }
}
