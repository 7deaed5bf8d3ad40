import Logging
import ZeroMQ

extension Endpoint {
    /// Attaches `socket` (``Socket/attach(_:)``), logs it, and returns the
    /// endpoint as libzmq reports it: what every channel end does as it starts.
    func attach(_ socket: Socket, logger: Logger, role: String) throws(ZMQError) -> String {
        let attached = try socket.attach(self)
        logger.info("\(role) \(binds ? "bound" : "connected")", metadata: ["endpoint": "\(attached)"])
        return attached
    }
}

/// The logger channels use when none is given.
let defaultChannelLogger = Logger(label: "zeromq.channels")

/// Defaults shared by every channel end.
public enum ChannelDefaults {
    /// The largest frame a consumer (``Subscriber``, ``Puller``) takes from a
    /// peer unless told otherwise: 1 MiB. A peer that sends a larger frame is
    /// disconnected by libzmq (`ZMQ_MAXMSGSIZE`, which it checks frame by
    /// frame). Together with the receive high-water mark (1,000 messages by
    /// default) this bounds what a peer can make a consumer hold; a consumer
    /// itself holds one message of three frames and releases any further frame
    /// as it arrives.
    public static let maxMessageSize: Int64 = 1 << 20
}
