import Dispatch
import Foundation
import Synchronization

/// A thread the benchmark owns, running blocking ZeroMQ calls off Swift's
/// cooperative pool. Each side of a benchmark makes its own sockets on its own
/// thread, since a `Socket` is not `Sendable`; only the `Sendable` context and
/// plain values cross between threads.
final class BenchThread<Result: Sendable>: Sendable, JoinableThread {
    private let outcome = Mutex<Swift.Result<Result, ToolError>?>(nil)
    private let finished = DispatchSemaphore(value: 0)
    /// The work, until the thread takes it. Dropped as soon as it has run, so
    /// that what it captured (the context above all) is released then, not
    /// whenever Foundation lets go of the finished `Thread`: the context must
    /// terminate, sending what its sockets still queue, before the process exits.
    private let work: Mutex<(@Sendable () throws(ToolError) -> Result)?>

    /// Starts `body` on a new thread named `name`.
    init(_ name: String, _ body: @escaping @Sendable () throws(ToolError) -> Result) {
        work = Mutex(body)
        let thread = Thread { [self] in
            let result: Swift.Result<Result, ToolError>
            do throws(ToolError) {
                let body = work.withLock { work in
                    defer { work = nil }
                    return work!
                }
                result = .success(try body())
            } catch {
                result = .failure(error)
            }
            outcome.withLock { $0 = result }
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Whether the thread has finished.
    var isFinished: Bool { outcome.withLock { $0 != nil } }

    /// Waits for the thread to finish and returns its result or rethrows its error.
    func join() throws(ToolError) -> Result {
        finished.wait()
        finished.signal()
        return try outcome.withLock { $0! }.get()
    }
}

/// A benchmark thread whose result is not needed, only whether it failed.
protocol JoinableThread: Sendable {
    /// Waits for the thread to finish; rethrows its error.
    func waitForEnd() throws(ToolError)
}

extension BenchThread {
    func waitForEnd() throws(ToolError) { _ = try join() }
}

/// A value handed from one benchmark thread to another once, such as the
/// endpoint the receiver bound.
final class Handoff<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)
    private let posted = DispatchSemaphore(value: 0)

    func post(_ newValue: Value) {
        value.withLock { $0 = newValue }
        posted.signal()
    }

    /// The value, or `nil` if none came within `timeout`.
    func wait(timeout: Duration) -> Value? {
        let nanoseconds = Int(clamping: Int64(timeout.seconds * 1e9))
        guard posted.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success else { return nil }
        posted.signal()
        return value.withLock { $0 }
    }
}

/// A count one thread advances and another reads, for the progress line.
final class SharedCounter: Sendable {
    private let value = Atomic<Int>(0)
    func add(_ amount: Int = 1) { value.add(amount, ordering: .relaxed) }
    var current: Int { value.load(ordering: .relaxed) }
}
