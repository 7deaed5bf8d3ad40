import Foundation
import ZeroMQ
import ZeroMQChannels

/// Where a fact sits in the work it is part of: the order it belongs to (its
/// correlation id, `order-N`) and the fact that caused it (its causation
/// id). Every fact travels to the store with both in its envelope's
/// metadata, and the store keeps them beside it, so that `delivery history`
/// can tell which fact led to which across the roles that sent them.
public struct Causation: Sendable, Hashable, Codable {
    /// `order-N` for every fact about order N.
    public var correlationID: String?
    /// The id of the fact that caused this one; `nil` for the first of its
    /// order (an `OrderPlaced`, caused by a command, not by a fact).
    public var causationID: UUID?

    public init(correlationID: String?, causationID: UUID?) {
        self.correlationID = correlationID
        self.causationID = causationID
    }

    /// A fact appended without an envelope (straight to the store): no ids.
    public static let unknown = Causation(correlationID: nil, causationID: nil)

    /// The correlation id of every fact about `orderID`.
    public static func correlationID(ofOrder orderID: Int) -> String { "order-\(orderID)" }

    /// What a received envelope says; a causation id that is not a UUID is
    /// left out, and so is a correlation id that is not printable text (a NUL
    /// or another control character, which PostgreSQL's text columns refuse:
    /// one such fact would fail every batch it arrived in, again at each resend).
    public init(_ metadata: EventMetadata) {
        correlationID = metadata.correlationID.flatMap { id in
            id.unicodeScalars.contains { $0.properties.generalCategory == .control } ? nil : id
        }
        causationID = metadata.causationID.flatMap(UUID.init(uuidString:))
    }
}

extension AcknowledgedSender where Event == DeliveryEvent {
    /// Sends `fact` to the store under its topic, with its order's correlation
    /// id and `cause` (the id of the fact that led to it) in the envelope.
    /// - Returns: the envelope sent, whose id the store's acknowledgement names.
    @discardableResult
    public func send(_ fact: DeliveryEvent, causedBy cause: UUID?) async throws -> EventEnvelope {
        let metadata = try EventMetadata(
            correlationID: Causation.correlationID(ofOrder: fact.orderID), causationID: cause?.uuidString)
        return try await send(fact, to: fact.topic, metadata: metadata)
    }
}
