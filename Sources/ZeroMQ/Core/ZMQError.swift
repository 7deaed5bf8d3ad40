import CZeroMQ

/// An error of this module: what was being done (for example
/// `connect("tcp://nohost:xx")`) and a ``Code``: the errno libzmq or the
/// system reported, with libzmq's description of it (`zmq_strerror`), or one
/// of the module's own codes for its own states.
///
/// Every throwing API in this module throws `ZMQError` (typed throws), so a
/// `catch` can match on ``code`` without casting. "Would block" on a
/// non-blocking call is never an error: those calls return `nil` or `false`.
public struct ZMQError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong: the errno libzmq reported (`zmq_errno`), or one of
    /// this module's own states.
    public let code: Code
    /// What was being done, for example `bind("tcp://127.0.0.1:5555")`.
    public let operation: String

    /// Creates an error for `code` raised by `operation`.
    public init(code: Code, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// Creates an error for the errno value `errno` (libzmq's, or the system's) raised by `operation`.
    public init(errno: Int32, operation: String) {
        self.init(code: Code(rawValue: errno), operation: operation)
    }

    /// What ``code`` means: libzmq's description of an errno (`zmq_strerror`),
    /// or this module's of its own codes.
    public var message: String { code.message }

    /// The symbolic name of ``code``: `EAGAIN`, `ETERM`, …, or the name of one of this module's own codes.
    public var codeName: String { code.name }

    /// One line: the operation, the meaning of the code and its name.
    public var description: String {
        "\(operation) failed: \(message) (\(codeName))"
    }

    /// True when the context was terminated or shut down (`ETERM`): the socket
    /// should be closed.
    public var isTerminated: Bool { code == .terminated }

    /// True when a call timed out or would have blocked (`EAGAIN`).
    public var isWouldBlock: Bool { code == .wouldBlock }

    /// What went wrong, as a value to compare or switch on
    /// (`error.code == .addressInUse`, `case .wouldBlock:`) or to catch by
    /// (`catch ZMQError.Code.terminated`), in the manner of swift-system's
    /// `Errno`. Most are errno values; this module's own states (a device
    /// started twice, a thread that did not report, a malformed reply) have
    /// negative values, which no errno has.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The errno value, or a negative value for this module's own codes.
        public let rawValue: Int32

        /// The code for `rawValue`.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// `ETERM`: the context was shut down or terminated.
        public static let terminated = Code(rawValue: ETERM)
        /// `EAGAIN`: the call would block or timed out (returned as `nil`/`false`, not thrown).
        public static let wouldBlock = Code(rawValue: EAGAIN)
        /// `EINVAL`: a malformed endpoint, option value or argument.
        public static let invalidArgument = Code(rawValue: EINVAL)
        /// `EADDRINUSE`: the address is already bound.
        public static let addressInUse = Code(rawValue: EADDRINUSE)
        /// `EPROTONOSUPPORT`: the transport in the endpoint is not supported.
        public static let protocolNotSupported = Code(rawValue: EPROTONOSUPPORT)
        /// `EFSM`: the operation is not allowed in the socket's state (REQ/REP out of turn).
        public static let invalidState = Code(rawValue: EFSM)
        /// `ENOTSOCK`: the socket is closed.
        public static let notSocket = Code(rawValue: ENOTSOCK)
        /// `EHOSTUNREACH`: a ROUTER with `routerMandatory` has no peer with that routing id.
        public static let hostUnreachable = Code(rawValue: EHOSTUNREACH)
        /// `EINTR`: a signal interrupted the call (retried by this module).
        public static let interrupted = Code(rawValue: EINTR)
        /// `ENOTSUP`: the socket type does not support the operation.
        public static let notSupported = Code(rawValue: ENOTSUP)
        /// `ENODEV`: the network interface in the endpoint does not exist.
        public static let noSuchDevice = Code(rawValue: ENODEV)
        /// `EMFILE`: the context's maximum number of sockets is reached.
        public static let tooManySockets = Code(rawValue: EMFILE)
        /// `EADDRNOTAVAIL`: the address is not local.
        public static let addressNotAvailable = Code(rawValue: EADDRNOTAVAIL)
        /// `EMSGSIZE`: the message is too large.
        public static let messageTooLarge = Code(rawValue: EMSGSIZE)
        /// `EIO`: a file (an acknowledged sender's outbox) could not be read or written.
        public static let ioError = Code(rawValue: EIO)

        /// This module's own: a device (a proxy) was started before, and can start only once.
        public static let alreadyStarted = Code(rawValue: -1)
        /// This module's own: a device is not running (not started yet, or stopped), so it cannot do what was asked.
        public static let notRunning = Code(rawValue: -2)
        /// This module's own: a thread the module owns did not report or answer in the time allowed.
        public static let threadDidNotReport = Code(rawValue: -3)
        /// This module's own: a reply (a proxy's statistics) did not have the shape libzmq documents.
        public static let malformedReply = Code(rawValue: -4)
        /// This module's own: not a CURVE key: the wrong number of bytes or characters, text that
        /// is not Z85, or a public key that does not belong to the secret key.
        /// The operation says which, and never shows a secret key's text.
        public static let invalidKey = Code(rawValue: -5)
        /// This module's own: not Z85: bytes that are not a multiple of 4, text that is not a
        /// multiple of 5 characters, a character outside the alphabet, or a group
        /// too large for 4 bytes. The operation says which, and where.
        public static let invalidZ85 = Code(rawValue: -6)
        /// This module's own: a monitor event whose frames are not libzmq's two (see ``SocketEvent``).
        public static let malformedEvent = Code(rawValue: -7)

        /// The symbolic name: `EAGAIN`, `ETERM`, …, `errno 42` for one without a name here, or the name of one of this module's own codes.
        public var name: String {
            Self.ownNames[rawValue] ?? Self.errnoNames[rawValue] ?? "errno \(rawValue)"
        }

        /// What the code means: libzmq's description of an errno (`zmq_strerror`), or this module's of its own.
        public var message: String {
            Self.ownMessages[rawValue] ?? String(cString: zmq_strerror(rawValue))
        }

        public var description: String { name }

        /// Whether `error` is a ``ZMQError`` with this code: `catch ZMQError.Code.terminated`.
        public static func ~= (code: Code, error: any Error) -> Bool {
            (error as? ZMQError)?.code == code
        }

        /// Whether `error` has this code, where a typed `throws(ZMQError)` is caught.
        public static func ~= (code: Code, error: ZMQError) -> Bool { error.code == code }

        private static let ownNames: [Int32: String] = [
            -1: "alreadyStarted", -2: "notRunning", -3: "threadDidNotReport", -4: "malformedReply",
            -5: "invalidKey", -6: "invalidZ85", -7: "malformedEvent",
        ]
        private static let ownMessages: [Int32: String] = [
            -1: "already started, and it starts only once", -2: "not running",
            -3: "its thread did not report in time", -4: "malformed reply",
            -5: "not a valid CURVE key", -6: "not valid Z85", -7: "malformed monitor event",
        ]
        private static let errnoNames: [Int32: String] = [
            EAGAIN: "EAGAIN", ETERM: "ETERM", EINVAL: "EINVAL", EADDRINUSE: "EADDRINUSE",
            EADDRNOTAVAIL: "EADDRNOTAVAIL", EPROTONOSUPPORT: "EPROTONOSUPPORT", EFSM: "EFSM",
            ENOTSOCK: "ENOTSOCK", EHOSTUNREACH: "EHOSTUNREACH", EINTR: "EINTR", ENOTSUP: "ENOTSUP",
            ENODEV: "ENODEV", EMTHREAD: "EMTHREAD", ENOCOMPATPROTO: "ENOCOMPATPROTO",
            EMFILE: "EMFILE", ENOENT: "ENOENT", EFAULT: "EFAULT", ENOMEM: "ENOMEM",
            ECONNREFUSED: "ECONNREFUSED", EMSGSIZE: "EMSGSIZE", ENOBUFS: "ENOBUFS", EIO: "EIO",
            ENOSPC: "ENOSPC", EACCES: "EACCES",
        ]
    }
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
        throw ZMQError(errno: code, operation: operation())
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
        throw ZMQError(errno: code, operation: operation())
    }
}

/// Turns a `NULL` pointer result into a thrown ``ZMQError``.
@inline(__always)
func zmqCallPointer(
    _ operation: @autoclosure () -> String,
    _ body: () -> UnsafeMutableRawPointer?
) throws(ZMQError) -> UnsafeMutableRawPointer {
    if let pointer = body() { return pointer }
    throw ZMQError(errno: zmq_errno(), operation: operation())
}
