import Testing
import ZeroMQ

@Suite("Context")
struct ContextTests {
    @Test func settingsAreAppliedAndReadBack() throws {
        let context = try Context(ioThreads: 2, maxSockets: 64, ipv6: true)
        #expect(context.ioThreads == 2)
        #expect(context.maxSockets == 64)
        #expect(context.ipv6)
        #expect(context.socketLimit >= 64)
    }

    @Test func everySocketTypeCanBeCreatedAndReportsItsType() throws {
        let context = try Context()
        for type in SocketType.allCases {
            let socket = try context.socket(type)
            #expect(try socket.get(.type) == type)
            #expect(socket.type == type)
        }
    }

    @Test func maxSocketsIsEnforcedWithATypedError() throws {
        let context = try Context(maxSockets: 2)
        let first = try context.socket(.pair)
        let second = try context.socket(.pair)
        let error = #expect(throws: ZMQError.self) { _ = try context.socket(.pair) }
        #expect(error?.code == ZMQError.Code.tooManySockets)
        _ = (first, second)
    }

    @Test func shutdownEndsABlockingReceiveWithTerminated() async throws {
        let context = try Context()
        let receiver = Task {
            try await onThread { () -> ZMQError? in
                do {
                    let pull = try context.socket(.pull)
                    try pull.set(.receiveTimeout, testTimeout)
                    _ = try pull.receive()
                    return nil
                } catch let error as ZMQError {
                    return error
                }
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        context.shutdown()
        context.shutdown()  // idempotent
        let error = try await receiver.value
        #expect(error?.isTerminated == true)
        #expect(error?.codeName == "ETERM")
        #expect(context.isShutDown)
    }

    @Test func closeIsIdempotentAndLaterCallsThrowNotSocket() throws {
        let context = try Context()
        let socket = try context.socket(.push)
        socket.close()
        socket.close(linger: .zero)
        #expect(socket.isClosed)
        let error = #expect(throws: ZMQError.self) { try socket.send("x") }
        #expect(error?.code == .notSocket)
        #expect(error?.description.contains("closed PUSH socket") == true)
    }

    /// libzmq's classic hang: terminating a context while messages are queued
    /// to a peer that never comes. With linger 0 every cycle must end promptly.
    @Test(.timeLimit(.minutes(1)))
    func hundredCyclesOfConnectSendTerminateNeverHang() throws {
        for cycle in 0..<100 {
            let context = try Context()
            let push = try context.socket(.push)
            try push.set(.sendTimeout, .zero)
            try push.connect("tcp://127.0.0.1:1")  // nobody listens on port 1
            let dealer = try context.socket(.dealer)
            try dealer.connect(uniqueInproc("cycle\(cycle)"))
            for index in 0..<10 {
                _ = try push.send(frame(index), flags: .dontWait)
                _ = try dealer.send(frame(index), flags: .dontWait)
            }
            push.close(linger: .zero)
            dealer.close(linger: .zero)
            context.shutdown()
            // The context is terminated (zmq_ctx_term) when released here.
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func contextDefaultLingerAppliesToNewSocketsSoReleaseNeverHangs() throws {
        for _ in 0..<20 {
            let context = try Context(defaultLinger: .zero)
            let push = try context.socket(.push)
            #expect(try push.get(.linger) == .zero)
            try push.connect("tcp://127.0.0.1:1")
            _ = try push.send("pending", flags: .dontWait)
            // Released without close: deinit closes, the context terminates.
        }
    }
}
