import Foundation
import Testing
import ZeroMQ

extension ZMQToolSuite {
    @Suite("CURVE secret keys: key files, the environment and descriptors", .timeLimit(.minutes(2)))
    struct SecretKeyToolTests {
        @Test(arguments: [0o644, 0o640, 0o620, 0o604])
        func aKeyFileWithASecretKeyOpenToOthersIsRefused(mode: Int) async throws {
            let folder = try TemporaryFolder()
            let path = folder.path + "/server.key"
            #expect(try await runTool(["keygen", "--output", path]).status == 0)
            #expect(chmod(path, mode_t(mode)) == 0)
            let result = try await runTool([
                "pub", ipcEndpoint(), "--curve-server", "--curve-key-file", path, "--linger", "0s", "hi",
            ])
            #expect(result.status == 2)
            #expect(result.errorLines.count == 1)
            #expect(result.errorText.contains("'\(path)'"), "\(result.errorText)")
            #expect(result.errorText.contains(String(format: "%04o", mode)), "\(result.errorText)")
            #expect(result.errorText.contains("chmod 600"), "\(result.errorText)")
        }

        @Test func aPrivateKeyFileIsAccepted() async throws {
            let folder = try TemporaryFolder()
            let path = folder.path + "/server.key"
            #expect(try await runTool(["keygen", "--output", path]).status == 0)
            let result = try await runTool([
                "pub", ipcEndpoint(), "--curve-server", "--curve-key-file", path, "--linger", "0s", "hi",
            ])
            #expect(result.status == 0, "\(result.errorText)")
        }

        @Test func aFileWithOnlyThePublicKeyMayBeReadableByAll() async throws {
            let folder = try TemporaryFolder()
            let path = folder.path + "/server.pub"
            let server = try CurveKeyPair.generate()
            try Data("public-key = \(server.publicKey.z85)\n".utf8).write(to: URL(fileURLWithPath: path))
            #expect(chmod(path, 0o644) == 0)
            let result = try await runTool(["sub", ipcEndpoint(), "--curve-server-key", path, "--timeout", "100ms"])
            #expect(result.status == 3, "\(result.errorText)")  // the key was taken; nothing arrived
        }

        @Test func theSecretKeyCanComeFromTheEnvironment() async throws {
            let server = try CurveKeyPair.generate()
            let reply = try await echoOverCurve(server: server) { endpoint in
                try ToolProcess(
                    ["rep", endpoint, "--echo", "--count", "1", "--timeout", "10s", "--curve-server"],
                    environment: ["ZMQ_CURVE_SECRET_KEY": server.secretKey.z85])
            }
            #expect(reply == "hello")
        }

        @Test(arguments: [true, false])
        func theSecretKeyCanComeFromAnInheritedDescriptor(asKeyFile: Bool) async throws {
            let server = try CurveKeyPair.generate()
            let folder = try TemporaryFolder()
            let path = folder.path + "/secret"
            let text = asKeyFile ? "secret-key = \"\(server.secretKey.z85)\"\n" : "\(server.secretKey.z85)\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            #expect(chmod(path, 0o600) == 0)
            let reply = try await echoOverCurve(server: server) { endpoint in
                try ToolProcess(
                    [
                        "rep", endpoint, "--echo", "--count", "1", "--timeout", "10s", "--curve-server",
                        "--curve-secret-key-fd", "3",
                    ], descriptor3: path)
            }
            #expect(reply == "hello")
        }

        @Test func aFlagWinsOverTheEnvironment() async throws {
            let folder = try TemporaryFolder()
            let path = folder.path + "/server.key"
            #expect(try await runTool(["keygen", "--output", path]).status == 0)
            let result = try await ToolProcess(
                ["pub", ipcEndpoint(), "--curve-server", "--curve-key-file", path, "--linger", "0s", "hi"],
                environment: ["ZMQ_CURVE_SECRET_KEY": "not a key"]
            ).finish()
            #expect(result.status == 0, "\(result.errorText)")
        }

        @Test func twoFlagsGivingTheSecretKeyAreAUsageErrorNamingBoth() async throws {
            let server = try CurveKeyPair.generate()
            let result = try await runTool([
                "pub", ipcEndpoint(), "--curve-server", "--curve-secret-key", server.secretKey.z85,
                "--curve-secret-key-fd", "0", "hi",
            ])
            #expect(result.status == 2)
            #expect(result.errorLines.count == 1)
            #expect(
                result.errorText.contains("--curve-secret-key-fd and --curve-secret-key exclude each other"),
                "\(result.errorText)")
            #expect(!result.errorText.contains(server.secretKey.z85))
        }

        @Test func theHelpWarnsThatTheCommandLineIsVisibleInPs() async throws {
            let result = try await runTool(["pub", "--help"])
            #expect(result.status == 0)
            let help = result.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(help.contains("visible to other users in `ps`"), "\(help)")
            #expect(help.contains("ZMQ_CURVE_SECRET_KEY"))
            #expect(help.contains("--curve-secret-key-fd"))
        }

        /// Starts the serving `rep` (made by `startServer` for an endpoint),
        /// sends it "hello" with `req` over CURVE trusting `server`'s public
        /// key, and returns the reply `req` printed.
        private func echoOverCurve(
            server: CurveKeyPair, startServer: (String) throws -> ToolProcess
        ) async throws -> String {
            let endpoint = ipcEndpoint()
            let rep = try startServer(endpoint)
            let req = try await runTool([
                "req", endpoint, "hello", "--timeout", "10s", "--curve-server-key=\(server.publicKey.z85)",
            ])
            let served = await rep.finish()
            #expect(served.status == 0, "\(served.errorText)")
            #expect(req.status == 0, "\(req.errorText)")
            return req.output.trimmingCharacters(in: .newlines)
        }
    }
}
