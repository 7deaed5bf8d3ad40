import Foundation
import GRDB
import Logging
import ZeroMQ

/// A second read model beside tracking, built from the same committed feed
/// for other questions: how many deliveries each courier made, how far it
/// rode, and its median delivery time (pickup to delivery). CQRS keeps
/// several such models, each shaped for its own queries, none of them
/// written to by commands.
///
/// It follows the store's feed with a ``CatchUpSubscription`` from its own
/// checkpoint, and ``CourierStatisticsDatabase`` applies each batch and moves
/// the checkpoint in one transaction, so a restart neither counts an event
/// twice nor skips one.
public struct CourierStatisticsProjection: RoleService {
    public let context: Context
    public let addresses: Addresses
    public let database: CourierStatisticsDatabase
    public var logger = Logger(label: "delivery.courier-statistics")
    /// The store's feed, as this projection follows it.
    public let feed: CatchUpSubscription

    public init(context: Context, addresses: Addresses, database: CourierStatisticsDatabase) {
        self.context = context
        self.addresses = addresses
        self.database = database
        feed = CatchUpSubscription(context: context, addresses: addresses, logger: logger)
    }

    /// Runs until cancelled or the context is shut down.
    public func run() async throws {
        try await feed.run(from: try await database.checkpoint()) { batch in
            try await database.apply(batch)
        }
    }
}

/// One courier's statistics, as ``CourierStatisticsDatabase/statistics()`` answers them.
public struct CourierStatistics: Sendable, Hashable {
    public var courierID: Int
    /// Orders delivered.
    public var deliveries: Int
    /// Kilometres ridden between reported positions (great-circle).
    public var distanceKilometres: Double
    /// The median time from pickup to delivery, over the deliveries whose
    /// pickup is on record; `nil` when none is.
    public var medianDeliverySeconds: Double?
}

/// The courier statistics' own SQLite database (a file, or in memory): one
/// row per courier, one per ride, and the feed checkpoint, changed together
/// in one transaction per batch.
public final class CourierStatisticsDatabase: Sendable {
    private let database: any DatabaseWriter

    /// Opens (creating if needed) the database in the SQLite file at `path`, or in memory when `path` is `nil`.
    public init(path: String?) throws {
        database = try openReadModel(
            path: path, "v1: couriers, rides and the checkpoint",
            schema: """
                CREATE TABLE couriers (
                    courier_id  INTEGER PRIMARY KEY,
                    deliveries  INTEGER NOT NULL DEFAULT 0,
                    distance_km REAL NOT NULL DEFAULT 0
                );
                CREATE TABLE rides (
                    order_id       INTEGER NOT NULL,
                    courier_id     INTEGER NOT NULL,
                    picked_up_at   REAL,
                    delivered_at   REAL,
                    last_latitude  REAL,
                    last_longitude REAL,
                    PRIMARY KEY (order_id, courier_id)
                );
                """)
    }

    /// The last feed sequence number applied.
    public func checkpoint() async throws -> Int64 { try await readCheckpoint(database) }

    /// Applies `batch` (consecutive stored events) and moves the checkpoint
    /// to its last event, in one transaction (``applyWithCheckpoint(_:to:_:)``).
    /// Events at or below the checkpoint are skipped, so a batch given twice
    /// changes nothing twice. Returns how many events were applied.
    @discardableResult
    public func apply(_ batch: [StoredEvent]) async throws -> Int {
        try await applyWithCheckpoint(batch, to: database, Self.apply)
    }

    @Sendable private static func apply(_ stored: StoredEvent, in db: Database) throws {
        let at = stored.recordedAt.timeIntervalSince1970
        switch stored.event {
        case .pickedUp(let picked):
            try db.execute(
                sql: "INSERT OR IGNORE INTO couriers (courier_id) VALUES (?)", arguments: [picked.courierID])
            try db.execute(
                sql: """
                    INSERT INTO rides (order_id, courier_id, picked_up_at) VALUES (?, ?, ?)
                    ON CONFLICT (order_id, courier_id) DO UPDATE SET picked_up_at = excluded.picked_up_at
                    """, arguments: [picked.orderID, picked.courierID, at])
        case .locationUpdated(let location):
            let position = location.position
            let last = try Row.fetchOne(
                db, sql: "SELECT last_latitude, last_longitude FROM rides WHERE order_id = ? AND courier_id = ?",
                arguments: [location.orderID, location.courierID])
            if let latitude = last?["last_latitude"] as Double?, let longitude = last?["last_longitude"] as Double? {
                let kilometres = greatCircleKilometres(
                    from: Position(latitude: latitude, longitude: longitude), to: position)
                // An upsert: after a resend, a position can be stored before its pickup.
                try db.execute(
                    sql: """
                        INSERT INTO couriers (courier_id, distance_km) VALUES (?, ?)
                        ON CONFLICT (courier_id) DO UPDATE SET distance_km = distance_km + excluded.distance_km
                        """, arguments: [location.courierID, kilometres])
            }
            try db.execute(
                sql: """
                    INSERT INTO rides (order_id, courier_id, last_latitude, last_longitude) VALUES (?, ?, ?, ?)
                    ON CONFLICT (order_id, courier_id)
                    DO UPDATE SET last_latitude = excluded.last_latitude, last_longitude = excluded.last_longitude
                    """, arguments: [location.orderID, location.courierID, position.latitude, position.longitude])
        case .delivered(let delivered):
            try db.execute(
                sql: """
                    INSERT INTO couriers (courier_id, deliveries) VALUES (?, 1)
                    ON CONFLICT (courier_id) DO UPDATE SET deliveries = deliveries + 1
                    """, arguments: [delivered.courierID])
            try db.execute(
                sql: """
                    INSERT INTO rides (order_id, courier_id, delivered_at) VALUES (?, ?, ?)
                    ON CONFLICT (order_id, courier_id) DO UPDATE SET delivered_at = excluded.delivered_at
                    """, arguments: [delivered.orderID, delivered.courierID, at])
        case .orderPlaced, .orderPointer, .courierAssigned, .jobRedelivered, .orderCancelled:
            break
        }
    }

    /// Every courier's statistics, by courier id: answered with SQL, the
    /// median by ordering each courier's delivery times (times use when the
    /// store recorded the pickup and the delivery; a ride whose delivery was
    /// stored before its pickup, as a resend after a failure can do, is left out).
    public func statistics() async throws -> [CourierStatistics] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT courier_id, deliveries, distance_km FROM couriers ORDER BY courier_id")
                .map { row in
                    let courier: Int = row["courier_id"]
                    let times = try Double.fetchAll(
                        db,
                        sql: """
                            SELECT delivered_at - picked_up_at AS seconds FROM rides
                            WHERE courier_id = ? AND delivered_at IS NOT NULL AND picked_up_at IS NOT NULL
                              AND delivered_at >= picked_up_at
                            ORDER BY seconds
                            """, arguments: [courier])
                    return CourierStatistics(
                        courierID: courier, deliveries: row["deliveries"], distanceKilometres: row["distance_km"],
                        medianDeliverySeconds: median(ofSorted: times))
                }
        }
    }
}

/// The median of ascending `values`; `nil` for none.
func median(ofSorted values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let middle = values.count / 2
    return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
}

/// The great-circle distance between two positions in kilometres (haversine, mean Earth radius).
func greatCircleKilometres(from: Position, to: Position) -> Double {
    let radians = Double.pi / 180
    let dLatitude = (to.latitude - from.latitude) * radians
    let dLongitude = (to.longitude - from.longitude) * radians
    let a =
        sin(dLatitude / 2) * sin(dLatitude / 2) + cos(from.latitude * radians) * cos(to.latitude * radians)
        * sin(dLongitude / 2) * sin(dLongitude / 2)
    return 6_371.0088 * 2 * atan2(a.squareRoot(), (1 - a).squareRoot())
}
