import Foundation
import Synchronization
import ZeroMQ

/// One run of a subcommand: its ZeroMQ context, the sockets made from it, and
/// the handling of SIGINT and SIGTERM.
///
/// On either signal the context is shut down, which makes every blocking
/// libzmq call on its sockets return at once with `ETERM`; the command then
/// closes its sockets and ends with exit code 0. The signal handler only
/// writes to a pipe; a thread of its own does the rest.
final class Session {
    /// The context every socket of this run belongs to.
    let context: Context
    private let signals: SignalState

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
        // Weakly: the context must be free to terminate (sending what its
        // sockets still queue) as soon as the command lets go of it.
        TerminationSignals.watch { [weak context] in
            signals.record()
            context?.shutdown()
        }
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

/// Turns SIGINT and SIGTERM into calls of a handler on a thread of its own.
/// The C signal handler only writes a byte to a pipe, about all a signal handler
/// may do. Installing a handler also undoes an inherited "ignore", which a shell
/// gives SIGINT in background jobs (`zmq sub … &`), where a Dispatch signal
/// source never hears of it.
private enum TerminationSignals {
    /// The pipe's write end, for the C handler (which can capture nothing).
    nonisolated(unsafe) static var writeEnd: Int32 = -1

    static func watch(_ handler: @escaping @Sendable () -> Void) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return }
        writeEnd = ends[1]
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            var byte: UInt8 = 1
            _ = write(TerminationSignals.writeEnd, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        // A parent may have started us with them blocked (Foundation's Process does).
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        let readEnd = ends[0]
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) == 1 { handler() }
        }
    }
}

/// Whether a signal arrived, shared with the signal-watching thread.
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
