import Foundation
import Testing

extension ZMQToolSuite {
    @Suite("zmq sub and zmq pub", .timeLimit(.minutes(2)))
    struct PubSubToolTests {
        @Test func subPrintsWhatPubSendsAfterWaitingForTheSubscriber() async throws {
            let endpoint = ipcEndpoint()
            let sub = try ToolProcess(["sub", endpoint, "orders.", "--count", "2"])
            let pub = try await runTool([
                "pub", endpoint, "--topic", "orders.placed", "--wait-subscribers", "1", "--timeout", "10s", "first",
                "second",
            ])
            #expect(pub.status == 0, "\(pub.errorText)")
            let received = await sub.finish()
            #expect(received.status == 0)
            #expect(received.output == "orders.placed\tfirst\norders.placed\tsecond\n")
            #expect(received.stderr.isEmpty)
        }

        @Test func subOnlyPrintsTheTopicsItSubscribedTo() async throws {
            let endpoint = ipcEndpoint()
            let sub = try ToolProcess(["sub", endpoint, "a.", "--count", "2"])
            let input = Data("b.|skipped\na.|kept\nab|skipped too\na.|again\n".utf8)
            let pub = try await runTool(
                ["pub", endpoint, "--multipart-separator", "|", "--wait-subscribers", "1", "--timeout", "10s"],
                input: input
            )
            #expect(pub.status == 0, "\(pub.errorText)")
            let received = await sub.finish()
            #expect(received.lines == ["a.\tkept", "a.\tagain"])
        }

        @Test func pubReadsStandardInputOneMessagePerLine() async throws {
            let endpoint = ipcEndpoint()
            let sub = try ToolProcess(["sub", endpoint, "--count", "3"])
            let pub = try await runTool(
                ["pub", endpoint, "--wait-subscribers", "1", "--timeout", "10s"], input: Data("one\n\nthree".utf8))
            #expect(pub.status == 0)
            #expect(await sub.finish().output == "one\n\nthree\n")
        }

        @Test func pubRepeatsItsMessagesCountTimesAtTheGivenRate() async throws {
            let endpoint = ipcEndpoint()
            let sub = try ToolProcess(["sub", endpoint, "--count", "6"])
            let start = ContinuousClock.now
            let pub = try await runTool([
                "pub", endpoint, "--wait-subscribers", "1", "--timeout", "10s", "--count", "3", "--rate", "50", "x",
                "y",
            ])
            #expect(pub.status == 0)
            #expect(await sub.finish().lines == ["x", "y", "x", "y", "x", "y"])
            // Six messages at 50 a second take at least 100 ms.
            #expect(ContinuousClock.now - start >= .milliseconds(100))
        }

        @Test func subCanBindAndPubConnect() async throws {
            let endpoint = try tcpEndpoint()
            let sub = try ToolProcess(["sub", "--bind", endpoint, "--count", "1"])
            let pub = try await runTool([
                "pub", "--connect", endpoint, "--wait-subscribers", "1", "--timeout", "10s", "hello",
            ])
            #expect(pub.status == 0, "\(pub.errorText)")
            let received = await sub.finish()
            #expect(received.output == "hello\n", "status \(received.status): \(received.errorText)")
        }

        @Test func subTimeoutWithNothingReceivedExitsThree() async throws {
            let result = try await runTool(["sub", ipcEndpoint(), "--timeout", "300ms"])
            #expect(result.status == 3)
            #expect(result.stdout.isEmpty)
            #expect(result.errorLines.count == 1)
            #expect(result.errorText.hasPrefix("zmq: "))
        }

        @Test func subTimeoutAfterSomethingArrivedExitsZero() async throws {
            let endpoint = ipcEndpoint()
            let sub = try ToolProcess(["sub", endpoint, "--timeout", "1s"])
            let pub = try await runTool(["pub", endpoint, "--wait-subscribers", "1", "--timeout", "10s", "only"])
            #expect(pub.status == 0)
            let received = await sub.finish()
            #expect(received.status == 0)
            #expect(received.output == "only\n")
            #expect(received.stderr.isEmpty)
        }

        @Test(arguments: [SIGINT, SIGTERM])
        func aSignalStopsSubCleanly(signal: Int32) async throws {
            let sub = try ToolProcess(["sub", ipcEndpoint()])
            await pause(.milliseconds(300))
            sub.send(signal)
            let result = await sub.finish(timeout: .seconds(10))
            #expect(!result.timedOut)
            #expect(result.status == 0)
            #expect(result.stderr.isEmpty)
        }

        @Test(arguments: [SIGINT, SIGTERM])
        func aSignalStopsPubReadingItsInputCleanly(signal: Int32) async throws {
            let pub = try ToolProcess(["pub", ipcEndpoint()], keepingInputOpen: true)
            try pub.writeInput(Data("first\n".utf8))
            #expect(await waitUntil { pub.unreadInput == 0 })  // pub is in its send loop, waiting for more
            pub.send(signal)
            let result = await pub.finish(timeout: .seconds(10))
            #expect(!result.timedOut)
            #expect(result.status == 0, "\(result.errorText)")
            #expect(result.stderr.isEmpty)
        }

        @Test func sigintStopsSubAlsoWhenStartedAsABackgroundJob() async throws {
            let sub = try ToolProcess(["sub", ipcEndpoint()], sigintIgnored: true)
            await pause(.milliseconds(300))
            sub.send(SIGINT)
            let result = await sub.finish(timeout: .seconds(10))
            #expect(!result.timedOut)
            #expect(result.status == 0)
        }

        @Test func pubWaitingForSubscribersGivesUpAtTheTimeout() async throws {
            let result = try await runTool(["pub", ipcEndpoint(), "--wait-subscribers", "2", "--timeout", "300ms", "x"])
            #expect(result.status == 1)
            #expect(result.errorLines.count == 1)
            #expect(result.errorText.contains("0 of 2 subscribers"))
        }
    }
}
