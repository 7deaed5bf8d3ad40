import DeliveryKit
import DeliveryPostgres
import Foundation
import PostgresNIO
import Testing
import TestSupport
import ZeroMQ
import ZeroMQChannels

extension RoleProcesses {
    /// What only PostgreSQL does: several store processes on one database. (The
    /// store, stream and conflict suites run on both backends: `Backend`.)
    @Suite(
        "PostgreSQL: one event store, several store processes", .serialized, .timeLimit(.minutes(3)),
        .enabled(
            if: testPostgres != nil,
            "no PostgreSQL server at postgresql://delivery@127.0.0.1:55432/delivery (or $DELIVERY_POSTGRES_URL): start one with scripts/postgres.sh start"
        ))
    struct PostgresTests {
        @Test func storedEventsCanBeNeitherUpdatedNorDeleted() async throws {
            let database = try await newPostgresDatabase()
            let store = EventStore(log: try await PostgresEventLog(database))
            try await store.append(.orderPlaced(sampleOrder(1)))
            for change in ["UPDATE events SET kind = 'edited' WHERE sequence = 1", "DELETE FROM events WHERE sequence = 1"] {
                await #expect(throws: (any Error).self) {
                    try await database.client.query(PostgresQuery(unsafeSQL: change))
                }
            }
            #expect(try await store.order(1) == sampleOrder(1))
        }

        /// Two `delivery store` processes on one database, facts appended
        /// through both at once: one gap-free global sequence in commit order,
        /// every stream numbered 1, 2, 3, … with no version twice, a conditional
        /// append racing through both won by exactly one, and the committed feed
        /// published once per event, in order, by one of them; killed, the other
        /// takes over the feed where the first recorded having published (it
        /// records every second, so the last second's events may come twice,
        /// which consumers skip), and nothing is left out.
        @Test func twoStoreProcessesServeOneDatabase() async throws {
            let database = try await newPostgresDatabase()
            let url = "postgresql://\(database.location.user)@\(database.location.host):\(database.location.port)/\(database.location.database)"
            database.close()
            let directory = try scratchDirectory("two-stores")
            defer { try? FileManager.default.removeItem(at: directory) }
            let first = Addresses.tcp(firstPort: try freeFirstPort())
            var second = first
            second.store = "tcp://127.0.0.1:\(try freeLoopbackPorts(offsets: [0, 1]))"
            let bus = try RoleProcess("bus", ["bus", "--bus", first.bus], in: directory)
            let stores = try [first, second].enumerated().map { index, addresses in
                try RoleProcess(
                    "store-\(index + 1)", ["store", "--db", url, "--bus", first.bus, "--store", addresses.store],
                    in: directory)
            }
            for role in [bus] + stores {
                #expect(await role.waitForErrors(containing: role.name == "bus" ? "bus: " : "store: "), "\(role.errors)")
            }
            let context = try Context(defaultLinger: .zero)
            defer { context.shutdown() }
            // The feed, as a consumer sees it: every message's sequence number, in arrival order.
            let feed = try Subscriber<StoredEvent>(
                context: context, .connect(first.busSubscribe), topics: [FeedTopic.all])
            let seen = Shared<[Int64]>([])
            let reading = Task {
                for try await received in feed.events { seen.modify { $0.append(received.event.sequence) } }
            }
            defer { reading.cancel() }
            func sender(_ addresses: Addresses, _ name: String) throws -> AcknowledgedSender<DeliveryEvent> {
                try FactChannel.sender(
                    context: context, addresses: addresses, producer: name, outbox: nil, logger: Logger(label: name))
            }
            // One fact, until it is seen on the feed: the subscription has joined, and one store publishes.
            let warmUp = try sender(first, "warm-up")
            try await warmUp.send(.orderPlaced(sampleOrder(1)), causedBy: nil)
            #expect(try await warmUp.waitUntilAcknowledged(timeout: .seconds(30)))
            let deadline = ContinuousClock.now + .seconds(60)
            while seen.value.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }

            // Facts through both store processes at once, into the same streams.
            let senders = try [sender(first, "one"), sender(second, "two")]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, sender) in senders.enumerated() {
                    group.addTask {
                        for order in 2...101 {
                            try await sender.send(
                                .courierAssigned(
                                    CourierAssigned(eventID: UUID(), orderID: order, courierID: index + 1, attempt: 1)),
                                causedBy: nil)
                        }
                        #expect(try await sender.waitUntilAcknowledged(timeout: .seconds(60)))
                    }
                }
                try await group.waitForAll()
            }
            // The same decision through both at once, expecting the same version: one wins.
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for (index, addresses) in [first, second].enumerated() {
                    group.addTask {
                        let client = try StoreClient(context: context, addresses: addresses, timeout: .seconds(10))
                        do {
                            try await client.append(
                                .pickedUp(PickedUp(eventID: UUID(), orderID: 1, courierID: index + 1)),
                                expecting: .exactly(1))
                            return true
                        } catch is VersionConflict {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.count { $0 } == 1)

            let store = try await EventStore.open(url)
            let head = try await store.head()
            #expect(head == 1 + 200 + 1)
            var all: [StoredEvent] = []
            while case let batch = try await store.events(after: all.last?.sequence ?? 0, limit: 1_000), !batch.isEmpty {
                all += batch
            }
            #expect(all.map(\.sequence) == Array(1...head), "one gap-free sequence")
            for stream in Set(all.map(\.event.stream)) {
                let versions = all.filter { $0.event.stream == stream }.map(\.version)
                #expect(versions == Array(1...Int64(versions.count)), "\(stream): \(versions)")
            }
            // The feed: each event once, in order. (While idle, the publisher repeats its newest event every
            // second, so that a consumer that missed it finds out: a repeat right after itself is that.)
            func withoutIdleRepeats(_ sequences: [Int64]) -> [Int64] {
                sequences.enumerated().filter { $0.offset == 0 || sequences[$0.offset - 1] != $0.element }.map(\.element)
            }
            while seen.value.last != head, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            let beforeKill = withoutIdleRepeats(seen.value)
            #expect(beforeKill == Array(1...head), "published once each, in order")

            // The publisher dies: the other store process takes the feed over and publishes what comes next.
            let publisher = try #require(stores.first { $0.errors.contains("publishing the store's feed") })
            let survivor = try #require(stores.first { $0 !== publisher })
            _ = await publisher.stop(SIGKILL)
            let more = try sender(publisher === stores[0] ? second : first, "after")
            for order in 102...111 { try await more.send(.orderPlaced(sampleOrder(order)), causedBy: nil) }
            #expect(try await more.waitUntilAcknowledged(timeout: .seconds(60)))
            let newHead = try await store.head()
            #expect(newHead == head + 10)
            while seen.value.last != newHead, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(survivor.errors.contains("publishing the store's feed"), "\(survivor.errors)")
            let afterKill = withoutIdleRepeats(Array(withoutIdleRepeats(seen.value).dropFirst(Int(head))))
            let resumed = try #require(afterKill.first, "the survivor published nothing")
            #expect(resumed <= head + 1, "nothing left out: it resumed after \(resumed - 1), the old publisher had reached \(head)")
            #expect(afterKill == Array(resumed...newHead), "in order from there: \(afterKill)")
            for role in [survivor, bus] { #expect(await role.stop(SIGINT) == 0, "\(role.name): \(role.errors)\n[publisher \(publisher.name)] \(publisher.errors)") }
        }
    }
}
