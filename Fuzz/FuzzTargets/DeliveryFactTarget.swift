import DeliveryKit
import Foundation
import ZeroMQ

/// A delivery fact as the example's event store receives it from any
/// producer (the binary format, `BinaryFacts.swift`): any bytes decode or are
/// refused. What decodes writes back to bytes that decode to the same bytes
/// again, and the JSON row the store writes for it by hand (`FactJSON.swift`)
/// can be written (a fact whose row cannot be would fail every commit it joins)
/// and reads back through `JSONDecoder` as the same fact.
let deliveryFactTarget = FuzzTarget(
    name: "delivery-fact", summary: "the delivery store's binary facts and its hand-written JSON rows",
    run: { bytes in
        let codec = FactChannel.codec
        guard let fact = try? codec.decode(DeliveryEvent.self, from: bytes) else { return }
        let written = try! codec.encode(fact)
        let reread = try! written.withUnsafeBytes { try codec.decode(DeliveryEvent.self, from: $0) }
        precondition(try! codec.encode(reread) == written, "a fact does not write back the same")
        let row = try! fact.json()
        let fromRow = try? JSONDecoder().decode(DeliveryEvent.self, from: row)
        precondition(fromRow == fact, "the store's JSON row does not read back as the fact")
    },
    seeds: {
        let id = UUID()
        let facts: [DeliveryEvent] = [
            .orderPlaced(
                OrderPlaced(
                    eventID: id, orderID: 1, customer: "Ada \"\\\n\u{1}", phone: "+31", pickup: "Pizza Roma",
                    pickupPosition: Position(latitude: 52.37, longitude: 4.89), dropoff: "12 Elm St",
                    dropoffPosition: Position(latitude: -0.0, longitude: 1e-300), items: ["a", "ü"], totalCents: 1250,
                    note: "")),
            .orderPointer(OrderPointer(eventID: id, orderID: 2)),
            .courierAssigned(CourierAssigned(eventID: id, orderID: 3, courierID: 4, attempt: 5)),
            .pickedUp(PickedUp(eventID: id, orderID: 6, courierID: 7)),
            .locationUpdated(
                LocationUpdated(
                    eventID: id, orderID: 8, courierID: 9, position: Position(latitude: 1, longitude: 2), speedKmh: 18,
                    headingDegrees: 359.5, batteryPercent: 80, step: 1, steps: 5)),
            .delivered(Delivered(eventID: id, orderID: Int.max, courierID: Int.min)),
            .jobRedelivered(JobRedelivered(eventID: id, orderID: 10, attempt: 2, reason: "late")),
        ]
        return facts.map { try! FactChannel.codec.encode($0) }
    }
)
