import CBaseline
import Dispatch
import Foundation
import ZeroMQ
import ZeroMQChannels

/// A courier's position: 64 bytes of data (six 8-byte numbers and a
/// 16-character status), the "64-byte event" of the channel rows, encoded
/// through `Codable`.
struct CourierLocation: LocationEvent {
    var orderID: Int64
    var courierID: Int64
    var sequence: Int64
    var latitude: Double
    var longitude: Double
    var accuracy: Double
    var status: String
}

/// The same event, writing and reading its binary payload itself (the same bytes).
struct SelfCodedCourierLocation: LocationEvent, BinaryPayloadCodable {
    var orderID: Int64
    var courierID: Int64
    var sequence: Int64
    var latitude: Double
    var longitude: Double
    var accuracy: Double
    var status: String

    func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        writer.write(orderID)
        writer.write(courierID)
        writer.write(sequence)
        writer.write(latitude)
        writer.write(longitude)
        writer.write(accuracy)
        writer.write(status)
    }

    static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> Self {
        try reader.beginStruct()
        return Self(
            orderID: try reader.read(), courierID: try reader.read(), sequence: try reader.read(),
            latitude: try reader.read(), longitude: try reader.read(), accuracy: try reader.read(),
            status: try reader.read())
    }
}

/// What the channel rows need of an event type.
protocol LocationEvent: Codable, Sendable {
    init(
        orderID: Int64, courierID: Int64, sequence: Int64, latitude: Double, longitude: Double, accuracy: Double,
        status: String)
    var sequence: Int64 { get set }
}

extension LocationEvent {
    /// The event every channel row sends: courier 7 on its way to a drop-off.
    static var sample: Self {
        Self(
            orderID: 1, courierID: 7, sequence: 0, latitude: 52.37, longitude: 4.89, accuracy: 5,
            status: "en-route-to-drop")
    }
}

/// The topic every channel row publishes to.
let sampleTopic: Topic = "delivery.courier.7.location"

/// A publisher for the channel rows. Every row writes the same event type
/// name, so that envelopes are the same size whatever the Swift type.
func samplePublisher<Event: LocationEvent>(
    _ type: Event.Type, context: Context, endpoint: String, codec: any EventCodec, metrics: ChannelMetrics? = nil,
    configure: (Socket) throws(ZMQError) -> Void = { _ in }
) -> Publisher<Event> {
    try! Publisher<Event>(
        context: context, .bind(endpoint), codec: codec, eventType: "CourierLocation", metrics: metrics,
        configure: configure)
}

/// The raw baseline's frames: the bytes the typed publisher sent with `envelope`.
func rawFrames<Event: LocationEvent>(of event: Event, envelope: EventEnvelope, codec: any EventCodec) -> [[UInt8]] {
    [sampleTopic.wireBytes, envelope.encoded(), try! codec.encode(event)]
}

/// One row of the async and channel table: a rate against a baseline measured
/// in the same run.
struct ChannelRow {
    let name: String
    let baselineName: String
    let baseline: [Double]
    let measured: [Double]
}

/// Async receive vs blocking receive, and typed channel events vs raw
/// three-frame messages, over inproc. Receivers that await run as tasks on
/// Swift's cooperative pool; senders and blocking receivers on threads.
func measureChannels(_ plan: Plan) -> [ChannelRow] {
    let streamCount = max(600_000 / plan.scale, 100)
    let eventCount = max(300_000 / plan.scale, 100)
    var rows: [ChannelRow] = []
    progress("async vs blocking receive: \(streamCount) x 64 B over inproc, \(plan.reps) reps")
    let receives = interleaved(
        reps: plan.reps, c: { streamRate(count: streamCount, asyncReceiver: false) },
        swift: { streamRate(count: streamCount, asyncReceiver: true) })
    rows.append(
        ChannelRow(
            name: "async `receive(into:)` (PUSH/PULL inproc, 64 B)", baselineName: "blocking `receive(into:flags:)`",
            baseline: receives.c, measured: receives.swift))
    let kinds: [(name: String, codec: any EventCodec, rate: (Int, any EventCodec, Bool) -> Double)] = [
        (
            "json codec, `Codable` event", JSONEventCodec(),
            { eventRate(CourierLocation.self, count: $0, codec: $1, typed: $2) }
        ),
        (
            "binary codec, `Codable` event", BinaryEventCodec(),
            { eventRate(CourierLocation.self, count: $0, codec: $1, typed: $2) }
        ),
        (
            "binary codec, `BinaryPayloadCodable` event", BinaryEventCodec(),
            { eventRate(SelfCodedCourierLocation.self, count: $0, codec: $1, typed: $2) }
        ),
    ]
    for kind in kinds {
        progress("typed events, \(kind.name): \(eventCount) events over inproc, \(plan.reps) reps")
        let events = interleaved(
            reps: plan.reps, c: { kind.rate(eventCount, kind.codec, false) },
            swift: { kind.rate(eventCount, kind.codec, true) })
        progress("  events/s, raw: \(events.c.map(formatRate)), typed: \(events.swift.map(formatRate))")
        rows.append(
            ChannelRow(
                name: "`Publisher`→`Subscriber`, \(kind.name) (inproc, 64 bytes)",
                baselineName: "raw 3-frame messages of the same bytes, async receive",
                baseline: events.c, measured: events.swift))
    }
    progress("channel metrics: \(eventCount) events over inproc, \(plan.reps) reps")
    let metered = interleaved(
        reps: plan.reps,
        c: { eventRate(SelfCodedCourierLocation.self, count: eventCount, codec: BinaryEventCodec(), typed: true) },
        swift: {
            eventRate(
                SelfCodedCourierLocation.self, count: eventCount, codec: BinaryEventCodec(), typed: true, metered: true)
        })
    progress("  events/s, without: \(metered.c.map(formatRate)), with metrics: \(metered.swift.map(formatRate))")
    rows.append(
        ChannelRow(
            name: "the same, binary `BinaryPayloadCodable`, with `ChannelMetrics` on both ends (inproc, 64 bytes)",
            baselineName: "the same channel without metrics",
            baseline: metered.c, measured: metered.swift))
    progress("acknowledged channel: \(eventCount) events over inproc, \(plan.reps) reps")
    let acknowledged = interleaved(
        reps: plan.reps, c: { acknowledgedRate(count: eventCount, acknowledged: false) },
        swift: { acknowledgedRate(count: eventCount, acknowledged: true) })
    progress("  events/s, raw: \(acknowledged.c.map(formatRate)), acknowledged: \(acknowledged.swift.map(formatRate))")
    rows.append(
        ChannelRow(
            name: "`AcknowledgedSender`→`AcknowledgedReceiver`, binary codec, sent until all acknowledged (inproc, 64 bytes)",
            baselineName: "raw PUSH/PULL of the same 3-frame messages, sent until all received",
            baseline: acknowledged.c, measured: acknowledged.swift))
    return rows
}

/// Events per second from the first send until the sender has every
/// acknowledgement (`acknowledged`), or until the receiver has every message
/// of the same bytes over plain PUSH/PULL.
private func acknowledgedRate(count: Int, acknowledged: Bool) -> Double {
    let context = try! Context(defaultLinger: .zero)
    let endpoint = "inproc://bench-acknowledged-\(UUID().uuidString)"
    let codec = BinaryEventCodec()
    let result = Locked<Double>(0)
    let done = DispatchSemaphore(value: 0)
    if acknowledged {
        let receiver = try! AcknowledgedReceiver<SelfCodedCourierLocation>(context: context, .bind(endpoint), codec: codec)
        let sender = try! AcknowledgedSender<SelfCodedCourierLocation>(
            context: context, .connect(endpoint), codec: codec, eventType: "CourierLocation")
        Task.detached { [receiver] in
            var received = 0
            while received < count { received += try! await receiver.receiveBatch { _ in } ?? 0 }
            done.signal()
        }
        Task.detached {
            var event = SelfCodedCourierLocation.sample
            let start = cb_nowSeconds()
            for index in 0..<count {
                event.sequence = Int64(index)
                try! await sender.send(event, to: sampleTopic)
            }
            _ = try! await sender.waitUntilAcknowledged(timeout: .seconds(60))
            result.withLock { $0 = Double(count) / (cb_nowSeconds() - start) }
            sender.close()
            done.signal()
        }
    } else {
        let pull = try! context.socket(.pull)
        try! pull.bind(endpoint)
        let started = Locked<Double>(0)
        Thread {
            let push = try! context.socket(.push)
            try! push.connect(endpoint)
            let event = SelfCodedCourierLocation.sample
            let envelope = EventEnvelope(
                eventID: UUID(), eventType: "CourierLocation", publisherID: UUID(), sequence: 1,
                timestampNanoseconds: 0, schemaVersion: 1, codecID: codec.id)
            let raw = rawFrames(of: event, envelope: envelope, codec: codec)
            started.withLock { $0 = cb_nowSeconds() }
            for _ in 0..<count { _ = try! push.sendMultipart(raw) }
            done.signal()
        }.start()
        Task.detached { [pull] in
            for _ in 0..<count { _ = try! await pull.receiveMultipart() }
            result.withLock { $0 = Double(count) / (cb_nowSeconds() - started.withLock { $0 }) }
            done.signal()
        }
    }
    done.wait()
    done.wait()
    return result.withLock { $0 }
}

/// Messages per second from the receiver's first message to its last.
private func streamRate(count: Int, asyncReceiver: Bool) -> Double {
    let context = try! Context(defaultLinger: .zero)
    let endpoint = "inproc://bench-stream-\(UUID().uuidString)"
    let result = Locked<Double>(0)
    let done = DispatchSemaphore(value: 0)
    // Each socket is created where it is used; inproc allows connecting first.
    let sender = Thread {
        let push = try! context.socket(.push)
        try! push.set(.sendHighWaterMark, 0)
        try! push.connect(endpoint)
        let payload = [UInt8](repeating: 7, count: 64)
        for _ in 0..<count { try! push.send(payload) }
        done.signal()
    }
    @Sendable func pull() -> Socket {
        let pull = try! context.socket(.pull)
        try! pull.set(.receiveHighWaterMark, 0)
        try! pull.bind(endpoint)
        return pull
    }
    @Sendable func finish(_ start: Double) {
        result.withLock { $0 = Double(count - 1) / (cb_nowSeconds() - start) }
        done.signal()
    }
    sender.start()
    if asyncReceiver {
        Task.detached {
            let pull = pull()
            let message = Message()
            try! await pull.receive(into: message)
            let start = cb_nowSeconds()
            for _ in 1..<count { try! await pull.receive(into: message) }
            finish(start)
        }
    } else {
        Thread {
            let pull = pull()
            let message = Message()
            _ = try! pull.receive(into: message, flags: [])
            let start = cb_nowSeconds()
            for _ in 1..<count { _ = try! pull.receive(into: message, flags: []) }
            finish(start)
        }.start()
    }
    done.wait()
    done.wait()
    return result.withLock { $0 }
}

/// Events (or raw messages) per second received by an awaiting subscriber.
private func eventRate<Event: LocationEvent>(
    _ type: Event.Type, count: Int, codec: any EventCodec, typed: Bool, metered: Bool = false
) -> Double {
    let context = try! Context(defaultLinger: .zero)
    let endpoint = "inproc://bench-events-\(UUID().uuidString)"
    let result = Locked<Double>(0)
    let done = DispatchSemaphore(value: 0)
    Thread {
        var event = Event.sample
        let publisher = samplePublisher(
            Event.self, context: context, endpoint: endpoint, codec: codec,
            metrics: metered ? ChannelMetrics(label: "bench_out") : nil)
        while try! publisher.subscriberCount < 1 { Thread.sleep(forTimeInterval: 0.001) }
        // A warm-up event, before the subscriber starts its clock.
        let envelope = try! publisher.publish(event, to: sampleTopic)!
        let raw = rawFrames(of: event, envelope: envelope, codec: codec)
        for index in 0..<count {
            if typed {
                event.sequence = Int64(index)
                // The publisher drops at the high-water mark; retry until it is queued.
                while try! publisher.publish(event, to: sampleTopic) == nil {}
            } else {
                while try! !publisher.socket.sendMultipart(raw, flags: .dontWait) {}
            }
        }
        done.signal()
    }.start()
    Task.detached {
        let subscriber = try! Subscriber<Event>(
            context: context, .connect(endpoint), topics: ["delivery.courier"], codec: codec,
            metrics: metered ? ChannelMetrics(label: "bench_in") : nil)
        _ = try! await subscriber.next()
        let start = cb_nowSeconds()
        if typed {
            for _ in 0..<count { _ = try! await subscriber.next() }
        } else {
            for _ in 0..<count { _ = try! await subscriber.socket.receiveMultipart() }
        }
        result.withLock { $0 = Double(count) / (cb_nowSeconds() - start) }
        done.signal()
    }
    done.wait()
    done.wait()
    return result.withLock { $0 }
}

/// Seconds on the clock both benchmark sides use.
func cb_nowSeconds() -> Double { Double(cb_now_ns()) / 1e9 }

/// The channel table: each rate with its baseline and their paired ratio.
func channelTable(_ rows: [ChannelRow]) -> String {
    var lines = [
        "| measured | per second | baseline (same run) | per second | ratio | spread baseline / measured |",
        "|---|---:|---|---:|---:|---:|",
    ]
    var noisy = NoisyRows()
    for row in rows {
        let ratio = noisy.ratio(row.baseline, row.measured)
        lines.append(
            "| \(row.name) | \(formatRate(median(row.measured))) | \(row.baselineName) | "
                + "\(formatRate(median(row.baseline))) | \(ratio) | "
                + "\(formatSpread(row.baseline)) / \(formatSpread(row.measured)) |")
    }
    lines += noisy.note(
        "some repetitions of this row ran in the machine's slow regime (thread placement and wake-ups "
            + "on 2 cores), baseline and measured alike; the ratio, paired repetition by repetition, still compares them."
    )
    return lines.joined(separator: "\n")
}
