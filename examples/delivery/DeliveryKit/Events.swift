import Foundation
import ZeroMQ
import ZeroMQChannels

/// A point on the map, in degrees.
public struct Position: Codable, Sendable, Hashable, CustomStringConvertible {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    public var description: String {
        String(format: "%.4f,%.4f", latitude, longitude)
    }
}

/// What every delivery fact carries: its own id and the order it is about.
public protocol Fact: Codable, Sendable, Hashable {
    /// The fact's id: the store and the consumers deduplicate by it.
    var eventID: UUID { get }
    /// The order the fact is about.
    var orderID: Int { get }
}

/// A placed order with everything about it: the **complete** form, which the
/// order service appends to the event store. The bus carries only an
/// ``OrderPointer`` to it.
public struct OrderPlaced: Fact {
    public var eventID: UUID
    public var orderID: Int
    public var customer: String
    public var phone: String
    public var pickup: String
    public var pickupPosition: Position
    public var dropoff: String
    public var dropoffPosition: Position
    public var items: [String]
    public var totalCents: Int
    public var note: String

    public init(
        eventID: UUID, orderID: Int, customer: String, phone: String, pickup: String, pickupPosition: Position,
        dropoff: String, dropoffPosition: Position, items: [String], totalCents: Int, note: String
    ) {
        self.eventID = eventID
        self.orderID = orderID
        self.customer = customer
        self.phone = phone
        self.pickup = pickup
        self.pickupPosition = pickupPosition
        self.dropoff = dropoff
        self.dropoffPosition = dropoffPosition
        self.items = items
        self.totalCents = totalCents
        self.note = note
    }
}

/// A **pointer** event: "order N was placed", and nothing else. Consumers that
/// need the customer or the addresses fetch the order from the event store,
/// which costs them a round trip but keeps the bus small and the data in one
/// place.
public struct OrderPointer: Fact {
    /// The id of the stored ``OrderPlaced`` event this points at.
    public var eventID: UUID
    public var orderID: Int

    public init(eventID: UUID, orderID: Int) {
        self.eventID = eventID
        self.orderID = orderID
    }
}

/// A courier took a job (each attempt of a redelivered job is assigned again).
public struct CourierAssigned: Fact {
    public var eventID: UUID
    public var orderID: Int
    public var courierID: Int
    public var attempt: Int

    public init(eventID: UUID, orderID: Int, courierID: Int, attempt: Int) {
        self.eventID = eventID
        self.orderID = orderID
        self.courierID = courierID
        self.attempt = attempt
    }
}

/// A courier collected the order at the pickup address.
public struct PickedUp: Fact {
    public var eventID: UUID
    public var orderID: Int
    public var courierID: Int

    public init(eventID: UUID, orderID: Int, courierID: Int) {
        self.eventID = eventID
        self.orderID = orderID
        self.courierID = courierID
    }
}

/// A courier's position on the way: a **complete** event, carrying all its
/// data so that trackers need nothing else.
public struct LocationUpdated: Fact {
    public var eventID: UUID
    public var orderID: Int
    public var courierID: Int
    public var position: Position
    public var speedKmh: Double
    public var headingDegrees: Double
    public var batteryPercent: Int
    public var step: Int
    public var steps: Int

    public init(
        eventID: UUID, orderID: Int, courierID: Int, position: Position, speedKmh: Double, headingDegrees: Double,
        batteryPercent: Int, step: Int, steps: Int
    ) {
        self.eventID = eventID
        self.orderID = orderID
        self.courierID = courierID
        self.position = position
        self.speedKmh = speedKmh
        self.headingDegrees = headingDegrees
        self.batteryPercent = batteryPercent
        self.step = step
        self.steps = steps
    }
}

/// The order reached its customer. Its event id is derived from the order id
/// (``DeliveryEvent/deliveredEventID(orderID:)``), so a second courier that
/// delivers a redelivered job produces the *same* event, which the store and
/// every consumer recognise and ignore: delivery is idempotent.
public struct Delivered: Fact {
    public var eventID: UUID
    public var orderID: Int
    public var courierID: Int

    public init(eventID: UUID, orderID: Int, courierID: Int) {
        self.eventID = eventID
        self.orderID = orderID
        self.courierID = courierID
    }
}

/// The dispatcher gave up waiting for a courier's acknowledgement and handed
/// the job out again.
public struct JobRedelivered: Fact {
    public var eventID: UUID
    public var orderID: Int
    public var attempt: Int
    public var reason: String

    public init(eventID: UUID, orderID: Int, attempt: Int, reason: String) {
        self.eventID = eventID
        self.orderID = orderID
        self.attempt = attempt
        self.reason = reason
    }
}

/// The order service cancelled the order at its customer's request, having
/// read the order's stream and found it not yet picked up. Appended with the
/// stream version it read (``ExpectedVersion/exactly(_:)``), so a pickup
/// that got in first turns it into a conflict instead of a contradiction.
public struct OrderCancelled: Fact {
    public var eventID: UUID
    public var orderID: Int
    public var reason: String

    public init(eventID: UUID, orderID: Int, reason: String) {
        self.eventID = eventID
        self.orderID = orderID
        self.reason = reason
    }
}

/// Every fact of the delivery subsystem: what the bus carries and the event
/// store keeps.
public enum DeliveryEvent: Codable, Sendable, Hashable {
    /// Complete order, appended by the order service; stored, never on the bus.
    case orderPlaced(OrderPlaced)
    /// Pointer to a stored ``OrderPlaced``: what the bus says about a new order.
    case orderPointer(OrderPointer)
    case courierAssigned(CourierAssigned)
    case pickedUp(PickedUp)
    case locationUpdated(LocationUpdated)
    case delivered(Delivered)
    case jobRedelivered(JobRedelivered)
    case orderCancelled(OrderCancelled)

    /// The fact inside, whatever its kind.
    public var fact: any Fact {
        switch self {
        case .orderPlaced(let fact): fact
        case .orderPointer(let fact): fact
        case .courierAssigned(let fact): fact
        case .pickedUp(let fact): fact
        case .locationUpdated(let fact): fact
        case .delivered(let fact): fact
        case .jobRedelivered(let fact): fact
        case .orderCancelled(let fact): fact
        }
    }

    /// The fact's own id: the store and the consumers deduplicate by it.
    public var eventID: UUID { fact.eventID }

    /// The order the fact is about.
    public var orderID: Int { fact.orderID }

    /// The courier the fact is about, if any.
    public var courierID: Int? {
        switch self {
        case .courierAssigned(let e): e.courierID
        case .pickedUp(let e): e.courierID
        case .locationUpdated(let e): e.courierID
        case .delivered(let e): e.courierID
        case .orderPlaced, .orderPointer, .jobRedelivered, .orderCancelled: nil
        }
    }

    /// The role that sends facts of this kind: `orders`, `dispatcher` or `courier-N`.
    public var sender: String {
        switch self {
        case .orderPlaced, .orderPointer, .orderCancelled: "orders"
        case .jobRedelivered: "dispatcher"
        case .courierAssigned, .pickedUp, .locationUpdated, .delivered: "courier-\(courierID ?? 0)"
        }
    }

    /// The event's kind, as stored and as the last part of its topic.
    public var kind: EventKind {
        switch self {
        case .orderPlaced, .orderPointer: .orderPlaced
        case .courierAssigned: .courierAssigned
        case .pickedUp: .pickedUp
        case .locationUpdated: .locationUpdated
        case .delivered: .delivered
        case .jobRedelivered: .jobRedelivered
        case .orderCancelled: .orderCancelled
        }
    }

    private enum CodingKeys: String, CodingKey {
        case orderPlaced, orderPointer, courierAssigned, pickedUp, locationUpdated, delivered, jobRedelivered
        case orderCancelled
    }

    /// JSON with the case as the only key: `{"delivered":{"orderID":7,…}}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(fact, forKey: key)
    }

    /// The JSON key of this case.
    private var key: CodingKeys {
        switch self {
        case .orderPlaced: .orderPlaced
        case .orderPointer: .orderPointer
        case .courierAssigned: .courierAssigned
        case .pickedUp: .pickedUp
        case .locationUpdated: .locationUpdated
        case .delivered: .delivered
        case .jobRedelivered: .jobRedelivered
        case .orderCancelled: .orderCancelled
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "expected exactly one event kind as the key"))
        }
        switch key {
        case .orderPlaced: self = .orderPlaced(try container.decode(OrderPlaced.self, forKey: key))
        case .orderPointer: self = .orderPointer(try container.decode(OrderPointer.self, forKey: key))
        case .courierAssigned: self = .courierAssigned(try container.decode(CourierAssigned.self, forKey: key))
        case .pickedUp: self = .pickedUp(try container.decode(PickedUp.self, forKey: key))
        case .locationUpdated: self = .locationUpdated(try container.decode(LocationUpdated.self, forKey: key))
        case .delivered: self = .delivered(try container.decode(Delivered.self, forKey: key))
        case .jobRedelivered: self = .jobRedelivered(try container.decode(JobRedelivered.self, forKey: key))
        case .orderCancelled: self = .orderCancelled(try container.decode(OrderCancelled.self, forKey: key))
        }
    }

    /// Where the fact is published on the bus: `delivery.<kind>`.
    public var topic: Topic { kind.topic }

    /// The id every ``Delivered`` event of `orderID` carries, whoever delivers it.
    public static func deliveredEventID(orderID: Int) -> UUID {
        // "de11" + version 4 / variant bits + the order id: readable in a dump.
        UUID(uuidString: String(format: "de11e7ed-0000-4000-8000-%012llx", Int64(orderID)))!
    }
}

/// The kinds of ``DeliveryEvent``, named as on the bus.
public enum EventKind: String, Codable, Sendable, CaseIterable {
    case orderPlaced = "order.placed"
    case courierAssigned = "courier.assigned"
    case pickedUp = "order.picked-up"
    case locationUpdated = "courier.location"
    case delivered = "order.delivered"
    case jobRedelivered = "job.redelivered"
    case orderCancelled = "order.cancelled"

    /// The topic facts of this kind are sent under: `delivery.order.placed`, `delivery.courier.location`, ….
    public var topic: Topic { EventKind.topics[self]! }

    /// Every kind's topic, made (and checked) once.
    private static let topics = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0, Topic(stringLiteral: "delivery.\($0.rawValue)")) })

    /// Whether the bus carries all of the entity's data (complete) or only an
    /// id to look up (pointer).
    public var style: String { self == .orderPlaced ? "pointer" : "complete" }
}

/// An event as the event store keeps it: numbered by one global, gap-free
/// sequence, in the order it was appended.
public struct StoredEvent: Codable, Sendable, Hashable {
    /// Position in the store, from 1.
    public var sequence: Int64
    public var event: DeliveryEvent
    /// When the store appended it.
    public var recordedAt: Date
    /// Its version within its stream (``DeliveryEvent/stream``), from 1.
    public var version: Int64
    /// Its order's correlation id and the fact that caused it, as its sender
    /// gave them. The store's answers carry it; its committed feed leaves it
    /// out (``Causation/unknown``), since no projection needs it.
    public var causation: Causation

    public init(
        sequence: Int64, event: DeliveryEvent, recordedAt: Date, version: Int64, causation: Causation = .unknown
    ) {
        self.sequence = sequence
        self.event = event
        self.recordedAt = recordedAt
        self.version = version
        self.causation = causation
    }

    /// Reads a stored event, with or without its causation (the feed's messages have none).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sequence = try container.decode(Int64.self, forKey: .sequence)
        event = try container.decode(DeliveryEvent.self, forKey: .event)
        recordedAt = try container.decode(Date.self, forKey: .recordedAt)
        version = try container.decode(Int64.self, forKey: .version)
        causation = try container.decodeIfPresent(Causation.self, forKey: .causation) ?? .unknown
    }

    private enum CodingKeys: String, CodingKey { case sequence, event, recordedAt, version, causation }
}

/// Topics of the store's feed: every stored event again, in sequence order,
/// for projections (`stored.<kind>`).
public enum FeedTopic {
    /// The prefix projections subscribe to.
    public static let all: Topic = "stored"

    /// The feed topic of one kind.
    public static func of(_ kind: EventKind) -> Topic { topics[kind]! }

    /// Every kind's feed topic, made (and checked) once.
    private static let topics = Dictionary(
        uniqueKeysWithValues: EventKind.allCases.map { ($0, Topic(stringLiteral: "stored.\($0.rawValue)")) })
}
