import Instrumentation
import Logging
import ServiceLifecycle
import ZeroMQ

/// A channel consumer (a ``Subscriber``, a ``Puller`` or an
/// ``AcknowledgedReceiver``) and the handler of its events, as a
/// swift-service-lifecycle `Service`, so that a server runs it in its
/// `ServiceGroup` beside its other parts:
///
/// ```swift
/// let tracking = ConsumerService(
///     try Subscriber<LocationUpdated>(context: context, .connect("tcp://bus:5556"), topics: ["delivery.courier"])
/// ) { received in
///     try await positions.record(received.event)
/// }
/// try await ServiceGroup(services: [tracking], gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
///
/// ``run()`` hands every event to the handler, one at a time, until a
/// graceful shutdown, the task's cancellation or the consumer's end (its
/// context shut down). A graceful shutdown stops taking events and lets the
/// handler finish the one it is on, uncancelled; cancellation cancels the
/// handler too. Then the consumer, and with it its socket, is released.
///
/// A subscriber's or puller's handler runs in the trace context its event
/// was sent in (``ReceivedEvent/serviceContext``), when the event carries
/// one: a span it starts is a child of the sender's, and events it sends
/// carry the trace on. A batch's handler finds each event's context on the event.
///
/// What the socket had queued and nobody took goes with it: on PUB/SUB a
/// gap, which a subscriber that must see every event fills from the record
/// it catches up from; on PUSH/PULL lost work, which is why work that must
/// not be lost travels the acknowledged channel, where an event not
/// acknowledged is sent again (to this receiver's successor).
///
/// The service takes the consumer over (`sending`): nothing else may use it.
/// It runs once; a second ``run()`` throws `ZMQError.Code.alreadyStarted`.
public final class ConsumerService<Event: Decodable & Sendable>: Service, Sendable {
    /// What the consumer is and what handles its events: one loop, taken by the
    /// one ``run()``.
    private let loop: TakeOnce<ConsumerLoop>
    private let role: String
    /// The consumer's endpoint, bound or connected (with the port chosen, for a wildcard bind).
    public let endpoint: String

    /// A subscriber whose events `handle` receives, in arrival order. An error
    /// thrown by `handle` ends ``run()`` with it.
    public init(
        _ subscriber: sending Subscriber<Event>,
        handle: @escaping @Sendable (ReceivedEvent<Event>) async throws -> Void
    ) {
        (role, endpoint) = ("subscriber", subscriber.endpoint)
        loop = TakeOnce(ConsumerLoop(oneAtATime: subscriber.next, handle: handle))
    }

    /// A puller whose work items `handle` receives, in arrival order. An error
    /// thrown by `handle` ends ``run()`` with it.
    public init(
        _ puller: sending Puller<Event>,
        handle: @escaping @Sendable (ReceivedEvent<Event>) async throws -> Void
    ) {
        (role, endpoint) = ("puller", puller.endpoint)
        loop = TakeOnce(ConsumerLoop(oneAtATime: puller.next, handle: handle))
    }

    /// An acknowledged receiver whose events `handle` receives in batches
    /// (see ``AcknowledgedReceiver/receiveBatch(limit:gathering:_:)``); each
    /// batch is acknowledged once `handle` has returned. An error thrown by
    /// `handle` ends ``run()`` with it, and that batch is not acknowledged:
    /// its senders send it again.
    public init(
        _ receiver: sending AcknowledgedReceiver<Event>, batchLimit: Int = 1_000, gathering: Duration = .zero,
        handle: @escaping @Sendable ([ReceivedEvent<Event>]) async throws -> Void
    ) {
        (role, endpoint) = ("acknowledged receiver", receiver.endpoint)
        loop = TakeOnce(ConsumerLoop(receiver: receiver, batchLimit: batchLimit, gathering: gathering, handle: handle))
    }

    /// Hands events to the handler until a graceful shutdown, cancellation or
    /// the consumer's end; see ``ConsumerService``. Throws what the consumer
    /// or the handler threw, `CancellationError` never (cancellation ends it
    /// quietly), or `ZMQError.Code.alreadyStarted` when it ran before.
    public func run() async throws {
        guard let loop = loop.take() else {
            throw ZMQError(code: .alreadyStarted, operation: "run the service of the \(role) on \(endpoint): it ran before")
        }
        let gate = ShutdownGate()
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Bool.self) { tasks in
                tasks.addTask {
                    try await loop.run(gate)
                    return true
                }
                // Wakes the parent when a graceful shutdown begins, to cancel a waiting loop.
                tasks.addTask {
                    do { try await gracefulShutdown() } catch { return false }
                    return false
                }
                while let finished = try await tasks.next() {
                    if finished {
                        // The loop ended (the consumer's end, or stopped): nothing else to wait for.
                        tasks.cancelAll()
                        return
                    }
                    // A graceful shutdown (or cancellation): a loop waiting for an event
                    // is cancelled; one handling an event ends after it.
                    gate.stop { tasks.cancelAll() }
                }
            }
        } onGracefulShutdown: {
            // At once, as the shutdown is announced: the loop takes nothing more,
            // even if its handler returns before the parent above is scheduled.
            gate.stop {}
        }
    }
}

/// Where a consumer's loop is: waiting for events (which a shutdown may
/// cancel) or handling them (which a graceful shutdown lets finish).
final class ShutdownGate: Sendable {
    private let state = Locked((stopping: false, waiting: false))

    /// Before waiting for events; `false` once stopping.
    func beginWaiting() -> Bool {
        state.withLock { state in
            guard !state.stopping else { return false }
            state.waiting = true
            return true
        }
    }

    /// After the wait; `false` once stopping, and what was taken is then not handled.
    func endWaiting() -> Bool {
        state.withLock { state in
            state.waiting = false
            return !state.stopping
        }
    }

    /// Marks the gate stopping and, under the same lock, cancels the loop if it
    /// is waiting, so that a loop handling an event is never cancelled by it.
    func stop(cancellingWaiting cancel: () -> Void) {
        state.withLock { state in
            state.stopping = true
            if state.waiting { cancel() }
        }
    }

    var isStopping: Bool { state.withLock { $0.stopping } }
}

/// The consumer and its handler, as the one task of ``ConsumerService/run()`` drives them.
struct ConsumerLoop: @unchecked Sendable {
    // @unchecked: it holds the consumer, which is not Sendable. The service took
    // it over (`sending`), `TakeOnce` hands the loop to one run, and only that
    // run's one task calls `run(_:)`.
    let run: (ShutdownGate) async throws -> Void

    init<Event>(
        oneAtATime next: @escaping () async throws -> ReceivedEvent<Event>?,
        handle: @escaping @Sendable (ReceivedEvent<Event>) async throws -> Void
    ) {
        run = { gate in
            while gate.beginWaiting() {
                let received: ReceivedEvent<Event>?
                // Cancelled while waiting: by a graceful shutdown, or with the service's task.
                do { received = try await next() } catch is CancellationError { return }
                // An event taken as a shutdown began is not handled: it is as if
                // it had stayed in the socket's queue.
                guard gate.endWaiting(), let received else { return }
                // The service's task cancelled mid-handler: it ends quietly, as in a wait.
                do {
                    if received.envelope.metadata.isEmpty {
                        try await handle(received)
                    } else {
                        // In the sender's trace context (on top of the service's own), so that spans
                        // the handler starts and events it sends continue the sender's trace.
                        let context = received.serviceContext(basedOn: ServiceContext.current ?? .topLevel)
                        try await ServiceContext.$current.withValue(context) { try await handle(received) }
                    }
                } catch is CancellationError where Task.isCancelled { return }
            }
        }
    }

    init<Event>(
        receiver: AcknowledgedReceiver<Event>, batchLimit: Int, gathering: Duration,
        handle: @escaping @Sendable ([ReceivedEvent<Event>]) async throws -> Void
    ) {
        run = { gate in
            while gate.beginWaiting() {
                var taken = AcknowledgedReceiver<Event>.Taken()
                let open: Bool
                do { open = try await receiver.take(into: &taken, limit: batchLimit, gathering: gathering) } catch {
                    receiver.release(taken)
                    if error is CancellationError { return }
                    throw error
                }
                // Taken as a shutdown began, or after the end: released unhandled
                // and unacknowledged, so that the senders send it again.
                guard gate.endWaiting(), open else {
                    receiver.release(taken)
                    return
                }
                guard !taken.isEmpty else { continue }
                do { try await handle(taken.events) } catch {
                    receiver.release(taken)
                    if error is CancellationError, Task.isCancelled { return }
                    throw error
                }
                do { try receiver.acknowledge(taken) } catch let error as ZMQError
                    where error.isTerminated || error.code == .notSocket
                {
                    // The context shut down under the handler: the consumer's end, as for a wait.
                    return
                }
            }
        }
    }
}

/// A value handed out once, to whoever asks first.
final class TakeOnce<Value>: @unchecked Sendable {
    // @unchecked: the value is reachable only through `take()`, under the lock, once.
    private let value: Locked<Value?>

    init(_ value: Value) { self.value = Locked(value) }

    func take() -> Value? { value.withLock { value in defer { value = nil }; return value } }
}
