import Foundation
import Logging
import Synchronization

/// A device that joins two sockets and passes messages between them on a
/// thread of its own: the event bus (``Kind/forwarder``), the work queue
/// (``Kind/streamer``) or the request queue (``Kind/queue``), optionally copying
/// all traffic to a capture socket. It runs `zmq_proxy_steerable` through
/// ``Socket/runProxy(backend:capture:control:)``.
///
/// ```swift
/// let bus = Proxy(context: context, kind: .forwarder,
///                 frontend: .bind("tcp://127.0.0.1:*"), backend: .bind("tcp://127.0.0.1:*"))
/// let endpoints = try bus.start()   // publishers connect to endpoints.frontend,
///                                   // subscribers to endpoints.backend
/// try bus.pause(); try bus.resume()
/// let traffic = try bus.statistics()
/// try bus.stop()
/// ```
///
/// ## Threads
/// The proxy owns a `Foundation.Thread`, never a thread of Swift's
/// cooperative pool: `zmq_proxy_steerable` blocks for the proxy's whole life.
/// Its frontend, backend and capture sockets are created, bound and closed on
/// that thread, since a ``Socket`` is not `Sendable`.
///
/// ## Steering, and why a mutex
/// The caller's side steers the proxy through one PAIR control socket over a
/// unique `inproc://` endpoint, guarded by a lock, which makes `Proxy`
/// `Sendable`: any task or thread may call ``pause()``, ``resume()``,
/// ``statistics()`` and ``stop()``. One long-lived socket behind a lock rather
/// than a control socket per call, because:
/// - libzmq 4.3.4 answers only `STATISTICS`, so a REQ/REP control socket jams
///   after the first `PAUSE`; PAIR is the type that works, and a PAIR takes one
///   peer at a time, so a fresh one per call would race the previous one's
///   disconnect.
/// - The lock serialises commands, so each `STATISTICS` reply belongs to the
///   call that asked for it, and taking and releasing it gives the memory
///   barrier libzmq requires when a socket passes between threads.
///
/// Every call waits a bounded time (``Options/controlTimeout``,
/// ``Options/stopTimeout``) and throws ``ZMQError/Code/threadDidNotReport`` rather than hang.
///
/// ## Lifetime
/// ``start()`` at most once; ``stop()`` any number of times. Releasing the
/// proxy stops it. ``Context/shutdown()`` also ends it (``failure`` is then
/// `ETERM`).
public final class Proxy: Sendable {
    /// The context the proxy's sockets belong to.
    public let context: Context
    /// The socket types joined.
    public let kind: Kind
    /// Where the frontend attaches.
    public let frontend: Endpoint
    /// Where the backend attaches.
    public let backend: Endpoint
    /// The capture socket, if any.
    public let capture: Capture?
    /// How the proxy runs.
    public let options: Options

    private struct State {
        var hasStarted = false
        /// The caller's side of the control pair, while the proxy may run.
        var control: Socket?
        var endpoints: Endpoints?
        /// The proxy's thread, once started: it reports the endpoints, and how it ended.
        var thread: DeviceThread<Endpoints, ProxyOutcome>?
    }

    private let state = Locked(State())
    private let logger: Logger

    /// How the proxy's thread ended; `nil` before it started and while it runs.
    var outcome: ProxyOutcome? { state.withLock { $0.thread }?.outcome }

    /// Suspends, holding no thread, until the proxy's thread has ended: how
    /// it ended, or `nil` when the task is cancelled first (or it never started).
    func untilEnded() async -> ProxyOutcome? { await state.withLock { $0.thread }?.untilEnded() }

    /// Describes a proxy; nothing runs until ``start()``.
    ///
    /// - Parameters:
    ///   - context: the context whose sockets the proxy makes.
    ///   - kind: which sockets to join, such as ``Kind/forwarder``.
    ///   - frontend: where the frontend attaches; a string literal binds.
    ///   - backend: where the backend attaches.
    ///   - capture: a socket that receives a copy of all traffic; see ``Capture``.
    ///   - options: its timeouts; see ``Options``.
    ///   - logger: where start and stop are logged (`zeromq.devices` by default).
    public init(
        context: Context, kind: Kind, frontend: Endpoint, backend: Endpoint, capture: Capture? = nil,
        options: Options = Options(), logger: Logger? = nil
    ) {
        self.logger = logger ?? Logger(label: "zeromq.devices")
        self.context = context
        self.kind = kind
        self.frontend = frontend
        self.backend = backend
        self.capture = capture
        self.options = options
    }

    /// Describes a proxy between sockets of any two types that
    /// `zmq_proxy_steerable` supports.
    public convenience init(
        context: Context, frontendType: SocketType, backendType: SocketType, frontend: Endpoint, backend: Endpoint,
        capture: Capture? = nil, options: Options = Options(), logger: Logger? = nil
    ) {
        self.init(
            context: context, kind: Kind(frontend: frontendType, backend: backendType), frontend: frontend,
            backend: backend, capture: capture, options: options, logger: logger)
    }

    deinit {
        try? stop()
    }

    /// The endpoints the sockets are attached to, once started.
    public var endpoints: Endpoints? { state.withLock { $0.endpoints } }

    /// Whether the proxy thread is running.
    public var isRunning: Bool {
        state.withLock { $0.control != nil } && outcome == nil
    }

    /// Whether ``start()`` was called (and maybe ``stop()`` since).
    var hasStarted: Bool { state.withLock { $0.hasStarted } }

    /// The error that ended the proxy without ``stop()`` (or failed ``start()``),
    /// such as `ETERM` after ``Context/shutdown()``; `nil` while it runs or
    /// after a clean stop.
    public var failure: ZMQError? {
        guard case .failed(let error) = outcome else { return nil }
        return error
    }

    /// Starts the proxy thread, which creates, configures and attaches its
    /// sockets, and returns once they are bound or connected.
    ///
    /// - Returns: the attached endpoints, with real ports for `tcp://…:*`.
    /// - Throws: ``ZMQError``: the bind error of a socket (for example
    ///   `EADDRINUSE`), ``ZMQError/Code/alreadyStarted`` when started (or
    ///   stopped) before, ``ZMQError/Code/threadDidNotReport`` when the thread
    ///   did not report within ``Options/controlTimeout``, ``ZMQError/Code/notRunning``
    ///   when ``stop()`` ended it while it started.
    @discardableResult
    public func start() throws(ZMQError) -> Endpoints {
        // The lock is held to claim the start and to record its result, not
        // while the thread binds: ``stop()`` and the accessors stay responsive.
        let thread = try state.withLock { (state) throws(ZMQError) -> DeviceThread<Endpoints, ProxyOutcome> in
            guard !state.hasStarted else {
                throw ZMQError(
                    code: .alreadyStarted, operation: "start proxy: it was started or stopped before")
            }
            state.hasStarted = true
            let controlEndpoint = "inproc://zeromq-proxy-control-\(UUID().uuidString)"
            let control = try context.socket(.pair)
            try control.set(.linger, .zero)
            try control.set(.sendTimeout, options.controlTimeout)
            try control.bind(controlEndpoint)
            let sockets = ProxyThread(
                context: context, kind: kind, frontend: frontend, backend: backend, capture: capture,
                options: options, controlEndpoint: controlEndpoint)
            let thread = try DeviceThread<Endpoints, ProxyOutcome>.start(name: options.threadName) { thread in
                sockets.run(reportingTo: thread)
            }
            // Kept even if the thread is slow to report, so stop() can still end it.
            (state.control, state.thread) = (control, thread)
            return thread
        }
        guard let result = thread.waitUntilReady(timeout: options.controlTimeout) else {
            throw ZMQError(
                code: .threadDidNotReport, operation: "start proxy: its thread did not report within \(options.controlTimeout)")
        }
        switch result {
        case .success(let endpoints):
            // A stop() that came while the thread was binding has ended the proxy already.
            let stopped = state.withLock { state in
                state.endpoints = endpoints
                return state.control == nil || thread.hasEnded
            }
            if stopped {
                // Ended by a failure right after binding (its context shut down), or by a stop().
                if case .failed(let error)? = thread.outcome { throw error }
                throw ZMQError(code: .notRunning, operation: "start proxy: it was stopped as it started")
            }
            logger.info("proxy started", metadata: ["endpoints": "\(endpoints)"])
            return endpoints
        case .failure(let error):
            // The failed thread closes what it opened; wait, so the caller
            // may bind those endpoints again as soon as this throws.
            thread.waitUntilEnded(timeout: options.stopTimeout)
            state.withLock { state in
                state.control?.close()
                state.control = nil
            }
            throw error
        }
    }

    /// Suspends forwarding: messages wait in the sockets' queues (up to their
    /// high-water marks) until ``resume()``. Returns once the proxy has paused.
    /// Sends `PAUSE` to `zmq_proxy_steerable`.
    public func pause() throws(ZMQError) {
        try steer("PAUSE")
    }

    /// Resumes forwarding after ``pause()``; returns once the proxy has resumed.
    /// Sends `RESUME` to `zmq_proxy_steerable`.
    public func resume() throws(ZMQError) {
        try steer("RESUME")
    }

    /// The messages and bytes passed on since the proxy started.
    /// Sends `STATISTICS` to `zmq_proxy_steerable` and decodes its reply.
    ///
    /// - Throws: ``ZMQError``: ``ZMQError/Code/threadDidNotReport`` when no
    ///   reply came within ``Options/controlTimeout``,
    ///   ``ZMQError/Code/malformedReply`` for a malformed reply,
    ///   ``ZMQError/Code/notRunning`` when the proxy is not running.
    public func statistics() throws(ZMQError) -> Statistics {
        try withControl("statistics") { (control, thread) throws(ZMQError) in
            try requestStatistics(on: control, of: thread, for: "statistics")
        }
    }

    /// Stops the proxy (`TERMINATE` to `zmq_proxy_steerable`) and returns once
    /// its thread has closed its sockets, libzmq has released their TCP and IPC
    /// endpoints (so they may be bound again at once), and the thread has
    /// ended. Calling it again, or on a
    /// proxy that never started or already ended, does nothing; a stopped
    /// proxy cannot start again.
    ///
    /// - Throws: ``ZMQError/Code/threadDidNotReport`` when the thread is still running after
    ///   ``Options/stopTimeout``. That happens only while libzmq blocks it in a
    ///   send, to a PUSH backend or capture nobody pulls from; ``stop()`` may be
    ///   called again, and ``Context/shutdown()`` always ends it.
    public func stop() throws(ZMQError) {
        try state.withLock { (state) throws(ZMQError) in
            state.hasStarted = true
            guard let control = state.control, let thread = state.thread else { return }
            if !thread.hasEnded {
                // A failed send means the proxy is ending or stuck anyway; the wait tells which.
                _ = try? control.send("TERMINATE")
                guard thread.waitUntilEnded(timeout: options.stopTimeout) != nil else {
                    throw ZMQError(
                        code: .threadDidNotReport,
                        operation: "stop proxy: its thread is still running after \(options.stopTimeout)")
                }
            }
            control.close()
            state.control = nil
            logger.info("proxy stopped", metadata: ["endpoints": "\(state.endpoints.map { "\($0)" } ?? "none")"])
        }
    }

    // MARK: Control

    /// Runs `body` with the control socket of a running proxy, under the lock.
    private func withControl<Result: Sendable>(
        _ operation: String, _ body: (Socket, DeviceThread<Endpoints, ProxyOutcome>) throws(ZMQError) -> Result
    ) throws(ZMQError) -> Result {
        try state.withLock { (state) throws(ZMQError) -> Result in
            guard let control = state.control, let thread = state.thread else {
                throw ZMQError(
                    code: .notRunning,
                    operation: "\(operation) proxy: it is \(state.hasStarted ? "stopped" : "not started")")
            }
            if let outcome = thread.outcome { throw endedError(outcome, operation) }
            return try body(control, thread)
        }
    }

    /// Sends `command`, then asks for statistics: the proxy handles commands in
    /// order and answers only `STATISTICS`, so its reply proves `command` took effect.
    private func steer(_ command: String) throws(ZMQError) {
        let operation = command.lowercased()
        try withControl(operation) { (control, thread) throws(ZMQError) in
            try send(command, on: control, for: operation)
            _ = try requestStatistics(on: control, of: thread, for: operation)
        }
    }

    private func send(_ command: String, on control: Socket, for operation: String) throws(ZMQError) {
        guard try control.send(command) else {
            throw ZMQError(
                code: .threadDidNotReport, operation: "\(operation) proxy: \(command) not taken within \(options.controlTimeout)")
        }
    }

    private func requestStatistics(
        on control: Socket, of thread: DeviceThread<Endpoints, ProxyOutcome>, for operation: String
    ) throws(ZMQError) -> Statistics {
        // A reply that arrived after an earlier call gave up waiting would be
        // mistaken for this one's.
        while try control.receive(flags: .dontWait) != nil {}
        try send("STATISTICS", on: control, for: operation)
        let deadline = ContinuousClock.now + options.controlTimeout
        var poller = Poller()
        let item = poller.add(control, for: .readable)
        while true {
            if let outcome = thread.outcome { throw endedError(outcome, operation) }
            let remaining = deadline - .now
            guard remaining > .zero else {
                throw ZMQError(
                    code: .threadDidNotReport, operation: "\(operation) proxy: no reply within \(options.controlTimeout)")
            }
            // Short slices, so a proxy that ends meanwhile is noticed at once.
            if try poller.poll(timeout: min(remaining, .milliseconds(50)))[item].contains(.readable),
                let frames = try control.receiveMultipart(flags: .dontWait)
            {
                return try Statistics(reply: frames)
            }
        }
    }

    private func endedError(_ outcome: ProxyOutcome, _ operation: String) -> ZMQError {
        switch outcome {
        case .failed(let error):
            ZMQError(code: error.code, operation: "\(operation) proxy: it ended after \(error.operation) failed")
        case .terminated:
            ZMQError(code: .notRunning, operation: "\(operation) proxy: it was stopped")
        }
    }
}
