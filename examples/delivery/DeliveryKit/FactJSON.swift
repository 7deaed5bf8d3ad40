import Foundation

// The store's rows, written as JSON by hand. Every fact is encoded once on
// its way into the store, and Foundation's `JSONEncoder` takes about 12 µs a
// fact on the 2-core benchmark machine, the largest share of the store's
// ingest; this writer takes about 1 µs. It writes what `JSONEncoder` writes
// for ``DeliveryEvent`` (the case as the only key, each struct's properties
// by name), which `JSONDecoder` reads back; tests compare the two.

/// A JSON object being written into a byte buffer.
struct FactJSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init() { bytes.reserveCapacity(320) }

    /// `{"key":` … `}` around what `body` writes.
    mutating func object(_ body: (inout FactJSONWriter) throws -> Void) rethrows {
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        try body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func key(_ name: StaticString) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        needsComma = false
    }

    mutating func field(_ name: StaticString, _ value: Int) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    mutating func field(_ name: StaticString, _ value: Double) throws {
        // What JSONEncoder refuses by default, so does this.
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: [], debugDescription: "\(name) is not a finite number"))
        }
        key(name)
        // Swift's shortest round-tripping form: valid JSON (`52.37`, `1e-05`), read back exactly.
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    mutating func field(_ name: StaticString, _ value: String) {
        key(name)
        string(value)
        needsComma = true
    }

    mutating func field(_ name: StaticString, _ value: UUID) { field(name, value.text) }

    mutating func field(_ name: StaticString, _ value: [String]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, item) in value.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(item)
        }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    mutating func field(_ name: StaticString, _ value: Position) throws {
        key(name)
        try object { json in
            try json.field("latitude", value.latitude)
            try json.field("longitude", value.longitude)
        }
    }

    /// A JSON string: quotes, backslashes and control characters escaped, the rest as UTF-8.
    private mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xf)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension DeliveryEvent {
    /// The event as JSON, the form the store keeps: `{"delivered":{"eventID":…}}`.
    public func json() throws -> Data {
        var json = FactJSONWriter()
        try json.object { json in
            switch self {
            case .orderPlaced(let fact):
                json.key("orderPlaced")
                try json.object { json in
                    json.field("eventID", fact.eventID)
                    json.field("orderID", fact.orderID)
                    json.field("customer", fact.customer)
                    json.field("phone", fact.phone)
                    json.field("pickup", fact.pickup)
                    try json.field("pickupPosition", fact.pickupPosition)
                    json.field("dropoff", fact.dropoff)
                    try json.field("dropoffPosition", fact.dropoffPosition)
                    json.field("items", fact.items)
                    json.field("totalCents", fact.totalCents)
                    json.field("note", fact.note)
                }
            case .orderPointer(let fact):
                json.key("orderPointer")
                json.object { json in
                    json.field("eventID", fact.eventID)
                    json.field("orderID", fact.orderID)
                }
            case .courierAssigned(let fact):
                json.key("courierAssigned")
                json.object { json in
                    json.field("eventID", fact.eventID)
                    json.field("orderID", fact.orderID)
                    json.field("courierID", fact.courierID)
                    json.field("attempt", fact.attempt)
                }
            case .pickedUp(let fact):
                json.key("pickedUp")
                json.object { json in
                    json.field("eventID", fact.eventID)
                    json.field("orderID", fact.orderID)
                    json.field("courierID", fact.courierID)
                }
            case .locationUpdated(let fact):
                json.key("locationUpdated")
                try json.object { json in
                    json.field("eventID", fact.eventID)
                    json.field("orderID", fact.orderID)
                    json.field("courierID", fact.courierID)
                    try json.field("position", fact.position)
                    try json.field("speedKmh", fact.speedKmh)
                    try json.field("headingDegrees", fact.headingDegrees)
                    json.field("batteryPercent", fact.batteryPercent)
                    json.field("step", fact.step)
                    json.field("steps", fact.steps)
                }
            case .delivered(let fact):
                json.key("delivered")
                json.object { json in
                    json.field("eventID", fact.eventID)
                    json.field("orderID", fact.orderID)
                    json.field("courierID", fact.courierID)
                }
            case .jobRedelivered(let fact):
                json.key("jobRedelivered")
                json.object { json in
                    json.field("eventID", fact.eventID)
                    json.field("orderID", fact.orderID)
                    json.field("attempt", fact.attempt)
                    json.field("reason", fact.reason)
                }
            case .orderCancelled(let fact):
                json.key("orderCancelled")
                json.object { json in
                    json.field("eventID", fact.eventID)
                    json.field("orderID", fact.orderID)
                    json.field("reason", fact.reason)
                }
            }
        }
        return Data(json.bytes)
    }
}
