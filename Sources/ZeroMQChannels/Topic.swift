import Foundation
import ZeroMQ

/// A channel topic: a dotted name such as `orders.placed` or
/// `delivery.courier.7.location`, matched by whole segments.
///
/// ZeroMQ's own filter matches raw byte prefixes, so a subscription to
/// `order.1` would also receive `order.10`. On the wire a topic therefore ends
/// with a `.` delimiter (`order.1.`), and a subscription to a topic is the
/// prefix `order.1.`: it receives `order.1` and everything below it
/// (`order.1.paid`), never `order.10`.
public struct Topic: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The dotted name, without the wire delimiter.
    public let name: String

    /// The longest topic name, in UTF-8 bytes.
    public static let maxLength = 255

    /// A validated topic. Segments are separated by `.`, none may be empty, and a
    /// topic holds no whitespace, control characters or NUL. Names starting with
    /// `_zmq.` are reserved for the channels' own use.
    public init(_ name: String) throws(ChannelError) {
        if let problem = Topic.problem(with: name) { throw .invalidTopic(name, reason: problem) }
        self.name = name
    }

    /// A topic written in code; an invalid literal is a programming error.
    public init(stringLiteral name: String) {
        do { try self.init(name) } catch { preconditionFailure(error.description) }
    }

    init(unchecked name: String) { self.name = name }

    public var description: String { name }

    /// The dot-separated parts of the name.
    public var segments: [Substring] { name.split(separator: ".", omittingEmptySubsequences: false) }

    /// The topic frame as sent: the name followed by the `.` delimiter.
    public var wireBytes: [UInt8] { Array(name.utf8) + [Topic.delimiter] }

    /// Whether a subscription to `self` receives events published to `topic`.
    public func matches(_ topic: Topic) -> Bool {
        topic.wireBytes.starts(with: wireBytes)
    }

    static let delimiter = UInt8(ascii: ".")
    static let reservedPrefix = "_zmq."

    /// Reads a topic frame, checking it is well-formed.
    package static func fromWire(_ bytes: UnsafeRawBufferPointer) throws(ChannelError) -> Topic {
        guard bytes.count >= 2, bytes.last == delimiter else {
            throw .malformedMessage("topic frame of \(bytes.count) bytes does not end with the '.' delimiter")
        }
        guard bytes.count <= maxLength + 1 else {
            throw .malformedMessage("topic frame of \(bytes.count) bytes, longer than \(maxLength) and its delimiter")
        }
        guard let name = utf8String(UnsafeRawBufferPointer(rebasing: bytes.dropLast())) else {
            throw .malformedMessage("topic frame is not UTF-8")
        }
        if let problem = Topic.problem(with: name, allowReserved: true) {
            throw .malformedMessage("topic \"\(name)\": \(problem)")
        }
        return Topic(unchecked: name)
    }

    private static func problem(with name: String, allowReserved: Bool = false) -> String? {
        if name.isEmpty { return "empty" }
        if name.utf8.count > maxLength { return "longer than \(maxLength) bytes" }
        if !allowReserved && name.hasPrefix(reservedPrefix) { return "\(reservedPrefix) is reserved" }
        if name.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            return "empty segment"
        }
        // Printable ASCII is the common case and needs no Unicode property lookup.
        let isPrintableASCII = name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
        if !isPrintableASCII,
            name.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        {
            return "contains whitespace or control characters"
        }
        return nil
    }
}

/// The topic of the last channel message read, so that a stream of messages
/// on one topic (the common case) checks its topic frame once: a frame with
/// the same bytes as the last one is the same topic.
@usableFromInline
struct LastWireTopic {
    private var bytes: [UInt8] = []
    private var topic: Topic?

    @usableFromInline init() {}

    /// The topic in `frame`, checked by ``Topic/fromWire(_:)`` unless it repeats the last one.
    @usableFromInline
    mutating func topic(in frame: UnsafeRawBufferPointer) throws(ChannelError) -> Topic {
        if let topic, bytes.count == frame.count,
            bytes.withUnsafeBytes({ memcmp($0.baseAddress!, frame.baseAddress!, frame.count) == 0 })
        {
            return topic
        }
        let read = try Topic.fromWire(frame)
        bytes = Array(frame)
        topic = read
        return read
    }
}
