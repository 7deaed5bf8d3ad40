import Foundation
import Logging
import ZeroMQ
import ZeroMQChannels

/// The producers' end of the path every fact takes to the event store: an
/// ``AcknowledgedSender`` to the store's ingest endpoint. The store
/// acknowledges a fact once it has committed it, and the sender keeps
/// sending it until then, so a fact survives a store restart, and (with an
/// outbox) the producer's own.
public enum FactChannel {
    /// The payload codec on this path: binary, since every fact crosses it
    /// once and nobody reads it from a terminal (``DeliveryEvent`` writes and
    /// reads itself, `BinaryFacts.swift`); the store's feed stays JSON.
    public static let codec: any EventCodec = BinaryEventCodec()

    /// A sender of facts to the store at `addresses.storeIngest`.
    /// - Parameters:
    ///   - producer: a name unique among the producers (`orders`, `courier-2`):
    ///     with an outbox, the sender's id is derived from it, so that the
    ///     store's acknowledgements of facts sent before a restart reach the
    ///     restarted producer.
    ///   - outbox: a file that keeps unacknowledged facts across a restart;
    ///     `nil` keeps them in memory only (what a crash of this process then loses).
    public static func sender(
        context: Context, addresses: Addresses, producer: String, outbox: String?, logger: Logger
    ) throws -> AcknowledgedSender<DeliveryEvent> {
        var options = AcknowledgedSenderOptions()
        if let outbox { options.outbox = try FileOutbox(path: outbox) }
        return try AcknowledgedSender<DeliveryEvent>(
            context: context, .connect(addresses.storeIngest), codec: codec,
            publisherID: outbox == nil ? UUID() : UUID(stableFor: "delivery producer \(producer)"), options: options,
            logger: logger)
    }

    /// The facts an outbox file holds, not yet acknowledged by the store
    /// (empty when there is no such file): how a restarted order service
    /// knows the order numbers it gave out.
    public static func unacknowledged(in outbox: String) throws -> [DeliveryEvent] {
        guard FileManager.default.fileExists(atPath: outbox) else { return [] }
        let file = try FileOutbox(path: outbox)
        defer { file.close() }
        return try file.load().compactMap { entry in
            try entry.frames.last.map { payload in
                try payload.withUnsafeBytes { try codec.decode(DeliveryEvent.self, from: $0) }
            }
        }
    }
}

extension UUID {
    /// The same id for the same name, every time (two FNV-1a hashes, with the
    /// version 4 and variant bits set): a producer's identity across restarts.
    public init(stableFor name: String) {
        func fnv(_ seed: UInt64) -> UInt64 {
            name.utf8.reduce(seed) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for (index, word) in [fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4)].enumerated() {
            for byte in 0..<8 { bytes[index * 8 + byte] = UInt8(truncatingIfNeeded: word >> (8 * byte)) }
        }
        bytes[6] = bytes[6] & 0x0f | 0x40
        bytes[8] = bytes[8] & 0x3f | 0x80
        self.init(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
