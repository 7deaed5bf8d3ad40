import Foundation
import Logging

/// A received event with its topic and envelope.
public struct ReceivedEvent<Event: Sendable>: Sendable {
    /// The topic it was published to.
    public let topic: Topic
    /// Its id, type, publisher, sequence number and time.
    public let envelope: EventEnvelope
    /// The decoded event.
    public let event: Event
    /// How many events from the same publisher were missed just before this one.
    public let missedBefore: UInt64
}

/// Builds the frames `[topic][envelope][payload]` for one producer, numbering
/// its events.
struct EventWriter<Event: Encodable> {
    let publisherID: UUID
    let codec: any EventCodec
    let eventType: String
    let schemaVersion: UInt16
    private(set) var sequence: UInt64 = 0
    private var ids = EventIDGenerator()

    init(publisherID: UUID, codec: any EventCodec, eventType: String?, schemaVersion: UInt16) {
        self.publisherID = publisherID
        self.codec = codec
        self.eventType = eventType ?? String(describing: Event.self)
        self.schemaVersion = schemaVersion
    }

    /// The next event's frames and envelope. The sequence number is only
    /// consumed by ``commit()``, once the frames were queued.
    mutating func frames(for event: Event, topic: Topic) throws(ChannelError) -> ([[UInt8]], EventEnvelope) {
        let payload = try codec.encode(event)
        let now = Date().timeIntervalSince1970
        let envelope = EventEnvelope(
            eventID: ids.next(), eventType: eventType, publisherID: publisherID, sequence: sequence + 1,
            timestampNanoseconds: Int64(now * 1e9), schemaVersion: schemaVersion, codecID: codec.id
        )
        return ([topic.wireBytes, envelope.encoded(), payload], envelope)
    }

    mutating func commit() { sequence += 1 }
}

/// Reads `[topic][envelope][payload]` messages, tracking each publisher's
/// sequence numbers to count gaps and skip duplicates.
struct EventReader<Event: Decodable & Sendable> {
    let codec: any EventCodec
    let policy: UndecodablePolicy
    let logger: Logger
    /// Off for PULL: round-robin hands each puller only some of a pusher's numbers.
    let countsGaps: Bool
    private var lastSequence: [UUID: UInt64] = [:]
    var counters = ChannelCounters()

    init(codec: any EventCodec, policy: UndecodablePolicy, logger: Logger, countsGaps: Bool) {
        self.codec = codec
        self.policy = policy
        self.logger = logger
        self.countsGaps = countsGaps
    }

    /// The event in `frames`, or `nil` when the message is to be skipped
    /// (a duplicate, a control message, or undecodable under `.skip`).
    mutating func read(_ frames: [Message]) throws(ChannelError) -> ReceivedEvent<Event>? {
        let decoded: (Topic, EventEnvelope, Event)
        do {
            decoded = try decode(frames)
        } catch {
            counters.undecodable += 1
            if policy == .throwError { throw error }
            logger.warning("skipped undecodable message", metadata: ["reason": "\(error)"])
            return nil
        }
        let (topic, envelope, event) = decoded
        var missed: UInt64 = 0
        if let last = lastSequence[envelope.publisherID] {
            if envelope.sequence <= last {
                counters.duplicates += 1
                return nil
            }
            if countsGaps {
                missed = envelope.sequence - last - 1
                counters.gaps += missed
            }
        }
        lastSequence[envelope.publisherID] = envelope.sequence
        counters.received += 1
        return ReceivedEvent(topic: topic, envelope: envelope, event: event, missedBefore: missed)
    }

    /// The next event on `socket`, suspending until one arrives; `nil` once the
    /// context is shut down or the socket closed.
    mutating func next(from socket: Socket) async throws -> ReceivedEvent<Event>? {
        while let frames = try await socket.receiveMultipartUnlessEnded() {
            if let received = try read(frames) { return received }
        }
        return nil
    }

    private func decode(_ frames: [Message]) throws(ChannelError) -> (Topic, EventEnvelope, Event) {
        guard frames.count == 3 else {
            throw .malformedMessage("\(frames.count) frames, expected 3: [topic][envelope][payload]")
        }
        let topic = try frames[0].withUnsafeBytes { (bytes) throws(ChannelError) in try Topic.fromWire(bytes) }
        let envelope = try frames[1].withUnsafeBytes { (bytes) throws(ChannelError) in
            try EventEnvelope(decoding: bytes)
        }
        guard envelope.codecID == codec.id else {
            throw .malformedMessage(
                "payload codec id \(envelope.codecID), this consumer reads \(codec.name) (\(codec.id))")
        }
        let event = try frames[2].withUnsafeBytes { (bytes) throws(ChannelError) in
            try codec.decode(Event.self, from: bytes)
        }
        return (topic, envelope, event)
    }
}

/// Random (version 4) UUIDs for event ids, from a generator seeded once from the
/// system's random source: Foundation's `UUID()` reads the kernel's random
/// device on every call, which costs more than publishing the event.
struct EventIDGenerator {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    init() {
        var system = SystemRandomNumberGenerator()
        state = (system.next(), system.next(), system.next(), system.next() | 1)
    }

    /// The next id (xoshiro256** output, with the UUID version and variant bits set).
    mutating func next() -> UUID {
        let high = nextWord()
        let low = nextWord()
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { raw in
            raw.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self)
            raw[6] = raw[6] & 0x0F | 0x40
            raw[8] = raw[8] & 0x3F | 0x80
        }
        return UUID(uuid: bytes)
    }

    private mutating func nextWord() -> UInt64 {
        let result = (state.1 &* 5).rotatedLeft(7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = state.3.rotatedLeft(45)
        return result
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}
