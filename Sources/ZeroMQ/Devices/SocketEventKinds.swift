extension SocketEvent {
    /// A set of event kinds: which events ``Socket/monitor(events:)`` should
    /// report (the `events` bit mask of `zmq_socket_monitor`), or the kind of
    /// one event (``SocketEvent/kind``).
    public struct Kinds: OptionSet, Sendable, Hashable {
        /// The libzmq bit mask (`ZMQ_EVENT_*`).
        public let rawValue: Int32

        /// Wraps a libzmq `ZMQ_EVENT_*` bit mask.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        private init(_ code: UInt16) { rawValue = Int32(code) }

        /// ``SocketEvent/connected(endpoint:fileDescriptor:)``.
        public static let connected = Kinds(MonitorEventCode.connected)
        /// ``SocketEvent/connectDelayed(endpoint:)``.
        public static let connectDelayed = Kinds(MonitorEventCode.connectDelayed)
        /// ``SocketEvent/connectRetried(endpoint:interval:)``.
        public static let connectRetried = Kinds(MonitorEventCode.connectRetried)
        /// ``SocketEvent/listening(endpoint:fileDescriptor:)``.
        public static let listening = Kinds(MonitorEventCode.listening)
        /// ``SocketEvent/bindFailed(endpoint:code:)``.
        public static let bindFailed = Kinds(MonitorEventCode.bindFailed)
        /// ``SocketEvent/accepted(endpoint:fileDescriptor:)``.
        public static let accepted = Kinds(MonitorEventCode.accepted)
        /// ``SocketEvent/acceptFailed(endpoint:code:)``.
        public static let acceptFailed = Kinds(MonitorEventCode.acceptFailed)
        /// ``SocketEvent/closed(endpoint:fileDescriptor:)``.
        public static let closed = Kinds(MonitorEventCode.closed)
        /// ``SocketEvent/closeFailed(endpoint:code:)``.
        public static let closeFailed = Kinds(MonitorEventCode.closeFailed)
        /// ``SocketEvent/disconnected(endpoint:fileDescriptor:)``.
        public static let disconnected = Kinds(MonitorEventCode.disconnected)
        /// ``SocketEvent/monitorStopped(endpoint:)``; ``Socket/monitor(events:)`` always adds it,
        /// because it is what ends a monitor's event sequence.
        public static let monitorStopped = Kinds(MonitorEventCode.monitorStopped)
        /// ``SocketEvent/handshakeFailedNoDetail(endpoint:code:)``.
        public static let handshakeFailedNoDetail = Kinds(MonitorEventCode.handshakeFailedNoDetail)
        /// ``SocketEvent/handshakeSucceeded(endpoint:)``.
        public static let handshakeSucceeded = Kinds(MonitorEventCode.handshakeSucceeded)
        /// ``SocketEvent/handshakeFailedProtocol(endpoint:error:)``.
        public static let handshakeFailedProtocol = Kinds(MonitorEventCode.handshakeFailedProtocol)
        /// ``SocketEvent/handshakeFailedAuth(endpoint:status:)``.
        public static let handshakeFailedAuth = Kinds(MonitorEventCode.handshakeFailedAuth)

        /// Every handshake failure.
        public static let handshakeFailed: Kinds = [
            .handshakeFailedNoDetail, .handshakeFailedProtocol, .handshakeFailedAuth,
        ]
        /// Every event, including ones later libzmq versions add (`ZMQ_EVENT_ALL`).
        public static let all = Kinds(MonitorEventCode.all)
    }
}
