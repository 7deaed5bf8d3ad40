import Dispatch
import Synchronization

/// A value one thread posts once and any number of others wait for, each
/// wait bounded. Lets a device's thread report "bound" or "ended" to callers.
final class OneShot<Value: Sendable>: Sendable {
    private let storage = Locked<Value?>(nil)
    private let posted = DispatchSemaphore(value: 0)

    /// The value, if it has been posted.
    var value: Value? { storage.withLock { $0 } }

    /// Posts `value`; later posts are ignored.
    func post(_ value: Value) {
        let isFirst = storage.withLock { stored -> Bool in
            guard stored == nil else { return false }
            stored = value
            return true
        }
        if isFirst { posted.signal() }
    }

    /// Waits until the value is posted or `timeout` passes.
    ///
    /// - Returns: the value, or `nil` on timeout.
    func wait(timeout: Duration) -> Value? {
        if let value { return value }
        guard posted.wait(timeout: .now() + Self.interval(timeout)) == .success else { return value }
        // Leave the semaphore signalled, so every other waiter wakes as well.
        posted.signal()
        return value
    }

    private static func interval(_ duration: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanoseconds.overflow, seconds >= 0 else { return seconds < 0 ? .nanoseconds(0) : .never }
        return .nanoseconds(Int(clamping: nanoseconds.partialValue + attoseconds / 1_000_000_000))
    }
}
