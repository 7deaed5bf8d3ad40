import Foundation
import ZeroMQ
import ZeroMQChannels

/// Turns each received multipart message into what one ``OutputFormat``
/// writes for it. Any bytes, of any size, render safely in every format.
package struct MessageRenderer {
    let format: OutputFormat
    /// Whether the first frame is a topic (SUB): `raw` leaves it out and `json` names it.
    let hasTopicFrame: Bool

    /// A renderer for `format`; `hasTopicFrame` for messages from a SUB socket.
    package init(format: OutputFormat, hasTopicFrame: Bool) {
        self.format = format
        self.hasTopicFrame = hasTopicFrame
    }

    /// The output for `frames`, received at `time`.
    package func render(_ frames: [Message], at time: Timestamp) -> [UInt8] {
        var output: [UInt8] = []
        switch format {
        case .text: appendText(frames, to: &output)
        case .json: appendJSON(frames, at: time, to: &output)
        case .hex: appendHex(frames, to: &output)
        case .raw:
            for frame in payloadFrames(frames) { frame.withUnsafeBytes { output.append(contentsOf: $0) } }
        }
        return output
    }

    /// The frames `raw` writes: a channel message's payload, or everything
    /// after the topic frame, or the whole message when it has no topic.
    private func payloadFrames(_ frames: [Message]) -> ArraySlice<Message> {
        if ChannelMessage(frames) != nil { return frames[2...] }
        if hasTopicFrame && frames.count > 1 { return frames[1...] }
        return frames[...]
    }

    private func appendText(_ frames: [Message], to output: inout [UInt8]) {
        for (index, frame) in frames.enumerated() {
            if index > 0 { output.append(UInt8(ascii: "\t")) }
            frame.withUnsafeBytes { Escaping.appendText($0, to: &output) }
        }
        output.append(UInt8(ascii: "\n"))
    }

    private func appendHex(_ frames: [Message], to output: inout [UInt8]) {
        for (index, frame) in frames.enumerated() {
            output += Array("frame \(index + 1)/\(frames.count): \(frame.count) bytes\n".utf8)
            frame.withUnsafeBytes { Escaping.appendHexDump($0, to: &output) }
        }
        output.append(UInt8(ascii: "\n"))
    }

    private func appendJSON(_ frames: [Message], at time: Timestamp, to output: inout [UInt8]) {
        var object = JSONObjectWriter()
        object.add("received_at", string: time.iso8601)
        let channel = ChannelMessage(frames)
        if let channel {
            object.add("topic", string: channel.topic)
        } else if hasTopicFrame {
            frames[0].withUnsafeBytes { bytes in
                if PeerText.isWellFormedUTF8(bytes) {
                    object.add("topic", utf8: bytes)
                } else {
                    object.add("topic_base64", base64: bytes)
                }
            }
        }
        object.add("frame_count", number: frames.count)
        object.add("size", number: frames.reduce(0) { $0 + $1.count })
        object.addRaw("frames", Self.framesArray(frames))
        if let channel {
            object.addRaw("envelope", Self.envelopeObject(channel))
            if channel.codecName == "json", let event = Self.compactJSON(frames[2]) {
                object.addRaw("event", event)
            }
        }
        output += object.finish()
        output.append(UInt8(ascii: "\n"))
    }

    /// `[{"text": …} or {"base64": …}, …]`: each frame as text when it is UTF-8.
    private static func framesArray(_ frames: [Message]) -> [UInt8] {
        var output: [UInt8] = [UInt8(ascii: "[")]
        for (index, frame) in frames.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            frame.withUnsafeBytes { bytes in
                if PeerText.isWellFormedUTF8(bytes) {
                    output += Array(#"{"text":"#.utf8)
                    Escaping.appendJSONString(bytes, to: &output)
                } else {
                    output += Array(#"{"base64":""#.utf8)
                    Escaping.appendBase64(bytes, to: &output)
                    output.append(UInt8(ascii: "\""))
                }
                output.append(UInt8(ascii: "}"))
            }
        }
        output.append(UInt8(ascii: "]"))
        return output
    }

    private static func envelopeObject(_ channel: ChannelMessage) -> [UInt8] {
        let envelope = channel.envelope
        var object = JSONObjectWriter()
        object.add("event_type", string: envelope.eventType)
        object.add("event_id", string: envelope.eventID.uuidString.lowercased())
        object.add("publisher_id", string: envelope.publisherID.uuidString.lowercased())
        object.add("sequence", number: envelope.sequence)
        object.add("timestamp", string: Timestamp(nanosecondsSince1970: envelope.timestampNanoseconds).iso8601)
        object.add("timestamp_ns", number: envelope.timestampNanoseconds)
        object.add("schema_version", number: envelope.schemaVersion)
        object.add("codec", string: channel.codecName)
        if !envelope.metadata.isEmpty {
            var metadata = JSONObjectWriter()
            for (key, value) in envelope.metadata.entries.sorted(by: { $0.key < $1.key }) {
                metadata.add(key, string: value)
            }
            object.addRaw("metadata", metadata.finish())
        }
        return object.finish()
    }

    /// A JSON payload as one line of well-formed UTF-8, or `nil` when it is
    /// not JSON. The payload's own bytes go into the line, so only what a
    /// strict reader takes qualifies: UTF-8 without a byte order mark
    /// (`JSONSerialization` also reads UTF-16 and UTF-32 and skips a mark) and
    /// no raw C0 control but whitespace. Line breaks and tabs in valid JSON
    /// can only be whitespace between tokens, so they become spaces; DEL and C1
    /// controls, valid raw inside JSON strings but obeyed by terminals, become `\u00NN`.
    private static func compactJSON(_ frame: Message) -> [UInt8]? {
        frame.withUnsafeBytes { bytes -> [UInt8]? in
            guard PeerText.isWellFormedUTF8(bytes), !bytes.starts(with: [0xEF, 0xBB, 0xBF]),
                (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
            else { return nil }
            var line: [UInt8] = []
            line.reserveCapacity(bytes.count)
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): line.append(UInt8(ascii: " "))
                case 0x00..<0x20: return nil
                case 0x7F: line += Array("\\u007f".utf8)
                case 0xC2 where bytes[index] < 0xA0:
                    line += Array("\\u00".utf8) + Array(String(bytes[index], radix: 16).utf8)
                    index += 1
                default: line.append(byte)
                }
            }
            return line
        }
    }
}
