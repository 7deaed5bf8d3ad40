import Dispatch
import Foundation
import ZeroMQ
import ZeroMQChannels

/// One row of the channel cost table: nanoseconds per event to publish and to
/// receive, typed and raw, each repetition's raw and typed runs back to back.
struct ChannelCostRow {
    let name: String
    let raw: [(send: Double, receive: Double)]
    let typed: [(send: Double, receive: Double)]
}

/// What a typed channel costs per event on one side, with no thread on the
/// other: a publisher fills an unread subscriber's queue (high-water marks 0)
/// with a batch, then the subscriber drains it, batch after batch. Unlike the
/// two-thread rates, these costs do not depend on how the machine places and
/// wakes threads, so they compare the Swift layers alone.
func measureChannelCosts(_ plan: Plan) -> [ChannelCostRow] {
    let count = max(200_000 / plan.scale, 1_000)
    let kinds: [(name: String, codec: any EventCodec, cost: (Int, any EventCodec, Bool) -> (Double, Double))] = [
        (
            "json codec, `Codable` event", JSONEventCodec(),
            { sideCosts(CourierLocation.self, count: $0 / 10, codec: $1, typed: $2) }
        ),
        (
            "binary codec, `Codable` event", BinaryEventCodec(),
            { sideCosts(CourierLocation.self, count: $0, codec: $1, typed: $2) }
        ),
        (
            "binary codec, `BinaryPayloadCodable` event", BinaryEventCodec(),
            { sideCosts(SelfCodedCourierLocation.self, count: $0, codec: $1, typed: $2) }
        ),
    ]
    return kinds.map { kind in
        progress("channel costs, \(kind.name): \(count) events on one thread, \(plan.reps) reps")
        let costs = interleaved(
            reps: plan.reps, c: { kind.cost(count, kind.codec, false) }, swift: { kind.cost(count, kind.codec, true) })
        return ChannelCostRow(name: kind.name, raw: costs.c, typed: costs.swift)
    }
}

/// What ``ChannelMetrics`` adds per event: the `BinaryPayloadCodable` row's
/// typed channel with metrics on both ends, against the same without.
func measureMetricsCost(_ plan: Plan) -> ChannelCostRow {
    let count = max(200_000 / plan.scale, 1_000)
    progress("channel metrics cost: \(count) events on one thread, \(plan.reps) reps")
    let costs = interleaved(
        reps: plan.reps,
        c: { sideCosts(SelfCodedCourierLocation.self, count: count, codec: BinaryEventCodec(), typed: true) },
        swift: {
            sideCosts(SelfCodedCourierLocation.self, count: count, codec: BinaryEventCodec(), typed: true, metered: true)
        })
    return ChannelCostRow(name: "binary codec, `BinaryPayloadCodable` event", raw: costs.c, typed: costs.swift)
}

/// Nanoseconds per event to send and to receive `count` events (typed, or raw
/// three-frame messages of the same bytes), in batches that stay in the caches;
/// `metered` gives both ends a ``ChannelMetrics``.
private func sideCosts<Event: LocationEvent>(
    _ type: Event.Type, count: Int, codec: any EventCodec, typed: Bool, metered: Bool = false
) -> (send: Double, receive: Double) {
    let result = Locked<(send: Double, receive: Double)>((0, 0))
    let done = DispatchSemaphore(value: 0)
    // The receives await, as a subscriber does; the task runs on the cooperative pool.
    Task.detached {
        let context = try! Context(defaultLinger: .zero)
        let endpoint = "inproc://bench-costs-\(UUID().uuidString)"
        var event = Event.sample
        let publisher = samplePublisher(
            Event.self, context: context, endpoint: endpoint, codec: codec,
            metrics: metered ? ChannelMetrics(label: "bench_out") : nil
        ) {
            (socket) throws(ZMQError) in try socket.set(.sendHighWaterMark, 0)
        }
        let subscriber = try! Subscriber<Event>(
            context: context, .connect(endpoint), topics: ["delivery.courier"], codec: codec,
            metrics: metered ? ChannelMetrics(label: "bench_in") : nil
        ) { (socket) throws(ZMQError) in try socket.set(.receiveHighWaterMark, 0) }
        try! await publisher.waitForSubscribers(1, timeout: .seconds(10))
        let envelope = try! publisher.publish(event, to: sampleTopic)!
        _ = try! await subscriber.next()
        let raw = rawFrames(of: event, envelope: envelope, codec: codec)
        let batch = min(count, 10_000)
        var (send, receive) = (0.0, 0.0)
        for round in 0..<(count / batch) {
            var start = cb_nowSeconds()
            for index in 0..<batch {
                if typed {
                    event.sequence = Int64(round * batch + index)
                    _ = try! publisher.publish(event, to: sampleTopic)!
                } else {
                    _ = try! publisher.socket.sendMultipart(raw, flags: .dontWait)
                }
            }
            send += cb_nowSeconds() - start
            start = cb_nowSeconds()
            for _ in 0..<batch {
                if typed {
                    _ = try! await subscriber.next()
                } else {
                    _ = try! await subscriber.socket.receiveMultipart()
                }
            }
            receive += cb_nowSeconds() - start
        }
        let events = Double(count / batch * batch)
        result.withLock { $0 = (send / events * 1e9, receive / events * 1e9) }
        done.signal()
    }
    done.wait()
    return result.withLock { $0 }
}

/// The channel cost table: each side's nanoseconds per event, typed and raw,
/// and their paired ratios.
func channelCostTable(_ rows: [ChannelCostRow], baseline: String = "raw", measured: String = "typed") -> String {
    // A raw baseline sends messages; a typed one (the metrics table's) sends events.
    let unit = baseline == "raw" ? "msg" : "event"
    var lines = [
        "| typed events | publish ns/event | \(baseline) send ns/\(unit) | ratio | receive ns/event "
            + "| \(baseline) receive ns/\(unit) | ratio | spread \(baseline) / \(measured) (receive) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows {
        let send = (row.raw.map(\.send), row.typed.map(\.send))
        let receive = (row.raw.map(\.receive), row.typed.map(\.receive))
        lines.append(
            "| \(row.name) | \(formatNanoseconds(median(send.1))) | \(formatNanoseconds(median(send.0))) "
                + "| \(formatRatio(pairedRatio(send.0, send.1))) | \(formatNanoseconds(median(receive.1))) "
                + "| \(formatNanoseconds(median(receive.0))) | \(formatRatio(pairedRatio(receive.0, receive.1))) "
                + "| \(formatSpread(receive.0)) / \(formatSpread(receive.1)) |")
    }
    return lines.joined(separator: "\n")
}
