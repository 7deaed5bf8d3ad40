import Foundation
import Testing
import ZeroMQ

extension ZMQToolSuite {
    @Suite("zmq keygen and CURVE", .timeLimit(.minutes(2)))
    struct KeygenToolTests {
        @Test func keygenPrintsAMatchingKeyPairInZ85() async throws {
            let result = try await runTool(["keygen"])
            #expect(result.status == 0)
            #expect(result.lines.count == 2)
            let publicKey = try #require(result.lines.first?.split(separator: " = ").last.map(String.init))
            let secretKey = try #require(result.lines.last?.split(separator: " = ").last.map(String.init))
            #expect(result.lines[0].hasPrefix("public-key = "))
            #expect(result.lines[1].hasPrefix("secret-key = "))
            #expect(try Z85.decode(publicKey).count == 32)
            _ = try CurveKeyPair(publicKey: publicKey, secretKey: secretKey)  // throws unless they belong together
            #expect(try await runTool(["keygen"]).output != result.output)
        }

        @Test func keygenOutputWritesAPrivateFileAndPrintsThePublicKey() async throws {
            let path = NSTemporaryDirectory() + "zmq-tool-key-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: path) }
            let result = try await runTool(["keygen", "--output", path])
            #expect(result.status == 0)
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let file = try String(contentsOfFile: path, encoding: .utf8)
            #expect(file.contains(result.lines[0]))
            #expect(file.contains("secret-key = "))
            let again = try await runTool(["keygen", "--output", path])
            #expect(again.status == 1)
            #expect(again.errorText.contains("--force"))
        }

        @Test func forceReplacesAFileOpenToOthersByANewPrivateFile() async throws {
            let folder = try TemporaryFolder()
            let path = folder.path + "/server.key"
            let otherName = folder.path + "/old-name"
            try Data("old\n".utf8).write(to: URL(fileURLWithPath: path))
            #expect(chmod(path, 0o666) == 0)
            // A second name for the old file: writing into that file (rather
            // than a new one) would show the secret key there too.
            #expect(link(path, otherName) == 0)
            let result = try await runTool(["keygen", "--output", path, "--force"])
            #expect(result.status == 0, "\(result.errorText)")
            #expect(fileStatus(path).map { $0.st_mode & S_IFMT } == S_IFREG)
            #expect(fileStatus(path).map { $0.st_mode & 0o7777 } == 0o600)
            let file = try String(contentsOfFile: path, encoding: .utf8)
            #expect(file.contains(try #require(result.lines.first)))
            #expect(file.contains("secret-key = "))
            #expect(try String(contentsOfFile: otherName, encoding: .utf8) == "old\n")
            #expect(try folder.names() == ["old-name", "server.key"])
        }

        @Test func forceReplacesASymbolicLinkInsteadOfWritingThroughIt() async throws {
            let folder = try TemporaryFolder()
            let path = folder.path + "/server.key"
            let target = folder.path + "/target"
            try Data("someone else's file\n".utf8).write(to: URL(fileURLWithPath: target))
            #expect(chmod(target, 0o644) == 0)
            #expect(symlink(target, path) == 0)
            let result = try await runTool(["keygen", "--output", path, "--force"])
            #expect(result.status == 0, "\(result.errorText)")
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "someone else's file\n")
            #expect(fileStatus(target).map { $0.st_mode & 0o7777 } == 0o644)
            #expect(fileStatus(path).map { $0.st_mode & S_IFMT } == S_IFREG)
            #expect(fileStatus(path).map { $0.st_mode & 0o7777 } == 0o600)
            #expect(try String(contentsOfFile: path, encoding: .utf8).contains("secret-key = "))
            #expect(try folder.names() == ["server.key", "target"])
        }

        @Test func withoutForceAnExistingFileOrLinkIsRefusedAndLeftAlone() async throws {
            let folder = try TemporaryFolder()
            let path = folder.path + "/server.key"
            let link = folder.path + "/link.key"
            try Data("old\n".utf8).write(to: URL(fileURLWithPath: path))
            #expect(symlink(folder.path + "/nowhere", link) == 0)
            for existing in [path, link] {
                let result = try await runTool(["keygen", "--output", existing])
                #expect(result.status == 1)
                #expect(result.errorLines.count == 1)
                #expect(result.errorText.contains("'\(existing)'"), "\(result.errorText)")
                #expect(result.errorText.contains("--force"), "\(result.errorText)")
            }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
            #expect(try folder.names() == ["link.key", "server.key"])
        }

        @Test func curveSecuredPubSubWithAKeyFile() async throws {
            let path = NSTemporaryDirectory() + "zmq-tool-key-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: path) }
            let publicLine = try await runTool(["keygen", "--output", path]).lines[0]
            let serverKey = String(publicLine.dropFirst("public-key = ".count))
            let endpoint = try tcpEndpoint()
            let sub = try ToolProcess([
                "sub", endpoint, "--count", "1", "--connect-timeout", "20s", "--curve-server-key=\(serverKey)",
            ])
            let pub = try await runTool([
                "pub", endpoint, "--curve-server", "--curve-key-file", path, "--wait-subscribers", "1", "--timeout",
                "20s",
                "secret",
            ])
            #expect(pub.status == 0, "\(pub.errorText)")
            let received = await sub.finish()
            #expect(received.status == 0, "\(received.errorText)")
            #expect(received.output == "secret\n")
        }

        @Test func aWrongServerKeyFailsTheHandshakeClearly() async throws {
            let server = try CurveKeyPair.generate()
            let stranger = try CurveKeyPair.generate()
            let endpoint = ipcEndpoint()
            let rep = try ToolProcess([
                "rep", endpoint, "--echo", "--curve-server", "--curve-secret-key=\(server.secretKey.z85)", "--timeout",
                "5s",
            ])
            let result = try await runTool([
                "req", endpoint, "hello", "--timeout", "2s", "--curve-server-key=\(stranger.publicKey.z85)",
            ])
            #expect(result.status == 1)
            #expect(result.errorLines.count == 1)
            #expect(result.errorText.contains("handshake"), "\(result.errorText)")
            rep.send(SIGINT)
            _ = await rep.finish()
        }
    }
}

/// A fresh folder for one test's files, removed when the value goes away.
final class TemporaryFolder {
    let path = NSTemporaryDirectory() + "zmq-tool-test-\(UUID().uuidString)"

    init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false) }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The names in the folder, sorted; leftover temporary files show up here.
    func names() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }
}

/// The status of the file at `path` itself, not of what a symbolic link there points to.
func fileStatus(_ path: String) -> stat? {
    var status = stat()
    return lstat(path, &status) == 0 ? status : nil
}
