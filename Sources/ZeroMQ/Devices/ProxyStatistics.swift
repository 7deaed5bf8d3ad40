import Foundation

extension Proxy {
    /// What a proxy has passed on since it started, as its `STATISTICS`
    /// command reports it (see ``Proxy/statistics()``).
    ///
    /// In libzmq 4.3.4 a multipart message counts once and its bytes are the
    /// sum of its frames. Messages flowing from frontend to backend count as
    /// received by the frontend and sent by the backend; replies and XPUB
    /// subscriptions flow the other way.
    public struct Statistics: Sendable, Hashable {
        /// The traffic through one of the proxy's sockets.
        public struct Side: Sendable, Hashable {
            /// Messages this socket received.
            public var messagesReceived: UInt64
            /// Bytes this socket received.
            public var bytesReceived: UInt64
            /// Messages this socket sent.
            public var messagesSent: UInt64
            /// Bytes this socket sent.
            public var bytesSent: UInt64

            /// Describes one socket's traffic.
            public init(messagesReceived: UInt64, bytesReceived: UInt64, messagesSent: UInt64, bytesSent: UInt64) {
                self.messagesReceived = messagesReceived
                self.bytesReceived = bytesReceived
                self.messagesSent = messagesSent
                self.bytesSent = bytesSent
            }
        }

        /// The frontend socket's traffic.
        public var frontend: Side
        /// The backend socket's traffic.
        public var backend: Side

        /// Describes a proxy's traffic.
        public init(frontend: Side, backend: Side) {
            self.frontend = frontend
            self.backend = backend
        }

        /// Decodes the reply to `STATISTICS`: eight 8-byte frames holding, in
        /// the host's byte order, the frontend's messages received, bytes
        /// received, messages sent and bytes sent, then the backend's.
        ///
        /// - Throws: ``ZMQError`` with ``ZMQError/Code/malformedReply`` for any other shape.
        init(reply frames: [Message]) throws(ZMQError) {
            guard frames.count == 8, frames.allSatisfy({ $0.count == 8 }) else {
                throw ZMQError(
                    code: .malformedReply,
                    operation: "proxy STATISTICS reply of frame sizes \(frames.map(\.count)), not eight of 8 bytes")
            }
            let values = frames.map { frame in frame.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } }
            frontend = Side(
                messagesReceived: values[0], bytesReceived: values[1], messagesSent: values[2], bytesSent: values[3])
            backend = Side(
                messagesReceived: values[4], bytesReceived: values[5], messagesSent: values[6], bytesSent: values[7])
        }
    }
}
