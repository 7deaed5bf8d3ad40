import CZeroMQ
import Synchronization

/// A ZeroMQ context: the container of a process's sockets and of libzmq's I/O threads.
///
/// A context is thread-safe in libzmq, so `Context` is `Sendable`: share one per
/// process and create sockets from it on any thread.
///
/// ## Lifetime
/// Every ``Socket`` keeps its context alive, so a context is terminated
/// (`zmq_ctx_term`) only once its last socket has been closed or released.
/// `zmq_ctx_term` therefore never waits for a forgotten socket, only for
/// pending outgoing messages as each socket's linger allows (see ``defaultLinger``).
/// ``shutdown()`` may be called at any time from any thread: it makes every
/// blocking call on this context's sockets return an error whose
/// ``ZMQError/isTerminated`` is true, so the threads owning them can close them.
public final class Context: @unchecked Sendable {
    // `handle` never changes after init; libzmq makes the context itself
    // thread-safe. `isShutDown` is the only mutable state and is atomic.
    let handle: UnsafeMutableRawPointer
    private let shutDownFlag = Atomic<Bool>(false)

    /// The linger applied to each socket this context creates: how long its
    /// pending messages may still go out after it closes. `nil` is libzmq's own
    /// default, wait forever, which can make termination wait forever too.
    public let defaultLinger: Duration?

    /// Creates a context. The corresponding C functions are `zmq_ctx_new` and `zmq_ctx_set`.
    ///
    /// - Parameters:
    ///   - ioThreads: libzmq I/O threads (`ZMQ_IO_THREADS`); one handles about a gigabyte per second.
    ///   - maxSockets: the most sockets open at once (`ZMQ_MAX_SOCKETS`), or `nil` for libzmq's default (1023).
    ///   - ipv6: whether sockets use IPv6 by default (`ZMQ_IPV6`).
    ///   - defaultLinger: the linger each new socket gets (``SocketOption/linger``).
    ///     One second by default, so that terminating never waits long for a
    ///     peer that is gone; `.zero` drops pending messages on close, `nil`
    ///     keeps libzmq's default of waiting until they are sent, however long.
    public init(
        ioThreads: Int = 1,
        maxSockets: Int? = nil,
        ipv6: Bool = false,
        defaultLinger: Duration? = .seconds(1)
    ) throws(ZMQError) {
        if let defaultLinger, defaultLinger < .zero {
            throw ZMQError(code: .invalidArgument, operation: "Context(defaultLinger: \(defaultLinger)): negative linger")
        }
        handle = try zmqCallPointer("zmq_ctx_new()") { zmq_ctx_new() }
        self.defaultLinger = defaultLinger
        // On a throw below, deinit terminates the context.
        try set(ZMQ_IO_THREADS, Int32(clamping: ioThreads), "ioThreads")
        if let maxSockets { try set(ZMQ_MAX_SOCKETS, Int32(clamping: maxSockets), "maxSockets") }
        try set(ZMQ_IPV6, ipv6 ? 1 : 0, "ipv6")
    }

    deinit {
        // Every socket retains its context, so all of them are closed by now:
        // zmq_ctx_term waits only for lingering messages.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    private func set(_ option: Int32, _ value: Int32, _ name: String) throws(ZMQError) {
        try zmqCall("zmq_ctx_set(\(name), \(value))") { zmq_ctx_set(handle, option, value) }
    }

    private func value(of option: Int32) -> Int {
        Int(zmq_ctx_get(handle, option))
    }

    /// The number of I/O threads. The corresponding C function is `zmq_ctx_get(ZMQ_IO_THREADS)`.
    public var ioThreads: Int { value(of: ZMQ_IO_THREADS) }

    /// The most sockets that may be open at once. The corresponding C function is `zmq_ctx_get(ZMQ_MAX_SOCKETS)`.
    public var maxSockets: Int { value(of: ZMQ_MAX_SOCKETS) }

    /// The largest ``maxSockets`` libzmq accepts. The corresponding C function is `zmq_ctx_get(ZMQ_SOCKET_LIMIT)`.
    public var socketLimit: Int { value(of: ZMQ_SOCKET_LIMIT) }

    /// Whether new sockets use IPv6. The corresponding C function is `zmq_ctx_get(ZMQ_IPV6)`.
    public var ipv6: Bool { value(of: ZMQ_IPV6) != 0 }

    /// Whether ``shutdown()`` has been called (by this process, through this object).
    public var isShutDown: Bool { shutDownFlag.load(ordering: .acquiring) }

    /// Ends all blocking operations on this context's sockets: they fail with
    /// `ETERM` (``ZMQError/isTerminated``), and so does every later call except
    /// closing. Never blocks; safe from any thread; calling it twice is harmless.
    /// The corresponding C function is `zmq_ctx_shutdown`.
    public func shutdown() {
        guard !shutDownFlag.exchange(true, ordering: .acquiringAndReleasing) else { return }
        zmq_ctx_shutdown(handle)
    }

    /// Creates a socket of `type` on this context. The corresponding C function is `zmq_socket`.
    public func socket(_ type: SocketType) throws(ZMQError) -> Socket {
        try Socket(context: self, type: type)
    }
}
