import Foundation
import ZeroMQ

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
        var bytes: [UInt8] = []
        encode(into: &bytes)
        return bytes
    }

    /// Replaces `bytes` with the envelope frame, reusing their storage when
    /// the size is the same (as it is for every event of one producer).
    @usableFromInline
    func encode(into bytes: inout [UInt8]) {
        var type = eventType
        type.withUTF8 { type in
            let type = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: type.prefix(Int(UInt16.max))))
            let size = Self.fixedSize + type.count
            if bytes.count != size { bytes = [UInt8](repeating: 0, count: size) }
            bytes.withUnsafeMutableBytes { frame in
                frame[0] = Self.formatVersion
                frame[1] = codecID
                frame.storeBytes(of: schemaVersion.bigEndian, toByteOffset: 2, as: UInt16.self)
                frame.storeBytes(of: sequence.bigEndian, toByteOffset: 4, as: UInt64.self)
                frame.storeBytes(of: timestampNanoseconds.bigEndian, toByteOffset: 12, as: Int64.self)
                frame.storeBytes(of: eventID.uuid, toByteOffset: 20, as: uuid_t.self)
                frame.storeBytes(of: publisherID.uuid, toByteOffset: 36, as: uuid_t.self)
                frame.storeBytes(of: UInt16(type.count).bigEndian, toByteOffset: 52, as: UInt16.self)
                UnsafeMutableRawBufferPointer(rebasing: frame[Self.fixedSize...]).copyMemory(from: type)
            }
        }
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
        schemaVersion = UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        sequence = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt64.self))
        timestampNanoseconds = Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: 12, as: Int64.self))
        eventID = UUID(uuid: bytes.loadUnaligned(fromByteOffset: 20, as: uuid_t.self))
        publisherID = UUID(uuid: bytes.loadUnaligned(fromByteOffset: 36, as: uuid_t.self))
        let typeLength = Int(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: 52, as: UInt16.self)))
        guard bytes.count == Self.fixedSize + typeLength else {
            throw .malformedMessage(
                "envelope frame of \(bytes.count) bytes, event type says \(Self.fixedSize + typeLength)")
        }
        guard let type = utf8String(UnsafeRawBufferPointer(rebasing: bytes[Self.fixedSize...])) else {
            throw .malformedMessage("event type is not UTF-8")
        }
        eventType = type
    }
}
