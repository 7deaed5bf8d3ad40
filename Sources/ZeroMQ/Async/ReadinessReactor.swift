#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// One thread, owned by this module, that waits for file descriptors to become
/// readable and resumes the tasks waiting on them.
///
/// Async socket calls never block a thread of Swift's cooperative pool: they try
/// a non-blocking operation, and when it would block they park here on the
/// socket's `ZMQ_FD` until libzmq signals a change. The reactor only calls
/// `poll(2)` on those descriptors; it never touches a libzmq socket, so the
/// socket stays with the one task that uses it. One thread serves every socket
/// in the process, however many are waiting.
final class ReadinessReactor: Sendable {
    static let shared = ReadinessReactor()

    private struct Waiter {
        let fileDescriptor: Int32
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State: ~Copyable {
        var waiters: [UInt64: Waiter] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private init() {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { fatalError("ReadinessReactor: pipe() failed, errno \(errno)") }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        let thread = Thread { [self] in run() }
        thread.name = "zeromq-reactor"
        thread.start()
    }

    /// Suspends until `fileDescriptor` is readable (or has an error), or the
    /// task is cancelled, in which case it throws `CancellationError`.
    func waitUntilReadable(_ fileDescriptor: Int32) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    state.waiters[id] = Waiter(fileDescriptor: fileDescriptor, continuation: continuation)
                    return false
                }
                if cancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    wake()
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)  // a full pipe already means "wake up"
    }

    private func run() {
        var descriptors: [pollfd] = []
        var drain = [UInt8](repeating: 0, count: 256)
        while true {
            descriptors.removeAll(keepingCapacity: true)
            descriptors.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            state.withLock { state in
                var seen = Set<Int32>()
                for waiter in state.waiters.values where seen.insert(waiter.fileDescriptor).inserted {
                    descriptors.append(pollfd(fd: waiter.fileDescriptor, events: Int16(POLLIN), revents: 0))
                }
            }
            let ready = poll(&descriptors, nfds_t(descriptors.count), -1)
            if ready < 0 { continue }  // EINTR
            if descriptors[0].revents != 0 {
                while read(wakeRead, &drain, drain.count) > 0 {}
            }
            let readyDescriptors = Set(descriptors.dropFirst().filter { $0.revents != 0 }.map(\.fd))
            guard !readyDescriptors.isEmpty else { continue }
            let resumed = state.withLock { state -> [Waiter] in
                let ids = state.waiters.filter { readyDescriptors.contains($0.value.fileDescriptor) }.map(\.key)
                return ids.compactMap { state.waiters.removeValue(forKey: $0) }
            }
            for waiter in resumed { waiter.continuation.resume() }
        }
    }
}
