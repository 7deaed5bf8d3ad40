import Foundation

/// Runs `body` on a thread of its own and suspends until it returns, without
/// holding a thread: for the short blocking waits of a device's start and
/// stop (its thread reporting back). Not a Dispatch global queue: on Linux
/// Swift's cooperative pool runs on the same few threads. `package`: the
/// channels' Services close their ends with it too.
package func offThePool<Result: Sendable, Failure: Error>(
    _ body: @escaping @Sendable () throws(Failure) -> Result
) async throws(Failure) -> Result {
    let outcome = await withCheckedContinuation { (done: CheckedContinuation<Swift.Result<Result, Failure>, Never>) in
        onOwnThread { done.resume(returning: Swift.Result { () throws(Failure) -> Result in try body() }) }
    }
    return try outcome.get()
}

/// Runs `body` on a new thread and returns at once: for a graceful-shutdown
/// or cancellation handler that must not block its caller.
package func onOwnThread(_ body: @escaping @Sendable () -> Void) {
    Thread.detachNewThread(body)
}
