#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation

/// One thread, owned by this module, that waits for file descriptors to become
/// readable and resumes the tasks waiting on them.
///
/// Async socket calls never block a thread of Swift's cooperative pool: they try
/// a non-blocking operation, and when it would block they park here on the
/// socket's `ZMQ_FD` until libzmq signals a change. The reactor only calls
/// `poll(2)` on those descriptors; it never touches a libzmq socket, so the
/// socket stays with the one task that uses it. One thread serves every socket
/// in the process, however many are waiting.
final class ReadinessReactor: @unchecked Sendable {
    static let shared = ReadinessReactor()

    private struct Waiter {
        let fileDescriptor: Int32
        let deadline: ContinuousClock.Instant?
        let continuation: CheckedContinuation<Bool, any Error>
    }

    private struct State {
        var waiters: [UInt64: Waiter] = [:]
        var nextID: UInt64 = 0
    }

    /// Guarded by `lock`, a pthread mutex (which ThreadSanitizer understands).
    private var state = State()
    private let lock = NSLock()
    /// The reactor's thread; set once, in `init`, before anyone can wait here.
    private var thread: DeviceThread<Void, Void>!

    private init() {
        do {
            thread = try DeviceThread.start(name: "zeromq-reactor") { [self] thread in run(thread) }
        } catch {
            // Only at a process's first async wait, and only when it has no file descriptor left.
            fatalError("ReadinessReactor: \(error)")
        }
    }

    /// Suspends until `fileDescriptor` is readable (or has an error): returns
    /// `true`; or until `deadline` passes: returns `false`. Throws
    /// `CancellationError` promptly when the task is cancelled.
    @discardableResult
    func waitUntilReadable(_ fileDescriptor: Int32, deadline: ContinuousClock.Instant? = nil) async throws -> Bool {
        let id = withState { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Bool, any Error>) in
                let cancelled = withState { state -> Bool in
                    if Task.isCancelled { return true }
                    state.waiters[id] = Waiter(
                        fileDescriptor: fileDescriptor, deadline: deadline, continuation: continuation)
                    return false
                }
                if cancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    wake()
                }
            }
        } onCancel: {
            let waiter = withState { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private func withState<R>(_ body: (inout State) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&state)
    }

    /// A `poll(2)` timeout that ends at `deadline` (rounded up), or -1 for none.
    private static func milliseconds(until deadline: ContinuousClock.Instant?) -> Int32 {
        guard let deadline else { return -1 }
        return Int32(clamping: max(0, wholeUnits(deadline - ContinuousClock.now, per: 1_000)))
    }

    private func wake() { thread.wake() }

    /// The loop, for the life of the process: `poll(2)` on the waiters'
    /// descriptors and the thread's wake-up pipe, which a new waiter writes to.
    private func run(_ thread: DeviceThread<Void, Void>) {
        var descriptors: [pollfd] = []
        while true {
            descriptors.removeAll(keepingCapacity: true)
            descriptors.append(pollfd(fd: thread.wakeDescriptor, events: Int16(POLLIN), revents: 0))
            let earliest = withState { state -> ContinuousClock.Instant? in
                var seen = Set<Int32>()
                var earliest: ContinuousClock.Instant?
                for waiter in state.waiters.values {
                    if seen.insert(waiter.fileDescriptor).inserted {
                        descriptors.append(pollfd(fd: waiter.fileDescriptor, events: Int16(POLLIN), revents: 0))
                    }
                    if let deadline = waiter.deadline { earliest = min(earliest ?? deadline, deadline) }
                }
                return earliest
            }
            let ready = poll(&descriptors, nfds_t(descriptors.count), Self.milliseconds(until: earliest))
            if ready < 0 { continue }  // EINTR
            if descriptors[0].revents != 0 { thread.drainWakeUps() }
            let readyDescriptors = Set(descriptors.dropFirst().filter { $0.revents != 0 }.map(\.fd))
            let now = ContinuousClock.now
            let (readable, expired) = withState { state -> ([Waiter], [Waiter]) in
                var readable: [Waiter] = []
                var expired: [Waiter] = []
                for (id, waiter) in state.waiters {
                    if readyDescriptors.contains(waiter.fileDescriptor) {
                        readable.append(state.waiters.removeValue(forKey: id)!)
                    } else if let deadline = waiter.deadline, deadline <= now {
                        expired.append(state.waiters.removeValue(forKey: id)!)
                    }
                }
                return (readable, expired)
            }
            for waiter in readable { waiter.continuation.resume(returning: true) }
            for waiter in expired { waiter.continuation.resume(returning: false) }
        }
    }
}
