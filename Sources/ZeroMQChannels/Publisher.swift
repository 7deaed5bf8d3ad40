import Foundation
import Logging
import ZeroMQ

/// Publishes typed events to topics over PUB/SUB: every subscriber whose topic
/// matches receives each event (fan-out).
///
/// ```swift
/// let orders = try Publisher<OrderPlaced>(context: context, .bind("tcp://*:5556"))
/// try await orders.waitForSubscribers(2, timeout: .seconds(5))
/// try orders.publish(OrderPlaced(id: 7), to: "orders.placed")
/// ```
///
/// It is an XPUB socket underneath, so it can see subscribers join: each
/// ``Subscriber`` subscribes to a private `_zmq.join.<id>` topic, which
/// ``waitForSubscribers(_:timeout:)`` counts. That solves the slow-joiner
/// problem without sleeping. At the high-water mark a publisher does not block:
/// the event is dropped, counted in ``counters``, and `publish` returns `nil`.
///
/// Like `Socket`, a publisher belongs to one task or thread at a time.
public final class Publisher<Event: Encodable & Sendable> {
    /// The XPUB socket, for options such as `SocketOption.sendHighWaterMark`.
    public let socket: Socket
    /// The endpoint bound or connected, with the real port after binding to `*`.
    public let endpoint: String
    // Used by one task at a time (the class is not Sendable), so accesses
    // cannot overlap and the runtime exclusivity check is left out.
    @exclusivity(unchecked) @usableFromInline var writer: EventWriter<Event>
    private var joined = Set<[UInt8]>()
    @usableFromInline var publishesSinceDrain = 0
    private let logger: Logger
    /// What this publisher has sent and dropped.
    public var counters: ChannelCounters { tally }
    @usableFromInline var tally = ChannelCounters()
    @usableFromInline let metrics: ChannelMetrics?

    /// Creates a publisher.
    /// - Parameters:
    ///   - context: the context whose socket it uses.
    ///   - endpoint: where it binds (`.bind`) or connects (`.connect`).
    ///   - codec: how payloads are encoded: ``JSONEventCodec`` (the default) or
    ///     ``BinaryEventCodec``; both ends must agree.
    ///   - publisherID: this end's id in every envelope; keep it across restarts
    ///     to be recognised as the same publisher.
    ///   - logger: where binds, connects and problems are logged (`zeromq.channels` by default).
    ///   - eventType: the type name written into each envelope; the Swift type's name by default.
    ///   - schemaVersion: the version of `Event`'s schema, for consumers.
    ///   - metrics: where its counts are also reported (``ChannelMetrics``); `nil`, the default, for nowhere.
    ///   - configure: sets options on the socket before it binds or connects,
    ///     for those that only apply to new connections, such as
    ///     `SocketOption.sendHighWaterMark` or CURVE keys.
    public init(
        context: Context, _ endpoint: Endpoint, codec: any EventCodec = JSONEventCodec(),
        eventType: String? = nil, schemaVersion: UInt16 = 1, publisherID: UUID = UUID(),
        logger: Logger? = nil, metrics: ChannelMetrics? = nil, configure: (Socket) throws(ZMQError) -> Void = { _ in }
    ) throws(ZMQError) {
        let logger = logger ?? defaultChannelLogger
        self.metrics = metrics
        socket = try context.socket(.xpub)
        try socket.set(.xpubVerbose, true)
        try socket.set(.xpubNoDrop, true)
        try configure(socket)
        self.logger = logger
        self.endpoint = try endpoint.attach(socket, logger: logger, role: "publisher")
        writer = EventWriter(
            publisherID: publisherID, codec: codec, eventType: eventType, schemaVersion: schemaVersion)
    }

    /// This publisher's id, in every envelope it sends.
    public var publisherID: UUID { writer.publisherID }

    /// Publishes `event` to `topic` without blocking.
    ///
    /// The envelope carries `metadata` (``EventMetadata``: correlation and
    /// causation ids, say) and, when the caller runs inside a span, the trace
    /// context that swift-distributed-tracing's bootstrapped instrument
    /// injects, so that a consumer's span continues the trace
    /// (``ReceivedEvent/serviceContext``). With neither, the envelope is
    /// format version 1, which every reader reads.
    /// - Returns: the envelope sent, or `nil` when the event was dropped at the high-water mark.
    @inlinable @discardableResult
    public func publish(_ event: Event, to topic: Topic, metadata: EventMetadata = EventMetadata()) throws
        -> EventEnvelope?
    {
        publishesSinceDrain += 1
        if publishesSinceDrain >= 1024 { try drainSubscriptions() }
        let envelope = try writer.prepare(event, topic: topic, metadata: metadata)
        guard try writer.send(on: socket, flags: .dontWait) else {
            tally.dropped += 1
            metrics?.add(.dropped)
            return nil
        }
        writer.commit()
        tally.sent += 1
        metrics?.add(.sent)
        return envelope
    }

    /// The subscribers seen so far (``Subscriber``s announce themselves; other
    /// SUB sockets are not counted).
    public var subscriberCount: Int {
        get throws { try drainSubscriptions(); return joined.count }
    }

    /// Suspends until at least `count` subscribers have joined, so that no
    /// event published afterwards is lost to the slow-joiner problem.
    /// - Throws: ``ChannelError/timedOut(_:)`` after `timeout`.
    public func waitForSubscribers(_ count: Int, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        try drainSubscriptions()
        while joined.count < count {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                throw ChannelError.timedOut("\(joined.count) of \(count) subscribers joined \(endpoint)")
            }
            try await socket.waitFor(.readable, deadline: deadline)
            try drainSubscriptions()
        }
        logger.info("subscribers joined", metadata: ["endpoint": "\(endpoint)", "count": "\(joined.count)"])
    }

    @usableFromInline
    func drainSubscriptions() throws {
        publishesSinceDrain = 0
        while let frame = try socket.receive(flags: .dontWait) {
            guard let change = JoinTopic.change(in: frame.bytes) else { continue }
            if change.joined { joined.insert(change.subscriber) } else { joined.remove(change.subscriber) }
        }
    }
}
