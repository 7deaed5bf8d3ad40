import Foundation
import GRDB

/// The event store's log in SQLite (a file, or in memory): the default
/// ``EventLog``, which needs nothing installed. Rows are never updated or
/// deleted (triggers refuse it).
public final class SQLiteEventLog: EventLog {
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
    static var migrator: DatabaseMigrator {
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
        migrator.registerMigration("v3: streams, versions within them, and each row's schema version") { db in
            // Each event joins its stream (``DeliveryEvent/stream``) and is numbered within it in the order it was
            // stored. Numbering the rows stored before means writing them once, here: the append-only trigger is
            // lifted for this migration alone and put back as it was.
            try db.execute(
                sql: """
                    ALTER TABLE events ADD COLUMN stream TEXT NOT NULL DEFAULT '';
                    ALTER TABLE events ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE events ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 1;
                    DROP TRIGGER events_are_never_updated;
                    UPDATE events SET
                        stream = CASE kind WHEN 'courier.location' THEN 'courier-' || courier_id
                                           ELSE 'order-' || order_id END,
                        -- Builds before this one wrote a location with a heading (version 2), unless older still.
                        schema_version = CASE WHEN kind = 'courier.location'
                            AND json_extract(CAST(body AS TEXT), '$.locationUpdated.headingDegrees') IS NOT NULL
                            THEN 2 ELSE 1 END;
                    CREATE INDEX events_numbering ON events(stream, sequence);
                    UPDATE events SET version = (
                        SELECT COUNT(*) FROM events AS earlier
                        WHERE earlier.stream = events.stream AND earlier.sequence <= events.sequence);
                    DROP INDEX events_numbering;
                    CREATE UNIQUE INDEX events_by_stream ON events(stream, version);
                    CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
                    BEGIN SELECT RAISE(ABORT, 'the event store is append-only: events are never updated'); END;
                    """)
        }
        return migrator
    }

    public var location: String { path ?? "in memory" }

    public func append(
        _ events: [DeliveryEvent], bodies: [Data], causes: [Causation]?, expecting: [ExpectedVersion]?
    ) async throws -> [EventStore.Appended] {
        try await database.write { db in
            try Self.insert(events, bodies: bodies, causes: causes, expecting: expecting, into: db)
        }
    }

    /// Starts appending `events` in one transaction on the store's writer
    /// and returns at once: ``AppendPipeline``'s step. Appends started this
    /// way run one at a time in the order they were started. `halted` is
    /// asked on the writer before the transaction begins; when it answers
    /// `true`, nothing is written and the append fails. `completion` runs on
    /// the writer, before the next append starts there.
    public func startAppending(
        _ events: [DeliveryEvent], bodies: [Data], causes: [Causation]?, unless halted: @escaping @Sendable () -> Bool,
        completion: @escaping @Sendable (Result<[EventStore.Appended], any Error>) -> Void
    ) {
        database.asyncWriteWithoutTransaction { db in
            guard !halted() else {
                completion(.failure(DeliveryError.failed(service: "event store", reason: "not appended: an earlier batch failed")))
                return
            }
            completion(
                Result {
                    var appended: [EventStore.Appended] = []
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
    /// The stream versions and global sequence are the store's own numbers:
    /// each new row takes one past the stream's highest version and one past
    /// the highest sequence, rather than leaving the sequence to
    /// `AUTOINCREMENT`: an insert that a duplicate id makes SQLite ignore
    /// would still use up an `AUTOINCREMENT` number, and projections rely on
    /// the sequence having no gaps. So a row costs one INSERT and, for the
    /// first event of each stream in the batch, one indexed lookup of the
    /// stream's version; only a duplicate costs a lookup of its original numbers.
    ///
    /// `expecting` gives each event's ``ExpectedVersion`` (same index; `nil`:
    /// any). The first event whose stream is not where it expects throws
    /// ``VersionConflict``, and the caller's transaction stores none of them.
    static func insert(
        _ events: [DeliveryEvent], bodies: [Data], causes: [Causation]?, expecting: [ExpectedVersion]? = nil,
        into db: Database
    ) throws -> [EventStore.Appended] {
        precondition(events.count == bodies.count, "one JSON row for each event")
        precondition(causes.map { $0.count == events.count } ?? true, "one causation for each event")
        precondition(expecting.map { $0.count == events.count } ?? true, "one expected version for each event")
        let recordedAt = Date().timeIntervalSince1970
        var head = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM events") ?? 0
        var appended: [EventStore.Appended] = []
        appended.reserveCapacity(events.count)
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO events
                    (sequence, event_id, kind, order_id, courier_id, body, recorded_at, correlation_id, causation_id,
                     stream, version, schema_version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING
                """)
        let find = try db.cachedStatement(sql: "SELECT sequence, version FROM events WHERE event_id = ?")
        let streamVersion = try db.cachedStatement(sql: "SELECT MAX(version) FROM events WHERE stream = ?")
        /// Each stream's version as this batch has left it.
        var versions: [String: Int64] = [:]
        for (index, (event, body)) in zip(events, bodies).enumerated() {
            let id = event.eventID.text
            let causation = causes?[index] ?? .unknown
            let stream = event.stream
            let version: Int64
            if let known = versions[stream] {
                version = known
            } else {
                version = try Int64.fetchOne(streamVersion, arguments: [stream]) ?? 0
            }
            try insert.execute(arguments: [
                head + 1, id, event.kind.rawValue, event.orderID, event.courierID, body, recordedAt,
                causation.correlationID, causation.causationID?.text, stream, version + 1, event.schemaVersion,
            ])
            if db.changesCount == 1 {
                if let expected = expecting?[index], !expected.admits(version) {
                    throw VersionConflict(stream: stream, expected: expected, actual: version)
                }
                head += 1
                versions[stream] = version + 1
                appended.append(
                    EventStore.Appended(
                        sequence: head, version: version + 1, isNew: true,
                        recordedAt: Date(timeIntervalSince1970: recordedAt), body: body))
            } else if let original = try Row.fetchOne(find, arguments: [id]) {
                // Stored before, in an earlier batch or earlier in this one.
                versions[stream] = version
                appended.append(EventStore.Appended(sequence: original["sequence"], version: original["version"], isNew: false))
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

    public func events(_ query: EventQuery) async throws -> [StoredEvent] {
        switch query {
        case .after(let sequence, let limit):
            try await fetch("SELECT * FROM events WHERE sequence > ? ORDER BY sequence LIMIT ?", [sequence, limit])
        case .stream(let stream): try await fetch("SELECT * FROM events WHERE stream = ? ORDER BY version", [stream])
        case .order(let id): try await fetch("SELECT * FROM events WHERE order_id = ? ORDER BY sequence", [id])
        case .courier(let id): try await fetch("SELECT * FROM events WHERE courier_id = ? ORDER BY sequence", [id])
        }
    }

    /// The complete ``OrderPlaced`` of `orderID`: how a pointer event is resolved.
    public func order(_ orderID: Int) async throws -> OrderPlaced? {
        try await database.read { db in try Self.order(orderID, in: db) }
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
    public func storageBytes() async -> Int {
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
                    event: try Upcaster.event(
                        kind: row["kind"], schemaVersion: row["schema_version"], body: row["body"],
                        order: { id in try Self.order(id, in: db) }),
                    recordedAt: Date(timeIntervalSince1970: row["recorded_at"]),
                    version: row["version"],
                    causation: Causation(
                        correlationID: row["correlation_id"],
                        causationID: (row["causation_id"] as String?).flatMap(UUID.init(uuidString:))))
            }
        }
    }

    /// The complete ``OrderPlaced`` of `orderID`, read in `db`.
    private static func order(_ orderID: Int, in db: Database) throws -> OrderPlaced? {
        let body = try Data.fetchOne(
            db, sql: "SELECT body FROM events WHERE order_id = ? AND kind = ? ORDER BY sequence LIMIT 1",
            arguments: [orderID, EventKind.orderPlaced.rawValue])
        guard let body, case .orderPlaced(let order) = try JSONDecoder().decode(DeliveryEvent.self, from: body) else {
            return nil
        }
        return order
    }
}
