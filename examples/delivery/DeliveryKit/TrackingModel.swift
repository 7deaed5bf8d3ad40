import Foundation

/// Where an order is, as the tracking read model sees it.
public enum OrderStatus: String, Codable, Sendable, Hashable {
    case placed
    case assigned
    case pickedUp = "picked-up"
    case inTransit = "in-transit"
    case delivered
    case cancelled
}

/// One order in the read model: a row of the tracking database's `orders` table.
public struct OrderView: Codable, Sendable, Hashable {
    public var orderID: Int
    public var status: OrderStatus
    public var courierID: Int?
    public var attempts: Int
    public var position: Position?
    /// The store sequence of the last event that changed this view.
    public var lastSequence: Int64
    /// When the store recorded the order's placement (`nil` while only later facts have arrived).
    public var placedAt: Date?
    /// When the store recorded the last event that changed this view.
    public var updatedAt: Date

    public init(
        orderID: Int, status: OrderStatus, courierID: Int?, attempts: Int, position: Position?, lastSequence: Int64,
        placedAt: Date?, updatedAt: Date
    ) {
        self.orderID = orderID
        self.status = status
        self.courierID = courierID
        self.attempts = attempts
        self.position = position
        self.lastSequence = lastSequence
        self.placedAt = placedAt
        self.updatedAt = updatedAt
    }
}

/// One courier in the read model: a row of the tracking database's `couriers` table.
public struct CourierView: Codable, Sendable, Hashable {
    public var courierID: Int
    public var currentOrder: Int?
    public var position: Position?
    public var deliveries: Int
    /// When the store recorded the last event that changed this view.
    public var updatedAt: Date

    public init(courierID: Int, currentOrder: Int?, position: Position?, deliveries: Int, updatedAt: Date) {
        self.courierID = courierID
        self.currentOrder = currentOrder
        self.position = position
        self.deliveries = deliveries
        self.updatedAt = updatedAt
    }
}

/// Where a read model keeps its rows while an event is applied: the
/// tracking database's tables, inside the transaction of the batch.
protocol TrackingRows {
    func order(_ id: Int) throws -> OrderView?
    func save(_ order: OrderView) throws
    func courier(_ id: Int) throws -> CourierView?
    func save(_ courier: CourierView) throws
}

/// How the tracking read model follows the log: current state per order and
/// per courier, changed by each event in sequence order. It answers "where
/// is my order now?" in one lookup, which the log alone cannot; it is
/// disposable, since replaying the log from sequence 1 rebuilds it exactly.
enum TrackingRules {
    /// Applies `stored` to `rows`.
    static func apply(_ stored: StoredEvent, to rows: some TrackingRows) throws {
        let event = stored.event
        let at = stored.recordedAt
        let previous = try rows.order(event.orderID)
        // Late news of an abandoned attempt does not undo a delivery (and a cancellation is final too).
        if let status = event.orderStatus, previous?.status != .delivered, previous?.status != .cancelled {
            var view =
                previous
                ?? OrderView(
                    orderID: event.orderID, status: status, courierID: nil, attempts: 0, position: nil,
                    lastSequence: 0, placedAt: nil, updatedAt: at)
            view.status = status
            switch event {
            case .orderPlaced(let placed):
                view.position = placed.pickupPosition
                view.placedAt = at
            case .courierAssigned(let assigned):
                view.courierID = assigned.courierID
                view.attempts = max(view.attempts, assigned.attempt)
            case .locationUpdated(let location): view.position = location.position
            case .delivered(let delivered): view.courierID = delivered.courierID
            case .jobRedelivered, .orderCancelled: view.courierID = nil
            case .pickedUp, .orderPointer: break
            }
            view.lastSequence = stored.sequence
            view.updatedAt = at
            try rows.save(view)
        }
        func updateCourier(_ id: Int, _ change: (inout CourierView) -> Void) throws {
            var view =
                try rows.courier(id)
                ?? CourierView(courierID: id, currentOrder: nil, position: nil, deliveries: 0, updatedAt: at)
            change(&view)
            view.updatedAt = at
            try rows.save(view)
        }
        switch event {
        case .courierAssigned(let assigned): try updateCourier(assigned.courierID) { $0.currentOrder = assigned.orderID }
        case .locationUpdated(let location): try updateCourier(location.courierID) { $0.position = location.position }
        case .delivered(let delivered):
            try updateCourier(delivered.courierID) {
                if $0.currentOrder == delivered.orderID { $0.currentOrder = nil }
                $0.deliveries += 1
            }
        case .jobRedelivered, .orderCancelled:
            // The courier the redelivery or the cancellation takes the job from, as the order had it before.
            if let previousCourier = previous?.courierID {
                try updateCourier(previousCourier) { if $0.currentOrder == event.orderID { $0.currentOrder = nil } }
            }
        case .orderPlaced, .orderPointer, .pickedUp: break
        }
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
        case .orderCancelled: .cancelled
        case .orderPointer: nil
        }
    }
}
