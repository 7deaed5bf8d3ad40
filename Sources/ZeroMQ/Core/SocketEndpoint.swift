/// Where a socket attaches: it binds (the stable end: a producer, a proxy, a
/// service) or connects (the end that comes and goes). A string literal binds.
/// Channels (``ChannelEndpoint``) and proxies (``Proxy/Endpoint``) take it.
public enum SocketEndpoint: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// Bind to the endpoint (`zmq_bind`); a TCP port of `*` picks a free port.
    case bind(String)
    /// Connect to the endpoint (`zmq_connect`).
    case connect(String)

    /// Binds to `value`.
    public init(stringLiteral value: String) { self = .bind(value) }

    public var description: String {
        switch self {
        case .bind(let endpoint): "bind \(endpoint)"
        case .connect(let endpoint): "connect \(endpoint)"
        }
    }

    /// Binds or connects `socket`; returns the endpoint as libzmq reports it
    /// (with the real port for `tcp://…:*`).
    func attach(_ socket: Socket) throws(ZMQError) -> String {
        switch self {
        case .bind(let endpoint):
            return try socket.bind(endpoint)
        case .connect(let endpoint):
            try socket.connect(endpoint)
            return endpoint
        }
    }
}
