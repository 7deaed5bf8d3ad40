import Foundation
import Logging
import ZeroMQ

/// Takes typed work items from pushers over PUSH/PULL, fair-queued, as an async
/// sequence. Duplicates (a sequence number a pusher already sent) are skipped
/// and counted; gaps are not counted, since round-robin gives each puller only
/// some of a pusher's numbers.
public final class Puller<Event: Decodable & Sendable> {
    /// The PULL socket.
    public let socket: Socket
    /// The endpoint bound or connected.
    public let endpoint: String
    // Used by one task at a time (the class is not Sendable), so accesses
    // cannot overlap and the runtime exclusivity check is left out.
    @exclusivity(unchecked) @usableFromInline package var reader: EventReader<Event>

    /// Creates a puller.
    /// - Parameters:
    ///   - context: the context whose socket it uses.
    ///   - endpoint: where it binds (`.bind`) or connects (`.connect`).
    ///   - codec: how payloads are encoded: ``JSONEventCodec`` (the default) or
    ///     ``BinaryEventCodec``; both ends must agree.
    ///   - undecodable: what to do with a message that is not a valid channel
    ///     message or does not decode: see ``UndecodablePolicy``.
    ///   - logger: where binds, connects and problems are logged (`zeromq.channels` by default).
    ///   - maxMessageSize: the largest frame a peer may send, in bytes, or
    ///     `nil` for no limit; a peer that sends more is disconnected
    ///     (`ZMQ_MAXMSGSIZE`). ``ChannelDefaults/maxMessageSize`` by default.
    ///   - metrics: where its counts are also reported (``ChannelMetrics``); `nil`, the default, for nowhere.
    ///   - configure: sets options on the socket before it binds or
    ///     connects, for those that only apply to new connections, such as
    ///     `SocketOption.receiveHighWaterMark` or CURVE keys.
    public init(
        context: Context, _ endpoint: Endpoint, codec: any EventCodec = JSONEventCodec(),
        undecodable: UndecodablePolicy = .skip, logger: Logger? = nil,
        maxMessageSize: Int64? = ChannelDefaults.maxMessageSize,
        metrics: ChannelMetrics? = nil, configure: (Socket) throws(ZMQError) -> Void = { _ in }
    ) throws(ZMQError) {
        let logger = logger ?? defaultChannelLogger
        socket = try context.socket(.pull)
        try socket.set(.maxMessageSize, maxMessageSize ?? -1)
        try configure(socket)
        reader = EventReader(codec: codec, policy: undecodable, logger: logger, countsGaps: false, metrics: metrics)
        self.endpoint = try endpoint.attach(socket, logger: logger, role: "puller")
    }

    /// What this puller has received and skipped.
    public var counters: ChannelCounters { reader.counters }

    /// The next work item, suspending until one arrives; `nil` once the context
    /// is shut down or the socket closed.
    @inlinable
    public func next() async throws -> ReceivedEvent<Event>? {
        try await reader.next(from: socket)
    }

    /// The work items as an async sequence; see ``next()``.
    public var events: ChannelEvents<Event> { ChannelEvents(next: next) }
}
