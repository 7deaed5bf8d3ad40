import Foundation
import Logging
import Metrics
import MetricsTestKit
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing
import TestSupport
import ZeroMQ
import ZeroMQChannels

/// Channel counters reported as swift-metrics, checked with its test backend.
@Suite("Channel metrics", .timeLimit(.minutes(1)))
struct ChannelMetricsTests {
    @Test func aPublisherAndASubscriberReportWhatTheyCountedWithTheirDimensions() async throws {
        let backend = TestMetrics()
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let publishing = ChannelMetrics(label: "orders_out", dimensions: [("topic_prefix", "orders")], factory: backend)
        let subscribing = ChannelMetrics(label: "orders_in", dimensions: [("topic_prefix", "orders")], factory: backend)
        let publisher = try Publisher<OrderPlaced>(context: context, .bind(uniqueInproc()), metrics: publishing)
        let subscriber = try Subscriber<OrderPlaced>(
            context: context, .connect(publisher.endpoint), topics: ["orders"], metrics: subscribing)
        try await publisher.waitForSubscribers(1, timeout: stallTolerantTimeout)
        for id in 1...1_000 { _ = try publisher.publish(OrderPlaced(id: id, item: "x"), to: "orders") }
        var received = 0
        while received < 1_000, try await subscriber.next() != nil { received += 1 }
        publishing.report()
        subscribing.report()

        let dimensions = [("topic_prefix", "orders")]
        let sent = try backend.expectCounter("orders_out_sent", dimensions)
        #expect(sent.totalValue == 1_000)
        // Handed to the backend in one increment, not one per event.
        #expect(sent.values == [1_000])
        #expect(try backend.expectCounter("orders_in_received", dimensions).totalValue == 1_000)
        #expect(try backend.expectCounter("orders_in_gaps", dimensions).totalValue == 0)
        // Nothing new, nothing reported: a second report adds no increment.
        subscribing.report()
        #expect(try backend.expectCounter("orders_in_received", dimensions).values == [1_000])
    }

    @Test func aPullerCountsWhatDoesNotDecode() async throws {
        let backend = TestMetrics()
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let metrics = ChannelMetrics(label: "jobs", factory: backend)
        let puller = try Puller<OrderPlaced>(context: context, .bind(uniqueInproc()), metrics: metrics)
        let raw = try context.boundedSocket(.push, timeout: stallTolerantTimeout)
        try raw.connect(puller.endpoint)
        try await raw.sendMultipart([Array("jobs".utf8), [1, 2, 3]])
        let pusher = try Pusher<OrderPlaced>(context: context, .connect(puller.endpoint))
        try await pusher.push(OrderPlaced(id: 1, item: "x"), to: "jobs")
        let received = try await puller.next()
        #expect(received?.event.id == 1)
        metrics.report()
        #expect(try backend.expectCounter("jobs_undecodable").totalValue == 1)
        #expect(try backend.expectCounter("jobs_received").totalValue == 1)
    }

    @Test func theAcknowledgedChannelReportsSentAcknowledgedAndInFlight() async throws {
        let backend = TestMetrics()
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let sending = ChannelMetrics(label: "facts_out", factory: backend)
        let receiving = ChannelMetrics(label: "facts_in", factory: backend)
        let receiver = try AcknowledgedReceiver<OrderPlaced>(
            context: context, .bind(uniqueInproc()), metrics: receiving)
        let sender = try AcknowledgedSender<OrderPlaced>(context: context, .connect(receiver.endpoint), metrics: sending)
        defer { sender.close() }
        for id in 1...100 { try await sender.send(OrderPlaced(id: id, item: "x"), to: "facts") }
        // Sent and not yet acknowledged: in flight.
        // Sent and in flight are added one after the other: wait for both.
        #expect(
            await eventually {
                sending.report()
                return (try? backend.expectCounter("facts_out_sent").totalValue) == 100
                    && (try? backend.expectGauge("facts_out_in_flight").lastValue) == 100
            })
        var handled = 0
        while handled < 100 { handled += try await receiver.receiveBatch { _ in } ?? 0 }
        #expect(try await sender.waitUntilAcknowledged(timeout: stallTolerantTimeout))
        sending.report()
        receiving.report()
        #expect(try backend.expectCounter("facts_out_acknowledged").totalValue == 100)
        #expect(try backend.expectGauge("facts_out_in_flight").lastValue == 0)
        #expect(try backend.expectCounter("facts_in_received").totalValue == 100)
        #expect(try backend.expectCounter("facts_in_acknowledged").totalValue == 100)
    }

    /// Run as a Service, it reports on its own every interval, and once more on shutdown.
    @Test func asAServiceItReportsEveryIntervalAndOnShutdown() async throws {
        let backend = TestMetrics()
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let metrics = ChannelMetrics(label: "work", interval: .milliseconds(20), factory: backend)
        let puller = try Puller<OrderPlaced>(context: context, .bind(uniqueInproc()))
        let pusher = try Pusher<OrderPlaced>(context: context, .connect(puller.endpoint), metrics: metrics)
        let group = ServiceGroup(services: [metrics], logger: Logger(label: "test.metrics"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await pusher.push(OrderPlaced(id: 1, item: "x"), to: "work")
            // Reported by the service, nobody calling report().
            #expect(await eventually { (try? backend.expectCounter("work_sent").totalValue) == 1 })
            try await pusher.push(OrderPlaced(id: 2, item: "x"), to: "work")
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
        #expect(try backend.expectCounter("work_sent").totalValue == 2)
    }
}

extension ChannelMetricsTests {
    /// With an interval longer than the test, only the report at shutdown can
    /// hand the count to the backend.
    @Test func asAServiceItReportsOnceMoreWhenItStops() async throws {
        let backend = TestMetrics()
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let metrics = ChannelMetrics(label: "late", interval: .seconds(3600), factory: backend)
        let puller = try Puller<OrderPlaced>(context: context, .bind(uniqueInproc()))
        let pusher = try Pusher<OrderPlaced>(context: context, .connect(puller.endpoint), metrics: metrics)
        // The test kit's trigger reaches the service whether or not its run has begun.
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await metrics.run() }
                try await pusher.push(OrderPlaced(id: 1, item: "x"), to: "late")
                trigger.triggerGracefulShutdown()
                try await tasks.next()
            }
        }
        #expect(try backend.expectCounter("late_sent").values == [1])
    }
}

/// Proxy traffic and authenticator decisions as swift-metrics.
extension ChannelMetricsTests {
    @Test func aProxysTrafficIsReportedAsCounters() async throws {
        let backend = TestMetrics()
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let proxy = Proxy(
            context: context, kind: .streamer, frontend: .bind(uniqueInproc("front")),
            backend: .bind(uniqueInproc("back")))
        let endpoints = try proxy.start()
        defer { try? proxy.stop() }
        let metrics = ProxyMetrics(proxy, dimensions: [("proxy", "jobs")], factory: backend)
        let push = try context.boundedSocket(.push, timeout: stallTolerantTimeout)
        try push.connect(endpoints.frontend)
        let pull = try context.boundedSocket(.pull, timeout: stallTolerantTimeout)
        try pull.connect(endpoints.backend)
        for index in 0..<10 { _ = try push.send("job \(index)", flags: []) }   // 5 bytes each
        // Received with await: a blocking receive would hold a thread of the cooperative pool.
        for _ in 0..<10 { _ = try await pull.receive() }
        await metrics.report()
        let dimensions = [("proxy", "jobs")]
        #expect(try backend.expectCounter("zeromq_proxy_frontend_messages_received", dimensions).totalValue == 10)
        #expect(try backend.expectCounter("zeromq_proxy_frontend_bytes_received", dimensions).totalValue == 50)
        #expect(try backend.expectCounter("zeromq_proxy_backend_messages_sent", dimensions).totalValue == 10)
        // Only what grew is added: a second report with no traffic adds nothing.
        await metrics.report()
        #expect(try backend.expectCounter("zeromq_proxy_backend_messages_sent", dimensions).values == [10])
    }

    @Test func anAuthenticatorCountsDenialsByMechanism() async throws {
        let backend = TestMetrics()
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let serverKeys = try CurveKeyPair.generate()
        let known = try CurveKeyPair.generate()
        let authenticator = ZAPAuthenticator(
            context: context, policy: ZAPPolicy(curveClients: .acceptOnly([known.publicKey])),
            metrics: AuthenticatorMetrics(dimensions: [("service", "store")], factory: backend))
        try authenticator.start()
        defer { authenticator.stop() }
        let server = try context.boundedSocket(.pull, timeout: stallTolerantTimeout)
        try server.makeCurveServer(serverKeys)
        let endpoint = try server.bind("tcp://127.0.0.1:*")
        let stranger = try context.boundedSocket(.push, timeout: stallTolerantTimeout)
        try stranger.makeCurveClient(serverPublicKey: serverKeys.publicKey, keyPair: try CurveKeyPair.generate())
        try stranger.connect(endpoint)
        let friend = try context.boundedSocket(.push, timeout: stallTolerantTimeout)
        try friend.makeCurveClient(serverPublicKey: serverKeys.publicKey, keyPair: known)
        try friend.connect(endpoint)
        _ = try friend.send("hello", flags: [])
        #expect(try await server.receive().string == "hello")
        #expect(await eventually { authenticator.deniedCount >= 1 })
        // The stranger keeps retrying: stop deciding before comparing the counts.
        authenticator.stop()
        let curve = [("service", "store"), ("mechanism", "CURVE")]
        #expect(try backend.expectCounter("zeromq_zap_denied", curve).totalValue == Int64(authenticator.deniedCount))
        #expect(try backend.expectCounter("zeromq_zap_allowed", curve).totalValue >= 1)
    }
}
