import Foundation
import ZeroMQ

/// The frame a receiver of the acknowledged channel sends back: which events
/// it has handled, so that their sender may forget them.
///
/// Layout: `u8 version = 1 | u8 kind = 1 (acknowledged) | n × 16 bytes event id`.
/// The events themselves travel as channel messages (`[topic][envelope][payload]`).
package enum Acknowledgement {
    static let version: UInt8 = 1
    static let kindAcknowledged: UInt8 = 1

    /// The frame acknowledging `ids`.
    package static func frame(acknowledging ids: some Collection<UUID>) -> [UInt8] {
        var frame: [UInt8] = [version, kindAcknowledged]
        frame.reserveCapacity(2 + ids.count * 16)
        for id in ids { withUnsafeBytes(of: id.uuid) { frame.append(contentsOf: $0) } }
        return frame
    }

    /// The ids a frame acknowledges; `nil` for a frame that is not an acknowledgement.
    package static func ids(in frame: UnsafeRawBufferPointer) -> [UUID]? {
        guard frame.count >= 2, frame[0] == version, frame[1] == kindAcknowledged, (frame.count - 2) % 16 == 0
        else { return nil }
        return stride(from: 2, to: frame.count, by: 16).map { offset in
            UUID(uuid: frame.loadUnaligned(fromByteOffset: offset, as: uuid_t.self))
        }
    }
}

/// What an end of the acknowledged channel has done, so that back-pressure,
/// resends and duplicates are visible.
public struct AcknowledgedCounters: Sendable, Equatable, CustomStringConvertible {
    /// Sender: events handed to the channel (each counted once, however often sent).
    public var sent: UInt64 = 0
    /// Sender: events the receiver acknowledged. Receiver: events it acknowledged.
    public var acknowledged: UInt64 = 0
    /// Sender: times an event was sent again because no acknowledgement came in time.
    public var resent: UInt64 = 0
    /// Sender: events sent and not yet acknowledged.
    public var inFlight: UInt64 = 0
    /// Receiver: events handed to the handler.
    public var received: UInt64 = 0
    /// Receiver: events that arrived again after they were handled, dropped (and acknowledged again).
    public var duplicates: UInt64 = 0
    /// Receiver: messages that were not channel messages or did not decode.
    public var undecodable: UInt64 = 0

    /// All zero.
    public init() {}

    public var description: String {
        "sent \(sent), acknowledged \(acknowledged), resent \(resent), in flight \(inFlight), received \(received), duplicates \(duplicates), undecodable \(undecodable)"
    }
}

/// Event ids recently handled, in a set of bounded size: two generations of
/// at most half the capacity each; when the current one fills, the older is
/// dropped. An id older than that is no longer recognised as a duplicate.
struct RecentIDs {
    let capacity: Int
    private var current = Set<UUID>()
    private var previous = Set<UUID>()

    init(capacity: Int) { self.capacity = max(2, capacity) }

    func contains(_ id: UUID) -> Bool { current.contains(id) || previous.contains(id) }

    mutating func insert(_ id: UUID) {
        if current.count >= capacity / 2 {
            previous = current
            current = []
        }
        current.insert(id)
    }
}
