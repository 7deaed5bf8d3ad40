import Foundation
import Testing
import TestSupport
import ZeroMQ

/// Interop with pyzmq, a ZeroMQ binding nobody here wrote, run as a separate
/// process. `scripts/setup.sh` installs it into `.venv/`; set
/// `ZEROMQ_TEST_PYTHON` to use another interpreter that has `zmq`.
@Suite("Interop with pyzmq", .timeLimit(.minutes(1)))
struct InteropTests {
    @Test func pyzmqPublisherToSwiftSubscriberWithBinaryMultipartFrames() throws {
        let peer = try PythonPeer("pub", "50", script: "peer.py")
        let endpoint = try peer.readLine()
        let context = try Context()
        let sub = try context.boundedSocket(.sub)
        try sub.subscribe("interop.")
        try sub.connect(endpoint)
        for index in 0..<50 {
            let frames = try #require(try sub.receiveMultipart())
            #expect(frames.count == 3)
            #expect(frames[0].string == "interop.binary")
            let little = withUnsafeBytes(of: UInt32(index).littleEndian) { Array($0) }
            #expect(frames[1].bytes == [0, 0xFF, UInt8(index % 256), 0x80] + little)
            #expect(frames[2].string == "\(index)")
        }
        #expect(try peer.finish() == 0)
        try sub.set(.receiveTimeout, .milliseconds(200))
        #expect(try sub.receive() == nil)  // "other.topic" was filtered out
    }

    @Test func swiftPushToPyzmqPull() throws {
        let peer = try PythonPeer("pull", "20", script: "peer.py")
        let endpoint = try peer.readLine()
        let context = try Context()
        let push = try context.boundedSocket(.push)
        try push.connect(endpoint)
        var expected: [String] = []
        for index in 0..<20 {
            let payload: [UInt8] = [0, 1, UInt8(index), 0xFE]
            try push.sendMultipart([Array("job".utf8), payload])
            expected.append("6a6f62 " + payload.map { String(format: "%02x", $0) }.joined())
        }
        var lines: [String] = []
        for _ in 0..<20 { lines.append(try peer.readLine()) }
        #expect(lines == expected)
        #expect(try peer.finish() == 0)
    }

    @Test func swiftRequestToPyzmqReply() throws {
        let peer = try PythonPeer("rep", "10", script: "peer.py")
        let endpoint = try peer.readLine()
        let context = try Context()
        let req = try context.boundedSocket(.req)
        try req.connect(endpoint)
        for index in 0..<10 {
            try req.send("question \(index)")
            #expect(try req.expectString() == "python says: question \(index)")
        }
        #expect(try peer.finish() == 0)
    }

    @Test func pyzmqRequestToSwiftReply() throws {
        let context = try Context()
        let rep = try context.boundedSocket(.rep)
        let endpoint = try rep.bind("tcp://127.0.0.1:*")
        let peer = try PythonPeer("req", "10", endpoint, script: "peer.py")
        for _ in 0..<10 {
            let request = try rep.expectString()
            try rep.send("swift says: \(request)")
        }
        #expect(try peer.readLine() == "ok")
        #expect(try peer.finish() == 0)
    }
}
