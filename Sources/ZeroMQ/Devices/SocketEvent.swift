/// Something that happened to a socket's connections, as a ``Monitor``
/// reports it (the events of `zmq_socket_monitor(3)`).
///
/// Every case carries the endpoint it concerns (empty for
/// ``monitorStopped(endpoint:)``) and, where libzmq gives one, the event's value
/// in its meaning: a file descriptor, a retry interval, an errno, a ZMTP
/// protocol error or a ZAP status code. File descriptors are for logging only:
/// by the time the event is read, the descriptor may already be closed or reused.
public enum SocketEvent: Sendable, Hashable, CustomStringConvertible {
    /// A connection to a peer was made (`ZMQ_EVENT_CONNECTED`).
    case connected(endpoint: String, fileDescriptor: Int32)
    /// A connect is in progress and did not complete at once (`ZMQ_EVENT_CONNECT_DELAYED`).
    case connectDelayed(endpoint: String)
    /// A connect failed and will be retried after `interval` (`ZMQ_EVENT_CONNECT_RETRIED`).
    case connectRetried(endpoint: String, interval: Duration)
    /// The socket is bound and accepting connections (`ZMQ_EVENT_LISTENING`).
    case listening(endpoint: String, fileDescriptor: Int32)
    /// Binding failed with the system errno `code` (`ZMQ_EVENT_BIND_FAILED`).
    case bindFailed(endpoint: String, code: Int32)
    /// A connection from a peer was accepted (`ZMQ_EVENT_ACCEPTED`).
    case accepted(endpoint: String, fileDescriptor: Int32)
    /// Accepting a connection failed with the system errno `code` (`ZMQ_EVENT_ACCEPT_FAILED`).
    case acceptFailed(endpoint: String, code: Int32)
    /// A listening or connected descriptor was closed (`ZMQ_EVENT_CLOSED`).
    case closed(endpoint: String, fileDescriptor: Int32)
    /// Closing failed with the system errno `code`; IPC only (`ZMQ_EVENT_CLOSE_FAILED`).
    case closeFailed(endpoint: String, code: Int32)
    /// A connection broke or the peer went away (`ZMQ_EVENT_DISCONNECTED`).
    case disconnected(endpoint: String, fileDescriptor: Int32)
    /// Monitoring ended: ``Socket/stopMonitor()`` was called or the socket was
    /// closed. It is the last event a monitor delivers (`ZMQ_EVENT_MONITOR_STOPPED`).
    case monitorStopped(endpoint: String)
    /// The ZMTP handshake failed for a reason libzmq does not detail; `code` is
    /// an errno (`ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL`).
    case handshakeFailedNoDetail(endpoint: String, code: Int32)
    /// The ZMTP handshake, security mechanism included, completed (`ZMQ_EVENT_HANDSHAKE_SUCCEEDED`).
    case handshakeSucceeded(endpoint: String)
    /// The handshake failed on a protocol error between the peers or with the
    /// ZAP handler (`ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`).
    case handshakeFailedProtocol(endpoint: String, error: HandshakeProtocolError)
    /// Authentication failed: `status` is the ZAP handler's status code, such
    /// as 400 (`ZMQ_EVENT_HANDSHAKE_FAILED_AUTH`).
    case handshakeFailedAuth(endpoint: String, status: Int)
    /// An event number this module does not know, with its raw value; newer
    /// libzmq versions may send such events.
    case unknown(id: UInt16, value: UInt32, endpoint: String)

    /// The endpoint the event concerns.
    public var endpoint: String {
        switch self {
        case .connected(let endpoint, _), .connectDelayed(let endpoint),
            .connectRetried(let endpoint, _), .listening(let endpoint, _),
            .bindFailed(let endpoint, _), .accepted(let endpoint, _),
            .acceptFailed(let endpoint, _), .closed(let endpoint, _),
            .closeFailed(let endpoint, _), .disconnected(let endpoint, _),
            .monitorStopped(let endpoint), .handshakeFailedNoDetail(let endpoint, _),
            .handshakeSucceeded(let endpoint), .handshakeFailedProtocol(let endpoint, _),
            .handshakeFailedAuth(let endpoint, _), .unknown(_, _, let endpoint):
            endpoint
        }
    }

    /// Which kind of event this is, to compare with or filter by a ``Kinds`` set.
    public var kind: Kinds {
        switch self {
        case .connected: .connected
        case .connectDelayed: .connectDelayed
        case .connectRetried: .connectRetried
        case .listening: .listening
        case .bindFailed: .bindFailed
        case .accepted: .accepted
        case .acceptFailed: .acceptFailed
        case .closed: .closed
        case .closeFailed: .closeFailed
        case .disconnected: .disconnected
        case .monitorStopped: .monitorStopped
        case .handshakeFailedNoDetail: .handshakeFailedNoDetail
        case .handshakeSucceeded: .handshakeSucceeded
        case .handshakeFailedProtocol: .handshakeFailedProtocol
        case .handshakeFailedAuth: .handshakeFailedAuth
        case .unknown(let id, _, _): Kinds(rawValue: Int32(id))
        }
    }

    public var description: String {
        switch self {
        case .connected(let endpoint, let fd): "connected \(endpoint) (fd \(fd))"
        case .connectDelayed(let endpoint): "connect delayed \(endpoint)"
        case .connectRetried(let endpoint, let interval): "connect retried \(endpoint) in \(interval)"
        case .listening(let endpoint, let fd): "listening \(endpoint) (fd \(fd))"
        case .bindFailed(let endpoint, let code): "bind failed \(endpoint) (errno \(code))"
        case .accepted(let endpoint, let fd): "accepted \(endpoint) (fd \(fd))"
        case .acceptFailed(let endpoint, let code): "accept failed \(endpoint) (errno \(code))"
        case .closed(let endpoint, let fd): "closed \(endpoint) (fd \(fd))"
        case .closeFailed(let endpoint, let code): "close failed \(endpoint) (errno \(code))"
        case .disconnected(let endpoint, let fd): "disconnected \(endpoint) (fd \(fd))"
        case .monitorStopped: "monitor stopped"
        case .handshakeFailedNoDetail(let endpoint, let code): "handshake failed \(endpoint) (errno \(code))"
        case .handshakeSucceeded(let endpoint): "handshake succeeded \(endpoint)"
        case .handshakeFailedProtocol(let endpoint, let error): "handshake failed \(endpoint): \(error)"
        case .handshakeFailedAuth(let endpoint, let status): "authentication failed \(endpoint) (ZAP \(status))"
        case .unknown(let id, let value, let endpoint): "event 0x\(String(id, radix: 16)) \(endpoint) (value \(value))"
        }
    }
}
