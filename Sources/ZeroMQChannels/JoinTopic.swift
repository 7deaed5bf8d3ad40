import Foundation
import ZeroMQ

/// The subscriber-join protocol: each ``Subscriber`` (and `zmq sub`)
/// subscribes to a private topic `_zmq.join.<id>.`, and a publisher, whose
/// XPUB socket receives every subscription, counts the distinct ids: how
/// ``Publisher/waitForSubscribers(_:timeout:)`` (and `zmq pub
/// --wait-subscribers`) knows that subscribers joined, even behind a proxy,
/// without sleeping. The one place that writes and reads these topics.
public enum JoinTopic {
    /// The prefix of every join topic, in the reserved `_zmq.` namespace.
    static let prefix = Array("\(Topic.reservedPrefix)join.".utf8)

    /// The join topic a subscriber with `id` subscribes to.
    public static func subscription(for id: UUID) -> String {
        "\(Topic.reservedPrefix)join.\(id.uuidString)."
    }

    /// Reads a subscription message an XPUB socket received (a byte `1` to
    /// subscribe or `0` to unsubscribe, then the topic): for a join topic,
    /// whether the subscriber joined or left, and its topic as the key to
    /// count it by; `nil` for any other message.
    public static func change(in message: [UInt8]) -> (joined: Bool, subscriber: [UInt8])? {
        guard let kind = message.first, kind <= 1, message.dropFirst().starts(with: prefix) else { return nil }
        return (kind == 1, Array(message.dropFirst()))
    }
}
