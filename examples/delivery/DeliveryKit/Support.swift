import Foundation
import GRDB
import ZeroMQ
import ZeroMQChannels

/// A value shared between tasks, read and replaced under a lock.
public final class Shared<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    public init(_ value: Value) { stored = value }

    public var value: Value { lock.withLock { stored } }

    @discardableResult
    public func modify<Result>(_ change: (inout Value) throws -> Result) rethrows -> Result {
        try lock.withLock { try change(&stored) }
    }
}

/// A count shared between tasks.
public typealias Counter = Shared<Int>

extension Shared where Value == Int {
    /// A count from zero.
    public convenience init() { self.init(0) }

    public func add(_ amount: Int = 1) { modify { $0 += amount } }
}

/// A small deterministic random number generator (SplitMix64), so that a
/// scenario with the same seed places the same orders.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension AcknowledgedCounters {
    /// Adds up the counters of several senders or receivers.
    static func += (total: inout AcknowledgedCounters, other: AcknowledgedCounters) {
        total.sent += other.sent
        total.acknowledged += other.acknowledged
        total.resent += other.resent
        total.inFlight += other.inFlight
        total.received += other.received
        total.duplicates += other.duplicates
        total.undecodable += other.undecodable
    }
}

/// Runs `operation`, cancelling it after `limit`: it then throws
/// `CancellationError` (if it heeds cancellation) while the caller's task is not cancelled.
func withDeadline<Result: Sendable>(
    _ limit: Duration, _ operation: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        while let next = try await group.next() {
            if let result = next { return result }
            // The deadline passed: cancel the operation and let it end.
            group.cancelAll()
        }
        throw CancellationError()
    }
}

/// A read model's own SQLite database: the file at `path`, or in memory when
/// `nil`, created by its first migration, named `migration`: `schema` and a
/// one-row `checkpoint` table (the feed sequence number applied last, moved
/// in the same transaction as the rows it covers).
func openReadModel(path: String?, _ migration: String, schema: String) throws -> any DatabaseWriter {
    let database = try path.map { try DatabaseQueue(path: $0) } ?? DatabaseQueue()
    var migrator = DatabaseMigrator()
    migrator.registerMigration(migration) { db in
        try db.execute(
            sql: schema + """

                CREATE TABLE checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), sequence INTEGER NOT NULL);
                INSERT INTO checkpoint VALUES (1, 0);
                """)
    }
    try migrator.migrate(database)
    return database
}

/// The feed sequence number a read model (``openReadModel(path:_:schema:)``) applied last.
func readCheckpoint(_ database: any DatabaseWriter) async throws -> Int64 {
    try await database.read { db in try Int64.fetchOne(db, sql: "SELECT sequence FROM checkpoint") ?? 0 }
}

/// A stored event that is not the next one a read model expects: applying it would skip history.
public struct OutOfOrder: Error, Sendable, Hashable, CustomStringConvertible {
    public let expected: Int64
    public let got: Int64

    public init(expected: Int64, got: Int64) {
        self.expected = expected
        self.got = got
    }
    public var description: String { "expected event \(expected), got \(got)" }
}

/// The events of `batch` after `checkpoint`, in order; throws ``OutOfOrder``
/// for one beyond the next expected (the feed would have skipped history).
/// What every read model applies of a batch it is given.
public func events(of batch: [StoredEvent], after checkpoint: Int64) throws -> [StoredEvent] {
    var next = checkpoint + 1
    var fresh: [StoredEvent] = []
    for stored in batch where stored.sequence >= next {
        guard stored.sequence == next else { throw OutOfOrder(expected: next, got: stored.sequence) }
        fresh.append(stored)
        next += 1
    }
    return fresh
}

/// Applies `batch` (stored events in sequence order) to a read model
/// (``openReadModel(path:_:schema:)``) and moves its checkpoint to the last
/// one, in one transaction: a crash leaves either all of it or none. Events
/// at or below the checkpoint are skipped, so a batch given again changes
/// nothing twice; one beyond the next expected number throws ``OutOfOrder``
/// and applies nothing. `apply` gets the events to apply (none: not called).
/// Returns how many events were applied.
@discardableResult
func applyWithCheckpoint(
    _ batch: [StoredEvent], to database: any DatabaseWriter,
    _ apply: @escaping @Sendable (_ fresh: [StoredEvent], Database) throws -> Void
) async throws -> Int {
    try await database.write { db in
        let checkpoint = try Int64.fetchOne(db, sql: "SELECT sequence FROM checkpoint") ?? 0
        let fresh = try events(of: batch, after: checkpoint)
        guard let last = fresh.last else { return 0 }
        try apply(fresh, db)
        try db.execute(sql: "UPDATE checkpoint SET sequence = ?", arguments: [last.sequence])
        return fresh.count
    }
}
