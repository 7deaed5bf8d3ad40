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
/// checkpoint, and its ``CourierStatisticsStore`` applies each batch and moves
/// the checkpoint in one transaction, so a restart neither counts an event
/// twice nor skips one.
public struct CourierStatisticsProjection: RoleService {
    public let context: Context
    public let addresses: Addresses
    public let database: any CourierStatisticsStore
    public var logger = Logger(label: "delivery.courier-statistics")
    /// The store's feed, as this projection follows it.
    public let feed: CatchUpSubscription

    public init(context: Context, addresses: Addresses, database: any CourierStatisticsStore) {
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

/// One courier's statistics, as ``CourierStatisticsStore/statistics()`` answers them.
public struct CourierStatistics: Sendable, Hashable {
    public var courierID: Int
    /// Orders delivered.
    public var deliveries: Int
    /// Kilometres ridden between reported positions (great-circle).
    public var distanceKilometres: Double
    /// The median time from pickup to delivery, over the deliveries whose
    /// pickup is on record; `nil` when none is.
    public var medianDeliverySeconds: Double?

    public init(courierID: Int, deliveries: Int, distanceKilometres: Double, medianDeliverySeconds: Double?) {
        self.courierID = courierID
        self.deliveries = deliveries
        self.distanceKilometres = distanceKilometres
        self.medianDeliverySeconds = medianDeliverySeconds
    }
}

/// Where the courier statistics live: their own database, SQLite
/// (``CourierStatisticsDatabase``) or PostgreSQL (`PostgresCourierStatistics`):
/// a row per courier and per ride, and a checkpoint moved in the same
/// transaction as the rows each batch changes.
public protocol CourierStatisticsStore: Sendable {
    /// The last feed sequence number applied.
    func checkpoint() async throws -> Int64
    /// Applies `batch` (consecutive stored events) and moves the checkpoint
    /// to its last event, in one transaction: events at or below the
    /// checkpoint are skipped, one beyond the next expected throws
    /// ``OutOfOrder``. Returns how many were applied.
    @discardableResult func apply(_ batch: [StoredEvent]) async throws -> Int
    /// Every courier's statistics, by courier id.
    func statistics() async throws -> [CourierStatistics]
}

/// A courier's running totals: a row of the `couriers` table.
public struct CourierTotals: Sendable, Hashable {
    public var courierID: Int
    public var deliveries: Int
    public var distanceKilometres: Double

    public init(courierID: Int, deliveries: Int, distanceKilometres: Double) {
        self.courierID = courierID
        self.deliveries = deliveries
        self.distanceKilometres = distanceKilometres
    }
}

/// One courier's ride with one order: a row of the `rides` table (times are
/// when the store recorded the pickup and the delivery, seconds since 1970).
public struct Ride: Sendable, Hashable {
    public struct Key: Sendable, Hashable, Comparable {
        public var orderID: Int
        public var courierID: Int

        public init(orderID: Int, courierID: Int) {
            self.orderID = orderID
            self.courierID = courierID
        }

        public static func < (a: Key, b: Key) -> Bool { (a.orderID, a.courierID) < (b.orderID, b.courierID) }
    }

    public var key: Key
    public var pickedUpAt: Double?
    public var deliveredAt: Double?
    public var lastPosition: Position?

    public init(key: Key, pickedUpAt: Double?, deliveredAt: Double?, lastPosition: Position?) {
        self.key = key
        self.pickedUpAt = pickedUpAt
        self.deliveredAt = deliveredAt
        self.lastPosition = lastPosition
    }
}

/// How the courier statistics follow the log, on whichever database: the
/// rows a batch reads (``couriersRead(by:)``, ``ridesRead(by:)``) are
/// loaded into a ``CourierStatisticsChanges``, each event changes them
/// there (``apply(_:to:)``), and the changed rows are written back in the
/// batch's transaction.
public enum CourierStatisticsRules {
    /// The couriers whose rows applying `batch` reads.
    public static func couriersRead(by batch: [StoredEvent]) -> Set<Int> { Set(batch.compactMap(rideKey).map(\.courierID)) }

    /// The rides whose rows applying `batch` reads.
    public static func ridesRead(by batch: [StoredEvent]) -> Set<Ride.Key> { Set(batch.compactMap(rideKey)) }

    /// The ride an event is about, if it changes the statistics.
    private static func rideKey(_ stored: StoredEvent) -> Ride.Key? {
        switch stored.event {
        case .pickedUp(let e): Ride.Key(orderID: e.orderID, courierID: e.courierID)
        case .locationUpdated(let e): Ride.Key(orderID: e.orderID, courierID: e.courierID)
        case .delivered(let e): Ride.Key(orderID: e.orderID, courierID: e.courierID)
        case .orderPlaced, .orderPointer, .courierAssigned, .jobRedelivered, .orderCancelled: nil
        }
    }

    /// Applies `stored` to the rows in `changes`.
    public static func apply(_ stored: StoredEvent, to changes: CourierStatisticsChanges) {
        guard let key = rideKey(stored) else { return }
        let at = stored.recordedAt.timeIntervalSince1970
        var ride = changes.rides[key] ?? Ride(key: key, pickedUpAt: nil, deliveredAt: nil, lastPosition: nil)
        var courier =
            changes.couriers[key.courierID] ?? CourierTotals(courierID: key.courierID, deliveries: 0, distanceKilometres: 0)
        // A courier's row is made by its first pickup, delivery or distance ridden, not by a first
        // position alone (after a resend, a position can be stored before its pickup).
        var courierChanged = true
        switch stored.event {
        case .pickedUp:
            ride.pickedUpAt = at
        case .locationUpdated(let location):
            if let last = ride.lastPosition {
                courier.distanceKilometres += greatCircleKilometres(from: last, to: location.position)
            } else {
                courierChanged = false
            }
            ride.lastPosition = location.position
        case .delivered:
            courier.deliveries += 1
            ride.deliveredAt = at
        default:
            return
        }
        changes.save(ride)
        if courierChanged { changes.save(courier) }
    }
}

/// The rows a batch reads and changes, held in memory (``CourierStatisticsRules``).
public final class CourierStatisticsChanges {
    public private(set) var couriers: [Int: CourierTotals]
    public private(set) var rides: [Ride.Key: Ride]
    private var changedCouriers: Set<Int> = []
    private var changedRides: Set<Ride.Key> = []

    public init(couriers: [CourierTotals], rides: [Ride]) {
        self.couriers = Dictionary(uniqueKeysWithValues: couriers.map { ($0.courierID, $0) })
        self.rides = Dictionary(uniqueKeysWithValues: rides.map { ($0.key, $0) })
    }

    func save(_ ride: Ride) {
        rides[ride.key] = ride
        changedRides.insert(ride.key)
    }

    func save(_ courier: CourierTotals) {
        couriers[courier.courierID] = courier
        changedCouriers.insert(courier.courierID)
    }

    /// The rows changed, to write back.
    public var couriersToWrite: [CourierTotals] { changedCouriers.sorted().compactMap { couriers[$0] } }
    public var ridesToWrite: [Ride] { changedRides.sorted().compactMap { rides[$0] } }

    /// Each courier's statistics from its totals and the durations (delivered
    /// minus picked up) of its rides, of those with both times in that order
    /// (a ride whose delivery was stored before its pickup, as a resend after
    /// a failure can do, is left out).
    public static func statistics(totals: [CourierTotals], durations: [Int: [Double]]) -> [CourierStatistics] {
        totals.sorted { $0.courierID < $1.courierID }.map { courier in
            CourierStatistics(
                courierID: courier.courierID, deliveries: courier.deliveries,
                distanceKilometres: courier.distanceKilometres,
                medianDeliverySeconds: median(ofSorted: (durations[courier.courierID] ?? []).sorted()))
        }
    }
}

/// The courier statistics' own SQLite database (a file, or in memory): one
/// row per courier, one per ride, and the feed checkpoint, changed together
/// in one transaction per batch.
public final class CourierStatisticsDatabase: CourierStatisticsStore {
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
    @discardableResult
    public func apply(_ batch: [StoredEvent]) async throws -> Int {
        try await applyWithCheckpoint(batch, to: database) { fresh, db in
            let changes = CourierStatisticsChanges(
                couriers: try CourierStatisticsRules.couriersRead(by: fresh).compactMap { id in
                    try Row.fetchOne(
                        db.cachedStatement(sql: "SELECT deliveries, distance_km FROM couriers WHERE courier_id = ?"),
                        arguments: [id]
                    ).map { CourierTotals(courierID: id, deliveries: $0["deliveries"], distanceKilometres: $0["distance_km"]) }
                },
                rides: try CourierStatisticsRules.ridesRead(by: fresh).compactMap { key in
                    try Row.fetchOne(
                        db.cachedStatement(sql: "SELECT * FROM rides WHERE order_id = ? AND courier_id = ?"),
                        arguments: [key.orderID, key.courierID]
                    ).map { row in
                        Ride(
                            key: key, pickedUpAt: row["picked_up_at"], deliveredAt: row["delivered_at"],
                            lastPosition: (row["last_latitude"] as Double?).flatMap { latitude in
                                (row["last_longitude"] as Double?).map { Position(latitude: latitude, longitude: $0) }
                            })
                    }
                })
            for stored in fresh { CourierStatisticsRules.apply(stored, to: changes) }
            for courier in changes.couriersToWrite {
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO couriers VALUES (?, ?, ?)").execute(arguments: [
                    courier.courierID, courier.deliveries, courier.distanceKilometres,
                ])
            }
            for ride in changes.ridesToWrite {
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO rides VALUES (?, ?, ?, ?, ?, ?)").execute(arguments: [
                    ride.key.orderID, ride.key.courierID, ride.pickedUpAt, ride.deliveredAt,
                    ride.lastPosition?.latitude, ride.lastPosition?.longitude,
                ])
            }
        }
    }

    /// Every courier's statistics, by courier id: the totals and each ride's
    /// duration read with SQL, the median taken of them (``CourierStatisticsChanges/statistics(totals:durations:)``).
    public func statistics() async throws -> [CourierStatistics] {
        try await database.read { db in
            let totals = try Row.fetchAll(db, sql: "SELECT courier_id, deliveries, distance_km FROM couriers").map {
                CourierTotals(courierID: $0["courier_id"], deliveries: $0["deliveries"], distanceKilometres: $0["distance_km"])
            }
            var durations: [Int: [Double]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT courier_id, delivered_at - picked_up_at AS seconds FROM rides
                    WHERE delivered_at IS NOT NULL AND picked_up_at IS NOT NULL AND delivered_at >= picked_up_at
                    """)
            {
                durations[row["courier_id"], default: []].append(row["seconds"])
            }
            return CourierStatisticsChanges.statistics(totals: totals, durations: durations)
        }
    }
}

/// The median of ascending `values`; `nil` for none.
public func median(ofSorted values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let middle = values.count / 2
    return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
}

/// The great-circle distance between two positions in kilometres (haversine, mean Earth radius).
public func greatCircleKilometres(from: Position, to: Position) -> Double {
    let radians = Double.pi / 180
    let dLatitude = (to.latitude - from.latitude) * radians
    let dLongitude = (to.longitude - from.longitude) * radians
    let a =
        sin(dLatitude / 2) * sin(dLatitude / 2) + cos(from.latitude * radians) * cos(to.latitude * radians)
        * sin(dLongitude / 2) * sin(dLongitude / 2)
    return 6_371.0088 * 2 * atan2(a.squareRoot(), (1 - a).squareRoot())
}
