import Foundation
import Testing

extension ZMQToolSuite {
    @Suite("zmq req and zmq rep", .timeLimit(.minutes(2)))
    struct ReqRepToolTests {
        @Test func repEchoesAndReqPrintsEachReply() async throws {
            let endpoint = ipcEndpoint()
            let rep = try ToolProcess(["rep", endpoint, "--echo", "--count", "2"])
            let req = try await runTool(["req", endpoint, "ping", "pong"])
            #expect(req.status == 0, "\(req.errorText)")
            #expect(req.output == "ping\npong\n")
            let served = await rep.finish()
            #expect(served.status == 0)
            #expect(served.output == "ping\npong\n")
        }

        @Test func repExecRepliesWithTheCommandsOutput() async throws {
            let endpoint = ipcEndpoint()
            let rep = try ToolProcess(["rep", endpoint, "--exec", "tr a-z A-Z", "--count", "2"])
            let req = try await runTool(["req", endpoint], input: Data("hello\nworld\n".utf8))
            #expect(req.status == 0, "\(req.errorText)")
            #expect(req.output == "HELLO\nWORLD\n")
            #expect(await rep.finish().status == 0)
        }

        @Test func multipartRequestsKeepTheirFrames() async throws {
            let endpoint = try tcpEndpoint()
            let rep = try ToolProcess(["rep", endpoint, "--echo", "--count", "1"])
            let req = try await runTool(["req", endpoint, "a|b", "--multipart-separator", "|", "--format", "json"])
            #expect(req.status == 0, "\(req.errorText)")
            #expect(texts(of: try jsonObject(req.lines[0])) == ["a", "b"])
            #expect(await rep.finish().output == "a\tb\n")
        }

        @Test func repTimeoutWithNoRequestExitsThree() async throws {
            let result = try await runTool(["rep", ipcEndpoint(), "--echo", "--timeout", "200ms"])
            #expect(result.status == 3)
            #expect(result.errorLines.count == 1)
        }

        @Test func aSignalStopsRepCleanly() async throws {
            let rep = try ToolProcess(["rep", ipcEndpoint(), "--echo"])
            await pause(.milliseconds(300))
            rep.send(SIGINT)
            let result = await rep.finish(timeout: .seconds(10))
            #expect(result.status == 0)
            #expect(!result.timedOut)
        }
    }
}
