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
        let sequence = stored.sequence
        switch stored.event {
        case .orderPlaced(let placed):
            orders[placed.orderID] = OrderView(
                orderID: placed.orderID, status: .placed, courierID: nil, attempts: 0, position: placed.pickupPosition,
                lastSequence: sequence)
        case .orderPointer:
            break  // the store keeps the complete OrderPlaced under the same id
        case .courierAssigned(let assigned):
            updateOrder(assigned.orderID, sequence) {
                $0.status = .assigned
                $0.courierID = assigned.courierID
                $0.attempts = max($0.attempts, assigned.attempt)
            }
            updateCourier(assigned.courierID) { $0.currentOrder = assigned.orderID }
        case .pickedUp(let pickedUp):
            updateOrder(pickedUp.orderID, sequence) { $0.status = .pickedUp }
        case .locationUpdated(let location):
            updateOrder(location.orderID, sequence) {
                $0.status = .inTransit
                $0.position = location.position
            }
            updateCourier(location.courierID) { $0.position = location.position }
        case .delivered(let delivered):
            var view = orders[delivered.orderID] ?? placeholder(delivered.orderID)
            view.status = .delivered
            view.courierID = delivered.courierID
            view.lastSequence = sequence
            orders[delivered.orderID] = view
            updateCourier(delivered.courierID) {
                if $0.currentOrder == delivered.orderID { $0.currentOrder = nil }
                $0.deliveries += 1
            }
        case .jobRedelivered(let redelivered):
            let previous = orders[redelivered.orderID]?.courierID
            updateOrder(redelivered.orderID, sequence) {
                $0.status = .placed
                $0.courierID = nil
            }
            if let previous {
                updateCourier(previous) { if $0.currentOrder == redelivered.orderID { $0.currentOrder = nil } }
            }
        }
    }

    /// Changes an order's view, unless it is delivered (late news of an
    /// abandoned attempt does not undo a delivery).
    private mutating func updateOrder(_ orderID: Int, _ sequence: Int64, _ change: (inout OrderView) -> Void) {
        var view = orders[orderID] ?? placeholder(orderID)
        guard view.status != .delivered else { return }
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

    private func placeholder(_ orderID: Int) -> OrderView {
        OrderView(orderID: orderID, status: .placed, courierID: nil, attempts: 0, position: nil, lastSequence: 0)
    }
}
