@testable import DeliveryKit
import Foundation
import Testing
import ZeroMQChannels

@Suite("Cancellation racing pickup")
struct CancellationTests {
    /// A store with order 1 placed and assigned to courier 3.
    static func assignedOrder(_ backend: Backend) async throws -> EventStore {
        let store = try await backend.newStore()
        try await store.append(.orderPlaced(sampleOrder(1)))
        try await store.append(.courierAssigned(CourierAssigned(eventID: UUID(), orderID: 1, courierID: 3, attempt: 1)))
        return store
    }

    /// `decide` against `store`, with `between` run after each read and before its append.
    static func decide<Outcome: Sendable>(
        _ store: EventStore, between: @escaping () async throws -> Void,
        _ decision: @escaping ([StoredEvent]) -> (Outcome, DeliveryEvent?)
    ) async throws -> (outcome: Outcome, conflicts: Int) {
        try await OrderDecisions.decide(
            read: {
                let history = try await store.events(inStream: "order-1")
                try await between()
                return history
            },
            decide: decision,
            append: { event, expected in
                do { return .success(try await store.append(event, expecting: expected).version) } catch let conflict
                    as VersionConflict
                {
                    return .failure(conflict)
                }
            })
    }

    @Test(arguments: Backend.available)
    func aCancellationThatAPickupOvertakesMeetsAConflictReadsAgainAndIsTooLate(backend: Backend) async throws {
        let store = try await Self.assignedOrder(backend)
        var pickupDone = false
        let (outcome, conflicts) = try await Self.decide(store, between: {
            // The courier's pickup lands between the order service's read and its append.
            if !pickupDone {
                try await store.append(.pickedUp(PickedUp(eventID: UUID(), orderID: 1, courierID: 3)))
                pickupDone = true
            }
        }) { OrderDecisions.cancellation(of: $0, reason: "changed my mind") }
        #expect(outcome == .tooLate)
        #expect(conflicts == 1)
        let kinds = try await store.events(inStream: "order-1").map(\.event.kind)
        #expect(kinds == [.orderPlaced, .courierAssigned, .pickedUp])
    }

    @Test(arguments: Backend.available)
    func aPickupThatACancellationOvertakesMeetsAConflictAndIsDropped(backend: Backend) async throws {
        let store = try await Self.assignedOrder(backend)
        var cancelDone = false
        let pickup = DeliveryEvent.pickedUp(PickedUp(eventID: UUID(), orderID: 1, courierID: 3))
        let (pickedUp, conflicts) = try await Self.decide(store, between: {
            if !cancelDone {
                try await store.append(
                    .orderCancelled(OrderCancelled(eventID: UUID(), orderID: 1, reason: "changed my mind")))
                cancelDone = true
            }
        }) { OrderDecisions.mayPickUp($0) ? (true, pickup) : (false, nil) }
        #expect(!pickedUp)
        #expect(conflicts == 1)
        let kinds = try await store.events(inStream: "order-1").map(\.event.kind)
        #expect(kinds == [.orderPlaced, .courierAssigned, .orderCancelled])
    }

    @Test(arguments: Backend.available)
    func aCancellationSentAgainOrForNoOrderChangesNothing(backend: Backend) async throws {
        let store = try await Self.assignedOrder(backend)
        let first = try await Self.decide(store, between: {}) { OrderDecisions.cancellation(of: $0, reason: "no") }
        #expect(first.outcome == .cancelled && first.conflicts == 0)
        let again = try await Self.decide(store, between: {}) { OrderDecisions.cancellation(of: $0, reason: "no") }
        #expect(again.outcome == .alreadyCancelled)
        #expect(OrderDecisions.cancellation(of: [], reason: "no").0 == .unknownOrder)
        #expect(try await store.events(inStream: "order-1").count == 3)
    }

    /// A courier's assignment stored after the cancellation it raced (it
    /// then drops the job, sending nothing more) leaves the courier free in
    /// the read model, on both backends.
    @Test(arguments: Backend.available)
    func anAssignmentStoredAfterTheCancellationGivesTheCourierNoJob(backend: Backend) async throws {
        let store = try await backend.newStore()
        try await store.append(.orderPlaced(sampleOrder(1)))
        try await store.append(.orderCancelled(OrderCancelled(eventID: UUID(), orderID: 1, reason: "no")))
        try await store.append(.courierAssigned(CourierAssigned(eventID: UUID(), orderID: 1, courierID: 3, attempt: 1)))
        let model = try await backend.newTracking()
        try await model.apply(try await store.events(after: 0))
        #expect(try await model.order(1)?.status == .cancelled)
        #expect(try await model.courier(3)?.currentOrder == nil)
    }

    /// A correlation id that is not printable text (PostgreSQL's text columns
    /// refuse a NUL: such a fact would fail every batch it came in) is left
    /// out; the fact itself is kept.
    @Test func aCorrelationIDWithAControlCharacterIsLeftOut() throws {
        let hostile = try EventMetadata(correlationID: "order-1\u{0}", causationID: nil)
        #expect(Causation(hostile).correlationID == nil)
        #expect(Causation(try EventMetadata(correlationID: "order-1", causationID: nil)).correlationID == "order-1")
    }

    /// The whole system, every second order's customer cancelling once a
    /// courier is assigned: whichever decision the store takes second is
    /// read again, so no order is both cancelled and picked up, and every
    /// other order is delivered once.
    @Test func inTheScenarioNoOrderIsBothCancelledAndPickedUp() async throws {
        var scenario = Scenario()
        scenario.orders = 20
        scenario.couriers = 3
        scenario.cancelEvery = 2
        scenario.addresses = .inproc("cancel-\(UUID())")
        let report = try await scenario.run()
        #expect(report.succeeded, "\(report.lines.joined(separator: "\n"))")
        #expect(report.cancelledAndPickedUp.isEmpty)
        let asked = report.cancellations.values.reduce(0, +)
        #expect(asked == 10)
        #expect(report.cancellations[.cancelled, default: 0] + report.cancellations[.tooLate, default: 0] == 10)
        #expect(report.cancelledOrders == report.cancellations[.cancelled, default: 0])
        #expect(report.deliveredOnce == 20 - report.cancelledOrders)
        #expect(report.lines.contains { $0.hasPrefix("cancellations (") })
    }
}
