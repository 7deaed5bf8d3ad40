import Foundation

extension EventKind {
    /// The version of this kind's schema that this build writes. Each stored
    /// row records the version it was written in; ``Upcaster`` reads older ones.
    ///
    /// - `courier.location` 2: `headingDegrees` added (version 1 had none).
    /// - every other kind: 1.
    public var schemaVersion: Int {
        switch self {
        case .locationUpdated: 2
        default: 1
        }
    }
}

extension DeliveryEvent {
    /// The schema version this build writes the event in (``EventKind/schemaVersion``).
    public var schemaVersion: Int { kind.schemaVersion }
}

/// Reads a stored row in whatever schema version it was written, as the
/// current ``DeliveryEvent``: the log is never rewritten, so old versions
/// are brought up to date each time they are read. Every ``EventLog`` reads
/// its rows through it.
public enum Upcaster {
    /// Whether reading a row of `kind` in `schemaVersion` looks up its order
    /// (``event(kind:schemaVersion:body:order:)``'s `order`).
    public static func needsOrder(kind: String, schemaVersion: Int) -> Bool {
        EventKind(rawValue: kind) == .locationUpdated && schemaVersion == 1
    }

    /// The order id in a row's JSON, whatever its kind and version.
    public static func orderID(in body: Data) throws -> Int {
        struct Row: Decodable {
            struct Fact: Decodable { var orderID: Int }
            var fact: Fact
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                let kinds = try container.decode([String: Fact].self)
                guard kinds.count == 1, let fact = kinds.values.first else {
                    throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "expected one event kind"))
                }
                self.fact = fact
            }
        }
        return try JSONDecoder().decode(Row.self, from: body).fact.orderID
    }

    /// The event in `body` (JSON), written as `kind` in `schemaVersion`.
    /// `order` looks up a complete order, for an upcast that derives a field from it.
    public static func event(
        kind: String, schemaVersion: Int, body: Data, order: (Int) throws -> OrderPlaced?
    ) throws -> DeliveryEvent {
        switch (EventKind(rawValue: kind), schemaVersion) {
        case (.locationUpdated, 1):
            return .locationUpdated(
                try JSONDecoder().decode(LocationUpdatedV1.Stored.self, from: body).locationUpdated
                    .upcast(order: order))
        default:
            return try JSONDecoder().decode(DeliveryEvent.self, from: body)
        }
    }
}

/// `courier.location` as version 1 wrote it: no heading.
struct LocationUpdatedV1: Decodable {
    /// The row's JSON: the kind as the only key.
    struct Stored: Decodable { var locationUpdated: LocationUpdatedV1 }

    var eventID: UUID
    var orderID: Int
    var courierID: Int
    var position: Position
    var speedKmh: Double
    var batteryPercent: Int
    var step: Int
    var steps: Int

    /// Version 2: the heading derived as a version-2 courier computes it, the
    /// bearing of the straight line from the order's pickup to its drop-off;
    /// 0 (north) when the store does not have the order.
    func upcast(order: (Int) throws -> OrderPlaced?) throws -> LocationUpdated {
        let heading = try order(orderID).map { $0.pickupPosition.bearing(to: $0.dropoffPosition) } ?? 0
        return LocationUpdated(
            eventID: eventID, orderID: orderID, courierID: courierID, position: position, speedKmh: speedKmh,
            headingDegrees: heading, batteryPercent: batteryPercent, step: step, steps: steps)
    }
}

extension Position {
    /// The heading from here to `other` in degrees clockwise from north, in
    /// `0..<360`, on a flat map (what a courier's short ride needs).
    public func bearing(to other: Position) -> Double {
        let degrees = atan2(other.longitude - longitude, other.latitude - latitude) * 180 / .pi
        return (degrees + 360).truncatingRemainder(dividingBy: 360)
    }
}
