import DeliveryKit
import Foundation
import Logging
import PostgresNIO

/// The tracking read model in a PostgreSQL database of its own (or beside
/// the events, in the same one: its tables have their own names): `orders`
/// and `couriers` rows and the checkpoint, made by SQL migrations.
///
/// Each batch runs in one transaction: it locks the checkpoint row (`FOR
/// UPDATE`, so two projections on one database take turns), reads the rows
/// the batch touches, applies ``TrackingRules`` to them in memory
/// (``TrackingChanges``), writes the changed rows back and moves the
/// checkpoint, so a crash can neither apply an event twice nor skip one.
public final class PostgresTrackingDatabase: TrackingStore {
    public let database: PostgresPool
    private let logger: Logger

    /// The read model in `database`, its schema made or brought up to date first.
    public init(_ database: PostgresPool, logger: Logger = Logger(label: "delivery.tracking.postgres")) async throws {
        self.database = database
        self.logger = logger
        try await database.migrate([
            (
                "tracking v1: orders, couriers and the checkpoint",
                [
                    """
                    CREATE TABLE orders (
                        order_id      BIGINT PRIMARY KEY,
                        status        TEXT NOT NULL,
                        courier_id    BIGINT,
                        attempts      BIGINT NOT NULL,
                        latitude      DOUBLE PRECISION,
                        longitude     DOUBLE PRECISION,
                        last_sequence BIGINT NOT NULL,
                        placed_at     DOUBLE PRECISION,
                        updated_at    DOUBLE PRECISION NOT NULL
                    )
                    """,
                    "CREATE INDEX orders_by_status ON orders (status)",
                    """
                    CREATE TABLE couriers (
                        courier_id    BIGINT PRIMARY KEY,
                        current_order BIGINT,
                        latitude      DOUBLE PRECISION,
                        longitude     DOUBLE PRECISION,
                        deliveries    BIGINT NOT NULL,
                        updated_at    DOUBLE PRECISION NOT NULL
                    )
                    """,
                    "CREATE TABLE checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), sequence BIGINT NOT NULL)",
                    "INSERT INTO checkpoint VALUES (1, 0)",
                ]
            )
        ])
    }

    private static let orderColumns =
        "order_id, status, courier_id, attempts, latitude, longitude, last_sequence, placed_at, updated_at"
    private static let courierColumns = "courier_id, current_order, latitude, longitude, deliveries, updated_at"
    private typealias OrderRow = (Int64, String, Int64?, Int64, Double?, Double?, Int64, Double?, Double)
    private typealias CourierRow = (Int64, Int64?, Double?, Double?, Int64, Double)

    public func checkpoint() async throws -> Int64 { try await database.integer("SELECT sequence FROM checkpoint") }

    @discardableResult
    public func apply(_ batch: [StoredEvent]) async throws -> Int {
        let logger = self.logger
        return try await database.inTransaction(logger: logger) { connection in
            let checkpoint = try await connection.integer("SELECT sequence FROM checkpoint FOR UPDATE", logger: logger)
            let fresh = try events(of: batch, after: checkpoint)
            guard let last = fresh.last else { return 0 }
            let orders = try await Self.orders(
                TrackingChanges.ordersRead(by: fresh).map(Int64.init), on: connection, logger)
            let couriers = try await Self.couriers(
                TrackingChanges.couriersRead(by: fresh, orders: orders).map(Int64.init), on: connection, logger)
            let changes = TrackingChanges(orders: orders, couriers: couriers)
            for stored in fresh { try TrackingRules.apply(stored, to: changes) }
            try await Self.write(changes, on: connection, logger)
            try await connection.query("UPDATE checkpoint SET sequence = \(last.sequence)", logger: logger)
            return fresh.count
        }
    }

    private static func orders(_ ids: [Int64], on connection: PostgresConnection, _ logger: Logger) async throws
        -> [OrderView]
    {
        var views: [OrderView] = []
        for try await row in try await connection.query(
            "SELECT \(unescaped: orderColumns) FROM orders WHERE order_id = ANY(\(ids))", logger: logger
        ).decode(OrderRow.self) {
            views.append(try order(row))
        }
        return views
    }

    private static func couriers(_ ids: [Int64], on connection: PostgresConnection, _ logger: Logger) async throws
        -> [CourierView]
    {
        var views: [CourierView] = []
        for try await row in try await connection.query(
            "SELECT \(unescaped: courierColumns) FROM couriers WHERE courier_id = ANY(\(ids))", logger: logger
        ).decode(CourierRow.self) {
            views.append(courier(row))
        }
        return views
    }

    /// Writes the changed rows back: one upsert per table.
    private static func write(_ changes: TrackingChanges, on connection: PostgresConnection, _ logger: Logger)
        async throws
    {
        let orders = changes.ordersToWrite
        if !orders.isEmpty {
            var binds = PostgresBindings(capacity: orders.count * 9)
            for order in orders {
                binds.append(Int64(order.orderID))
                binds.append(order.status.rawValue)
                binds.append(order.courierID.map(Int64.init))
                binds.append(Int64(order.attempts))
                binds.append(order.position?.latitude)
                binds.append(order.position?.longitude)
                binds.append(order.lastSequence)
                binds.append(order.placedAt?.timeIntervalSinceReferenceDate)
                binds.append(order.updatedAt.timeIntervalSinceReferenceDate)
            }
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO orders (\(orderColumns)) VALUES \(placeholders(rows: orders.count, columns: 9))
                        ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, courier_id = excluded.courier_id,
                            attempts = excluded.attempts, latitude = excluded.latitude, longitude = excluded.longitude,
                            last_sequence = excluded.last_sequence, placed_at = excluded.placed_at,
                            updated_at = excluded.updated_at
                        """, binds: binds), logger: logger)
        }
        let couriers = changes.couriersToWrite
        if !couriers.isEmpty {
            var binds = PostgresBindings(capacity: couriers.count * 6)
            for courier in couriers {
                binds.append(Int64(courier.courierID))
                binds.append(courier.currentOrder.map(Int64.init))
                binds.append(courier.position?.latitude)
                binds.append(courier.position?.longitude)
                binds.append(Int64(courier.deliveries))
                binds.append(courier.updatedAt.timeIntervalSinceReferenceDate)
            }
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO couriers (\(courierColumns)) VALUES \(placeholders(rows: couriers.count, columns: 6))
                        ON CONFLICT (courier_id) DO UPDATE SET current_order = excluded.current_order,
                            latitude = excluded.latitude, longitude = excluded.longitude,
                            deliveries = excluded.deliveries, updated_at = excluded.updated_at
                        """, binds: binds), logger: logger)
        }
    }

    public func reset() async throws {
        let logger = self.logger
        try await database.client.withTransaction(logger: logger) { connection in
            try await connection.query("DELETE FROM orders", logger: logger)
            try await connection.query("DELETE FROM couriers", logger: logger)
            try await connection.query("UPDATE checkpoint SET sequence = 0", logger: logger)
        }
    }

    public func order(_ id: Int) async throws -> OrderView? {
        try await database.client.withConnection { connection in
            try await Self.orders([Int64(id)], on: connection, logger).first
        }
    }

    public func courier(_ id: Int) async throws -> CourierView? {
        try await database.client.withConnection { connection in
            try await Self.couriers([Int64(id)], on: connection, logger).first
        }
    }

    public func contents() async throws -> TrackingContents {
        let logger = self.logger
        // One snapshot: a repeatable-read transaction sees the rows and the checkpoint at one moment.
        return try await database.client.withTransaction(logger: logger) { connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger: logger)
            var orders: [Int: OrderView] = [:]
            for try await row in try await connection.query(
                "SELECT \(unescaped: Self.orderColumns) FROM orders", logger: logger
            ).decode(OrderRow.self) {
                let view = try Self.order(row)
                orders[view.orderID] = view
            }
            var couriers: [Int: CourierView] = [:]
            for try await row in try await connection.query(
                "SELECT \(unescaped: Self.courierColumns) FROM couriers", logger: logger
            ).decode(CourierRow.self) {
                let view = Self.courier(row)
                couriers[view.courierID] = view
            }
            let checkpoint = try await connection.integer("SELECT sequence FROM checkpoint", logger: logger)
            return TrackingContents(orders: orders, couriers: couriers, checkpoint: checkpoint)
        }
    }

    public func summary() async throws -> (orders: Int, delivered: Int, checkpoint: Int64) {
        var answer = (orders: 0, delivered: 0, checkpoint: Int64(0))
        for try await (orders, delivered, checkpoint) in try await database.client.query(
            """
            SELECT COUNT(*), COUNT(*) FILTER (WHERE status = \(OrderStatus.delivered.rawValue)),
                   (SELECT sequence FROM checkpoint)
            FROM orders
            """, logger: logger
        ).decode((Int64, Int64, Int64).self) {
            answer = (Int(orders), Int(delivered), checkpoint)
        }
        return answer
    }

    private static func order(_ row: OrderRow) throws -> OrderView {
        guard let status = OrderStatus(rawValue: row.1) else {
            throw DeliveryError.invalid("the tracking database holds an unknown order status \(String(reflecting: row.1))")
        }
        return OrderView(
            orderID: Int(row.0), status: status, courierID: row.2.map(Int.init), attempts: Int(row.3),
            position: position(row.4, row.5), lastSequence: row.6,
            placedAt: row.7.map(Date.init(timeIntervalSinceReferenceDate:)),
            updatedAt: Date(timeIntervalSinceReferenceDate: row.8))
    }

    private static func courier(_ row: CourierRow) -> CourierView {
        CourierView(
            courierID: Int(row.0), currentOrder: row.1.map(Int.init), position: position(row.2, row.3),
            deliveries: Int(row.4), updatedAt: Date(timeIntervalSinceReferenceDate: row.5))
    }

    private static func position(_ latitude: Double?, _ longitude: Double?) -> Position? {
        guard let latitude, let longitude else { return nil }
        return Position(latitude: latitude, longitude: longitude)
    }
}

/// The tracking read model at `location`: a PostgreSQL URL or an SQLite file path.
public func openTrackingStore(_ location: String, logger: Logger = Logger(label: "delivery.tracking")) async throws
    -> any TrackingStore
{
    guard PostgresLocation.isURL(location) else { return try TrackingDatabase(path: location) }
    return try await PostgresTrackingDatabase(
        try await PostgresPool(try PostgresLocation(url: location), logger: logger), logger: logger)
}
