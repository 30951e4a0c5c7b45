@testable import Agent
import XCTest

/// Frame cutting and the rule that descriptors belong to the frame whose first byte
/// arrived with them.
final class FrameAssemblerTests: XCTestCase {
    private func frame(_ text: String) -> [UInt8] { Frame.encode(Array(text.utf8)) }

    func testCutsFramesSplitAnywhere() throws {
        let stream = frame("{\"a\":1}") + frame("[2]") + frame("\"three\"")
        for split in 0...stream.count {
            var assembler = FrameAssembler(maxFrameBytes: 1 << 20, maxDescriptors: 4)
            var frames = try assembler.append(stream[0..<split], descriptors: [], truncated: false)
            frames += try assembler.append(stream[split...], descriptors: [], truncated: false)
            XCTAssertEqual(frames.map { String(decoding: $0.payload, as: UTF8.self) }, ["{\"a\":1}", "[2]", "\"three\""], "split at \(split)")
            XCTAssertFalse(assembler.hasPartialFrame)
        }
    }

    func testDescriptorsGoToTheFrameThatBeginsInTheirChunk() throws {
        var assembler = FrameAssembler(maxFrameBytes: 1 << 20, maxDescriptors: 4)
        let first = frame("{\"first\":true}"), second = frame("{\"second\":true}")
        // The tail of the first frame and the whole second arrive with descriptors.
        var frames = try assembler.append(first[0..<5], descriptors: [], truncated: false)
        XCTAssertTrue(frames.isEmpty)
        frames = try assembler.append(Array(first[5...]) + second, descriptors: [10, 11], truncated: false)
        XCTAssertEqual(frames.count, 2)
        XCTAssertEqual(frames[0].descriptors, [])
        XCTAssertEqual(frames[1].descriptors, [10, 11])
    }

    func testDescriptorsWaitForTheNextFrameWhenNoneBeginsInTheirChunk() throws {
        var assembler = FrameAssembler(maxFrameBytes: 1 << 20, maxDescriptors: 4)
        let first = frame("{\"first\":true}"), second = frame("{\"second\":1}")
        _ = try assembler.append(first[0..<3], descriptors: [], truncated: false)
        var frames = try assembler.append(first[3..<8], descriptors: [7], truncated: false)
        XCTAssertTrue(frames.isEmpty)
        frames = try assembler.append(Array(first[8...]) + second, descriptors: [], truncated: false)
        XCTAssertEqual(frames.map(\.descriptors), [[], [7]])
    }

    func testDescriptorsOfAFrameSplitAcrossChunksStayWithIt() throws {
        var assembler = FrameAssembler(maxFrameBytes: 1 << 20, maxDescriptors: 4)
        let only = frame("{\"x\":\"" + String(repeating: "y", count: 1000) + "\"}")
        var frames = try assembler.append(only[0..<2], descriptors: [3, 4], truncated: false)
        XCTAssertTrue(frames.isEmpty)
        frames = try assembler.append(only[2...], descriptors: [], truncated: false)
        XCTAssertEqual(frames.first?.descriptors, [3, 4])
    }

    func testTooManyOrTruncatedDescriptorsMarkTheFrame() throws {
        var assembler = FrameAssembler(maxFrameBytes: 1 << 20, maxDescriptors: 2)
        var frames = try assembler.append(frame("{}"), descriptors: [1, 2, 3], truncated: false)
        XCTAssertNotNil(frames.first?.descriptorProblem)
        frames = try assembler.append(frame("{}"), descriptors: [4], truncated: true)
        XCTAssertNotNil(frames.first?.descriptorProblem)
        frames = try assembler.append(frame("{}"), descriptors: [5], truncated: false)
        XCTAssertNil(frames.first?.descriptorProblem)
    }

    func testLengthsOutsideTheLimitsAreFramingErrors() {
        var assembler = FrameAssembler(maxFrameBytes: 16, maxDescriptors: 2)
        XCTAssertThrowsError(try assembler.append([0, 0, 0, 0], descriptors: [], truncated: false))
        var other = FrameAssembler(maxFrameBytes: 16, maxDescriptors: 2)
        XCTAssertThrowsError(try other.append([0, 0, 0, 17], descriptors: [], truncated: false))
        var exact = FrameAssembler(maxFrameBytes: 16, maxDescriptors: 2)
        XCTAssertEqual(try exact.append([0, 0, 0, 16] + Array(repeating: 0x20, count: 16), descriptors: [], truncated: false).count, 1)
    }

    func testEncodingIsBigEndian() {
        XCTAssertEqual(Frame.encode(Array(repeating: 0x20, count: 0x0102)).prefix(4), [0, 0, 1, 2])
    }
}
