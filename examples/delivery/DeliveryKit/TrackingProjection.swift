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

/// Keeps a ``TrackingModel`` up to date from the store's committed feed (a
/// ``CatchUpSubscription`` from the model's checkpoint) and serves queries on
/// it. Started late or restarted, it first fetches what it missed from the
/// store, then goes live; the sequence numbers make every switch exact. The
/// model is eventually consistent: it trails the store by its lag.
public final class TrackingProjection: Sendable {
    /// How the projection came by its events.
    public typealias Progress = CatchUpSubscription.Progress

    private let state = Shared(TrackingModel())
    public let context: Context
    public let addresses: Addresses
    /// Whether to answer ``TrackingQuery``s at `addresses.tracking`.
    public let serveQueries: Bool
    private let logger: Logger
    private let feed: CatchUpSubscription

    public init(
        context: Context, addresses: Addresses, serveQueries: Bool = true,
        logger: Logger = Logger(label: "delivery.tracking")
    ) {
        self.context = context
        self.addresses = addresses
        self.serveQueries = serveQueries
        self.logger = logger
        feed = CatchUpSubscription(context: context, addresses: addresses, logger: logger)
    }

    /// The current read model.
    public var model: TrackingModel { state.value }
    /// How the events arrived.
    public var progress: Progress { feed.progress }

    /// Follows the store (and serves queries) until cancelled or the context is shut down.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await self.feed.run(from: self.model.checkpoint) { batch in
                    try self.state.modify { (model) throws in
                        for stored in batch { try model.apply(stored) }
                    }
                }
            }
            if serveQueries {
                group.addTask {
                    try await serveRequests(
                        context: self.context,
                        bind: self.addresses.bindable(self.addresses.tracking),
                        TrackingQuery.self
                    ) { (query: TrackingQuery) -> TrackingReply in self.answer(query) }
                }
            }
            try await group.next()
            group.cancelAll()
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
