import Foundation

/// The event store: an append-only log of ``DeliveryEvent``s, each with a
/// global, gap-free sequence number in the order of commits and a version
/// within its stream (``DeliveryEvent/stream``). Events are never updated or
/// deleted, so every question about the past has an answer; current state is
/// a projection of the log (``TrackingDatabase``).
///
/// Appends are idempotent by event id: appending a fact the store already has
/// returns the original numbers and changes nothing. That is what makes
/// redelivered work safe.
///
/// The log itself is an ``EventLog``: SQLite (``SQLiteEventLog``, the
/// default) or PostgreSQL (`PostgresEventLog`, in `DeliveryPostgres`), which
/// several store processes can share.
public final class EventStore: Sendable {
    /// Where the events are kept.
    public let log: any EventLog

    /// The store in the SQLite file at `path` (created if needed), or in memory when `path` is `nil`.
    public convenience init(path: String?) throws {
        self.init(log: try SQLiteEventLog(path: path))
    }

    public init(log: any EventLog) { self.log = log }

    /// The result of an append.
    public struct Appended: Sendable, Hashable, Codable {
        /// The event's sequence number (the original one for a duplicate).
        public var sequence: Int64
        /// Its version within its stream (the original one for a duplicate).
        public var version: Int64
        /// `false` when the store already had this event id.
        public var isNew: Bool
        /// When this append stored it; `nil` for a duplicate.
        public var recordedAt: Date?
        /// The JSON this append stored; `nil` for a duplicate.
        public var body: Data?

        public init(sequence: Int64, version: Int64, isNew: Bool, recordedAt: Date? = nil, body: Data? = nil) {
            self.sequence = sequence
            self.version = version
            self.isNew = isNew
            self.recordedAt = recordedAt
            self.body = body
        }
    }

    /// Appends `event` to its stream (``DeliveryEvent/stream``) unless its id
    /// is already stored, provided the stream is at `expected`; otherwise it
    /// throws ``VersionConflict`` and stores nothing. A command handler reads
    /// a stream, decides, and appends with the version it read: if another
    /// writer got in between, the conflict tells it to read again and decide
    /// again (optimistic concurrency). A duplicate is no conflict: it returns
    /// the original's numbers, so a command sent again is answered as before.
    @discardableResult
    public func append(
        _ event: DeliveryEvent, expecting expected: ExpectedVersion = .any, causation: Causation = .unknown
    ) async throws -> Appended {
        try await log.append([event], bodies: [try event.json()], causes: [causation], expecting: [expected])[0]
    }

    /// Appends `events` in order in one transaction (a group commit: one
    /// commit for the whole batch), skipping each whose id is already stored
    /// or came earlier in the batch. One result per event, in the same order.
    @discardableResult
    public func append(contentsOf events: [DeliveryEvent]) async throws -> [Appended] {
        try await append(contentsOf: events, bodies: events.map { try $0.json() })
    }

    /// As ``append(contentsOf:)``, with each event's JSON row (``DeliveryEvent/json()``)
    /// written beforehand: the store service writes the next batch's rows
    /// while the last batch commits. `causes` gives each event's ``Causation``
    /// (same index); without it, events are stored without.
    @discardableResult
    public func append(contentsOf events: [DeliveryEvent], bodies: [Data], causes: [Causation]? = nil) async throws
        -> [Appended]
    {
        try await log.append(events, bodies: bodies, causes: causes, expecting: nil)
    }

    /// ``EventLog/startAppending(_:bodies:causes:unless:completion:)``: ``AppendPipeline``'s step.
    func startAppending(
        _ events: [DeliveryEvent], bodies: [Data], causes: [Causation]?, unless halted: @escaping @Sendable () -> Bool,
        completion: @escaping @Sendable (Result<[Appended], any Error>) -> Void
    ) {
        log.startAppending(events, bodies: bodies, causes: causes, unless: halted, completion: completion)
    }

    /// The highest sequence number, 0 when empty.
    public func head() async throws -> Int64 { try await log.head() }

    /// Up to `limit` events after `sequence`, in order: how projections replay.
    public func events(after sequence: Int64, limit: Int = 500) async throws -> [StoredEvent] {
        try await log.events(.after(sequence, limit: limit))
    }

    /// Every event of `stream` (``DeliveryEvent/stream``), oldest first; the
    /// last one's ``StoredEvent/version`` is the stream's version (none: 0).
    public func events(inStream stream: String) async throws -> [StoredEvent] {
        try await log.events(.stream(stream))
    }

    /// Every event about `orderID`, oldest first: the order's history.
    public func history(ofOrder orderID: Int) async throws -> [StoredEvent] { try await log.events(.order(orderID)) }

    /// Every event about `courierID`, oldest first.
    public func history(ofCourier courierID: Int) async throws -> [StoredEvent] {
        try await log.events(.courier(courierID))
    }

    /// The complete ``OrderPlaced`` of `orderID`: how a pointer event is resolved.
    public func order(_ orderID: Int) async throws -> OrderPlaced? { try await log.order(orderID) }

    /// The highest order id stored, 0 when none: where a restarted order service goes on.
    public func lastOrderID() async throws -> Int { try await log.lastOrderID() }

    /// How many events of each kind are stored.
    public func countsByKind() async throws -> [EventKind: Int] { try await log.countsByKind() }

    /// The bytes the log takes where it is kept: the storage that grows.
    public func storageBytes() async -> Int { await log.storageBytes() }
}

/// Which events an ``EventLog`` reads, oldest first.
public enum EventQuery: Sendable, Hashable {
    /// Up to `limit` events after a sequence number.
    case after(Int64, limit: Int)
    /// Every event of a stream.
    case stream(String)
    /// Every event about an order.
    case order(Int)
    /// Every event about a courier.
    case courier(Int)
}

/// Where an ``EventStore`` keeps its events, and the rules every such place
/// keeps: one transaction per append; the global sequence gap-free in the
/// order of commits; a duplicate event id stores nothing and answers the
/// original numbers; an append whose ``ExpectedVersion`` its stream does not
/// admit throws ``VersionConflict`` and stores nothing of its batch; rows
/// are never updated or deleted; each row keeps its schema version, read
/// back through the ``Upcaster``.
public protocol EventLog: Sendable {
    /// Where the log is, for people: a file, "in memory", or a database URL without its password.
    var location: String { get }

    /// Appends `events` with their JSON rows, ``Causation``s and expected
    /// versions (same index; `nil`: none, any) in one transaction.
    func append(
        _ events: [DeliveryEvent], bodies: [Data], causes: [Causation]?, expecting: [ExpectedVersion]?
    ) async throws -> [EventStore.Appended]

    /// Starts appending `events` in one transaction and returns at once.
    /// Appends started this way run one at a time in the order they were
    /// started. `halted` is asked before the transaction begins; when it
    /// answers `true`, nothing is written and the append fails. `completion`
    /// runs before the next append started this way begins.
    func startAppending(
        _ events: [DeliveryEvent], bodies: [Data], causes: [Causation]?, unless halted: @escaping @Sendable () -> Bool,
        completion: @escaping @Sendable (Result<[EventStore.Appended], any Error>) -> Void
    )

    func events(_ query: EventQuery) async throws -> [StoredEvent]
    func head() async throws -> Int64
    func order(_ orderID: Int) async throws -> OrderPlaced?
    func lastOrderID() async throws -> Int
    func countsByKind() async throws -> [EventKind: Int]
    /// The bytes the log takes (0 in memory).
    func storageBytes() async -> Int

    /// Whether other store processes may append to this log too: the feed
    /// publisher then also reads back, often, what they committed.
    var isShared: Bool { get }

    /// Runs `publish` while this process is the one store process that
    /// publishes the committed feed, asking to become it until it is (each
    /// event must go out once, in sequence order, whichever process
    /// committed it). `publish` should return soon after its turn's
    /// ``FeedTurn/isCurrent`` answers `false`; then this asks again. Returns
    /// or throws when `publish` does, unless the turn was lost.
    func whileFeedPublisher(_ publish: (FeedTurn) async throws -> Void) async throws
}

/// A store process's turn at publishing the committed feed (``EventLog/whileFeedPublisher(_:)``).
public struct FeedTurn: Sendable {
    /// The last sequence number the publisher before recorded as published:
    /// where this turn goes on; `nil` when there was none (one process per log).
    public var resumeAfter: Int64?
    /// Whether this process still has the turn.
    public var isCurrent: @Sendable () -> Bool
    /// Tells the log how far this turn has published, for the next turn to go on from.
    public var published: @Sendable (Int64) -> Void

    public init(
        resumeAfter: Int64?, isCurrent: @escaping @Sendable () -> Bool, published: @escaping @Sendable (Int64) -> Void
    ) {
        self.resumeAfter = resumeAfter
        self.isCurrent = isCurrent
        self.published = published
    }
}

extension EventLog {
    public var isShared: Bool { false }

    /// One process per log: it is always the publisher.
    public func whileFeedPublisher(_ publish: (FeedTurn) async throws -> Void) async throws {
        try await publish(FeedTurn(resumeAfter: nil, isCurrent: { true }, published: { _ in }))
    }
}
