import ServiceLifecycle

/// The authenticator as a swift-service-lifecycle `Service`, so that a
/// server runs it in its `ServiceGroup` beside the sockets it guards.
extension ZAPAuthenticator: Service {
    /// Starts the authenticator (unless it runs already) and answers ZAP
    /// requests until a graceful shutdown or the task's cancellation stops
    /// it; returns once the handler has ended. Throws what failed its start
    /// (for example `EADDRINUSE` when another handler serves this context),
    /// and ``ZMQError/Code/notRunning`` when the handler ended on its own (its
    /// context shut down, or its socket failed): from then on nobody answers
    /// ZAP requests, which a server must not miss.
    ///
    /// Starting and stopping wait for the handler's thread, a few
    /// milliseconds, so they run on a thread of their own, never on Swift's
    /// cooperative pool.
    public func run() async throws {
        try await offThePool { () throws(ZMQError) in try self.start() }
        guard let running = handlerThread.withLock({ $0 }) else { return }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await running.untilFinished()
            } onGracefulShutdown: {
                onOwnThread { self.stop() }
            }
        } onCancel: {
            onOwnThread { self.stop() }
        }
        // Cancelled, the wait returns before the thread ends; it ended on its own only if it ended unasked.
        let endedOnItsOwn = running.isFinished && !running.isStopRequested
        await offThePool { self.stop() }
        if endedOnItsOwn {
            throw ZMQError(
                code: .notRunning, operation: "ZAP authenticator: its handler ended (its context shut down, or its socket failed)")
        }
    }
}
