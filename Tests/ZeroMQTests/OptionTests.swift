import Testing
import ZeroMQ

/// Every option round-trips through libzmq with its Swift type.
@Suite("Socket options")
struct OptionTests {
    let context: Context
    init() throws { context = try Context() }

    func roundTrip<Value: Equatable>(
        _ option: SocketOption<Value>, _ values: [Value], on type: SocketType = .dealer,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let socket = try context.socket(type)
        for value in values {
            try socket.set(option, value)
            #expect(try socket.get(option) == value, "\(option.name)", sourceLocation: sourceLocation)
        }
    }

    @Test func integerOptions() throws {
        try roundTrip(.sendHighWaterMark, [0, 1, 5000])
        try roundTrip(.receiveHighWaterMark, [0, 7, 100_000])
        try roundTrip(.sendBufferSize, [-1, 65536])
        try roundTrip(.receiveBufferSize, [-1, 131_072])
        try roundTrip(.backlog, [10, 500])
        try roundTrip(.tcpKeepaliveCount, [-1, 5])
        try roundTrip(.typeOfService, [0, 0x28])
        try roundTrip(.multicastRate, [100, 1000])
        try roundTrip(.multicastHops, [1, 4])
        try roundTrip(.multicastMaxTPDU, [1500, 9000])
        try roundTrip(.maxMessageSize, [-1, 0, 1 << 33])
        try roundTrip(.affinity, [0, 3, UInt64.max])
    }

    @Test func durationOptions() throws {
        try roundTrip(.linger, [nil, .zero, .milliseconds(250), .seconds(30)])
        try roundTrip(.receiveTimeout, [nil, .zero, .milliseconds(1500)])
        try roundTrip(.sendTimeout, [nil, .milliseconds(10)])
        try roundTrip(.reconnectInterval, [nil, .milliseconds(100), .seconds(2)])
        try roundTrip(.tcpKeepaliveIdle, [nil, .seconds(60)])
        try roundTrip(.tcpKeepaliveInterval, [nil, .seconds(5)])
        try roundTrip(.reconnectIntervalMax, [.zero, .seconds(10)])
        try roundTrip(.handshakeInterval, [.zero, .seconds(5)])
        try roundTrip(.connectTimeout, [.zero, .milliseconds(750)])
        try roundTrip(.tcpMaxRetransmitTimeout, [.zero, .seconds(3)])
        try roundTrip(.multicastRecoveryInterval, [.seconds(10), .milliseconds(500)])
        try roundTrip(.heartbeatInterval, [.zero, .seconds(1)])
        try roundTrip(.heartbeatTTL, [.zero, .seconds(3), .milliseconds(1500)])
        #expect(try context.socket(.dealer).get(.heartbeatTimeout) == nil)  // libzmq's -1 default
        try roundTrip(.heartbeatTimeout, [.seconds(2)])
    }

    @Test func subMillisecondTimeoutsRoundUpInsteadOfBecomingNonBlocking() throws {
        let socket = try context.socket(.pull)
        try socket.set(.receiveTimeout, .microseconds(500))
        #expect(try socket.get(.receiveTimeout) == .milliseconds(1))
        try socket.set(.tcpKeepaliveIdle, .milliseconds(1500))
        #expect(try socket.get(.tcpKeepaliveIdle) == .seconds(2))
        #expect(throws: ZMQError.self) { try socket.set(.receiveTimeout, .seconds(Int64.max)) }
    }

    @Test func flagOptions() throws {
        try roundTrip(.immediate, [true, false])
        try roundTrip(.ipv6, [true, false])
        try roundTrip(.conflate, [true, false], on: .pull)
        try roundTrip(.curveServer, [true, false])
        try roundTrip(.useFileDescriptor, [-1])
        try roundTrip(.plainServer, [true, false])
        try roundTrip(.tcpKeepalive, [nil, true, false])
        try roundTrip(.invertMatching, [true, false], on: .xpub)
    }

    @Test func bytesAndTextOptions() throws {
        try roundTrip(.routingID, [Array("worker-1".utf8), [0, 1, 2, 255]])
        try roundTrip(.zapDomain, ["global", "internal"])
        try roundTrip(.socksProxy, ["127.0.0.1:1080", ""])  // empty clears it
        try roundTrip(.bindToDevice, ["lo", ""])
        try roundTrip(.plainUsername, ["admin"])
        try roundTrip(.plainPassword, ["s3cret"])
        let key = (0..<32).map { UInt8($0) }
        try roundTrip(.curvePublicKey, [key])
        try roundTrip(.curveSecretKey, [key.reversed()])
        try roundTrip(.curveServerKey, [key])
    }

    @Test func writeOnlyOptionsAreAccepted() throws {
        let xpub = try context.socket(.xpub)
        for option: WriteOnlySocketOption<Bool> in [.xpubVerbose, .xpubVerboser, .xpubNoDrop, .xpubManual] {
            try xpub.set(option, true)
        }
        try xpub.set(.xpubWelcomeMessage, Array("welcome".utf8))
        let router = try context.socket(.router)
        for option: WriteOnlySocketOption<Bool> in [.routerMandatory, .routerHandover, .probeRouter] {
            try router.set(option, true)
        }
        try router.set(.connectRoutingID, Array("peer-a".utf8))
        let req = try context.socket(.req)
        try req.set(.requestCorrelate, true)
        try req.set(.requestRelaxed, true)
        let stream = try context.socket(.stream)
        try stream.set(.streamNotify, false)
        let dealer = try context.socket(.dealer)
        try dealer.set(.curveServer, true)
        #expect(try dealer.get(.mechanism) == .curve)
        let sub = try context.socket(.sub)
        try sub.set(.subscribe, Array("a".utf8))
        try sub.set(.unsubscribe, Array("a".utf8))
    }

    @Test func readOnlyOptionsDescribeTheSocket() throws {
        let pull = try context.socket(.pull)
        #expect(try pull.get(.type) == .pull)
        #expect(try pull.get(.mechanism) == .null)
        #expect(try pull.get(.receiveMore) == false)
        #expect(try pull.get(.threadSafe) == false)
        #expect(try pull.get(.fileDescriptor) >= 0)
        #expect(try pull.get(.events).isEmpty)
        let endpoint = try pull.bind("tcp://127.0.0.1:*")
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        #expect(!endpoint.hasSuffix(":*"))
        #expect(try pull.get(.lastEndpoint) == endpoint)
        let plain = try context.socket(.dealer)
        try plain.set(.plainUsername, "user")
        #expect(try plain.get(.mechanism) == .plain)
    }

    @Test func anOptionOnTheWrongSocketTypeIsAReadableError() throws {
        let push = try context.socket(.push)
        let error = #expect(throws: ZMQError.self) { try push.set(.subscribe, Array("x".utf8)) }
        #expect(error?.code == ZMQError.Code.invalidArgument)
        #expect(error?.description.contains("ZMQ_SUBSCRIBE") == true)
        #expect(error?.description.contains("Invalid argument") == true)
    }

    @Test func outOfRangeValuesAreRejectedBeforeReachingLibzmq() throws {
        let socket = try context.socket(.dealer)
        let error = #expect(throws: ZMQError.self) { try socket.set(.sendHighWaterMark, Int(Int32.max) + 1) }
        #expect(error?.description.contains("out of range") == true)
        #expect(throws: ZMQError.self) { try socket.set(.linger, .seconds(-1)) }
        #expect(throws: ZMQError.self) { try socket.set(.routingID, []) }  // 1 to 255 bytes
    }

    @Test func outOfRangeErrorsNameTheOptionNotItsValueKind() throws {
        let socket = try context.socket(.dealer)
        let linger = #expect(throws: ZMQError.self) { try socket.set(.linger, .seconds(-1)) }
        #expect(linger?.description.contains("zmq_setsockopt(ZMQ_LINGER, ") == true, "\(String(describing: linger))")
        let timeout = #expect(throws: ZMQError.self) { try socket.set(.handshakeInterval, .seconds(Int64.max)) }
        #expect(timeout?.description.contains("ZMQ_HANDSHAKE_IVL") == true, "\(String(describing: timeout))")
        let idle = #expect(throws: ZMQError.self) { try socket.set(.tcpKeepaliveIdle, .zero) }
        #expect(idle?.description.contains("ZMQ_TCP_KEEPALIVE_IDLE") == true, "\(String(describing: idle))")
        let hwm = #expect(throws: ZMQError.self) { try socket.set(.sendHighWaterMark, Int(Int32.max) + 1) }
        #expect(hwm?.description.contains("ZMQ_SNDHWM") == true, "\(String(describing: hwm))")
    }

    @Test func secretsNeverAppearInErrors() throws {
        let pub = try context.socket(.pub)
        pub.close()
        let closed = #expect(throws: ZMQError.self) { try pub.set(.plainPassword, "hunter2") }
        #expect(closed?.description.contains("hunter2") == false)
        let socket = try context.socket(.dealer)
        let long = String(repeating: "p", count: 300)  // libzmq rejects passwords over 255 bytes
        let error = #expect(throws: ZMQError.self) { try socket.set(.plainPassword, long) }
        #expect(error?.description.contains(long) == false)
        #expect(error?.description.contains("hidden") == true)
    }
}
