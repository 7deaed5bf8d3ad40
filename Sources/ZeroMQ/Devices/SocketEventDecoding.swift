extension SocketEvent {
    /// The size of a monitor event's first frame: a 16-bit event number and a
    /// 32-bit value, in the host's byte order as libzmq copies them.
    static let eventFrameSize = 6

    /// Decodes one monitor message: a 6-byte frame holding the event number
    /// (2 bytes) and its value (4 bytes) in the host's byte order, then a frame
    /// holding the endpoint as text. Event numbers this module does not know
    /// become ``unknown(id:value:endpoint:)``.
    ///
    /// - Throws: ``ZMQError`` with ``ZMQError/Code/malformedEvent`` when there
    ///   are not exactly two frames or the first is not 6 bytes long; the
    ///   operation says which, with the frames' sizes.
    public init(frames: [[UInt8]]) throws(ZMQError) {
        func malformed(_ reason: String) -> ZMQError {
            ZMQError(code: .malformedEvent, operation: "decode a monitor event (\(reason); frame sizes \(frames.map(\.count)))")
        }
        guard frames.count == 2 else { throw malformed("\(frames.count) frames, not 2") }
        guard frames[0].count == Self.eventFrameSize else {
            throw malformed("first frame is \(frames[0].count) bytes, not \(Self.eventFrameSize)")
        }
        let (id, value) = frames[0].withUnsafeBytes { raw in
            (
                raw.loadUnaligned(fromByteOffset: 0, as: UInt16.self),
                raw.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
            )
        }
        // libzmq copies the endpoint's bytes as they are; decoding repairs any
        // invalid UTF-8 rather than failing on it.
        let endpoint = String(decoding: frames[1], as: UTF8.self)
        self.init(id: id, value: value, endpoint: endpoint)
    }

    /// The event numbered `id` with its raw `value`, interpreted as `zmq_socket_monitor(3)` documents.
    init(id: UInt16, value: UInt32, endpoint: String) {
        let signed = Int32(bitPattern: value)
        switch id {
        case MonitorEventCode.connected: self = .connected(endpoint: endpoint, fileDescriptor: signed)
        case MonitorEventCode.connectDelayed: self = .connectDelayed(endpoint: endpoint)
        case MonitorEventCode.connectRetried:
            self = .connectRetried(endpoint: endpoint, interval: .milliseconds(Int64(value)))
        case MonitorEventCode.listening: self = .listening(endpoint: endpoint, fileDescriptor: signed)
        case MonitorEventCode.bindFailed: self = .bindFailed(endpoint: endpoint, code: signed)
        case MonitorEventCode.accepted: self = .accepted(endpoint: endpoint, fileDescriptor: signed)
        case MonitorEventCode.acceptFailed: self = .acceptFailed(endpoint: endpoint, code: signed)
        case MonitorEventCode.closed: self = .closed(endpoint: endpoint, fileDescriptor: signed)
        case MonitorEventCode.closeFailed: self = .closeFailed(endpoint: endpoint, code: signed)
        case MonitorEventCode.disconnected: self = .disconnected(endpoint: endpoint, fileDescriptor: signed)
        case MonitorEventCode.monitorStopped: self = .monitorStopped(endpoint: endpoint)
        case MonitorEventCode.handshakeFailedNoDetail:
            self = .handshakeFailedNoDetail(endpoint: endpoint, code: signed)
        case MonitorEventCode.handshakeSucceeded: self = .handshakeSucceeded(endpoint: endpoint)
        case MonitorEventCode.handshakeFailedProtocol:
            self = .handshakeFailedProtocol(endpoint: endpoint, error: HandshakeProtocolError(rawValue: value))
        case MonitorEventCode.handshakeFailedAuth: self = .handshakeFailedAuth(endpoint: endpoint, status: Int(value))
        default: self = .unknown(id: id, value: value, endpoint: endpoint)
        }
    }
}
