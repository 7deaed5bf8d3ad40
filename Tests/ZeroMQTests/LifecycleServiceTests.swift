import Foundation
import Logging
import Synchronization
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing
import TestSupport
import ZeroMQ
import ZeroMQChannels

/// `Proxy` and `ZAPAuthenticator` as swift-service-lifecycle `Service`s.
@Suite("Devices as Services", .timeLimit(.minutes(1)))
struct LifecycleServiceTests {
    @Test func aProxyInAServiceGroupForwardsUntilTheGroupShutsDown() async throws {
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let (frontend, backend) = (uniqueInproc("front"), uniqueInproc("back"))
        let proxy = Proxy(context: context, kind: .forwarder, frontend: .bind(frontend), backend: .bind(backend))
        let group = ServiceGroup(services: [proxy], logger: Logger(label: "test.proxy-service"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(await eventually { proxy.isRunning })
            // Messages pass through it.
            let subscriber = try context.boundedSocket(.sub)
            try subscriber.subscribe("")
            try subscriber.connect(backend)
            let publisher = try context.boundedSocket(.pub)
            try publisher.connect(frontend)
            var received: String?
            let deadline = ContinuousClock.now + stallTolerantTimeout
            while received == nil, ContinuousClock.now < deadline {
                _ = try publisher.send("through", flags: .dontWait)
                received = try subscriber.receive(flags: .dontWait)?.string
                if received == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(received == "through")
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
        #expect(!proxy.isRunning)
        #expect(proxy.failure == nil)
    }

    @Test func aProxyServiceThrowsWhatEndedIt() async throws {
        let context = try Context(defaultLinger: .zero)
        let proxy = Proxy(
            context: context, kind: .forwarder, frontend: .bind(uniqueInproc("front")),
            backend: .bind(uniqueInproc("back")))
        await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await proxy.run() }
            #expect(await eventually { proxy.isRunning })
            context.shutdown()
            await #expect(throws: ZMQError.self) { try await tasks.next() }
        }
        #expect(proxy.failure?.code == .terminated)
    }

    @Test func aProxyStoppedBeforeItRanIsAnErrorNotAWait() async throws {
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let proxy = Proxy(
            context: context, kind: .forwarder, frontend: .bind(uniqueInproc("front")),
            backend: .bind(uniqueInproc("back")))
        try proxy.stop()
        let error = await #expect(throws: ZMQError.self) { try await proxy.run() }
        #expect(error?.code == .notRunning)
    }

    @Test func aCancelledProxyServiceStopsTheProxy() async throws {
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let proxy = Proxy(
            context: context, kind: .forwarder, frontend: .bind(uniqueInproc("front")),
            backend: .bind(uniqueInproc("back")))
        let running = Task { try await proxy.run() }
        #expect(await eventually { proxy.isRunning })
        running.cancel()
        try await running.value
        #expect(!proxy.isRunning)
    }
}

extension LifecycleServiceTests {
    @Test func anAuthenticatorInAServiceGroupAnswersUntilTheGroupShutsDown() async throws {
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let serverKeys = try CurveKeyPair.generate()
        let known = try CurveKeyPair.generate()
        let authenticator = ZAPAuthenticator(
            context: context, policy: ZAPPolicy(curveClients: .acceptOnly([known.publicKey])))
        let group = ServiceGroup(services: [authenticator], logger: Logger(label: "test.zap-service"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(await eventually { authenticator.isRunning })
            // It answers: a client with an unknown key is denied.
            let server = try context.boundedSocket(.push)
            try server.makeCurveServer(serverKeys)
            let endpoint = try server.bind("tcp://127.0.0.1:*")
            let stranger = try context.boundedSocket(.pull)
            try stranger.makeCurveClient(serverPublicKey: serverKeys.publicKey, keyPair: try CurveKeyPair.generate())
            try stranger.connect(endpoint)
            #expect(await eventually { authenticator.deniedCount >= 1 })
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
        #expect(!authenticator.isRunning)
    }

    @Test func anAuthenticatorServiceStopsWhenCancelledAndThrowsWhenItsContextShutsDown() async throws {
        let context = try Context(defaultLinger: .zero)
        let first = ZAPAuthenticator(context: context)
        let running = Task { try await first.run() }
        #expect(await eventually { first.isRunning })
        running.cancel()
        try await running.value
        #expect(!first.isRunning)

        let second = ZAPAuthenticator(context: context)
        let serving = Task { try await second.run() }
        #expect(await eventually { second.isRunning })
        context.shutdown()
        // Nobody answers ZAP requests from then on: the service says so.
        let error = await #expect(throws: ZMQError.self) { try await serving.value }
        #expect(error?.code == .notRunning)
        #expect(!second.isRunning)
    }
}

/// Channel consumers and the acknowledged sender as `Service`s.
extension LifecycleServiceTests {
    @Test func aPullerServiceHandsEveryItemToItsHandlerInOrderUntilTheGroupShutsDown() async throws {
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let handled = Mutex<[Int]>([])
        let service = ConsumerService(try Puller<OrderPlaced>(context: context, .bind(uniqueInproc()))) { received in
            handled.withLock { $0.append(received.event.id) }
        }
        let pusher = try Pusher<OrderPlaced>(context: context, .connect(service.endpoint))
        let group = ServiceGroup(services: [service], logger: Logger(label: "test.puller-service"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for id in 1...100 { try await pusher.push(OrderPlaced(id: id, item: "x"), to: "orders") }
            #expect(await eventually { handled.withLock { $0.count } == 100 })
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
        #expect(handled.withLock { $0 } == Array(1...100))
    }

    @Test func aSubscriberServiceHandsEveryEventToItsHandler() async throws {
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let publisher = try Publisher<OrderPlaced>(context: context, .bind(uniqueInproc()))
        let handled = Mutex<[Int]>([])
        let service = ConsumerService(
            try Subscriber<OrderPlaced>(context: context, .connect(publisher.endpoint), topics: ["orders"])
        ) { received in
            handled.withLock { $0.append(received.event.id) }
        }
        let group = ServiceGroup(services: [service], logger: Logger(label: "test.subscriber-service"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await publisher.waitForSubscribers(1, timeout: stallTolerantTimeout)
            for id in 1...10 { _ = try publisher.publish(OrderPlaced(id: id, item: "x"), to: "orders") }
            #expect(await eventually { handled.withLock { $0.count } == 10 })
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
        #expect(handled.withLock { $0 } == Array(1...10))
    }

    /// A graceful shutdown that comes while the handler is busy lets it finish,
    /// uncancelled, and takes nothing after it. (The test kit's trigger tells
    /// the service at once; a `ServiceGroup`'s reaches it a moment later.)
    @Test func aGracefulShutdownLetsTheHandlerFinishTheEventItIsOn() async throws {
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let (release, releasing) = AsyncStream.makeStream(of: Void.self)
        let (started, starting) = AsyncStream.makeStream(of: Void.self)
        let outcome = Mutex<(handled: [Int], cancelled: Bool?)>(([], nil))
        let service = ConsumerService(try Puller<OrderPlaced>(context: context, .bind(uniqueInproc()))) { received in
            starting.yield()
            // Waits for the test; a cancelled handler would stop waiting at once.
            for await _ in release { break }
            outcome.withLock {
                $0.handled.append(received.event.id)
                $0.cancelled = Task.isCancelled
            }
        }
        let pusher = try Pusher<OrderPlaced>(context: context, .connect(service.endpoint))
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await service.run() }
                try await pusher.push(OrderPlaced(id: 1, item: "x"), to: "orders")
                try await pusher.push(OrderPlaced(id: 2, item: "x"), to: "orders")
                for await _ in started { break }
                trigger.triggerGracefulShutdown()
                releasing.yield()
                try await tasks.next()
            }
        }
        let (handled, cancelled) = outcome.withLock { $0 }
        #expect(handled == [1])
        #expect(cancelled == false)
    }

    @Test func anAcknowledgedReceiverServiceAcknowledgesWhatItsHandlerReturned() async throws {
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let handled = Mutex<[Int]>([])
        let service = ConsumerService(
            try AcknowledgedReceiver<OrderPlaced>(context: context, .bind(uniqueInproc()))
        ) { batch in
            handled.withLock { $0 += batch.map(\.event.id) }
        }
        let sender = try AcknowledgedSender<OrderPlaced>(context: context, .connect(service.endpoint))
        defer { sender.close() }
        let group = ServiceGroup(services: [service], logger: Logger(label: "test.receiver-service"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for id in 1...500 { try await sender.send(OrderPlaced(id: id, item: "x"), to: "orders") }
            #expect(try await sender.waitUntilAcknowledged(timeout: stallTolerantTimeout))
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
        #expect(handled.withLock { $0 } == Array(1...500))
        #expect(sender.counters.acknowledged == 500)
    }

    /// On a graceful shutdown the sender waits for its events in flight to be
    /// acknowledged before it closes; closed at once, it would hold them unacknowledged.
    @Test func anAcknowledgedSenderServiceDrainsOnGracefulShutdown() async throws {
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let receiver = try AcknowledgedReceiver<OrderPlaced>(context: context, .bind(uniqueInproc()))
        var options = AcknowledgedSenderOptions()
        // Long enough for a stalled test process (see stallTolerantTimeout) to acknowledge in time.
        options.shutdownDrain = stallTolerantTimeout
        let sender = try AcknowledgedSender<OrderPlaced>(
            context: context, .connect(receiver.endpoint), options: options)
        let group = ServiceGroup(services: [sender], logger: Logger(label: "test.sender-service"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for id in 1...20 { try await sender.send(OrderPlaced(id: id, item: "x"), to: "orders") }
            await group.triggerGracefulShutdown()
            // Only now does anyone acknowledge them.
            var handled = 0
            let deadline = ContinuousClock.now + stallTolerantTimeout
            while handled < 20, ContinuousClock.now < deadline {
                handled += try await receiver.receiveBatch { _ in } ?? 0
            }
            #expect(handled == 20)
            try await tasks.next()
        }
        #expect(sender.counters.acknowledged == 20)
        #expect(sender.counters.inFlight == 0)
        await #expect(throws: ZMQError.self) { try await sender.send(OrderPlaced(id: 21, item: "x"), to: "orders") }
    }

    @Test func aConsumerServiceRunsOnce() async throws {
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let service = ConsumerService(try Puller<OrderPlaced>(context: context, .bind(uniqueInproc()))) { _ in }
        // Two runs race for the consumer: one gets it, the other throws at once.
        let runs = [Task { try await service.run() }, Task { try await service.run() }]
        var outcomes: [Result<Void, any Error>] = []
        for run in runs {
            // Cancellation ends the winner quietly; the loser has thrown already.
            run.cancel()
            outcomes.append(await run.result)
        }
        let failures = outcomes.compactMap { outcome -> ZMQError? in
            if case .failure(let error) = outcome { return error as? ZMQError }
            return nil
        }
        #expect(failures.map(\.code) == [.alreadyStarted])
        #expect(outcomes.count { if case .success = $0 { true } else { false } } == 1)
    }
}
