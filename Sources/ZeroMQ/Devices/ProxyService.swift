import Dispatch
import ServiceLifecycle

/// A proxy as a swift-service-lifecycle `Service`, so that a server runs it
/// in its `ServiceGroup` beside its other parts:
///
/// ```swift
/// let bus = Proxy(context: context, kind: .forwarder, frontend: "tcp://*:5550", backend: "tcp://*:5551")
/// try await ServiceGroup(services: [bus, …], gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
extension Proxy: Service {
    /// Starts the proxy (unless ``start()`` was called before) and runs until
    /// a graceful shutdown or the task's cancellation, which stop it; returns
    /// once its thread has ended. Throws what ended the proxy otherwise, for
    /// example `ETERM` after ``Context/shutdown()``, or a failed ``start()``.
    ///
    /// Starting and stopping wait for the proxy's thread, a few milliseconds,
    /// so they run on a Dispatch queue, never on Swift's cooperative pool.
    public func run() async throws {
        if !hasStarted { _ = try await offThePool { () throws(ZMQError) in try self.start() } }
        let outcome = await withGracefulShutdownHandler {
            await ended.next()
        } onGracefulShutdown: {
            DispatchQueue.global().async { try? self.stop() }
        }
        if case .failed(let error) = outcome { throw error }
        // Stopped (or cancelled, `nil`): make sure the thread has ended and the control socket is closed.
        try await offThePool { () throws(ZMQError) in try self.stop() }
    }
}
