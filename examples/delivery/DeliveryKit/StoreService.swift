import Foundation
import Logging
import ZeroMQ
import ZeroMQChannels

/// A query for the event store service, as JSON over REQ/REP:
/// `zmq req tcp://127.0.0.1:5560 '{"orderHistory":{"order":3}}'`. Facts do
/// not come this way: they arrive over the acknowledged channel.
public enum StoreRequest: Codable, Sendable {
    /// The complete order behind a pointer event.
    case order(order: Int)
    case orderHistory(order: Int)
    case courierHistory(courier: Int)
    /// Up to `limit` events after `sequence`: replay for projections.
    case events(after: Int64, limit: Int)
    case head
    case lastOrderID
    /// Every event of a stream (`order-3`), oldest first: what a command handler reads before it decides.
    case stream(name: String)
    /// A command's decision, appended if its stream is where `expecting` says
    /// (``EventStore/append(_:expecting:causation:)``): answered `appended`
    /// once committed, or `conflict`.
    case append(event: DeliveryEvent, expecting: ExpectedVersion, causation: Causation)
}

/// The store service's answer.
public enum StoreReply: FailableReply {
    case order(order: OrderPlaced?)
    case events(events: [StoredEvent])
    case number(value: Int64)
    case appended(sequence: Int64, version: Int64, isNew: Bool)
    case conflict(VersionConflict)
    case failure(reason: String)
}

/// The event store as a service on the network. It takes facts from every
/// producer over the acknowledged channel (``AcknowledgedReceiver`` at
/// `addresses.storeIngest`), appends each batch that has arrived in one
/// transaction (group commit) and only then acknowledges it; it answers
/// queries (pointer resolution, history, replay); and it publishes what it
/// committed, in sequence order, on the bus's `stored.` topics: the feed that
/// consumers follow with a ``CatchUpSubscription``.
public struct StoreService: Sendable {
    public let context: Context
    public let addresses: Addresses
    public let store: EventStore
    public var logger = Logger(label: "delivery.store")
    /// The most facts appended in one transaction.
    public var largestBatch = 1_000
    /// Facts received over the acknowledged channel (resends included).
    public let received = Counter()
    /// Facts the store already had (resends, and repeats such as a second courier's delivery).
    public let duplicatesIgnored = Counter()
    /// Transactions committed: one per batch.
    public let commits = Counter()
    /// The acknowledged channel's counters, as of the last batch taken or committed.
    public let ingest = Shared(AcknowledgedCounters())

    public init(context: Context, addresses: Addresses, store: EventStore) {
        self.context = context
        self.addresses = addresses
        self.store = store
    }

    /// Runs until cancelled or the context is shut down.
    public func run() async throws {
        // What the feed starts after: what was committed before this run.
        let head = try await store.head()
        // Commits hand their events to the feed; an overflow drops the oldest, which the feed then reads back.
        let (wakes, wake) = AsyncStream.makeStream(of: FeedWake.self, bufferingPolicy: .bufferingNewest(256))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await record(wake) }
            group.addTask { try await publishFeed(wakes, after: head) }
            group.addTask {
                // The feed repeats its newest event while idle, so a consumer that missed the last one finds out.
                while true {
                    try await Task.sleep(for: .seconds(1))
                    wake.yield(.tick)
                }
            }
            if store.log.isShared {
                group.addTask {
                    // Other store processes commit too: the publisher reads back what they did.
                    while true {
                        try await Task.sleep(for: .milliseconds(20))
                        wake.yield(.poll)
                    }
                }
            }
            group.addTask {
                try await serveRequests(
                    context: context, bind: addresses.bindable(addresses.store),
                    StoreRequest.self
                ) { (request: StoreRequest) -> StoreReply in await answer(request, feed: wake) }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Appends each batch of facts in one transaction, then acknowledges it.
    ///
    /// Pipelined: while one batch commits, the next is taken, decoded and its
    /// JSON rows written; once it is full (or the writer is idle) it is
    /// started, behind the one committing, so under sustained load the
    /// database's writer goes from one commit to the next without waiting
    /// for this loop. Batches commit in the order they arrived. If a
    /// commit fails, neither it nor any batch behind it is written or
    /// acknowledged: their senders send them again (each when its own resend
    /// timer says, so not necessarily in the order first sent).
    private func record(_ feed: AsyncStream<FeedWake>.Continuation) async throws {
        typealias Receiver = AcknowledgedReceiver<DeliveryEvent>
        let receiver = try Receiver(
            context: context, .bind(addresses.bindable(addresses.storeIngest)),
            codec: FactChannel.codec, logger: logger)
        let appends = AppendPipeline(store: store)
        /// Batches started and not yet acknowledged, oldest first: at most two
        /// (one committing, one waiting for the writer).
        var started: [(taken: Receiver.Taken, causes: [Causation], append: PendingAppend)] = []
        var next = Receiver.Taken()
        var nextRows: [Data] = []
        var ended = false
        /// Writes the JSON rows of what was taken since the last call.
        func writeRows() throws {
            nextRows += try next.events[nextRows.count...].map { try $0.event.json() }
        }
        /// Acknowledges a committed batch and hands what it stored to the feed.
        func finish(_ taken: Receiver.Taken, _ causes: [Causation], _ results: [EventStore.Appended]) throws {
            // Once the context is shut down no acknowledgement can leave; the senders send these again.
            if !ended { try receiver.acknowledge(taken) }
            commits.add()
            received.add(taken.count)
            duplicatesIgnored.add(results.count { !$0.isNew })
            let committed = zip(zip(taken.events, causes), results).compactMap { pair, result -> Committed? in
                let (received, causation) = pair
                guard let recordedAt = result.recordedAt, let body = result.body else { return nil }
                return Committed(
                    stored: StoredEvent(
                        sequence: result.sequence, event: received.event, recordedAt: recordedAt,
                        version: result.version, causation: causation),
                    json: body)
            }
            if !committed.isEmpty { feed.yield(.committed(committed)) }
            ingest.modify { $0 = receiver.counters }
        }
        while !ended || !started.isEmpty {
            do {
                if let oldest = started.first,
                    oldest.append.hasEnded || ended || (started.count == 2 && next.count >= largestBatch)
                {
                    started.removeFirst()
                    let results: [EventStore.Appended]
                    do { results = try await oldest.append.results() } catch {
                        receiver.release(oldest.taken)
                        throw error
                    }
                    try finish(oldest.taken, oldest.causes, results)
                } else if !next.isEmpty, !ended, started.count < 2, started.isEmpty || next.count >= largestBatch {
                    // The writer is idle, or this batch is full: start it.
                    // Read once from the envelopes: for the rows, and for the feed once committed.
                    let causes = next.events.map { Causation($0.envelope.metadata) }
                    started.append((next, causes, appends.start(next.events.map(\.event), bodies: nextRows, causes: causes)))
                    next = Receiver.Taken()
                    nextRows = []
                } else if !ended {
                    ended = try await !receiver.take(
                        into: &next, limit: largestBatch - next.count,
                        // Idle: wait for facts; under load, a millisecond's more in the same transaction.
                        gathering: started.isEmpty ? .milliseconds(1) : .zero,
                        // Committing: short waits, so that an acknowledgement leaves at most half a millisecond after its commit.
                        waitingAtMost: started.isEmpty ? nil : .microseconds(500))
                    try writeRows()
                    ingest.modify { $0 = receiver.counters }
                }
            } catch where !(error is CancellationError) && !Task.isCancelled {
                // Nothing behind a failed batch was written (the pipeline saw to that); what got in before the
                // error is acknowledged, the rest released, so that its senders send it again.
                for batch in started {
                    if let results = try? await batch.append.results() {
                        try? finish(batch.taken, batch.causes, results)
                    } else {
                        receiver.release(batch.taken)
                    }
                }
                started = []
                appends.resume()
                receiver.release(next)
                next = Receiver.Taken()
                nextRows = []
                logger.error("cannot append facts; they will be sent again", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Publishes committed events in sequence order, as the commits hand them
    /// over; what it did not get that way (an overflow of the hand-over, an
    /// append made straight to the store, or another store process's commit
    /// on a shared log) it reads back from the store. An `OrderPlaced` goes
    /// out as a pointer. An event the bus drops shows up as a gap at the
    /// consumers, which fetch it from the store.
    ///
    /// On a log that several store processes share, one of them publishes
    /// (``EventLog/whileFeedPublisher(_:)``); when it is gone, another takes
    /// over from where it recorded having published (a second at most
    /// before it stopped: consumers skip what they get twice).
    private func publishFeed(_ wakes: AsyncStream<FeedWake>, after head: Int64) async throws {
        let feed = try Publisher<FeedMessage>(
            context: context, .connect(addresses.busPublish), codec: FeedCodec(), eventType: "StoredEvent",
            logger: logger)
        try feed.socket.set(.sendHighWaterMark, 100_000)
        var wakes = wakes.makeAsyncIterator()
        try await store.log.whileFeedPublisher { turn in
            let start = turn.resumeAfter ?? head
            if store.log.isShared { logger.notice("publishing the store's feed", metadata: ["after": "\(start)"]) }
            try await publishFeed(feed, &wakes, after: start, turn: turn)
        }
    }

    private func publishFeed(
        _ feed: Publisher<FeedMessage>, _ wakes: inout AsyncStream<FeedWake>.Iterator, after head: Int64, turn: FeedTurn
    ) async throws {
        var published = head
        var newest: (message: FeedMessage, topic: Topic)? = nil
        if let last = try await store.events(after: max(0, head - 1), limit: 1).last?.forFeed {
            newest = (FeedMessage(last, eventJSON: try last.event.json()), FeedTopic.of(last.event.kind))
        }
        /// `json`: the event's JSON when at hand (as just stored); an `OrderPlaced` goes out as a pointer.
        func publish(_ stored: StoredEvent, json: Data? = nil) throws {
            let onFeed = stored.forFeed
            let eventJSON = try onFeed.event.isPointer ? onFeed.event.json() : json ?? stored.event.json()
            let message = FeedMessage(onFeed, eventJSON: eventJSON)
            let topic = FeedTopic.of(stored.event.kind)
            try feed.publish(message, to: topic)
            published = stored.sequence
            turn.published(published)
            newest = (message, topic)
        }
        /// Publishes what the store holds after `published`, up to `last`; whether it published any.
        func readBack(upTo last: Int64?) async throws -> Bool {
            var sent = false
            while last.map({ published < $0 }) ?? true {
                let batch = try await store.events(after: published)
                guard !batch.isEmpty else { break }
                for stored in batch where last.map({ stored.sequence <= $0 }) ?? true { try publish(stored) }
                sent = true
            }
            return sent
        }
        while turn.isCurrent(), let wake = await wakes.next() {
            switch wake {
            case .committed(let batch):
                guard let first = batch.first?.stored else { continue }
                if first.sequence > published + 1 { _ = try await readBack(upTo: first.sequence - 1) }
                for item in batch where item.stored.sequence > published { try publish(item.stored, json: item.json) }
            case .tick:
                if try await !readBack(upTo: nil), let newest { try feed.publish(newest.message, to: newest.topic) }
            case .poll:
                _ = try await readBack(upTo: nil)
            }
        }
    }

    private func answer(_ request: StoreRequest, feed: AsyncStream<FeedWake>.Continuation) async -> StoreReply {
        do {
            switch request {
            case .stream(let name): return .events(events: try await store.events(inStream: name))
            case .append(let event, let expected, let causation):
                // A pointer stands for a stored fact; it is never stored itself.
                guard !event.isPointer else { return .failure(reason: "a pointer event is not appended") }
                do {
                    let result = try await store.append(event, expecting: expected, causation: causation)
                    if let recordedAt = result.recordedAt, let body = result.body {
                        // On the feed at once, in its place among the commits (which the feed orders by sequence).
                        let stored = StoredEvent(
                            sequence: result.sequence, event: event, recordedAt: recordedAt, version: result.version,
                            causation: causation)
                        feed.yield(.committed([Committed(stored: stored, json: body)]))
                    }
                    return .appended(sequence: result.sequence, version: result.version, isNew: result.isNew)
                } catch let conflict as VersionConflict {
                    return .conflict(conflict)
                }
            case .order(let id): return .order(order: try await store.order(id))
            case .orderHistory(let id): return .events(events: try await store.history(ofOrder: id))
            case .courierHistory(let id): return .events(events: try await store.history(ofCourier: id))
            case .events(let after, let limit):
                return .events(events: try await store.events(after: after, limit: min(limit, 5_000)))
            case .head: return .number(value: try await store.head())
            case .lastOrderID: return .number(value: Int64(try await store.lastOrderID()))
            }
        } catch {
            logger.error("store query failed", metadata: ["error": "\(error)"])
            return .failure(reason: "\(error)")
        }
    }
}

/// What wakes the feed: events just committed (with the JSON stored), the
/// idle timer, or (on a shared log) the timer to read back other processes' commits.
private enum FeedWake: Sendable {
    case committed([Committed])
    case tick
    case poll
}

/// An event just committed, and its JSON as the store wrote it.
private struct Committed: Sendable {
    let stored: StoredEvent
    let json: Data
}

extension StoredEvent {
    /// As the feed carries it: an `OrderPlaced` as a pointer to itself, anything else complete.
    public var forFeed: StoredEvent {
        guard case .orderPlaced(let order) = event else { return self }
        return StoredEvent(
            sequence: sequence, event: .orderPointer(OrderPointer(eventID: order.eventID, orderID: order.orderID)),
            recordedAt: recordedAt, version: version)
    }
}

/// The client side of the store service, for services on other hosts.
public final class StoreClient {
    private let requester: Requester<StoreRequest, StoreReply>

    public init(context: Context, addresses: Addresses, timeout: Duration = .seconds(5)) throws {
        requester = try Requester(context: context, connect: addresses.store, service: "event store", timeout: timeout)
    }

    /// Makes `call` until the store answers, every half second, logging the
    /// first failure and the recovery: for services that can only wait for
    /// the store (which may be restarting), never skip what it holds.
    ///
    /// With `retryingFailures` false, an answer that is an error
    /// (``DeliveryError/failed(service:reason:)``: the store is there and
    /// refuses) is thrown at once instead of asked again: for a command that
    /// must not wait forever on what asking again cannot change.
    public func untilAnswered<Answer>(
        _ what: String, logger: Logger, retryingFailures: Bool = true, _ call: (StoreClient) async throws -> Answer
    ) async throws -> Answer {
        var warned = false
        while true {
            do {
                let answer = try await call(self)
                if warned { logger.notice("the event store answers again", metadata: ["waiting for": "\(what)"]) }
                return answer
            } catch {
                try Task.checkCancellation()
                if !retryingFailures, case DeliveryError.failed = error { throw error }
                if !warned {
                    logger.warning(
                        "the event store does not answer; asking again", metadata: ["waiting for": "\(what)", "error": "\(error)"])
                    warned = true
                }
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// Resolves a pointer: the complete order.
    public func order(_ id: Int) async throws -> OrderPlaced? {
        guard case .order(let order) = try await call(.order(order: id)) else { throw unexpected("order") }
        return order
    }

    public func history(ofOrder id: Int) async throws -> [StoredEvent] {
        try await events(.orderHistory(order: id))
    }

    public func history(ofCourier id: Int) async throws -> [StoredEvent] {
        try await events(.courierHistory(courier: id))
    }

    public func events(after sequence: Int64, limit: Int = 500) async throws -> [StoredEvent] {
        try await events(.events(after: sequence, limit: limit))
    }

    public func head() async throws -> Int64 {
        guard case .number(let head) = try await call(.head) else { throw unexpected("head") }
        return head
    }

    public func lastOrderID() async throws -> Int {
        guard case .number(let id) = try await call(.lastOrderID) else { throw unexpected("lastOrderID") }
        return Int(id)
    }

    /// Every event of `stream`, oldest first; the last one's version is the stream's (none: 0).
    public func events(inStream stream: String) async throws -> [StoredEvent] {
        try await events(.stream(name: stream))
    }

    /// Appends a command's decision if its stream is where `expected` says:
    /// its stream version once committed; throws ``VersionConflict`` when
    /// the stream has moved on (nothing stored).
    @discardableResult
    public func append(
        _ event: DeliveryEvent, expecting expected: ExpectedVersion, causation: Causation = .unknown
    ) async throws -> Int64 {
        switch try await call(.append(event: event, expecting: expected, causation: causation)) {
        case .appended(_, let version, _): return version
        case .conflict(let conflict): throw conflict
        default: throw unexpected("append")
        }
    }

    private func events(_ request: StoreRequest) async throws -> [StoredEvent] {
        guard case .events(let events) = try await call(request) else { throw unexpected("\(request)") }
        return events
    }

    private func call(_ request: StoreRequest) async throws -> StoreReply {
        let reply = try await requester.call(request)
        if case .failure(let reason) = reply { throw DeliveryError.failed(service: "event store", reason: reason) }
        return reply
    }

    private func unexpected(_ what: String) -> DeliveryError {
        .invalid("the event store answered \(what) with an unexpected reply")
    }
}
