import Foundation
import Synchronization
import ZeroMQ

/// One run of a subcommand: its ZeroMQ context, the sockets made from it, and
/// the handling of SIGINT and SIGTERM.
///
/// On either signal the context is shut down, which makes every blocking
/// libzmq call on its sockets return at once with `ETERM`; the command then
/// closes its sockets and ends with exit code 0. A command that sends calls
/// ``endInputOnSignal()`` instead once it starts sending, so that what it
/// already sent still goes out. A second signal ends the process at once.
/// The signal handler only writes to a pipe; a thread of its own does the rest.
final class Session {
    /// The context every socket of this run belongs to.
    let context: Context
    /// Whether SIGINT or SIGTERM arrived, as a flag and as a descriptor to poll.
    let signals: SignalState

    /// Makes the context and turns SIGINT and SIGTERM into a clean stop.
    /// `linger` is how long queued outgoing messages may still go out once a
    /// socket closes.
    init(linger: Duration = .seconds(1)) throws(ToolError) {
        do { context = try Context(defaultLinger: linger) } catch {
            throw .failure("cannot create a ZeroMQ context: \(error)")
        }
        let signals = try SignalState()
        self.signals = signals
        // Output goes to a pipe that may close; a failed write is handled where it happens.
        signal(SIGPIPE, SIG_IGN)
        // Weakly: the context must be free to terminate (sending what its
        // sockets still queue) as soon as the command lets go of it.
        TerminationSignals.watch { [weak context] in
            signals.record()
            if !signals.endsInputOnly { context?.shutdown() }
        }
    }

    /// Makes SIGINT and SIGTERM from now on end the input of a command that
    /// sends, rather than shut the context down: its messages already queued
    /// still go out within the linger, and it ends with exit code 0.
    /// ``signals`` tells the send loop when to stop taking input.
    func endInputOnSignal() { signals.endInputOnly() }

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
            guard read(readEnd, &byte, 1) == 1 else { return }
            // A second signal takes the default action: an impatient user's way out of a long linger.
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
            handler()
        }
    }
}

/// Whether SIGINT or SIGTERM arrived, shared with the signal-watching thread:
/// a flag, and a descriptor that becomes readable then, so that a wait on
/// standard input or a socket can wait for the signal too.
final class SignalState: Sendable {
    private let flag = Atomic<Bool>(false)
    private let inputOnly = Atomic<Bool>(false)
    private let semaphore = DispatchSemaphore(value: 0)
    private let writeEnd: Int32
    /// Readable once a signal arrived (never drained).
    let descriptor: Int32

    fileprivate init() throws(ToolError) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            throw .failure("cannot make a pipe for signals: \(String(cString: strerror(errno)))")
        }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        (descriptor, writeEnd) = (ends[0], ends[1])
    }

    var arrived: Bool { flag.load(ordering: .acquiring) }

    /// Whether a signal only ends the input (see ``Session/endInputOnSignal()``).
    fileprivate var endsInputOnly: Bool { inputOnly.load(ordering: .acquiring) }

    fileprivate func endInputOnly() { inputOnly.store(true, ordering: .releasing) }

    fileprivate func record() {
        flag.store(true, ordering: .releasing)
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
        semaphore.signal()
    }

    func wait(timeout: Duration) -> Bool {
        if arrived { return true }
        let nanoseconds = Int(clamping: Int64(timeout.seconds * 1e9))
        _ = semaphore.wait(timeout: .now() + .nanoseconds(nanoseconds))
        return arrived
    }
}
