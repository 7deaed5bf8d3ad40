import Logging
import Synchronization

/// A ZAP handler (ZeroMQ Authentication Protocol, RFC 27) that decides which
/// peers may connect to the server sockets of one ``Context``, by a ``ZAPPolicy``:
/// IP allow and deny lists for every mechanism, the accepted CURVE client keys,
/// and the PLAIN users and passwords.
///
/// libzmq asks the handler bound at ``endpoint`` on the server socket's own
/// context about every CURVE and PLAIN handshake, and about NULL handshakes on
/// sockets given a ``SocketOption/zapDomain``. The authenticator answers on a
/// thread it owns, never blocking Swift's cooperative pool.
///
/// ```swift
/// let authenticator = ZAPAuthenticator(
///     context: context, policy: ZAPPolicy(curveClients: .acceptOnly([client.publicKey])))
/// try authenticator.start()
/// let server = try context.socket(.rep)
/// try server.makeCurveServer(serverKeys)
/// try server.bind("tcp://*:5555")
/// ```
///
/// - Important: While no handler runs, libzmq lets every CURVE client that
///   knows the server key in (PLAIN clients are all refused). Start the
///   authenticator before binding server sockets, and keep it running while
///   they accept connections.
///
/// Only one handler can serve a context: starting a second authenticator on
/// the same context throws `EADDRINUSE`. Releasing the authenticator stops it.
public final class ZAPAuthenticator: Sendable {
    /// Where libzmq sends ZAP requests, on each context: `inproc://zeromq.zap.01`.
    public static let endpoint = "inproc://zeromq.zap.01"

    /// The context whose server sockets this authenticator guards.
    public let context: Context
    private let decisions: ZAPDecisionMaker
    let handlerThread = Locked<ZAPHandlerThread?>(nil)

    /// Creates a stopped authenticator for the sockets of `context`.
    ///
    /// - Parameters:
    ///   - context: the context whose server sockets it guards.
    ///   - policy: who is let in; change it later with ``policy`` or ``updatePolicy(_:)``.
    ///   - onDecision: called with every decision, on the authenticator's thread:
    ///     keep it short, since handshakes wait for it.
    ///   - logger: where start, stop and every denial are logged (`zeromq.security` by default).
    ///   - metrics: where decisions are counted as swift-metrics counters; `nil`, the default, for nowhere.
    public init(
        context: Context,
        policy: ZAPPolicy = ZAPPolicy(),
        onDecision: (@Sendable (AuthDecision) -> Void)? = nil,
        logger: Logger? = nil,
        metrics: AuthenticatorMetrics? = nil
    ) {
        self.context = context
        decisions = ZAPDecisionMaker(
            policy: policy, onDecision: onDecision, logger: logger ?? Logger(label: "zeromq.security"),
            metrics: metrics)
    }

    deinit {
        stop()
    }

    /// Starts answering ZAP requests; returns once the handler is bound at
    /// ``endpoint``. Does nothing while already running.
    ///
    /// - Throws: ``ZMQError``, with `EADDRINUSE` when another handler already
    ///   serves this context, or `ETERM` when the context was shut down.
    public func start() throws(ZMQError) {
        try handlerThread.withLock { (current) throws(ZMQError) in
            if let running = current {
                if !running.isStopRequested && !running.isFinished { return }
                running.waitUntilFinished()
            }
            current = try ZAPHandlerThread.launch(context: context, decisions: decisions)
            decisions.logger.info("ZAP authenticator started", metadata: ["endpoint": "\(Self.endpoint)"])
        }
    }

    /// Stops answering and returns once the handler thread has ended and
    /// unbound ``endpoint``, which takes at most a few milliseconds. Calling it
    /// again, or on an authenticator never started, does nothing.
    ///
    /// - Important: Once stopped, libzmq no longer checks new CURVE clients; close
    ///   or unbind the server sockets first if they must stay guarded.
    public func stop() {
        guard let running = handlerThread.withLock({ $0 }) else { return }
        let wasStopped = running.isStopRequested || running.isFinished
        running.requestStop()
        running.waitUntilFinished()
        if !wasStopped { decisions.logger.info("ZAP authenticator stopped") }
    }

    /// Whether the handler is answering requests: started, and not ended by ``stop()``,
    /// by its context shutting down, or by a failure of its socket.
    public var isRunning: Bool {
        guard let running = handlerThread.withLock({ $0 }) else { return false }
        return !running.isStopRequested && !running.isFinished
    }

    /// The policy deciding who is let in; a change applies to the next handshake.
    public var policy: ZAPPolicy {
        get { decisions.policy.withLock { $0 } }
        set { decisions.policy.withLock { $0 = newValue } }
    }

    /// Changes the policy in place, atomically with respect to handshakes being decided.
    ///
    /// ```swift
    /// authenticator.updatePolicy { $0.deniedAddresses.insert("192.0.2.7") }
    /// ```
    public func updatePolicy(_ change: (inout ZAPPolicy) -> Void) {
        decisions.policy.withLock { change(&$0) }
    }

    /// How many handshakes this authenticator has let in.
    public var allowedCount: Int { decisions.allowedCount }

    /// How many handshakes this authenticator has refused, or could not process.
    public var deniedCount: Int { decisions.deniedCount }

    /// The latest refusals, oldest first (at most 32), with their reasons.
    public var recentDenials: [AuthDecision] { decisions.recentDenials }
}
