import Foundation
import ZeroMQ
import ZeroMQChannels

/// What a scenario run did, checked against the store: the final report.
public struct ScenarioReport: Sendable {
    /// One row of the wire table.
    public struct WireRow: Sendable, Hashable {
        public var kind: EventKind
        public var messages: Int
        public var bytes: Int
        public var averageBytes: Int { messages == 0 ? 0 : bytes / messages }
    }

    public var settled: Bool
    public var ordersPlaced: Int
    /// Orders with exactly one `Delivered` in the store.
    public var deliveredOnce: Int
    /// Orders neither cancelled nor with exactly one `Delivered` (none, or more than one).
    public var notDeliveredOnce: [Int]
    /// Orders cancelled, with neither a pickup nor a delivery on record.
    public var cancelledOrders: Int
    /// Orders both cancelled and picked up or delivered: the contradiction that
    /// expected-version appends rule out (must stay empty).
    public var cancelledAndPickedUp: [Int]
    /// The order service's answers to the customers' cancellations, by outcome.
    public var cancellations: [CancellationOutcome: Int]
    /// Conflicts met by a cancellation or a pickup (the order's stream moved
    /// on between its read and its append), each read and decided again.
    public var decisionConflicts: Int
    public var customersNotified: Int
    public var notificationsSkipped: Int
    public var eventsStored: Int64
    public var storedByKind: [EventKind: Int]
    public var storeFileBytes: Int
    /// Facts the store already had when they arrived (resends, a second courier's delivery).
    public var duplicateFactsIgnored: Int
    /// Each producer's acknowledged path to the store, then the store's end of it.
    public var paths: [(name: String, counters: AcknowledgedCounters)]
    public var storeIngest: AcknowledgedCounters
    /// Transactions the store committed for what it received (one per batch).
    public var storeCommits: Int
    public var redeliveries: Int
    public var duplicateCompletions: Int
    public var crashedCouriers: [Int: Int]
    public var projectionLag: Int64
    /// The most events the projection trailed the store by, sampled every 100 ms during the run.
    public var largestLag: Int64
    public var projectionMatchesReplay: Bool
    public var projection: TrackingProjection.Progress
    public var wire: [WireRow]
    /// Bytes the bus would carry per `OrderPlaced` if it were a complete event.
    public var completeOrderPlacedBytes: Int
    /// Complete orders the feed's consumers fetched from the store because the
    /// feed carries pointers (dispatcher, notifier, tracking).
    public var ordersFetched: Int
    /// Requests the feed's consumers made to the store (catch-up, gaps, pointers).
    public var storeRoundTrips: Int
    public var history: [String]
    public var elapsed: Duration
    /// How long each `PlaceOrder` caller waited for its answer, sorted.
    public var commandWaits: [Duration]
    /// Events each consumer of the store's feed took, live and from the store.
    public var consumed: [(consumer: String, progress: CatchUpSubscription.Progress)]
    /// Messages on the store's feed (`stored.*`) and their bytes.
    public var feed: WireMeter.Tally
    public var jobsPushed: Int
    /// The most jobs that waited in couriers' queues at once.
    public var mostJobsInCourierQueues: Int
    public var acknowledgements: (accepted: Int, completed: Int)

    /// Every order delivered exactly once, every customer told once, and the
    /// live projection identical to one rebuilt from the store.
    public var succeeded: Bool {
        settled && notDeliveredOnce.isEmpty && cancelledAndPickedUp.isEmpty
            && deliveredOnce + cancelledOrders == ordersPlaced && customersNotified == deliveredOnce
            && projectionLag == 0 && projectionMatchesReplay
    }

    init(
        settled: Bool, placed: [Int], store: EventStore, live: any TrackingStore, progress: TrackingProjection.Progress,
        dispatcher: Dispatcher, notifier: Notifier, storeService: StoreService, orderService: OrderService,
        courierConflicts: Int, wire: [String: WireMeter.Tally],
        crashed: [Int: Int], commandWaits: [Duration], largestLag: Int64, elapsed: Duration,
        paths: [(String, AcknowledgedCounters)]
    ) async throws {
        self.commandWaits = commandWaits.sorted()
        consumed = [
            ("dispatcher", dispatcher.feed.progress), ("notifier", notifier.feed.progress), ("tracking", progress),
        ]
        self.paths = paths.map { (name: $0.0, counters: $0.1) }
        storeIngest = storeService.ingest.value
        storeCommits = storeService.commits.value
        feed = wire.filter { $0.key.hasPrefix("stored.") }.values.reduce(into: WireMeter.Tally()) {
            $0.messages += $1.messages
            $0.bytes += $1.bytes
        }
        jobsPushed = dispatcher.jobsPushed.value
        mostJobsInCourierQueues = dispatcher.book.mostJobsInCourierQueues
        acknowledgements = dispatcher.book.acknowledgements
        self.settled = settled
        ordersPlaced = placed.count
        var once = 0
        var notOnce: [Int] = []
        var cancelled = 0
        var contradictions: [Int] = []
        var history: [String] = []
        var redelivered: (order: Int, events: [StoredEvent])?
        for order in placed {
            let events = try await store.history(ofOrder: order)
            let deliveries = events.filter { $0.event.kind == .delivered }.count
            if events.contains(where: { $0.event.kind == .orderCancelled }) {
                if deliveries > 0 || events.contains(where: { $0.event.kind == .pickedUp }) {
                    contradictions.append(order)
                } else {
                    cancelled += 1
                }
            } else if deliveries == 1 {
                once += 1
            } else {
                notOnce.append(order)
            }
            if redelivered == nil, !History.holdersBeforeRedelivery(of: events).isEmpty {
                redelivered = (order, events)
            }
        }
        deliveredOnce = once
        notDeliveredOnce = notOnce
        cancelledOrders = cancelled
        cancelledAndPickedUp = contradictions
        cancellations = orderService.cancellations.value
        decisionConflicts = orderService.conflicts.value + courierConflicts
        customersNotified = notifier.notified.value
        notificationsSkipped = notifier.duplicatesSkipped.value
        eventsStored = try await store.head()
        storedByKind = try await store.countsByKind()
        storeFileBytes = await store.storageBytes()
        duplicateFactsIgnored = storeService.duplicatesIgnored.value
        redeliveries = dispatcher.book.redeliveries
        duplicateCompletions = dispatcher.book.duplicateCompletions
        crashedCouriers = crashed
        let liveContents = try await live.contents()
        projectionLag = eventsStored - liveContents.checkpoint
        self.largestLag = largestLag
        var all: [StoredEvent] = []
        while case let batch = try await store.events(after: all.last?.sequence ?? 0), !batch.isEmpty { all += batch }
        projectionMatchesReplay = try await TrackingDatabase.rebuilt(replaying: all).contents() == liveContents
        projection = progress

        self.wire = EventKind.allCases.compactMap { kind in
            wire[FeedTopic.of(kind).name].map { WireRow(kind: kind, messages: $0.messages, bytes: $0.bytes) }
        }
        // What a complete OrderPlaced would weigh on the bus: the same topic and
        // envelope as the pointers measured, with the complete payload instead.
        let codec = JSONEventCodec()
        var pointerPayloads = 0
        var completePayloads = 0
        var orderCount = 0
        for stored in all {
            guard case .orderPlaced(let order) = stored.event else { continue }
            let pointer = DeliveryEvent.orderPointer(OrderPointer(eventID: order.eventID, orderID: order.orderID))
            pointerPayloads += try codec.encode(pointer).count
            completePayloads += try codec.encode(stored.event).count
            orderCount += 1
        }
        let measuredPointer = self.wire.first { $0.kind == .orderPlaced }
        if let measuredPointer, orderCount > 0, measuredPointer.messages > 0 {
            completeOrderPlacedBytes =
                measuredPointer.averageBytes - pointerPayloads / orderCount + completePayloads / orderCount
        } else {
            completeOrderPlacedBytes = 0
        }
        ordersFetched = consumed.reduce(0) { $0 + $1.progress.ordersFetched } + notifier.storeLookups.value
        storeRoundTrips = consumed.reduce(0) { $0 + $1.progress.roundTrips } + notifier.storeLookups.value

        let shown = redelivered?.order ?? placed.first ?? 0
        var events = redelivered?.events ?? []
        if redelivered == nil { events = try await store.history(ofOrder: shown) }
        let order = shown
        let statuses = History.statuses(of: events).map(\.rawValue)
        history.append("order #\(order) went \(statuses.joined(separator: " → ")) in \(events.count) events")
        if let previous = History.previousStatus(of: events) {
            history.append("order #\(order)'s status before \"\(statuses.last ?? "")\" was \"\(previous.rawValue)\"")
        }
        for holder in History.holdersBeforeRedelivery(of: events) {
            history.append(
                "order #\(order) was held by courier \(holder.courierID) (attempt \(holder.attempt)) before it was redelivered"
            )
        }
        if let courier = events.compactMap(\.event.courierID).last {
            let positions = History.positions(of: try await store.history(ofCourier: courier))
            if positions.count >= 2 {
                history.append(
                    "courier \(courier) is at \(positions[positions.count - 1]); before that it was at \(positions[positions.count - 2])"
                        + " (\(positions.count) positions on record)")
            }
        }
        self.history = history
        self.elapsed = elapsed
    }

    private func milliseconds(_ duration: Duration) -> String {
        let components = duration.components
        return String(format: "%.2f ms", Double(components.seconds) * 1e3 + Double(components.attoseconds) / 1e15)
    }

    /// The report as printed on stdout.
    public var lines: [String] {
        var lines: [String] = []
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        lines.append("== delivery report ==")
        lines.append(
            "orders placed \(ordersPlaced), delivered exactly once \(deliveredOnce), customers notified \(customersNotified)"
                + String(format: " (%.1f s)", seconds))
        if !notDeliveredOnce.isEmpty { lines.append("NOT delivered exactly once: \(notDeliveredOnce)") }
        if !cancellations.isEmpty {
            lines.append(
                "cancellations (asked once a courier was assigned, racing its pickup): "
                    + "\(cancellations[.cancelled, default: 0]) cancelled, \(cancellations[.tooLate, default: 0]) too late (picked up); "
                    + "\(decisionConflicts) conflicts on an order's stream version, each read and decided again; "
                    + "orders cancelled in the store \(cancelledOrders)")
        }
        if !cancelledAndPickedUp.isEmpty { lines.append("cancelled AND picked up: \(cancelledAndPickedUp)") }
        if !settled { lines.append("NOT settled: timed out before every order was delivered and projected") }
        for (courier, order) in crashedCouriers.sorted(by: { $0.key < $1.key }) {
            lines.append("courier \(courier) crashed holding order #\(order)")
        }
        if let median = commandWaits.dropFirst(commandWaits.count / 2).first, let slowest = commandWaits.last {
            lines.append(
                "commands: \(commandWaits.count) PlaceOrder calls over REQ/REP, each caller waiting for its answer: "
                    + "median \(milliseconds(median)), slowest \(milliseconds(slowest))")
        }
        lines.append(
            "facts: every fact went to the store over the acknowledged channel and was acknowledged after its commit: "
                + paths.map {
                    "\($0.name) sent \($0.counters.sent), acknowledged \($0.counters.acknowledged), resent \($0.counters.resent)"
                }.joined(separator: "; "))
        lines.append(
            "store: received \(storeIngest.received), \(storeIngest.duplicates) duplicates dropped by id, "
                + "\(duplicateFactsIgnored) already stored; \(storeCommits) commits (group commit: all that had arrived at once)")
        lines.append(
            "events: the store's committed feed went to the bus once; consumers took "
                + consumed.map { "\($0.consumer) \($0.progress.live) live + \($0.progress.replayed) from the store" }
                .joined(separator: ", ")
                + "; no producer knew or waited for them")
        lines.append(
            "work queue: \(jobsPushed) jobs pushed to couriers, \(acknowledgements.accepted) accepted and "
                + "\(acknowledgements.completed) completed acknowledgements, \(redeliveries) redelivered after a missed "
                + "deadline, at most \(mostJobsInCourierQueues) waiting in couriers' queues at once")
        lines.append(
            "idempotency: \(duplicateFactsIgnored) facts the store already had, "
                + "\(duplicateCompletions) repeated completions, \(notificationsSkipped) repeated notifications skipped"
        )
        let kinds = EventKind.allCases.map { "\($0.rawValue) \(storedByKind[$0] ?? 0)" }.joined(separator: ", ")
        lines.append(
            "event store: \(eventsStored) events appended, none updated (\(kinds))"
                + (storeFileBytes > 0 ? ", \(storeFileBytes) bytes on disk" : ", in memory"))
        lines.append(
            "projection: lag \(projectionLag) events at the end (at most \(largestLag) behind the store during the run), \(projection.replayed) replayed + \(projection.live) live, "
                + "\(projection.duplicatesSkipped) repeats skipped, \(projection.gapsFilled) gaps filled from the store; "
                + "rebuilt from the store: \(projectionMatchesReplay ? "identical" : "DIFFERENT")")
        lines.append(
            "store feed: \(feed.messages) stored.* messages (\(feed.bytes) bytes) in sequence order, the newest repeated each idle second"
        )
        lines.append("wire (bus capture tap, all frames):")
        lines.append("  kind               style      events    bytes  avg/event")
        for row in wire {
            lines.append(
                "  " + row.kind.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0) + " "
                    + row.kind.style.padding(toLength: 8, withPad: " ", startingAt: 0)
                    + String(format: " %8d %8d %10d", row.messages, row.bytes, row.averageBytes))
        }
        if let pointer = wire.first(where: { $0.kind == .orderPlaced }), pointer.messages > 0 {
            lines.append(
                "  order.placed as a pointer: \(pointer.averageBytes) B/event on the bus; complete it would be "
                    + "\(completeOrderPlacedBytes) B/event; the consumers fetched \(ordersFetched) complete orders from the store "
                    + "(dispatcher, notifier and tracking each fetch every order) in \(storeRoundTrips) requests")
        }
        lines.append("history (from the event store):")
        lines += history.map { "  " + $0 }
        lines.append(succeeded ? "OK" : "FAILED")
        return lines
    }
}
