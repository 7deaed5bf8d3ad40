@testable import DeliveryKit
import Foundation
import Testing

@Suite("Tracking model and history")
struct ProjectionAndHistoryTests {
    /// Order 1's life, with a redelivery: courier 3 crashed after pickup, courier 5 delivered.
    static let log: [StoredEvent] = {
        let events: [DeliveryEvent] = [
            .orderPlaced(sampleOrder(1)),
            .courierAssigned(CourierAssigned(eventID: UUID(), orderID: 1, courierID: 3, attempt: 1)),
            .pickedUp(PickedUp(eventID: UUID(), orderID: 1, courierID: 3)),
            .jobRedelivered(JobRedelivered(eventID: UUID(), orderID: 1, attempt: 2, reason: "courier 3 went silent")),
            .courierAssigned(CourierAssigned(eventID: UUID(), orderID: 1, courierID: 5, attempt: 2)),
            .pickedUp(PickedUp(eventID: UUID(), orderID: 1, courierID: 5)),
            .locationUpdated(location(courier: 5, latitude: 52.1)),
            .locationUpdated(location(courier: 5, latitude: 52.2)),
            .delivered(Delivered(eventID: DeliveryEvent.deliveredEventID(orderID: 1), orderID: 1, courierID: 5)),
        ]
        var versions: [String: Int64] = [:]
        return events.enumerated().map { index, event in
            versions[event.stream, default: 0] += 1
            return StoredEvent(
                sequence: Int64(index + 1), event: event, recordedAt: Date(), version: versions[event.stream]!)
        }
    }()

    static func location(courier: Int, latitude: Double) -> LocationUpdated {
        LocationUpdated(
            eventID: UUID(), orderID: 1, courierID: courier, position: Position(latitude: latitude, longitude: 4.9),
            speedKmh: 20, headingDegrees: 0, batteryPercent: 90, step: 1, steps: 2)
    }

    @Test(arguments: Backend.available)
    func theReadModelHoldsCurrentStateOnly(backend: Backend) async throws {
        let model = try await backend.rebuiltTracking(Self.log)
        let order = try #require(model.orders[1])
        #expect(order.status == .delivered)
        #expect(order.courierID == 5)
        #expect(order.attempts == 2)
        #expect(order.placedAt == Self.log[0].recordedAt && order.updatedAt == Self.log[8].recordedAt)
        #expect(order.position == Position(latitude: 52.2, longitude: 4.9))
        #expect(model.couriers[5]?.deliveries == 1)
        #expect(model.couriers[5]?.currentOrder == nil)
        #expect(model.couriers[3]?.currentOrder == nil, "the redelivery took the job from courier 3")
        #expect(model.checkpoint == 9)
    }

    /// The rows and the checkpoint move together: a batch given again is
    /// skipped, and one that would leave a gap applies nothing.
    @Test(arguments: Backend.available)
    func eventsOutOfSequenceAreRefusedAndRepeatsSkipped(backend: Backend) async throws {
        let model = try await backend.newTracking()
        #expect(try await model.apply([Self.log[0]]) == 1)
        await #expect(throws: OutOfOrder(expected: 2, got: 3)) { try await model.apply([Self.log[2]]) }
        // A batch with a gap inside stores none of it, not even the events before the gap.
        await #expect(throws: OutOfOrder.self) { try await model.apply([Self.log[1], Self.log[3]]) }
        #expect(try await model.checkpoint() == 1)
        #expect(try await model.apply([Self.log[0]]) == 0)
        #expect(try await model.apply(Array(Self.log[0...1])) == 1)
        #expect(try await model.checkpoint() == 2)
        #expect(try await model.order(1)?.status == .assigned)
    }

    @Test(arguments: Backend.available)
    func replayingTheSameLogGivesTheSameModel(backend: Backend) async throws {
        let whole = try await backend.rebuiltTracking(Self.log)
        #expect(try await backend.rebuiltTracking(Self.log) == whole)
        #expect(try await backend.rebuiltTracking(Array(Self.log.prefix(5))) != whole)
        // Both backends apply the same rules to the same rows.
        #expect(try await Backend.sqlite.rebuiltTracking(Self.log) == whole)
        // In batches of any size, and with repeats, as a projection that was stopped and restarted gets them.
        let restarted = try await backend.newTracking()
        for start in stride(from: 0, to: Self.log.count, by: 2) {
            try await restarted.apply(Array(Self.log[max(0, start - 1)..<min(Self.log.count, start + 3)]))
        }
        #expect(try await restarted.contents() == whole)
    }

    /// The second read model, courier statistics, on each backend: the same
    /// figures as on SQLite, and the same after a restart that is given
    /// some events again.
    @Test(arguments: Backend.available)
    func courierStatisticsAreTheSameWhateverTheBackendAndTheBatches(backend: Backend) async throws {
        let once = try await backend.newStatistics()
        #expect(try await once.apply(Self.log) == 9)
        let figures = try await once.statistics()
        #expect(figures.map(\.courierID) == [3, 5])
        #expect(figures.map(\.deliveries) == [0, 1])
        #expect(figures[1].distanceKilometres > 11 && figures[1].distanceKilometres < 11.2, "0.1° of latitude")
        #expect(figures[1].medianDeliverySeconds != nil && figures[0].medianDeliverySeconds == nil)
        let sqlite = try await Backend.sqlite.newStatistics()
        try await sqlite.apply(Self.log)
        #expect(try await sqlite.statistics() == figures)
        let restarted = try await backend.newStatistics()
        try await restarted.apply(Array(Self.log.prefix(6)))
        #expect(try await restarted.apply(Array(Self.log[4...])) == 3)
        #expect(try await restarted.statistics() == figures)
        #expect(try await restarted.checkpoint() == 9)
        await #expect(throws: OutOfOrder.self) { try await backend.newStatistics().apply([Self.log[1]]) }
    }

    @Test func historyAnswersWhatTheReadModelForgot() {
        #expect(
            History.statuses(of: Self.log) == [
                .placed, .assigned, .pickedUp, .placed, .assigned, .pickedUp, .inTransit, .delivered,
            ])
        #expect(History.previousStatus(of: Self.log) == .inTransit)
        #expect(History.previousStatus(of: Array(Self.log.prefix(4))) == .pickedUp)
        let holders = History.holdersBeforeRedelivery(of: Self.log)
        #expect(holders.map(\.courierID) == [3])
        #expect(holders.map(\.attempt) == [1])
        #expect(History.positions(of: Self.log).map(\.latitude) == [52.1, 52.2])
    }

    @Test func deliveryEventsTravelAsJSONWithTheKindAsKey() throws {
        for stored in Self.log {
            let json = try JSONEncoder().encode(stored.event)
            #expect(try JSONDecoder().decode(DeliveryEvent.self, from: json) == stored.event)
            #expect(!String(decoding: json, as: UTF8.self).contains("_0"))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(DeliveryEvent.self, from: Data(#"{"teleported":{}}"#.utf8))
        }
    }
}
