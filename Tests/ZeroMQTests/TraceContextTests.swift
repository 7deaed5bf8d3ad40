import Foundation
import InMemoryTracing
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport
import Tracing
import ZeroMQ
import ZeroMQChannels

/// The one in-memory tracer of this test process: `InstrumentationSystem`
/// takes one bootstrap per process, so every test shares it and tells its
/// own spans by their trace id.
let testTracer: InMemoryTracer = {
    let tracer = InMemoryTracer()
    InstrumentationSystem.bootstrap(tracer)
    return tracer
}()

@Suite("Trace context and metadata in the envelope (format version 2)", .timeLimit(.minutes(1)))
struct TraceContextTests {
    @Test func anEnvelopeWithoutMetadataIsVersion1AndWithMetadataVersion2() throws {
        var envelope = EventEnvelope(
            eventID: UUID(), eventType: "PickedUp", publisherID: UUID(), sequence: 7,
            timestampNanoseconds: 1_700_000_000_000_000_000, schemaVersion: 1, codecID: 2)
        let plain = envelope.encoded()
        #expect(plain[0] == 1 && plain.count == 54 + 8)
        envelope.metadata = ["traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "a.b_c-d": "é"]
        let bytes = envelope.encoded()
        #expect(bytes[0] == 2)
        // The section, keys in ascending byte order: "a.b_c-d" before "traceparent".
        let section = Array(bytes[(54 + 8)...])
        #expect(section[0] == 2)
        #expect(Array(section[1...8]) == [7] + Array("a.b_c-d".utf8))
        #expect(Array(section[9...10]) == [0, 2])
        #expect(try bytes.withUnsafeBytes { try EventEnvelope(decoding: $0) } == envelope)
        #expect(try plain.withUnsafeBytes { try EventEnvelope(decoding: $0) }.metadata.isEmpty)
    }

    @Test func aMalformedMetadataSectionIsRejectedWithItsReason() throws {
        let envelope = EventEnvelope(
            eventID: UUID(), eventType: "X", publisherID: UUID(), sequence: 1, timestampNanoseconds: 0,
            schemaVersion: 1, codecID: 1, metadata: ["b": "1"])
        let head = Array(envelope.encoded().prefix(55))  // version 2, event type "X"
        func entry(_ key: [UInt8], _ value: [UInt8]) -> [UInt8] {
            [UInt8(key.count)] + key + [UInt8(value.count >> 8), UInt8(value.count & 0xFF)] + value
        }
        let cases: [(String, [UInt8])] = [
            ("no section", head),
            ("zero entries", head + [0]),
            ("33 entries", head + [33]),
            ("cut inside a key", head + [1, 5, 0x61]),
            ("keys out of order", head + [2] + entry([0x62], []) + entry([0x61], [])),
            ("a key twice", head + [2] + entry([0x61], []) + entry([0x61], [])),
            ("a control byte in a key", head + [1] + entry([0x61, 0x0A], [])),
            ("an empty key", head + [1] + entry([], [])),
            ("a value that is not UTF-8", head + [1] + entry([0x61], [0xC3, 0x28])),
            ("a value over 4096 bytes", head + [1] + entry([0x61], [UInt8](repeating: 0x41, count: 4_097))),
            ("bytes after the section", head + [1] + entry([0x61], [0x41]) + [0]),
            ("format version 3", [3] + head.dropFirst() + [1] + entry([0x61], [])),
        ]
        for (name, bytes) in cases {
            #expect(throws: ChannelError.self, "\(name)") { try bytes.withUnsafeBytes { try EventEnvelope(decoding: $0) } }
        }
        #expect(try (head + [1] + entry([0x61], [0x41])).withUnsafeBytes { try EventEnvelope(decoding: $0) }.metadata == ["a": "A"])
    }

    @Test func metadataHoldsItsRules() throws {
        #expect(throws: ChannelError.self) { try EventMetadata(["bad key": "x"]) }
        #expect(throws: ChannelError.self) { try EventMetadata(["": "x"]) }
        #expect(throws: ChannelError.self) { try EventMetadata([String(repeating: "k", count: 65): "x"]) }
        #expect(throws: ChannelError.self) { try EventMetadata(["k": String(repeating: "v", count: 4_097)]) }
        var many = EventMetadata()
        for index in 0..<EventMetadata.maximumCount { try many.set("k\(index)", "v") }
        #expect(throws: ChannelError.self) { try many.set("one-more", "v") }
        try many.set("k0", "replaced")  // replacing is not adding
        // Decoding holds the same rules: metadata read from JSON always fits an envelope.
        let decoder = JSONDecoder()
        #expect(try decoder.decode(EventMetadata.self, from: Data(#"{"a":"b"}"#.utf8)) == ["a": "b"])
        #expect(throws: DecodingError.self) { try decoder.decode(EventMetadata.self, from: Data(#"{"bad key":"b"}"#.utf8)) }
        let tooMany = (0...EventMetadata.maximumCount).map { "\"k\($0)\":\"v\"" }.joined(separator: ",")
        #expect(throws: DecodingError.self) { try decoder.decode(EventMetadata.self, from: Data("{\(tooMany)}".utf8)) }
        let ids = try EventMetadata(correlationID: "order-7", causationID: "e1")
        #expect(ids.correlationID == "order-7" && ids.causationID == "e1" && ids.traceparent == nil)
    }

    /// Published inside a span, an event carries the span's context; the
    /// consumer's span started from ``ReceivedEvent/serviceContext`` is its child.
    @Test func aSpanOnThePublishingSideIsTheParentOfTheConsumersSpan() async throws {
        let tracer = testTracer
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let publisher = try Publisher<OrderPlaced>(context: context, .bind(uniqueInproc()))
        let subscriber = try Subscriber<OrderPlaced>(context: context, .connect(publisher.endpoint), topics: ["orders"])
        try await publisher.waitForSubscribers(1, timeout: stallTolerantTimeout)
        let producerSpan = try withSpan("publish order 1") { span in
            _ = try publisher.publish(
                OrderPlaced(id: 1, item: "pizza"), to: "orders",
                metadata: try EventMetadata(correlationID: "order-1", causationID: nil))
            return span.context.inMemorySpanContext
        }
        _ = try publisher.publish(OrderPlaced(id: 2, item: "outside any span"), to: "orders")
        let traced = try #require(try await subscriber.next())
        let untraced = try #require(try await subscriber.next())
        let producer = try #require(producerSpan)
        #expect(traced.envelope.metadata.correlationID == "order-1")
        #expect(traced.envelope.metadata[InMemoryTracer.traceIDKey] == producer.traceID)
        #expect(untraced.envelope.metadata.isEmpty)
        withSpan("consume order 1", context: traced.serviceContext, ofKind: .consumer) { _ in }
        let consumer = try #require(
            tracer.finishedSpans.first { $0.operationName == "consume order 1" && $0.traceID == producer.traceID })
        #expect(consumer.spanContext.parentSpanID == producer.spanID)
        #expect(untraced.serviceContext.inMemorySpanContext == nil)
    }

    /// A `ConsumerService` runs its handler in the sender's context, so what
    /// the handler sends on carries the same trace: a chain across two channels.
    @Test func aConsumerServiceCarriesTheTraceOnToWhatItsHandlerSends() async throws {
        let tracer = testTracer
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let downstream = try Puller<OrderPlaced>(context: context, .bind(uniqueInproc()))
        let forward = try Pusher<OrderPlaced>(context: context, .connect(downstream.endpoint))
        let forwarding = Mutex(Optional(forward))
        let service = ConsumerService(try Puller<OrderPlaced>(context: context, .bind(uniqueInproc()))) { received in
            // The handler sends on, with no span and no context of its own.
            guard let forward = forwarding.withLock({ $0.take() }) else { return }
            try await forward.push(received.event, to: "forwarded")
        }
        let upstream = try Pusher<OrderPlaced>(context: context, .connect(service.endpoint))
        let group = ServiceGroup(services: [service], logger: Logger(label: "test.trace-forwarding"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let origin = try await withSpan("origin") { span in
                try await upstream.push(OrderPlaced(id: 9, item: "x"), to: "orders")
                return span.context.inMemorySpanContext
            }
            let forwarded = try #require(try await downstream.next())
            #expect(forwarded.envelope.metadata[InMemoryTracer.traceIDKey] == origin?.traceID)
            #expect(forwarded.serviceContext.inMemorySpanContext?.traceID == origin?.traceID)
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
        _ = tracer
    }

    @Test func theAcknowledgedChannelCarriesMetadataToTheReceiver() async throws {
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let receiver = try AcknowledgedReceiver<OrderPlaced>(context: context, .bind(uniqueInproc()))
        let sender = try AcknowledgedSender<OrderPlaced>(context: context, .connect(receiver.endpoint))
        let cause = UUID().uuidString
        try await sender.send(
            OrderPlaced(id: 3, item: "x"), to: "orders",
            metadata: try EventMetadata(correlationID: "order-3", causationID: cause))
        var received: [ReceivedEvent<OrderPlaced>] = []
        while received.isEmpty { try await receiver.receiveBatch(limit: 10) { batch in received += batch } }
        #expect(received.map(\.envelope.metadata) == [try EventMetadata(correlationID: "order-3", causationID: cause)])
        sender.close()
    }
}
