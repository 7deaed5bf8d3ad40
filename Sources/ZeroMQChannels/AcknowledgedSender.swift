import Foundation
import Logging
import ZeroMQ

/// How an ``AcknowledgedSender`` paces itself.
public struct AcknowledgedSenderOptions: Sendable {
    /// How many events may be unacknowledged at once.
    public var window: Int = 1_000
    /// How long to wait for an acknowledgement before the first resend.
    public var resendAfter: Duration = .milliseconds(500)
    /// The longest wait between resends of one event.
    public var longestResendInterval: Duration = .seconds(10)
    /// Where unacknowledged events are kept across restarts; `nil` keeps them in memory only.
    public var outbox: (any Outbox)? = nil
    /// How long the sender, run as a `Service`, waits on a graceful shutdown
    /// for the events in flight to be acknowledged before it closes.
    public var shutdownDrain: Duration = .seconds(5)

    /// The defaults: a window of 1,000, a first resend after 500 ms, no outbox,
    /// a 5 s drain on graceful shutdown.
    public init() {}
}

/// The sending end of the acknowledged channel: an at-least-once path for
/// events that must not be lost, to an ``AcknowledgedReceiver``.
///
/// It keeps every event until the receiver acknowledges it, and sends it
/// again after ``AcknowledgedSenderOptions/resendAfter`` (doubling up to
/// ``AcknowledgedSenderOptions/longestResendInterval`` while no acknowledgement comes), to the
/// same receiver or one that has restarted. At most ``AcknowledgedSenderOptions/window`` events
/// are unacknowledged at once: ``send(_:to:metadata:)`` suspends while the window is
/// full, so a slow receiver slows the sender and nothing is dropped. With an
/// ``AcknowledgedSenderOptions/outbox`` the unacknowledged events also survive the sender's own
/// restart: ``send(_:to:metadata:)`` returns once the event is stored there, and a new
/// sender on the same outbox sends them again first.
///
/// A thread of its own, never one of Swift's cooperative pool, owns the DEALER
/// socket: it sends, reads acknowledgements and resends while callers only
/// queue events, so a sender can be shared by any number of tasks.
public final class AcknowledgedSender<Event: Encodable & Sendable>: Sendable {
    /// The endpoint connected (or bound).
    public let endpoint: String
    /// This sender's id: in every envelope, and its socket's routing id, so
    /// that a receiver acknowledges to it across reconnects.
    public let publisherID: UUID
    let options: AcknowledgedSenderOptions
    let logger: Logger
    private let hasOutbox: Bool
    private let writer: Locked<EventWriter<Event>>
    private let state = Locked(SenderState())
    private let wake: WakePipe
    private let finished = DispatchGroup()

    /// Creates a sender and starts its thread. Events left in `options.outbox`
    /// by an earlier sender are sent first.
    /// - Parameters:
    ///   - context: the context whose socket it uses.
    ///   - endpoint: where it binds (`.bind`) or connects (`.connect`).
    ///   - codec: how payloads are encoded: ``JSONEventCodec`` (the default) or
    ///     ``BinaryEventCodec``; both ends must agree.
    ///   - eventType: the type name written into each envelope; the Swift type's name by default.
    ///   - schemaVersion: the version of `Event`'s schema, written into each envelope for consumers.
    ///   - options: its window, resend timing, outbox and shutdown drain; see ``AcknowledgedSenderOptions``.
    ///   - logger: where binds, connects and problems are logged (`zeromq.channels` by default).
    ///   - publisherID: keep it across restarts with an outbox, so that the
    ///     receiver's acknowledgements of old events reach the new sender.
    ///   - metrics: where its counts are also reported (``ChannelMetrics``); `nil`, the default, for nowhere.
    ///   - configure: sets options on the DEALER socket before it connects.
    public init(
        context: Context, _ endpoint: Endpoint, codec: any EventCodec = JSONEventCodec(),
        eventType: String? = nil, schemaVersion: UInt16 = 1, publisherID: UUID = UUID(),
        options: AcknowledgedSenderOptions = AcknowledgedSenderOptions(), logger: Logger? = nil,
        metrics: ChannelMetrics? = nil, configure: (Socket) throws(ZMQError) -> Void = { _ in }
    ) throws(ZMQError) {
        let logger = logger ?? defaultChannelLogger
        self.logger = logger
        let socket = try context.socket(.dealer)
        try socket.set(.routingID, withUnsafeBytes(of: publisherID.uuid) { Array($0) })
        // Messages wait in this sender until a receiver is really connected, rather
        // than in a pipe to one that may never complete its handshake.
        try socket.set(.immediate, true)
        try socket.set(.linger, .zero)
        try configure(socket)
        self.endpoint = try endpoint.attach(socket, logger: logger, role: "acknowledged sender")
        self.publisherID = publisherID
        var options = options
        options.window = max(1, options.window)
        options.resendAfter = max(.milliseconds(1), options.resendAfter)
        options.longestResendInterval = max(options.resendAfter, options.longestResendInterval)
        self.options = options
        hasOutbox = options.outbox != nil
        writer = Locked(
            EventWriter(publisherID: publisherID, codec: codec, eventType: eventType, schemaVersion: schemaVersion))
        wake = try WakePipe()
        if let outbox = options.outbox {
            let stored: [OutboxEntry]
            do { stored = try outbox.load() } catch {
                throw (error as? ZMQError) ?? ZMQError(code: .ioError, operation: "load the outbox: \(error)")
            }
            state.withLock { state in
                var seen = Set<UUID>()
                state.restored = stored.filter { seen.insert($0.id).inserted }.map { Pending(id: $0.id, frames: $0.frames) }
                state.counters.inFlight = UInt64(state.restored.count)
                metrics?.addInFlight(Int64(state.restored.count))
                state.unacknowledged = Set(state.restored.map(\.id))
            }
            // Numbering goes on after the highest restored number (an outbox's entries are its own).
            if let last = stored.map(\.sequence).max(), last < .max { writer.withLock { $0.sequence = last } }
        }
        finished.enter()
        let loop = SenderLoop(
            socket: socket, state: state, wake: wake, options: self.options, outbox: self.options.outbox,
            logger: logger, metrics: metrics, finished: finished)
        let thread = Thread { loop.run() }
        thread.name = "zeromq-acknowledged-sender"
        thread.start()
    }

    deinit { close() }

    /// What this sender has sent, resent and had acknowledged.
    public var counters: AcknowledgedCounters { state.withLock { $0.counters } }

    /// Queues `event` under `topic` for the receiver, suspending while the
    /// window of unacknowledged events is full; with an outbox, returns once
    /// the event is stored there. Returns the envelope sent.
    ///
    /// The envelope carries `metadata` (correlation and causation ids, say)
    /// and the caller's trace context, as ``Publisher/publish(_:to:metadata:)`` does.
    /// - Throws: ``ChannelError`` when the event does not encode,
    ///   `CancellationError` when the task is cancelled while it waits for
    ///   room, a `ZMQError` (`ETERM`) once the sender is closed, or the
    ///   outbox's when it cannot store the event (its errno, such as `ENOSPC`;
    ///   `ZMQError.Code.ioError` for an outbox that throws another error).
    @discardableResult
    public func send(_ event: Event, to topic: Topic, metadata: EventMetadata = EventMetadata()) async throws
        -> EventEnvelope
    {
        try Task.checkCancellation()
        let (envelope, frames) = try writer.withLock { (writer) throws(ChannelError) in
            let envelope = try writer.prepare(event, topic: topic, metadata: metadata)
            writer.commit()
            return (envelope, writer.frames)
        }
        let entry = OutboxEntry(id: envelope.eventID, sequence: envelope.sequence, frames: frames)
        while true {
            // Queued when the window has room (and then, with an outbox, resumed
            // once stored); otherwise resumed when acknowledgements make room,
            // or when the task is cancelled while it waits.
            let token = state.withLock { state in
                defer { state.nextToken += 1 }
                return state.nextToken
            }
            let outcome = await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<SendOutcome, Never>) in
                    let (now, first) = state.withLock { state -> (SendOutcome?, Bool) in
                        if state.closed { return (.closed, false) }
                        guard state.counters.inFlight < UInt64(options.window) else {
                            if Task.isCancelled { return (.cancelled, false) }
                            state.roomWaiters.append((token, continuation))
                            return (nil, false)
                        }
                        let first = state.queued.isEmpty
                        state.queued.append(Queued(entry: entry, stored: hasOutbox ? continuation : nil))
                        state.unacknowledged.insert(entry.id)
                        state.counters.sent += 1
                        state.counters.inFlight += 1
                        return (hasOutbox ? nil : .queued, first)
                    }
                    if let now { continuation.resume(returning: now) }
                    // The thread takes the whole queue at once under the lock: only an
                    // event that finds it empty needs to wake the thread.
                    if first { wake.signal() }
                }
            } onCancel: {
                let waiter = state.withLock { state -> CheckedContinuation<SendOutcome, Never>? in
                    guard let index = state.roomWaiters.firstIndex(where: { $0.token == token }) else { return nil }
                    return state.roomWaiters.remove(at: index).continuation
                }
                waiter?.resume(returning: .cancelled)
            }
            switch outcome {
            case .queued: return envelope
            case .room: continue
            case .cancelled: throw CancellationError()
            case .failed(let error): throw error
            case .closed:
                throw ZMQError(code: .terminated, operation: "send on a closed acknowledged sender")
            }
        }
    }

    /// Waits until every event sent so far is acknowledged; `false` if
    /// `timeout` passed first. It sleeps between looks and holds no thread.
    public func waitUntilAcknowledged(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ $0.counters.inFlight > 0 }) {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// Waits until the receiver has acknowledged the event whose envelope id
    /// (``EventEnvelope/eventID``, as ``send(_:to:metadata:)`` returned it) is `id`:
    /// for an event store, until it has committed the event. `false` when
    /// `timeout` passed first, the task was cancelled or the sender closed.
    /// An id this sender does not hold counts as acknowledged. It holds no thread.
    public func waitUntilAcknowledged(_ id: UUID, timeout: Duration) async -> Bool {
        let token = state.withLock { state in
            defer { state.nextToken += 1 }
            return state.nextToken
        }
        let state = self.state
        @Sendable func giveUp() {
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                guard let index = state.acknowledgementWaiters[id]?.firstIndex(where: { $0.token == token }) else {
                    return nil
                }
                defer { if state.acknowledgementWaiters[id]?.isEmpty == true { state.acknowledgementWaiters[id] = nil } }
                return state.acknowledgementWaiters[id]?.remove(at: index).continuation
            }
            waiter?.resume(returning: false)
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let now = state.withLock { state -> Bool? in
                    if !state.unacknowledged.contains(id) { return true }
                    if state.closed || Task.isCancelled { return false }
                    state.acknowledgementWaiters[id, default: []].append((token, continuation))
                    return nil
                }
                if let now {
                    continuation.resume(returning: now)
                } else {
                    // The timer outlives an early acknowledgement, asleep, and then finds nothing to do.
                    Task {
                        try? await Task.sleep(for: timeout)
                        giveUp()
                    }
                }
            }
        } onCancel: {
            giveUp()
        }
    }

    /// Stops the thread and closes the socket; events not yet acknowledged
    /// stay in the outbox, if there is one. Waiting senders throw `ETERM`.
    /// Calling it again does nothing.
    public func close() {
        state.withLock { $0.closed = true }
        wake.signal()
        finished.wait()
    }
}

/// How a caller of ``AcknowledgedSender/send(_:to:metadata:)`` is resumed.
enum SendOutcome {
    /// The event is queued (and stored in the outbox, if there is one).
    case queued
    /// Acknowledgements made room in the window: try again.
    case room
    /// The sender closed.
    case closed
    /// The outbox could not store the event.
    case failed(ZMQError)
    /// The caller's task was cancelled while it waited for room.
    case cancelled
}

/// An event the sender keeps until it is acknowledged.
struct Pending {
    let id: UUID
    let frames: [[UInt8]]
    /// When it is to be sent again; `nil` when it has not been sent yet (due now).
    var dueAt: ContinuousClock.Instant? = nil
    var resends = 0
}

/// The sender thread's unacknowledged events, in the order they were queued.
/// Acknowledged ones leave a hole that the front skips, and the holes are
/// compacted away now and then, so that forgetting an event costs O(1)
/// amortized rather than a pass over the window.
struct PendingEvents {
    /// The events from ``front`` on; `nil` where one was acknowledged.
    private var slots: [Pending?]
    private var front = 0
    /// Each event's position: its index in ``slots`` plus ``dropped``.
    private var positions: [UUID: Int] = [:]
    private var dropped = 0

    init(_ restored: [Pending]) {
        slots = restored
        for (index, pending) in restored.enumerated() { positions[pending.id] = index }
    }

    func contains(_ id: UUID) -> Bool { positions[id] != nil }

    /// How many events it holds.
    var count: Int { positions.count }

    mutating func append(_ pending: Pending) {
        guard positions[pending.id] == nil else { return }
        positions[pending.id] = slots.count + dropped
        slots.append(pending)
    }

    mutating func remove(_ ids: Set<UUID>) {
        for id in ids {
            if let position = positions.removeValue(forKey: id) { slots[position - dropped] = nil }
        }
        while front < slots.count, slots[front] == nil { front += 1 }
        // Compact once the holes in front are the larger part.
        if front > 256, front * 2 > slots.count {
            slots.removeFirst(front)
            dropped += front
            front = 0
        }
    }

    /// Calls `send` with each event due at `now`, oldest first, in one pass
    /// that also finds when the next one falls due. `send` returns `false`
    /// when sending would block: the pass stops, and `blocked` is `true`.
    mutating func sendDue(
        at now: ContinuousClock.Instant, _ send: (inout Pending) throws(ZMQError) -> Bool
    ) throws(ZMQError) -> (blocked: Bool, nextDue: ContinuousClock.Instant?) {
        var nextDue: ContinuousClock.Instant? = nil
        for index in front..<slots.count where slots[index] != nil {
            if slots[index]!.dueAt ?? now <= now {
                guard try send(&slots[index]!) else { return (true, nil) }
            }
            if let dueAt = slots[index]!.dueAt, nextDue.map({ dueAt < $0 }) ?? true { nextDue = dueAt }
        }
        return (false, nextDue)
    }
}

/// An event queued by ``AcknowledgedSender/send(_:to:metadata:)`` for the thread,
/// with the caller waiting for it to be stored in the outbox.
struct Queued {
    let entry: OutboxEntry
    let stored: CheckedContinuation<SendOutcome, Never>?
}

/// What callers and the sender's thread share.
struct SenderState {
    /// Events an earlier sender left in the outbox, for the thread to start with.
    var restored: [Pending] = []
    var queued: [Queued] = []
    var roomWaiters: [(token: UInt64, continuation: CheckedContinuation<SendOutcome, Never>)] = []
    /// The ids sent or restored and not yet acknowledged.
    var unacknowledged: Set<UUID> = []
    /// Callers of ``AcknowledgedSender/waitUntilAcknowledged(_:timeout:)``, by event id.
    var acknowledgementWaiters: [UUID: [(token: UInt64, continuation: CheckedContinuation<Bool, Never>)]] = [:]
    var nextToken: UInt64 = 0
    var counters = AcknowledgedCounters()
    var closed = false
}

/// The sender's thread: it takes queued events (storing them in the outbox
/// first), sends what was never sent, reads acknowledgements and resends
/// what waited too long, until the sender closes or its context shuts down.
private struct SenderLoop: @unchecked Sendable {
    // Handed to this thread at its start and used by it alone from then on.
    let socket: Socket
    let state: Locked<SenderState>
    let wake: WakePipe
    let options: AcknowledgedSenderOptions
    /// `options.outbox`, read once (each read of the optional existential copies it).
    let outbox: (any Outbox)?
    let logger: Logger
    let metrics: ChannelMetrics?
    let finished: DispatchGroup

    func run() {
        defer {
            socket.close(linger: .zero)
            // However the thread ends (closed, or its context shut down), no caller waits on it.
            let (waiters, acknowledgementWaiters) = state.withLock { state in
                state.closed = true
                // Events queued for an outbox and never stored: their callers get
                // ETERM, so they were neither sent nor are they in flight.
                let turnedAway = UInt64(state.queued.count { $0.stored != nil })
                state.counters.sent -= turnedAway
                state.counters.inFlight -= turnedAway
                defer {
                    state.roomWaiters = []
                    state.queued = []
                    state.acknowledgementWaiters = [:]
                }
                return (
                    state.roomWaiters.map(\.continuation) + state.queued.compactMap(\.stored),
                    state.acknowledgementWaiters.values.joined().map(\.continuation)
                )
            }
            for waiter in waiters { waiter.resume(returning: .closed) }
            for waiter in acknowledgementWaiters { waiter.resume(returning: false) }
            finished.leave()
        }
        var pending = PendingEvents(state.withLock { $0.restored })
        // What this sender held is no longer in flight through it (an outbox
        // keeps it for the next sender, which counts it again).
        defer { metrics?.addInFlight(-Int64(pending.count)) }
        var poller = Poller()
        let acknowledgements = poller.add(socket, for: .readable)
        poller.add(fileDescriptor: wake.readEnd, for: .readable)
        let ackFrame = Message()
        // After a send would block (no receiver connected, or its queue full), when to try again.
        var blockedUntil: ContinuousClock.Instant? = nil
        var timeout: Duration? = .zero
        do throws(ZMQError) {
            while true {
                let ready = try poller.poll(timeout: timeout)
                wake.drain()
                // Once closed, what is queued stays for the exit to turn away.
                let (queued, closed) = state.withLock { state -> ([Queued], Bool) in
                    if state.closed { return ([], true) }
                    defer { state.queued = [] }
                    return (state.queued, false)
                }
                if closed { return }
                if !queued.isEmpty, store(queued) {
                    for item in queued { pending.append(Pending(id: item.entry.id, frames: item.entry.frames)) }
                }
                if ready[acknowledgements].contains(.readable) {
                    var done = Set<UUID>()
                    while try socket.receive(into: ackFrame, flags: .dontWait) {
                        if let ids = ackFrame.withUnsafeBytes(Acknowledgement.ids(in:)) {
                            for id in ids where pending.contains(id) { done.insert(id) }
                        }
                        while ackFrame.hasMore { _ = try socket.receive(into: ackFrame, flags: .dontWait) }
                    }
                    if !done.isEmpty { forget(done, pending: &pending) }
                }
                let now = ContinuousClock.now
                var nextDue: ContinuousClock.Instant? = nil
                if blockedUntil.map({ $0 <= now }) ?? true {
                    blockedUntil = nil
                    var resent: UInt64 = 0
                    let pass = try pending.sendDue(at: now) { (event) throws(ZMQError) in
                        guard try socket.sendMultipart(event.frames, flags: .dontWait) else { return false }
                        if event.dueAt != nil {
                            event.resends += 1
                            resent += 1
                        }
                        event.dueAt = now + resendInterval(after: event.resends)
                        return true
                    }
                    if pass.blocked { blockedUntil = now + .milliseconds(20) }
                    nextDue = pass.nextDue
                    if resent > 0 {
                        state.withLock { $0.counters.resent += resent }
                        metrics?.add(.resent, resent)
                    }
                }
                // While sends would block, resends that are due wait for the retry too.
                let wakeAt = blockedUntil ?? nextDue
                timeout = wakeAt.map { max(.zero, $0 - ContinuousClock.now) }
            }
        } catch where error.isTerminated {
            return
        } catch {
            logger.error("acknowledged sender stopped", metadata: ["error": "\(error)"])
        }
    }

    /// The wait before resending an event sent `resends` times again already.
    private func resendInterval(after resends: Int) -> Duration {
        let doubled = options.resendAfter * (1 << min(resends, 20))
        return min(doubled, options.longestResendInterval)
    }

    /// Stores `queued` in the outbox, then lets their callers go on; `false`
    /// when the outbox failed: then their callers throw and the events are
    /// not sent, since they could not be made to survive a restart.
    private func store(_ queued: [Queued]) -> Bool {
        if let outbox {
            do { try outbox.add(queued.map(\.entry)) } catch {
                logger.error("cannot store events in the outbox", metadata: ["error": "\(error)"])
                let failure = (error as? ZMQError) ?? ZMQError(code: .ioError, operation: "store events in the outbox: \(error)")
                let waiters = state.withLock { state in
                    state.counters.inFlight -= UInt64(queued.count)
                    state.counters.sent -= UInt64(queued.count)
                    // Never sent: nobody waits for their acknowledgement (the senders get the error).
                    for item in queued {
                        state.unacknowledged.remove(item.entry.id)
                        for waiter in state.acknowledgementWaiters.removeValue(forKey: item.entry.id) ?? [] {
                            waiter.continuation.resume(returning: false)
                        }
                    }
                    return wakeRoomWaiters(&state)
                }
                for item in queued { item.stored?.resume(returning: .failed(failure)) }
                for waiter in waiters { waiter.resume(returning: .room) }
                return false
            }
        }
        metrics?.add(.sent, UInt64(queued.count))
        metrics?.addInFlight(Int64(queued.count))
        for item in queued { item.stored?.resume(returning: .queued) }
        return true
    }

    /// Takes the callers waiting for room that the window now has, in the order they came.
    private func wakeRoomWaiters(_ state: inout SenderState) -> [CheckedContinuation<SendOutcome, Never>] {
        let room = Int(clamping: UInt64(options.window) &- min(state.counters.inFlight, UInt64(options.window)))
        let woken = state.roomWaiters.prefix(room).map(\.continuation)
        state.roomWaiters.removeFirst(woken.count)
        return woken
    }

    /// Drops the acknowledged events, from the outbox too, and wakes callers waiting for room.
    private func forget(_ done: Set<UUID>, pending: inout PendingEvents) {
        if let outbox {
            do { try outbox.remove(done) } catch {
                logger.error("cannot remove events from the outbox", metadata: ["error": "\(error)"])
            }
        }
        pending.remove(done)
        metrics?.add(.acknowledged, UInt64(done.count))
        metrics?.addInFlight(-Int64(done.count))
        let (waiters, acknowledged) = state.withLock { state in
            state.counters.acknowledged += UInt64(done.count)
            state.counters.inFlight -= UInt64(done.count)
            state.unacknowledged.subtract(done)
            var acknowledged: [CheckedContinuation<Bool, Never>] = []
            for id in done {
                if let waiting = state.acknowledgementWaiters.removeValue(forKey: id) {
                    acknowledged += waiting.map(\.continuation)
                }
            }
            return (wakeRoomWaiters(&state), acknowledged)
        }
        for waiter in waiters { waiter.resume(returning: .room) }
        for waiter in acknowledged { waiter.resume(returning: true) }
    }
}

/// A pipe that wakes a polling thread: any thread writes a byte, the poller
/// sees its read end readable and drains it.
final class WakePipe: Sendable {
    let readEnd: Int32
    private let writeEnd: Int32

    init() throws(ZMQError) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw ZMQError(errno: errno, operation: "pipe for a sender's wake-ups") }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        (readEnd, writeEnd) = (ends[0], ends[1])
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    func drain() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &bytes, bytes.count) > 0 {}
    }
}
