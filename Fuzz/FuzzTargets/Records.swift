import ZeroMQ
import ZeroMQChannels

/// The event the codec targets decode: every kind of value the binary
/// format has, nested. `FuzzRecord` reads itself (``BinaryPayloadCodable``);
/// `FuzzCodableRecord` has the same fields and goes through `Codable`, so the
/// two decoders can be compared on the same bytes.
struct FuzzRecord: BinaryPayloadCodable, Equatable {
    var id: Int64
    var small: UInt16
    var name: String
    var flag: Bool
    var note: String?
    var counts: [Int]
    var parts: [FuzzPart]

    func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        writer.write(id)
        writer.write(small)
        writer.write(name)
        writer.write(flag)
        writer.write(note)
        writer.write(counts)
        writer.write(parts)
    }

    static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> Self {
        try reader.beginStruct()
        return Self(
            id: try reader.read(), small: try reader.read(), name: try reader.read(), flag: try reader.read(),
            note: try reader.read(), counts: try reader.read(), parts: try reader.read())
    }

    static let sample = FuzzRecord(
        id: -42, small: 7, name: "pizza", flag: true, note: nil, counts: [1, -2, 3],
        parts: [FuzzPart(label: "a", value: 1), FuzzPart(label: "b\u{1B}", value: .max)])
}

/// A nested value of ``FuzzRecord``.
struct FuzzPart: BinaryPayloadCodable, Equatable {
    var label: String
    var value: UInt64

    func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        writer.write(label)
        writer.write(value)
    }

    static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> Self {
        try reader.beginStruct()
        return Self(label: try reader.read(), value: try reader.read())
    }
}

/// ``FuzzRecord`` without the direct binary form: decoded through `Codable`.
struct FuzzCodableRecord: Codable, Equatable {
    var id: Int64
    var small: UInt16
    var name: String
    var flag: Bool
    var note: String?
    var counts: [Int]
    var parts: [FuzzCodablePart]

    var record: FuzzRecord {
        FuzzRecord(
            id: id, small: small, name: name, flag: flag, note: note, counts: counts,
            parts: parts.map { FuzzPart(label: $0.label, value: $0.value) })
    }
}

/// ``FuzzPart`` through `Codable`.
struct FuzzCodablePart: Codable, Equatable {
    var label: String
    var value: UInt64
}
