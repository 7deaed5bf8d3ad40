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

/// Where the tracking read model keeps its rows while an event is applied:
/// the tables inside the transaction of the batch (SQLite), or the rows a
/// batch reads and changes, written back in its transaction (``TrackingChanges``).
public protocol TrackingRows {
    func order(_ id: Int) throws -> OrderView?
    func save(_ order: OrderView) throws
    func courier(_ id: Int) throws -> CourierView?
    func save(_ courier: CourierView) throws
}

/// How the tracking read model follows the log: current state per order and
/// per courier, changed by each event in sequence order. It answers "where
/// is my order now?" in one lookup, which the log alone cannot; it is
/// disposable, since replaying the log from sequence 1 rebuilds it exactly.
/// Every ``TrackingStore`` applies events through it.
public enum TrackingRules {
    /// Applies `stored` to `rows`.
    public static func apply(_ stored: StoredEvent, to rows: some TrackingRows) throws {
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
        case .courierAssigned(let assigned):
            // An assignment stored after its order ended (a courier's, racing a cancellation or another
            // courier's delivery) gives the courier no job: it drops it without a further event.
            let ended = previous?.status == .delivered || previous?.status == .cancelled
            try updateCourier(assigned.courierID) { if !ended { $0.currentOrder = assigned.orderID } }
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

/// The rows a batch of events reads and changes, held in memory: a store
/// that cannot run ``TrackingRules`` inside its transaction (PostgreSQL's
/// queries are asynchronous) loads the rows a batch touches
/// (``ordersRead(by:)``, ``couriersRead(by:orders:)``), applies the batch
/// here, and writes back ``changedOrders`` and ``changedCouriers``.
public final class TrackingChanges: TrackingRows {
    private var orders: [Int: OrderView]
    private var couriers: [Int: CourierView]
    public private(set) var changedOrders: Set<Int> = []
    public private(set) var changedCouriers: Set<Int> = []

    public init(orders: [OrderView], couriers: [CourierView]) {
        self.orders = Dictionary(uniqueKeysWithValues: orders.map { ($0.orderID, $0) })
        self.couriers = Dictionary(uniqueKeysWithValues: couriers.map { ($0.courierID, $0) })
    }

    /// The orders whose rows applying `batch` reads.
    public static func ordersRead(by batch: [StoredEvent]) -> Set<Int> { Set(batch.map(\.event.orderID)) }

    /// The couriers whose rows applying `batch` reads, given the rows of its
    /// orders as stored before it: those its events name, and each order's
    /// courier (whom a redelivery or a cancellation releases).
    public static func couriersRead(by batch: [StoredEvent], orders: [OrderView]) -> Set<Int> {
        Set(batch.compactMap(\.event.courierID) + orders.compactMap(\.courierID))
    }

    public func order(_ id: Int) -> OrderView? { orders[id] }
    public func courier(_ id: Int) -> CourierView? { couriers[id] }

    public func save(_ order: OrderView) {
        orders[order.orderID] = order
        changedOrders.insert(order.orderID)
    }

    public func save(_ courier: CourierView) {
        couriers[courier.courierID] = courier
        changedCouriers.insert(courier.courierID)
    }

    /// The rows changed, to write back.
    public var ordersToWrite: [OrderView] { changedOrders.sorted().compactMap { orders[$0] } }
    public var couriersToWrite: [CourierView] { changedCouriers.sorted().compactMap { couriers[$0] } }
}

/// Where the tracking read model lives: its own database, SQLite
/// (``TrackingDatabase``) or PostgreSQL (`PostgresTrackingDatabase`), with a
/// row per order and per courier and a checkpoint moved in the same
/// transaction as the rows each batch changes.
public protocol TrackingStore: Sendable {
    /// The last feed sequence number applied.
    func checkpoint() async throws -> Int64
    /// Applies `batch` (consecutive stored events) and moves the checkpoint
    /// to its last event, in one transaction: events at or below the
    /// checkpoint are skipped, one beyond the next expected throws
    /// ``OutOfOrder`` and nothing is applied. Returns how many were applied.
    @discardableResult func apply(_ batch: [StoredEvent]) async throws -> Int
    /// Empties the tables and sets the checkpoint back to 0, in one transaction.
    func reset() async throws
    func order(_ id: Int) async throws -> OrderView?
    func courier(_ id: Int) async throws -> CourierView?
    /// Every row and the checkpoint, read at one moment.
    func contents() async throws -> TrackingContents
    /// How many orders there are and how many are delivered, and the checkpoint, in one read.
    func summary() async throws -> (orders: Int, delivered: Int, checkpoint: Int64)
}

/// A tracking read model's rows and checkpoint: what a live model and a
/// rebuilt one are compared by.
public struct TrackingContents: Sendable, Hashable {
    public var orders: [Int: OrderView]
    public var couriers: [Int: CourierView]
    public var checkpoint: Int64

    public init(orders: [Int: OrderView], couriers: [Int: CourierView], checkpoint: Int64) {
        self.orders = orders
        self.couriers = couriers
        self.checkpoint = checkpoint
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
