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

/// Ends the process with `error` and the scenario it broke: a failing libzmq
/// call is a bug in the benchmark, not something to measure around.
func fail(_ error: any Error, in scenario: String) -> Never {
    fatalError("\(scenario): \(error)")
}
