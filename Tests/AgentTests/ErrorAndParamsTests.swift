@testable import Agent
import Backends
import JSON
import SystemPackage
import XCTest

/// Error objects and request parameters: the parts of the protocol a test of the
/// running agent cannot reach (ESTALE needs an NFS export, `internal` a bug).
final class ErrorAndParamsTests: XCTestCase {
    func testEveryKindHasAFixedCodeAndItsNFS4Status() {
        var codes = Set<Int>()
        for kind in CopyErrorKind.allCases {
            let error = RPCError(kind, "message")
            XCTAssertTrue((-32099)...(-32000) ~= error.code, "\(kind)")
            XCTAssertTrue(codes.insert(error.code).inserted, "code of \(kind) is not unique")
            XCTAssertEqual(error.nfs4, kind.nfs4)
        }
        XCTAssertEqual(RPCError(CopyError(Errno.staleNFSFileHandle, doing: "pread", on: "f")).nfs4, "NFS4ERR_STALE")
        XCTAssertEqual(RPCError(CopyError(Errno.staleNFSFileHandle, doing: "pread", on: "f")).kind, .stale)
        XCTAssertEqual(RPCError(CopyError(Errno.diskQuotaExceeded, doing: "pwrite", on: "f", bytes: 8192)).nfs4, "NFS4ERR_DQUOT")
        XCTAssertEqual(RPCError(CopyError(Errno.diskQuotaExceeded, doing: "pwrite", on: "f", bytes: 8192)).bytes, 8192)
        XCTAssertEqual(RPCError(.internal, "bug").nfs4, "NFS4ERR_SERVERFAULT")
        let io = RPCError(CopyError(.io, "f: EIO", errno: .ioError, bytes: 4096))
        XCTAssertEqual(io.json["data"]?["bytes"]?.int64Value, 4096)
        XCTAssertEqual(io.json["data"]?["errno"]?.int64Value, Int64(EIO))
        XCTAssertEqual(RPCError(json: io.json)?.bytes, 4096)
    }

    func testParamsAreStrict() throws {
        let params = try JSONParser().parse(#"{"src":{"fd":0},"dst":{"path":"/x"},"count":5,"stable":true}"#)
        let p = try Params(method: "copy.start", params: params, allowed: ["src", "dst", "count", "stable"])
        XCTAssertEqual(try p.uint64("count", default: 0), 5)
        XCTAssertEqual(try p.bool("stable", default: false), true)
        XCTAssertEqual(try p.uint64("src_offset", default: 9), 9)
        guard case .descriptor(0)? = try p.fileRef("src") else { return XCTFail("src") }
        guard case .path("/x")? = try p.fileRef("dst") else { return XCTFail("dst") }
        XCTAssertThrowsError(try Params(method: "m", params: params, allowed: ["src"]))
        XCTAssertThrowsError(try Params(method: "m", params: .array([]), allowed: []))
        let bad = try JSONParser().parse(#"{"count":-1,"stable":"yes","src":{"fd":0,"path":"/x"},"dst":{"path":""}}"#)
        let q = try Params(method: "m", params: bad, allowed: ["count", "stable", "src", "dst"])
        XCTAssertThrowsError(try q.uint64("count", default: 0))
        XCTAssertThrowsError(try q.bool("stable", default: false))
        XCTAssertThrowsError(try q.fileRef("src"))
        XCTAssertThrowsError(try q.fileRef("dst"))
    }

    func testReceivedDescriptorsAreClosedUnlessHeld() throws {
        var pipeA: [Int32] = [0, 0], pipeB: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&pipeA), 0)
        XCTAssertEqual(pipe(&pipeB), 0)
        defer { close(pipeA[1]); close(pipeB[1]) }
        let received = ReceivedDescriptors([pipeA[0], pipeB[0]])
        var held: HeldDescriptor? = received.hold(1)
        XCTAssertNil(received.hold(2))
        received.closeUnheld()
        XCTAssertEqual(fcntl(pipeA[0], F_GETFD), -1, "an unheld descriptor stays open")
        XCTAssertNotEqual(fcntl(pipeB[0], F_GETFD), -1, "a held descriptor was closed early")
        XCTAssertNotNil(held)
        held = nil
        XCTAssertEqual(fcntl(pipeB[0], F_GETFD), -1, "a released descriptor stays open")
    }
}
