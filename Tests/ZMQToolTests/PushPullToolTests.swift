import Foundation
import Testing

extension ZMQToolSuite {
    @Suite("zmq push and zmq pull", .timeLimit(.minutes(2)))
    struct PushPullToolTests {
        @Test func pullPrintsEveryPushedMessage() async throws {
            let endpoint = ipcEndpoint()
            let pull = try ToolProcess(["pull", endpoint, "--count", "3"])
            let push = try await runTool(["push", endpoint, "job-1", "job-2", "job-3"])
            #expect(push.status == 0, "\(push.errorText)")
            let result = await pull.finish()
            #expect(result.status == 0)
            #expect(result.lines == ["job-1", "job-2", "job-3"])
        }

        @Test func pushReadsStandardInputAndSplitsFrames() async throws {
            let endpoint = ipcEndpoint()
            let pull = try ToolProcess(["pull", endpoint, "--count", "3", "--format", "json"])
            let input = Data("a|b|c\nsingle\n|\n".utf8)
            let push = try await runTool(["push", endpoint, "--multipart-separator", "|"], input: input)
            #expect(push.status == 0)
            let messages = try await pull.finish().lines.map(jsonObject)
            #expect(messages.map { $0["frame_count"] as? Int } == [3, 1, 2])
            #expect(texts(of: messages[0]) == ["a", "b", "c"])
            #expect(texts(of: messages[2]) == ["", ""])
        }

        @Test func pushWithTopicSendsTwoFrames() async throws {
            let endpoint = ipcEndpoint()
            let pull = try ToolProcess(["pull", "--bind", endpoint, "--count", "1"])
            await pause(.milliseconds(200))
            let push = try await runTool([
                "push", "--connect", endpoint, "--topic", "jobs", "--timeout", "10s", "resize",
            ])
            #expect(push.status == 0, "\(push.errorText)")
            #expect(await pull.finish().output == "jobs\tresize\n")
        }

        @Test func pushWithoutPullerGivesUpAtTheTimeout() async throws {
            let result = try await runTool(["push", ipcEndpoint(), "--timeout", "300ms", "lonely"])
            #expect(result.status == 1)
            #expect(result.errorLines.count == 1)
            #expect(result.errorText.contains("no puller"))
        }

        @Test func sigtermStopsPushWhichStillDeliversWhatItHadRead() async throws {
            let endpoint = ipcEndpoint()
            // Nothing listens yet, so the messages wait in push's queue: a
            // connecting PUSH queues for its peer from the start.
            let push = try ToolProcess(["push", "--connect", endpoint, "--linger", "20s"], keepingInputOpen: true)
            try push.writeInput(Data("one\ntwo\nthree\n".utf8))
            // Once push has read its input, those lines are its to deliver.
            #expect(await waitUntil { push.unreadInput == 0 })
            push.send(SIGTERM)
            let pull = try ToolProcess(["pull", "--bind", endpoint, "--count", "3", "--timeout", "10s"])
            let pushed = await push.finish(timeout: .seconds(25))
            #expect(!pushed.timedOut)
            #expect(pushed.status == 0, "\(pushed.errorText)")
            #expect(pushed.stderr.isEmpty)
            let pulled = await pull.finish()
            #expect(pulled.status == 0, "\(pulled.errorText)")
            #expect(pulled.lines == ["one", "two", "three"])
        }

        /// The first signal lets push deliver what it read (here it lingers:
        /// nobody pulls); a second one ends it at once, by the signal's default action.
        @Test func aSecondSignalEndsAPushThatLingers() async throws {
            let push = try ToolProcess(["push", "--connect", ipcEndpoint(), "--linger", "60s"], keepingInputOpen: true)
            try push.writeInput(Data("waiting\n".utf8))
            #expect(await waitUntil { push.unreadInput == 0 })
            push.send(SIGINT)
            // The first signal ends only the input: push lingers with what it read.
            #expect(!(await waitUntil(timeout: .seconds(1)) { push.hasEnded }), "the first SIGINT ends only the input")
            // Every half second, bounded: a signal that came before the first was taken in is not a second one.
            let deadline = ContinuousClock.now + .seconds(20)
            while !(await waitUntil(timeout: .milliseconds(500)) { push.hasEnded }), ContinuousClock.now < deadline {
                push.send(SIGINT)
            }
            #expect(push.termination == .signalled(SIGINT), "a second SIGINT must not wait for the 60 s linger")
            _ = await push.finish(timeout: .seconds(5))
        }

        @Test func sigtermStopsAPushWaitingForAPuller() async throws {
            let endpoint = ipcEndpoint()
            let push = try ToolProcess(["push", endpoint, "lonely"])
            // The socket file appears once push has bound, after its signal handling is in place.
            let socketFile = String(endpoint.dropFirst("ipc://".count))
            #expect(await waitUntil { FileManager.default.fileExists(atPath: socketFile) })
            push.send(SIGTERM)
            let result = await push.finish(timeout: .seconds(10))
            #expect(!result.timedOut)
            #expect(result.status == 0, "\(result.errorText)")
            #expect(result.stderr.isEmpty)
        }

        @Test func pullTimeoutWithNothingReceivedExitsThree() async throws {
            let result = try await runTool(["pull", ipcEndpoint(), "--timeout", "200ms"])
            #expect(result.status == 3)
            #expect(result.stdout.isEmpty)
            #expect(result.errorLines.count == 1)
        }

        @Test func aSignalStopsPullCleanly() async throws {
            let pull = try ToolProcess(["pull", "--bind", ipcEndpoint()])
            await pause(.milliseconds(300))
            pull.send(SIGTERM)
            let result = await pull.finish(timeout: .seconds(10))
            #expect(result.status == 0)
            #expect(!result.timedOut)
        }
    }
}

/// One line of `--format json` output, parsed.
func jsonObject(_ line: String) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(line.utf8))
    return try #require(value as? [String: Any], "not a JSON object: \(line)")
}

/// The `text` of each frame of a parsed JSON message (nil for base64 frames).
func texts(of message: [String: Any]) -> [String?] {
    (message["frames"] as? [[String: Any]] ?? []).map { $0["text"] as? String }
}
