import ServiceLifecycle
import ZeroMQ

/// An acknowledged sender as a swift-service-lifecycle `Service`: it sends
/// from the moment it is created, and its ``run()`` decides when it closes.
///
/// In a `ServiceGroup`, which shuts its services down in reverse order, list
/// the sender before the services that send through it, so that they have
/// stopped sending when it drains:
///
/// ```swift
/// let facts = try AcknowledgedSender<Fact>(context: context, .connect("tcp://store:5560"))
/// try await ServiceGroup(services: [facts, orders], gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
extension AcknowledgedSender: Service {
    /// Suspends until a graceful shutdown or the task's cancellation, then
    /// closes the sender (see ``close()``). A graceful shutdown first waits
    /// up to ``AcknowledgedSenderOptions/shutdownDrain`` for every event sent
    /// to be acknowledged, so that a sender without an outbox ends holding
    /// nothing when its receiver is there; what is still unacknowledged after
    /// that stays in the outbox, if there is one, and is logged as a count.
    /// Cancellation closes it at once.
    public func run() async throws {
        let graceful: Bool
        do {
            try await gracefulShutdown()
            graceful = true
        } catch {
            graceful = false
        }
        if graceful { _ = try? await waitUntilAcknowledged(timeout: options.shutdownDrain) }
        // Closing waits for the sender's thread (a few milliseconds), off the pool.
        await offThePool { self.close() }
        let left = counters.inFlight
        if left > 0 {
            logger.warning(
                "acknowledged sender closed with events unacknowledged",
                metadata: [
                    "endpoint": "\(endpoint)", "unacknowledged": "\(left)",
                    "kept": "\(options.outbox == nil ? "no (no outbox)" : "in the outbox")",
                ])
        }
    }
}
