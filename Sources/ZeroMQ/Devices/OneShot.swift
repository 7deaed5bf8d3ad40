import Dispatch
import Synchronization

/// A value one thread posts once and any number of others wait for, each
/// wait bounded, or a task awaits without holding a thread. Lets a device's
/// thread report "bound" or "ended" to callers. `package`: the benchmarks'
/// threads hand each other an endpoint with it.
package final class OneShot<Value: Sendable>: Sendable {
    private struct Storage {
        var value: Value?
        /// Tasks suspended in ``next()``, by a number of their own.
        var waiting: [Int: CheckedContinuation<Value?, Never>] = [:]
        var lastWaiter = 0
    }

    private let storage = Locked(Storage())
    private let posted = DispatchSemaphore(value: 0)

    /// Nothing posted yet.
    package init() {}

    /// The value, if it has been posted.
    package var value: Value? { storage.withLock { $0.value } }

    /// Posts `value`; later posts are ignored.
    package func post(_ value: Value) {
        let waiting = storage.withLock { storage -> [CheckedContinuation<Value?, Never>]? in
            guard storage.value == nil else { return nil }
            storage.value = value
            defer { storage.waiting = [:] }
            return Array(storage.waiting.values)
        }
        guard let waiting else { return }
        posted.signal()
        for task in waiting { task.resume(returning: value) }
    }

    /// Waits until the value is posted or `timeout` passes.
    ///
    /// - Returns: the value, or `nil` on timeout.
    package func wait(timeout: Duration) -> Value? {
        if let value { return value }
        guard posted.wait(timeout: .now() + Self.interval(timeout)) == .success else { return value }
        // Leave the semaphore signalled, so every other waiter wakes as well.
        posted.signal()
        return value
    }

    /// Suspends the task (no thread waits) until the value is posted; `nil`
    /// once the task is cancelled.
    package func next() async -> Value? {
        let waiter = storage.withLock { storage -> Int in
            storage.lastWaiter += 1
            return storage.lastWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { task in
                let now = storage.withLock { storage -> Value?? in
                    if let value = storage.value { return .some(value) }
                    if Task.isCancelled { return .some(nil) }
                    storage.waiting[waiter] = task
                    return nil
                }
                if let now { task.resume(returning: now) }
            }
        } onCancel: {
            storage.withLock { $0.waiting.removeValue(forKey: waiter) }?.resume(returning: nil)
        }
    }

    private static func interval(_ duration: Duration) -> DispatchTimeInterval {
        let nanoseconds = wholeUnits(duration, per: 1_000_000_000)
        return nanoseconds == Int64.max ? .never : .nanoseconds(Int(clamping: max(0, nanoseconds)))
    }
}
