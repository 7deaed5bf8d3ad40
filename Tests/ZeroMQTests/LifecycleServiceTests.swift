import Foundation
import Logging
import ServiceLifecycle
import Testing
import ZeroMQ

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
        try await withThrowingTaskGroup(of: Void.self) { tasks in
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

/// How long these tests wait for a proxy or an authenticator to come up and
/// pass a message: 30 s, not ``testTimeout``, because under ThreadSanitizer,
/// with every suite running at once on 2 cores, the whole test process has
/// stalled for 15–20 s at a time (a fresh-clone CI run of this suite timed
/// out at 10 s with nothing wrong but the wait).
private let stallTolerantTimeout: Duration = .seconds(30)

/// Polls `condition` every 10 ms, for at most ``stallTolerantTimeout``.
private func eventually(_ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + stallTolerantTimeout
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return true
}
