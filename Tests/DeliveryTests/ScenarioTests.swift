import DeliveryKit
import Foundation
import Testing
import TestSupport
import ZeroMQ

@Suite("Delivery scenario, one process", .timeLimit(.minutes(2)))
struct ScenarioTests {
    func scenario(orders: Int, couriers: Int) -> Scenario {
        var scenario = Scenario()
        scenario.orders = orders
        scenario.couriers = couriers
        scenario.addresses = .inproc("scenario-\(UUID().uuidString)")
        scenario.pace = .milliseconds(2)
        return scenario
    }

    @Test func everyOrderIsDeliveredExactlyOnceAndTheProjectionAgreesWithTheStore() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("scenario-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var scenario = scenario(orders: 25, couriers: 3)
        scenario.databasePath = path
        let notifications = Shared<[String]>([])
        let report = try await scenario.run(notify: { line in notifications.modify { $0.append(line) } })
        #expect(report.succeeded, "\(report.lines.joined(separator: "\n"))")
        #expect(report.deliveredOnce == 25)
        #expect(report.notDeliveredOnce.isEmpty)
        #expect(report.customersNotified == 25)
        #expect(notifications.value.count == 25)
        #expect(report.projectionLag == 0)
        #expect(report.projectionMatchesReplay)
        #expect(report.storedByKind[.orderPlaced] == 25)
        #expect(report.storedByKind[.delivered] == 25)
        // Everything the store holds is still there after the run.
        let store = try EventStore(path: path)
        #expect(try await store.head() == report.eventsStored)
        // Every fact names its order and (but the first) the fact that caused it: each
        // order's chain starts at its OrderPlaced and leads, fact by fact, to its delivery.
        for orderID in 1...25 {
            let history = try await store.history(ofOrder: orderID)
            #expect(history.allSatisfy { $0.causation.correlationID == "order-\(orderID)" }, "order \(orderID)")
            let chain = History.causalChain(of: history)
            #expect(chain.count == history.count)
            #expect(chain.filter { $0.depth == 0 }.map(\.stored.event.kind) == [.orderPlaced], "order \(orderID)")
            let byID = Dictionary(uniqueKeysWithValues: history.map { ($0.event.eventID, $0) })
            var fact = try #require(history.first { $0.event.kind == .delivered })
            var kinds = [fact.event.kind]
            while let cause = fact.causation.causationID, let earlier = byID[cause] {
                fact = earlier
                kinds.insert(fact.event.kind, at: 0)
            }
            #expect(kinds.first == .orderPlaced && kinds.contains(.courierAssigned) && kinds.contains(.pickedUp))
        }
    }

    /// A part that fails (here the store: its query endpoint is taken) ends
    /// the whole run with an error that names it, instead of a wait for
    /// orders that cannot be placed.
    @Test func aServiceThatFailsEndsTheRunWithItsName() async throws {
        var scenario = scenario(orders: 5, couriers: 1)
        // The store on TCP (an inproc name taken in another context would not clash), the rest on inproc:
        // with every service on TCP, a port another test took meanwhile once failed the dispatcher first.
        scenario.addresses = .inproc("failing-\(UUID())")
        scenario.addresses.store = "tcp://127.0.0.1:\(try freeLoopbackPorts(offsets: [0, 1]))"
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        let squatter = try context.socket(.rep)
        try squatter.bind(scenario.addresses.store)
        scenario.timeout = .seconds(100)
        let started = ContinuousClock.now
        let error = await #expect(throws: DeliveryError.self) { try await scenario.run() }
        #expect("\(error.map { "\($0)" } ?? "")".contains("store failed"), "\(String(describing: error))")
        // Well under the timeout: the failure ended the run. (Not tighter: under ThreadSanitizer, with the
        // other suites running, the whole test process has stalled for 20 s at a time.)
        #expect(ContinuousClock.now - started < .seconds(60), "the failure ends the run; it does not wait for the timeout")
    }

    @Test func pointerEventsAreSmallOnTheWireAndCostRoundTripsToTheStore() async throws {
        let report = try await scenario(orders: 10, couriers: 2).run()
        #expect(report.succeeded, "\(report.lines.joined(separator: "\n"))")
        let pointer = try #require(report.wire.first { $0.kind == .orderPlaced })
        // Each order once on the feed, and again whenever it was the newest event when an idle
        // second passed (the store's repeat): how often that is depends on the machine's pace.
        #expect(pointer.messages >= 10)
        #expect(pointer.averageBytes < report.completeOrderPlacedBytes)
        // The dispatcher, the notifier and tracking each fetch every complete order from the store.
        #expect(report.ordersFetched == 30)
        #expect(report.storeRoundTrips >= 3)
        // Five positions a delivered ride; on a loaded machine a courier may miss a
        // deadline and the job be ridden again, so there can be more.
        let location = try #require(report.wire.first { $0.kind == .locationUpdated })
        #expect(location.messages >= 10 * 5)
    }

    @Test func aBacklogWaitsAtTheDispatcherNotInACouriersQueue() async throws {
        // One courier, many orders: each job is handed out only when the courier
        // has room for it, so a job's accept deadline never runs while it waits
        // behind a queue of others (with queue sizes set after connecting, libzmq
        // queued all 80 here and the deadlines caused a storm of redeliveries).
        var scenario = scenario(orders: 80, couriers: 1)
        scenario.pace = .milliseconds(3)
        let report = try await scenario.run()
        #expect(report.succeeded, "\(report.lines.joined(separator: "\n"))")
        // Two fit in the socket queues and one is in the courier's hands; acknowledgements
        // that reach the dispatcher late on a loaded machine can make it look like a few more.
        #expect(report.mostJobsInCourierQueues <= 10, "\(report.mostJobsInCourierQueues) jobs queued at the courier")
    }

    @Test func aCourierThatCrashesMidRunLosesNoDelivery() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var scenario = scenario(orders: 20, couriers: 3)
        scenario.databasePath = path
        scenario.failCourier = true
        scenario.acceptTimeout = .milliseconds(500)
        scenario.completeTimeout = .seconds(1)
        let report = try await scenario.run()
        #expect(report.succeeded, "\(report.lines.joined(separator: "\n"))")
        let held = try #require(report.crashedCouriers[1], "courier 1 was to crash after its first pickup")
        #expect(report.redeliveries >= 1)
        #expect(report.deliveredOnce == 20)
        // The store knows who held the job before it was redelivered (on a loaded
        // machine other jobs may be redelivered too, so ask about this one).
        let history = try await EventStore(path: path).history(ofOrder: held)
        #expect(History.holdersBeforeRedelivery(of: history).map(\.courierID).contains(1))
        // The causal chain shows the redelivery: the delivering courier's assignment was
        // caused by a JobRedelivered, itself caused by a fact of this order.
        let byID = Dictionary(uniqueKeysWithValues: history.map { ($0.event.eventID, $0) })
        let redelivered = history.filter { $0.event.kind == .jobRedelivered }
        #expect(!redelivered.isEmpty && redelivered.allSatisfy { byID[$0.causation.causationID ?? UUID()] != nil })
        let reassigned = history.filter {
            if case .courierAssigned(let assigned) = $0.event { assigned.attempt > 1 } else { false }
        }
        #expect(!reassigned.isEmpty)
        #expect(reassigned.allSatisfy { byID[$0.causation.causationID ?? UUID()]?.event.kind == .jobRedelivered })
    }

    /// A role added through ``ScenarioRole`` (as `delivery run` adds `stats`) runs with the
    /// others; stopped with the run, it resumes from its checkpoint, and replays only what
    /// came after it.
    @Test func theCourierStatisticsRoleRunsInTheScenarioAndResumesFromItsCheckpoint() async throws {
        let directory = FileManager.default.temporaryDirectory
        let storePath = directory.appendingPathComponent("stats-store-\(UUID()).sqlite").path
        let statsPath = directory.appendingPathComponent("stats-\(UUID()).sqlite").path
        defer { for path in [storePath, statsPath] { try? FileManager.default.removeItem(atPath: path) } }
        var scenario = scenario(orders: 12, couriers: 2)
        scenario.databasePath = storePath
        scenario.extraRoles = [
            ScenarioRole("courier statistics") { context, addresses in
                CourierStatisticsProjection(
                    context: context, addresses: addresses, database: try CourierStatisticsDatabase(path: statsPath))
            }
        ]
        let report = try await scenario.run()
        #expect(report.succeeded, "\(report.lines.joined(separator: "\n"))")
        let store = try EventStore(path: storePath)
        let head = try await store.head()
        let all = try await store.events(after: 0, limit: 10_000)
        #expect(all.count == Int(head))
        let live = try CourierStatisticsDatabase(path: statsPath)
        let checkpoint = try await live.checkpoint()
        #expect(checkpoint > 0 && checkpoint <= head, "the role ran in the scenario and applied the feed")
        // Whatever the run left unread, then everything again: only what lies after the checkpoint counts.
        try await live.apply(try await store.events(after: checkpoint, limit: 10_000))
        try await live.apply(all)
        #expect(try await live.checkpoint() == head)
        let couriers = try await live.statistics()
        #expect(couriers.map(\.deliveries).reduce(0, +) == 12)
        #expect(couriers.allSatisfy { $0.deliveries == 0 || ($0.distanceKilometres > 0 && $0.medianDeliverySeconds != nil) })
        // Killed halfway and restarted: the restart replays exactly the events after its checkpoint,
        // and ends where one pass over every event ends.
        let restarted = try CourierStatisticsDatabase(path: nil)
        try await restarted.apply(Array(all.prefix(all.count / 2)))
        let resumedFrom = try await restarted.checkpoint()
        let replayed = try await store.events(after: resumedFrom, limit: 10_000)
        #expect(replayed.count == all.count - all.count / 2)
        try await restarted.apply(replayed)
        let once = try CourierStatisticsDatabase(path: nil)
        try await once.apply(all)
        #expect(try await restarted.statistics() == couriers)
        #expect(try await once.statistics() == couriers)
    }
}
