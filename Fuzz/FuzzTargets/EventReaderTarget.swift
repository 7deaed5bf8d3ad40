import Foundation
import Logging
import ZeroMQ
import ZeroMQChannels

/// The event a reader under test decodes; binary, read directly, so that a
/// run spends its time in the reader rather than in a JSON parser.
struct FuzzEvent: BinaryPayloadCodable, Sendable {
    var id: Int

    func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        writer.write(id)
    }

    static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> Self {
        try reader.beginStruct()
        return Self(id: try reader.read())
    }
}

/// The payload of every event the target sends.
private let payload = try! BinaryEventCodec().encode(FuzzEvent(id: 1))

/// The publishers the event reader target's messages come from.
private let publishers = (0..<4).map { UUID(uuid: (UInt8($0), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)) }

/// How many events the mute oracle sends after the input: past two windows.
private let followers: UInt64 = 130

/// The stateful `EventReader` of `Subscriber` and `Puller`, fed a sequence of
/// messages: well-formed events from four publishers with any sequence
/// numbers and timestamps (the input picks them, or steps from the last
/// one), and raw frames. Oracles: nothing traps; every message is counted
/// once (received, duplicate or undecodable); and no input mutes a
/// publisher: of the 130 events publisher 0 sends next, in order, only those
/// whose numbers the input already used may be skipped as duplicates.
let eventReaderTarget = FuzzTarget(
    name: "event-reader", summary: "the stateful event reader, fed sequences of messages",
    run: { bytes in
        var input = FuzzInput(bytes)
        let logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })
        var reader = EventReader<FuzzEvent>(
            codec: BinaryEventCodec(), policy: .skip, logger: logger, countsGaps: input.byte() & 1 == 1)
        var fed: UInt64 = 0
        var last = [UInt64](repeating: 0, count: publishers.count)
        var usedByFirst: [UInt64] = []
        func feed(_ frames: [[UInt8]]) {
            for (index, frame) in frames.prefix(reader.frames.count).enumerated() {
                reader.frames[index] = try! Message(bytes: frame)
            }
            _ = try! reader.read(frameCount: frames.count)
            fed += 1
        }
        func event(_ publisher: Int, _ sequence: UInt64, _ timestamp: Int64) {
            last[publisher] = sequence
            if publisher == 0 { usedByFirst.append(sequence) }
            feed(eventFrames(publishers[publisher], sequence, timestamp))
        }
        while !input.isAtEnd && fed < 64 {
            let op = input.byte()
            let publisher = Int(op >> 2) % publishers.count
            switch op & 3 {
            case 0, 1: event(publisher, input.integer(), input.integer())
            case 2: event(publisher, last[publisher] &+ UInt64(input.byte() % 4), Int64(input.byte()))
            default: feed(input.frames(limit: 5))
            }
        }
        let counters = reader.counters
        precondition(
            counters.received + counters.duplicates + counters.undecodable == fed,
            "a message was not counted exactly once: \(counters), \(fed) fed")
        precondition(reader.publishersRemembered <= PublisherSequences.capacity, "the publisher table outgrew its bound")

        let start = last[0]
        guard start <= UInt64.max - followers else { return }
        let reused = Set(usedByFirst.filter { $0 > start && $0 <= start + followers }).count
        let before = reader.counters.received
        for sequence in start + 1...start + followers {
            feed(eventFrames(publishers[0], sequence, 0))
        }
        let delivered = reader.counters.received - before
        precondition(
            delivered + UInt64(reused) >= followers,
            "publisher 0 was muted: \(delivered) of \(followers) delivered, \(reused) numbers reused by the input")
    },
    seeds: {
        func event(_ publisher: UInt8, _ sequence: UInt64, _ timestamp: Int64) -> [UInt8] {
            [publisher << 2] + FuzzInput.encode(sequence) + FuzzInput.encode(timestamp)
        }
        return [
            // The crash: two publishers, each 1 then 2^64 - 1.
            [1] + event(0, 1, 1) + event(1, 1, 1) + event(0, .max, 2) + event(1, .max, 2),
            // A spoofed number just below the end, then the publisher goes on.
            [1] + event(0, 5, 10) + event(0, .max - 1, .max) + [2, 1, 1, 2, 1, 1],
            // A restart under the same id, and garbage in between.
            [0] + event(2, 1, 5) + event(2, 2, 6) + [3] + FuzzInput.encode(frames: [[0x2E], [], []]) + event(2, 1, 9),
        ]
    }
)

/// The frames of an event from `publisher`.
private func eventFrames(_ publisher: UUID, _ sequence: UInt64, _ timestamp: Int64) -> [[UInt8]] {
    let envelope = EventEnvelope(
        eventID: UUID(), eventType: "FuzzEvent", publisherID: publisher, sequence: sequence,
        timestampNanoseconds: timestamp, schemaVersion: 1, codecID: BinaryEventCodec().id)
    return [Array("orders.".utf8), envelope.encoded(), payload]
}
