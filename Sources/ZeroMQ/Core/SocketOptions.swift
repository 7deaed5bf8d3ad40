import CZeroMQ

// The stable options of zmq_setsockopt(3) and zmq_getsockopt(3), typed. Each
// name follows libzmq's, spelled out; durations are `Duration`, and values
// where libzmq uses -1 for "forever" or "system default" are optionals.

extension SocketOption {
    fileprivate init(_ code: Int32, _ name: String, _ codec: OptionCodec<Value>) {
        self.init(code: code, name: name, codec: codec)
    }
}

extension WriteOnlySocketOption {
    fileprivate init(_ code: Int32, _ name: String, _ codec: OptionCodec<Value>) {
        self.init(code: code, name: name, codec: codec)
    }
}

extension ReadOnlySocketOption {
    fileprivate init(_ code: Int32, _ name: String, _ codec: OptionCodec<Value>) {
        self.init(code: code, name: name, codec: codec)
    }
}

// MARK: Queues and buffers

extension SocketOption where Value == Int {
    /// The most outgoing messages queued per peer before PUB drops and PUSH blocks; 0 is no limit (`ZMQ_SNDHWM`).
    public static var sendHighWaterMark: Self { .init(ZMQ_SNDHWM, "ZMQ_SNDHWM", .int) }
    /// The most incoming messages queued per peer; 0 is no limit (`ZMQ_RCVHWM`).
    public static var receiveHighWaterMark: Self { .init(ZMQ_RCVHWM, "ZMQ_RCVHWM", .int) }
    /// The kernel send buffer size in bytes; -1 keeps the OS default (`ZMQ_SNDBUF`).
    public static var sendBufferSize: Self { .init(ZMQ_SNDBUF, "ZMQ_SNDBUF", .int) }
    /// The kernel receive buffer size in bytes; -1 keeps the OS default (`ZMQ_RCVBUF`).
    public static var receiveBufferSize: Self { .init(ZMQ_RCVBUF, "ZMQ_RCVBUF", .int) }
    /// The most pending connections a bound socket queues (`ZMQ_BACKLOG`).
    public static var backlog: Self { .init(ZMQ_BACKLOG, "ZMQ_BACKLOG", .int) }
    /// The TCP keepalive probe count; -1 keeps the OS default (`ZMQ_TCP_KEEPALIVE_CNT`).
    public static var tcpKeepaliveCount: Self { .init(ZMQ_TCP_KEEPALIVE_CNT, "ZMQ_TCP_KEEPALIVE_CNT", .int) }
    /// The IP type-of-service byte of outgoing packets (`ZMQ_TOS`).
    public static var typeOfService: Self { .init(ZMQ_TOS, "ZMQ_TOS", .int) }
    /// The multicast data rate in kilobits per second (`ZMQ_RATE`).
    public static var multicastRate: Self { .init(ZMQ_RATE, "ZMQ_RATE", .int) }
    /// A pre-bound file descriptor to use for the next `bind`, or -1 (`ZMQ_USE_FD`).
    public static var useFileDescriptor: Self { .init(ZMQ_USE_FD, "ZMQ_USE_FD", .int) }
    /// The multicast time-to-live (`ZMQ_MULTICAST_HOPS`).
    public static var multicastHops: Self { .init(ZMQ_MULTICAST_HOPS, "ZMQ_MULTICAST_HOPS", .int) }
    /// The largest multicast transport data unit in bytes (`ZMQ_MULTICAST_MAXTPDU`).
    public static var multicastMaxTPDU: Self { .init(ZMQ_MULTICAST_MAXTPDU, "ZMQ_MULTICAST_MAXTPDU", .int) }
}

extension SocketOption where Value == Int64 {
    /// The largest inbound message in bytes; a peer sending more is disconnected; -1 is no limit (`ZMQ_MAXMSGSIZE`).
    public static var maxMessageSize: Self { .init(ZMQ_MAXMSGSIZE, "ZMQ_MAXMSGSIZE", .int64) }
}

extension SocketOption where Value == UInt64 {
    /// The I/O threads new connections may use, as a bit mask (`ZMQ_AFFINITY`).
    public static var affinity: Self { .init(ZMQ_AFFINITY, "ZMQ_AFFINITY", .uint64) }
}

// MARK: Timing

extension SocketOption where Value == Duration? {
    /// How long pending messages are kept after close; `.zero` drops them, `nil` waits forever (`ZMQ_LINGER`).
    public static var linger: Self { .init(ZMQ_LINGER, "ZMQ_LINGER", .millisecondsOrForever) }
    /// How long a receive blocks before returning `nil`; `nil` waits forever (`ZMQ_RCVTIMEO`).
    public static var receiveTimeout: Self { .init(ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO", .millisecondsOrForever) }
    /// How long a send blocks before returning `false`; `nil` waits forever (`ZMQ_SNDTIMEO`).
    public static var sendTimeout: Self { .init(ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO", .millisecondsOrForever) }
    /// The first reconnect delay; `nil` disables reconnection (`ZMQ_RECONNECT_IVL`).
    public static var reconnectInterval: Self {
        .init(ZMQ_RECONNECT_IVL, "ZMQ_RECONNECT_IVL", .millisecondsOrForever)
    }
    /// The TCP keepalive idle time before probes, in whole seconds; `nil` keeps the OS default (`ZMQ_TCP_KEEPALIVE_IDLE`).
    public static var tcpKeepaliveIdle: Self {
        .init(ZMQ_TCP_KEEPALIVE_IDLE, "ZMQ_TCP_KEEPALIVE_IDLE", .secondsOrSystemDefault)
    }
    /// The TCP keepalive probe interval, in whole seconds; `nil` keeps the OS default (`ZMQ_TCP_KEEPALIVE_INTVL`).
    public static var tcpKeepaliveInterval: Self {
        .init(ZMQ_TCP_KEEPALIVE_INTVL, "ZMQ_TCP_KEEPALIVE_INTVL", .secondsOrSystemDefault)
    }
}

extension SocketOption where Value == Duration {
    /// The longest reconnect delay for exponential back-off; `.zero` keeps ``reconnectInterval`` (`ZMQ_RECONNECT_IVL_MAX`).
    public static var reconnectIntervalMax: Self {
        .init(ZMQ_RECONNECT_IVL_MAX, "ZMQ_RECONNECT_IVL_MAX", .milliseconds)
    }
    /// How long a ZMTP handshake may take; `.zero` is no limit (`ZMQ_HANDSHAKE_IVL`).
    public static var handshakeInterval: Self { .init(ZMQ_HANDSHAKE_IVL, "ZMQ_HANDSHAKE_IVL", .milliseconds) }
    /// How long a TCP connect may take before retrying; `.zero` uses the OS timeout (`ZMQ_CONNECT_TIMEOUT`).
    public static var connectTimeout: Self { .init(ZMQ_CONNECT_TIMEOUT, "ZMQ_CONNECT_TIMEOUT", .milliseconds) }
    /// The TCP maximum retransmit timeout; `.zero` uses the OS default (`ZMQ_TCP_MAXRT`).
    public static var tcpMaxRetransmitTimeout: Self { .init(ZMQ_TCP_MAXRT, "ZMQ_TCP_MAXRT", .milliseconds) }
    /// The multicast recovery interval (`ZMQ_RECOVERY_IVL`).
    public static var multicastRecoveryInterval: Self {
        .init(ZMQ_RECOVERY_IVL, "ZMQ_RECOVERY_IVL", .milliseconds)
    }
}

extension SocketOption where Value == Duration {
    /// How often to send ZMTP heartbeats; `.zero` disables them (`ZMQ_HEARTBEAT_IVL`).
    public static var heartbeatInterval: Self { .init(ZMQ_HEARTBEAT_IVL, "ZMQ_HEARTBEAT_IVL", .milliseconds) }
    /// How long the peer may go without hearing from us before it drops the
    /// connection; libzmq keeps it in tenths of a second, so it is rounded down to
    /// 100 ms, and values under 100 ms have no effect (`ZMQ_HEARTBEAT_TTL`).
    public static var heartbeatTTL: Self { .init(ZMQ_HEARTBEAT_TTL, "ZMQ_HEARTBEAT_TTL", .milliseconds) }
}

extension SocketOption where Value == Duration? {
    /// How long to wait for traffic after a heartbeat before closing the
    /// connection. Reads `nil` until set, meaning the same as ``heartbeatInterval``;
    /// libzmq accepts only values of zero or more (`ZMQ_HEARTBEAT_TIMEOUT`).
    public static var heartbeatTimeout: Self {
        .init(ZMQ_HEARTBEAT_TIMEOUT, "ZMQ_HEARTBEAT_TIMEOUT", .millisecondsOrForever)
    }
}

// MARK: Behaviour flags

extension SocketOption where Value == Bool {
    /// Queue messages only to completed connections, so a missing peer blocks instead of buffering (`ZMQ_IMMEDIATE`).
    public static var immediate: Self { .init(ZMQ_IMMEDIATE, "ZMQ_IMMEDIATE", .bool) }
    /// Use IPv6 (and IPv4) on this socket (`ZMQ_IPV6`).
    public static var ipv6: Self { .init(ZMQ_IPV6, "ZMQ_IPV6", .bool) }
    /// PUB/XPUB/SUB: deliver messages that do *not* match the subscriptions (`ZMQ_INVERT_MATCHING`).
    public static var invertMatching: Self { .init(ZMQ_INVERT_MATCHING, "ZMQ_INVERT_MATCHING", .bool) }
    /// Act as a PLAIN server: check user names and passwords through ZAP (`ZMQ_PLAIN_SERVER`).
    public static var plainServer: Self { .init(ZMQ_PLAIN_SERVER, "ZMQ_PLAIN_SERVER", .bool) }
    /// Keep only the last message in each queue (`ZMQ_CONFLATE`).
    public static var conflate: Self { .init(ZMQ_CONFLATE, "ZMQ_CONFLATE", .bool) }
    /// Act as a CURVE server: needs ``SocketOption/curveSecretKey`` (`ZMQ_CURVE_SERVER`).
    public static var curveServer: Self { .init(ZMQ_CURVE_SERVER, "ZMQ_CURVE_SERVER", .bool) }
}

extension SocketOption where Value == Bool? {
    /// TCP keepalive: `true` on, `false` off, `nil` the OS default (`ZMQ_TCP_KEEPALIVE`).
    public static var tcpKeepalive: Self {
        .init(
            ZMQ_TCP_KEEPALIVE, "ZMQ_TCP_KEEPALIVE",
            OptionCodec<Int32>.int32.map(
                read: { $0 < 0 ? nil : $0 != 0 }, write: { value, _ in value.map { $0 ? 1 : 0 } ?? -1 })
        )
    }
}

extension WriteOnlySocketOption where Value == Bool {
    /// XPUB: pass every subscription up, duplicates included (`ZMQ_XPUB_VERBOSE`).
    public static var xpubVerbose: Self { .init(ZMQ_XPUB_VERBOSE, "ZMQ_XPUB_VERBOSE", .bool) }
    /// XPUB: pass every subscription and unsubscription up (`ZMQ_XPUB_VERBOSER`).
    public static var xpubVerboser: Self { .init(ZMQ_XPUB_VERBOSER, "ZMQ_XPUB_VERBOSER", .bool) }
    /// XPUB: fail with `EAGAIN` at the high-water mark instead of dropping (`ZMQ_XPUB_NODROP`).
    public static var xpubNoDrop: Self { .init(ZMQ_XPUB_NODROP, "ZMQ_XPUB_NODROP", .bool) }
    /// XPUB: the application sets subscriptions itself (`ZMQ_XPUB_MANUAL`).
    public static var xpubManual: Self { .init(ZMQ_XPUB_MANUAL, "ZMQ_XPUB_MANUAL", .bool) }
    /// ROUTER: fail with `EHOSTUNREACH` for an unknown routing id instead of dropping (`ZMQ_ROUTER_MANDATORY`).
    public static var routerMandatory: Self { .init(ZMQ_ROUTER_MANDATORY, "ZMQ_ROUTER_MANDATORY", .bool) }
    /// ROUTER: a new peer with a known routing id takes over that id (`ZMQ_ROUTER_HANDOVER`).
    public static var routerHandover: Self { .init(ZMQ_ROUTER_HANDOVER, "ZMQ_ROUTER_HANDOVER", .bool) }
    /// ROUTER: raw mode, like STREAM (`ZMQ_ROUTER_RAW`).
    public static var routerRaw: Self { .init(ZMQ_ROUTER_RAW, "ZMQ_ROUTER_RAW", .bool) }
    /// ROUTER/DEALER/REQ: send an empty message to each new peer (`ZMQ_PROBE_ROUTER`).
    public static var probeRouter: Self { .init(ZMQ_PROBE_ROUTER, "ZMQ_PROBE_ROUTER", .bool) }
    /// REQ: match replies to requests by a request id (`ZMQ_REQ_CORRELATE`).
    public static var requestCorrelate: Self { .init(ZMQ_REQ_CORRELATE, "ZMQ_REQ_CORRELATE", .bool) }
    /// REQ: allow a new request before the reply arrived (`ZMQ_REQ_RELAXED`).
    public static var requestRelaxed: Self { .init(ZMQ_REQ_RELAXED, "ZMQ_REQ_RELAXED", .bool) }
    /// STREAM: deliver an empty message on connect and disconnect (`ZMQ_STREAM_NOTIFY`).
    public static var streamNotify: Self { .init(ZMQ_STREAM_NOTIFY, "ZMQ_STREAM_NOTIFY", .bool) }
}

// MARK: Identity, subscriptions and addresses

extension SocketOption where Value == [UInt8] {
    /// The routing id this socket presents to ROUTER peers, 1 to 255 bytes (`ZMQ_ROUTING_ID`).
    public static var routingID: Self { .init(ZMQ_ROUTING_ID, "ZMQ_ROUTING_ID", .bytes(capacity: 255)) }
    /// The CURVE long-term public key, 32 bytes (`ZMQ_CURVE_PUBLICKEY`).
    public static var curvePublicKey: Self {
        .init(ZMQ_CURVE_PUBLICKEY, "ZMQ_CURVE_PUBLICKEY", .bytes(capacity: 32))
    }
    /// The CURVE long-term secret key, 32 bytes (`ZMQ_CURVE_SECRETKEY`).
    public static var curveSecretKey: Self {
        .init(ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY", .bytes(capacity: 32))
    }
    /// The server's CURVE public key, 32 bytes: makes this socket a CURVE client (`ZMQ_CURVE_SERVERKEY`).
    public static var curveServerKey: Self {
        .init(ZMQ_CURVE_SERVERKEY, "ZMQ_CURVE_SERVERKEY", .bytes(capacity: 32))
    }
}

extension WriteOnlySocketOption where Value == [UInt8] {
    /// SUB/XSUB: receive messages starting with these bytes; empty receives all (`ZMQ_SUBSCRIBE`).
    public static var subscribe: Self { .init(ZMQ_SUBSCRIBE, "ZMQ_SUBSCRIBE", .bytes(capacity: 0)) }
    /// SUB/XSUB: remove one earlier subscription with these bytes (`ZMQ_UNSUBSCRIBE`).
    public static var unsubscribe: Self { .init(ZMQ_UNSUBSCRIBE, "ZMQ_UNSUBSCRIBE", .bytes(capacity: 0)) }
    /// ROUTER/STREAM: the routing id to give the peer of the next `connect` (`ZMQ_CONNECT_ROUTING_ID`).
    public static var connectRoutingID: Self {
        .init(ZMQ_CONNECT_ROUTING_ID, "ZMQ_CONNECT_ROUTING_ID", .bytes(capacity: 0))
    }
    /// XPUB: a message sent to each new subscriber (`ZMQ_XPUB_WELCOME_MSG`).
    public static var xpubWelcomeMessage: Self {
        .init(ZMQ_XPUB_WELCOME_MSG, "ZMQ_XPUB_WELCOME_MSG", .bytes(capacity: 0))
    }
}

extension SocketOption where Value == String {
    /// The PLAIN user name: makes this socket a PLAIN client (`ZMQ_PLAIN_USERNAME`).
    public static var plainUsername: Self { .init(ZMQ_PLAIN_USERNAME, "ZMQ_PLAIN_USERNAME", .string) }
    /// The PLAIN password; never shown in error messages (`ZMQ_PLAIN_PASSWORD`).
    public static var plainPassword: Self { .init(ZMQ_PLAIN_PASSWORD, "ZMQ_PLAIN_PASSWORD", .secretString) }
    /// The ZAP domain used to authenticate peers of this socket (`ZMQ_ZAP_DOMAIN`).
    public static var zapDomain: Self { .init(ZMQ_ZAP_DOMAIN, "ZMQ_ZAP_DOMAIN", .string) }
    /// A SOCKS5 proxy to connect through, `host:port` (`ZMQ_SOCKS_PROXY`).
    public static var socksProxy: Self { .init(ZMQ_SOCKS_PROXY, "ZMQ_SOCKS_PROXY", .string) }
    /// The network interface to bind to, such as `eth0` (`ZMQ_BINDTODEVICE`).
    public static var bindToDevice: Self { .init(ZMQ_BINDTODEVICE, "ZMQ_BINDTODEVICE", .string) }
}

// MARK: Read-only state

extension ReadOnlySocketOption where Value == SocketType {
    /// The socket's type (`ZMQ_TYPE`).
    public static var type: Self {
        .init(
            ZMQ_TYPE, "ZMQ_TYPE",
            OptionCodec<Int32>.int32.map(read: { SocketType(rawValue: $0) }, write: { type, _ in type.rawValue }))
    }
}

extension ReadOnlySocketOption where Value == Bool {
    /// Whether more frames of the current multipart message follow (`ZMQ_RCVMORE`).
    public static var receiveMore: Self { .init(ZMQ_RCVMORE, "ZMQ_RCVMORE", .bool) }
    /// Whether the socket may be used from several threads at once; false for every stable type (`ZMQ_THREAD_SAFE`).
    public static var threadSafe: Self { .init(ZMQ_THREAD_SAFE, "ZMQ_THREAD_SAFE", .bool) }
}

extension ReadOnlySocketOption where Value == PollEvents {
    /// Whether a message can be received or sent now without blocking (`ZMQ_EVENTS`).
    public static var events: Self {
        .init(
            ZMQ_EVENTS, "ZMQ_EVENTS",
            OptionCodec<Int32>.int32.map(
                read: { PollEvents(rawValue: Int16(truncatingIfNeeded: $0)) },
                write: { events, _ in Int32(events.rawValue) }))
    }
}

extension ReadOnlySocketOption where Value == Int32 {
    /// A file descriptor that becomes readable when ``events`` may have changed; edge-triggered (`ZMQ_FD`).
    public static var fileDescriptor: Self { .init(ZMQ_FD, "ZMQ_FD", .int32) }
}

extension ReadOnlySocketOption where Value == String {
    /// The endpoint last bound or connected, with the real port after binding to `*` (`ZMQ_LAST_ENDPOINT`).
    public static var lastEndpoint: Self { .init(ZMQ_LAST_ENDPOINT, "ZMQ_LAST_ENDPOINT", .string) }
}

extension ReadOnlySocketOption where Value == SecurityMechanism {
    /// The security mechanism in use (`ZMQ_MECHANISM`).
    public static var mechanism: Self {
        .init(
            ZMQ_MECHANISM, "ZMQ_MECHANISM",
            OptionCodec<Int32>.int32.map(
                read: { SecurityMechanism(rawValue: $0) }, write: { mechanism, _ in mechanism.rawValue }))
    }
}

/// The security mechanism of a socket, as ``ReadOnlySocketOption/mechanism`` reports it.
public struct SecurityMechanism: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The libzmq constant (`ZMQ_CURVE`, …).
    public let rawValue: Int32
    /// A mechanism from its libzmq constant.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// No security (`ZMQ_NULL`).
    public static let null = SecurityMechanism(rawValue: ZMQ_NULL)
    /// User name and password in clear text (`ZMQ_PLAIN`).
    public static let plain = SecurityMechanism(rawValue: ZMQ_PLAIN)
    /// CurveZMQ encryption and authentication (`ZMQ_CURVE`).
    public static let curve = SecurityMechanism(rawValue: ZMQ_CURVE)
    /// Kerberos (`ZMQ_GSSAPI`).
    public static let gssapi = SecurityMechanism(rawValue: ZMQ_GSSAPI)

    /// The libzmq name, `NULL`, `PLAIN`, `CURVE` or `GSSAPI`.
    public var description: String {
        switch self {
        case .null: "NULL"
        case .plain: "PLAIN"
        case .curve: "CURVE"
        case .gssapi: "GSSAPI"
        default: "mechanism \(rawValue)"
        }
    }
}
