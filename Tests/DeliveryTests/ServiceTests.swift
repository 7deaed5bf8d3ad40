import DeliveryKit
import Foundation
import Testing
import ZeroMQ

/// The store service, the order service and a projection on a bus, in-process.
struct Harness {
    let context: Context
    let addresses = Addresses.inproc("services-\(UUID().uuidString)")
    let store: EventStore
    let bus: EventBus

    init() throws {
        context = try Context(defaultLinger: .zero)
        store = try EventStore(path: nil)
        bus = try EventBus(context: context, addresses: addresses)
    }

    func stop() {
        bus.stop()
        context.shutdown()
    }

    /// Polls `condition` every 10 ms for at most `timeout`.
    func eventually(_ timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
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
        let orders = OrderService(context: harness.context, addresses: harness.addresses)
        try await withThrowingTaskGroup(of: Void.self) { group in
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
            #expect(good == OrderReply(accepted: true, orderID: 1, sequence: 1, error: nil))
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

    @Test func aProjectionStartedLateReplaysThenGoesLiveWithNoGapOrDuplicate() async throws {
        let harness = try Harness()
        defer { harness.stop() }
        let storeService = StoreService(context: harness.context, addresses: harness.addresses, store: harness.store)
        let projection = TrackingProjection(context: harness.context, addresses: harness.addresses, serveQueries: false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await storeService.run() }
            let producer = try Publisher<DeliveryEvent>(
                context: harness.context, .connect(harness.addresses.busPublish))
            try await producer.waitForSubscribers(1, timeout: .seconds(10))
            func publish(_ orders: ClosedRange<Int>) throws {
                for id in orders {
                    let event = DeliveryEvent.orderPlaced(sampleOrder(id))
                    try #require(try producer.publish(event, to: event.topic) != nil)
                }
            }
            try publish(1...100)
            #expect(try await harness.eventually { try await harness.store.head() == 100 })

            group.addTask { try await projection.run() }
            #expect(try await harness.eventually { projection.model.checkpoint == 100 })
            // The projection's live subscription reaches this producer through the bus.
            try await producer.waitForSubscribers(2, timeout: .seconds(20))
            try publish(101...200)
            #expect(try await harness.eventually { projection.model.checkpoint == 200 })

            let progress = projection.progress
            #expect(progress.replayed >= 100)
            #expect(progress.live > 0)
            #expect(progress.replayed + progress.live == 200, "every event applied once: \(progress)")
            let all = try await harness.store.events(after: 0, limit: 1_000)
            #expect(try TrackingModel(replaying: all) == projection.model)
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
        let projection = TrackingProjection(context: harness.context, addresses: harness.addresses)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await storeService.run() }
            group.addTask { try await projection.run() }
            let client = try Requester<TrackingQuery, TrackingReply>(
                context: harness.context, connect: harness.addresses.tracking, service: "tracking",
                timeout: .seconds(30))
            #expect(try await harness.eventually { projection.model.checkpoint == 2 })
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
        let notifier = Notifier(context: harness.context, addresses: harness.addresses)
        let notifications = Shared<[String]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await storeService.run() }
            group.addTask { try await notifier.run { line in notifications.modify { $0.append(line) } } }
            let couriers = try Publisher<DeliveryEvent>(
                context: harness.context, .connect(harness.addresses.busPublish))
            try await couriers.waitForSubscribers(2, timeout: .seconds(10))
            // A slow courier and the one the job was redelivered to both deliver order 1.
            for courier in [3, 5] {
                let delivered = DeliveryEvent.delivered(
                    Delivered(eventID: DeliveryEvent.deliveredEventID(orderID: 1), orderID: 1, courierID: courier))
                try couriers.publish(delivered, to: delivered.topic)
            }
            #expect(try await harness.eventually { notifier.duplicatesSkipped.value == 1 })
            #expect(try await harness.eventually { storeService.duplicatesIgnored.value == 1 })
            #expect(notifications.value.count == 1)
            #expect(notifications.value.first?.contains("order #1") == true)
            let deliveries = try await harness.store.history(ofOrder: 1).filter { $0.event.kind == .delivered }
            #expect(deliveries.count == 1)
            #expect(deliveries.first?.event.courierID == 3, "the first delivery is the fact; the repeat is ignored")
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
