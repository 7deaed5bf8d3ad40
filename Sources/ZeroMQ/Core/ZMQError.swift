import CZeroMQ

/// An error reported by libzmq, with the errno, libzmq's own description of it
/// (`zmq_strerror`) and the operation that failed, for example
/// `connect("tcp://nohost:xx")`.
///
/// Every throwing API in this module throws `ZMQError` (typed throws), so a
/// `catch` can match on ``code`` without casting. "Would block" on a
/// non-blocking call is never an error: those calls return `nil` or `false`.
public struct ZMQError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The errno value libzmq reported (`zmq_errno`).
    public let code: Int32
    /// What was being done, for example `bind("tcp://127.0.0.1:5555")`.
    public let operation: String

    /// Creates an error for `code` raised by `operation`.
    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// libzmq's description of ``code``. The corresponding C function is `zmq_strerror`.
    public var message: String { String(cString: zmq_strerror(code)) }

    /// The symbolic name of ``code`` when it is one libzmq commonly returns (`EAGAIN`, `ETERM`, …).
    public var codeName: String {
        Self.names[code] ?? "errno \(code)"
    }

    /// One line: the operation, libzmq's text and the errno name.
    public var description: String {
        "\(operation) failed: \(message) (\(codeName))"
    }

    /// True when the context was terminated or shut down (`ETERM`): the socket
    /// should be closed.
    public var isTerminated: Bool { code == ETERM }

    /// True when a call timed out or would have blocked (`EAGAIN`).
    public var isWouldBlock: Bool { code == EAGAIN }

    /// Pattern-matching helpers: `catch let e where e.code == ZMQError.Code.terminated`.
    public enum Code {
        /// `ETERM`: the context was shut down or terminated.
        public static let terminated: Int32 = ETERM
        /// `EAGAIN`: the call would block or timed out (returned as `nil`/`false`, not thrown).
        public static let wouldBlock: Int32 = EAGAIN
        /// `EINVAL`: a malformed endpoint, option value or argument.
        public static let invalidArgument: Int32 = EINVAL
        /// `EADDRINUSE`: the address is already bound.
        public static let addressInUse: Int32 = EADDRINUSE
        /// `EPROTONOSUPPORT`: the transport in the endpoint is not supported.
        public static let protocolNotSupported: Int32 = EPROTONOSUPPORT
        /// `EFSM`: the operation is not allowed in the socket's state (REQ/REP out of turn).
        public static let invalidState: Int32 = EFSM
        /// `ENOTSOCK`: the socket is closed.
        public static let notSocket: Int32 = ENOTSOCK
        /// `EHOSTUNREACH`: a ROUTER with `routerMandatory` has no peer with that routing id.
        public static let hostUnreachable: Int32 = EHOSTUNREACH
        /// `EINTR`: a signal interrupted the call (retried by this module).
        public static let interrupted: Int32 = EINTR
        /// `ENOTSUP`: the socket type does not support the operation.
        public static let notSupported: Int32 = ENOTSUP
        /// `ENODEV`: the network interface in the endpoint does not exist.
        public static let noSuchDevice: Int32 = ENODEV
        /// `EMFILE`: the context's maximum number of sockets is reached.
        public static let tooManySockets: Int32 = EMFILE
        /// `EADDRNOTAVAIL`: the address is not local.
        public static let addressNotAvailable: Int32 = EADDRNOTAVAIL
        /// `EMSGSIZE`: the message is too large.
        public static let messageTooLarge: Int32 = EMSGSIZE
    }

    private static let names: [Int32: String] = [
        EAGAIN: "EAGAIN", ETERM: "ETERM", EINVAL: "EINVAL", EADDRINUSE: "EADDRINUSE",
        EADDRNOTAVAIL: "EADDRNOTAVAIL", EPROTONOSUPPORT: "EPROTONOSUPPORT", EFSM: "EFSM",
        ENOTSOCK: "ENOTSOCK", EHOSTUNREACH: "EHOSTUNREACH", EINTR: "EINTR", ENOTSUP: "ENOTSUP",
        ENODEV: "ENODEV", EMTHREAD: "EMTHREAD", ENOCOMPATPROTO: "ENOCOMPATPROTO",
        EMFILE: "EMFILE", ENOENT: "ENOENT", EFAULT: "EFAULT", ENOMEM: "ENOMEM",
        ECONNREFUSED: "ECONNREFUSED", EMSGSIZE: "EMSGSIZE", ENOBUFS: "ENOBUFS",
    ]
}

// MARK: - The one way to call C

/// Calls libzmq and turns a `-1` return into a thrown ``ZMQError``.
///
/// `EINTR` is retried; every other failure throws with the errno and `operation`.
/// Returns the non-negative result of the call.
@inline(__always)
@discardableResult
func zmqCall(
    _ operation: @autoclosure () -> String,
    _ body: () -> Int32
) throws(ZMQError) -> Int32 {
    while true {
        let rc = body()
        if rc >= 0 { return rc }
        let code = zmq_errno()
        if code == EINTR { continue }
        throw ZMQError(code: code, operation: operation())
    }
}

/// Like ``zmqCall(_:_:)`` but `EAGAIN` is an answer, not an error: returns
/// `nil` when the call would block or timed out.
@inline(__always)
func zmqCallUnlessWouldBlock(
    _ operation: @autoclosure () -> String,
    _ body: () -> Int32
) throws(ZMQError) -> Int32? {
    while true {
        let rc = body()
        if rc >= 0 { return rc }
        let code = zmq_errno()
        if code == EINTR { continue }
        if code == EAGAIN { return nil }
        throw ZMQError(code: code, operation: operation())
    }
}

/// Turns a `NULL` pointer result into a thrown ``ZMQError``.
@inline(__always)
func zmqCallPointer(
    _ operation: @autoclosure () -> String,
    _ body: () -> UnsafeMutableRawPointer?
) throws(ZMQError) -> UnsafeMutableRawPointer {
    if let pointer = body() { return pointer }
    throw ZMQError(code: zmq_errno(), operation: operation())
}
