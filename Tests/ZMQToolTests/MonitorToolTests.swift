import Foundation
import Testing
import ZeroMQ

extension ZMQToolSuite {
    @Suite("zmq monitor", .timeLimit(.minutes(2)))
    struct MonitorToolTests {
        @Test func printsTheConnectionAndHandshake() async throws {
            let context = try Context()
            let router = try context.socket(.router)
            try router.set(.linger, .zero)
            let endpoint = try router.bind("tcp://127.0.0.1:*")
            let result = try await runTool(["monitor", endpoint, "--format", "json", "--count", "3", "--timeout", "2s"])
            #expect(result.status == 0, "\(result.errorText)")
            let events = try result.lines.map(jsonObject).compactMap { $0["event"] as? String }
            #expect(events.contains("connected"))
            #expect(events.contains("handshake_succeeded"))
        }

        @Test func printsRetriesWhenNothingListens() async throws {
            let endpoint = try tcpEndpoint()
            let result = try await runTool(["monitor", endpoint, "--count", "3"])
            #expect(result.status == 0)
            #expect(result.output.contains("connect retried"))
        }

        @Test func hexShowsTheMonitorFrames() async throws {
            let endpoint = try tcpEndpoint()
            let result = try await runTool(["monitor", endpoint, "--count", "1", "--format", "hex"])
            #expect(result.status == 0)
            #expect(result.output.hasPrefix("frame 1/2: 6 bytes\n"))
            #expect(result.output.contains("|\(endpoint.prefix(16))|"))
        }

        @Test func aSignalStopsMonitorCleanly() async throws {
            let monitor = try ToolProcess(["monitor", ipcEndpoint(), "--bind"])
            await pause(.milliseconds(300))
            monitor.send(SIGTERM)
            let result = await monitor.finish(timeout: .seconds(10))
            #expect(result.status == 0)
            #expect(!result.timedOut)
        }
    }
}
