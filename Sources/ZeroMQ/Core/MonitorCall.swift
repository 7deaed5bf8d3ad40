import CZeroMQ

extension Socket {
    /// Makes libzmq publish this socket's events (those in the bit mask
    /// `events`) on a PAIR socket it binds to the `inproc://` `endpoint`.
    /// The corresponding C function is `zmq_socket_monitor`.
    func startMonitor(endpoint: String, events: Int32) throws(ZMQError) {
        let handle = try liveHandle("zmq_socket_monitor(\"\(endpoint)\")")
        try zmqCall("zmq_socket_monitor(\"\(endpoint)\")") { zmq_socket_monitor(handle, endpoint, events) }
    }

    /// Stops the monitor started by ``monitor(events:)``: its ``Monitor`` then
    /// receives ``SocketEvent/monitorStopped(endpoint:)`` and its event
    /// sequence ends. Calling it when no monitor runs does nothing.
    /// The corresponding C function is `zmq_socket_monitor(socket, NULL, 0)`.
    ///
    /// Like every call on a socket, make it on the thread (or task) that owns
    /// this socket, not the one reading the monitor. Closing the socket stops
    /// its monitor too.
    public func stopMonitor() throws(ZMQError) {
        let handle = try liveHandle("zmq_socket_monitor(NULL) to stop monitoring")
        try zmqCall("zmq_socket_monitor(NULL) to stop monitoring") { zmq_socket_monitor(handle, nil, 0) }
    }
}

/// The event numbers of `zmq_socket_monitor(3)`, as the first two bytes of an
/// event frame carry them.
enum MonitorEventCode {
    static let connected = UInt16(ZMQ_EVENT_CONNECTED)
    static let connectDelayed = UInt16(ZMQ_EVENT_CONNECT_DELAYED)
    static let connectRetried = UInt16(ZMQ_EVENT_CONNECT_RETRIED)
    static let listening = UInt16(ZMQ_EVENT_LISTENING)
    static let bindFailed = UInt16(ZMQ_EVENT_BIND_FAILED)
    static let accepted = UInt16(ZMQ_EVENT_ACCEPTED)
    static let acceptFailed = UInt16(ZMQ_EVENT_ACCEPT_FAILED)
    static let closed = UInt16(ZMQ_EVENT_CLOSED)
    static let closeFailed = UInt16(ZMQ_EVENT_CLOSE_FAILED)
    static let disconnected = UInt16(ZMQ_EVENT_DISCONNECTED)
    static let monitorStopped = UInt16(ZMQ_EVENT_MONITOR_STOPPED)
    static let handshakeFailedNoDetail = UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
    static let handshakeSucceeded = UInt16(ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
    static let handshakeFailedProtocol = UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
    static let handshakeFailedAuth = UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
    /// Every event of the version 1 monitor (`ZMQ_EVENT_ALL`).
    static let all = UInt16(ZMQ_EVENT_ALL)
}

/// The `ZMQ_PROTOCOL_ERROR_*` values a `HANDSHAKE_FAILED_PROTOCOL` event carries.
enum ProtocolErrorCode {
    static let zmtpUnspecified = UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED)
    static let zmtpUnexpectedCommand = UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND)
    static let zmtpInvalidSequence = UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE)
    static let zmtpKeyExchange = UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE)
    static let zmtpMalformedCommandUnspecified = UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED)
    static let zmtpMalformedCommandMessage = UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE)
    static let zmtpMalformedCommandHello = UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO)
    static let zmtpMalformedCommandInitiate = UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE)
    static let zmtpMalformedCommandError = UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR)
    static let zmtpMalformedCommandReady = UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY)
    static let zmtpMalformedCommandWelcome = UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME)
    static let zmtpInvalidMetadata = UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA)
    static let zmtpCryptographic = UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)
    static let zmtpMechanismMismatch = UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
    static let zapUnspecified = UInt32(ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED)
    static let zapMalformedReply = UInt32(ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY)
    static let zapBadRequestID = UInt32(ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID)
    static let zapBadVersion = UInt32(ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION)
    static let zapInvalidStatusCode = UInt32(ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE)
    static let zapInvalidMetadata = UInt32(ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA)
}
