@testable import DeliveryKit
import Foundation
import GRDB
import Testing
import ZeroMQ
import ZeroMQChannels

@Suite("Event store")
struct EventStoreTests {
    @Test(arguments: Backend.available)
    func appendsGetGapFreeSequenceNumbersAndDuplicatesAreIgnored(backend: Backend) async throws {
        let store = try await backend.newStore()
        let placed = sampleOrder(1)
        let first = try await store.append(.orderPlaced(placed))
        #expect(first.sequence == 1 && first.isNew && first.recordedAt != nil)
        // A pointer to the same order carries the same event id: already stored.
        let pointer = DeliveryEvent.orderPointer(OrderPointer(eventID: placed.eventID, orderID: 1))
        #expect(try await store.append(pointer) == .init(sequence: 1, version: 1, isNew: false))
        let assigned = DeliveryEvent.courierAssigned(
            CourierAssigned(eventID: UUID(), orderID: 1, courierID: 4, attempt: 1))
        #expect(try await store.append(assigned).sequence == 2)
        #expect(try await store.append(assigned) == .init(sequence: 2, version: 2, isNew: false))
        #expect(try await store.append(.pickedUp(PickedUp(eventID: UUID(), orderID: 1, courierID: 4))).sequence == 3)
        #expect(try await store.head() == 3)
        #expect(try await store.events(after: 0).map(\.sequence) == [1, 2, 3])
        #expect(try await store.events(after: 1, limit: 1).map(\.sequence) == [2])
    }

    @Test(arguments: Backend.available)
    func aBatchIsAppendedInOrderAndARepeatWithinItIsSkipped(backend: Backend) async throws {
        let store = try await backend.newStore()
        let placed = DeliveryEvent.orderPlaced(sampleOrder(1))
        let assigned = DeliveryEvent.courierAssigned(
            CourierAssigned(eventID: UUID(), orderID: 1, courierID: 4, attempt: 1))
        let results = try await store.append(contentsOf: [placed, assigned, placed])
        #expect(results.map(\.sequence) == [1, 2, 1])
        #expect(results.map(\.isNew) == [true, true, false])
        #expect(try await store.head() == 2)
    }

    /// The store service's pipeline starts a batch behind the one committing.
    /// When one fails (here SQLite answers "busy": another connection holds
    /// the write lock), the batch queued behind it must not be written, or it
    /// would overtake the failed one.
    @Test func aPipelineWritesNothingBehindAFailedBatchUntilResumed() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID()).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let store = try EventStore(path: path)
        let pipeline = AppendPipeline(store: store)
        let events = (1...3).map { DeliveryEvent.orderPlaced(sampleOrder($0)) }
        let bodies = try events.map { try $0.json() }
        #expect(try await pipeline.start([events[0]], bodies: [bodies[0]]).results().map(\.sequence) == [1])

        var holding = Configuration()
        holding.allowsUnsafeTransactions = true
        let otherWriter = try DatabaseQueue(path: path, configuration: holding)
        try await otherWriter.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let failing = pipeline.start([events[1]], bodies: [bodies[1]])
        let behind = pipeline.start([events[2]], bodies: [bodies[2]])
        await #expect(throws: DatabaseError.self) { try await failing.results() }
        try await otherWriter.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        await #expect(throws: DeliveryError.self) { try await behind.results() }
        #expect(try await store.head() == 1)

        pipeline.resume()
        let again = pipeline.start(Array(events[1...]), bodies: Array(bodies[1...]))
        #expect(try await again.results().map(\.sequence) == [2, 3])
        #expect(try await store.events(after: 0).map(\.event) == events)
    }

    /// The store has no way to change a row, and the file refuses it to
    /// anyone else who opens it: its triggers abort an UPDATE and a DELETE.
    @Test func storedEventsCanBeNeitherUpdatedNorDeleted() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID()).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let store = try EventStore(path: path)
        try await store.append(.orderPlaced(sampleOrder(1)))
        let other = try DatabaseQueue(path: path)
        for change in ["UPDATE events SET kind = 'edited' WHERE sequence = 1", "DELETE FROM events WHERE sequence = 1"] {
            #expect(throws: DatabaseError.self) { try other.write { db in try db.execute(sql: change) } }
        }
        #expect(try await store.order(1) == sampleOrder(1))
        #expect(try await store.head() == 1)
    }

    /// A store file written before the schema had migrations (each part made
    /// at every start, `CREATE … IF NOT EXISTS`) is taken over: its events
    /// stay, the sequence goes on from them, and what it lacked (here its
    /// triggers) is made, so that it is append-only from then on.
    @Test func aStoreFromBeforeMigrationsIsTakenOverWithItsEvents() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID()).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        do {
            // What the store made before: the same table, no record of migrations.
            let old = try DatabaseQueue(path: path)
            try await old.write { db in
                try db.execute(
                    sql: """
                        CREATE TABLE events (
                            sequence INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
                            kind TEXT NOT NULL, order_id INTEGER NOT NULL, courier_id INTEGER,
                            body BLOB NOT NULL, recorded_at REAL NOT NULL);
                        """)
                let placed = DeliveryEvent.orderPlaced(sampleOrder(1))
                try db.execute(
                    sql: "INSERT INTO events (event_id, kind, order_id, body, recorded_at) VALUES (?, ?, 1, ?, 0)",
                    arguments: [placed.eventID.uuidString, placed.kind.rawValue, try placed.json()])
            }
        }
        let store = try EventStore(path: path)
        #expect(try await store.order(1) == sampleOrder(1))
        #expect(try await store.append(.orderPlaced(sampleOrder(2))).sequence == 2)
        let other = try DatabaseQueue(path: path)
        await #expect(throws: DatabaseError.self) { try await other.write { db in try db.execute(sql: "DELETE FROM events") } }
        #expect(try await store.head() == 2)
    }

    @Test(arguments: Backend.available)
    func resolvesPointersAndAnswersHistoryByOrderAndCourier(backend: Backend) async throws {
        let store = try await backend.newStore()
        for id in 1...3 { try await store.append(.orderPlaced(sampleOrder(id))) }
        try await store.append(.courierAssigned(CourierAssigned(eventID: UUID(), orderID: 2, courierID: 7, attempt: 1)))
        try await store.append(
            .delivered(Delivered(eventID: DeliveryEvent.deliveredEventID(orderID: 2), orderID: 2, courierID: 7)))
        #expect(try await store.order(2)?.customer == "customer 2")
        #expect(try await store.order(9) == nil)
        #expect(try await store.history(ofOrder: 2).map(\.event.kind) == [.orderPlaced, .courierAssigned, .delivered])
        #expect(try await store.history(ofCourier: 7).map(\.sequence) == [4, 5])
        #expect(try await store.lastOrderID() == 3)
        #expect(try await store.countsByKind() == [.orderPlaced: 3, .courierAssigned: 1, .delivered: 1])
    }

    @Test func aStoreFileKeepsItsEventsWhenReopened() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let store = try EventStore(path: path)
            for id in 1...5 { try await store.append(.orderPlaced(sampleOrder(id))) }
        }
        let reopened = try EventStore(path: path)
        #expect(try await reopened.head() == 5)
        #expect(try await reopened.append(.orderPlaced(sampleOrder(6))).sequence == 6)
        #expect(await reopened.storageBytes() > 0)
    }

    @Test func deliveredEventIDsAreTheSameForTheSameOrderOnly() {
        #expect(DeliveryEvent.deliveredEventID(orderID: 12) == DeliveryEvent.deliveredEventID(orderID: 12))
        #expect(DeliveryEvent.deliveredEventID(orderID: 12) != DeliveryEvent.deliveredEventID(orderID: 13))
    }
}

/// An order with predictable contents; the same id gives the same event.
func sampleOrder(_ id: Int) -> OrderPlaced {
    let eventID = UUID(uuidString: String(format: "00000000-0000-4000-8000-%012llx", Int64(id)))!
    return OrderPlaced(
        eventID: eventID, orderID: id, customer: "customer \(id)", phone: "+31 6 0000", pickup: "Shop \(id)",
        pickupPosition: Position(latitude: 52.37, longitude: 4.89), dropoff: "\(id) Elm St",
        dropoffPosition: Position(latitude: 52.38, longitude: 4.90), items: ["item \(id)"], totalCents: 1000 + id,
        note: "")
}

@Suite("The store's feed")
struct StoreFeedTests {
    @Test func theSplicedJSONReadsBackAsTheStoredEventExactly() async throws {
        let store = try EventStore(path: nil)
        let location = DeliveryEvent.locationUpdated(
            LocationUpdated(
                eventID: UUID(), orderID: 7, courierID: 3, position: Position(latitude: 52.123456789, longitude: -4.5),
                speedKmh: 18.25, headingDegrees: 359.999, batteryPercent: 1, step: 2, steps: 5))
        let appended = try await store.append(contentsOf: [location])[0]
        let stored = try #require(try await store.events(after: 0).first)
        let message = FeedMessage(stored, eventJSON: try #require(appended.body))
        let codec = JSONEventCodec()
        let read = try message.json.withUnsafeBytes { try codec.decode(StoredEvent.self, from: $0) }
        #expect(read == stored)
        // The slow path (any encoder) says the same.
        let slow = try codec.encode(message)
        #expect(try slow.withUnsafeBytes { try codec.decode(StoredEvent.self, from: $0) } == stored)
    }
}

@Suite("Facts in the binary format")
struct BinaryFactTests {
    static let every: [DeliveryEvent] = [
        .orderPlaced(sampleOrder(3)),
        .orderPointer(OrderPointer(eventID: UUID(), orderID: 3)),
        .courierAssigned(CourierAssigned(eventID: UUID(), orderID: 3, courierID: 2, attempt: 4)),
        .pickedUp(PickedUp(eventID: UUID(), orderID: 3, courierID: 2)),
        .locationUpdated(
            LocationUpdated(
                eventID: UUID(), orderID: 3, courierID: 2, position: Position(latitude: -1.5, longitude: 179.25),
                speedKmh: 17.5, headingDegrees: 0.001, batteryPercent: 99, step: 1, steps: 5)),
        .delivered(Delivered(eventID: DeliveryEvent.deliveredEventID(orderID: 3), orderID: 3, courierID: 2)),
        .jobRedelivered(JobRedelivered(eventID: UUID(), orderID: 3, attempt: 2, reason: "nobody accepted ✓")),
    ]

    @Test(arguments: every) func everyKindReadsBackAsWritten(event: DeliveryEvent) throws {
        let codec = FactChannel.codec
        let bytes = try codec.encode(event)
        #expect(try bytes.withUnsafeBytes { try codec.decode(DeliveryEvent.self, from: $0) } == event)
    }

    /// A number the store's JSON row cannot hold is refused where the fact is read.
    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func aFactWithANumberJSONCannotHoldIsRefused(number: Double) throws {
        let codec = FactChannel.codec
        var order = sampleOrder(1)
        order.pickupPosition = Position(latitude: number, longitude: 4.89)
        let location = LocationUpdated(
            eventID: UUID(), orderID: 1, courierID: 2, position: Position(latitude: 52.37, longitude: 4.89),
            speedKmh: number, headingDegrees: 90, batteryPercent: 80, step: 1, steps: 5)
        for fact in [DeliveryEvent.orderPlaced(order), .locationUpdated(location)] {
            let bytes = try codec.encode(fact)
            #expect(throws: (any Error).self) { try bytes.withUnsafeBytes { try codec.decode(DeliveryEvent.self, from: $0) } }
        }
    }

    @Test func damagedBytesAreAnErrorNeverACrash() throws {
        let codec = FactChannel.codec
        var generator = SeededGenerator(seed: 11)
        var errors = 0
        for event in Self.every {
            let bytes = try codec.encode(event)
            for _ in 0..<2_000 {
                var damaged = bytes
                for _ in 0...Int.random(in: 0...3, using: &generator) {
                    damaged[Int.random(in: 0..<damaged.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
                if Bool.random(using: &generator) { damaged.removeLast(Int.random(in: 0...damaged.count, using: &generator)) }
                do { _ = try damaged.withUnsafeBytes { try codec.decode(DeliveryEvent.self, from: $0) } } catch {
                    errors += 1
                }
            }
        }
        // Most damage is caught (some only changes a value); none traps.
        #expect(errors > 7_000)
    }
}

@Suite("The store's rows, written as JSON by hand")
struct FactJSONTests {
    @Test(arguments: BinaryFactTests.every) func JSONDecoderReadsBackEveryKind(event: DeliveryEvent) throws {
        let json = try event.json()
        #expect(try JSONDecoder().decode(DeliveryEvent.self, from: json) == event)
        // The same document JSONEncoder writes, up to key order and number spelling.
        let hand = try JSONSerialization.jsonObject(with: json) as? NSDictionary
        let foundation = try JSONSerialization.jsonObject(with: JSONEncoder().encode(event)) as? NSDictionary
        #expect(hand != nil && hand == foundation)
    }

    @Test func awkwardTextAndNumbersSurvive() throws {
        var order = sampleOrder(9)
        order.customer = "Ada \"the\" Lovelace \\ / \n\t\u{01}\u{1F} ☕️ \u{7F}"
        order.items = ["", "a\"b", "\u{0}"]
        order.pickupPosition = Position(latitude: 1e-300, longitude: -0.0)
        order.dropoffPosition = Position(latitude: .greatestFiniteMagnitude, longitude: 0.1 + 0.2)
        let event = DeliveryEvent.orderPlaced(order)
        #expect(try JSONDecoder().decode(DeliveryEvent.self, from: event.json()) == event)

        order.dropoffPosition = Position(latitude: .nan, longitude: 0)
        #expect(throws: EncodingError.self) { try DeliveryEvent.orderPlaced(order).json() }
    }
}

@Suite("UUID text without snprintf")
struct UUIDTextTests {
    @Test func itIsFoundationsTextBothWays() {
        for _ in 0..<1_000 {
            let id = UUID()
            #expect(id.text == id.uuidString)
            #expect(UUID(text: id.uuidString) == id)
            #expect(UUID(text: id.uuidString.lowercased()) == id)
        }
        for bad in ["", "not a uuid", "00000000-0000-4000-8000-00000000000", "00000000-0000-4000-8000-00000000000G",
            "000000000-000-4000-8000-000000000000", "00000000-0000-4000-8000-0000000000000"] {
            #expect(UUID(text: bad) == nil, "\(bad)")
        }
    }
}
