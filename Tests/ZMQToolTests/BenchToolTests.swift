import Foundation
import Testing

extension ZMQToolSuite {
    @Suite("zmq bench", .timeLimit(.minutes(2)))
    struct BenchToolTests {
        @Test func throughputSummaryInText() async throws {
            let result = try await runTool(["bench", "--count", "2000", "--size", "32"])
            #expect(result.status == 0, "\(result.errorText)")
            #expect(result.output.contains("pushpull over tcp: 2000 messages of 32 bytes"))
            #expect(result.output.contains("msg/s"))
        }

        @Test(arguments: [["--pattern", "pubsub", "--transport", "ipc"], ["--transport", "inproc"], ["--curve"]])
        func throughputAsJSON(options: [String]) async throws {
            let result = try await runTool(["bench", "--count", "2000", "--json"] + options)
            #expect(result.status == 0, "\(result.errorText)")
            let summary = try jsonObject(try #require(result.lines.first))
            #expect(summary["mode"] as? String == "throughput")
            #expect(summary["count"] as? Int == 2000)
            #expect((summary["messages_per_second"] as? Double ?? 0) > 0)
        }

        @Test func latencyPercentilesAsJSON() async throws {
            let result = try await runTool(["bench", "--latency", "--count", "200", "--json"])
            #expect(result.status == 0, "\(result.errorText)")
            let summary = try jsonObject(try #require(result.lines.first))
            #expect(summary["mode"] as? String == "latency")
            let times = try #require(summary["round_trip_us"] as? [String: Double])
            #expect(times["median"]! > 0)
            #expect(times["median"]! <= times["p90"]!)
            #expect(times["p99"]! <= times["max"]!)
        }

        @Test func latencyInText() async throws {
            let result = try await runTool(["bench", "--latency", "--count", "100"])
            #expect(result.status == 0)
            #expect(result.output.contains("median"))
            #expect(result.output.contains("p99"))
        }

        @Test func senderAndReceiverInTwoProcesses() async throws {
            let endpoint = try tcpEndpoint()
            let receiver = try ToolProcess([
                "bench", "--role", "receiver", "--bind", endpoint, "--count", "5000", "--json",
            ])
            let sender = try await runTool([
                "bench", "--role", "sender", "--connect", endpoint, "--count", "5000", "--json",
            ])
            #expect(sender.status == 0, "\(sender.errorText)")
            let received = await receiver.finish()
            #expect(received.status == 0, "\(received.errorText)")
            let summary = try jsonObject(try #require(received.lines.first))
            #expect(summary["role"] as? String == "receiver")
            #expect(summary["count"] as? Int == 5000)
        }

        @Test func latencyAgainstZmqRepEcho() async throws {
            let endpoint = ipcEndpoint()
            let rep = try ToolProcess(["rep", endpoint, "--echo", "--count", "100", "--format", "raw"])
            let result = try await runTool([
                "bench", "--latency", "--role", "sender", "--connect", endpoint, "--count", "100",
            ])
            #expect(result.status == 0, "\(result.errorText)")
            #expect(result.output.contains("100 round trips"))
            #expect(await rep.finish().status == 0)
        }
    }
}
