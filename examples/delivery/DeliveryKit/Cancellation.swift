import Foundation
import Logging

/// The `CancelOrder` command, as JSON over REQ/REP to the order service:
/// `zmq req tcp://127.0.0.1:5570 '{"cancel":{"order":3}}'`.
public struct CancelOrder: Codable, Sendable, Hashable {
    public var order: Int
    public var reason: String?

    public init(order: Int, reason: String? = nil) {
        self.order = order
        self.reason = reason
    }
}

/// What a cancellation came to.
public enum CancellationOutcome: String, Codable, Sendable, Hashable {
    /// Cancelled now: no courier will pick it up.
    case cancelled
    /// It was cancelled before (the command sent again): nothing changed.
    case alreadyCancelled = "already-cancelled"
    /// Too late: a courier has picked it up (or delivered it).
    case tooLate = "too-late"
    /// The store has no such order.
    case unknownOrder = "unknown-order"
}

/// The decisions made by reading an order's stream (``DeliveryEvent/stream(ofOrder:)``)
/// and appending with the version read: a cancellation (the order service's)
/// and a pickup (a courier's) race for the same order, and whichever the
/// store takes second finds a conflict, reads the stream again and decides
/// again. So an order is never both cancelled and picked up.
public enum OrderDecisions {
    /// What a cancellation of the order whose stream is `history` comes to,
    /// and the event to append when it is ``CancellationOutcome/cancelled``.
    public static func cancellation(of history: [StoredEvent], reason: String) -> (CancellationOutcome, DeliveryEvent?) {
        guard let first = history.first else { return (.unknownOrder, nil) }
        var pickedUp = false
        for stored in history {
            switch stored.event {
            case .orderCancelled: return (.alreadyCancelled, nil)
            case .pickedUp, .delivered: pickedUp = true
            default: break
            }
        }
        if pickedUp { return (.tooLate, nil) }
        return (.cancelled, .orderCancelled(OrderCancelled(eventID: UUID(), orderID: first.event.orderID, reason: reason)))
    }

    /// Whether a courier may pick up the order whose stream is `history`: not once it is cancelled.
    public static func mayPickUp(_ history: [StoredEvent]) -> Bool {
        !history.contains { $0.event.kind == .orderCancelled }
    }

    /// Reads `stream` with `read`, decides with `decide`, and appends its
    /// event with `append` expecting the version read; on a
    /// ``VersionConflict``, reads and decides again (at most `attempts`
    /// times). Returns the last decision's outcome and the conflicts met.
    static func decide<Outcome: Sendable>(
        attempts: Int = 10,
        read: () async throws -> [StoredEvent],
        decide: ([StoredEvent]) -> (Outcome, DeliveryEvent?),
        append: (DeliveryEvent, ExpectedVersion) async throws -> Result<Int64, VersionConflict>
    ) async throws -> (outcome: Outcome, conflicts: Int) {
        var conflicts = 0
        while true {
            let history = try await read()
            let (outcome, event) = decide(history)
            guard let event else { return (outcome, conflicts) }
            switch try await append(event, .exactly(history.last?.version ?? 0)) {
            case .success: return (outcome, conflicts)
            case .failure(let conflict):
                conflicts += 1
                // Another writer's turn each time: more than a few in a row means something is wrong.
                if conflicts >= attempts { throw conflict }
            }
        }
    }
}

extension StoreClient {
    /// ``append(_:expecting:causation:)``, asking until the store answers:
    /// a conflict comes back as a value, a refusal is thrown, and no answer
    /// is asked again (an append whose answer was lost is, asked again, a
    /// duplicate: no conflict).
    func appendUntilAnswered(
        _ event: DeliveryEvent, expecting expected: ExpectedVersion, causation: Causation, logger: Logger
    ) async throws -> Result<Int64, VersionConflict> {
        try await untilAnswered(
            "appending \(event.kind.rawValue) to \(event.stream)", logger: logger, retryingFailures: false
        ) { store in
            do {
                return .success(try await store.append(event, expecting: expected, causation: causation))
            } catch let conflict as VersionConflict {
                return .failure(conflict)
            }
        }
    }

    /// ``events(inStream:)``, asking until the store answers (a refusal is thrown).
    func streamUntilAnswered(_ stream: String, logger: Logger) async throws -> [StoredEvent] {
        try await untilAnswered("stream \(stream)", logger: logger, retryingFailures: false) {
            try await $0.events(inStream: stream)
        }
    }
}

extension Causation {
    /// The causation of a fact about `orderID` caused by the fact `cause`.
    public init(ofOrder orderID: Int, causedBy cause: UUID?) {
        self.init(correlationID: Causation.correlationID(ofOrder: orderID), causationID: cause)
    }
}
