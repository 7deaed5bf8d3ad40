import DeliveryKit
import DeliveryPostgres
import Foundation
import PostgresNIO
import Testing

/// The PostgreSQL server the tests use: `$DELIVERY_POSTGRES_URL`, or the one
/// `scripts/postgres.sh start` (run by `scripts/setup.sh`) starts.
let testPostgres: PostgresLocation? = {
    let url =
        ProcessInfo.processInfo.environment["DELIVERY_POSTGRES_URL"] ?? "postgresql://delivery@127.0.0.1:55432/delivery"
    guard let location = try? PostgresLocation(url: url) else { return nil }
    // Reachable now? (A TCP connect, without the pool: the traits that skip need the answer synchronously.)
    let reachable = (try? freeLoopbackConnect(host: location.host, port: location.port)) ?? false
    // On CI a missing server is a failure, not a skip.
    let required = ProcessInfo.processInfo.environment["DELIVERY_REQUIRE_POSTGRES"] == "1"
    return reachable || required ? location : nil
}()

/// Why the PostgreSQL tests do not run, in one line, or `nil` when they do.
let postgresSkipReason =
    "no PostgreSQL server at postgresql://delivery@127.0.0.1:55432/delivery (or $DELIVERY_POSTGRES_URL): "
    + "start one with scripts/postgres.sh start"

/// Whether something accepts TCP connections at `host`:`port`.
func freeLoopbackConnect(host: String, port: Int) throws -> Bool {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { return false }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else { return false }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}

/// Where a test's event store keeps its log.
enum Backend: String, Sendable, CustomStringConvertible, CaseIterable {
    case sqlite
    case postgres

    var description: String { rawValue }

    /// SQLite always; PostgreSQL when a server is there (``testPostgres``).
    static let available: [Backend] = testPostgres == nil ? [.sqlite] : [.sqlite, .postgres]

    /// A new, empty tracking read model: in memory (SQLite), or in a new database of its own on the server.
    func newTracking() async throws -> any TrackingStore {
        switch self {
        case .sqlite: return try TrackingDatabase(path: nil)
        case .postgres: return try await PostgresTrackingDatabase(try await newPostgresDatabase())
        }
    }

    /// New, empty courier statistics.
    func newStatistics() async throws -> any CourierStatisticsStore {
        switch self {
        case .sqlite: return try CourierStatisticsDatabase(path: nil)
        case .postgres: return try await PostgresCourierStatistics(try await newPostgresDatabase())
        }
    }

    /// A tracking read model rebuilt by replaying `events`.
    func rebuiltTracking(_ events: [StoredEvent]) async throws -> TrackingContents {
        let model = try await newTracking()
        try await model.apply(events)
        return try await model.contents()
    }

    /// A new, empty store: in memory (SQLite), or in a new database of its own on the server.
    func newStore() async throws -> EventStore {
        switch self {
        case .sqlite: return try EventStore(path: nil)
        case .postgres: return EventStore(log: try await PostgresEventLog(try await newPostgresDatabase()))
        }
    }
}

/// A new database of its own on the test server, for one test.
func newPostgresDatabase() async throws -> PostgresPool {
    let server = try #require(testPostgres, "\(postgresSkipReason)")
    let name = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
    let admin = try await PostgresPool(server)
    defer { admin.close() }
    try await admin.client.query("CREATE DATABASE \(unescaped: String(name))")
    return try await PostgresPool(server.with(database: String(name)))
}
