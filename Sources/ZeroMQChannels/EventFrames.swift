import Foundation
import Instrumentation
import Logging
import ZeroMQ

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

    @usableFromInline
    init(topic: Topic, envelope: EventEnvelope, event: Event, missedBefore: UInt64) {
        self.topic = topic
        self.envelope = envelope
        self.event = event
        self.missedBefore = missedBefore
    }
}

/// Builds the frames `[topic][envelope][payload]` for one producer, numbering
/// its events. The frames are rebuilt in place for each event: the topic frame
/// only when the topic changes, the others in their old storage.
///
/// Its methods are inlinable so that they are compiled for the producer's
/// `Event` type in the producer's module: no generic metadata is looked up per
/// event. (The codec's encoder is still called through its protocol.)
@usableFromInline
struct EventWriter<Event: Encodable> {
    @usableFromInline let publisherID: UUID
    @usableFromInline let codecID: UInt8
    @usableFromInline let eventType: String
    @usableFromInline let schemaVersion: UInt16
    @usableFromInline var sequence: UInt64 = 0
    @usableFromInline var ids = EventIDGenerator()
    /// The last event's frames, to send after ``prepare(_:topic:metadata:)``.
    @usableFromInline var frames: [[UInt8]] = [[], [], []]
    @usableFromInline var topic: Topic?
    /// The codec's encoder for this producer's events.
    @usableFromInline var encoder: any EventEncoder<Event>

    /// A writer of `Event`s; `eventType` is the name in their envelopes, the type's name by default.
    init(publisherID: UUID, codec: any EventCodec, eventType: String?, schemaVersion: UInt16) {
        self.publisherID = publisherID
        codecID = codec.id
        encoder = codec.makeEncoder(for: Event.self)
        self.eventType = eventType ?? String(describing: Event.self)
        self.schemaVersion = schemaVersion
    }

    /// Builds the next event's ``frames`` and returns its envelope. The
    /// sequence number is only consumed by ``commit()``, once the frames were queued.
    ///
    /// The envelope carries `metadata` and, when the caller runs in a
    /// `ServiceContext` (inside a span), the trace context that the
    /// bootstrapped instrument injects (W3C `traceparent` with
    /// swift-otel's propagator). Outside one, no instrument is asked: one
    /// task-local read is all it costs per event.
    ///
    /// Always inlined into the caller: once the envelope had metadata, the
    /// compiler made this a call of its own, and callgrind of the benchmark
    /// showed more retains and releases around it (2026-11-30).
    @inlinable @inline(__always)
    mutating func prepare(_ event: Event, topic: Topic, metadata: EventMetadata = EventMetadata())
        throws(ChannelError) -> EventEnvelope
    {
        try encoder.encode(event, into: &frames[2])
        if topic != self.topic {
            frames[0] = topic.wireBytes
            self.topic = topic
        }
        var envelope = EventEnvelope(
            eventID: ids.next(), eventType: eventType, publisherID: publisherID, sequence: sequence + 1,
            timestampNanoseconds: wallClockNanoseconds(), schemaVersion: schemaVersion, codecID: codecID,
            metadata: metadata
        )
        if let context = ServiceContext.current, !context.isEmpty { injectTraceContext(context, into: &envelope.metadata) }
        envelope.encode(into: &frames[1])
        return envelope
    }

    @inlinable
    mutating func commit() { sequence += 1 }

    /// Sends the prepared ``frames`` as one multipart message; `false` when
    /// the first frame would block under `SendFlags.dontWait`. The
    /// corresponding C function is `zmq_send` with `ZMQ_SNDMORE`, through
    /// the socket's non-generic `send`, so nothing generic of the socket's runs per event.
    @inlinable
    func send(on socket: Socket, flags: SendFlags) throws(ZMQError) -> Bool {
        try socket.sendFrames(frames.count, flags) { (index, frameFlags) throws(ZMQError) -> Bool in
            try frames[index].withUnsafeBytes { bytes in
                Result { () throws(ZMQError) in try socket.send(bytes, flags: frameFlags) }
            }.get()
        }
    }
}

/// Adds what the bootstrapped instrument injects for `context` to `metadata`.
/// An entry an envelope cannot carry (a value over
/// ``EventMetadata/maximumValueLength``, such as large W3C baggage, or one
/// entry too many) is left out: tracing never stops an event from being sent.
@usableFromInline
func injectTraceContext(_ context: ServiceContext, into metadata: inout EventMetadata) {
    var injected: [String: String] = [:]
    InstrumentationSystem.instrument.inject(context, into: &injected, using: MetadataInjector())
    for (key, value) in injected.sorted(by: { $0.key < $1.key }) { try? metadata.set(key, value) }
}

/// Writes an instrument's trace context into the entries of an ``EventMetadata``.
struct MetadataInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}

/// Reads an instrument's trace context from an envelope's ``EventMetadata``.
struct MetadataExtractor: Extractor {
    func extract(key: String, from carrier: EventMetadata) -> String? { carrier[key] }
}

extension ReceivedEvent {
    /// The trace context the event was sent in, as the bootstrapped
    /// instrument extracts it from ``EventEnvelope/metadata`` (an empty
    /// context when it carries none). Start the consumer's span in it, so that
    /// the trace goes on across the channel:
    ///
    /// ```swift
    /// try await withSpan("handle \(received.topic)", context: received.serviceContext, ofKind: .consumer) { _ in
    ///     try await handle(received.event)
    /// }
    /// ```
    public var serviceContext: ServiceContext { serviceContext(basedOn: .topLevel) }

    /// `base` with the trace context the event was sent in extracted into it:
    /// what a ``ConsumerService`` runs its handler in, based on the context
    /// the service runs in, so that what that context holds is kept.
    func serviceContext(basedOn base: ServiceContext) -> ServiceContext {
        var context = base
        guard !envelope.metadata.isEmpty else { return context }
        InstrumentationSystem.instrument.extract(envelope.metadata, into: &context, using: MetadataExtractor())
        return context
    }
}

/// Nanoseconds since 1970-01-01 UTC, read from the clock directly (cheaper
/// than `Date()` for a timestamp on every event).
@usableFromInline
func wallClockNanoseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
}

/// Reads `[topic][envelope][payload]` messages, tracking each publisher's
/// sequence numbers to count gaps and skip duplicates (``PublisherSequences``).
/// It receives into the same three messages every time, releasing any
/// further frames as they arrive, and checks a repeated topic frame once.
///
/// Its methods are inlinable so that they are specialized for the consumer's
/// `Event` type in the consumer's module, rather than run generically.
@usableFromInline
package struct EventReader<Event: Decodable & Sendable> {
    /// The codec's id and name, read once rather than through the existential for every event.
    @usableFromInline let codecID: UInt8
    @usableFromInline let codecName: String
    @usableFromInline let policy: UndecodablePolicy
    @usableFromInline let logger: Logger
    /// Off for PULL: round-robin hands each puller only some of a pusher's numbers.
    @usableFromInline let countsGaps: Bool
    /// For ROUTER: each message starts with the sender's routing id, and
    /// sequence numbers are not tracked (the acknowledged channel tells
    /// duplicates by event id).
    @usableFromInline let routed: Bool
    @usableFromInline var sequences = PublisherSequences()
    @usableFromInline package var frames: [Message] = [Message(), Message(), Message()]
    @usableFromInline var lastTopic = LastWireTopic()
    @usableFromInline package var counters = ChannelCounters()
    @usableFromInline var warnings = UndecodableWarnings()
    /// The codec's decoder for this consumer's events.
    @usableFromInline var decoder: any EventDecoder<Event>
    /// Where the counts also go, when metrics are configured.
    @usableFromInline let metrics: ChannelMetrics?

    package init(
        codec: any EventCodec, policy: UndecodablePolicy, logger: Logger, countsGaps: Bool, routed: Bool = false,
        metrics: ChannelMetrics? = nil
    ) {
        self.routed = routed
        self.metrics = metrics
        codecID = codec.id
        codecName = codec.name
        decoder = codec.makeDecoder(for: Event.self)
        self.policy = policy
        self.logger = logger
        self.countsGaps = countsGaps
        if routed { frames.insert(Message(), at: 0) }
    }

    /// The event in the first `count` of ``frames``, or `nil` when the message
    /// is to be skipped (a duplicate, a control message, or undecodable under `.skip`).
    @inlinable
    package mutating func read(frameCount count: Int) throws(ChannelError) -> ReceivedEvent<Event>? {
        let decoded: (Topic, EventEnvelope, Event)
        do {
            decoded = try decode(frameCount: count)
        } catch {
            counters.undecodable += 1
            metrics?.add(.undecodable)
            if policy == .throwError { throw error }
            warnings.skipped(error, logger: logger)
            return nil
        }
        let (topic, envelope, event) = decoded
        var missed: UInt64 = 0
        let verdict =
            routed
            ? nil
            : sequences.record(
            envelope.publisherID, sequence: envelope.sequence, timestamp: envelope.timestampNanoseconds)
        switch verdict {
        case nil: break
        case .next(let gap)?:
            if countsGaps {
                missed = gap
                // The numbers are a peer's: add without trapping.
                let (sum, overflow) = counters.gaps.addingReportingOverflow(gap)
                counters.gaps = overflow ? .max : sum
                metrics?.add(.gaps, gap)
            }
        case .late?:
            if countsGaps && counters.gaps > 0 {
                counters.gaps -= 1
                metrics?.add(.late)
            }
        case .duplicate?:
            counters.duplicates += 1
            metrics?.add(.duplicates)
            return nil
        case .reset?:
            counters.resets += 1
            metrics?.add(.resets)
        }
        counters.received += 1
        metrics?.add(.received)
        return ReceivedEvent(topic: topic, envelope: envelope, event: event, missedBefore: missed)
    }

    /// How many publishers the reader remembers (at most ``PublisherSequences/capacity``).
    package var publishersRemembered: Int { sequences.count }

    /// The next event on `socket`, suspending until one arrives; `nil` once the
    /// context is shut down or the socket closed.
    @inlinable
    mutating func next(from socket: Socket) async throws -> ReceivedEvent<Event>? {
        while let count = try await socket.receiveMultipartUnlessEnded(into: &frames, keeping: frames.count) {
            if let received = try read(frameCount: count) { return received }
        }
        return nil
    }

    @inlinable
    mutating func decode(frameCount count: Int) throws(ChannelError) -> (Topic, EventEnvelope, Event) {
        let first = routed ? 1 : 0
        guard count == first + 3 else {
            throw .malformedMessage("\(count - first) frames, expected 3: [topic][envelope][payload]")
        }
        // The frames stay untouched until the next receive, so their bytes can be read directly.
        let topic = try lastTopic.topic(in: frames[first].unsafeBytes)
        let envelope = try EventEnvelope(decoding: frames[first + 1].unsafeBytes)
        guard envelope.codecID == codecID else {
            throw .malformedMessage(
                "payload codec id \(envelope.codecID), this consumer reads \(codecName) (\(codecID))")
        }
        let event = try decoder.decode(from: frames[first + 2].unsafeBytes)
        return (topic, envelope, event)
    }
}

/// Random (version 4) UUIDs for event ids, from a generator seeded once from the
/// system's random source: Foundation's `UUID()` reads the kernel's random
/// device on every call, which costs more than publishing the event.
@usableFromInline
struct EventIDGenerator {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    init() {
        var system = SystemRandomNumberGenerator()
        state = (system.next(), system.next(), system.next(), system.next() | 1)
    }

    /// The next id (xoshiro256** output, with the UUID version and variant bits set).
    @usableFromInline
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
