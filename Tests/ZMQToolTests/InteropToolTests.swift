import Foundation
import Testing

extension ZMQToolSuite {
    /// The tool against pyzmq (`Tests/Interop/cli_peer.py`), a ZeroMQ binding
    /// nobody here wrote, run as a separate process. `scripts/setup.sh` installs
    /// it into `.venv/`; `ZEROMQ_TEST_PYTHON` names another interpreter with `zmq`.
    @Suite("zmq against pyzmq", .timeLimit(.minutes(2)))
    struct InteropToolTests {
        @Test func pyzmqPublisherToZmqSub() async throws {
            let peer = try PyzmqPeer("pub")
            let endpoint = try await peer.readLine()
            let sub = try await runTool(["sub", endpoint, "interop.", "--count", "3", "--format", "json"])
            #expect(sub.status == 0, "\(sub.errorText)")
            let messages = try sub.lines.map(jsonObject)
            #expect(messages.count == 3)
            #expect(messages.map { $0["topic"] as? String } == ["interop.binary", "interop.text", "interop.channel"])
            let binary = try #require((messages[0]["frames"] as? [[String: Any]])?.last?["base64"] as? String)
            #expect(Data(base64Encoded: binary) == Data([0, 0xFF, 0x80, 0x41]))
            #expect(texts(of: messages[1]) == ["interop.text", "héllo"])
            let envelope = try #require(messages[2]["envelope"] as? [String: Any])
            #expect(envelope["event_type"] as? String == "PythonEvent")
            #expect(envelope["sequence"] as? Int == 3)
            #expect((messages[2]["event"] as? [String: Any])?["from"] as? String == "python")
            #expect(try await peer.finish() == 0)
        }

        @Test func zmqPushToPyzmqPull() async throws {
            let peer = try PyzmqPeer("pull", "3")
            let endpoint = try await peer.readLine()
            let push = try await runTool(
                ["push", "--connect", endpoint, "--multipart-separator", "|", "--timeout", "20s"],
                input: Data("job|1\nsolo\n|\n".utf8))
            #expect(push.status == 0, "\(push.errorText)")
            var lines: [String] = []
            for _ in 0..<3 { lines.append(try await peer.readLine()) }
            #expect(lines == ["6a6f62 31", "736f6c6f", " "])
            #expect(try await peer.finish() == 0)
        }
    }
}

/// `Tests/Interop/cli_peer.py` under the test Python, with bounded reads.
final class PyzmqPeer {
    private let process = Process()
    private let output = Pipe()
    private var buffered = Data()

    init(_ arguments: String..., script: String = "cli_peer.py") throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let python =
            ProcessInfo.processInfo.environment["ZEROMQ_TEST_PYTHON"]
            ?? root.appendingPathComponent(".venv/bin/python").path
        try #require(
            FileManager.default.isExecutableFile(atPath: python),
            "no Python with pyzmq at \(python): run ./scripts/setup.sh")
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("Tests/Interop/\(script)").path] + arguments
        process.standardOutput = output
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// The next line the peer printed, waiting at most ``processTimeout``.
    func readLine() async throws -> String {
        let deadline = ContinuousClock.now + processTimeout
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffered[..<newline], as: UTF8.self)
                buffered.removeSubrange(...newline)
                return line
            }
            try #require(ContinuousClock.now < deadline, "the pyzmq peer printed no line in time")
            var descriptor = pollfd(fd: output.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else {
                await pause(.milliseconds(10))
                continue
            }
            let chunk = output.fileHandleForReading.availableData
            try #require(!chunk.isEmpty, "the pyzmq peer exited before printing a line")
            buffered.append(chunk)
        }
    }

    /// Waits (bounded) for the peer to exit and returns its status.
    func finish() async throws -> Int32 {
        let deadline = ContinuousClock.now + processTimeout
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                process.terminate()
                Issue.record("the pyzmq peer did not exit in time")
                break
            }
            await pause(.milliseconds(10))
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
