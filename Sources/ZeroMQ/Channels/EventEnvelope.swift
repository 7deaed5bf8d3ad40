import Foundation

/// The facts about an event that travel with it, in the second frame of the
/// channel wire format, so consumers can detect gaps and duplicates and know
/// how to decode the payload.
///
/// Layout (all integers big-endian; 54 bytes plus the event type):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 1 | format version, 1 |
/// | 1 | 1 | codec id: 1 JSON, 2 binary |
/// | 2 | 2 | schema version of the event type |
/// | 4 | 8 | sequence number, per publisher, from 1 |
/// | 12 | 8 | timestamp, nanoseconds since 1970-01-01 UTC |
/// | 20 | 16 | event id (UUID bytes) |
/// | 36 | 16 | publisher id (UUID bytes) |
/// | 52 | 2 | length n of the event type |
/// | 54 | n | event type, UTF-8 |
public struct EventEnvelope: Sendable, Hashable, Codable {
    /// Unique per event; the key for idempotent consumers.
    public var eventID: UUID
    /// The kind of event, such as `OrderPlaced`.
    public var eventType: String
    /// The publisher (or pusher) that sent it.
    public var publisherID: UUID
    /// 1, 2, 3… per publisher: a jump is a gap, a repeat a duplicate.
    public var sequence: UInt64
    /// When it was sent, in nanoseconds since 1970-01-01 UTC.
    public var timestampNanoseconds: Int64
    /// The version of the event type's schema, for consumers that read several.
    public var schemaVersion: UInt16
    /// The codec of the payload frame (``EventCodec/id``).
    public var codecID: UInt8

    /// The format version this code writes and reads.
    public static let formatVersion: UInt8 = 1
    static let fixedSize = 54

    /// When the event was sent.
    public var timestamp: Date { Date(timeIntervalSince1970: Double(timestampNanoseconds) / 1e9) }

    /// Creates an envelope.
    public init(
        eventID: UUID, eventType: String, publisherID: UUID, sequence: UInt64,
        timestampNanoseconds: Int64, schemaVersion: UInt16, codecID: UInt8
    ) {
        self.eventID = eventID
        self.eventType = eventType
        self.publisherID = publisherID
        self.sequence = sequence
        self.timestampNanoseconds = timestampNanoseconds
        self.schemaVersion = schemaVersion
        self.codecID = codecID
    }

    /// The envelope frame's bytes.
    public func encoded() -> [UInt8] {
        let type = Array(eventType.utf8.prefix(Int(UInt16.max)))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.fixedSize + type.count)
        bytes.append(Self.formatVersion)
        bytes.append(codecID)
        append(schemaVersion, to: &bytes)
        append(sequence, to: &bytes)
        append(UInt64(bitPattern: timestampNanoseconds), to: &bytes)
        withUnsafeBytes(of: eventID.uuid) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: publisherID.uuid) { bytes.append(contentsOf: $0) }
        append(UInt16(type.count), to: &bytes)
        bytes.append(contentsOf: type)
        return bytes
    }

    /// Reads an envelope frame; any other bytes throw ``ChannelError/malformedMessage(_:)``.
    public init(decoding bytes: UnsafeRawBufferPointer) throws(ChannelError) {
        guard bytes.count >= Self.fixedSize else {
            throw .malformedMessage("envelope frame of \(bytes.count) bytes, expected at least \(Self.fixedSize)")
        }
        guard bytes[0] == Self.formatVersion else {
            throw .malformedMessage("envelope format version \(bytes[0]), expected \(Self.formatVersion)")
        }
        codecID = bytes[1]
        schemaVersion = UInt16(read(bytes, at: 2, size: 2))
        sequence = read(bytes, at: 4, size: 8)
        timestampNanoseconds = Int64(bitPattern: read(bytes, at: 12, size: 8))
        eventID = uuid(bytes, at: 20)
        publisherID = uuid(bytes, at: 36)
        let typeLength = Int(read(bytes, at: 52, size: 2))
        guard bytes.count == Self.fixedSize + typeLength else {
            throw .malformedMessage(
                "envelope frame of \(bytes.count) bytes, event type says \(Self.fixedSize + typeLength)")
        }
        guard let type = String(validating: bytes[Self.fixedSize...], as: UTF8.self) else {
            throw .malformedMessage("event type is not UTF-8")
        }
        eventType = type
    }
}

private func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
}

private func read(_ bytes: UnsafeRawBufferPointer, at offset: Int, size: Int) -> UInt64 {
    var value: UInt64 = 0
    for index in offset..<(offset + size) { value = value << 8 | UInt64(bytes[index]) }
    return value
}

private func uuid(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UUID {
    var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    withUnsafeMutableBytes(of: &raw) {
        $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 16)]))
    }
    return UUID(uuid: raw)
}
