@testable import DeliveryKit
import Foundation
import GRDB
import Testing

@Suite("Streams, expected versions and upcasting")
struct StreamTests {
    static func assigned(_ order: Int, courier: Int) -> DeliveryEvent {
        .courierAssigned(CourierAssigned(eventID: UUID(), orderID: order, courierID: courier, attempt: 1))
    }

    static func location(_ order: Int, courier: Int, step: Int) -> DeliveryEvent {
        .locationUpdated(
            LocationUpdated(
                eventID: UUID(), orderID: order, courierID: courier, position: Position(latitude: 52, longitude: 4.9),
                speedKmh: 18, headingDegrees: 90, batteryPercent: 99, step: step, steps: 5))
    }

    @Test(arguments: Backend.available)
    func eachEventIsNumberedWithinItsStreamAsWellAsGlobally(backend: Backend) async throws {
        let store = try await backend.newStore()
        try await store.append(.orderPlaced(sampleOrder(1)))
        try await store.append(.orderPlaced(sampleOrder(2)))
        try await store.append(Self.assigned(1, courier: 7))
        try await store.append(Self.location(1, courier: 7, step: 1))
        let located = try await store.append(Self.location(1, courier: 7, step: 2))
        #expect(located.sequence == 5 && located.version == 2)
        #expect(try await store.events(inStream: "order-1").map(\.version) == [1, 2])
        #expect(try await store.events(inStream: "order-1").map(\.sequence) == [1, 3])
        #expect(try await store.events(inStream: "courier-7").map(\.sequence) == [4, 5])
        #expect(try await store.events(inStream: "order-9").isEmpty)
        // The order's history still has its courier's positions: by order id, not by stream.
        #expect(try await store.history(ofOrder: 1).count == 4)
    }

    @Test(arguments: Backend.available)
    func anAppendExpectingAVersionTheStreamHasLeftIsRefusedAndStoresNothing(backend: Backend) async throws {
        let store = try await backend.newStore()
        #expect(try await store.append(.orderPlaced(sampleOrder(1)), expecting: .noStream).version == 1)
        let conflict = await #expect(throws: VersionConflict.self) {
            try await store.append(.orderPlaced(sampleOrder(2)).withOrder(1), expecting: .noStream)
        }
        #expect(conflict == VersionConflict(stream: "order-1", expected: .noStream, actual: 1))
        #expect(try await store.append(Self.assigned(1, courier: 3), expecting: .exactly(1)).version == 2)
        let stale = await #expect(throws: VersionConflict.self) {
            try await store.append(Self.assigned(1, courier: 4), expecting: .exactly(1))
        }
        #expect(stale?.actual == 2)
        #expect(try await store.head() == 2)
        #expect(try await store.events(inStream: "order-1").count == 2)
        // The next append after a conflict takes the sequence number the refused one did not use.
        #expect(try await store.append(Self.assigned(1, courier: 4), expecting: .exactly(2)).sequence == 3)
        #expect(try await store.append(Self.assigned(1, courier: 5), expecting: .any).version == 4)
    }

    @Test(arguments: Backend.available)
    func aCommandSentAgainIsADuplicateNotAConflict(backend: Backend) async throws {
        let store = try await backend.newStore()
        try await store.append(.orderPlaced(sampleOrder(1)))
        let decision = Self.assigned(1, courier: 3)
        let first = try await store.append(decision, expecting: .exactly(1))
        try await store.append(Self.assigned(1, courier: 4))
        // Its reply was lost, and it comes again with the version it read then.
        let again = try await store.append(decision, expecting: .exactly(1))
        #expect(again == EventStore.Appended(sequence: first.sequence, version: 2, isNew: false))
    }

    /// Writers that read the same version race: one wins each round, the
    /// others get a conflict; nothing is lost or numbered twice.
    @Test(arguments: Backend.available)
    func racingWritersExpectingTheSameVersionCommitOneAtATime(backend: Backend) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("streams-\(UUID()).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        // SQLite: a file, so that the writers are connections of a pool; PostgreSQL: a pool of connections anyway.
        let store = backend == .sqlite ? try EventStore(path: path) : try await backend.newStore()
        try await store.append(.orderPlaced(sampleOrder(1)))
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for courier in 1...8 {
                group.addTask {
                    do {
                        try await store.append(Self.assigned(1, courier: courier), expecting: .exactly(1))
                        return true
                    } catch is VersionConflict {
                        return false
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.count { $0 } == 1)
        #expect(try await store.events(inStream: "order-1").map(\.version) == [1, 2])
        #expect(try await store.head() == 2)
    }

    /// An old build stored a location without a heading (schema version 1),
    /// in a store whose schema had no streams yet. The current build
    /// migrates the file, numbers its streams, and reads the location as
    /// version 2, its heading derived from the order as a courier would.
    @Test func aVersionOneLocationFromAnOldBuildIsReadAsVersionTwo() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("old-\(UUID()).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let order = sampleOrder(1)
        let oldLocation = #"{"locationUpdated":{"eventID":"8E1A4B6C-0000-4000-8000-000000000001","orderID":1,"courierID":7,"position":{"latitude":52.38,"longitude":4.9},"speedKmh":19,"batteryPercent":98,"step":1,"steps":5}}"#
        do {
            let old = try DatabaseQueue(path: path)
            try SQLiteEventLog.migrator.migrate(old, upTo: "v2: each event's correlation and causation ids")
            try await old.write { db in
                for (sequence, kind, body, courier) in [
                    (1, EventKind.orderPlaced.rawValue, try DeliveryEvent.orderPlaced(order).json(), nil as Int?),
                    (2, EventKind.locationUpdated.rawValue, Data(oldLocation.utf8), 7),
                ] {
                    try db.execute(
                        sql: """
                            INSERT INTO events (sequence, event_id, kind, order_id, courier_id, body, recorded_at)
                            VALUES (?, ?, ?, 1, ?, ?, 0)
                            """, arguments: [sequence, UUID().uuidString, kind, courier, body])
                }
            }
        }
        let store = try EventStore(path: path)
        let stored = try await store.events(after: 0)
        #expect(stored.map(\.version) == [1, 1])
        guard case .locationUpdated(let location) = stored.last?.event else {
            Issue.record("expected a location, got \(String(describing: stored.last))")
            return
        }
        #expect(location.headingDegrees == order.pickupPosition.bearing(to: order.dropoffPosition))
        #expect(location.position == Position(latitude: 52.38, longitude: 4.9) && location.step == 1)
        #expect(try await store.events(inStream: "courier-7").map(\.sequence) == [2])
        // New appends take the next versions of the streams numbered by the migration.
        #expect(try await store.append(Self.location(1, courier: 7, step: 2)).version == 2)
        let rows = try DatabaseQueue(path: path)
        #expect(try await rows.read { db in try Int.fetchAll(db, sql: "SELECT schema_version FROM events ORDER BY sequence") } == [1, 1, 2])
    }
}

extension DeliveryEvent {
    /// The same order placed again under another id, for a stream that must already exist.
    fileprivate func withOrder(_ id: Int) -> DeliveryEvent {
        guard case .orderPlaced(var order) = self else { return self }
        order.orderID = id
        order.eventID = UUID()
        return .orderPlaced(order)
    }
}
