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
/// The signals reach it through the tool's `ServiceGroup` (``CommandService``).
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
        Termination.onSignal { [weak context] in
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

/// Whether SIGINT or SIGTERM arrived, shared with the thread that hears of it:
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
