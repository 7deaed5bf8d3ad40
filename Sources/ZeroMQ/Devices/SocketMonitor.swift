import Foundation

extension Socket {
    /// Starts reporting this socket's connection events (listening, accepted,
    /// connected, disconnected, handshakes, …) to a new ``Monitor``.
    /// The corresponding C function is `zmq_socket_monitor`.
    ///
    /// The monitor gets a unique `inproc://` endpoint and a PAIR socket of its
    /// own, connected before libzmq binds it so that no event is missed. It is
    /// returned as a value you may hand to another task or thread; this socket
    /// stays where it is. Monitoring covers connection-oriented transports
    /// (TCP, IPC), not `inproc://`.
    ///
    /// A socket has at most one monitor: starting another stops the first, as
    /// ``stopMonitor()`` does.
    ///
    /// - Parameter events: the kinds to report; ``SocketEvent/Kinds/monitorStopped``
    ///   is always added, because it is what ends the monitor's sequence.
    public func monitor(events: SocketEvent.Kinds = .all) throws(ZMQError) -> sending Monitor {
        let endpoint = "inproc://zeromq-monitor-\(UUID().uuidString)"
        let reader = try context.socket(.pair)
        try reader.set(.linger, .zero)
        // No high-water mark: a reader that falls behind must never make the
        // monitored socket wait (libzmq sends events blocking).
        try reader.set(.receiveHighWaterMark, 0)
        try reader.connect(endpoint)
        try startMonitor(endpoint: endpoint, events: events.union(.monitorStopped).rawValue)
        return Monitor(socket: reader, endpoint: endpoint)
    }
}
