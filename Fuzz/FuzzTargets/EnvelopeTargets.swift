import Foundation
import ZeroMQ
import ZeroMQChannels

/// `EventEnvelope(decoding:)`: any bytes decode or throw; what decodes
/// encodes back to the same bytes, and errors are one safe line.
let envelopeTarget = FuzzTarget(
    name: "envelope", summary: "the envelope frame decoder",
    run: { bytes in
        do throws(ChannelError) {
            let envelope = try EventEnvelope(decoding: bytes)
            precondition(envelope.encoded() == Array(bytes), "an envelope does not encode back to its bytes")
            _ = envelope.timestamp
        } catch {
            precondition(isSafeLine(error.description), "an envelope error is not one safe line")
        }
    },
    seeds: {
        let envelope = EventEnvelope(
            eventID: UUID(), eventType: "OrderPlaced", publisherID: UUID(), sequence: 1,
            timestampNanoseconds: 1_700_000_000_000_000_000, schemaVersion: 1, codecID: 1)
        var extreme = envelope
        extreme.sequence = .max
        extreme.timestampNanoseconds = .min
        extreme.eventType = "\u{1B}[2J\nforged"
        var traced = envelope
        traced.metadata = [
            "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "correlation-id": "order-7",
            "causation-id": "\u{1B}[2J\nforged",
        ]
        return [envelope.encoded(), extreme.encoded(), traced.encoded(), Array(envelope.encoded().prefix(54)), []]
    }
)

/// `Topic.fromWire`: any topic frame reads or throws; what reads writes back
/// the same frame and is a valid topic; errors are one safe, capped line.
let topicTarget = FuzzTarget(
    name: "topic", summary: "the topic frame decoder",
    run: { bytes in
        do throws(ChannelError) {
            let topic = try Topic.fromWire(bytes)
            precondition(topic.wireBytes == Array(bytes), "a topic does not write back its frame")
            precondition(topic.name.hasPrefix("_zmq.") || (try? Topic(topic.name)) != nil, "a wire topic is invalid")
        } catch {
            precondition(isSafeLine(error.description), "a topic error is not one safe line")
            precondition(error.description.utf8.count <= 4 * 1_024 + 64, "a topic error is not capped")
        }
    },
    seeds: {
        ["orders.placed.", "_zmq.join.ABC.", "a..b.", "orders\n\u{1B}[2J.", "é.ü.", String(repeating: "x", count: 300) + "."]
            .map { Array($0.utf8) } + [[0xFF, 0x2E], [0x2E]]
    }
)
