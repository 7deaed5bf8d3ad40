import Foundation
import Testing
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

/// Proxy (zmq_proxy_steerable on a thread of its own) and Monitor
/// (zmq_socket_monitor as typed events). Every wait is bounded: sockets come
/// from `boundedSocket`, loops have deadlines, and the suite has a time limit.
@Suite("Devices", .timeLimit(.minutes(1)))
struct DeviceTests {
    // MARK: Forwarder

    /// A running forwarder with a publisher on its XSUB side, a subscriber on
    /// its XPUB side whose subscription has reached the publisher, and a PULL
    /// reading its PUSH capture.
    struct Bus {
        let proxy: Proxy
        let pub: Socket
        let sub: Socket
        let capture: Socket
    }

    func startBus(frontend: Endpoint = .bind("tcp://127.0.0.1:*"), backend: Endpoint = .bind("tcp://127.0.0.1:*")) throws -> Bus {
        let context = try Context(defaultLinger: .zero)
        let proxy = Proxy(
            context: context, kind: .forwarder, frontend: frontend, backend: backend,
            capture: .push(.bind(uniqueInproc())))
        let endpoints = try proxy.start()
        let capture = try context.boundedSocket(.pull)
        try capture.connect(try #require(endpoints.capture))
        let pub = try context.boundedSocket(.pub)
        try pub.connect(endpoints.frontend)
        let sub = try context.boundedSocket(.sub)
        try sub.subscribe()
        try sub.connect(endpoints.backend)
        try publishUntilDelivered(pub: pub, sub: sub)
        return Bus(proxy: proxy, pub: pub, sub: sub, capture: capture)
    }

    /// Beats the slow joiner: publishes probes until one arrives (so the
    /// subscription has travelled up through the proxy), then a sentinel, and
    /// reads up to the sentinel so no probe is left in the subscriber's queue.
    func publishUntilDelivered(pub: Socket, sub: Socket) throws {
        let deadline = ContinuousClock.now + testTimeout
        var poller = Poller()
        let item = poller.add(sub, for: .readable)
        while try poller.poll(timeout: .milliseconds(20))[item].isEmpty {
            try #require(ContinuousClock.now < deadline, "the subscription never reached the publisher")
            try pub.send("probe")
        }
        try pub.send("ready")
        while try sub.expectString() != "ready" {}
    }

    @Test func forwarderCarriesSubscriptionsUpAndMessagesDownAndCapturesACopy() throws {
        let bus = try startBus()
        let events = (0..<10).map { "event-\($0)" }
        for event in events { try bus.pub.send(event) }
        var delivered: [String] = []
        while delivered.count < events.count { delivered.append(try bus.sub.expectString()) }
        #expect(delivered == events)

        // The capture saw the subscription going up, the probes and the events
        // coming down, and the STATISTICS commands this test did not send:
        // keep only the events.
        var captured: [String] = []
        while captured.count < events.count {
            let copy = try bus.capture.expectString()
            if copy.hasPrefix("event-") { captured.append(copy) }
        }
        #expect(captured == events)
        try bus.proxy.stop()
    }

    @Test func statisticsCountMessagesAndBytesInEachDirection() throws {
        let bus = try startBus()
        let before = try bus.proxy.statistics()
        #expect(before.backend.messagesReceived >= 1)  // the subscription, going up
        #expect(before.frontend.messagesSent == before.backend.messagesReceived)

        let events = (0..<25).map { "event-\($0)" }
        for event in events { try bus.pub.send(event) }
        for _ in events { _ = try bus.sub.expectString() }
        let after = try bus.proxy.statistics()

        let bytes = UInt64(events.reduce(0) { $0 + $1.utf8.count })
        #expect(after.frontend.messagesReceived - before.frontend.messagesReceived == UInt64(events.count))
        #expect(after.frontend.bytesReceived - before.frontend.bytesReceived == bytes)
        #expect(after.backend.messagesSent - before.backend.messagesSent == UInt64(events.count))
        #expect(after.backend.bytesSent - before.backend.bytesSent == bytes)
        #expect(after.frontend.messagesReceived == after.backend.messagesSent)
        try bus.proxy.stop()
    }

    @Test func pauseHoldsMessagesAndResumeDeliversThem() throws {
        let bus = try startBus()
        try bus.proxy.pause()
        try bus.pub.send("held")
        try bus.sub.set(.receiveTimeout, .milliseconds(300))
        #expect(try bus.sub.receive() == nil)

        try bus.proxy.resume()
        try bus.sub.set(.receiveTimeout, testTimeout)
        #expect(try bus.sub.expectString() == "held")
        try bus.proxy.stop()
    }

    @Test func stopEndsTheThreadPromptlyAndASecondStopIsHarmless() throws {
        // Over inproc: a TCP port freed by the proxy may be taken at once by
        // another test's outgoing connection (its local port comes from the
        // same ephemeral range), while an inproc name is this test's alone.
        let bus = try startBus(frontend: .bind(uniqueInproc()), backend: .bind(uniqueInproc()))
        let endpoints = try #require(bus.proxy.endpoints)
        #expect(bus.proxy.isRunning)

        let stoppedAt = ContinuousClock.now
        try bus.proxy.stop()
        #expect(ContinuousClock.now - stoppedAt < .seconds(1))
        #expect(!bus.proxy.isRunning)
        #expect(bus.proxy.failure == nil)
        try bus.proxy.stop()

        // The proxy's sockets are closed: the name it was bound to is free again.
        // libzmq closes a socket in its reaper thread after zmq_close returns,
        // so the name is released a moment after stop(); bounded by testTimeout.
        let rebound = try bus.pub.context.boundedSocket(.pull)
        let deadline = ContinuousClock.now + testTimeout
        while true {
            do {
                try rebound.bind(endpoints.frontend)
                break
            } catch {
                let inUse = error.code == ZMQError.Code.addressInUse
                guard inUse, ContinuousClock.now < deadline else { throw error }
                Thread.sleep(forTimeInterval: 0.01)
            }
        }

        let pauseError = #expect(throws: ZMQError.self) { try bus.proxy.pause() }
        #expect(pauseError?.code == .notRunning)
        let startError = #expect(throws: ZMQError.self) { try bus.proxy.start() }
        #expect(startError?.code == .alreadyStarted)
        #expect(startError?.description.contains("(alreadyStarted)") == true)
    }

    @Test func releasingARunningProxyStopsIt() throws {
        let context = try Context(defaultLinger: .zero)
        var proxy: Proxy? = Proxy(
            context: context, kind: .forwarder, frontend: .bind("tcp://127.0.0.1:*"), backend: .bind("tcp://127.0.0.1:*"))
        let endpoints = try #require(proxy).start()
        proxy = nil
        let rebound = try context.boundedSocket(.pull)
        try rebound.bind(endpoints.backend)
    }

    // MARK: Streamer and queue

    @Test func streamerDeliversEveryMessageToExactlyOneWorker() throws {
        let context = try Context(defaultLinger: .zero)
        let proxy = Proxy(
            context: context, kind: .streamer, frontend: .bind("tcp://127.0.0.1:*"), backend: .bind(uniqueInproc()))
        let endpoints = try proxy.start()
        let workers = try (0..<2).map { _ in try context.boundedSocket(.pull) }
        for worker in workers { try worker.connect(endpoints.backend) }
        let producer = try context.boundedSocket(.push)
        try producer.connect(endpoints.frontend)

        let count = 200
        for index in 0..<count { try producer.send(frame(index)) }

        var poller = Poller()
        let items = workers.map { poller.add($0, for: .readable) }
        var received: [[Int]] = [[], []]
        let deadline = ContinuousClock.now + testTimeout
        while received.joined().count < count {
            try #require(ContinuousClock.now < deadline, "only \(received.joined().count) of \(count) arrived")
            let ready = try poller.poll(timeout: .milliseconds(100))
            for (index, item) in items.enumerated() where ready[item].contains(.readable) {
                while let message = try workers[index].receive(flags: .dontWait) {
                    received[index].append(number(message))
                }
            }
        }
        #expect(received.joined().sorted() == Array(0..<count))
        #expect(received.allSatisfy { !$0.isEmpty })  // dealt to both workers
        #expect(try poller.poll(timeout: .milliseconds(100)).isEmpty)  // and nothing twice
        try proxy.stop()
    }

    @Test func queueCarriesRequestsToWorkersAndRepliesBack() throws {
        let context = try Context(defaultLinger: .zero)
        let proxy = Proxy(
            context: context, frontendType: .router, backendType: .dealer, frontend: .bind(uniqueInproc()),
            backend: .bind(uniqueInproc()))
        #expect(proxy.kind == .queue)
        let endpoints = try proxy.start()
        let client = try context.boundedSocket(.req)
        try client.connect(endpoints.frontend)
        let worker = try context.boundedSocket(.rep)
        try worker.connect(endpoints.backend)

        try client.send("ping")
        #expect(try worker.expectString() == "ping")
        try worker.send("pong")
        #expect(try client.expectString() == "pong")
        try proxy.stop()
    }

    // MARK: Failures

    @Test func aPortInUseIsThrownFromStart() throws {
        let context = try Context(defaultLinger: .zero)
        let first = Proxy(
            context: context, kind: .streamer, frontend: .bind("tcp://127.0.0.1:*"), backend: .bind("tcp://127.0.0.1:*"))
        let taken = try first.start()

        let second = Proxy(
            context: context, kind: .streamer, frontend: .bind("tcp://127.0.0.1:*"), backend: .bind(taken.backend))
        let error = #expect(throws: ZMQError.self) { try second.start() }
        #expect(error?.code == ZMQError.Code.addressInUse)
        #expect(error?.operation.contains("proxy backend") == true)
        #expect(!second.isRunning)
        #expect(second.failure?.code == ZMQError.Code.addressInUse)
        try second.stop()

        _ = try first.statistics()  // the first proxy is unaffected
        try first.stop()
    }

    @Test func anErrorFromConfigureFailsStart() throws {
        let context = try Context(defaultLinger: .zero)
        let options = Proxy.Options(configure: { (role, socket) throws(ZMQError) in
            if role == .backend { try socket.set(.routingID, []) }  // libzmq rejects an empty routing id
        })
        let proxy = Proxy(
            context: context, kind: .streamer, frontend: .bind(uniqueInproc()), backend: .bind(uniqueInproc()),
            options: options)
        let error = #expect(throws: ZMQError.self) { try proxy.start() }
        #expect(error?.code == ZMQError.Code.invalidArgument)
    }

    @Test func contextShutdownEndsTheProxyWithTerminated() throws {
        let context = try Context(defaultLinger: .zero)
        let proxy = Proxy(
            context: context, kind: .forwarder, frontend: .bind(uniqueInproc()), backend: .bind(uniqueInproc()))
        try proxy.start()
        context.shutdown()
        let deadline = ContinuousClock.now + testTimeout
        while proxy.isRunning {
            try #require(ContinuousClock.now < deadline, "the proxy outlived its context")
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(proxy.failure?.isTerminated == true)
        let error = #expect(throws: ZMQError.self) { try proxy.statistics() }
        #expect(error?.isTerminated == true)
        try proxy.stop()
    }

    // MARK: Monitor

    /// Reads events until one of `kinds` arrives, skipping the others (libzmq
    /// may interleave, for example, CONNECT_DELAYED); fails after `testTimeout`.
    func expectEvent(
        _ kinds: SocketEvent.Kinds, from monitor: Monitor, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> SocketEvent {
        let deadline = ContinuousClock.now + testTimeout
        var skipped: [SocketEvent] = []
        while ContinuousClock.now < deadline {
            guard let event = try monitor.next(timeout: deadline - .now) else { break }
            if kinds.contains(event.kind) { return event }
            skipped.append(event)
        }
        Issue.record("no \(kinds) event; got \(skipped)", sourceLocation: sourceLocation)
        throw MissingEvent()
    }

    struct MissingEvent: Error {}

    @Test func serverMonitorReportsListeningAcceptedHandshakeDisconnectedAndClosed() throws {
        let context = try Context(defaultLinger: .zero)
        let server = try context.boundedSocket(.dealer)
        let monitor = try server.monitor()
        let endpoint = try server.bind("tcp://127.0.0.1:*")
        #expect(try expectEvent(.listening, from: monitor).endpoint == endpoint)

        let client = try context.boundedSocket(.dealer)
        try client.connect(endpoint)
        try client.send("hello")
        #expect(try server.expectString() == "hello")
        #expect(try expectEvent(.accepted, from: monitor).endpoint == endpoint)
        #expect(try expectEvent(.handshakeSucceeded, from: monitor).endpoint == endpoint)

        client.close()
        #expect(try expectEvent(.disconnected, from: monitor).endpoint == endpoint)

        server.close()
        #expect(try expectEvent(.closed, from: monitor).endpoint == endpoint)
        #expect(try expectEvent(.monitorStopped, from: monitor) == .monitorStopped(endpoint: ""))
        #expect(monitor.isFinished)
        #expect(try monitor.next(timeout: .zero) == nil)
    }

    @Test func clientMonitorReportsConnectedAndHandshakeAsAnAsyncSequence() async throws {
        let context = try Context(defaultLinger: .zero)
        let server = try context.boundedSocket(.router)
        let endpoint = try server.bind("tcp://127.0.0.1:*")
        let client = try context.boundedSocket(.dealer)
        let monitor = try client.monitor(events: [.connected, .handshakeSucceeded])
        try client.connect(endpoint)

        var seen: [SocketEvent.Kinds] = []
        for try await event in monitor.events {
            #expect(event.endpoint == endpoint)
            seen.append(event.kind)
            if event.kind == .handshakeSucceeded { break }
        }
        #expect(seen == [.connected, .handshakeSucceeded])

        try client.stopMonitor()
        var rest: [SocketEvent] = []
        for try await event in monitor.events { rest.append(event) }
        #expect(rest == [.monitorStopped(endpoint: "")])
        #expect(monitor.isFinished)
    }

    @Test func connectingToAClosedPortReportsConnectRetried() throws {
        let port = try reservedClosedPort()
        defer { close(port.descriptor) }
        let context = try Context(defaultLinger: .zero)
        let client = try context.boundedSocket(.dealer)
        try client.set(.reconnectInterval, .milliseconds(20))
        let monitor = try client.monitor(events: [.connectRetried, .connected])
        let endpoint = "tcp://127.0.0.1:\(port.number)"
        try client.connect(endpoint)

        let event = try expectEvent(.connectRetried, from: monitor)
        guard case .connectRetried(let retried, let interval) = event else {
            Issue.record("got \(event)")
            return
        }
        #expect(retried == endpoint)
        #expect(interval > .zero)
    }

    @Test func aMechanismMismatchIsAHandshakeProtocolError() throws {
        let context = try Context(defaultLinger: .zero)
        let server = try context.boundedSocket(.dealer)
        try server.set(.plainServer, true)
        let monitor = try server.monitor(events: .handshakeFailed)
        let endpoint = try server.bind("tcp://127.0.0.1:*")
        let client = try context.boundedSocket(.dealer)  // NULL mechanism
        try client.connect(endpoint)

        let event = try expectEvent(.handshakeFailed, from: monitor)
        #expect(event == .handshakeFailedProtocol(endpoint: endpoint, error: .zmtpMechanismMismatch))
    }

    @Test func contextShutdownEndsAMonitorReadOnAnotherTask() async throws {
        let context = try Context(defaultLinger: .zero)
        let server = try context.boundedSocket(.dealer)
        let monitor = try server.monitor()
        try server.bind("tcp://127.0.0.1:*")
        let reader = Task {
            var kinds: [SocketEvent.Kinds] = []
            for try await event in monitor.events { kinds.append(event.kind) }
            return kinds
        }
        try await Task.sleep(for: .milliseconds(50))
        context.shutdown()
        let kinds = try await reader.value
        #expect(kinds.first == .listening)
    }

    /// libzmq sends events blocking; a monitor released while its socket still
    /// publishes must not leave libzmq's reaper stuck on a send nobody reads.
    @Test func releasingAMonitorEarlyNeverStallsTheContext() throws {
        let context = try Context(defaultLinger: .zero)
        let server = try context.boundedSocket(.dealer)
        var early: Monitor? = try server.monitor()
        early?.close()
        #expect(try early?.next(timeout: .zero) == nil)
        early = nil
        for _ in 0..<3 { try server.bind("tcp://127.0.0.1:*") }
        Thread.sleep(forTimeInterval: 0.05)  // long enough for libzmq to notice the reader went
        server.close()

        // The reaper still works: closing another socket is reported.
        let other = try context.boundedSocket(.dealer)
        let monitor = try other.monitor(events: .closed)
        let endpoint = try other.bind("tcp://127.0.0.1:*")
        other.close()
        #expect(try expectEvent(.closed, from: monitor).endpoint == endpoint)
    }

    @Test func decodingChecksTheFramesLibzmqSends() throws {
        func eventFrame(_ id: UInt16, _ value: UInt32) -> [UInt8] {
            withUnsafeBytes(of: id) { Array($0) } + withUnsafeBytes(of: value) { Array($0) }
        }
        let endpoint = Array("tcp://127.0.0.1:5555".utf8)
        #expect(
            try SocketEvent(frames: [eventFrame(0x0004, 250), endpoint])
                == .connectRetried(endpoint: "tcp://127.0.0.1:5555", interval: .milliseconds(250)))
        #expect(
            try SocketEvent(frames: [eventFrame(0x2000, HandshakeProtocolError.zapBadVersion.rawValue), endpoint])
                == .handshakeFailedProtocol(endpoint: "tcp://127.0.0.1:5555", error: .zapBadVersion))
        #expect(
            try SocketEvent(frames: [eventFrame(0x4000, 400), endpoint])
                == .handshakeFailedAuth(endpoint: "tcp://127.0.0.1:5555", status: 400))
        #expect(
            try SocketEvent(frames: [eventFrame(0x8000, 7), []])
                == .unknown(id: 0x8000, value: 7, endpoint: ""))

        let short = #expect(throws: ZMQError.self) { try SocketEvent(frames: [[1, 0, 0], endpoint]) }
        #expect(short?.code == .malformedEvent)
        #expect(short?.operation.contains("first frame is 3 bytes, not 6; frame sizes [3, \(endpoint.count)]") == true)
        #expect(thrownCode { try SocketEvent(frames: [eventFrame(1, 0)]) } == .malformedEvent)
        #expect(thrownCode { try SocketEvent(frames: [eventFrame(1, 0), endpoint, []]) } == .malformedEvent)
        #expect(thrownCode { try SocketEvent(frames: []) } == .malformedEvent)
    }

    /// A TCP port on 127.0.0.1 that refuses connections: bound by a plain
    /// socket that never listens, so nothing else can take it meanwhile.
    func reservedClosedPort() throws -> (descriptor: Int32, number: UInt16) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        if !bound { close(descriptor) }
        try #require(bound)
        return (descriptor, UInt16(bigEndian: address.sin_port))
    }
}
