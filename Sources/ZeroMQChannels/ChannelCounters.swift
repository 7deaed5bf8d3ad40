import ZeroMQ
/// What a channel end has seen, so back-pressure and loss are visible.
public struct ChannelCounters: Sendable, Equatable, CustomStringConvertible {
    /// Events handed to libzmq.
    public var sent: UInt64 = 0
    /// Events a publisher could not queue at the high-water mark (dropped by design on PUB).
    public var dropped: UInt64 = 0
    /// Events delivered to the application.
    public var received: UInt64 = 0
    /// Events known to be missing: jumps in a publisher's sequence numbers.
    public var gaps: UInt64 = 0
    /// Events seen twice (a sequence number that already arrived from the same publisher) and skipped.
    public var duplicates: UInt64 = 0
    /// Times a publisher's sequence started over: a publisher restarted under
    /// the same id, or a number too far from the last one to trust (more
    /// than 2^32 ahead, or more than 64 behind). The event is delivered and
    /// counted from there; a peer can send any number, so none mutes a publisher.
    public var resets: UInt64 = 0
    /// Messages that were not valid channel messages or whose payload did not decode.
    public var undecodable: UInt64 = 0

    /// All zero.
    public init() {}

    public var description: String {
        "sent \(sent), dropped \(dropped), received \(received), gaps \(gaps), duplicates \(duplicates), resets \(resets), undecodable \(undecodable)"
    }
}

/// What a consumer does with a message it cannot decode.
public enum UndecodablePolicy: Sendable {
    /// Count it in ``ChannelCounters/undecodable`` and go on to the next message.
    /// The first is logged at once; then at most one warning every 10 seconds
    /// gives the number skipped since the last and a sample reason.
    case skip
    /// Throw the ``ChannelError`` from the receive call; the next receive goes on.
    case throwError
}
