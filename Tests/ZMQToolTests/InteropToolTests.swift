import Foundation
import Testing
import TestSupport

extension ZMQToolSuite {
    /// The tool against pyzmq (`Tests/Interop/cli_peer.py`), a ZeroMQ binding
    /// nobody here wrote, run as a separate process. `scripts/setup.sh` installs
    /// it into `.venv/`; `ZEROMQ_TEST_PYTHON` names another interpreter with `zmq`.
    @Suite("zmq against pyzmq", .timeLimit(.minutes(2)))
    struct InteropToolTests {
        @Test func pyzmqPublisherToZmqSub() async throws {
            let peer = try PythonPeer("pub", script: "cli_peer.py")
            let endpoint = try await peer.line()
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
            #expect(try await peer.exitStatus() == 0)
        }

        @Test func zmqPushToPyzmqPull() async throws {
            let peer = try PythonPeer("pull", "3", script: "cli_peer.py")
            let endpoint = try await peer.line()
            let push = try await runTool(
                ["push", "--connect", endpoint, "--multipart-separator", "|", "--timeout", "20s"],
                input: Data("job|1\nsolo\n|\n".utf8))
            #expect(push.status == 0, "\(push.errorText)")
            var lines: [String] = []
            for _ in 0..<3 { lines.append(try await peer.line()) }
            #expect(lines == ["6a6f62 31", "736f6c6f", " "])
            #expect(try await peer.exitStatus() == 0)
        }
    }
}
