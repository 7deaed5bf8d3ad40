import Foundation
import Logging
import ZeroMQ

/// The receiving end of the acknowledged channel: takes typed events from
/// ``AcknowledgedSender``s over ROUTER, hands them to a handler in batches,
/// and acknowledges each batch once the handler has returned, so that an
/// acknowledged event is never lost here (for an event store: after the
/// commit).
///
/// Senders keep every event until it is acknowledged and send it again after a
/// timeout, so an event may arrive more than once: one handled before (its id
/// among the last ``duplicateWindow`` handled) is dropped and acknowledged
/// again. Handlers that are idempotent by event id (as an event store is) lose
/// nothing even past that window.
///
/// It binds (the stable end); senders connect. Like `Socket`, a receiver
/// belongs to one task at a time.
public final class AcknowledgedReceiver<Event: Decodable & Sendable> {
    /// The ROUTER socket.
    public let socket: Socket
    /// The endpoint bound or connected.
    public let endpoint: String
    /// How many handled event ids it remembers to tell duplicates.
    public let duplicateWindow: Int
    private var reader: EventReader<Event>
    private var handled: RecentIDs
    /// Taken and neither acknowledged nor released yet.
    private var inFlight = Set<UUID>()
    private var tally = AcknowledgedCounters()
    private let metrics: ChannelMetrics?

    /// Creates a receiver.
    /// - Parameters:
    ///   - context: the context whose socket it uses.
    ///   - endpoint: where it binds (`.bind`) or connects (`.connect`).
    ///   - codec: how payloads are encoded: ``JSONEventCodec`` (the default) or
    ///     ``BinaryEventCodec``; both ends must agree.
    ///   - undecodable: what to do with a message that is not a valid channel
    ///     message or does not decode: see ``UndecodablePolicy``.
    ///   - logger: where binds, connects and problems are logged (`zeromq.channels` by default).
    ///   - duplicateWindow: how many handled event ids it remembers (16 bytes
    ///     each, twice over at most) to drop events that arrive again.
    ///   - maxMessageSize: the largest frame a sender may send; see ``ChannelDefaults/maxMessageSize``.
    ///   - metrics: where its counts are also reported (``ChannelMetrics``); `nil`, the default, for nowhere.
    ///   - configure: sets options on the socket before it binds or connects.
    public init(
        context: Context, _ endpoint: Endpoint, codec: any EventCodec = JSONEventCodec(),
        undecodable: UndecodablePolicy = .skip, duplicateWindow: Int = 100_000, logger: Logger? = nil,
        maxMessageSize: Int64? = ChannelDefaults.maxMessageSize, metrics: ChannelMetrics? = nil,
        configure: (Socket) throws(ZMQError) -> Void = { _ in }
    ) throws(ZMQError) {
        let logger = logger ?? defaultChannelLogger
        self.metrics = metrics
        socket = try context.socket(.router)
        try socket.set(.maxMessageSize, maxMessageSize ?? -1)
        // A sender that reconnects under its id takes its old connection's place.
        try socket.set(.routerHandover, true)
        try configure(socket)
        self.duplicateWindow = duplicateWindow
        handled = RecentIDs(capacity: duplicateWindow)
        reader = EventReader(codec: codec, policy: undecodable, logger: logger, countsGaps: false, routed: true)
        self.endpoint = try endpoint.attach(socket, logger: logger, role: "acknowledged receiver")
    }

    /// What this receiver has handled, dropped and acknowledged.
    public var counters: AcknowledgedCounters {
        var counters = tally
        counters.undecodable = reader.counters.undecodable
        return counters
    }

    /// Waits for the next event, takes every other one already waiting (up to
    /// `limit` in all), passes them to `handle` in arrival order, and
    /// acknowledges them once it returns. If `handle` throws, nothing of the
    /// batch is acknowledged (the senders send it again) and the error is rethrown.
    ///
    /// - Parameters:
    ///   - limit: the most events in one batch.
    ///   - gathering: when more than one event was waiting (events are
    ///     arriving faster than they are handled), how long to keep taking those
    ///     that arrive next, up to `limit`: a group commit then costs one
    ///     transaction for many events instead of a few. A lone event is handed
    ///     over at once.
    ///   - handle: handles a batch, in arrival order; the batch is
    ///     acknowledged once it returns.
    /// - Returns: how many events were handled; `nil` once the context is shut
    ///   down or the socket closed.
    @discardableResult
    public func receiveBatch(
        limit: Int = 1_000, gathering: Duration = .zero, _ handle: ([ReceivedEvent<Event>]) async throws -> Void
    ) async throws -> Int? {
        // What was taken and not handled is left to come again: after a read
        // that failed halfway, a handler that threw, or the end.
        var taken = Taken()
        let open: Bool
        do { open = try await take(into: &taken, limit: limit, gathering: gathering) } catch {
            release(taken)
            throw error
        }
        guard open else {
            release(taken)
            return nil
        }
        guard !taken.isEmpty else { return 0 }
        do { try await handle(taken.events) } catch {
            release(taken)
            throw error
        }
        try acknowledge(taken)
        return taken.count
    }

    /// Events taken from the socket and not yet acknowledged: what
    /// ``take(into:limit:gathering:waitingAtMost:)`` collects, for the caller to
    /// ``acknowledge(_:)`` once handled, or ``release(_:)`` if it cannot be.
    public struct Taken: Sendable {
        /// The events, in arrival order.
        public private(set) var events: [ReceivedEvent<Event>] = []
        /// The sender of each event (same index), to route its acknowledgement.
        fileprivate var routes: [[UInt8]] = []

        /// Nothing taken yet: what ``AcknowledgedReceiver/take(into:limit:gathering:waitingAtMost:)`` fills.
        public init() {}

        /// Whether no event was taken.
        public var isEmpty: Bool { events.isEmpty }
        /// How many events were taken.
        public var count: Int { events.count }

        fileprivate mutating func append(_ event: ReceivedEvent<Event>, from route: [UInt8]) {
            events.append(event)
            routes.append(route)
        }
    }

    /// Takes events into `taken` without handling them, so that a caller can
    /// take the next events while it is still handling the last ones (a store
    /// writes the next rows while the last commit runs). Each event must then
    /// be acknowledged with ``acknowledge(_:)`` once handled, or given up with
    /// ``release(_:)``; until then a copy that arrives again is dropped. If it
    /// throws, `taken` holds what it took before the error, to release.
    ///
    /// - Parameters:
    ///   - taken: where the events go, after any already there.
    ///   - limit: the most messages to take in this call (duplicates and
    ///     undecodable ones count too).
    ///   - gathering: as in ``receiveBatch(limit:gathering:_:)``.
    ///   - wait: how long to wait for a first event; `nil` waits until
    ///     one comes. Nothing taken in that time is not an error.
    /// - Returns: `false` once the context is shut down or the socket closed.
    public func take(
        into taken: inout Taken, limit: Int = 1_000, gathering: Duration = .zero, waitingAtMost wait: Duration? = nil
    ) async throws -> Bool {
        var again: [[UInt8]: [UUID]] = [:]
        // Every message counts toward the limit, duplicates and undecodable ones too.
        var count = 0
        func takeOne(frameCount: Int) throws {
            count += 1
            let route = reader.frames[0].bytes
            let read: ReceivedEvent<Event>?
            do { read = try reader.read(frameCount: frameCount) } catch {
                metrics?.add(.undecodable)
                // A message that will never decode is acknowledged all the same, or
                // its sender would hold it, and a place in its window, for good.
                if let poison = poisonID(frameCount: frameCount) { try acknowledge([route: [poison]]) }
                throw error
            }
            guard let received = read else {
                // Routed, the reader skips only what does not decode.
                metrics?.add(.undecodable)
                if let poison = poisonID(frameCount: frameCount) { again[route, default: []].append(poison) }
                return
            }
            let id = received.envelope.eventID
            if handled.contains(id) {
                tally.duplicates += 1
                metrics?.add(.duplicates)
                again[route, default: []].append(id)
            } else if inFlight.contains(id) {
                // Its first copy is acknowledged once handled.
                tally.duplicates += 1
                metrics?.add(.duplicates)
            } else {
                inFlight.insert(id)
                taken.append(received, from: route)
            }
        }
        func takeWaiting() throws {
            while count < limit,
                let frames = try socket.receiveMultipart(
                    into: &reader.frames, keeping: reader.frames.count, flags: .dontWait)
            {
                try takeOne(frameCount: frames)
            }
        }
        do {
            if let wait {
                try takeWaiting()
                if count == 0, try await socket.waitFor(.readable, deadline: .now + wait) { try takeWaiting() }
            } else {
                var frames = reader.frames
                guard let first = try await socket.receiveMultipartUnlessEnded(into: &frames, keeping: frames.count)
                else { return false }
                reader.frames = frames
                try takeOne(frameCount: first)
                try takeWaiting()
            }
            if count > 1, gathering > .zero {
                let deadline = ContinuousClock.now + gathering
                while count < limit, try await socket.waitFor(.readable, deadline: deadline) { try takeWaiting() }
            }
            try acknowledge(again)
        } catch let error as ZMQError where error.isTerminated || error.code == .notSocket {
            return false
        }
        return true
    }

    /// Acknowledges events taken with ``take(into:limit:gathering:waitingAtMost:)``
    /// and now handled: each sender may forget them.
    public func acknowledge(_ taken: Taken) throws(ZMQError) {
        var acknowledgements: [[UInt8]: [UUID]] = [:]
        for (received, route) in zip(taken.events, taken.routes) {
            let id = received.envelope.eventID
            inFlight.remove(id)
            handled.insert(id)
            acknowledgements[route, default: []].append(id)
        }
        try acknowledge(acknowledgements)
        tally.received += UInt64(taken.count)
        tally.acknowledged += UInt64(taken.count)
        metrics?.add(.received, UInt64(taken.count))
        metrics?.add(.acknowledged, UInt64(taken.count))
    }

    /// Gives up events taken and not handled: nothing of them is acknowledged,
    /// their senders send them again, and those copies are taken anew.
    public func release(_ taken: Taken) {
        for received in taken.events { inFlight.remove(received.envelope.eventID) }
    }

    /// The event id of the message just read, when it has the channel's frames
    /// and its envelope decodes (whatever its payload).
    private func poisonID(frameCount count: Int) -> UUID? {
        guard count == 4 else { return nil }
        return reader.frames[2].withUnsafeBytes { try? EventEnvelope(decoding: $0) }?.eventID
    }

    /// Sends each sender the acknowledgement of its ids. A sender that has
    /// gone is skipped: it sends the events again when it comes back.
    private func acknowledge(_ ids: [[UInt8]: [UUID]]) throws(ZMQError) {
        for (route, ids) in ids {
            _ = try socket.sendMultipart([route, Acknowledgement.frame(acknowledging: ids)], flags: .dontWait)
        }
    }
}
