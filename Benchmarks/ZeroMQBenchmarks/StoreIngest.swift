import CBaseline
import DeliveryKit
import Dispatch
import Foundation
import GRDB
import Logging
import ZeroMQ
import ZeroMQChannels

/// The delivery example's event store taking facts end to end, against the
/// same rows appended straight to SQLite in the same run.
func measureStoreIngest(_ plan: Plan) -> ChannelRow {
    let count = max(40_000 / plan.scale, 400)
    progress("store ingest: \(count) facts from 4 senders into a SQLite file, \(plan.reps) reps")
    let facts = (0..<count).map { index in
        DeliveryEvent.locationUpdated(
            LocationUpdated(
                eventID: UUID(), orderID: index / 5 + 1, courierID: index % 16 + 1,
                position: Position(latitude: 52.37, longitude: 4.89), speedKmh: 18, headingDegrees: 90,
                batteryPercent: 80, step: index % 5 + 1, steps: 5))
    }
    let rates = interleaved(
        reps: plan.reps, c: { storeIngestRate(facts, overTheNetwork: false) },
        swift: { storeIngestRate(facts, overTheNetwork: true) })
    progress("  facts/s, direct: \(rates.c.map(formatRate)), through the store service: \(rates.swift.map(formatRate))")
    return ChannelRow(
        name: "delivery store ingest: 4 `AcknowledgedSender`s → store service, group commit, acknowledged after the commit (inproc, SQLite file, WAL)",
        baselineName: "plain SQLite INSERTs of the same rows (bodies encoded beforehand) into the same schema, 1,000 a transaction",
        baseline: rates.c, measured: rates.swift)
}

/// Facts per second into a new store file: from the first send until every
/// fact is acknowledged (`overTheNetwork`), or appended directly in batches.
private func storeIngestRate(_ facts: [DeliveryEvent], overTheNetwork: Bool) -> Double {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-store-\(UUID()).sqlite").path
    defer {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    let store = try! EventStore(path: path)
    let result = Locked<Double>(0)
    let done = DispatchSemaphore(value: 0)
    if !overTheNetwork {
        // The store's schema (its indexes and triggers), then the rows inserted straight through SQLite.
        _ = store
        let encoder = JSONEncoder()
        var versions: [String: Int] = [:]
        let rows = facts.map { fact -> StatementArguments in
            versions[fact.stream, default: 0] += 1
            return [
                fact.eventID.uuidString, fact.kind.rawValue, fact.orderID, fact.courierID, try! encoder.encode(fact), 0.0,
                fact.stream, versions[fact.stream]!, fact.schemaVersion,
            ]
        }
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let database = try! DatabasePool(path: path, configuration: configuration)
        let start = cb_nowSeconds()
        for batch in stride(from: 0, to: rows.count, by: 1_000) {
            try! database.write { db in
                let insert = try db.cachedStatement(
                    sql: """
                        INSERT INTO events (event_id, kind, order_id, courier_id, body, recorded_at, stream, version, schema_version)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for row in rows[batch..<min(batch + 1_000, rows.count)] { try insert.execute(arguments: row) }
            }
        }
        return Double(facts.count) / (cb_nowSeconds() - start)
    }
    let context = try! Context(defaultLinger: .zero)
    defer { context.shutdown() }
    let addresses = Addresses.inproc("bench-ingest-\(UUID().uuidString)")
    var quiet = Logger(label: "bench")
    quiet.logLevel = .error
    var service = StoreService(context: context, addresses: addresses, store: store)
    service.logger = quiet
    let bus = try! EventBus(context: context, addresses: addresses, logger: quiet)
    defer { bus.stop() }
    let running = Task.detached { [service] in try? await service.run() }
    let senders = (0..<4).map { index in
        try! FactChannel.sender(
            context: context, addresses: addresses, producer: "bench-\(index)", outbox: nil, logger: quiet)
    }
    Task.detached {
        let start = cb_nowSeconds()
        await withTaskGroup(of: Void.self) { group in
            for (index, sender) in senders.enumerated() {
                group.addTask {
                    for fact in stride(from: index, to: facts.count, by: senders.count).map({ facts[$0] }) {
                        try! await sender.send(fact, to: fact.topic)
                    }
                    _ = try! await sender.waitUntilAcknowledged(timeout: .seconds(120))
                }
            }
        }
        result.withLock { $0 = Double(facts.count) / (cb_nowSeconds() - start) }
        // Acknowledged means committed: the store holds every fact.
        if try! await store.head() != Int64(facts.count) {
            progress("store ingest: the store does not hold every fact it acknowledged")
            exit(1)
        }
        done.signal()
    }
    done.wait()
    for sender in senders { sender.close() }
    running.cancel()
    return result.withLock { $0 }
}
