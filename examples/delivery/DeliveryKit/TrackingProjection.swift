import Foundation
import Logging
import ZeroMQ

/// A query for the tracking read model, as JSON over REQ/REP:
/// `zmq req tcp://127.0.0.1:5590 '{"order":{"order":3}}'`.
public enum TrackingQuery: Codable, Sendable {
    case order(order: Int)
    case courier(courier: Int)
    case summary
}

/// The read model's answer.
public enum TrackingReply: FailableReply, Hashable {
    case order(view: OrderView?)
    case courier(view: CourierView?)
    case summary(orders: Int, delivered: Int, checkpoint: Int64)
    case failure(reason: String)
}

/// Keeps a ``TrackingModel`` up to date from the store's feed and serves
/// queries on it. Started late (or restarted), it first replays the store from
/// its checkpoint, then switches to live events; the sequence numbers make the
/// switch exact: a live event it already replayed is skipped, and a gap (an
/// event dropped on the way) is filled from the store. The model is eventually
/// consistent: it trails the store by its ``lag``.
public final class TrackingProjection: Sendable {
    /// How the projection came by its events.
    public struct Progress: Sendable, Hashable {
        /// Events applied from the store (replay and gap filling).
        public var replayed = 0
        /// Events applied from the live feed.
        public var live = 0
        /// Live events skipped because they were already applied.
        public var duplicatesSkipped = 0
        /// Times a gap in the live feed was filled from the store.
        public var gapsFilled = 0
    }

    private let state = Shared((model: TrackingModel(), progress: Progress()))
    public let context: Context
    public let addresses: Addresses
    /// Whether to answer ``TrackingQuery``s at `addresses.tracking`.
    public let serveQueries: Bool
    public let bindAllInterfaces: Bool
    private let logger: Logger

    public init(
        context: Context, addresses: Addresses, serveQueries: Bool = true, bindAllInterfaces: Bool = false,
        logger: Logger = Logger(label: "delivery.tracking")
    ) {
        self.context = context
        self.addresses = addresses
        self.serveQueries = serveQueries
        self.bindAllInterfaces = bindAllInterfaces
        self.logger = logger
    }

    /// The current read model.
    public var model: TrackingModel { state.value.model }
    /// How the events arrived.
    public var progress: Progress { state.value.progress }

    /// Follows the store (and serves queries) until cancelled or the context is shut down.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.follow() }
            if serveQueries {
                group.addTask {
                    try await serveRequests(
                        context: self.context,
                        bind: Addresses.bindable(self.addresses.tracking, allInterfaces: self.bindAllInterfaces),
                        TrackingQuery.self
                    ) { (query: TrackingQuery) -> TrackingReply in self.answer(query) }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Replays the store from the checkpoint, then applies live events.
    private func follow() async throws {
        // Subscribe before replaying, so nothing published meanwhile is missed.
        let feed = try Subscriber<StoredEvent>(
            context: context, .connect(addresses.busSubscribe), topics: [FeedTopic.all], logger: logger)
        let store = try StoreClient(context: context, addresses: addresses)
        try await catchUp(from: store)
        for try await received in feed.events {
            let stored = received.event
            if stored.sequence > model.checkpoint + 1 {
                try await catchUp(from: store)
                state.modify { $0.progress.gapsFilled += 1 }
            }
            try state.modify { (state) throws in
                if stored.sequence <= state.model.checkpoint {
                    state.progress.duplicatesSkipped += 1
                } else {
                    try state.model.apply(stored)
                    state.progress.live += 1
                }
            }
        }
    }

    /// Applies everything the store has after the checkpoint.
    private func catchUp(from store: StoreClient) async throws {
        while case let batch = try await store.events(after: model.checkpoint), !batch.isEmpty {
            try state.modify { (state) throws in
                for stored in batch where stored.sequence > state.model.checkpoint {
                    try state.model.apply(stored)
                    state.progress.replayed += 1
                }
            }
        }
    }

    /// The answer to a query, from the read model alone.
    public func answer(_ query: TrackingQuery) -> TrackingReply {
        let model = self.model
        switch query {
        case .order(let id): return .order(view: model.orders[id])
        case .courier(let id): return .courier(view: model.couriers[id])
        case .summary:
            return .summary(
                orders: model.orders.count, delivered: model.orders.values.count { $0.status == .delivered },
                checkpoint: model.checkpoint)
        }
    }
}
