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
///
/// Format version 2 adds a metadata section after the event type (see
/// ``EventMetadata``): a `u8` count of entries, then for each a `u8` key
/// length, the key (ASCII), a `u16` value length and the value (UTF-8), keys
/// in ascending byte order. An envelope without metadata is written in
/// version 1, so a reader that knows only version 1 reads it, and rejects a
/// version-2 one with "envelope format version 2, expected 1".
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
    /// Trace context, correlation and causation ids; empty for most events.
    public var metadata: EventMetadata

    /// The newest format version this code writes and reads; it reads version 1 too.
    public static let formatVersion: UInt8 = 2
    /// The format version of an envelope without metadata.
    public static let formatVersionWithoutMetadata: UInt8 = 1
    static let fixedSize = 54

    /// When the event was sent.
    public var timestamp: Date { Date(timeIntervalSince1970: Double(timestampNanoseconds) / 1e9) }

    /// Creates an envelope.
    public init(
        eventID: UUID, eventType: String, publisherID: UUID, sequence: UInt64,
        timestampNanoseconds: Int64, schemaVersion: UInt16, codecID: UInt8, metadata: EventMetadata = EventMetadata()
    ) {
        self.eventID = eventID
        self.eventType = eventType
        self.publisherID = publisherID
        self.sequence = sequence
        self.timestampNanoseconds = timestampNanoseconds
        self.schemaVersion = schemaVersion
        self.codecID = codecID
        self.metadata = metadata
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
            if metadata.isEmpty {
                if bytes.count != size { bytes = [UInt8](repeating: 0, count: size) }
            } else {
                bytes.removeAll(keepingCapacity: true)
                bytes.append(contentsOf: repeatElement(0, count: size))
            }
            bytes.withUnsafeMutableBytes { frame in
                frame[0] = metadata.isEmpty ? Self.formatVersionWithoutMetadata : Self.formatVersion
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
        if !metadata.isEmpty { appendMetadata(to: &bytes) }
    }

    /// The version-2 metadata section: entries in ascending key order, so the
    /// same metadata always gives the same bytes. ``EventMetadata`` keeps keys
    /// and values within the field sizes.
    private func appendMetadata(to bytes: inout [UInt8]) {
        let entries = metadata.entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        bytes.append(UInt8(entries.count))
        for (key, value) in entries {
            bytes.append(UInt8(key.utf8.count))
            bytes.append(contentsOf: key.utf8)
            let length = UInt16(value.utf8.count)
            bytes.append(UInt8(length >> 8))
            bytes.append(UInt8(length & 0xFF))
            bytes.append(contentsOf: value.utf8)
        }
    }

    /// Reads an envelope frame of format version 1 or 2; any other bytes
    /// throw ``ChannelError/malformedMessage(_:)``.
    public init(decoding bytes: UnsafeRawBufferPointer) throws(ChannelError) {
        guard bytes.count >= Self.fixedSize else {
            throw .malformedMessage("envelope frame of \(bytes.count) bytes, expected at least \(Self.fixedSize)")
        }
        let version = bytes[0]
        guard version == Self.formatVersionWithoutMetadata || version == Self.formatVersion else {
            throw .malformedMessage(
                "envelope format version \(version), expected \(Self.formatVersionWithoutMetadata) or \(Self.formatVersion)")
        }
        codecID = bytes[1]
        schemaVersion = UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        sequence = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt64.self))
        timestampNanoseconds = Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: 12, as: Int64.self))
        eventID = UUID(uuid: bytes.loadUnaligned(fromByteOffset: 20, as: uuid_t.self))
        publisherID = UUID(uuid: bytes.loadUnaligned(fromByteOffset: 36, as: uuid_t.self))
        let typeEnd = Self.fixedSize + Int(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: 52, as: UInt16.self)))
        if version == Self.formatVersionWithoutMetadata {
            guard bytes.count == typeEnd else {
                throw .malformedMessage("envelope frame of \(bytes.count) bytes, event type says \(typeEnd)")
            }
            metadata = EventMetadata()
        } else {
            guard bytes.count > typeEnd else {
                throw .malformedMessage("version-2 envelope of \(bytes.count) bytes, no metadata after the event type")
            }
            metadata = try Self.metadata(in: UnsafeRawBufferPointer(rebasing: bytes[typeEnd...]))
        }
        guard let type = utf8String(UnsafeRawBufferPointer(rebasing: bytes[Self.fixedSize..<typeEnd])) else {
            throw .malformedMessage("event type is not UTF-8")
        }
        eventType = type
    }

    /// Reads a metadata section, holding a peer to ``EventMetadata``'s rules:
    /// at most ``EventMetadata/maximumCount`` entries, valid keys in strictly
    /// ascending order (so no key twice), UTF-8 values within the limit, and
    /// nothing after the last entry.
    private static func metadata(in section: UnsafeRawBufferPointer) throws(ChannelError) -> EventMetadata {
        var offset = 0
        func take(_ count: Int, _ what: String) throws(ChannelError) -> UnsafeRawBufferPointer {
            guard section.count - offset >= count else {
                throw .malformedMessage("envelope metadata ends inside \(what)")
            }
            defer { offset += count }
            return UnsafeRawBufferPointer(rebasing: section[offset..<offset + count])
        }
        let count = Int(try take(1, "the entry count")[0])
        guard count >= 1, count <= EventMetadata.maximumCount else {
            throw .malformedMessage("\(count) metadata entries, expected 1 to \(EventMetadata.maximumCount)")
        }
        var entries: [String: String] = [:]
        var previousKey: UnsafeRawBufferPointer?
        for _ in 0..<count {
            let keyLength = Int(try take(1, "a key length")[0])
            let key = try take(keyLength, "a key")
            guard keyLength >= 1, keyLength <= EventMetadata.maximumKeyLength, key.allSatisfy(EventMetadata.isKeyByte)
            else { throw .malformedMessage("metadata key of \(keyLength) bytes outside A-Z a-z 0-9 . _ -") }
            if let previousKey, !previousKey.lexicographicallyPrecedes(key) {
                throw .malformedMessage("metadata keys out of order or repeated")
            }
            previousKey = key
            let lengthBytes = try take(2, "a value length")
            let valueLength = Int(lengthBytes[0]) << 8 | Int(lengthBytes[1])
            guard valueLength <= EventMetadata.maximumValueLength else {
                throw .malformedMessage("metadata value of \(valueLength) bytes, at most \(EventMetadata.maximumValueLength)")
            }
            guard let value = utf8String(try take(valueLength, "a value")) else {
                throw .malformedMessage("metadata value is not UTF-8")
            }
            entries[String(decoding: key, as: UTF8.self)] = value
        }
        guard offset == section.count else {
            throw .malformedMessage("\(section.count - offset) bytes after the envelope metadata")
        }
        return EventMetadata(unchecked: entries)
    }
}
