import Foundation
import Logging
import ZeroMQ

/// Receives typed events from publishers over PUB/SUB, for the topics it
/// subscribes to, as an async sequence.
///
/// ```swift
/// let tracking = try Subscriber<LocationUpdated>(
///     context: context, .connect("tcp://bus:5556"), topics: ["delivery.courier"])
/// for try await received in tracking.events {
///     print(received.topic, received.event, received.missedBefore)
/// }
/// ```
///
/// Each subscriber announces itself to publishers with a private
/// `_zmq.join.<id>` subscription, which ``Publisher/waitForSubscribers(_:timeout:)``
/// counts. It tracks every publisher's sequence numbers: ``ReceivedEvent/missedBefore``
/// and ``counters`` report gaps (PUB drops at its high-water mark, by design),
/// and duplicates are skipped. A message that is not a valid channel message is
/// handled by the ``UndecodablePolicy`` and never stops the stream.
///
/// Like `Socket`, a subscriber belongs to one task at a time.
public final class Subscriber<Event: Decodable & Sendable> {
    /// The SUB socket, for options such as `SocketOption.receiveHighWaterMark`.
    public let socket: Socket
    /// The endpoint bound or connected.
    public let endpoint: String
    /// This subscriber's id, announced to publishers.
    public let subscriberID: UUID
    // Used by one task at a time (the class is not Sendable), so accesses
    // cannot overlap and the runtime exclusivity check is left out.
    @exclusivity(unchecked) @usableFromInline package var reader: EventReader<Event>

    /// Creates a subscriber to `topics`; an empty list subscribes to every topic.
    /// - Parameters:
    ///   - context: the context whose socket it uses.
    ///   - endpoint: where it binds (`.bind`) or connects (`.connect`).
    ///   - topics: the topics to receive, each with everything below it; empty for every topic.
    ///   - codec: how payloads are encoded: ``JSONEventCodec`` (the default) or
    ///     ``BinaryEventCodec``; both ends must agree.
    ///   - undecodable: what to do with a message that is not a valid channel
    ///     message or does not decode: see ``UndecodablePolicy``.
    ///   - subscriberID: the id this subscriber announces to publishers (``JoinTopic``).
    ///   - logger: where binds, connects and problems are logged (`zeromq.channels` by default).
    ///   - maxMessageSize: the largest frame a peer may send, in bytes, or
    ///     `nil` for no limit; a peer that sends more is disconnected
    ///     (`ZMQ_MAXMSGSIZE`). ``ChannelDefaults/maxMessageSize`` by default.
    ///   - metrics: where its counts are also reported (``ChannelMetrics``); `nil`, the default, for nowhere.
    ///   - configure: sets options on the socket before it binds or
    ///     connects, for those that only apply to new connections, such as
    ///     `SocketOption.receiveHighWaterMark` or CURVE keys.
    public init(
        context: Context, _ endpoint: Endpoint, topics: [Topic] = [],
        codec: any EventCodec = JSONEventCodec(), undecodable: UndecodablePolicy = .skip,
        subscriberID: UUID = UUID(), logger: Logger? = nil, maxMessageSize: Int64? = ChannelDefaults.maxMessageSize,
        metrics: ChannelMetrics? = nil, configure: (Socket) throws(ZMQError) -> Void = { _ in }
    ) throws(ZMQError) {
        let logger = logger ?? defaultChannelLogger
        socket = try context.socket(.sub)
        try socket.set(.maxMessageSize, maxMessageSize ?? -1)
        try configure(socket)
        self.subscriberID = subscriberID
        reader = EventReader(codec: codec, policy: undecodable, logger: logger, countsGaps: true, metrics: metrics)
        try socket.subscribe(JoinTopic.subscription(for: subscriberID))
        if topics.isEmpty {
            try socket.subscribe(bytes: [])
        } else {
            for topic in topics { try socket.subscribe(bytes: topic.wireBytes) }
        }
        self.endpoint = try endpoint.attach(socket, logger: logger, role: "subscriber")
    }

    /// Also receives events published to `topic` and below it.
    public func subscribe(_ topic: Topic) throws(ZMQError) {
        try socket.subscribe(bytes: topic.wireBytes)
    }

    /// Stops receiving `topic` (one earlier ``subscribe(_:)`` of it).
    public func unsubscribe(_ topic: Topic) throws(ZMQError) {
        try socket.set(.unsubscribe, topic.wireBytes)
    }

    /// What this subscriber has received, missed, skipped and failed to decode.
    public var counters: ChannelCounters { reader.counters }

    /// The next event, suspending until one arrives; `nil` once the context is
    /// shut down or the socket closed.
    /// - Throws: `ZMQError`, `CancellationError`, or with ``UndecodablePolicy/throwError``
    ///   a ``ChannelError`` for a bad message (the next call goes on).
    @inlinable
    public func next() async throws -> ReceivedEvent<Event>? {
        try await reader.next(from: socket)
    }

    /// The events as an async sequence; see ``next()``.
    public var events: ChannelEvents<Event> { ChannelEvents(next: next) }
}

/// The events a ``Subscriber`` or ``Puller`` receives, as an `AsyncSequence`.
public struct ChannelEvents<Event: Sendable>: AsyncSequence {
    public typealias Element = ReceivedEvent<Event>
    let next: () async throws -> ReceivedEvent<Event>?

    /// Creates the iterator that receives events.
    public func makeAsyncIterator() -> Iterator { Iterator(next: next) }

    /// Receives the next event when asked.
    public struct Iterator: AsyncIteratorProtocol {
        let next: () async throws -> ReceivedEvent<Event>?

        /// The next event, or `nil` when the channel has ended.
        public mutating func next() async throws -> ReceivedEvent<Event>? { try await next() }
    }
}
