import Foundation
import Logging
import ZeroMQ

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

/// The order service's answer to a command.
public struct OrderReply: FailableReply, Hashable {
    public var accepted: Bool
    public var orderID: Int?
    /// The store's sequence number of the `OrderPlaced` event.
    public var sequence: Int64?
    public var error: String?

    public static func failure(reason: String) -> OrderReply {
        OrderReply(accepted: false, orderID: nil, sequence: nil, error: reason)
    }

    public init(accepted: Bool, orderID: Int?, sequence: Int64?, error: String?) {
        self.accepted = accepted
        self.orderID = orderID
        self.sequence = sequence
        self.error = error
    }
}

/// The command side: takes `PlaceOrder` commands over REQ/REP, validates them,
/// appends the complete `OrderPlaced` to the event store, then publishes a
/// pointer to it on the bus. The caller waits for the answer (a command is a
/// synchronous call); everything after that happens through events.
public struct OrderService: Sendable {
    public let context: Context
    public let addresses: Addresses
    /// How many channel subscribers must have joined the bus before orders are
    /// taken, so that the first pointer events are not lost.
    public var waitForSubscribers = 1
    public var bindAllInterfaces = false
    public var logger = Logger(label: "delivery.orders")

    public init(context: Context, addresses: Addresses) {
        self.context = context
        self.addresses = addresses
    }

    /// Runs until cancelled or the context is shut down.
    public func run() async throws {
        let store = try StoreClient(context: context, addresses: addresses)
        let bus = try Publisher<DeliveryEvent>(context: context, .connect(addresses.busPublish), logger: logger)
        try await bus.waitForSubscribers(waitForSubscribers, timeout: .seconds(30))
        var lastOrderID = try await store.lastOrderID()
        try await serveRequests(
            context: context, bind: Addresses.bindable(addresses.orders, allInterfaces: bindAllInterfaces),
            PlaceOrder.self
        ) { (command: PlaceOrder) -> OrderReply in
            if let problem = command.problem { return .failure(reason: problem) }
            let orderID = lastOrderID + 1
            let order = OrderPlaced(command, orderID: orderID)
            do {
                let appended = try await store.append(.orderPlaced(order))
                lastOrderID = orderID
                let pointer = DeliveryEvent.orderPointer(OrderPointer(eventID: order.eventID, orderID: orderID))
                // Without its pointer an order would never be dispatched: wait for room rather than drop it.
                try await bus.publishWaitingForRoom(pointer, to: pointer.topic)
                return OrderReply(accepted: true, orderID: orderID, sequence: appended.sequence, error: nil)
            } catch {
                if !Task.isCancelled { logger.error("order not placed", metadata: ["error": "\(error)"]) }
                return .failure(reason: "order not placed: \(error)")
            }
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
