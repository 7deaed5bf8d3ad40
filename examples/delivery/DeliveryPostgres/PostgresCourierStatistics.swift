import DeliveryKit
import Foundation
import Logging
import PostgresNIO

/// The courier statistics in a PostgreSQL database (their tables have names
/// of their own, so they can share one with the tracking read model): the
/// rows a batch touches are read, changed by ``CourierStatisticsRules`` in
/// memory and written back with the checkpoint in one transaction, the
/// checkpoint row locked.
public final class PostgresCourierStatistics: CourierStatisticsStore {
    public let database: PostgresPool
    private let logger: Logger

    /// The statistics in `database`, their schema made or brought up to date first.
    public init(_ database: PostgresPool, logger: Logger = Logger(label: "delivery.courier-statistics.postgres"))
        async throws
    {
        self.database = database
        self.logger = logger
        try await database.migrate([
            (
                "courier statistics v1: couriers, rides and the checkpoint",
                [
                    """
                    CREATE TABLE statistics_couriers (
                        courier_id  BIGINT PRIMARY KEY,
                        deliveries  BIGINT NOT NULL,
                        distance_km DOUBLE PRECISION NOT NULL
                    )
                    """,
                    """
                    CREATE TABLE statistics_rides (
                        order_id       BIGINT NOT NULL,
                        courier_id     BIGINT NOT NULL,
                        picked_up_at   DOUBLE PRECISION,
                        delivered_at   DOUBLE PRECISION,
                        last_latitude  DOUBLE PRECISION,
                        last_longitude DOUBLE PRECISION,
                        PRIMARY KEY (order_id, courier_id)
                    )
                    """,
                    """
                    CREATE TABLE statistics_checkpoint (
                        id INTEGER PRIMARY KEY CHECK (id = 1), sequence BIGINT NOT NULL
                    )
                    """,
                    "INSERT INTO statistics_checkpoint VALUES (1, 0)",
                ]
            )
        ])
    }

    public func checkpoint() async throws -> Int64 {
        try await database.integer("SELECT sequence FROM statistics_checkpoint")
    }

    @discardableResult
    public func apply(_ batch: [StoredEvent]) async throws -> Int {
        let logger = self.logger
        return try await database.inTransaction(logger: logger) { connection in
            let checkpoint = try await connection.integer(
                "SELECT sequence FROM statistics_checkpoint FOR UPDATE", logger: logger)
            let fresh = try events(of: batch, after: checkpoint)
            guard let last = fresh.last else { return 0 }
            var couriers: [CourierTotals] = []
            let courierIDs = CourierStatisticsRules.couriersRead(by: fresh).map(Int64.init)
            for try await (id, deliveries, distance) in try await connection.query(
                "SELECT courier_id, deliveries, distance_km FROM statistics_couriers WHERE courier_id = ANY(\(courierIDs))",
                logger: logger
            ).decode((Int64, Int64, Double).self) {
                couriers.append(CourierTotals(courierID: Int(id), deliveries: Int(deliveries), distanceKilometres: distance))
            }
            let keys = CourierStatisticsRules.ridesRead(by: fresh)
            var rides: [Ride] = []
            for try await (order, courier, pickedUp, delivered, latitude, longitude) in try await connection.query(
                """
                SELECT order_id, courier_id, picked_up_at, delivered_at, last_latitude, last_longitude
                FROM statistics_rides
                WHERE (order_id, courier_id) IN
                      (SELECT * FROM unnest(\(keys.map { Int64($0.orderID) })::BIGINT[], \(keys.map { Int64($0.courierID) })::BIGINT[]))
                """, logger: logger
            ).decode((Int64, Int64, Double?, Double?, Double?, Double?).self) {
                rides.append(
                    Ride(
                        key: Ride.Key(orderID: Int(order), courierID: Int(courier)), pickedUpAt: pickedUp,
                        deliveredAt: delivered,
                        lastPosition: latitude.flatMap { la in longitude.map { Position(latitude: la, longitude: $0) } }))
            }
            let changes = CourierStatisticsChanges(couriers: couriers, rides: rides)
            for stored in fresh { CourierStatisticsRules.apply(stored, to: changes) }
            let changedCouriers = changes.couriersToWrite
            if !changedCouriers.isEmpty {
                var binds = PostgresBindings(capacity: changedCouriers.count * 3)
                for courier in changedCouriers {
                    binds.append(Int64(courier.courierID))
                    binds.append(Int64(courier.deliveries))
                    binds.append(courier.distanceKilometres)
                }
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            INSERT INTO statistics_couriers VALUES \(placeholders(rows: changedCouriers.count, columns: 3))
                            ON CONFLICT (courier_id) DO UPDATE SET deliveries = excluded.deliveries,
                                distance_km = excluded.distance_km
                            """, binds: binds), logger: logger)
            }
            let changedRides = changes.ridesToWrite
            if !changedRides.isEmpty {
                var binds = PostgresBindings(capacity: changedRides.count * 6)
                for ride in changedRides {
                    binds.append(Int64(ride.key.orderID))
                    binds.append(Int64(ride.key.courierID))
                    binds.append(ride.pickedUpAt)
                    binds.append(ride.deliveredAt)
                    binds.append(ride.lastPosition?.latitude)
                    binds.append(ride.lastPosition?.longitude)
                }
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            INSERT INTO statistics_rides VALUES \(placeholders(rows: changedRides.count, columns: 6))
                            ON CONFLICT (order_id, courier_id) DO UPDATE SET picked_up_at = excluded.picked_up_at,
                                delivered_at = excluded.delivered_at, last_latitude = excluded.last_latitude,
                                last_longitude = excluded.last_longitude
                            """, binds: binds), logger: logger)
            }
            try await connection.query(
                "UPDATE statistics_checkpoint SET sequence = \(last.sequence)", logger: logger)
            return fresh.count
        }
    }

    public func statistics() async throws -> [CourierStatistics] {
        let logger = self.logger
        // One snapshot: a repeatable-read transaction sees the totals and the rides at one moment.
        return try await database.inTransaction(logger: logger) { connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger: logger)
            var totals: [CourierTotals] = []
            for try await (id, deliveries, distance) in try await connection.query(
                "SELECT courier_id, deliveries, distance_km FROM statistics_couriers", logger: logger
            ).decode((Int64, Int64, Double).self) {
                totals.append(CourierTotals(courierID: Int(id), deliveries: Int(deliveries), distanceKilometres: distance))
            }
            var durations: [Int: [Double]] = [:]
            for try await (courier, seconds) in try await connection.query(
                """
                SELECT courier_id, delivered_at - picked_up_at FROM statistics_rides
                WHERE delivered_at IS NOT NULL AND picked_up_at IS NOT NULL AND delivered_at >= picked_up_at
                """, logger: logger
            ).decode((Int64, Double).self) {
                durations[Int(courier), default: []].append(seconds)
            }
            return CourierStatisticsChanges.statistics(totals: totals, durations: durations)
        }
    }
}

/// The courier statistics at `location`: a PostgreSQL URL or an SQLite file path.
public func openCourierStatistics(_ location: String, logger: Logger = Logger(label: "delivery.courier-statistics"))
    async throws -> any CourierStatisticsStore
{
    guard PostgresLocation.isURL(location) else { return try CourierStatisticsDatabase(path: location) }
    return try await PostgresCourierStatistics(
        try await PostgresPool(try PostgresLocation(url: location), logger: logger), logger: logger)
}
