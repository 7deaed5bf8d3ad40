import DeliveryKit
import Foundation
import Logging
import PostgresNIO

/// A PostgreSQL database named by a URL:
/// `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (`postgres://` too).
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String

    /// Whether `text` is a PostgreSQL URL rather than a file path.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// Reads a URL; throws ``DeliveryError/invalid(_:)`` naming what is missing.
    public init(url text: String) throws {
        guard Self.isURL(text), let url = URLComponents(string: text) else {
            throw DeliveryError.invalid("not a PostgreSQL URL (postgresql://USER@HOST:PORT/DATABASE): \(text)")
        }
        guard let host = url.host, !host.isEmpty else { throw DeliveryError.invalid("no host in \(text)") }
        guard let user = url.user, !user.isEmpty else { throw DeliveryError.invalid("no user in \(text)") }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw DeliveryError.invalid("no database in \(text)") }
        self.host = host
        port = url.port ?? 5432
        self.user = user
        password = url.password
        self.database = database
    }

    public init(host: String, port: Int, user: String, password: String? = nil, database: String) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
    }

    /// The same server, another database on it.
    public func with(database: String) -> PostgresLocation {
        var other = self
        other.database = database
        return other
    }

    /// The URL without its password: what logs and messages show.
    public var description: String { "postgresql://\(user)@\(host):\(port)/\(database)" }

    var configuration: PostgresClient.Configuration {
        // Plain TCP: the example's servers are on loopback or a private network.
        PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable)
    }
}

/// A pool of connections to one PostgreSQL database, running for as long as
/// this object lives (``close()`` ends it): what the event log and the read
/// models on PostgreSQL share.
public final class PostgresPool: Sendable {
    public let location: PostgresLocation
    public let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>

    /// Connects to `location` and checks that it answers (throws what the
    /// server or the network said, with the location).
    public init(_ location: PostgresLocation, logger: Logger = Logger(label: "delivery.postgres")) async throws {
        self.location = location
        self.logger = logger
        // The client warns when a query comes before its run loop has started, as the first one here
        // may: harmless (the query waits), so its background messages below errors are left out.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: location.configuration, backgroundLogger: background)
        self.client = client
        running = Task { await client.run() }
        do {
            try await client.query("SELECT 1", logger: logger)
        } catch {
            running.cancel()
            throw DeliveryError.failed(service: "PostgreSQL at \(location)", reason: "\(String(reflecting: error))")
        }
    }

    deinit { running.cancel() }

    /// Closes every connection.
    public func close() { running.cancel() }

    /// Runs `migrations` (each an id and its statements) that have not run
    /// in this database yet, each once, in order, recording each in
    /// `schema_migrations`; processes starting at once take turns (an
    /// advisory lock held for the transaction).
    func migrate(_ migrations: [(id: String, statements: [String])]) async throws {
        try await client.withTransaction(logger: logger) { connection in
            // Read committed: after the lock, see the migrations another process has just committed.
            try await connection.query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED", logger: logger)
            try await connection.query("SELECT pg_advisory_xact_lock(\(AdvisoryLock.migrations))", logger: logger)
            // The migrator's own bookkeeping, as GRDB keeps `grdb_migrations`.
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                logger: logger)
            var applied: Set<String> = []
            for try await id in try await connection.query("SELECT id FROM schema_migrations", logger: logger)
                .decode(String.self)
            {
                applied.insert(id)
            }
            for migration in migrations where !applied.contains(migration.id) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (id) VALUES (\(migration.id))", logger: logger)
            }
        }
    }
}

extension PostgresPool {
    /// Runs `body` in a transaction (committed when it returns, rolled back
    /// when it throws) and throws what `body` threw, not postgres-nio's
    /// wrapper around it, so that callers can catch a ``VersionConflict`` or
    /// an ``OutOfOrder`` as such.
    func inTransaction<Result: Sendable>(
        logger: Logger, _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger, body)
        } catch let error as PostgresTransactionError {
            if let thrown = error.closureError, error.rollbackError == nil { throw thrown }
            throw error
        }
    }
}

extension PostgresConnection {
    /// The `BIGINT` a one-row query answers (0 for no row), the rows read to the end.
    func integer(_ query: PostgresQuery, logger: Logger) async throws -> Int64 {
        var answer: Int64 = 0
        for try await value in try await self.query(query, logger: logger).decode(Int64.self) { answer = value }
        return answer
    }
}

extension PostgresPool {
    /// ``PostgresConnection/integer(_:logger:)`` on a connection of the pool.
    func integer(_ query: PostgresQuery) async throws -> Int64 {
        try await client.withConnection { try await $0.integer(query, logger: logger) }
    }
}

/// `($1, …, $columns), (…), …`: the placeholders of a multi-row `VALUES` with `rows` rows.
func placeholders(rows: Int, columns: Int) -> String {
    (0..<rows).map { row in
        "(" + (1...columns).map { "$\(row * columns + $0)" }.joined(separator: ", ") + ")"
    }.joined(separator: ", ")
}

/// The advisory lock keys the example takes (PostgreSQL's `pg_advisory_*`).
enum AdvisoryLock {
    /// Held by a transaction that runs migrations.
    static let migrations: Int64 = 0x6465_6c69_7600_0001
    /// Held by every append transaction until it commits: appends from all
    /// store processes take turns, so each numbers its rows from the
    /// committed maximum and the global sequence stays gap-free in commit order.
    static let appends: Int64 = 0x6465_6c69_7600_0002
    /// Held by the one store process that publishes the committed feed (a session lock).
    static let feed: Int64 = 0x6465_6c69_7600_0003
}
