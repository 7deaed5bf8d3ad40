/// Where a socket attaches, and how: it binds (the stable end, usually the
/// producer or a proxy) or connects (the end that comes and goes). What a
/// ``Proxy``'s sockets, and the channel ends of `ZeroMQChannels`, are given.
///
/// Always spelled out (`.bind("tcp://*:5556")`, `.connect("tcp://bus:5556")`):
/// no string literal stands for one, so that whether a socket binds or
/// connects is a choice its code shows, never a default.
public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// Bind to the endpoint; a TCP port of `*` picks a free port, which
    /// ``Socket/attach(_:)`` returns.
    case bind(String)
    /// Connect to the endpoint.
    case connect(String)

    /// The endpoint's address, as given (`tcp://127.0.0.1:5556`).
    public var address: String {
        switch self {
        case .bind(let address), .connect(let address): address
        }
    }

    /// Whether the socket binds rather than connects.
    public var binds: Bool {
        if case .bind = self { return true }
        return false
    }

    public var description: String { "\(binds ? "bind" : "connect") \(address)" }
}

extension Socket {
    /// Binds or connects the socket, as `endpoint` says. The corresponding C
    /// functions are `zmq_bind` and `zmq_connect`.
    ///
    /// - Returns: the endpoint in use: after a bind, as libzmq reports it
    ///   (with the real port in place of `*`); after a connect, as given.
    @discardableResult
    public func attach(_ endpoint: Endpoint) throws(ZMQError) -> String {
        switch endpoint {
        case .bind(let address): return try bind(address)
        case .connect(let address):
            try connect(address)
            return address
        }
    }
}
