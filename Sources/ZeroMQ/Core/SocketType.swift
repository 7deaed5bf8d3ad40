import CZeroMQ

/// The kind of a ZeroMQ socket: which pattern it takes part in and how it
/// routes messages. See `man zmq_socket`.
public struct SocketType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The libzmq constant (`ZMQ_PUB`, …).
    public let rawValue: Int32

    /// A socket type from its libzmq constant.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Exclusive pair: one peer, both directions (`ZMQ_PAIR`).
    public static let pair = SocketType(rawValue: ZMQ_PAIR)
    /// Publisher: fans out to every subscriber, drops at the high-water mark (`ZMQ_PUB`).
    public static let pub = SocketType(rawValue: ZMQ_PUB)
    /// Subscriber: receives what matches its subscriptions (`ZMQ_SUB`).
    public static let sub = SocketType(rawValue: ZMQ_SUB)
    /// Requester: strict send, receive, send… (`ZMQ_REQ`).
    public static let req = SocketType(rawValue: ZMQ_REQ)
    /// Replier: strict receive, send, receive… (`ZMQ_REP`).
    public static let rep = SocketType(rawValue: ZMQ_REP)
    /// Asynchronous requester: round-robins out, fair-queues in (`ZMQ_DEALER`).
    public static let dealer = SocketType(rawValue: ZMQ_DEALER)
    /// Asynchronous replier: addresses peers by routing id (`ZMQ_ROUTER`).
    public static let router = SocketType(rawValue: ZMQ_ROUTER)
    /// Work consumer: fair-queues from pushers (`ZMQ_PULL`).
    public static let pull = SocketType(rawValue: ZMQ_PULL)
    /// Work producer: round-robins to pullers, blocks at the high-water mark (`ZMQ_PUSH`).
    public static let push = SocketType(rawValue: ZMQ_PUSH)
    /// Publisher that also receives subscription messages (`ZMQ_XPUB`).
    public static let xpub = SocketType(rawValue: ZMQ_XPUB)
    /// Subscriber that sends subscriptions as messages (`ZMQ_XSUB`).
    public static let xsub = SocketType(rawValue: ZMQ_XSUB)
    /// Raw TCP: talks to non-ZeroMQ peers, each message prefixed by a routing id (`ZMQ_STREAM`).
    public static let stream = SocketType(rawValue: ZMQ_STREAM)

    /// Every stable socket type.
    public static let allCases: [SocketType] = [
        .pair, .pub, .sub, .req, .rep, .dealer, .router, .pull, .push, .xpub, .xsub, .stream,
    ]

    /// The libzmq name, `PUB`, `ROUTER`, …
    public var description: String {
        switch self {
        case .pair: "PAIR"
        case .pub: "PUB"
        case .sub: "SUB"
        case .req: "REQ"
        case .rep: "REP"
        case .dealer: "DEALER"
        case .router: "ROUTER"
        case .pull: "PULL"
        case .push: "PUSH"
        case .xpub: "XPUB"
        case .xsub: "XSUB"
        case .stream: "STREAM"
        default: "socket type \(rawValue)"
        }
    }

    /// Whether a socket of this type can send messages.
    public var canSend: Bool { self != .sub && self != .pull }

    /// Whether a socket of this type can receive messages.
    public var canReceive: Bool { self != .pub && self != .push }
}
