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
    /// Events seen twice (a sequence number at or below the last one) and skipped.
    public var duplicates: UInt64 = 0
    /// Messages that were not valid channel messages or whose payload did not decode.
    public var undecodable: UInt64 = 0

    /// All zero.
    public init() {}

    public var description: String {
        "sent \(sent), dropped \(dropped), received \(received), gaps \(gaps), duplicates \(duplicates), undecodable \(undecodable)"
    }
}

/// What a consumer does with a message it cannot decode.
public enum UndecodablePolicy: Sendable {
    /// Count it in ``ChannelCounters/undecodable``, log it, and go on to the next message.
    case skip
    /// Throw the ``ChannelError`` from the receive call; the next receive goes on.
    case throwError
}
