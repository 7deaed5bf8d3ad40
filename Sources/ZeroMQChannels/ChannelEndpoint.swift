import Logging
import ZeroMQ

/// Where a channel end attaches: it binds (the stable end, usually the
/// producer or a proxy) or connects (the end that comes and goes).
public enum ChannelEndpoint: Sendable, CustomStringConvertible {
    /// Bind to an endpoint; `tcp://127.0.0.1:*` picks a free port.
    case bind(String)
    /// Connect to an endpoint.
    case connect(String)

    public var description: String {
        switch self {
        case .bind(let endpoint): "bind \(endpoint)"
        case .connect(let endpoint): "connect \(endpoint)"
        }
    }

    /// Attaches `socket` and returns the endpoint as libzmq reports it.
    func attach(_ socket: Socket, logger: Logger, role: String) throws(ZMQError) -> String {
        switch self {
        case .bind(let endpoint):
            let bound = try socket.bind(endpoint)
            logger.info("\(role) bound", metadata: ["endpoint": "\(bound)"])
            return bound
        case .connect(let endpoint):
            try socket.connect(endpoint)
            logger.info("\(role) connected", metadata: ["endpoint": "\(endpoint)"])
            return endpoint
        }
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
