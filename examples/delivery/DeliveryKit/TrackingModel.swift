import Foundation

/// Where an order is, as the tracking read model sees it.
public enum OrderStatus: String, Codable, Sendable, Hashable {
    case placed
    case assigned
    case pickedUp = "picked-up"
    case inTransit = "in-transit"
    case delivered
}

/// One order in the read model.
public struct OrderView: Codable, Sendable, Hashable {
    public var orderID: Int
    public var status: OrderStatus
    public var courierID: Int?
    public var attempts: Int
    public var position: Position?
    /// The store sequence of the last event that changed this view.
    public var lastSequence: Int64

    public init(
        orderID: Int, status: OrderStatus, courierID: Int?, attempts: Int, position: Position?, lastSequence: Int64
    ) {
        self.orderID = orderID
        self.status = status
        self.courierID = courierID
        self.attempts = attempts
        self.position = position
        self.lastSequence = lastSequence
    }
}

/// One courier in the read model.
public struct CourierView: Codable, Sendable, Hashable {
    public var courierID: Int
    public var currentOrder: Int?
    public var position: Position?
    public var deliveries: Int

    public init(courierID: Int, currentOrder: Int?, position: Position?, deliveries: Int) {
        self.courierID = courierID
        self.currentOrder = currentOrder
        self.position = position
        self.deliveries = deliveries
    }
}

/// The query side of CQRS: current state per order and per courier, projected
/// from the event store's events in sequence order. It answers "where is my
/// order now?" in one lookup, which the log alone cannot; it is disposable,
/// since replaying the log from sequence 1 rebuilds it exactly.
public struct TrackingModel: Codable, Sendable, Hashable {
    public private(set) var orders: [Int: OrderView] = [:]
    public private(set) var couriers: [Int: CourierView] = [:]
    /// The sequence number of the last event applied: where to resume.
    public private(set) var checkpoint: Int64 = 0

    public init() {}

    /// A model rebuilt from scratch by replaying `events`.
    public init(replaying events: some Sequence<StoredEvent>) throws {
        for event in events { try apply(event) }
    }

    /// An event that is not the next in sequence: applying it would skip or repeat history.
    public struct OutOfOrder: Error, CustomStringConvertible {
        public let expected: Int64
        public let got: Int64
        public var description: String { "expected event \(expected), got \(got)" }
    }

    /// Applies the next event. Events must come in sequence order with no gap.
    public mutating func apply(_ stored: StoredEvent) throws {
        guard stored.sequence == checkpoint + 1 else {
            throw OutOfOrder(expected: checkpoint + 1, got: stored.sequence)
        }
        checkpoint = stored.sequence
        let event = stored.event
        // Read before the order changes: the courier a redelivery takes the job from.
        let previousCourier = orders[event.orderID]?.courierID
        if let status = event.orderStatus {
            updateOrder(event.orderID, stored.sequence, to: status) { view in
                switch event {
                case .orderPlaced(let placed): view.position = placed.pickupPosition
                case .courierAssigned(let assigned):
                    view.courierID = assigned.courierID
                    view.attempts = max(view.attempts, assigned.attempt)
                case .locationUpdated(let location): view.position = location.position
                case .delivered(let delivered): view.courierID = delivered.courierID
                case .jobRedelivered: view.courierID = nil
                case .pickedUp, .orderPointer: break
                }
            }
        }
        switch event {
        case .courierAssigned(let assigned): updateCourier(assigned.courierID) { $0.currentOrder = assigned.orderID }
        case .locationUpdated(let location): updateCourier(location.courierID) { $0.position = location.position }
        case .delivered(let delivered):
            updateCourier(delivered.courierID) {
                if $0.currentOrder == delivered.orderID { $0.currentOrder = nil }
                $0.deliveries += 1
            }
        case .jobRedelivered(let redelivered):
            if let previousCourier {
                updateCourier(previousCourier) { if $0.currentOrder == redelivered.orderID { $0.currentOrder = nil } }
            }
        case .orderPlaced, .orderPointer, .pickedUp: break
        }
    }

    /// Moves an order's view to `status` and applies `change`, unless it is
    /// delivered (late news of an abandoned attempt does not undo a delivery).
    private mutating func updateOrder(
        _ orderID: Int, _ sequence: Int64, to status: OrderStatus, _ change: (inout OrderView) -> Void
    ) {
        var view =
            orders[orderID]
            ?? OrderView(orderID: orderID, status: status, courierID: nil, attempts: 0, position: nil, lastSequence: 0)
        guard view.status != .delivered else { return }
        view.status = status
        change(&view)
        view.lastSequence = sequence
        orders[orderID] = view
    }

    private mutating func updateCourier(_ courierID: Int, _ change: (inout CourierView) -> Void) {
        var view =
            couriers[courierID] ?? CourierView(courierID: courierID, currentOrder: nil, position: nil, deliveries: 0)
        change(&view)
        couriers[courierID] = view
    }

}

extension DeliveryEvent {
    /// The status an event puts its order in, or `nil` for one that does not
    /// move it (a pointer to an order already stored).
    public var orderStatus: OrderStatus? {
        switch self {
        case .orderPlaced, .jobRedelivered: .placed
        case .courierAssigned: .assigned
        case .pickedUp: .pickedUp
        case .locationUpdated: .inTransit
        case .delivered: .delivered
        case .orderPointer: nil
        }
    }
}
