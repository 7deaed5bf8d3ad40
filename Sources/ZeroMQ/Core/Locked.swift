import Foundation

/// A value guarded by a pthread mutex (`NSLock`), with `Mutex`'s `withLock` shape.
/// `package`: the channels (ZeroMQChannels) share state with threads the same way.
///
/// Used instead of `Synchronization.Mutex` for state shared with threads this
/// module owns: `Mutex` synchronizes through futexes that ThreadSanitizer cannot
/// see, so `swift test --sanitize=thread` would report races that are not there.
package final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    package init(_ value: Value) { self.value = value }

    /// Runs `body` with exclusive access to the value.
    package func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
