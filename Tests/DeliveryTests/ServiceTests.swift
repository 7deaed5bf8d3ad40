import DeliveryKit
import Foundation
import GRDB
import Logging
import Testing
import TestSupport
import ZeroMQ
import ZeroMQChannels

/// The store service, the order service and a projection on a bus, in-process.
struct Harness {
    let context: Context
    let addresses: Addresses
    let store: EventStore
    let bus: EventBus

    /// The services in-process; on `addresses` when given (TCP, where a restarted
    /// service is reconnected to: libzmq does not reconnect inproc); the store
    /// in the file `storePath` when given, else in memory.
    init(addresses: Addresses? = nil, storePath: String? = nil) throws {
        self.addresses = addresses ?? .inproc("services-\(UUID().uuidString)")
        context = try Context(defaultLinger: .zero)
        store = try EventStore(path: storePath)
        bus = try EventBus(context: context, addresses: self.addresses)
    }

    func stop() {
        bus.stop()
        context.shutdown()
    }

    /// A producer's acknowledged path to this harness's store.
    func facts(_ producer: String) throws -> AcknowledgedSender<DeliveryEvent> {
        try FactChannel.sender(
            context: context, addresses: addresses, producer: producer, outbox: nil,
            logger: Logger(label: "test.\(producer)"))
    }

    /// Polls `condition` every 10 ms for at most `timeout` (see ``stallTolerantTimeout``).
    func eventually(
        _ timeout: Duration = stallTolerantTimeout, _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try await condition()
    }
}

@Suite("Delivery services", .timeLimit(.minutes(1)))
struct ServiceTests {
    @Test func theOrderServiceRejectsBadCommandsAndStoresGoodOnes() async throws {
        let harness = try Harness()
        defer { harness.stop() }
        let storeService = StoreService(context: harness.context, addresses: harness.addresses, store: harness.store)
        var orders = OrderService(context: harness.context, addresses: harness.addresses)
        // The reply says whether the store had committed the order; wait as long as the
        // call may take, so that a loaded machine cannot turn `recorded` false.
        orders.acknowledgementWait = .seconds(30)
        try await withThrowingTaskGroup(of: Void.self) { [orders] group in
            group.addTask { try await storeService.run() }
            group.addTask { try await orders.run() }
            let client = try Requester<PlaceOrder, OrderReply>(
                context: harness.context, connect: harness.addresses.orders, service: "order service",
                timeout: .seconds(30))
            let empty = try await client.call(
                PlaceOrder(customer: "Ada", pickup: "Pizza Roma", dropoff: "12 Elm St", items: [], totalCents: 900))
            #expect(empty == .failure(reason: "items must not be empty"))
            let free = try await client.call(
                PlaceOrder(customer: "Ada", pickup: "Pizza Roma", dropoff: "12 Elm St", items: ["pizza"], totalCents: 0)
            )
            #expect(free.accepted == false)
            #expect(free.error?.contains("totalCents") == true)
            let good = try await client.call(
                PlaceOrder(
                    customer: "Ada", pickup: "Pizza Roma", dropoff: "12 Elm St", items: ["pizza"], totalCents: 1250))
            #expect(good == OrderReply(accepted: true, orderID: 1, recorded: true, error: nil))
            #expect(try await harness.store.order(1)?.items == ["pizza"])
            #expect(try await harness.store.head() == 1, "rejected commands leave no trace in the store")

            // Bytes that are not a command get an answer too, and the service goes on.
            let raw = try harness.context.socket(.req)
            try raw.connect(harness.addresses.orders)
            try await raw.send("not json")
            #expect(try await raw.receive().string?.contains("could not read the request") == true)
            let next = try await client.call(
                PlaceOrder(
                    customer: "Bob", pickup: "Sushi Kan", dropoff: "3 Canal Rd", items: ["ramen"], totalCents: 1400))
            #expect(next.orderID == 2)
            group.cancelAll()
        }
    }

    @Test func anOrderTakenWhileTheStoreIsDownIsRecordedWhenItIsBack() async throws {
        let harness = try Harness(addresses: .tcp(firstPort: try freeFirstPort()))
        defer { harness.stop() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("orders-\(UUID()).outbox").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let storeService = StoreService(context: harness.context, addresses: harness.addresses, store: harness.store)
        var orders = OrderService(context: harness.context, addresses: harness.addresses)
        orders.outbox = path
        orders.acknowledgementWait = .milliseconds(300)
        let storeRun = Task { try await storeService.run() }
        try await withThrowingTaskGroup(of: Void.self) { [orders] group in
            group.addTask { try await orders.run() }
            let client = try Requester<PlaceOrder, OrderReply>(
                context: harness.context, connect: harness.addresses.orders, service: "order service",
                timeout: .seconds(30))
            let command = PlaceOrder(
                customer: "Ada", pickup: "Pizza Roma", dropoff: "12 Elm St", items: ["pizza"], totalCents: 1250)
            #expect(try await client.call(command).accepted)

            storeRun.cancel()
            _ = await storeRun.result
            let second = try await client.call(command)
            #expect(second.accepted && !second.recorded, "taken into the outbox, not yet in the store: \(second)")
            #expect(second.orderID == 2)
            #expect(try await harness.store.order(2) == nil)

            // The store comes back: the order service's sender sends it again until it is acknowledged.
            group.addTask { try await storeService.run() }
            #expect(try await harness.eventually { try await harness.store.order(2) != nil })
            #expect(try await harness.eventually { orders.facts.value?.counters.inFlight == 0 })
            group.cancelAll()
        }
    }

    @Test func aProjectionStartedLateReplaysThenGoesLiveWithNoGapOrDuplicate() async throws {
        let harness = try Harness()
        defer { harness.stop() }
        let storeService = StoreService(context: harness.context, addresses: harness.addresses, store: harness.store)
        let projection = TrackingProjection(
            context: harness.context, addresses: harness.addresses, database: try TrackingDatabase(path: nil),
            serveQueries: false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await storeService.run() }
            let producer = try harness.facts("producer")
            defer { producer.close() }
            for id in 1...100 { try await producer.send(.orderPlaced(sampleOrder(id)), to: EventKind.orderPlaced.topic) }
            #expect(try await harness.eventually { try await harness.store.head() == 100 })

            group.addTask { try await projection.run() }
            #expect(try await harness.eventually { try await projection.database.checkpoint() == 100 })
            // Assignments travel the feed complete (orders go as pointers, always fetched):
            // one at a time until the projection's live subscription has one (on a loaded
            // machine its subscription may join only after many: as many as it takes).
            var sent = 0
            func assign() async throws {
                let event = DeliveryEvent.courierAssigned(
                    CourierAssigned(eventID: UUID(), orderID: sent % 100 + 1, courierID: 1, attempt: sent / 100 + 1))
                try await producer.send(event, to: event.topic)
                sent += 1
            }
            #expect(
                try await harness.eventually {
                    if projection.progress.live == 0 { try await assign() }
                    return projection.progress.live > 0
                })
            while sent < 100 { try await assign() }
            let total = Int64(100 + sent)
            #expect(try await harness.eventually { try await projection.database.checkpoint() == total })

            let progress = projection.progress
            #expect(progress.replayed >= 100)
            #expect(progress.live > 0)
            #expect(Int64(progress.replayed + progress.live) == total, "every event applied once: \(progress)")
            let all = try await harness.store.events(after: 0, limit: 1_000)
            #expect(
                try await TrackingDatabase.rebuilt(replaying: all).contents() == projection.database.contents())
            group.cancelAll()
        }
    }

    @Test func theTrackingProjectionAnswersQueriesOverRequestReply() async throws {
        let harness = try Harness()
        defer { harness.stop() }
        try await harness.store.append(.orderPlaced(sampleOrder(1)))
        try await harness.store.append(
            .courierAssigned(CourierAssigned(eventID: UUID(), orderID: 1, courierID: 2, attempt: 1)))
        let storeService = StoreService(context: harness.context, addresses: harness.addresses, store: harness.store)
        let projection = TrackingProjection(
            context: harness.context, addresses: harness.addresses, database: try TrackingDatabase(path: nil))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await storeService.run() }
            group.addTask { try await projection.run() }
            let client = try Requester<TrackingQuery, TrackingReply>(
                context: harness.context, connect: harness.addresses.tracking, service: "tracking",
                timeout: .seconds(30))
            #expect(try await harness.eventually { try await projection.database.checkpoint() == 2 })
            guard case .order(let view) = try await client.call(.order(order: 1)) else {
                Issue.record("not an order reply")
                return
            }
            #expect(view?.status == .assigned)
            #expect(view?.courierID == 2)
            #expect(try await client.call(.order(order: 99)) == .order(view: nil))
            #expect(try await client.call(.summary) == .summary(orders: 1, delivered: 0, checkpoint: 2))
            group.cancelAll()
        }
    }

    @Test func twoCouriersDeliveringTheSameOrderMakeOneDeliveryAndOneNotification() async throws {
        let harness = try Harness()
        defer { harness.stop() }
        try await harness.store.append(.orderPlaced(sampleOrder(1)))
        let storeService = StoreService(context: harness.context, addresses: harness.addresses, store: harness.store)
        let notifier = Notifier(context: harness.context, addresses: harness.addresses, log: try NotificationLog(path: nil))
        let notifications = Shared<[String]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await storeService.run() }
            group.addTask { try await notifier.run { line in notifications.modify { $0.append(line) } } }
            // A slow courier and the one the job was redelivered to both deliver order 1.
            for courier in [3, 5] {
                let facts = try harness.facts("courier-\(courier)")
                defer { facts.close() }
                let delivered = DeliveryEvent.delivered(
                    Delivered(eventID: DeliveryEvent.deliveredEventID(orderID: 1), orderID: 1, courierID: courier))
                try await facts.send(delivered, to: delivered.topic)
                #expect(try await facts.waitUntilAcknowledged(timeout: stallTolerantTimeout))
            }
            #expect(try await harness.eventually { storeService.duplicatesIgnored.value == 1 })
            #expect(try await harness.eventually { notifier.notified.value == 1 })
            #expect(notifications.value.count == 1)
            #expect(notifications.value.first?.contains("order #1") == true)
            let deliveries = try await harness.store.history(ofOrder: 1).filter { $0.event.kind == .delivered }
            #expect(deliveries.count == 1)
            #expect(deliveries.first?.event.courierID == 3, "the first delivery is the fact; the repeat is ignored")
            group.cancelAll()
        }
    }

    /// A producer that keeps sending a fact the store cannot write (a position
    /// of NaN, in the binary format) holds up no other fact: the store refuses
    /// it as undecodable and acknowledges it, instead of failing every commit
    /// it joins while its sender sends it again.
    @Test func aFactTheStoreCannotWriteIsRefusedAndHoldsUpNoOther() async throws {
        let harness = try Harness()
        defer { harness.stop() }
        let storeService = StoreService(context: harness.context, addresses: harness.addresses, store: harness.store)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await storeService.run() }
            let poison = try harness.facts("courier-66")
            let honest = try harness.facts("courier-7")
            defer {
                poison.close()
                honest.close()
            }
            for step in 1...20 {
                let bad = DeliveryEvent.locationUpdated(
                    LocationUpdated(
                        eventID: UUID(), orderID: 1, courierID: 66, position: Position(latitude: .nan, longitude: 0),
                        speedKmh: 10, headingDegrees: 0, batteryPercent: 50, step: step, steps: 20))
                try await poison.send(bad, to: bad.topic)
                let good = DeliveryEvent.pickedUp(PickedUp(eventID: UUID(), orderID: step, courierID: 7))
                try await honest.send(good, to: good.topic)
            }
            #expect(try await honest.waitUntilAcknowledged(timeout: stallTolerantTimeout))
            #expect(
                try await poison.waitUntilAcknowledged(timeout: stallTolerantTimeout), "refused facts are acknowledged too")
            #expect(try await harness.store.head() == 20)
            // 20, or more if an acknowledgement came later than a resend.
            #expect(try await harness.eventually { storeService.ingest.value.undecodable >= 20 })
            group.cancelAll()
        }
    }

    /// While the store cannot write (another connection holds SQLite's write
    /// lock), every commit fails and nothing is acknowledged; once it can
    /// again, the senders' resends get every fact stored exactly once.
    @Test func aStoreThatCannotWriteForAWhileLosesNothing() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID()).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let harness = try Harness(storePath: path)
        defer { harness.stop() }
        var storeService = StoreService(context: harness.context, addresses: harness.addresses, store: harness.store)
        // Small batches, so that two are in the pipeline at once.
        storeService.largestBatch = 8
        try await withThrowingTaskGroup(of: Void.self) { [storeService] group in
            group.addTask { try await storeService.run() }
            let couriers = [3, 4]
            let senders = try couriers.map { try harness.facts("courier-\($0)") }
            defer { for sender in senders { sender.close() } }
            func send(_ steps: ClosedRange<Int>) async throws {
                for step in steps {
                    for (courier, sender) in zip(couriers, senders) {
                        let fact = DeliveryEvent.pickedUp(PickedUp(eventID: UUID(), orderID: step, courierID: courier))
                        try await sender.send(fact, to: fact.topic)
                    }
                }
            }
            try await send(1...100)
            #expect(try await harness.eventually { try await harness.store.head() == 200 })

            var holding = Configuration()
            holding.allowsUnsafeTransactions = true
            // Waits for a commit under way, if any.
            holding.busyMode = .timeout(5)
            let otherWriter = try DatabaseQueue(path: path, configuration: holding)
            try await otherWriter.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
            try await send(101...300)
            // Nothing is acknowledged now: both senders send again.
            #expect(try await harness.eventually { senders.allSatisfy { $0.counters.resent > 0 } })
            #expect(try await harness.store.head() == 200)
            try await otherWriter.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }

            for sender in senders { #expect(try await sender.waitUntilAcknowledged(timeout: stallTolerantTimeout)) }
            let stored = try await harness.store.events(after: 0, limit: 1_000)
            #expect(stored.map(\.sequence) == Array(1...600))
            #expect(Set(stored.map(\.event.eventID)).count == 600)
            for courier in couriers {
                // Resends come when their own timers say, so after a failure a sender's facts may be stored out of order.
                #expect(stored.filter { $0.event.courierID == courier }.map(\.event.orderID).sorted() == Array(1...300))
            }
            group.cancelAll()
        }
    }

    @Test func aRestartedNotifierGoesOnFromItsCheckpointAndNotifiesNobodyTwice() async throws {
        let harness = try Harness()
        defer { harness.stop() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("notified-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        func deliver(_ orders: ClosedRange<Int>) async throws {
            for id in orders {
                try await harness.store.append(.orderPlaced(sampleOrder(id)))
                try await harness.store.append(
                    .delivered(Delivered(eventID: DeliveryEvent.deliveredEventID(orderID: id), orderID: id, courierID: 1)))
            }
        }
        let storeService = StoreService(context: harness.context, addresses: harness.addresses, store: harness.store)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await storeService.run() }
            try await deliver(1...5)
            let first = Notifier(context: harness.context, addresses: harness.addresses, log: try NotificationLog(path: path))
            let firstRun = Task { try await first.run { _ in } }
            #expect(try await harness.eventually { first.notified.value == 5 })
            firstRun.cancel()
            _ = await firstRun.result

            try await deliver(6...8)
            let second = Notifier(
                context: harness.context, addresses: harness.addresses, log: try NotificationLog(path: path))
            let said = Shared<[String]>([])
            group.addTask { try await second.run { line in said.modify { $0.append(line) } } }
            #expect(try await harness.eventually { second.notified.value == 3 })
            #expect(said.value.map { $0.contains("order #6") || $0.contains("order #7") || $0.contains("order #8") } == [true, true, true])
            // It read only what came after its checkpoint: the last 6 events, not all 16.
            #expect(second.feed.progress.replayed + second.feed.progress.live == 6, "\(second.feed.progress)")
            #expect(try await second.log.count() == 8)
            group.cancelAll()
        }
    }

    @Test func aRequestToAServiceThatIsDownTimesOutWithAClearError() async throws {
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let client = try StoreClient(
            context: context, addresses: .inproc("nobody-\(UUID().uuidString)"), timeout: .milliseconds(200))
        await #expect {
            _ = try await client.head()
        } throws: { error in
            "\(error)".contains("event store at inproc://nobody-") && "\(error)".contains("did not answer")
        }
    }
}
