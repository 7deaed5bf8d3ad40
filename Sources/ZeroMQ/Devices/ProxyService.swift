import ServiceLifecycle

/// A proxy as a swift-service-lifecycle `Service`, so that a server runs it
/// in its `ServiceGroup` beside its other parts:
///
/// ```swift
/// let bus = Proxy(context: context, kind: .forwarder, frontend: .bind("tcp://*:5550"), backend: .bind("tcp://*:5551"))
/// try await ServiceGroup(services: [bus, …], gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
extension Proxy: Service {
    /// Starts the proxy (unless ``start()`` was called before) and runs until
    /// a graceful shutdown or the task's cancellation, which stop it; returns
    /// once its thread has ended. Throws what ended the proxy otherwise (for
    /// example `ETERM` after ``Context/shutdown()``), what failed ``start()``
    /// or ``stop()`` (``ZMQError/Code/threadDidNotReport`` for a thread stuck
    /// in a send), or ``ZMQError/Code/notRunning`` for a proxy stopped before
    /// it ran.
    ///
    /// Starting and stopping wait for the proxy's thread, a few milliseconds,
    /// so they run on a thread of their own, never on Swift's cooperative pool.
    public func run() async throws {
        if !hasStarted {
            _ = try await offThePool { () throws(ZMQError) in try self.start() }
        } else if !isRunning && outcome == nil {
            throw ZMQError(code: .notRunning, operation: "run proxy: it was stopped, or failed to start, before it ran")
        }
        let stopFailure = OneShot<ZMQError>()
        let stopping: @Sendable () -> Void = {
            onOwnThread {
                do throws(ZMQError) { try self.stop() } catch { stopFailure.post(error) }
            }
        }
        let outcome = await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                // The proxy's end, or a stop that failed (its thread stuck in a send).
                await withTaskGroup(of: ProxyOutcome?.self) { waits in
                    waits.addTask { await self.untilEnded() }
                    waits.addTask { await stopFailure.next().map { .failed($0) } }
                    defer { waits.cancelAll() }
                    return await waits.next() ?? nil
                }
            } onGracefulShutdown: {
                stopping()
            }
        } onCancel: {
            stopping()
        }
        if case .failed(let error) = outcome { throw error }
        // Stopped: make sure the thread has ended and the control socket is closed.
        try await offThePool { () throws(ZMQError) in try self.stop() }
    }
}
