import Testing
import ZeroMQ

@Suite("Errors name what went wrong")
struct ErrorTests {
    let context: Context
    init() throws { context = try Context() }

    @Test func aMalformedEndpointNamesTheEndpoint() throws {
        let socket = try context.socket(.req)
        let error = #expect(throws: ZMQError.self) { try socket.connect("tcp://nohost:xx") }
        #expect(error?.code == ZMQError.Code.invalidArgument)
        #expect(error?.operation == "connect(\"tcp://nohost:xx\")")
        #expect(error?.description == "connect(\"tcp://nohost:xx\") failed: Invalid argument (EINVAL)")
    }

    @Test func anUnsupportedTransportIsProtocolNotSupported() throws {
        let socket = try context.socket(.pub)
        let error = #expect(throws: ZMQError.self) { try socket.bind("carrier-pigeon://coop") }
        #expect(error?.code == ZMQError.Code.protocolNotSupported)
        #expect(error?.description.contains("carrier-pigeon://coop") == true)
        #expect(error?.message == "Protocol not supported")
    }

    @Test func aPortInUseIsAddressInUse() throws {
        let first = try context.socket(.pull)
        let endpoint = try first.bind("tcp://127.0.0.1:*")
        let second = try context.socket(.pull)
        let error = #expect(throws: ZMQError.self) { try second.bind(endpoint) }
        #expect(error?.code == ZMQError.Code.addressInUse)
        #expect(error?.codeName == "EADDRINUSE")
        #expect(error?.description.contains(endpoint) == true)
    }

    /// Codes are values to catch by, compare and switch on, as swift-system's
    /// `Errno`; the module's own states have codes of their own, no errno's.
    @Test func aCodeCanBeCaughtComparedAndSwitchedOn() throws {
        let first = try context.socket(.pull)
        let endpoint = try first.bind("tcp://127.0.0.1:*")
        let second = try context.socket(.pull)
        var caught = false
        // With a last catch-all: Swift 6.3's compiler crashes on a typed-throws `do` whose catches are not exhaustive.
        do { try second.bind(endpoint) } catch ZMQError.Code.addressInUse { caught = true } catch {}
        #expect(caught)
        let bindAgain: () throws -> Void = { try second.bind(endpoint) }
        caught = false
        do { try bindAgain() } catch ZMQError.Code.addressInUse { caught = true } catch {}
        #expect(caught, "matched where the error is `any Error` too")
        #expect(ZMQError.Code.addressInUse ~= ZMQError(code: .addressInUse, operation: "bind"))
        #expect(!(ZMQError.Code.terminated ~= ZMQError(code: .addressInUse, operation: "bind")))
        do { try second.bind(endpoint) } catch {
            switch error.code {
            case .addressInUse: break
            default: Issue.record("switch did not match: \(error)")
            }
        }
        let own: [ZMQError.Code] = [.alreadyStarted, .notRunning, .threadDidNotReport, .malformedReply]
        #expect(Set(own).count == 4 && own.allSatisfy { $0.rawValue < 0 })
        #expect(own.map(\.name) == ["alreadyStarted", "notRunning", "threadDidNotReport", "malformedReply"])
        #expect(ZMQError.Code(rawValue: 12345).name == "errno 12345")
    }

    @Test func bindingAnInprocNameTwiceIsAddressInUse() throws {
        let name = uniqueInproc()
        let first = try context.socket(.pair)
        try first.bind(name)
        let second = try context.socket(.pair)
        #expect(throws: ZMQError(code: .addressInUse, operation: "bind(\"\(name)\")")) {
            try second.bind(name)
        }
    }

    @Test func unbindAndDisconnectOfUnknownEndpointsFail() throws {
        let socket = try context.socket(.dealer)
        #expect(throws: ZMQError.self) { try socket.unbind("tcp://127.0.0.1:1") }
        #expect(throws: ZMQError.self) { try socket.disconnect("tcp://127.0.0.1:1") }
    }

    @Test func sendingOnAReceiveOnlySocketIsNotSupported() throws {
        let sub = try context.socket(.sub)
        let error = #expect(throws: ZMQError.self) { try sub.send("nope") }
        #expect(error?.code == ZMQError.Code.notSupported)
        #expect(SocketType.sub.canSend == false)
        let push = try context.socket(.push)
        #expect(throws: ZMQError.self) { _ = try push.receive(flags: .dontWait) }
    }

    @Test func aMultipartWithNoFramesIsRejected() throws {
        let push = try context.socket(.push)
        #expect(throws: ZMQError.self) { try push.sendMultipart([String]()) }
    }

    @Test func unbindThenRebindFreesTheEndpoint() async throws {
        let socket = try context.socket(.pull)
        let endpoint = try socket.bind("tcp://127.0.0.1:*")
        try socket.unbind(endpoint)
        // libzmq closes the listener on its I/O thread, so the port frees soon after.
        let other = try context.socket(.pull)
        let deadline = ContinuousClock.now + testTimeout
        var rebound: String?
        while rebound == nil, ContinuousClock.now < deadline {
            rebound = try? other.bind(endpoint)
            if rebound == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(rebound == endpoint)
    }
}
