import Foundation
import Logging

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
/// It binds (the stable end); senders connect. Like ``Socket``, a receiver
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
    private var tally = AcknowledgedCounters()

    /// Creates a receiver.
    /// - Parameters:
    ///   - duplicateWindow: how many handled event ids it remembers (16 bytes
    ///     each, twice over at most) to drop events that arrive again.
    ///   - maxMessageSize: the largest frame a sender may send; see ``ChannelDefaults/maxMessageSize``.
    ///   - configure: sets options on the socket before it binds or connects.
    public init(
        context: Context, _ endpoint: ChannelEndpoint, codec: any EventCodec = JSONEventCodec(),
        undecodable: UndecodablePolicy = .skip, duplicateWindow: Int = 100_000, logger: Logger? = nil,
        maxMessageSize: Int64? = ChannelDefaults.maxMessageSize,
        configure: (Socket) throws(ZMQError) -> Void = { _ in }
    ) throws(ZMQError) {
        let logger = logger ?? defaultChannelLogger
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
    /// - Parameter gathering: when more than one event was waiting (events are
    ///   arriving faster than they are handled), how long to keep taking those
    ///   that arrive next, up to `limit`: a group commit then costs one
    ///   transaction for many events instead of a few. A lone event is handed
    ///   over at once.
    /// - Returns: how many events were handled; `nil` once the context is shut
    ///   down or the socket closed.
    @discardableResult
    public func receiveBatch(
        limit: Int = 1_000, gathering: Duration = .zero, _ handle: ([ReceivedEvent<Event>]) async throws -> Void
    ) async throws -> Int? {
        var batch: [ReceivedEvent<Event>] = []
        var routes: [UUID: [UInt8]] = [:]
        var again: [[UInt8]: [UUID]] = [:]
        var inBatch = Set<UUID>()
        func take(frameCount count: Int) throws {
            let route = reader.frames[0].bytes
            let read: ReceivedEvent<Event>?
            do { read = try reader.read(frameCount: count) } catch {
                // A message that will never decode is acknowledged all the same, or
                // its sender would hold it, and a place in its window, for good.
                if let poison = poisonID(frameCount: count) { try acknowledge([route: [poison]]) }
                throw error
            }
            guard let received = read else {
                if let poison = poisonID(frameCount: count) { again[route, default: []].append(poison) }
                return
            }
            let id = received.envelope.eventID
            if handled.contains(id) || inBatch.contains(id) {
                tally.duplicates += 1
                if handled.contains(id) { again[route, default: []].append(id) }
                return
            }
            inBatch.insert(id)
            routes[id] = route
            batch.append(received)
        }
        var frames = reader.frames
        guard let first = try await socket.receiveMultipartUnlessEnded(into: &frames, keeping: frames.count) else {
            return nil
        }
        reader.frames = frames
        try take(frameCount: first)
        // Every message counts toward the limit, duplicates and undecodable ones too.
        var taken = 1
        func takeWaiting() throws {
            while taken < limit,
                let count = try socket.receiveMultipart(
                    into: &reader.frames, keeping: reader.frames.count, flags: .dontWait)
            {
                taken += 1
                try take(frameCount: count)
            }
        }
        try takeWaiting()
        if taken > 1, gathering > .zero {
            let deadline = ContinuousClock.now + gathering
            while taken < limit, try await socket.waitFor(.readable, deadline: deadline) { try takeWaiting() }
        }
        try acknowledge(again)
        guard !batch.isEmpty else { return 0 }
        try await handle(batch)
        var acknowledgements: [[UInt8]: [UUID]] = [:]
        for received in batch {
            let id = received.envelope.eventID
            handled.insert(id)
            acknowledgements[routes[id]!, default: []].append(id)
        }
        try acknowledge(acknowledgements)
        tally.received += UInt64(batch.count)
        tally.acknowledged += UInt64(batch.count)
        return batch.count
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
