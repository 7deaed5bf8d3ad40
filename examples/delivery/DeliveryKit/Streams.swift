import Foundation

/// Where a conditional append expects the event's stream to be: the
/// optimistic-concurrency check of ``EventStore/append(_:expecting:)``.
public enum ExpectedVersion: Sendable, Hashable, Codable, CustomStringConvertible {
    /// No check: the event goes on the end of its stream, wherever that is.
    /// How facts (what has already happened) are appended.
    case any
    /// The stream must not exist yet: the event is its first.
    case noStream
    /// The stream's last event must have this version: nothing was appended
    /// since the caller read it.
    case exactly(Int64)

    /// Whether a stream at `version` (0: no stream) is where this expects.
    public func admits(_ version: Int64) -> Bool {
        switch self {
        case .any: true
        case .noStream: version == 0
        case .exactly(let expected): version == expected
        }
    }

    public var description: String {
        switch self {
        case .any: "any version"
        case .noStream: "no stream"
        case .exactly(let version): "version \(version)"
        }
    }
}

/// A conditional append refused: the stream has moved on since the caller
/// read it (or exists when it was expected not to). Nothing was stored; read
/// the stream again and decide again.
public struct VersionConflict: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var stream: String
    public var expected: ExpectedVersion
    /// The stream's version when the append was refused (0: no stream).
    public var actual: Int64

    public init(stream: String, expected: ExpectedVersion, actual: Int64) {
        self.stream = stream
        self.expected = expected
        self.actual = actual
    }

    public var description: String { "stream \(stream) is at version \(actual), expected \(expected)" }
}

extension DeliveryEvent {
    /// The stream the event belongs to: `order-N` for what happens to an
    /// order, `courier-N` for a courier's positions (the courier's track,
    /// which no order decision reads).
    public var stream: String {
        switch self {
        case .locationUpdated(let location): "courier-\(location.courierID)"
        default: "order-\(orderID)"
        }
    }

    /// The stream of order `id`.
    public static func stream(ofOrder id: Int) -> String { "order-\(id)" }
}
