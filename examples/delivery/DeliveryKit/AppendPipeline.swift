import Foundation

/// Batches of facts appended one after another on the event store's writer,
/// each started without waiting for the one before: under sustained load the
/// store service queues a full batch behind the one committing, so the
/// writer goes from one commit to the next without waiting for the service.
///
/// Batches are written in the order they were started. Once one fails, the
/// batches already queued behind it fail too, unwritten, so that none of
/// them overtakes the failed one; ``resume()`` lets the next ones through
/// again. (What the failed batches held comes back whenever its senders
/// resend it, so facts sent later may be stored before it.)
public final class AppendPipeline: Sendable {
    private struct State {
        /// Batches started and not ended.
        var inPipeline = 0
        /// A batch failed: the batches behind it are not written.
        var halted = false
    }

    private let store: EventStore
    private let state = Shared(State())

    public init(store: EventStore) { self.store = store }

    /// Starts appending `events` (with their JSON rows, ``DeliveryEvent/json()``)
    /// and their ``Causation``s in one transaction behind the batches started
    /// before, and returns at once.
    public func start(_ events: [DeliveryEvent], bodies: [Data], causes: [Causation]? = nil) -> PendingAppend {
        let pending = PendingAppend()
        state.modify { $0.inPipeline += 1 }
        store.startAppending(events, bodies: bodies, causes: causes, unless: { [state] in state.value.halted }) { [state] result in
            // On the writer, before the next batch starts there: that batch sees `halted`.
            state.modify { state in
                state.inPipeline -= 1
                if case .failure = result { state.halted = true }
            }
            pending.end(result)
        }
        return pending
    }

    /// Writes batches again after a failure. Call it once every batch started
    /// has ended, so that none started before the failure is written after it.
    public func resume() {
        state.modify { state in
            precondition(state.inPipeline == 0, "resume() while batches are still in the pipeline")
            state.halted = false
        }
    }
}

/// A batch in an ``AppendPipeline``: its results, once it has committed.
public final class PendingAppend: Sendable {
    private enum State: Sendable {
        case running
        case awaited(CheckedContinuation<[EventStore.Appended], any Error>)
        case ended(Result<[EventStore.Appended], any Error>)
    }

    private let state = Shared(State.running)

    /// Whether the batch has committed or failed (``results()`` then returns at once).
    public var hasEnded: Bool {
        if case .ended = state.value { return true }
        return false
    }

    /// One result per event, in order, once the batch has committed; throws
    /// what made it fail. One caller at a time.
    public func results() async throws -> [EventStore.Appended] {
        try await withCheckedThrowingContinuation { waiting in
            let ended = state.modify { state -> Result<[EventStore.Appended], any Error>? in
                if case .ended(let result) = state { return result }
                if case .awaited = state { preconditionFailure("results() awaited twice at once") }
                state = .awaited(waiting)
                return nil
            }
            if let ended { waiting.resume(with: ended) }
        }
    }

    fileprivate func end(_ result: Result<[EventStore.Appended], any Error>) {
        let waiting = state.modify { state -> CheckedContinuation<[EventStore.Appended], any Error>? in
            defer { state = .ended(result) }
            if case .awaited(let waiting) = state { return waiting }
            return nil
        }
        waiting?.resume(with: result)
    }
}
