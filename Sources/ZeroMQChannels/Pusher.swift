import Foundation
import Logging
import ZeroMQ

/// Hands typed work items to pullers over PUSH/PULL: each event goes to exactly
/// one connected ``Puller``, round-robin (work distribution, not broadcast).
///
/// Unlike a publisher, a pusher never drops: at the high-water mark ``push(_:to:metadata:)``
/// suspends until a puller catches up. Like `Socket`, a pusher belongs to one
/// task at a time.
public final class Pusher<Event: Encodable & Sendable> {
    /// The PUSH socket, for options such as `SocketOption.sendHighWaterMark`.
    public let socket: Socket
    /// The endpoint bound or connected.
    public let endpoint: String
    // Used by one task at a time (the class is not Sendable), so accesses
    // cannot overlap and the runtime exclusivity check is left out.
    @exclusivity(unchecked) @usableFromInline var writer: EventWriter<Event>
    /// What this pusher has sent.
    public var counters: ChannelCounters { tally }
    @usableFromInline var tally = ChannelCounters()
    @usableFromInline let metrics: ChannelMetrics?

    /// Creates a pusher. Its parameters are a publisher's, and mean the same:
    /// see ``Publisher/init(context:_:codec:eventType:schemaVersion:publisherID:logger:metrics:configure:)``.
    public init(
        context: Context, _ endpoint: Endpoint, codec: any EventCodec = JSONEventCodec(),
        eventType: String? = nil, schemaVersion: UInt16 = 1, publisherID: UUID = UUID(),
        logger: Logger? = nil, metrics: ChannelMetrics? = nil, configure: (Socket) throws(ZMQError) -> Void = { _ in }
    ) throws(ZMQError) {
        self.metrics = metrics
        socket = try context.socket(.push)
        try configure(socket)
        self.endpoint = try endpoint.attach(socket, logger: logger ?? defaultChannelLogger, role: "pusher")
        writer = EventWriter(
            publisherID: publisherID, codec: codec, eventType: eventType, schemaVersion: schemaVersion)
    }

    /// This pusher's id, in every envelope it sends.
    public var publisherID: UUID { writer.publisherID }

    /// Sends `event` under `topic` to one puller, suspending while every
    /// puller's queue is full. Returns the envelope sent, which carries
    /// `metadata` and the caller's trace context, as ``Publisher/publish(_:to:metadata:)``'s does.
    @inlinable @discardableResult
    public func push(_ event: Event, to topic: Topic, metadata: EventMetadata = EventMetadata()) async throws
        -> EventEnvelope
    {
        let envelope = try writer.prepare(event, topic: topic, metadata: metadata)
        try await socket.whenReady(.writable) { () throws(ZMQError) in try writer.send(on: socket, flags: .dontWait) }
        writer.commit()
        tally.sent += 1
        metrics?.add(.sent)
        return envelope
    }
}
