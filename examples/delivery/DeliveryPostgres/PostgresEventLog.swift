import DeliveryKit
import Foundation
import Logging
import PostgresNIO

/// The event store's log in a PostgreSQL database, which several store
/// processes (on several hosts) can serve at once.
///
/// Every append transaction first takes one advisory lock
/// (`pg_advisory_xact_lock`, released at its commit or rollback), then
/// numbers its rows from the committed maximum: appends through any process
/// take turns, so the global sequence has no gaps and follows the order of
/// commits, and a stream's version is checked and taken under the same lock,
/// so expected versions conflict correctly across processes. A `UNIQUE
/// (stream, version)` constraint and the primary key would refuse a
/// violation even without it. Rows are never updated or deleted (a trigger
/// refuses it).
public final class PostgresEventLog: EventLog {
    public let database: PostgresPool
    private let logger: Logger
    /// Appends started with ``startAppending(_:bodies:causes:unless:completion:)``, run one at a time in order.
    private let pipeline: AsyncStream<@Sendable () async -> Void>.Continuation
    private let pipelineRunner: Task<Void, Never>

    /// The log in `database`, its schema made or brought up to date first.
    public init(_ database: PostgresPool, logger: Logger = Logger(label: "delivery.store.postgres")) async throws {
        self.database = database
        self.logger = logger
        let (jobs, pipeline) = AsyncStream.makeStream(of: (@Sendable () async -> Void).self)
        self.pipeline = pipeline
        pipelineRunner = Task { for await job in jobs { await job() } }
        try await database.migrate(Self.migrations)
    }

    deinit {
        pipeline.finish()
        pipelineRunner.cancel()
    }

    /// The schema, by SQL migrations recorded in `schema_migrations`.
    static let migrations: [(id: String, statements: [String])] = [
        (
            "v1: the events table, append-only, with streams and versions",
            [
                """
                CREATE TABLE events (
                    sequence       BIGINT PRIMARY KEY,
                    event_id       TEXT NOT NULL UNIQUE,
                    kind           TEXT NOT NULL,
                    order_id       BIGINT NOT NULL,
                    courier_id     BIGINT,
                    body           BYTEA NOT NULL,
                    recorded_at    DOUBLE PRECISION NOT NULL,
                    correlation_id TEXT,
                    causation_id   TEXT,
                    stream         TEXT NOT NULL,
                    version        BIGINT NOT NULL,
                    schema_version INTEGER NOT NULL,
                    UNIQUE (stream, version)
                )
                """,
                "CREATE INDEX events_by_order ON events (order_id, sequence)",
                "CREATE INDEX events_by_courier ON events (courier_id, sequence)",
                """
                CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'the event store is append-only: events are never %', lower(TG_OP) || 'd';
                END $$
                """,
                """
                CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
                FOR EACH ROW EXECUTE FUNCTION events_are_append_only()
                """,
            ]
        ),
        (
            "v2: how far the feed publisher has published",
            [
                "CREATE TABLE feed (id INTEGER PRIMARY KEY CHECK (id = 1), published BIGINT NOT NULL)",
                "INSERT INTO feed VALUES (1, 0)",
            ]
        ),
    ]

    public var location: String { database.location.description }

    public func append(
        _ events: [DeliveryEvent], bodies: [Data], causes: [Causation]?, expecting: [ExpectedVersion]?
    ) async throws -> [EventStore.Appended] {
        precondition(events.count == bodies.count, "one JSON row for each event")
        precondition(causes.map { $0.count == events.count } ?? true, "one causation for each event")
        precondition(expecting.map { $0.count == events.count } ?? true, "one expected version for each event")
        let logger = self.logger
        return try await database.inTransaction(logger: logger) { connection in
            try await Self.insert(events, bodies: bodies, causes: causes, expecting: expecting, on: connection, logger)
        }
    }

    /// What every append does, in its transaction: see the type's documentation.
    private static func insert(
        _ events: [DeliveryEvent], bodies: [Data], causes: [Causation]?, expecting: [ExpectedVersion]?,
        on connection: PostgresConnection, _ logger: Logger
    ) async throws -> [EventStore.Appended] {
        // Read committed (whatever the server's default): each statement after the lock must see what
        // the appends before it committed; a snapshot taken at the lock would be stale.
        try await connection.query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED", logger: logger)
        try await connection.query("SELECT pg_advisory_xact_lock(\(AdvisoryLock.appends))", logger: logger)
        var head = try await connection.integer("SELECT COALESCE(MAX(sequence), 0) FROM events", logger: logger)
        // The batch's ids stored before, and its streams' versions: one query each.
        let ids = events.map(\.eventID.uuidString)
        var stored: [String: (sequence: Int64, version: Int64)] = [:]
        for try await (id, sequence, version) in try await connection.query(
            "SELECT event_id, sequence, version FROM events WHERE event_id = ANY(\(ids))", logger: logger
        ).decode((String, Int64, Int64).self) {
            stored[id] = (sequence, version)
        }
        let streams = Array(Set(events.map(\.stream)))
        var versions: [String: Int64] = [:]
        for try await (stream, version) in try await connection.query(
            "SELECT stream, MAX(version) FROM events WHERE stream = ANY(\(streams)) GROUP BY stream", logger: logger
        ).decode((String, Int64).self) {
            versions[stream] = version
        }
        let recordedAt = Date().timeIntervalSince1970
        var results: [EventStore.Appended] = []
        var rows = PostgresBindings(capacity: events.count * 12)
        var placeholders: [String] = []
        var bound = 0
        for (index, event) in events.enumerated() {
            let id = ids[index]
            if let original = stored[id] {
                // Stored before, in an earlier append or earlier in this one.
                results.append(EventStore.Appended(sequence: original.sequence, version: original.version, isNew: false))
                continue
            }
            let stream = event.stream
            let version = versions[stream] ?? 0
            if let expected = expecting?[index], !expected.admits(version) {
                throw VersionConflict(stream: stream, expected: expected, actual: version)
            }
            head += 1
            versions[stream] = version + 1
            stored[id] = (head, version + 1)
            let causation = causes?[index] ?? .unknown
            let first = bound
            bound += 12
            rows.append(head)
            rows.append(id)
            rows.append(event.kind.rawValue)
            rows.append(Int64(event.orderID))
            rows.append(event.courierID.map(Int64.init))
            try rows.append(bodies[index])
            rows.append(recordedAt)
            rows.append(causation.correlationID)
            rows.append(causation.causationID?.uuidString)
            rows.append(stream)
            rows.append(version + 1)
            rows.append(Int32(event.schemaVersion))
            placeholders.append("(" + (first + 1...first + 12).map { "$\($0)" }.joined(separator: ", ") + ")")
            results.append(
                EventStore.Appended(
                    sequence: head, version: version + 1, isNew: true,
                    recordedAt: Date(timeIntervalSince1970: recordedAt), body: bodies[index]))
        }
        if !placeholders.isEmpty {
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO events
                            (sequence, event_id, kind, order_id, courier_id, body, recorded_at, correlation_id,
                             causation_id, stream, version, schema_version)
                        VALUES \(placeholders.joined(separator: ", "))
                        """, binds: rows), logger: logger)
        }
        return results
    }

    public func startAppending(
        _ events: [DeliveryEvent], bodies: [Data], causes: [Causation]?, unless halted: @escaping @Sendable () -> Bool,
        completion: @escaping @Sendable (Result<[EventStore.Appended], any Error>) -> Void
    ) {
        pipeline.yield { [self] in
            guard !halted() else {
                completion(.failure(DeliveryError.failed(service: "event store", reason: "not appended: an earlier batch failed")))
                return
            }
            do {
                completion(.success(try await append(events, bodies: bodies, causes: causes, expecting: nil)))
            } catch {
                completion(.failure(error))
            }
        }
    }

    public func events(_ query: EventQuery) async throws -> [StoredEvent] {
        let columns = "sequence, kind, schema_version, body, recorded_at, version, correlation_id, causation_id"
        let select: PostgresQuery =
            switch query {
            case .after(let sequence, let limit):
                "SELECT \(unescaped: columns) FROM events WHERE sequence > \(sequence) ORDER BY sequence LIMIT \(Int64(limit))"
            case .stream(let stream):
                "SELECT \(unescaped: columns) FROM events WHERE stream = \(stream) ORDER BY version"
            case .order(let id):
                "SELECT \(unescaped: columns) FROM events WHERE order_id = \(Int64(id)) ORDER BY sequence"
            case .courier(let id):
                "SELECT \(unescaped: columns) FROM events WHERE courier_id = \(Int64(id)) ORDER BY sequence"
            }
        typealias Columns = (Int64, String, Int32, Data, Double, Int64, String?, String?)
        var rows: [Columns] = []
        for try await row in try await database.client.query(select, logger: logger).decode(Columns.self) {
            rows.append(row)
        }
        // Orders that an upcast derives a field from, fetched once for the whole read.
        let needed = rows.compactMap { row -> Int? in
            Upcaster.needsOrder(kind: row.1, schemaVersion: Int(row.2)) ? try? Upcaster.orderID(in: row.3) : nil
        }
        var orders: [Int: OrderPlaced] = [:]
        for id in Set(needed) { orders[id] = try await order(id) }
        return try rows.map { row in
            StoredEvent(
                sequence: row.0,
                event: try Upcaster.event(kind: row.1, schemaVersion: Int(row.2), body: row.3, order: { orders[$0] }),
                recordedAt: Date(timeIntervalSince1970: row.4), version: row.5,
                causation: Causation(correlationID: row.6, causationID: row.7.flatMap(UUID.init(uuidString:))))
        }
    }

    public func head() async throws -> Int64 {
        try await database.integer("SELECT COALESCE(MAX(sequence), 0) FROM events")
    }

    public func order(_ orderID: Int) async throws -> OrderPlaced? {
        let bodies = try await database.client.query(
            """
            SELECT body FROM events WHERE order_id = \(Int64(orderID)) AND kind = \(EventKind.orderPlaced.rawValue)
            ORDER BY sequence LIMIT 1
            """, logger: logger
        ).decode(Data.self)
        // Read to the end: a row sequence gives its connection back to the pool once consumed.
        var found: OrderPlaced?
        for try await body in bodies {
            if case .orderPlaced(let order) = try JSONDecoder().decode(DeliveryEvent.self, from: body) { found = order }
        }
        return found
    }

    public func lastOrderID() async throws -> Int {
        Int(
            try await database.integer(
                "SELECT COALESCE(MAX(order_id), 0) FROM events WHERE kind = \(EventKind.orderPlaced.rawValue)"))
    }

    public func countsByKind() async throws -> [EventKind: Int] {
        var counts: [EventKind: Int] = [:]
        for try await (kind, count) in try await database.client.query(
            "SELECT kind, COUNT(*) FROM events GROUP BY kind", logger: logger
        ).decode((String, Int64).self) {
            if let kind = EventKind(rawValue: kind) { counts[kind] = Int(count) }
        }
        return counts
    }

    public var isShared: Bool { true }

    /// The feed publisher is elected with a session advisory lock
    /// (`pg_try_advisory_lock`), asked for every half second: the process
    /// holding it publishes, reading every commit back from the table in
    /// sequence order, and keeps it for as long as its connection lives.
    /// Every second it records on that connection how far it has published
    /// (the `feed` table), which also tells it the connection, and so the
    /// lock, is alive. When that process dies, the server ends its session,
    /// the lock is free, and another store process takes over from the
    /// position recorded: at most a second's events go out twice, which
    /// consumers skip by sequence number, and none is left out. (LISTEN/NOTIFY
    /// would tell the others of each commit, but they would still have to
    /// agree on who publishes; one publisher reading the table gives the
    /// order for free.)
    public func whileFeedPublisher(_ publish: (FeedTurn) async throws -> Void) async throws {
        let logger = self.logger
        while true {
            try Task.checkCancellation()
            let held = try await database.client.withConnection { connection -> Bool in
                var locked = false
                for try await granted in try await connection.query(
                    "SELECT pg_try_advisory_lock(\(AdvisoryLock.feed))", logger: logger
                ).decode(Bool.self) {
                    locked = granted
                }
                guard locked else { return false }
                let resumeAfter = try await connection.integer("SELECT published FROM feed", logger: logger)
                let alive = Shared(true)
                let published = Shared(resumeAfter)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        // The lock lives with this session: while it answers, this process holds it.
                        while !Task.isCancelled {
                            try await Task.sleep(for: .seconds(1))
                            do {
                                try await connection.query(
                                    "UPDATE feed SET published = \(published.value)", logger: logger)
                            } catch {
                                alive.modify { $0 = false }
                                // The session may outlive the failure (a statement timeout, say) and keep the
                                // lock in the pool: close it, so that the server frees the lock for another process.
                                try? await connection.close()
                                return
                            }
                        }
                    }
                    defer { group.cancelAll() }
                    // The turn ends with this process (the lock with its sessions) or with the
                    // connection; there is no unlock to send (a query from a cancelled task can wait forever).
                    try await publish(
                        FeedTurn(
                            resumeAfter: resumeAfter, isCurrent: { alive.value },
                            published: { sequence in published.modify { $0 = max($0, sequence) } }))
                }
                return true
            }
            if !held { try await Task.sleep(for: .milliseconds(500)) }
        }
    }

    public func storageBytes() async -> Int {
        Int((try? await database.integer("SELECT pg_total_relation_size('events')")) ?? 0)
    }
}
