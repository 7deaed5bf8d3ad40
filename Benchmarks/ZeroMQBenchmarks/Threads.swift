import Dispatch
import Foundation
import Synchronization

/// Runs `first` (the binding side) and `second` (the connecting side) on two
/// new Foundation threads and returns once both have finished.
///
/// The benchmark loops block inside libzmq, so they run on dedicated threads,
/// never on Swift's cooperative pool.
func runOnTwoThreads(_ first: @escaping @Sendable () -> Void, _ second: @escaping @Sendable () -> Void) {
    let finished = DispatchSemaphore(value: 0)
    for body in [first, second] {
        let thread = Thread {
            body()
            finished.signal()
        }
        thread.start()
    }
    finished.wait()
    finished.wait()
}

/// A one-shot mailbox: the binding thread publishes the endpoint it actually
/// bound (with the real TCP port), the connecting thread waits for it.
final class EndpointHandoff: Sendable {
    private let endpoint = Mutex<String?>(nil)
    private let published = DispatchSemaphore(value: 0)

    /// Stores `value` and wakes the waiting thread.
    func publish(_ value: String) {
        endpoint.withLock { $0 = value }
        published.signal()
    }

    /// Blocks until an endpoint was published and returns it.
    func wait() -> String {
        published.wait()
        return endpoint.withLock { $0! }
    }
}

/// A value that threads update under a lock and read after joining them.
final class Shared<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ value: Value) { storage = Mutex(value) }

    /// A copy of the current value.
    var value: Value { storage.withLock { $0 } }

    /// Changes the value in place under the lock, so updates of different
    /// fields from different threads never overwrite each other.
    func modify(_ body: (inout Value) -> Void) {
        storage.withLock { body(&$0) }
    }
}

/// Ends the process with `error` and the scenario it broke: a failing libzmq
/// call is a bug in the benchmark, not something to measure around.
func fail(_ error: any Error, in scenario: String) -> Never {
    fatalError("\(scenario): \(error)")
}
