import Dispatch
import ServiceLifecycle

/// The authenticator as a swift-service-lifecycle `Service`, so that a
/// server runs it in its `ServiceGroup` beside the sockets it guards.
extension ZAPAuthenticator: Service {
    /// Starts the authenticator (unless it runs already) and answers ZAP
    /// requests until a graceful shutdown or the task's cancellation stops
    /// it, or its handler ends on its own (its context shut down); returns
    /// once the handler has ended. Throws what failed its start, for example
    /// `EADDRINUSE` when another handler serves this context.
    ///
    /// Starting and stopping wait for the handler's thread, a few
    /// milliseconds, so they run on a Dispatch queue, never on Swift's
    /// cooperative pool.
    public func run() async throws {
        try await offThePool { () throws(ZMQError) in try self.start() }
        if let running = handlerThread.withLock({ $0 }) {
            await withTaskCancellationHandler {
                await withGracefulShutdownHandler {
                    await withCheckedContinuation { (ended: CheckedContinuation<Void, Never>) in
                        running.onFinished { ended.resume() }
                    }
                } onGracefulShutdown: {
                    DispatchQueue.global().async { self.stop() }
                }
            } onCancel: {
                DispatchQueue.global().async { self.stop() }
            }
        }
        await offThePool { self.stop() }
    }
}
