import Foundation
import Testing
import ZeroMQ

/// Interop with pyzmq, a ZeroMQ binding nobody here wrote, run as a separate
/// process. `scripts/setup.sh` installs it into `.venv/`; set
/// `ZEROMQ_TEST_PYTHON` to use another interpreter that has `zmq`.
@Suite("Interop with pyzmq", .timeLimit(.minutes(1)))
struct InteropTests {
    @Test func pyzmqPublisherToSwiftSubscriberWithBinaryMultipartFrames() throws {
        let peer = try PythonPeer("pub", "50")
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
        let peer = try PythonPeer("pull", "20")
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
        let peer = try PythonPeer("rep", "10")
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
        let peer = try PythonPeer("req", "10", endpoint)
        for _ in 0..<10 {
            let request = try rep.expectString()
            try rep.send("swift says: \(request)")
        }
        #expect(try peer.readLine() == "ok")
        #expect(try peer.finish() == 0)
    }
}

/// `Tests/Interop/peer.py` running under the test Python, with bounded reads.
final class PythonPeer {
    let process = Process()
    private let output = Pipe()
    private var buffered = Data()

    init(_ arguments: String..., script: String = "peer.py") throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let python =
            ProcessInfo.processInfo.environment["ZEROMQ_TEST_PYTHON"]
            ?? root.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw PeerError("no Python with pyzmq at \(python): run ./scripts/setup.sh first")
        }
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("Tests/Interop/\(script)").path] + arguments
        process.standardOutput = output
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// The next line the peer printed, waiting at most ``testTimeout``.
    func readLine() throws -> String {
        let deadline = ContinuousClock.now + testTimeout
        while true {
            if let line = bufferedLine() { return line }
            guard ContinuousClock.now < deadline else { throw PeerError("peer printed no line in time") }
            _ = try readAvailable(waitingMilliseconds: 100)
        }
    }

    /// The next line the peer printed, as ``readLine()`` but for async tests:
    /// it sleeps between looks instead of blocking a thread of Swift's cooperative pool.
    func line() async throws -> String {
        let deadline = ContinuousClock.now + testTimeout
        while true {
            if let line = bufferedLine() { return line }
            guard ContinuousClock.now < deadline else { throw PeerError("peer printed no line in time") }
            if try !readAvailable(waitingMilliseconds: 0) { try await Task.sleep(for: .milliseconds(10)) }
        }
    }

    /// The first whole line read and not yet returned, if any.
    private func bufferedLine() -> String? {
        guard let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = String(decoding: buffered[..<newline], as: UTF8.self)
        buffered.removeSubrange(...newline)
        return line
    }

    /// Reads what the peer has printed, waiting at most `waitingMilliseconds`
    /// for it; `false` when nothing came. Throws once the peer has exited.
    private func readAvailable(waitingMilliseconds: Int32) throws -> Bool {
        var poller = pollfd(fd: output.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, waitingMilliseconds) > 0 else { return false }
        let chunk = output.fileHandleForReading.availableData
        if chunk.isEmpty { throw PeerError("peer exited before printing a line") }
        buffered.append(chunk)
        return true
    }

    /// Waits (bounded) for the peer to exit and returns its status, as
    /// ``finish()`` but sleeping between looks.
    func exitStatus() async throws -> Int32 {
        let deadline = ContinuousClock.now + testTimeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw PeerError("peer did not exit in time")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// Waits (bounded) for the peer to exit and returns its status.
    func finish() throws -> Int32 {
        let deadline = ContinuousClock.now + testTimeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw PeerError("peer did not exit in time")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return process.terminationStatus
    }
}

struct PeerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
