import Logging

/// Where a channel end attaches: it binds (the stable end, usually the
/// producer or a proxy) or connects (the end that comes and goes).
public typealias ChannelEndpoint = SocketEndpoint

extension SocketEndpoint {
    /// Attaches `socket`, logs it, and returns the endpoint as libzmq reports it.
    func attach(_ socket: Socket, logger: Logger, role: String) throws(ZMQError) -> String {
        let attached = try attach(socket)
        logger.info("\(role) \(isBind ? "bound" : "connected")", metadata: ["endpoint": "\(attached)"])
        return attached
    }

    private var isBind: Bool {
        if case .bind = self { return true }
        return false
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
