import CBaseline
import DeliveryKit
import DeliveryPostgres
import Foundation
import Logging
import PostgresNIO

/// The same rows as `measureStoreAppends`, on PostgreSQL: the event store's
/// appends with and without an expected-version check against plain
/// INSERTs, and the tracking projection against plain upserts, each pair in
/// the same run on the same server. `nil` (with a line saying why) when no
/// server answers at `$DELIVERY_POSTGRES_URL` or `scripts/postgres.sh`'s address.
func measurePostgresAppends(_ plan: Plan) -> [ChannelRow]? {
    let url =
        ProcessInfo.processInfo.environment["DELIVERY_POSTGRES_URL"] ?? "postgresql://delivery@127.0.0.1:55432/delivery"
    guard let server = try? PostgresLocation(url: url), (try? blockingOrThrowing({ try await PostgresPool(server).close() })) != nil
    else {
        progress("PostgreSQL rows skipped: no server at \(url) (scripts/postgres.sh start)")
        return nil
    }
    let appends = max(2_000 / plan.scale, 200)
    progress("PostgreSQL appends: \(appends) orders' placement, one append per transaction, \(plan.reps) reps")
    let events = (1...appends).map { DeliveryEvent.orderPlaced(benchmarkOrder($0)) }
    let any = interleaved(
        reps: plan.reps, c: { plainInsertRate(events, server) }, swift: { appendRate(events, server, expecting: false) })
    let expected = interleaved(
        reps: plan.reps, c: { plainInsertRate(events, server) }, swift: { appendRate(events, server, expecting: true) })
    let projected = max(20_000 / plan.scale, 1_000)
    progress("PostgreSQL projection: \(projected) stored events, 500 a batch, \(plan.reps) reps")
    let stored = storedEvents(projected)
    let projection = interleaved(
        reps: plan.reps, c: { plainUpsertRate(stored, server) }, swift: { projectionRate(stored, server) })
    let plain = "plain INSERTs of the same rows (stream and version computed beforehand), one a transaction"
    return [
        ChannelRow(
            name: "PostgreSQL event store `append(_:expecting: .any)`: one event a transaction (local server, fsync off)",
            baselineName: plain, baseline: any.c, measured: any.swift),
        ChannelRow(
            name: "PostgreSQL event store `append(_:expecting: .noStream)`: the same, with the expected-version check",
            baselineName: plain, baseline: expected.c, measured: expected.swift),
        ChannelRow(
            name: "PostgreSQL tracking projection `PostgresTrackingDatabase.apply`: events a second, checkpoint in each batch's transaction",
            baselineName: "one plain `INSERT … ON CONFLICT DO UPDATE` a row per event, 500 a transaction",
            baseline: projection.c, measured: projection.swift),
    ]
}

/// A new database of its own on `server`, for one measurement.
private func newDatabase(_ server: PostgresLocation) async throws -> PostgresPool {
    let name = "bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
    let admin = try await PostgresPool(server)
    try await admin.client.query("CREATE DATABASE \(unescaped: String(name))")
    admin.close()
    return try await PostgresPool(server.with(database: String(name)))
}

private func appendRate(_ events: [DeliveryEvent], _ server: PostgresLocation, expecting: Bool) -> Double {
    blocking {
        let database = try await newDatabase(server)
        defer { database.close() }
        let store = EventStore(log: try await PostgresEventLog(database))
        let start = cb_nowSeconds()
        for event in events { try await store.append(event, expecting: expecting ? .noStream : .any) }
        return Double(events.count) / (cb_nowSeconds() - start)
    }
}

private func plainInsertRate(_ events: [DeliveryEvent], _ server: PostgresLocation) -> Double {
    blocking {
        let database = try await newDatabase(server)
        defer { database.close() }
        _ = try await PostgresEventLog(database)
        let rows = try events.enumerated().map { index, event in
            (Int64(index + 1), event, try event.json())
        }
        let start = cb_nowSeconds()
        for (sequence, event, body) in rows {
            try await database.client.query(
                """
                INSERT INTO events (sequence, event_id, kind, order_id, courier_id, body, recorded_at, stream, version,
                                    schema_version)
                VALUES (\(sequence), \(event.eventID.uuidString), \(event.kind.rawValue), \(Int64(event.orderID)),
                        \(event.courierID.map(Int64.init)), \(body), 0, \(event.stream), 1, \(Int32(event.schemaVersion)))
                """)
        }
        return Double(rows.count) / (cb_nowSeconds() - start)
    }
}

private func projectionRate(_ stored: [StoredEvent], _ server: PostgresLocation) -> Double {
    blocking {
        let database = try await newDatabase(server)
        defer { database.close() }
        let model = try await PostgresTrackingDatabase(database)
        let start = cb_nowSeconds()
        for first in stride(from: 0, to: stored.count, by: 500) {
            try await model.apply(Array(stored[first..<min(first + 500, stored.count)]))
        }
        return Double(stored.count) / (cb_nowSeconds() - start)
    }
}

private func plainUpsertRate(_ stored: [StoredEvent], _ server: PostgresLocation) -> Double {
    blocking {
        let database = try await newDatabase(server)
        defer { database.close() }
        try await database.client.query(
            "CREATE TABLE orders (order_id BIGINT PRIMARY KEY, status TEXT, last_sequence BIGINT)")
        let start = cb_nowSeconds()
        for first in stride(from: 0, to: stored.count, by: 500) {
            try await database.client.withTransaction(logger: Logger(label: "bench")) { connection in
                for event in stored[first..<min(first + 500, stored.count)] {
                    try await connection.query(
                        """
                        INSERT INTO orders (order_id, status, last_sequence)
                        VALUES (\(Int64(event.event.orderID)), \(event.event.kind.rawValue), \(event.sequence))
                        ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, last_sequence = excluded.last_sequence
                        """)
                }
            }
        }
        return Double(stored.count) / (cb_nowSeconds() - start)
    }
}
