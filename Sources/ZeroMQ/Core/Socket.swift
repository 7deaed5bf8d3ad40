import CZeroMQ

/// A ZeroMQ socket: one end of a messaging pattern, created by ``Context/socket(_:)``.
///
/// ## Threads and `Sendable`
/// libzmq sockets are not thread-safe: a socket may move between threads, but
/// only one may use it at a time. `Socket` is therefore deliberately **not**
/// `Sendable`. Swift's region-based isolation still lets you hand a socket to
/// one task or thread (`Task.detached { socket... }` after its last use here),
/// but the compiler stops two concurrent contexts from sharing it. Create a
/// socket where it will be used, or transfer it once.
///
/// ## Lifetime
/// A socket keeps its ``Context`` alive. It closes itself when released
/// (`zmq_close`); ``close(linger:)`` closes it earlier and may be called any
/// number of times. Any call on a closed socket throws `ENOTSOCK`.
public final class Socket {
    /// The context this socket belongs to; kept alive by the socket.
    public let context: Context
    /// The socket's type.
    public let type: SocketType
    private var handleIfOpen: UnsafeMutableRawPointer?

    init(context: Context, type: SocketType) throws(ZMQError) {
        self.context = context
        self.type = type
        handleIfOpen = try zmqCallPointer("zmq_socket(\(type))") { zmq_socket(context.handle, type.rawValue) }
        if let linger = context.defaultLinger {
            try set(.linger, linger)
        }
    }

    deinit {
        if let handle = handleIfOpen { zmq_close(handle) }
    }

    /// The libzmq socket, or a thrown `ENOTSOCK` naming `operation` once closed.
    @inline(__always)
    func liveHandle(_ operation: @autoclosure () -> String) throws(ZMQError) -> UnsafeMutableRawPointer {
        guard let handle = handleIfOpen else {
            throw ZMQError(code: .notSocket, operation: "\(operation()) on a closed \(type) socket")
        }
        return handle
    }

    /// The raw `void *` libzmq socket (the result of `zmq_socket`) for calling C functions this module does not
    /// wrap, or `nil` once closed. Do not close it.
    public var unsafeHandle: UnsafeMutableRawPointer? { handleIfOpen }

    /// Whether ``close(linger:)`` has been called (`zmq_close`).
    public var isClosed: Bool { handleIfOpen == nil }

    /// Closes the socket. Calling it again does nothing.
    /// The corresponding C function is `zmq_close`.
    ///
    /// - Parameter linger: how long pending outgoing messages may still be sent
    ///   (`.zero` drops them); `nil` keeps the socket's ``SocketOption/linger``.
    public func close(linger: Duration? = nil) {
        guard let handle = handleIfOpen else { return }
        if let linger { try? set(.linger, linger) }
        handleIfOpen = nil
        zmq_close(handle)
    }

    // MARK: Endpoints

    /// Accepts connections on `endpoint` (`tcp://127.0.0.1:5555`, `ipc:///tmp/x`,
    /// `inproc://name`). A TCP port of `*` picks a free port.
    /// The corresponding C function is `zmq_bind`.
    ///
    /// - Returns: the endpoint actually bound (``ReadOnlySocketOption/lastEndpoint``),
    ///   with the real port in place of `*`.
    @discardableResult
    public func bind(_ endpoint: String) throws(ZMQError) -> String {
        let handle = try liveHandle("bind(\"\(endpoint)\")")
        try zmqCall("bind(\"\(endpoint)\")") { zmq_bind(handle, endpoint) }
        return try get(.lastEndpoint)
    }

    /// Connects to `endpoint`; the connection is made in the background and
    /// re-made after failures. The corresponding C function is `zmq_connect`.
    public func connect(_ endpoint: String) throws(ZMQError) {
        let handle = try liveHandle("connect(\"\(endpoint)\")")
        try zmqCall("connect(\"\(endpoint)\")") { zmq_connect(handle, endpoint) }
    }

    /// Stops accepting on an endpoint given to ``bind(_:)`` (use the returned,
    /// resolved endpoint). The corresponding C function is `zmq_unbind`.
    public func unbind(_ endpoint: String) throws(ZMQError) {
        let handle = try liveHandle("unbind(\"\(endpoint)\")")
        try zmqCall("unbind(\"\(endpoint)\")") { zmq_unbind(handle, endpoint) }
    }

    /// Drops the connection made by ``connect(_:)`` to `endpoint`.
    /// The corresponding C function is `zmq_disconnect`.
    public func disconnect(_ endpoint: String) throws(ZMQError) {
        let handle = try liveHandle("disconnect(\"\(endpoint)\")")
        try zmqCall("disconnect(\"\(endpoint)\")") { zmq_disconnect(handle, endpoint) }
    }

    /// The endpoint last bound or connected.
    /// The corresponding C function is `zmq_getsockopt(ZMQ_LAST_ENDPOINT)`.
    public var lastEndpoint: String {
        get throws(ZMQError) { try get(.lastEndpoint) }
    }

    // MARK: Subscriptions

    /// SUB: receives messages whose first frame starts with `prefix` (empty: every
    /// message). An XSUB subscribes by sending `[1] + prefix` instead. The corresponding C function is `zmq_setsockopt(ZMQ_SUBSCRIBE)`.
    public func subscribe(_ prefix: String = "") throws(ZMQError) {
        try set(.subscribe, Array(prefix.utf8))
    }

    /// SUB: receives messages whose first frame starts with the bytes `prefix`.
    /// The corresponding C function is `zmq_setsockopt(ZMQ_SUBSCRIBE)`.
    public func subscribe(bytes prefix: [UInt8]) throws(ZMQError) {
        try set(.subscribe, prefix)
    }

    /// SUB: removes one earlier ``subscribe(_:)`` of `prefix`.
    /// The corresponding C function is `zmq_setsockopt(ZMQ_UNSUBSCRIBE)`.
    public func unsubscribe(_ prefix: String = "") throws(ZMQError) {
        try set(.unsubscribe, Array(prefix.utf8))
    }

    /// Whether a message can be received or sent now without blocking.
    /// The corresponding C function is `zmq_getsockopt(ZMQ_EVENTS)`.
    public var events: PollEvents {
        get throws(ZMQError) { try get(.events) }
    }
}
