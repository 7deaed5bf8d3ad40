extension Proxy {
    /// Which sockets a proxy joins: the frontend faces the side that sends
    /// first (publishers, producers, clients), the backend the other.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        /// The frontend socket's type.
        public let frontendType: SocketType
        /// The backend socket's type.
        public let backendType: SocketType

        /// A proxy between any two socket types that libzmq's proxy supports.
        public init(frontend: SocketType, backend: SocketType) {
            frontendType = frontend
            backendType = backend
        }

        /// The event bus: publishers connect to the XSUB frontend, subscribers
        /// to the XPUB backend; messages flow down, subscriptions flow up.
        public static let forwarder = Kind(frontend: .xsub, backend: .xpub)
        /// The work queue: producers connect to the PULL frontend, workers to the
        /// PUSH backend, which deals each message to one worker.
        public static let streamer = Kind(frontend: .pull, backend: .push)
        /// The shared request queue: REQ or DEALER clients connect to the ROUTER
        /// frontend, REP or DEALER workers to the DEALER backend.
        public static let queue = Kind(frontend: .router, backend: .dealer)

        public var description: String { "\(frontendType)/\(backendType)" }
    }

    /// A socket that receives a copy of every frame the proxy passes on, in
    /// both directions, for logging or auditing.
    ///
    /// Mind two things libzmq 4.3.4 does. The copy is sent blocking, so a PUSH
    /// capture with no puller connected stops the whole proxy; a PUB capture
    /// never does (it drops). And every control command (`PAUSE`, `RESUME`,
    /// `STATISTICS`, `TERMINATE`) is copied to the capture socket too, as a
    /// single frame.
    public struct Capture: Sendable, Hashable {
        /// The capture socket's type, usually PUB or PUSH.
        public let type: SocketType
        /// Where the capture socket attaches.
        public let endpoint: Endpoint

        /// A capture socket of any sending type.
        public init(type: SocketType, endpoint: Endpoint) {
            self.type = type
            self.endpoint = endpoint
        }

        /// A PUB capture: every subscriber gets the copies; none are kept for
        /// absent subscribers.
        public static func publish(_ endpoint: Endpoint) -> Capture { Capture(type: .pub, endpoint: endpoint) }

        /// A PUSH capture: one puller gets the copies, and the proxy waits for it.
        public static func push(_ endpoint: Endpoint) -> Capture { Capture(type: .push, endpoint: endpoint) }
    }

    /// Which of a proxy's sockets ``Options/configure`` is being asked about.
    public enum Role: Sendable, Hashable {
        /// The frontend socket.
        case frontend
        /// The backend socket.
        case backend
        /// The capture socket.
        case capture
    }

    /// How a proxy runs.
    public struct Options: Sendable {
        /// The longest a control call (``Proxy/pause()``, ``Proxy/resume()``,
        /// ``Proxy/statistics()``) or ``Proxy/start()`` waits for the proxy thread.
        public var controlTimeout: Duration
        /// The longest ``Proxy/stop()`` waits for the proxy thread to end.
        public var stopTimeout: Duration
        /// The proxy thread's name, as debuggers and `top -H` show it.
        public var threadName: String
        /// Sets options on each socket before it binds or connects, on the
        /// proxy's thread (for example high-water marks, or
        /// ``WriteOnlySocketOption/xpubVerbose``); a thrown error fails ``Proxy/start()``.
        public var configure: (@Sendable (Role, Socket) throws(ZMQError) -> Void)?

        /// Options with bounded waits of five seconds.
        public init(
            controlTimeout: Duration = .seconds(5),
            stopTimeout: Duration = .seconds(5),
            threadName: String = "zeromq-proxy",
            configure: (@Sendable (Role, Socket) throws(ZMQError) -> Void)? = nil
        ) {
            self.controlTimeout = controlTimeout
            self.stopTimeout = stopTimeout
            self.threadName = threadName
            self.configure = configure
        }
    }

    /// The endpoints a started proxy's sockets are attached to, with real
    /// ports in place of `*`: give these to the peers.
    public struct Endpoints: Sendable, Hashable {
        /// The frontend's endpoint.
        public let frontend: String
        /// The backend's endpoint.
        public let backend: String
        /// The capture socket's endpoint, when there is one.
        public let capture: String?
    }
}
