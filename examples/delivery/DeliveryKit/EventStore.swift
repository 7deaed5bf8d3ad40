import Foundation
import GRDB

/// The event store: an append-only log of ``DeliveryEvent``s in SQLite, each
/// with a global sequence number. Rows are never updated or deleted (triggers
/// refuse it), so every question about the past has an answer; current state
/// is a projection of the log (``TrackingModel``).
///
/// Appends are idempotent by event id: appending a fact the store already has
/// returns the original sequence number and changes nothing. That is what
/// makes redelivered work safe.
public final class EventStore: Sendable {
    private let database: any DatabaseWriter
    /// The SQLite file, or `nil` for an in-memory store.
    public let path: String?

    /// Opens (creating if needed) the store in the SQLite file at `path`, or an
    /// in-memory store when `path` is `nil`.
    public init(path: String?) throws {
        self.path = path
        // A file is opened in WAL mode, where an append costs no fsync of its own
        // and readers never wait for writers.
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        database = try path.map { try DatabasePool(path: $0, configuration: configuration) } ?? DatabaseQueue()
        try Self.migrator.migrate(database)
    }

    /// The store's schema, created and changed by migrations: GRDB records
    /// which have run in the file, and runs each new one once.
    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: the events table, append-only") { db in
            // IF NOT EXISTS: a store written before the schema had migrations is taken over, and
            // completed if something is missing (that code made each part at every start).
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS events (
                        sequence    INTEGER PRIMARY KEY AUTOINCREMENT,
                        event_id    TEXT NOT NULL UNIQUE,
                        kind        TEXT NOT NULL,
                        order_id    INTEGER NOT NULL,
                        courier_id  INTEGER,
                        body        BLOB NOT NULL,
                        recorded_at REAL NOT NULL
                    );
                    CREATE INDEX IF NOT EXISTS events_by_order ON events(order_id, sequence);
                    CREATE INDEX IF NOT EXISTS events_by_courier ON events(courier_id, sequence);
                    CREATE TRIGGER IF NOT EXISTS events_are_never_updated BEFORE UPDATE ON events
                    BEGIN SELECT RAISE(ABORT, 'the event store is append-only: events are never updated'); END;
                    CREATE TRIGGER IF NOT EXISTS events_are_never_deleted BEFORE DELETE ON events
                    BEGIN SELECT RAISE(ABORT, 'the event store is append-only: events are never deleted'); END;
                    """)
        }
        migrator.registerMigration("v2: each event's correlation and causation ids") { db in
            // Adding columns updates no row, so the append-only triggers let it pass;
            // events stored before have neither (NULL).
            try db.execute(
                sql: """
                    ALTER TABLE events ADD COLUMN correlation_id TEXT;
                    ALTER TABLE events ADD COLUMN causation_id TEXT;
                    """)
        }
        return migrator
    }

    /// The result of an append.
    public struct Appended: Sendable, Hashable, Codable {
        /// The event's sequence number (the original one for a duplicate).
        public var sequence: Int64
        /// `false` when the store already had this event id.
        public var isNew: Bool
        /// When this append stored it; `nil` for a duplicate.
        public var recordedAt: Date?
        /// The JSON this append stored; `nil` for a duplicate.
        public var body: Data?

        public init(sequence: Int64, isNew: Bool, recordedAt: Date? = nil, body: Data? = nil) {
            self.sequence = sequence
            self.isNew = isNew
            self.recordedAt = recordedAt
            self.body = body
        }
    }

    /// Appends `event` unless its id is already stored.
    @discardableResult
    public func append(_ event: DeliveryEvent) async throws -> Appended {
        try await append(contentsOf: [event])[0]
    }

    /// Appends `events` in order in one transaction (a group commit: one
    /// commit for the whole batch), skipping each whose id is already stored
    /// or came earlier in the batch. One result per event, in the same order.
    @discardableResult
    public func append(contentsOf events: [DeliveryEvent]) async throws -> [Appended] {
        try await append(contentsOf: events, bodies: events.map { try $0.json() })
    }

    /// As ``append(contentsOf:)``, with each event's JSON row (``DeliveryEvent/json()``)
    /// written beforehand: the store service writes the next batch's rows
    /// while the last batch commits. `causes` gives each event's ``Causation``
    /// (same index); without it, events are stored without.
    @discardableResult
    public func append(contentsOf events: [DeliveryEvent], bodies: [Data], causes: [Causation]? = nil) async throws
        -> [Appended]
    {
        try await database.write { db in try Self.insert(events, bodies: bodies, causes: causes, into: db) }
    }

    /// Starts appending `events` in one transaction on the store's writer
    /// and returns at once: ``AppendPipeline``'s step. Appends started this
    /// way run one at a time in the order they were started. `halted` is
    /// asked on the writer before the transaction begins; when it answers
    /// `true`, nothing is written and the append fails. `completion` runs on
    /// the writer, before the next append starts there.
    func startAppending(
        _ events: [DeliveryEvent], bodies: [Data], causes: [Causation]?, unless halted: @escaping @Sendable () -> Bool,
        completion: @escaping @Sendable (Result<[Appended], any Error>) -> Void
    ) {
        database.asyncWriteWithoutTransaction { db in
            guard !halted() else {
                completion(.failure(DeliveryError.failed(service: "event store", reason: "not appended: an earlier batch failed")))
                return
            }
            completion(
                Result {
                    var appended: [Appended] = []
                    try db.inTransaction {
                        appended = try Self.insert(events, bodies: bodies, causes: causes, into: db)
                        return .commit
                    }
                    return appended
                })
        }
    }

    /// Inserts `events` in the transaction `db` is in: what every append does.
    ///
    /// The store numbers the rows itself, one past the highest sequence,
    /// rather than leaving it to `AUTOINCREMENT`: an insert that a duplicate id
    /// makes SQLite ignore would still use up an `AUTOINCREMENT` number, and
    /// projections rely on the sequence having no gaps. So a row costs one
    /// INSERT, and only a duplicate costs a lookup of its original number.
    static func insert(_ events: [DeliveryEvent], bodies: [Data], causes: [Causation]?, into db: Database) throws
        -> [Appended]
    {
        precondition(events.count == bodies.count, "one JSON row for each event")
        precondition(causes.map { $0.count == events.count } ?? true, "one causation for each event")
        let recordedAt = Date().timeIntervalSince1970
        var head = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM events") ?? 0
        var appended: [Appended] = []
        appended.reserveCapacity(events.count)
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO events
                    (sequence, event_id, kind, order_id, courier_id, body, recorded_at, correlation_id, causation_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING
                """)
        let find = try db.cachedStatement(sql: "SELECT sequence FROM events WHERE event_id = ?")
        for (index, (event, body)) in zip(events, bodies).enumerated() {
            let id = event.eventID.text
            let causation = causes?[index] ?? .unknown
            try insert.execute(arguments: [
                head + 1, id, event.kind.rawValue, event.orderID, event.courierID, body, recordedAt,
                causation.correlationID, causation.causationID?.text,
            ])
            if db.changesCount == 1 {
                head += 1
                appended.append(
                    Appended(sequence: head, isNew: true, recordedAt: Date(timeIntervalSince1970: recordedAt), body: body))
            } else if let original = try Int64.fetchOne(find, arguments: [id]) {
                // Stored before, in an earlier batch or earlier in this one.
                appended.append(Appended(sequence: original, isNew: false))
            } else {
                throw DeliveryError.failed(service: "event store", reason: "event \(id) was neither inserted nor found")
            }
        }
        return appended
    }

    /// The highest sequence number, 0 when empty.
    public func head() async throws -> Int64 {
        try await database.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM events") ?? 0 }
    }

    /// Up to `limit` events after `sequence`, in order: how projections replay.
    public func events(after sequence: Int64, limit: Int = 500) async throws -> [StoredEvent] {
        try await fetch("SELECT * FROM events WHERE sequence > ? ORDER BY sequence LIMIT ?", [sequence, limit])
    }

    /// Every event about `orderID`, oldest first: the order's history.
    public func history(ofOrder orderID: Int) async throws -> [StoredEvent] {
        try await fetch("SELECT * FROM events WHERE order_id = ? ORDER BY sequence", [orderID])
    }

    /// Every event about `courierID`, oldest first.
    public func history(ofCourier courierID: Int) async throws -> [StoredEvent] {
        try await fetch("SELECT * FROM events WHERE courier_id = ? ORDER BY sequence", [courierID])
    }

    /// The complete ``OrderPlaced`` of `orderID`: how a pointer event is resolved.
    public func order(_ orderID: Int) async throws -> OrderPlaced? {
        let placed = try await fetch(
            "SELECT * FROM events WHERE order_id = ? AND kind = ? ORDER BY sequence LIMIT 1",
            [orderID, EventKind.orderPlaced.rawValue])
        guard case .orderPlaced(let order)? = placed.first?.event else { return nil }
        return order
    }

    /// The highest order id stored, 0 when none: where a restarted order service goes on.
    public func lastOrderID() async throws -> Int {
        try await database.read { db in
            try Int.fetchOne(
                db, sql: "SELECT MAX(order_id) FROM events WHERE kind = ?", arguments: [EventKind.orderPlaced.rawValue])
                ?? 0
        }
    }

    /// How many events of each kind are stored.
    public func countsByKind() async throws -> [EventKind: Int] {
        try await database.read { db in
            var counts: [EventKind: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT kind, COUNT(*) AS n FROM events GROUP BY kind") {
                if let kind = EventKind(rawValue: row["kind"]) { counts[kind] = row["n"] }
            }
            return counts
        }
    }

    /// The size of the SQLite files in bytes, write-ahead log included (0 in
    /// memory): the storage that grows.
    public func fileSize() -> Int {
        guard let path else { return 0 }
        return [path, path + "-wal"].reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
        }
    }

    private func fetch(_ sql: String, _ arguments: StatementArguments) async throws -> [StoredEvent] {
        try await database.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                StoredEvent(
                    sequence: row["sequence"],
                    event: try JSONDecoder().decode(DeliveryEvent.self, from: row["body"] as Data),
                    recordedAt: Date(timeIntervalSince1970: row["recorded_at"]),
                    causation: Causation(
                        correlationID: row["correlation_id"],
                        causationID: (row["causation_id"] as String?).flatMap(UUID.init(uuidString:))))
            }
        }
    }
}
