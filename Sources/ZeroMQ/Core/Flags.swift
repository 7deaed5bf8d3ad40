import CZeroMQ

/// Flags for sending (`zmq_send`, `zmq_msg_send`).
public struct SendFlags: OptionSet, Sendable {
    /// The libzmq flag bits.
    public let rawValue: Int32
    /// Flags from libzmq's bits.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Return instead of blocking when the message cannot be queued now (`ZMQ_DONTWAIT`):
    /// the send then returns `false`.
    public static let dontWait = SendFlags(rawValue: ZMQ_DONTWAIT)
    /// More frames of this multipart message follow (`ZMQ_SNDMORE`).
    public static let sendMore = SendFlags(rawValue: ZMQ_SNDMORE)

    /// `.dontWait`, plus `.sendMore` when `more` is true.
    static func dontWait(more: Bool) -> SendFlags { more ? [.dontWait, .sendMore] : .dontWait }
}

/// Flags for receiving (`zmq_recv`, `zmq_msg_recv`).
public struct ReceiveFlags: OptionSet, Sendable {
    /// The libzmq flag bits.
    public let rawValue: Int32
    /// Flags from libzmq's bits.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Return `nil` instead of blocking when no message is waiting (`ZMQ_DONTWAIT`).
    public static let dontWait = ReceiveFlags(rawValue: ZMQ_DONTWAIT)
}

/// Readiness of a socket or file descriptor (`ZMQ_POLLIN`, `ZMQ_POLLOUT`, `ZMQ_POLLERR`).
public struct PollEvents: OptionSet, Sendable, Hashable {
    /// The libzmq event bits.
    public let rawValue: Int16
    /// Events from libzmq's bits.
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// A message can be received, or the descriptor read (`ZMQ_POLLIN`).
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// A message can be sent, or the descriptor written (`ZMQ_POLLOUT`).
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
    /// An error condition on a plain file descriptor (`ZMQ_POLLERR`).
    public static let error = PollEvents(rawValue: Int16(ZMQ_POLLERR))
    /// Urgent data on a plain file descriptor (`ZMQ_POLLPRI`).
    public static let priority = PollEvents(rawValue: Int16(ZMQ_POLLPRI))
}
