import Foundation

/// How a proxy's thread ended.
enum ProxyOutcome: Sendable {
    /// `TERMINATE` arrived on the control socket.
    case terminated
    /// Creating, configuring or attaching a socket failed, or the proxy did
    /// (`ETERM` after ``Context/shutdown()``).
    case failed(ZMQError)
}

/// What a proxy's ``DeviceThread`` runs: it creates, configures and attaches
/// the proxy's sockets, reports the endpoints, and runs `zmq_proxy_steerable`
/// until `TERMINATE` or a failure. It holds no socket: `Socket` is not
/// `Sendable`, so the thread creates, uses and closes all four of its own.
struct ProxyThread: Sendable {
    let context: Context
    let kind: Proxy.Kind
    let frontend: Endpoint
    let backend: Endpoint
    let capture: Proxy.Capture?
    let options: Proxy.Options
    /// The `inproc://` endpoint the caller's control PAIR is bound to.
    let controlEndpoint: String

    /// The thread's loop: reports the endpoints (or why there are none) to
    /// `thread`, and returns how the proxy ended once its sockets are closed.
    func run(reportingTo thread: DeviceThread<Proxy.Endpoints, ProxyOutcome>) -> ProxyOutcome {
        var sockets = OpenSockets()
        let outcome: ProxyOutcome
        do throws(ZMQError) {
            let (frontendSocket, frontendEndpoint) = try open(kind.frontendType, .frontend, frontend, into: &sockets)
            let (backendSocket, backendEndpoint) = try open(kind.backendType, .backend, backend, into: &sockets)
            var captureSocket: Socket?
            var captureEndpoint: String?
            if let capture {
                guard capture.type.canSend else {
                    throw ZMQError(code: .invalidArgument, operation: "proxy capture: a \(capture.type) socket cannot send")
                }
                (captureSocket, captureEndpoint) = try open(capture.type, .capture, capture.endpoint, into: &sockets)
            }
            let control = try context.socket(.pair)
            sockets.all.append(control)
            try control.set(.linger, .zero)
            try control.connect(controlEndpoint)
            thread.reportReady(
                .success(
                    Proxy.Endpoints(frontend: frontendEndpoint, backend: backendEndpoint, capture: captureEndpoint)))
            try frontendSocket.runProxy(backend: backendSocket, capture: captureSocket, control: control)
            outcome = .terminated
        } catch {
            thread.reportReady(.failure(error))  // ignored when the proxy had started
            outcome = .failed(error)
        }
        // Close before reporting the end, so that once stop() returns the
        // proxy's ports are free to bind again.
        sockets.close(waitingUpTo: options.stopTimeout)
        return outcome
    }

    /// Creates a socket of `type`, lets ``Proxy/Options/configure`` set its
    /// options, and binds or connects it.
    ///
    /// - Returns: the socket and the endpoint it is attached to.
    private func open(
        _ type: SocketType, _ role: Proxy.Role, _ endpoint: Endpoint, into sockets: inout OpenSockets
    ) throws(ZMQError) -> (Socket, String) {
        do throws(ZMQError) {
            let socket = try context.socket(type)
            sockets.all.append(socket)
            try options.configure?(role, socket)
            guard endpoint.binds, endpoint.address.hasPrefix("tcp://") || endpoint.address.hasPrefix("ipc://") else {
                return (socket, try socket.attach(endpoint))
            }
            let watcher = try socket.monitor(events: .closed)
            let bound = try socket.attach(endpoint)
            sockets.closeWatchers.append((watcher, bound))
            return (socket, bound)
        } catch {
            throw ZMQError(code: error.code, operation: "proxy \(role) \(error.operation)")
        }
    }
}

/// The sockets a proxy thread opened, and a way to know when closing them
/// has really released their TCP and IPC endpoints.
private struct OpenSockets {
    var all: [Socket] = []
    /// A monitor of each socket bound to a TCP or IPC endpoint, with that
    /// endpoint. `zmq_close` returns at once and libzmq's I/O thread closes the
    /// listening descriptor later, reporting it as a CLOSED event. (Waiting for
    /// the whole socket to go would mean waiting for every inproc peer to
    /// acknowledge, which an idle peer never does.)
    var closeWatchers: [(monitor: Monitor, endpoint: String)] = []

    /// Closes every socket and waits, up to `timeout` in all, until libzmq has
    /// closed their listening descriptors.
    func close(waitingUpTo timeout: Duration) {
        for socket in all { socket.close() }
        let deadline = ContinuousClock.now + timeout
        for (monitor, endpoint) in closeWatchers {
            // nil: the timeout passed, the context was shut down, or monitoring stopped.
            while let event = try? monitor.next(timeout: max(deadline - .now, .zero)) {
                if case .closed(endpoint, _) = event { break }
            }
            monitor.close()
        }
    }
}
