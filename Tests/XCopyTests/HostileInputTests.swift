import XCTest
import XCopy
import TestSupport

/// Random and mutated buffers from a seeded generator: every decoder either parses or
/// throws `.malformed`; none traps. 10,000 random cases per decoder, plus every
/// truncation and many byte flips of the real vectors.
final class HostileInputTests: XCTestCase {
    static let cases = 10_000

    /// Runs `decode` and fails unless it returned or threw `.malformed`.
    private func survive<T>(_ bytes: [UInt8], _ decode: ([UInt8]) throws(SCSIError) -> T, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try decode(bytes)
        } catch {
            guard case .malformed = error else {
                XCTFail("\(error) for \(bytes)", file: file, line: line)
                return
            }
        }
    }

    /// Random buffers biased toward the shape the decoder expects (a plausible first
    /// byte, page code, length field), so the generator gets past the first check.
    private func randomBuffers(seed: UInt64, maxLength: Int, shape: (inout [UInt8], inout SplitMix64) -> Void) -> [[UInt8]] {
        var generator = SplitMix64(seed: seed)
        return (0..<Self.cases).map { index in
            var bytes = generator.bytes(count: Int.random(in: 0...maxLength, using: &generator))
            if index % 2 == 0 { shape(&bytes, &generator) }
            return bytes
        }
    }

    /// Every prefix of `vector`, and `vector` with random bytes overwritten.
    private func mutations(of vector: [UInt8], seed: UInt64) -> [[UInt8]] {
        var generator = SplitMix64(seed: seed)
        var buffers = (0...vector.count).map { Array(vector.prefix($0)) }
        for _ in 0..<2000 {
            var bytes = vector
            for _ in 0..<Int.random(in: 1...4, using: &generator) where !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            buffers.append(bytes)
        }
        return buffers
    }

    func testSenseData() {
        let buffers = randomBuffers(seed: 1, maxLength: 96) { bytes, generator in
            if !bytes.isEmpty { bytes[0] = UInt8.random(in: 0x70...0x73, using: &generator) | (bytes[0] & 0x80) }
        }
        let vectors = [LIO.copyTargetNotReachable, hex("72 0A 0D 02 00 00 00 18 00 0A 80 00 0000000100000002 01 0A 00 00 0000000000000003")]
        for bytes in buffers + vectors.flatMap({ mutations(of: $0, seed: 2) }) {
            survive(bytes) { (bytes) throws(SCSIError) in
                let sense = try SenseData(bytes: bytes)
                _ = sense.description
                return sense
            }
        }
    }

    func testStandardInquiry() {
        let buffers = randomBuffers(seed: 3, maxLength: 120) { _, _ in }
        for bytes in buffers + mutations(of: LIO.standardInquiry(threePC: true), seed: 4) {
            survive(bytes) { (bytes) throws(SCSIError) in try StandardInquiry(bytes: bytes) }
        }
    }

    func testDeviceIdentificationPage() {
        let buffers = randomBuffers(seed: 5, maxLength: 300) { bytes, generator in
            guard bytes.count >= 4 else { return }
            bytes[1] = 0x83
            let length = Int.random(in: 0...(bytes.count + 8), using: &generator)
            bytes[2] = UInt8(length >> 8)
            bytes[3] = UInt8(length & 0xFF)
        }
        for bytes in buffers + mutations(of: LIO.deviceIdentificationPage(), seed: 6) {
            survive(bytes) { (bytes) throws(SCSIError) in
                let designators = try Designator.parsePage(bytes)
                for designator in designators {
                    _ = designator.description
                    _ = ExtendedCopy.identificationTargetDescriptor(designator, blockSize: 512)
                }
                _ = designators.preferredLogicalUnit
                return designators
            }
        }
    }

    func testReadCapacity16() {
        let buffers = randomBuffers(seed: 7, maxLength: 40) { _, _ in }
        for bytes in buffers + mutations(of: LIO.capacity64MiB, seed: 8) {
            survive(bytes) { (bytes) throws(SCSIError) in
                let capacity = try Capacity(bytes: bytes)
                _ = capacity.blocks
                _ = capacity.bytes
                return capacity
            }
        }
    }

    func testCopyOperatingParameters() {
        let buffers = randomBuffers(seed: 9, maxLength: 320) { bytes, generator in
            guard bytes.count >= 44 else { return }
            let available = Int.random(in: 0...(bytes.count + 4), using: &generator)
            bytes[0] = 0
            bytes[1] = 0
            bytes[2] = UInt8(available >> 8)
            bytes[3] = UInt8(available & 0xFF)
            bytes[43] = UInt8.random(in: 0...UInt8(min(255, bytes.count - 44 + 2)), using: &generator)
        }
        for bytes in buffers + mutations(of: Array(LIO.copyOperatingParameters().prefix(64)), seed: 10) {
            survive(bytes) { (bytes) throws(SCSIError) in try CopyOperatingParameters(bytes: bytes) }
        }
    }

    /// The encoders take any values without trapping.
    func testEncodersTakeExtremeValues() {
        var generator = SplitMix64(seed: 11)
        for _ in 0..<1000 {
            let identifier = generator.bytes(count: Int.random(in: 0...300, using: &generator))
            let designator = Designator(
                codeSet: UInt8.random(in: 0...255, using: &generator), protocolIdentifier: UInt8.random(in: 0...255, using: &generator),
                piv: Bool.random(using: &generator), association: UInt8.random(in: 0...255, using: &generator),
                rawType: UInt8.random(in: 0...255, using: &generator), identifier: identifier)
            let list = ExtendedCopy.lid1ParameterList(
                listIdentifier: UInt8.random(in: 0...255, using: &generator), priority: UInt8.random(in: 0...255, using: &generator),
                source: designator, destination: designator, blockSize: UInt32.random(in: 0...UInt32.max, using: &generator),
                segments: [.init(sourceLBA: .max, destinationLBA: .max, blocks: .max)])
            XCTAssertEqual(list.count, 16 + 64 + 28)
            _ = designator.description
            XCTAssertLessThanOrEqual(designator.descriptorBytes.count, 4 + 255)
        }
    }
}
