import Foundation
import Logging
import ServiceLifecycle
import ZeroMQ
import ZeroMQChannels

/// The whole delivery system in one process: every service as a task, the
/// bus and the store, and a seeded stream of orders placed through the order
/// service's command endpoint (each answered once the store has it). It waits until every order is delivered and the
/// projection has caught up, then checks the results and reports.
public struct Scenario: Sendable {
    public var orders = 20
    public var couriers = 3
    public var seed: UInt64 = 1
    /// Crash courier 1 after its first pickup, to show redelivery.
    public var failCourier = false
    public var addresses = Addresses.inproc("delivery")
    /// The SQLite file of the event store; `nil` keeps it in memory.
    public var databasePath: String?
    /// The SQLite file of the tracking read model (its query database); `nil` keeps it in memory.
    public var trackingDatabasePath: String?
    /// How long to wait for the last delivery before giving up.
    public var timeout: Duration = .seconds(60)
    /// The pause between two steps of a ride.
    public var pace: Duration = .milliseconds(10)
    /// The dispatcher's acknowledgement deadlines.
    public var acceptTimeout: Duration = .seconds(1)
    public var completeTimeout: Duration = .seconds(3)
    /// Every how-manyth order its customer tries to cancel, as soon as a
    /// courier is assigned (racing the pickup); `nil`: nobody cancels.
    public var cancelEvery: Int?
    /// Roles run beside the built-in ones (``ScenarioRole``), each as a service of the run.
    public var extraRoles: [ScenarioRole] = []

    public init() {}

    /// Runs the scenario. `progress` gets a one-line status now and then
    /// (meant for stderr), `notify` each customer notification.
    public func run(
        progress: @escaping @Sendable (String) -> Void = { _ in },
        notify: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> ScenarioReport {
        let started = ContinuousClock.now
        let context = try Context(defaultLinger: .milliseconds(200))
        defer { context.shutdown() }
        let store = try EventStore(path: databasePath)
        let bus = try EventBus(context: context, addresses: addresses)
        defer { bus.stop() }

        let meter = WireMeter()
        let storeService = StoreService(context: context, addresses: addresses, store: store)
        let tracking = TrackingProjection(
            context: context, addresses: addresses, database: try TrackingDatabase(path: trackingDatabasePath))
        let notifier = Notifier(context: context, addresses: addresses, log: try NotificationLog(path: nil))
        var dispatcher = Dispatcher(context: context, addresses: addresses)
        dispatcher.acceptTimeout = acceptTimeout
        dispatcher.completeTimeout = completeTimeout
        // One process: nothing outlives it, so no outbox; its senders keep facts in memory until acknowledged.
        let orderService = OrderService(context: context, addresses: addresses)
        let courierFacts = Shared<[Int: Shared<AcknowledgedSender<DeliveryEvent>?>]>([:])
        let crashed = Shared<[Int: Int]>([:])
        var courierConflicts: [Counter] = []
        var services = [
            RunningService("wire meter") { try await meter.run(context: context, tap: addresses.busTap) },
            RunningService("store") { try await storeService.run() },
            RunningService("tracking") { try await tracking.run() },
            RunningService("notifier") { try await notifier.run(say: notify) },
            RunningService("dispatcher") { [dispatcher] in try await dispatcher.run() },
            RunningService("order service") { [orderService] in try await orderService.run() },
        ]
        for id in 1...max(couriers, 1) {
            var courier = Courier(id: id, context: context, addresses: addresses)
            courier.pace = pace
            if failCourier && id == 1 { courier.crashAfterPickups = 1 }
            courierFacts.modify { $0[id] = courier.facts }
            courierConflicts.append(courier.conflicts)
            services.append(
                RunningService("courier \(id)") { [courier] in
                    if case .crashed(let order) = try await courier.run() {
                        crashed.modify { $0[courier.id] = order }
                        // A crash is this courier's planned end, not a failure.
                        try await Task.sleep(for: .seconds(86400))
                    }
                })
        }
        for role in extraRoles {
            let service = try role.make(context, addresses)
            services.append(RunningService(role.name) { try await service.run() })
        }
        // The services run until the orders are settled; one that stops early (it throws, or returns) fails the run.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                logger: Logger(label: "delivery.scenario")))

        /// What the run found before the services were stopped.
        struct Driven: Sendable {
            var placed: [Int]
            var commandWaits: [Duration]
            var settled: Bool
            var largestLag: Int64
        }
        let driven = try await withThrowingTaskGroup(of: Driven?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            tasks.addTask { [dispatcher] in
                let (placed, commandWaits) = try await placeOrders(context)
                // The customers who change their minds, meanwhile.
                let cancellationsAsked = Shared(false)
                let cancelling = Task {
                    try await cancelOrders(placed, context: context, store: store)
                    cancellationsAsked.modify { $0 = true }
                }
                defer { cancelling.cancel() }
                let deadline = ContinuousClock.now + timeout
                var settled = false
                var largestLag: Int64 = 0
                while ContinuousClock.now < deadline {
                    let counts = try await store.countsByKind()
                    let delivered = counts[.delivered] ?? 0
                    let head = try await store.head()
                    let checkpoint = try await tracking.database.checkpoint()
                    largestLag = max(largestLag, head - checkpoint)
                    progress(
                        "placed \(placed.count)/\(orders) · delivered \(delivered) · redelivered \(dispatcher.book.redeliveries)"
                            + " · stored \(head) · projection at \(checkpoint) (lag \(head - checkpoint))")
                    if cancellationsAsked.value && delivered + (counts[.orderCancelled] ?? 0) == placed.count
                        && notifier.notified.value == delivered
                        && dispatcher.book.openJobs == 0 && checkpoint == head
                    {
                        settled = true
                        break
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
                await group.triggerGracefulShutdown()
                return Driven(placed: placed, commandWaits: commandWaits, settled: settled, largestLag: largestLag)
            }
            // Both end: the services once the orders are settled, or at a failure, which then ends the other.
            var driven: Driven?
            do {
                while let next = try await tasks.next() {
                    if let next { driven = next } else if driven == nil { tasks.cancelAll() }
                }
            } catch {
                tasks.cancelAll()
                throw error
            }
            return driven
        }
        // Stopped before the orders settled, without a failure: only a cancellation of this run does that.
        guard let driven else { throw CancellationError() }
        // Every service has stopped: the report sees the store and the read model as they are left.
        return try await ScenarioReport(
            settled: driven.settled, placed: driven.placed, store: store, live: tracking.database,
            progress: tracking.progress, dispatcher: dispatcher, notifier: notifier, storeService: storeService,
            orderService: orderService, courierConflicts: courierConflicts.map(\.value).reduce(0, +),
            wire: meter.snapshot, crashed: crashed.value, commandWaits: driven.commandWaits,
            largestLag: driven.largestLag, elapsed: ContinuousClock.now - started,
            paths: [
                ("order service", orderService.facts.value?.counters ?? AcknowledgedCounters()),
                (
                    "couriers",
                    courierFacts.value.values.compactMap(\.value?.counters).reduce(into: AcknowledgedCounters(), +=)
                ),
                ("dispatcher", dispatcher.facts.value?.counters ?? AcknowledgedCounters()),
            ])
    }

    /// Cancels every ``cancelEvery``th order through the order service once
    /// the store shows a courier assigned to it, after a seeded pause of up
    /// to two ride steps (the time the courier takes to its pickup): the two
    /// decisions race for the order's stream, and either may come first.
    private func cancelOrders(_ placed: [Int], context: Context, store: EventStore) async throws {
        guard let every = cancelEvery, every > 0 else { return }
        let client = try Requester<OrderCommand, OrderReply>(
            context: context, connect: addresses.orders, service: "order service", timeout: .seconds(30))
        var generator = SeededGenerator(seed: seed &+ 1)
        for order in placed where order % every == 0 {
            let stream = DeliveryEvent.stream(ofOrder: order)
            while try await !store.events(inStream: stream).contains(where: { $0.event.kind == .courierAssigned }) {
                try await Task.sleep(for: .milliseconds(1))
            }
            try await Task.sleep(for: pace * Double.random(in: 0...2, using: &generator))
            _ = try await client.call(.cancel(CancelOrder(order: order, reason: "the customer changed their mind")))
        }
    }

    /// Places the scenario's orders through the order service, one command at a time.
    private func placeOrders(_ context: Context) async throws -> (ids: [Int], waits: [Duration]) {
        let client = try Requester<PlaceOrder, OrderReply>(
            context: context, connect: addresses.orders, service: "order service", timeout: .seconds(30))
        var generator = SeededGenerator(seed: seed)
        var placed: [Int] = []
        var waits: [Duration] = []
        for _ in 0..<orders {
            let command = PlaceOrder.random(using: &generator)
            let sent = ContinuousClock.now
            let reply = try await client.call(command)
            waits.append(.now - sent)
            guard reply.accepted, reply.recorded, let id = reply.orderID else {
                throw DeliveryError.rejected(reply.error ?? "the order service refused an order")
            }
            placed.append(id)
        }
        return (placed, waits)
    }
}

extension PlaceOrder {
    /// A plausible order, the same for the same generator state.
    static func random(using generator: inout SeededGenerator) -> PlaceOrder {
        let customers = ["Ada", "Grace", "Linus", "Barbara", "Ken", "Margaret", "Dennis", "Frances", "Edsger", "Radia"]
        let shops = ["Pizza Roma", "Sushi Kan", "Green Bowl", "Burger Lab", "Pho 88", "Taco Loco"]
        let dishes = ["margherita", "ramen", "poke bowl", "cheeseburger", "pho", "tacos", "salad", "gyoza", "fries"]
        let streets = ["Elm St", "Canal Rd", "Harbour Way", "Mill Lane", "Station Sq", "Park Ave"]
        let itemCount = Int.random(in: 1...3, using: &generator)
        return PlaceOrder(
            customer: customers.randomElement(using: &generator)!,
            phone: "+31 6 \(Int.random(in: 1000_0000...9999_9999, using: &generator))",
            pickup: shops.randomElement(using: &generator)!,
            dropoff: "\(Int.random(in: 1...200, using: &generator)) \(streets.randomElement(using: &generator)!)",
            items: (0..<itemCount).map { _ in dishes.randomElement(using: &generator)! },
            totalCents: Int.random(in: 800...4500, using: &generator),
            note: Bool.random(using: &generator) ? "ring twice" : nil)
    }
}

/// A part of the scenario as a `Service`: it runs until its group shuts
/// down gracefully (which cancels it); ending before that, or throwing, is a
/// failure that names the part.
private struct RunningService: Service {
    let name: String
    let body: @Sendable () async throws -> Void

    init(_ name: String, _ body: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.body = body
    }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await body() }
        } catch where Task.isShuttingDownGracefully {
            return
        } catch {
            throw DeliveryError.failed(service: name, reason: "\(error)")
        }
        if !Task.isShuttingDownGracefully { throw DeliveryError.failed(service: name, reason: "stopped") }
    }
}
