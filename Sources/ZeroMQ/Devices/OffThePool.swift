import Dispatch

/// Runs `body` on a Dispatch queue and suspends until it returns, without
/// holding a thread: for the short blocking waits of a device's start and
/// stop (its thread reporting back), which must not run on Swift's
/// cooperative pool.
func offThePool<Result: Sendable, Failure: Error>(
    _ body: @escaping @Sendable () throws(Failure) -> Result
) async throws(Failure) -> Result {
    let outcome = await withCheckedContinuation { (done: CheckedContinuation<Swift.Result<Result, Failure>, Never>) in
        DispatchQueue.global().async {
            done.resume(returning: Swift.Result { () throws(Failure) -> Result in try body() })
        }
    }
    return try outcome.get()
}
