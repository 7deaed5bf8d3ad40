import Dispatch
import Foundation
import Synchronization
import ZeroMQ

/// One run of a subcommand: its ZeroMQ context, the sockets made from it, and
/// the handling of SIGINT and SIGTERM.
///
/// On either signal the context is shut down, which makes every blocking
/// libzmq call on its sockets return at once with `ETERM`; the command then
/// closes its sockets and ends with exit code 0. Signals are taken from a
/// Dispatch signal source, so no code runs inside a signal handler.
final class Session {
    /// The context every socket of this run belongs to.
    let context: Context
    private let signals: SignalState
    private var sources: [any DispatchSourceSignal] = []

    /// Makes the context. `linger` is how long queued outgoing messages may
    /// still go out once a socket closes; `trapSignals` turns SIGINT and
    /// SIGTERM into a clean stop instead of the default abrupt exit.
    init(linger: Duration = .seconds(1), trapSignals: Bool = true) throws(ToolError) {
        do { context = try Context(defaultLinger: linger) } catch {
            throw .failure("cannot create a ZeroMQ context: \(error)")
        }
        let signals = SignalState()
        self.signals = signals
        // Output goes to a pipe that may close; a failed write is handled where it happens.
        signal(SIGPIPE, SIG_IGN)
        guard trapSignals else { return }
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            // Weakly: the context must be free to terminate (sending what its
            // sockets still queue) as soon as the command lets go of it.
            source.setEventHandler { [weak context] in
                signals.record()
                context?.shutdown()
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }

    /// Whether SIGINT or SIGTERM arrived.
    var wasInterrupted: Bool { signals.arrived }

    /// Blocks until SIGINT or SIGTERM arrives or `timeout` passes; returns whether a signal arrived.
    func waitForSignal(timeout: Duration) -> Bool { signals.wait(timeout: timeout) }

    /// Makes a socket, secured with `curve` when given.
    func socket(_ type: SocketType, curve: CurveSetup? = nil) throws(ToolError) -> Socket {
        do {
            let socket = try context.socket(type)
            try curve?.apply(to: socket)
            return socket
        } catch {
            throw .zmq(error, while: "create a \(type) socket")
        }
    }
}

/// Whether a signal arrived, shared with the Dispatch signal handlers.
private final class SignalState: Sendable {
    private let flag = Atomic<Bool>(false)
    private let semaphore = DispatchSemaphore(value: 0)

    var arrived: Bool { flag.load(ordering: .acquiring) }

    func record() {
        flag.store(true, ordering: .releasing)
        semaphore.signal()
    }

    func wait(timeout: Duration) -> Bool {
        if arrived { return true }
        let nanoseconds = Int(clamping: Int64(timeout.seconds * 1e9))
        _ = semaphore.wait(timeout: .now() + .nanoseconds(nanoseconds))
        return arrived
    }
}
