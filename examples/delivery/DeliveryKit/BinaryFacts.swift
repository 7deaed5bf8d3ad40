import Foundation
import ZeroMQ
import ZeroMQChannels

// The facts in the binary format (`BinaryEventCodec`), written and read by
// hand: the path from the producers to the store carries every fact once, and
// Foundation's JSON coders cost it more than anything else (about 12 µs to
// encode and 16 µs to decode a `LocationUpdated` on the 2-core benchmark
// machine). Each struct is written as its `Codable` form would be, its
// properties in declaration order; a `DeliveryEvent` as its case name, then
// the fact (its JSON form, the case as the only key, is not positional).

extension UUID {
    /// As its `Codable` form writes it: the string.
    fileprivate func write(to writer: inout BinaryPayloadWriter) { writer.write(text) }

    fileprivate static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> UUID {
        let text: String = try reader.read()
        guard let id = UUID(text: text) else { throw ChannelError.malformedPayload("not a UUID: \(PeerText.escaped(text))") }
        return id
    }
}

extension Position: BinaryPayloadCodable {
    public func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        writer.write(latitude)
        writer.write(longitude)
    }

    public static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> Position {
        try reader.beginStruct()
        return Position(latitude: try reader.readFinite(), longitude: try reader.readFinite())
    }
}

extension BinaryPayloadReader {
    /// A number of a fact: refused unless finite. The store writes every fact
    /// as a JSON row, which cannot hold NaN or an infinity; a fact refused here
    /// is acknowledged and dropped as undecodable, where one that failed at the
    /// commit would come again and again, and hold up every batch it joined.
    mutating func readFinite() throws(ChannelError) -> Double {
        let value: Double = try read()
        guard value.isFinite else { throw ChannelError.malformedPayload("a fact's number is not finite: \(value)") }
        return value
    }
}

extension OrderPlaced: BinaryPayloadCodable {
    public func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        eventID.write(to: &writer)
        writer.write(orderID)
        writer.write(customer)
        writer.write(phone)
        writer.write(pickup)
        writer.write(pickupPosition)
        writer.write(dropoff)
        writer.write(dropoffPosition)
        writer.write(items)
        writer.write(totalCents)
        writer.write(note)
    }

    public static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> OrderPlaced {
        try reader.beginStruct()
        return OrderPlaced(
            eventID: try UUID.read(from: &reader), orderID: try reader.read(), customer: try reader.read(),
            phone: try reader.read(), pickup: try reader.read(), pickupPosition: try reader.read(),
            dropoff: try reader.read(), dropoffPosition: try reader.read(), items: try reader.read(),
            totalCents: try reader.read(), note: try reader.read())
    }
}

extension OrderPointer: BinaryPayloadCodable {
    public func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        eventID.write(to: &writer)
        writer.write(orderID)
    }

    public static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> OrderPointer {
        try reader.beginStruct()
        return OrderPointer(eventID: try UUID.read(from: &reader), orderID: try reader.read())
    }
}

extension CourierAssigned: BinaryPayloadCodable {
    public func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        eventID.write(to: &writer)
        writer.write(orderID)
        writer.write(courierID)
        writer.write(attempt)
    }

    public static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> CourierAssigned {
        try reader.beginStruct()
        return CourierAssigned(
            eventID: try UUID.read(from: &reader), orderID: try reader.read(), courierID: try reader.read(),
            attempt: try reader.read())
    }
}

/// A fact that is an id, an order and a courier, and nothing else.
private protocol OrderAndCourier: BinaryPayloadCodable {
    init(eventID: UUID, orderID: Int, courierID: Int)
    var eventID: UUID { get }
    var orderID: Int { get }
    var courierID: Int { get }
}

extension OrderAndCourier {
    public func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        eventID.write(to: &writer)
        writer.write(orderID)
        writer.write(courierID)
    }

    public static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> Self {
        try reader.beginStruct()
        return Self(eventID: try UUID.read(from: &reader), orderID: try reader.read(), courierID: try reader.read())
    }
}

extension PickedUp: OrderAndCourier {}

extension LocationUpdated: BinaryPayloadCodable {
    public func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        eventID.write(to: &writer)
        writer.write(orderID)
        writer.write(courierID)
        writer.write(position)
        writer.write(speedKmh)
        writer.write(headingDegrees)
        writer.write(batteryPercent)
        writer.write(step)
        writer.write(steps)
    }

    public static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> LocationUpdated {
        try reader.beginStruct()
        return LocationUpdated(
            eventID: try UUID.read(from: &reader), orderID: try reader.read(), courierID: try reader.read(),
            position: try reader.read(), speedKmh: try reader.readFinite(), headingDegrees: try reader.readFinite(),
            batteryPercent: try reader.read(), step: try reader.read(), steps: try reader.read())
    }
}

extension Delivered: OrderAndCourier {}

extension JobRedelivered: BinaryPayloadCodable {
    public func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        eventID.write(to: &writer)
        writer.write(orderID)
        writer.write(attempt)
        writer.write(reason)
    }

    public static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> JobRedelivered {
        try reader.beginStruct()
        return JobRedelivered(
            eventID: try UUID.read(from: &reader), orderID: try reader.read(), attempt: try reader.read(),
            reason: try reader.read())
    }
}

extension OrderCancelled: BinaryPayloadCodable {
    public func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        eventID.write(to: &writer)
        writer.write(orderID)
        writer.write(reason)
    }

    public static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> OrderCancelled {
        try reader.beginStruct()
        return OrderCancelled(eventID: try UUID.read(from: &reader), orderID: try reader.read(), reason: try reader.read())
    }
}

extension DeliveryEvent: BinaryPayloadCodable {
    public func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        switch self {
        case .orderPlaced(let fact): writer.write("orderPlaced"); writer.write(fact)
        case .orderPointer(let fact): writer.write("orderPointer"); writer.write(fact)
        case .courierAssigned(let fact): writer.write("courierAssigned"); writer.write(fact)
        case .pickedUp(let fact): writer.write("pickedUp"); writer.write(fact)
        case .locationUpdated(let fact): writer.write("locationUpdated"); writer.write(fact)
        case .delivered(let fact): writer.write("delivered"); writer.write(fact)
        case .jobRedelivered(let fact): writer.write("jobRedelivered"); writer.write(fact)
        case .orderCancelled(let fact): writer.write("orderCancelled"); writer.write(fact)
        }
    }

    public static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> DeliveryEvent {
        try reader.beginStruct()
        let kind: String = try reader.read()
        switch kind {
        case "orderPlaced": return .orderPlaced(try reader.read())
        case "orderPointer": return .orderPointer(try reader.read())
        case "courierAssigned": return .courierAssigned(try reader.read())
        case "pickedUp": return .pickedUp(try reader.read())
        case "locationUpdated": return .locationUpdated(try reader.read())
        case "delivered": return .delivered(try reader.read())
        case "jobRedelivered": return .jobRedelivered(try reader.read())
        case "orderCancelled": return .orderCancelled(try reader.read())
        default: throw ChannelError.malformedPayload("not a kind of delivery event: \(PeerText.escaped(kind))")
        }
    }
}
