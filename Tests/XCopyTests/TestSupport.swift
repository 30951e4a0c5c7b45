import Foundation
import XCTest

import TestSupport
import XCopy

/// ASCII bytes of a string, padded with `pad` to `width` when given.
func ascii(_ text: String, width: Int? = nil, pad: UInt8 = 0x20) -> [UInt8] {
    var bytes = Array(text.utf8)
    if let width { bytes += [UInt8](repeating: pad, count: max(0, width - bytes.count)) }
    return bytes
}

/// A SCSITransport that replays answers in order and records every command, the way a
/// device would answer: data-in is cut to the command's allocation length, and a
/// CHECK CONDITION carries sense bytes decoded as SGIODevice decodes them.
final class FakeTransport: SCSITransport, @unchecked Sendable {
    enum Answer {
        case data([UInt8])
        case good
        case sense([UInt8])
        case status(UInt8)
        case error(SCSIError)
    }

    private let lock = NSLock()
    private var answers: [Answer]
    private var sent: [SCSICommand] = []

    init(_ answers: [Answer]) {
        self.answers = answers
    }

    var commands: [SCSICommand] { lock.withLock { sent } }
    var remainingAnswers: Int { lock.withLock { answers.count } }

    func execute(_ command: SCSICommand) throws(SCSIError) -> SCSIResponse {
        let answer: Answer? = lock.withLock {
            sent.append(command)
            return answers.isEmpty ? nil : answers.removeFirst()
        }
        switch answer {
        case nil:
            throw .transport(command: command.name, detail: "fake transport has no answer left")
        case .data(let bytes):
            if case .fromDevice(let length) = command.direction { return SCSIResponse(data: Array(bytes.prefix(length))) }
            return SCSIResponse(data: [])
        case .good:
            return SCSIResponse()
        case .sense(let bytes):
            throw .checkCondition(command: command.name, sense: try SenseData(bytes: bytes))
        case .status(let status):
            throw .status(command: command.name, status: status)
        case .error(let error):
            throw error
        }
    }
}

extension DataDirection {
    var allocationLength: Int? {
        if case .fromDevice(let length) = self { return length }
        return nil
    }

    var dataOut: [UInt8]? {
        if case .toDevice(let bytes) = self { return bytes }
        return nil
    }
}

/// Runs a throwing expression and returns the typed error it threw, failing the test if
/// it returned instead.
func expectError<T>(
    _ body: () throws(SCSIError) -> T, file: StaticString = #filePath, line: UInt = #line
) -> SCSIError? {
    do {
        let value = try body()
        XCTFail("expected an error, got \(value)", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

/// Asserts `error` is `.malformed` (the only acceptable way a decoder refuses bytes).
func assertMalformed(_ error: SCSIError?, file: StaticString = #filePath, line: UInt = #line) {
    guard case .malformed = error else {
        XCTFail("expected .malformed, got \(String(describing: error))", file: file, line: line)
        return
    }
}
