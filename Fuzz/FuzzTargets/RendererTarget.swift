import Foundation
import ZMQOutput
import ZeroMQ
import ZeroMQChannels

/// The `zmq` tool's message renderers, in every format, with and without a
/// topic frame. Oracles: text and json are one line of well-formed UTF-8
/// with no control character (tabs between text frames aside); json is a
/// JSON object; hex is printable ASCII lines.
let rendererTarget = FuzzTarget(
    name: "renderer", summary: "the zmq tool's output formats",
    run: { bytes in
        var input = FuzzInput(bytes)
        let hasTopicFrame = input.byte() & 1 == 1
        // A message has at least one frame.
        let frames = input.frames(limit: 6).map { try! Message(bytes: $0) }.nonEmpty ?? [Message()]
        let time = Timestamp(nanosecondsSince1970: input.integer())
        for format in OutputFormat.allCases {
            let output = MessageRenderer(format: format, hasTopicFrame: hasTopicFrame).render(frames, at: time)
            switch format {
            case .text, .json:
                precondition(output.last == UInt8(ascii: "\n"), "\(format) output does not end its line")
                let line = output.dropLast()
                let text = String(validating: line, as: UTF8.self)
                precondition(text != nil, "\(format) output is not UTF-8")
                precondition(isSafeLine(text!), "\(format) output has a control character")
                if format == .json {
                    precondition(!line.contains(UInt8(ascii: "\t")), "json output has a raw tab")
                    let object = try? JSONSerialization.jsonObject(with: Data(line))
                    precondition(object is [String: Any], "json output is not a JSON object")
                }
            case .hex:
                precondition(
                    output.allSatisfy { $0 == UInt8(ascii: "\n") || (0x20..<0x7F).contains($0) },
                    "hex output is not printable ASCII")
            case .raw:
                break
            }
        }
    },
    seeds: {
        func channelMessage(_ payload: String, timestamp: Int64) -> [[UInt8]] {
            let envelope = EventEnvelope(
                eventID: UUID(), eventType: "OrderPlaced", publisherID: UUID(), sequence: 3,
                timestampNanoseconds: timestamp, schemaVersion: 1, codecID: 1)
            return [Array("orders.".utf8), envelope.encoded(), Array(payload.utf8)]
        }
        func seed(_ frames: [[UInt8]]) -> [UInt8] { [1] + FuzzInput.encode(frames: frames) + FuzzInput.encode(Int64(0)) }
        return [
            seed(channelMessage(#"{"id":1,"item":"pizza"}"#, timestamp: 1_700_000_000_000_000_000)),
            seed(channelMessage("\u{FEFF}{\"id\":1}", timestamp: .min)),
            seed(channelMessage("{\"note\":\"\u{9B}2J\u{7F}\"}\n", timestamp: .max)),
            seed([Array("topic".utf8), [0, 1, 0x1B, 0xC2, 0x9B, 0xFF], Array("\t\\\n".utf8)]),
            [0] + FuzzInput.encode(frames: [[]]) + FuzzInput.encode(Int64.min),
        ]
    }
)

extension Array {
    fileprivate var nonEmpty: Self? { isEmpty ? nil : self }
}
