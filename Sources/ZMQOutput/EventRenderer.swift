import ZeroMQ

/// Writes `zmq monitor`'s socket events in each ``OutputFormat``: `text` as
/// one line, `json` as one object a line, and `hex` and `raw` as the two
/// frames libzmq's monitor sends (`u16 event id` and `u32 value` in host byte
/// order, then the endpoint), rebuilt from the decoded event.
package struct EventRenderer {
    let format: OutputFormat

    /// A renderer for `format`.
    package init(format: OutputFormat) { self.format = format }

    /// The output for `event`, which happened at `time`.
    package func render(_ event: SocketEvent, at time: Timestamp) -> [UInt8] {
        switch format {
        case .text:
            return Array("\(time.iso8601) \(event)\n".utf8)
        case .json:
            var object = JSONObjectWriter()
            object.add("time", string: time.iso8601)
            object.add("event", string: Self.name(of: event))
            object.add("endpoint", string: event.endpoint)
            let (key, value) = Self.detail(of: event)
            if let key { object.add(key, number: value) }
            object.add("description", string: event.description)
            return object.finish() + [UInt8(ascii: "\n")]
        case .hex:
            let frames = Self.frames(of: event)
            var output: [UInt8] = []
            for (index, frame) in frames.enumerated() {
                output += Array("frame \(index + 1)/\(frames.count): \(frame.count) bytes\n".utf8)
                frame.withUnsafeBytes { Escaping.appendHexDump($0, to: &output) }
            }
            return output + [UInt8(ascii: "\n")]
        case .raw:
            return Self.frames(of: event).flatMap { $0 }
        }
    }

    /// The frames libzmq sent for `event`.
    private static func frames(of event: SocketEvent) -> [[UInt8]] {
        let id = UInt16(truncatingIfNeeded: event.kind.rawValue)
        let value = UInt32(truncatingIfNeeded: detail(of: event).value)
        let first = withUnsafeBytes(of: id) { Array($0) } + withUnsafeBytes(of: value) { Array($0) }
        return [first, Array(event.endpoint.utf8)]
    }

    /// The event's name in JSON, as in libzmq's `ZMQ_EVENT_*`, lowercased.
    static func name(of event: SocketEvent) -> String {
        switch event {
        case .connected: "connected"
        case .connectDelayed: "connect_delayed"
        case .connectRetried: "connect_retried"
        case .listening: "listening"
        case .bindFailed: "bind_failed"
        case .accepted: "accepted"
        case .acceptFailed: "accept_failed"
        case .closed: "closed"
        case .closeFailed: "close_failed"
        case .disconnected: "disconnected"
        case .monitorStopped: "monitor_stopped"
        case .handshakeFailedNoDetail: "handshake_failed_no_detail"
        case .handshakeSucceeded: "handshake_succeeded"
        case .handshakeFailedProtocol: "handshake_failed_protocol"
        case .handshakeFailedAuth: "handshake_failed_auth"
        case .unknown: "unknown"
        }
    }

    /// The event's value, under the JSON key that says what it is.
    private static func detail(of event: SocketEvent) -> (key: String?, value: Int64) {
        switch event {
        case .connected(_, let fd), .listening(_, let fd), .accepted(_, let fd), .closed(_, let fd),
            .disconnected(_, let fd):
            ("fd", Int64(fd))
        case .bindFailed(_, let code), .acceptFailed(_, let code), .closeFailed(_, let code),
            .handshakeFailedNoDetail(_, let code):
            ("errno", Int64(code))
        case .connectRetried(_, let interval):
            ("retry_ms", interval.components.seconds * 1_000 + interval.components.attoseconds / 1_000_000_000_000_000)
        case .handshakeFailedProtocol(_, let error):
            ("protocol_error", Int64(error.rawValue))
        case .handshakeFailedAuth(_, let status):
            ("zap_status", Int64(status))
        case .unknown(_, let value, _):
            ("value", Int64(value))
        case .connectDelayed, .monitorStopped, .handshakeSucceeded:
            (nil, 0)
        }
    }
}
