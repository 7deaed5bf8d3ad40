import Foundation
import GRDB

/// The tracking read model's own relational database, apart from the event
/// store: an SQLite file (or in memory), with a row per order and per
/// courier (``OrderView``, ``CourierView``) that the tracking service's
/// queries answer with SQL, and the feed checkpoint, moved in the same
/// transaction as the rows each batch changes.
///
/// From a shell: `sqlite3 delivery-tracking.sqlite "SELECT status, COUNT(*) FROM orders GROUP BY status"`.
public final class TrackingDatabase: TrackingStore {
    private let database: any DatabaseWriter

    /// Opens (creating if needed) the database in the SQLite file at `path`, or in memory when `path` is `nil`.
    public init(path: String?) throws {
        database = try openReadModel(
            path: path, "v1: orders, couriers and the checkpoint",
            schema: """
                CREATE TABLE orders (
                    order_id      INTEGER PRIMARY KEY,
                    status        TEXT NOT NULL,
                    courier_id    INTEGER,
                    attempts      INTEGER NOT NULL,
                    latitude      REAL,
                    longitude     REAL,
                    last_sequence INTEGER NOT NULL,
                    placed_at     REAL,
                    updated_at    REAL NOT NULL
                );
                CREATE INDEX orders_by_status ON orders(status);
                CREATE TABLE couriers (
                    courier_id    INTEGER PRIMARY KEY,
                    current_order INTEGER,
                    latitude      REAL,
                    longitude     REAL,
                    deliveries    INTEGER NOT NULL,
                    updated_at    REAL NOT NULL
                );
                """)
    }

    /// A read model rebuilt from nothing, in memory, by replaying `events` (from sequence 1).
    public static func rebuilt(replaying events: [StoredEvent]) async throws -> TrackingDatabase {
        let database = try TrackingDatabase(path: nil)
        try await database.apply(events)
        return database
    }

    /// The last feed sequence number applied.
    public func checkpoint() async throws -> Int64 { try await readCheckpoint(database) }

    /// Applies `batch` (consecutive stored events) and moves the checkpoint
    /// to its last event, in one transaction (``applyWithCheckpoint(_:to:_:)``):
    /// a crash can neither apply an event twice nor skip one. Returns how many were applied.
    @discardableResult
    public func apply(_ batch: [StoredEvent]) async throws -> Int {
        try await applyWithCheckpoint(batch, to: database) { fresh, db in
            for stored in fresh { try TrackingRules.apply(stored, to: Rows(db: db)) }
        }
    }

    /// Empties the tables and sets the checkpoint back to 0, in one
    /// transaction: what `delivery tracking --rebuild` does before replaying the store.
    public func reset() async throws {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM orders; DELETE FROM couriers; UPDATE checkpoint SET sequence = 0")
        }
    }

    /// Order `id`'s row, or `nil`.
    public func order(_ id: Int) async throws -> OrderView? {
        try await database.read { db in try Rows(db: db).order(id) }
    }

    /// Courier `id`'s row, or `nil`.
    public func courier(_ id: Int) async throws -> CourierView? {
        try await database.read { db in try Rows(db: db).courier(id) }
    }

    public func contents() async throws -> TrackingContents {
        try await database.read { db in
            TrackingContents(
                orders: Dictionary(
                    uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT * FROM orders").map {
                        ($0["order_id"], try Rows.order(from: $0))
                    }),
                couriers: Dictionary(
                    uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT * FROM couriers").map {
                        ($0["courier_id"], Rows.courier(from: $0))
                    }),
                checkpoint: try Int64.fetchOne(db, sql: "SELECT sequence FROM checkpoint") ?? 0)
        }
    }

    /// How many orders there are and how many are delivered, and the checkpoint, in one read.
    public func summary() async throws -> (orders: Int, delivered: Int, checkpoint: Int64) {
        try await database.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS orders, COUNT(*) FILTER (WHERE status = ?) AS delivered,
                           (SELECT sequence FROM checkpoint) AS checkpoint
                    FROM orders
                    """, arguments: [OrderStatus.delivered.rawValue])
            return (row?["orders"] ?? 0, row?["delivered"] ?? 0, row?["checkpoint"] ?? 0)
        }
    }

    /// The tables, read and written inside one transaction, through
    /// statements prepared once per connection: preparing each anew held the
    /// projection to 8,382 events/s, cached it applies 54,310 (the
    /// benchmark's projection row, `--only ingest --reps 3`).
    private struct Rows: TrackingRows {
        let db: Database

        func order(_ id: Int) throws -> OrderView? {
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM orders WHERE order_id = ?"), arguments: [id])
                .map(Self.order(from:))
        }

        func save(_ order: OrderView) throws {
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO orders
                        (order_id, status, courier_id, attempts, latitude, longitude, last_sequence, placed_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    order.orderID, order.status.rawValue, order.courierID, order.attempts, order.position?.latitude,
                    order.position?.longitude, order.lastSequence, order.placedAt?.timeIntervalSinceReferenceDate,
                    order.updatedAt.timeIntervalSinceReferenceDate,
                ])
        }

        func courier(_ id: Int) throws -> CourierView? {
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM couriers WHERE courier_id = ?"), arguments: [id])
                .map(Self.courier(from:))
        }

        func save(_ courier: CourierView) throws {
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO couriers (courier_id, current_order, latitude, longitude, deliveries, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    courier.courierID, courier.currentOrder, courier.position?.latitude, courier.position?.longitude,
                    courier.deliveries, courier.updatedAt.timeIntervalSinceReferenceDate,
                ])
        }

        static func order(from row: Row) throws -> OrderView {
            guard let status = OrderStatus(rawValue: row["status"]) else {
                throw DeliveryError.invalid("the tracking database holds an unknown order status \(String(reflecting: row["status"] as String?))")
            }
            return OrderView(
                orderID: row["order_id"], status: status,
                courierID: row["courier_id"], attempts: row["attempts"], position: position(row),
                lastSequence: row["last_sequence"],
                placedAt: (row["placed_at"] as Double?).map(Date.init(timeIntervalSinceReferenceDate:)),
                updatedAt: Date(timeIntervalSinceReferenceDate: row["updated_at"]))
        }

        static func courier(from row: Row) -> CourierView {
            CourierView(
                courierID: row["courier_id"], currentOrder: row["current_order"], position: position(row),
                deliveries: row["deliveries"], updatedAt: Date(timeIntervalSinceReferenceDate: row["updated_at"]))
        }

        static func position(_ row: Row) -> Position? {
            guard let latitude = row["latitude"] as Double?, let longitude = row["longitude"] as Double? else { return nil }
            return Position(latitude: latitude, longitude: longitude)
        }
    }
}
