import Foundation
import Testing
import ZeroMQ

extension ZMQToolSuite {
    @Suite("Errors: one line on standard error, and an exit code", .timeLimit(.minutes(2)))
    struct ErrorToolTests {
        /// A usage error: exit code 2, nothing on standard output, and one
        /// `zmq: ` line on standard error that names the value at fault.
        static let usageErrors: [(arguments: [String], named: String)] = [
            (["sub", "tcp://nohost:xx"], "tcp://nohost:xx"),
            (["pull", "foo://bar"], "foo"),
            (["push", "just-a-name", "x"], "just-a-name"),
            (["req", "tcp://127.0.0.1:*", "x"], "tcp://127.0.0.1:*"),
            (["sub", "ipc:///tmp/x", "--timeout", "5x"], "5x"),
            (["pub", "ipc:///tmp/x", "--delay", "2"], "'2'"),
            (["sub", "tcp://127.0.0.1:5555", "--curve-server-key", "abc"], "abc"),
            (["rep", "ipc:///tmp/x", "--echo", "--curve-server", "--curve-secret-key", "short"], "secret key"),
            (["sub", "ipc:///tmp/x", "--curve-server", "--curve-key-file", "/nonexistent/key"], "/nonexistent/key"),
            (["sub", "ipc:///tmp/x", "--bogus"], "--bogus"),
            (["pull", "ipc:///tmp/x", "--format", "xml"], "xml"),
            (["monitor", "ipc:///tmp/x", "--type", "socket"], "socket"),
            (["rep", "ipc:///tmp/x"], "--echo"),
            (["bench", "--count", "0"], "0"),
            (["frobnicate"], "frobnicate"),
        ]

        @Test(arguments: usageErrors)
        func badArgumentsAreOneLineAndExitCodeTwo(arguments: [String], named: String) async throws {
            let result = try await runTool(arguments, timeout: .seconds(20))
            #expect(result.status == 2, "\(arguments): \(result.errorText)")
            #expect(result.stdout.isEmpty)
            #expect(result.errorLines.count == 1, "\(result.errorText)")
            #expect(result.errorText.hasPrefix("zmq: "))
            #expect(result.errorText.contains(named), "\(result.errorText)")
            #expect(!result.errorText.contains("Usage"))
        }

        @Test func unreachableEndpointFailsAtTheConnectTimeout() async throws {
            let endpoint = try tcpEndpoint()
            let result = try await runTool(["sub", endpoint, "--connect-timeout", "300ms"])
            #expect(result.status == 1)
            #expect(result.errorLines.count == 1)
            #expect(result.errorText.contains("no connection to \(endpoint)"))
        }

        @Test func requestWithNobodyListeningFailsAtTheTimeout() async throws {
            let endpoint = try tcpEndpoint()
            let result = try await runTool(["req", endpoint, "ping", "--timeout", "300ms"])
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty)
            #expect(result.errorLines.count == 1)
            #expect(result.errorText.contains("no connection to \(endpoint)"))
        }

        @Test func bindingAnAddressInUseIsARuntimeFailure() async throws {
            let context = try Context()
            let holder = try context.socket(.pull)
            try holder.set(.linger, .zero)
            let endpoint = try holder.bind("tcp://127.0.0.1:*")
            let result = try await runTool(["push", endpoint, "x"])
            #expect(result.status == 1)
            #expect(result.errorLines.count == 1)
            #expect(result.errorText.contains("Address already in use"))
            #expect(result.errorText.contains(endpoint))
        }

        @Test(arguments: [["--help"], ["sub", "--help"], ["help", "pub"], ["bench", "-h"]])
        func helpGoesToStandardOutputWithExitCodeZero(arguments: [String]) async throws {
            let result = try await runTool(arguments)
            #expect(result.status == 0)
            #expect(result.output.contains("USAGE: zmq"))
            #expect(result.output.contains("Examples:"))
            #expect(result.stderr.isEmpty)
        }
    }
}
