import Foundation
import ZeroMQ

/// Watches a socket's peers come and go, through a monitor started before the
/// socket binds or connects so that no handshake is missed.
///
/// ZeroMQ connects in the background and retries for ever, so an unreachable
/// host or a wrong key is never an error by itself: ``waitForPeer(timeout:)``
/// turns that into a bounded wait with a clear failure, and
/// ``SubscriberWait`` counts subscribers with it.
final class PeerWatch {
    let endpoint: EndpointArgument
    private let socket: Socket
    private let monitor: Monitor
    /// Peers whose handshake succeeded, less those that disconnected since.
    private(set) var peers = 0
    /// Whether any handshake ever succeeded.
    private(set) var everConnected = false
    /// Connection attempts that failed and will be retried.
    private(set) var retries = 0

    /// Starts watching `socket`; call before it binds or connects to `endpoint`.
    init(_ socket: Socket, endpoint: EndpointArgument) throws(ToolError) {
        self.socket = socket
        self.endpoint = endpoint
        do {
            monitor = try socket.monitor(events: [
                .handshakeSucceeded, .handshakeFailed, .connectRetried, .disconnected,
            ])
        } catch {
            throw .zmq(error, while: "watch the connections of \(endpoint)")
        }
    }

    deinit {
        stopMonitoring(socket, monitor)
    }

    /// Takes in the events of the past `timeout` (none: only those already
    /// there); returns whether the monitor ended, as a context shutdown does.
    ///
    /// - Throws: ``ToolError`` when a security handshake failed.
    @discardableResult
    func update(waiting timeout: Duration = .zero) throws(ToolError) -> Bool {
        var wait = timeout
        while true {
            let event: SocketEvent?
            do { event = try monitor.next(timeout: wait) } catch {
                throw .failure("cannot watch the connections of \(endpoint): \(error)")
            }
            guard let event else { return monitor.isFinished }
            wait = .zero
            switch event {
            case .handshakeSucceeded:
                peers += 1
                everConnected = true
            case .disconnected: peers = max(0, peers - 1)
            case .connectRetried: retries += 1
            case .handshakeFailedProtocol, .handshakeFailedAuth, .handshakeFailedNoDetail:
                throw .failure(Self.handshakeFailure(event, with: endpoint))
            default: continue
            }
        }
    }

    /// Returns once a peer has completed its handshake with the socket.
    ///
    /// - Returns: `false` if the run was interrupted (SIGINT or SIGTERM) meanwhile.
    /// - Throws: ``ToolError`` when no peer connected within `timeout` or a
    ///   handshake failed (such as a CURVE key mismatch).
    func waitForPeer(timeout: Duration) throws(ToolError) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while peers == 0 {
            let remaining = deadline - .now
            guard remaining > .zero else { throw .failure(noPeerMessage(within: timeout)) }
            if try update(waiting: min(remaining, .milliseconds(100))) { return false }
        }
        return true
    }

    /// Why nothing happened within `timeout`: no connection at all, or no answer on it.
    func noPeerMessage(within timeout: Duration) -> String {
        let waited = DurationArgument.format(timeout)
        if endpoint.binds { return "no peer connected to \(endpoint) within \(waited)" }
        let why = retries > 0 ? "connection refused or host unreachable" : "is anything listening there?"
        return "no connection to \(endpoint) within \(waited) (\(why))"
    }

    /// Says why a handshake failed, with a hint at the usual cause.
    static func handshakeFailure(_ event: SocketEvent, with endpoint: EndpointArgument) -> String {
        let prefix = "security handshake with \(endpoint) failed"
        switch event {
        case .handshakeFailedNoDetail(_, let code):
            return
                "\(prefix) (\(String(cString: strerror(code)))): do both sides use CURVE, with the right --curve-server-key?"
        case .handshakeFailedProtocol(_, let error) where error == .zmtpMechanismMismatch:
            return "\(prefix): one side uses CURVE and the other does not"
        case .handshakeFailedProtocol(_, let error):
            return "\(prefix): \(error)"
        case .handshakeFailedAuth(_, let status):
            return "\(prefix): the server's authenticator refused this client (ZAP status \(status))"
        default:
            return "\(prefix): \(event)"
        }
    }
}

/// Stops `monitor` watching `socket` and closes it once libzmq confirms
/// (MONITOR_STOPPED), waiting a second at most.
///
/// Closing a monitor before that confirmation hands its socket to a library
/// thread until it arrives, and that socket keeps the context alive: a process
/// that then exits would skip terminating its context, and messages still
/// queued (a `pub` or `push` that just sent) would be lost.
func stopMonitoring(_ socket: Socket, _ monitor: Monitor) {
    if (try? socket.stopMonitor()) != nil {
        let deadline = ContinuousClock.now + .seconds(1)
        while !monitor.isFinished, ContinuousClock.now < deadline {
            _ = try? monitor.next(timeout: deadline - .now)
        }
    }
    monitor.close()
}
