import Foundation
import Logging
import ZeroMQ
import ZeroMQChannels

/// A catch-up subscription to the event store's committed feed: every stored
/// event after a checkpoint, each once, in sequence order, however the bus
/// behaves.
///
/// It subscribes to the feed (`stored.*` on the bus) first, then fetches from
/// the store what came after its checkpoint, then goes live. The gap-free
/// sequence makes every case exact: a live event it already has is skipped,
/// and one that arrives ahead of the next expected number (events dropped on
/// a full bus, or published while the bus or this consumer was down) is the
/// signal to fetch the missing ones from the store by sequence number. The
/// feed carries `order.placed` as a pointer, so that event is always fetched
/// from the store complete. The store repeats its newest event on the feed
/// every second while idle, so even a lost last event is noticed.
///
/// While the store is unreachable it retries every half second and waits:
/// nothing is skipped, the consumer just falls behind.
public final class CatchUpSubscription: Sendable {
    /// How the events came in.
    public struct Progress: Sendable, Hashable {
        /// Events fetched from the store (catch-up, gap filling and pointers).
        public var replayed = 0
        /// Events taken from the live feed.
        public var live = 0
        /// Live events skipped because they were already delivered.
        public var duplicatesSkipped = 0
        /// Times a gap in the live feed was filled from the store.
        public var gapsFilled = 0
        /// Complete `OrderPlaced` events fetched from the store (the feed carries pointers).
        public var ordersFetched = 0
        /// Requests to the store.
        public var roundTrips = 0

        public init() {}
    }

    public let context: Context
    public let addresses: Addresses
    private let logger: Logger
    private let state = Shared(Progress())

    public init(context: Context, addresses: Addresses, logger: Logger) {
        self.context = context
        self.addresses = addresses
        self.logger = logger
    }

    /// What has come in so far.
    public var progress: Progress { state.value }

    /// Passes every stored event after `checkpoint` to `apply`, in order and
    /// in batches, until cancelled or the context is shut down. Each batch
    /// starts right after the last event of the one before.
    public func run(from checkpoint: Int64, _ apply: ([StoredEvent]) async throws -> Void) async throws {
        // Subscribe before fetching, so that nothing committed meanwhile is missed.
        let feed = try Subscriber<StoredEvent>(
            context: context, .connect(addresses.busSubscribe), topics: [FeedTopic.all], logger: logger)
        let store = try StoreClient(context: context, addresses: addresses, timeout: .seconds(5))
        var position = checkpoint

        /// Applies what the store has after `position`, until it has nothing more or `target` is reached.
        func fetch(upTo target: Int64?) async throws {
            while target.map({ position < $0 }) ?? true {
                let batch = try await events(after: position, from: store).filter { $0.sequence > position }
                guard let last = batch.last else { return }
                try await apply(batch)
                position = last.sequence
                state.modify {
                    $0.replayed += batch.count
                    $0.ordersFetched += batch.count { $0.event.kind == .orderPlaced }
                }
            }
        }

        try await fetch(upTo: nil)
        for try await received in feed.events {
            let stored = received.event
            if stored.sequence <= position {
                state.modify { $0.duplicatesSkipped += 1 }
                continue
            }
            if stored.sequence == position + 1, !stored.event.isPointer {
                try await apply([stored])
                position = stored.sequence
                state.modify { $0.live += 1 }
                continue
            }
            if stored.sequence > position + 1 { state.modify { $0.gapsFilled += 1 } }
            try await fetch(upTo: stored.sequence)
        }
    }

    /// Up to 500 events after `sequence`, asking again every half second while the store does not answer.
    private func events(after sequence: Int64, from store: StoreClient) async throws -> [StoredEvent] {
        try await store.untilAnswered("events after \(sequence)", logger: logger) { store in
            state.modify { $0.roundTrips += 1 }
            return try await store.events(after: sequence, limit: 500)
        }
    }
}

extension DeliveryEvent {
    /// Whether this is a pointer that stands for a complete event in the store.
    public var isPointer: Bool {
        if case .orderPointer = self { return true }
        return false
    }
}
