import Foundation
import Testing
import ZeroMQ

extension ZMQToolSuite {
    @Suite("zmq proxy", .timeLimit(.minutes(2)))
    struct ProxyToolTests {
        @Test func forwardsFromPublishersToSubscribersUntilInterrupted() async throws {
            let frontend = ipcEndpoint()
            let backend = ipcEndpoint()
            let proxy = try ToolProcess(["proxy", frontend, backend])
            let first = try ToolProcess(["sub", backend, "news.", "--count", "2"])
            let second = try ToolProcess(["sub", backend, "news.", "--count", "2"])
            let pub = try await runTool([
                "pub", "--connect", frontend, "--wait-subscribers", "2", "--timeout", "20s", "--topic", "news.today",
                "a", "b",
            ])
            #expect(pub.status == 0, "\(pub.errorText)")
            #expect(await first.finish().lines == ["news.today\ta", "news.today\tb"])
            #expect(await second.finish().lines == ["news.today\ta", "news.today\tb"])
            proxy.send(SIGINT)
            let stopped = await proxy.finish(timeout: .seconds(10))
            #expect(!stopped.timedOut)
            #expect(stopped.status == 0)
            #expect(stopped.errorText.isEmpty, "only warnings and worse are logged by default: \(stopped.errorText)")
        }

        @Test func logLevelInfoShowsTheLibrarysLogLines() async throws {
            let proxy = try ToolProcess(["proxy", ipcEndpoint(), ipcEndpoint(), "--log-level", "info"])
            #expect(await waitUntil(timeout: processTimeout) { proxy.errorSoFar.contains("proxy started") })
            proxy.send(SIGINT)
            let stopped = await proxy.finish(timeout: .seconds(10))
            #expect(stopped.status == 0)
            #expect(stopped.errorText.contains("proxy started"), "\(stopped.errorText)")
            #expect(stopped.errorText.contains("proxy stopped"), "\(stopped.errorText)")
        }

        @Test func anUnknownLogLevelIsAUsageError() async throws {
            let result = try await runTool(["proxy", ipcEndpoint(), ipcEndpoint(), "--log-level", "chatty"])
            #expect(result.status == 2)
            #expect(result.errorLines.count == 1)
            #expect(result.errorText.contains("chatty") && result.errorText.contains("trace, debug, info"))
        }

        @Test func pipelinePatternDealsJobsAndCapturesThem() async throws {
            let frontend = ipcEndpoint()
            let backend = ipcEndpoint()
            let capture = ipcEndpoint()
            let proxy = try ToolProcess(["proxy", frontend, backend, "--pattern", "pipeline", "--capture", capture])
            let context = try Context()
            let tap = try context.socket(.sub)
            try tap.set(.receiveTimeout, processTimeout)
            try tap.subscribe("job")
            try tap.connect(capture)
            let pull = try ToolProcess(["pull", backend, "--count", "10"])
            // The tap is a subscriber: give it time to join before the jobs flow.
            await pause(.milliseconds(500))
            let push = try await runTool(["push", "--connect", frontend, "--timeout", "20s", "--count", "10", "job"])
            #expect(push.status == 0, "\(push.errorText)")
            #expect(await pull.finish().lines == Array(repeating: "job", count: 10))
            #expect(try tap.receive()?.string == "job")
            proxy.send(SIGTERM)
            let stopped = await proxy.finish(timeout: .seconds(10))
            #expect(stopped.status == 0)
        }

        @Test func badBackendIsAUsageError() async throws {
            let result = try await runTool(["proxy", ipcEndpoint(), "nope://x"])
            #expect(result.status == 2)
            #expect(result.errorLines.count == 1)
            #expect(result.errorText.contains("nope"))
        }
    }
}
