import Foundation
import Logging
import ZeroMQ
import ZeroMQChannels

/// The `PlaceOrder` command, as JSON over REQ/REP. From a shell:
///
///     zmq req tcp://127.0.0.1:5570 '{"customer":"Ada","pickup":"Pizza Roma","dropoff":"12 Elm St","items":["margherita"],"totalCents":1250}'
public struct PlaceOrder: Codable, Sendable, Hashable {
    public var customer: String
    public var phone: String?
    public var pickup: String
    public var dropoff: String
    public var items: [String]
    public var totalCents: Int
    public var note: String?
    public var pickupPosition: Position?
    public var dropoffPosition: Position?

    public init(
        customer: String, phone: String? = nil, pickup: String, dropoff: String, items: [String], totalCents: Int,
        note: String? = nil, pickupPosition: Position? = nil, dropoffPosition: Position? = nil
    ) {
        self.customer = customer
        self.phone = phone
        self.pickup = pickup
        self.dropoff = dropoff
        self.items = items
        self.totalCents = totalCents
        self.note = note
        self.pickupPosition = pickupPosition
        self.dropoffPosition = dropoffPosition
    }

    /// What is wrong with the command, or `nil` when it can be accepted.
    public var problem: String? {
        if customer.trimmingCharacters(in: .whitespaces).isEmpty { return "customer must not be empty" }
        if pickup.trimmingCharacters(in: .whitespaces).isEmpty { return "pickup must not be empty" }
        if dropoff.trimmingCharacters(in: .whitespaces).isEmpty { return "dropoff must not be empty" }
        if items.isEmpty { return "items must not be empty" }
        if totalCents <= 0 { return "totalCents must be positive, got \(totalCents)" }
        return nil
    }
}

/// A command to the order service: a ``PlaceOrder`` as it is, or a
/// ``CancelOrder`` under the key `cancel`.
public enum OrderCommand: Codable, Sendable, Hashable {
    case place(PlaceOrder)
    case cancel(CancelOrder)

    private enum CodingKeys: String, CodingKey { case cancel }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.cancel) {
            self = .cancel(try container.decode(CancelOrder.self, forKey: .cancel))
        } else {
            self = .place(try PlaceOrder(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .place(let command): try command.encode(to: encoder)
        case .cancel(let command):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(command, forKey: .cancel)
        }
    }
}

/// The order service's answer to a command.
public struct OrderReply: FailableReply, Hashable {
    /// The order is taken: it is in the event store, or on its way there
    /// from the order service's outbox (see ``recorded``).
    public var accepted: Bool
    public var orderID: Int?
    /// Whether the event store had acknowledged (committed) the order when
    /// the answer was sent. `false` for an accepted order means the store was
    /// slow or down: the order waits in the order service's outbox and is
    /// sent until the store acknowledges it.
    public var recorded: Bool
    public var error: String?
    /// For a ``CancelOrder``: what it came to.
    public var cancellation: CancellationOutcome?
    /// For a ``CancelOrder``: how many times its append met a conflict (the
    /// order's stream moved on between the read and the append) and it read
    /// and decided again.
    public var conflicts: Int?

    public static func failure(reason: String) -> OrderReply {
        OrderReply(accepted: false, orderID: nil, recorded: false, error: reason)
    }

    public init(
        accepted: Bool, orderID: Int?, recorded: Bool, error: String?, cancellation: CancellationOutcome? = nil,
        conflicts: Int? = nil
    ) {
        self.accepted = accepted
        self.orderID = orderID
        self.recorded = recorded
        self.error = error
        self.cancellation = cancellation
        self.conflicts = conflicts
    }
}

/// The command side: takes `PlaceOrder` commands over REQ/REP, validates
/// them, and sends the complete `OrderPlaced` to the event store over the
/// acknowledged channel, once. Nothing else is written anywhere: what the
/// rest of the system learns about the order comes from the store's
/// committed feed. The caller waits for the answer (a command is a
/// synchronous call); everything after that happens through events.
public struct OrderService: Sendable {
    public let context: Context
    public let addresses: Addresses
    /// Where unacknowledged orders are kept across a restart; `nil` keeps them in memory.
    public var outbox: String?
    /// How long a command waits for the store's acknowledgement before it is
    /// answered as accepted but not yet recorded.
    public var acknowledgementWait: Duration = .seconds(2)
    /// How long a command waits for room among the unacknowledged orders (the
    /// store down for long) before it is refused.
    public var roomWait: Duration = .seconds(2)
    public var logger = Logger(label: "delivery.orders")
    /// The acknowledged path to the store, once running.
    public let facts = Shared<AcknowledgedSender<DeliveryEvent>?>(nil)
    /// Cancellations answered, by outcome.
    public let cancellations = Shared<[CancellationOutcome: Int]>([:])
    /// Conflicts cancellations met and decided again.
    public let conflicts = Counter()

    public init(context: Context, addresses: Addresses) {
        self.context = context
        self.addresses = addresses
    }

    /// Runs until cancelled or the context is shut down.
    public func run() async throws {
        // The order numbers given out: the store's, and any still waiting in the outbox.
        let waiting = try outbox.map(FactChannel.unacknowledged(in:)) ?? []
        var lastOrderID = max(
            try await lastStoredOrderID(), waiting.map(\.orderID).max() ?? 0)
        let sender = try FactChannel.sender(
            context: context, addresses: addresses, producer: "orders", outbox: outbox, logger: logger)
        facts.modify { $0 = sender }
        defer { sender.close() }
        let store = try StoreClient(context: context, addresses: addresses)
        try await serveRequests(
            context: context, bind: addresses.bindable(addresses.orders),
            OrderCommand.self
        ) { (request: OrderCommand) -> OrderReply in
            let command: PlaceOrder
            switch request {
            case .place(let place): command = place
            case .cancel(let cancel): return await self.cancel(cancel, store: store)
            }
            if let problem = command.problem { return .failure(reason: problem) }
            let order = OrderPlaced(command, orderID: lastOrderID + 1)
            let envelope: EventEnvelope
            do {
                envelope = try await withDeadline(roomWait) {
                    // The first fact of its order: caused by a command, not by a fact.
                    try await sender.send(.orderPlaced(order), causedBy: nil)
                }
            } catch is CancellationError where !Task.isCancelled {
                return .failure(
                    reason: "order refused: the event store has not acknowledged \(sender.counters.inFlight) facts; "
                        + "try again later")
            } catch {
                if !Task.isCancelled { logger.error("order not placed", metadata: ["error": "\(error)"]) }
                return .failure(reason: "order not placed: \(error)")
            }
            lastOrderID = order.orderID
            // The channel's own event id (in the envelope), which the acknowledgement names.
            let recorded = await sender.waitUntilAcknowledged(envelope.eventID, timeout: acknowledgementWait)
            return OrderReply(accepted: true, orderID: order.orderID, recorded: recorded, error: nil)
        }
    }

    /// Cancels an order unless a courier has picked it up: reads the order's
    /// stream from the store, decides, and appends the ``OrderCancelled``
    /// with the version it read; when a pickup got in between (a
    /// ``VersionConflict``), reads and decides again, now finding it too late.
    func cancel(_ command: CancelOrder, store: StoreClient) async -> OrderReply {
        let stream = DeliveryEvent.stream(ofOrder: command.order)
        do {
            let (outcome, conflicts) = try await OrderDecisions.decide(
                read: { try await store.streamUntilAnswered(stream, logger: logger) },
                decide: { OrderDecisions.cancellation(of: $0, reason: command.reason ?? "cancelled by the customer") },
                append: { event, expected in
                    // Caused by a command, not by a fact: like the order's placement.
                    try await store.appendUntilAnswered(
                        event, expecting: expected, causation: Causation(ofOrder: command.order, causedBy: nil),
                        logger: logger)
                })
            cancellations.modify { $0[outcome, default: 0] += 1 }
            self.conflicts.add(conflicts)
            let done = outcome == .cancelled || outcome == .alreadyCancelled
            let refusal =
                switch outcome {
                case .tooLate: "too late: a courier has picked order \(command.order) up"
                case .unknownOrder: "no order \(command.order)"
                case .cancelled, .alreadyCancelled: nil as String?
                }
            return OrderReply(
                accepted: done, orderID: command.order, recorded: done, error: refusal, cancellation: outcome,
                conflicts: conflicts)
        } catch {
            if !Task.isCancelled { logger.error("cancellation failed", metadata: ["error": "\(error)"]) }
            return .failure(reason: "order \(command.order) not cancelled: \(error)")
        }
    }

    /// The highest order id the store holds, asking until it answers.
    private func lastStoredOrderID() async throws -> Int {
        try await StoreClient(context: context, addresses: addresses).untilAnswered("the last order", logger: logger) {
            try await $0.lastOrderID()
        }
    }
}

extension OrderPlaced {
    /// The complete event for an accepted command.
    init(_ command: PlaceOrder, orderID: Int) {
        self.init(
            eventID: UUID(), orderID: orderID, customer: command.customer, phone: command.phone ?? "",
            pickup: command.pickup, pickupPosition: command.pickupPosition ?? Position(near: command.pickup),
            dropoff: command.dropoff, dropoffPosition: command.dropoffPosition ?? Position(near: command.dropoff),
            items: command.items, totalCents: command.totalCents, note: command.note ?? "")
    }
}

extension Position {
    /// A stable made-up position for an address given without coordinates.
    init(near address: String) {
        var generator = SeededGenerator(
            seed: address.utf8.reduce(1469598103934665603) { ($0 ^ UInt64($1)) &* 1099511628211 })
        self.init(
            latitude: 52.35 + Double.random(in: 0..<0.06, using: &generator),
            longitude: 4.86 + Double.random(in: 0..<0.08, using: &generator))
    }
}
