import Foundation
import Testing

extension ZMQToolSuite {
    @Suite("zmq req and zmq rep", .timeLimit(.minutes(2)))
    struct ReqRepToolTests {
        @Test func repEchoesAndReqPrintsEachReply() throws {
            let endpoint = ipcEndpoint()
            let rep = try ToolProcess(["rep", endpoint, "--echo", "--count", "2"])
            let req = try runTool(["req", endpoint, "ping", "pong"])
            #expect(req.status == 0, "\(req.errorText)")
            #expect(req.output == "ping\npong\n")
            let served = rep.finish()
            #expect(served.status == 0)
            #expect(served.output == "ping\npong\n")
        }

        @Test func repExecRepliesWithTheCommandsOutput() throws {
            let endpoint = ipcEndpoint()
            let rep = try ToolProcess(["rep", endpoint, "--exec", "tr a-z A-Z", "--count", "2"])
            let req = try runTool(["req", endpoint], input: Data("hello\nworld\n".utf8))
            #expect(req.status == 0, "\(req.errorText)")
            #expect(req.output == "HELLO\nWORLD\n")
            #expect(rep.finish().status == 0)
        }

        @Test func multipartRequestsKeepTheirFrames() throws {
            let endpoint = try tcpEndpoint()
            let rep = try ToolProcess(["rep", endpoint, "--echo", "--count", "1"])
            let req = try runTool(["req", endpoint, "a|b", "--multipart-separator", "|", "--format", "json"])
            #expect(req.status == 0, "\(req.errorText)")
            #expect(texts(of: try jsonObject(req.lines[0])) == ["a", "b"])
            #expect(rep.finish().output == "a\tb\n")
        }

        @Test func repTimeoutWithNoRequestExitsThree() throws {
            let result = try runTool(["rep", ipcEndpoint(), "--echo", "--timeout", "200ms"])
            #expect(result.status == 3)
            #expect(result.errorLines.count == 1)
        }

        @Test func aSignalStopsRepCleanly() throws {
            let rep = try ToolProcess(["rep", ipcEndpoint(), "--echo"])
            Thread.sleep(forTimeInterval: 0.3)
            rep.send(SIGINT)
            let result = rep.finish(timeout: .seconds(10))
            #expect(result.status == 0)
            #expect(!result.timedOut)
        }
    }
}
