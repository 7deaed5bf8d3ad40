import ZeroMQ

/// An endpoint from the command line (`tcp://127.0.0.1:5555`,
/// `ipc:///tmp/feed`, `inproc://name`), checked before any socket is made so
/// that a typo is a usage error naming the value, not a libzmq errno: the
/// binding's ``Endpoint``, once checked.
struct EndpointArgument: CustomStringConvertible {
    /// The checked endpoint: where, and whether to bind or connect.
    let endpoint: Endpoint
    /// The part before `://`, lowercased.
    let transport: String

    /// The endpoint as given.
    var description: String { endpoint.address }
    /// Whether the socket binds (accepts connections) rather than connects.
    var binds: Bool { endpoint.binds }

    /// Transports libzmq knows by name; whether this build supports the rarer
    /// ones is for `zmq_bind` and `zmq_connect` to say.
    private static let knownTransports: Set<String> = ["tcp", "ipc", "inproc", "pgm", "epgm", "tipc", "vmci", "norm"]

    /// Checks `text` as an endpoint to bind (`binds`) or connect.
    init(_ text: String, binds: Bool) throws(ToolError) {
        endpoint = binds ? .bind(text) : .connect(text)
        guard let separator = text.range(of: "://") else {
            throw .usage(
                "invalid endpoint '\(text)': expected TRANSPORT://ADDRESS, as in tcp://127.0.0.1:5555 or ipc:///tmp/feed"
            )
        }
        transport = text[..<separator.lowerBound].lowercased()
        let address = String(text[separator.upperBound...])
        guard Self.knownTransports.contains(transport) else {
            throw .usage("unknown transport '\(transport)' in endpoint '\(text)': use tcp://, ipc:// or inproc://")
        }
        guard !address.isEmpty else {
            throw .usage("invalid endpoint '\(text)': nothing after \(transport)://")
        }
        if transport == "tcp" { try Self.checkTCP(address, in: text, binds: binds) }
    }

    /// A TCP address is `HOST:PORT` (`[IPv6]:PORT` too), the port a number or,
    /// when binding, `*` for any free port.
    private static func checkTCP(_ address: String, in text: String, binds: Bool) throws(ToolError) {
        guard let colon = address.lastIndex(of: ":"), colon != address.startIndex else {
            throw .usage("invalid endpoint '\(text)': expected tcp://HOST:PORT, as in tcp://127.0.0.1:5555")
        }
        let port = address[address.index(after: colon)...]
        if port == "*" || port == "0" {
            guard binds else {
                throw .usage(
                    "invalid endpoint '\(text)': a connecting socket needs the peer's port number, not '\(port)'")
            }
            return
        }
        guard !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(port),
            (1...65_535).contains(number)
        else {
            throw .usage("invalid endpoint '\(text)': port '\(port)' is not a number from 1 to 65535")
        }
    }

    /// Whether the endpoint asks for any free port, which is then worth printing.
    var isWildcard: Bool { description.hasSuffix(":*") || description.hasSuffix(":0") }

    /// Binds or connects `socket`; returns the endpoint in use (after a bind,
    /// with the real port in place of `*`, also reported on standard error).
    @discardableResult
    func attach(_ socket: Socket, announce: Bool = true) throws(ToolError) -> String {
        do {
            let attached = try socket.attach(endpoint)
            if binds && announce && isWildcard { StandardStreams.diagnose("listening on \(attached)") }
            return attached
        } catch {
            throw .zmq(error, while: "\(binds ? "bind" : "connect to") \(description)")
        }
    }
}
