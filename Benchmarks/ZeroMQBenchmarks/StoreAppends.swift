import CBaseline
import DeliveryKit
import Dispatch
import Foundation
import GRDB
import ZeroMQ

/// The event store's single appends, with and without an expected-version
/// check, and the tracking projection's throughput, each against plain
/// SQLite writes of the same rows in the same run (SQLite files, WAL).
func measureStoreAppends(_ plan: Plan) -> [ChannelRow] {
    let appends = max(4_000 / plan.scale, 200)
    progress("store appends: \(appends) orders' placement, one append per transaction, \(plan.reps) reps")
    let events = (1...appends).map { DeliveryEvent.orderPlaced(benchmarkOrder($0)) }
    let any = interleaved(
        reps: plan.reps, c: { plainInsertRate(events) }, swift: { appendRate(events, expecting: false) })
    let expected = interleaved(
        reps: plan.reps, c: { plainInsertRate(events) }, swift: { appendRate(events, expecting: true) })
    let projected = max(40_000 / plan.scale, 1_000)
    progress("projection: \(projected) stored events into the tracking database, 500 a batch, \(plan.reps) reps")
    let stored = storedEvents(projected)
    let projection = interleaved(reps: plan.reps, c: { plainUpsertRate(stored) }, swift: { projectionRate(stored) })
    let plain = "plain SQLite INSERTs of the same rows (stream and version computed beforehand), one a transaction"
    return [
        ChannelRow(
            name: "event store `append(_:expecting: .any)`: one event a transaction (SQLite file, WAL)",
            baselineName: plain, baseline: any.c, measured: any.swift),
        ChannelRow(
            name: "event store `append(_:expecting: .noStream)`: the same, with the expected-version check",
            baselineName: plain, baseline: expected.c, measured: expected.swift),
        ChannelRow(
            name: "tracking projection `TrackingDatabase.apply`: events applied a second, checkpoint in each batch's transaction",
            baselineName: "one plain SQLite `INSERT OR REPLACE` a row per event, 500 a transaction",
            baseline: projection.c, measured: projection.swift),
    ]
}

func benchmarkOrder(_ id: Int) -> OrderPlaced {
    OrderPlaced(
        eventID: UUID(), orderID: id, customer: "customer \(id)", phone: "+31 6 0000", pickup: "Shop \(id % 9)",
        pickupPosition: Position(latitude: 52.37, longitude: 4.89), dropoff: "\(id) Elm St",
        dropoffPosition: Position(latitude: 52.36, longitude: 4.91), items: ["pho"], totalCents: 1_250, note: "")
}

/// A new store file at a fresh path, removed by `body`'s end.
private func withStoreFile<Result>(_ body: (String) throws -> Result) rethrows -> Result {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-appends-\(UUID()).sqlite").path
    defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    return try body(path)
}

/// Runs `operation` to its end from a synchronous benchmark thread; a
/// failure ends the benchmark with its message (a measurement that failed has no figure).
func blocking<Result: Sendable>(_ operation: @escaping @Sendable () async throws -> Result) -> Result {
    do { return try blockingOrThrowing(operation) } catch {
        progress("benchmark failed: \(error)")
        exit(1)
    }
}

/// ``blocking(_:)``, throwing what `operation` threw.
func blockingOrThrowing<Result: Sendable>(_ operation: @escaping @Sendable () async throws -> Result) throws -> Result {
    let result = Locked<Swift.Result<Result, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        let outcome: Swift.Result<Result, any Error>
        do { outcome = .success(try await operation()) } catch { outcome = .failure(error) }
        result.withLock { $0 = outcome }
        done.signal()
    }
    done.wait()
    return try result.withLock { $0! }.get()
}

/// Appends per second through `EventStore.append`, each event the first of its stream.
private func appendRate(_ events: [DeliveryEvent], expecting: Bool) -> Double {
    withStoreFile { path in
        let store = try! EventStore(path: path)
        return blocking {
            let start = cb_nowSeconds()
            for event in events { try await store.append(event, expecting: expecting ? .noStream : .any) }
            return Double(events.count) / (cb_nowSeconds() - start)
        }
    }
}

/// The same rows inserted straight through SQLite into the store's schema, one a transaction.
private func plainInsertRate(_ events: [DeliveryEvent]) -> Double {
    withStoreFile { path in
        _ = try! EventStore(path: path)
        let rows = events.enumerated().map { index, event -> StatementArguments in
            [
                index + 1, event.eventID.uuidString, event.kind.rawValue, event.orderID, event.courierID,
                try! event.json(), 0.0, event.stream, 1, event.schemaVersion,
            ]
        }
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let database = try! DatabasePool(path: path, configuration: configuration)
        let start = cb_nowSeconds()
        for row in rows {
            try! database.write { db in
                try db.cachedStatement(
                    sql: """
                        INSERT INTO events
                            (sequence, event_id, kind, order_id, courier_id, body, recorded_at, stream, version, schema_version)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """
                ).execute(arguments: row)
            }
        }
        return Double(rows.count) / (cb_nowSeconds() - start)
    }
}

/// A delivery's worth of stored events per order, numbered as the store numbers them.
func storedEvents(_ count: Int) -> [StoredEvent] {
    var events: [DeliveryEvent] = []
    var order = 0
    while events.count < count {
        order += 1
        let courier = order % 16 + 1
        events += [
            .orderPlaced(benchmarkOrder(order)),
            .courierAssigned(CourierAssigned(eventID: UUID(), orderID: order, courierID: courier, attempt: 1)),
            .pickedUp(PickedUp(eventID: UUID(), orderID: order, courierID: courier)),
            .locationUpdated(
                LocationUpdated(
                    eventID: UUID(), orderID: order, courierID: courier, position: Position(latitude: 52.37, longitude: 4.9),
                    speedKmh: 18, headingDegrees: 90, batteryPercent: 80, step: 1, steps: 1)),
            .delivered(Delivered(eventID: DeliveryEvent.deliveredEventID(orderID: order), orderID: order, courierID: courier)),
        ]
    }
    var versions: [String: Int64] = [:]
    return events.prefix(count).enumerated().map { index, event in
        versions[event.stream, default: 0] += 1
        return StoredEvent(
            sequence: Int64(index + 1), event: event, recordedAt: Date(timeIntervalSince1970: Double(index)),
            version: versions[event.stream]!)
    }
}

/// Events per second through `TrackingDatabase.apply`, 500 a batch, into a new file.
private func projectionRate(_ stored: [StoredEvent]) -> Double {
    withStoreFile { path in
        let database = try! TrackingDatabase(path: path)
        return blocking {
            let start = cb_nowSeconds()
            for first in stride(from: 0, to: stored.count, by: 500) {
                try await database.apply(Array(stored[first..<min(first + 500, stored.count)]))
            }
            return Double(stored.count) / (cb_nowSeconds() - start)
        }
    }
}

/// One plain upsert per event (an order's row), 500 a transaction: the least a projection writes.
private func plainUpsertRate(_ stored: [StoredEvent]) -> Double {
    withStoreFile { path in
        let database = try! DatabaseQueue(path: path)
        try! database.write { db in
            try db.execute(sql: "CREATE TABLE orders (order_id INTEGER PRIMARY KEY, status TEXT, last_sequence INTEGER)")
        }
        let start = cb_nowSeconds()
        for first in stride(from: 0, to: stored.count, by: 500) {
            try! database.write { db in
                let upsert = try db.cachedStatement(
                    sql: "INSERT OR REPLACE INTO orders (order_id, status, last_sequence) VALUES (?, ?, ?)")
                for event in stored[first..<min(first + 500, stored.count)] {
                    try upsert.execute(arguments: [event.event.orderID, event.event.kind.rawValue, event.sequence])
                }
            }
        }
        return Double(stored.count) / (cb_nowSeconds() - start)
    }
}
