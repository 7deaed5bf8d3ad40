import DeliveryKit
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

    @Test func theReadModelHoldsCurrentStateOnly() throws {
        let model = try TrackingModel(replaying: Self.log)
        let order = try #require(model.orders[1])
        #expect(order.status == .delivered)
        #expect(order.courierID == 5)
        #expect(order.attempts == 2)
        #expect(model.couriers[5]?.deliveries == 1)
        #expect(model.couriers[5]?.currentOrder == nil)
        #expect(model.couriers[3]?.currentOrder == nil, "the redelivery took the job from courier 3")
        #expect(model.checkpoint == 9)
    }

    @Test func eventsOutOfSequenceAreRefusedNotSkipped() throws {
        var model = TrackingModel()
        try model.apply(Self.log[0])
        #expect(throws: TrackingModel.OutOfOrder.self) { try model.apply(Self.log[2]) }
        #expect(throws: TrackingModel.OutOfOrder.self) { try model.apply(Self.log[0]) }
        try model.apply(Self.log[1])
        #expect(model.checkpoint == 2)
    }

    @Test func replayingTheSameLogGivesTheSameModel() throws {
        #expect(try TrackingModel(replaying: Self.log) == TrackingModel(replaying: Self.log))
        #expect(try TrackingModel(replaying: Self.log.prefix(5)) != TrackingModel(replaying: Self.log))
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
