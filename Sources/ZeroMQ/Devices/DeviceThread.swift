#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation

/// A thread this module owns, never one of Swift's cooperative pool, that
/// runs a device's loop: a ``Proxy``, the ``ZAPAuthenticator``'s handler, the
/// drainer of orphaned monitors and the readiness reactor. The one way all of
/// them start, report that they are ready (or why not), are woken, are asked
/// to stop, and report how they ended.
///
/// A loop that polls includes ``wakeDescriptor`` (the read end of a pipe) in
/// its poll, so that ``wake()`` and ``requestStop()`` end its wait at once:
/// no loop polls on a timer to notice either. (A proxy's loop is libzmq's
/// `zmq_proxy_steerable`, which polls only its sockets: a proxy is asked to
/// stop with the `TERMINATE` command on its control socket instead.)
final class DeviceThread<Ready: Sendable, Outcome: Sendable>: Sendable {
    /// The thread's name, as debuggers and `top -H` show it.
    let name: String
    /// Read end of the wake-up pipe: poll it for readability in the loop, and
    /// call ``drainWakeUps()`` when it is readable.
    let wakeDescriptor: Int32
    private let wakeWrite: Int32
    private let stopRequested = Locked(false)
    private let threadID = Locked<pthread_t?>(nil)
    private let ready = OneShot<Result<Ready, ZMQError>>()
    private let ended = OneShot<Outcome>()

    /// Starts `loop` on a new thread and returns at once. The loop reports
    /// readiness with ``reportReady(_:)`` (if anyone waits for it); what it
    /// returns is the thread's ``outcome``.
    /// - Throws: ``ZMQError`` with the errno of `pipe(2)` (such as `EMFILE`)
    ///   when the wake-up pipe cannot be made; no thread is started then.
    static func start(name: String, _ loop: @escaping @Sendable (DeviceThread) -> Outcome) throws(ZMQError)
        -> DeviceThread
    {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ZMQError(errno: errno, operation: "start the \(name) thread: pipe()") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            // Not inherited by a child process the program starts.
            _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
        }
        let device = DeviceThread(name: name, wakeRead: fds[0], wakeWrite: fds[1])
        let thread = Thread {
            device.threadID.withLock { $0 = pthread_self() }
            device.ended.post(loop(device))
        }
        thread.name = name
        thread.start()
        return device
    }

    private init(name: String, wakeRead: Int32, wakeWrite: Int32) {
        self.name = name
        wakeDescriptor = wakeRead
        self.wakeWrite = wakeWrite
    }

    deinit {
        close(wakeDescriptor)
        close(wakeWrite)
    }

    // MARK: Ready

    /// Called by the loop once it is ready (its sockets bound), or with why it
    /// cannot be; later reports are ignored.
    func reportReady(_ result: Result<Ready, ZMQError>) { ready.post(result) }

    /// Waits until the loop reports, at most `timeout`: its report, or `nil` when it did not report in time.
    func waitUntilReady(timeout: Duration) -> Result<Ready, ZMQError>? { ready.wait(timeout: timeout) }

    // MARK: Waking and stopping

    /// Ends the loop's current poll (for new work that it must look at).
    func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)  // a full pipe already means "wake up"
    }

    /// Empties the wake-up pipe; the loop calls it when ``wakeDescriptor`` was readable.
    func drainWakeUps() {
        var drain = [UInt8](repeating: 0, count: 256)
        while read(wakeDescriptor, &drain, drain.count) > 0 {}
    }

    /// Asks the loop to end: sets ``isStopRequested`` and wakes it. Calling it again does nothing.
    func requestStop() {
        let first = stopRequested.withLock { requested in
            defer { requested = true }
            return !requested
        }
        if first { wake() }
    }

    /// Whether ``requestStop()`` was called: what the loop checks after each wake-up.
    var isStopRequested: Bool { stopRequested.withLock { $0 } }

    // MARK: The end

    /// How the loop ended; `nil` while it runs.
    var outcome: Outcome? { ended.value }

    /// Whether the loop has returned.
    var hasEnded: Bool { ended.value != nil }

    /// Waits until the loop has returned, at most `timeout`: its outcome, or
    /// `nil` when it still runs. On the thread itself (from a callback the
    /// loop made), returns `nil` at once rather than wait for itself forever.
    @discardableResult
    func waitUntilEnded(timeout: Duration = .seconds(Int64.max)) -> Outcome? {
        // Ended first: once the thread is gone, another may have its pthread id.
        if let outcome = ended.value { return outcome }
        guard !isCurrentThread else { return nil }
        return ended.wait(timeout: timeout)
    }

    /// Suspends the task, holding no thread, until the loop has returned; `nil` when the task is cancelled first.
    func untilEnded() async -> Outcome? { await ended.next() }

    /// Whether the caller runs on this thread.
    var isCurrentThread: Bool {
        guard let id = threadID.withLock({ $0 }) else { return false }
        return pthread_equal(id, pthread_self()) != 0
    }
}
