import Foundation
import Logging
import ZeroMQ
import ZeroMQChannels

/// A delivery job: a **complete** work item, since a courier should not have
/// to ask anyone where to go.
public struct DeliveryJob: Codable, Sendable, Hashable {
    public var orderID: Int
    /// 1 for the first hand-out, then one more per redelivery.
    public var attempt: Int
    public var pickup: String
    public var pickupPosition: Position
    public var dropoff: String
    public var dropoffPosition: Position
    /// The fact that made this job: the ``OrderPlaced`` for the first
    /// attempt, the ``JobRedelivered`` for each later one. The courier's
    /// first fact about the job names it as its cause.
    public var cause: UUID?

    public init(
        orderID: Int, attempt: Int, pickup: String, pickupPosition: Position, dropoff: String, dropoffPosition: Position,
        cause: UUID? = nil
    ) {
        self.cause = cause
        self.orderID = orderID
        self.attempt = attempt
        self.pickup = pickup
        self.pickupPosition = pickupPosition
        self.dropoff = dropoff
        self.dropoffPosition = dropoffPosition
    }
}

/// A courier's acknowledgement of a job, pushed back to the dispatcher.
public struct JobAck: Codable, Sendable, Hashable {
    public enum Stage: String, Codable, Sendable {
        /// The courier took the job off its queue and is on it.
        case accepted
        /// The order was delivered.
        case completed
    }

    public var orderID: Int
    public var attempt: Int
    public var courierID: Int
    public var stage: Stage

    public init(orderID: Int, attempt: Int, courierID: Int, stage: Stage) {
        self.orderID = orderID
        self.attempt = attempt
        self.courierID = courierID
        self.stage = stage
    }
}

/// The dispatcher: turns placed orders into delivery jobs and hands each to
/// one courier over PUSH/PULL (work distribution, not broadcast). It learns
/// of orders and deliveries from the store's committed feed, through a
/// ``CatchUpSubscription`` from the start, so a restarted dispatcher knows
/// every open order again. A job must be acknowledged: not accepted within
/// ``acceptTimeout`` of being handed to the socket, or not completed within
/// ``completeTimeout`` of being accepted, it is handed out again; and it is
/// done only once the store has its delivery (a courier's word that it
/// delivered is not the record). Jobs still waiting in the dispatcher's own
/// queue (every courier busy) are not timed, so a backlog never turns into a
/// redelivery storm.
public struct Dispatcher: Sendable {
    public let context: Context
    public let addresses: Addresses
    public var acceptTimeout: Duration = .seconds(1)
    public var completeTimeout: Duration = .seconds(3)
    /// Where redelivery facts not yet acknowledged by the store are kept across a restart.
    public var outbox: String?
    public var logger = Logger(label: "delivery.dispatcher")
    /// The jobs and their acknowledgements.
    public let book = JobBook()
    /// The store's feed, as this dispatcher follows it.
    public let feed: CatchUpSubscription
    /// The acknowledged path to the store, once running.
    public let facts = Shared<AcknowledgedSender<DeliveryEvent>?>(nil)
    /// Jobs pushed to couriers, redeliveries included.
    public let jobsPushed = Counter()

    public init(context: Context, addresses: Addresses) {
        self.context = context
        self.addresses = addresses
        feed = CatchUpSubscription(context: context, addresses: addresses, logger: logger)
    }

    /// Runs until cancelled or the context is shut down.
    public func run() async throws {
        let sender = try FactChannel.sender(
            context: context, addresses: addresses, producer: "dispatcher", outbox: outbox, logger: logger)
        facts.modify { $0 = sender }
        defer { sender.close() }
        let (jobs, handOut) = AsyncStream.makeStream(of: DeliveryJob.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await takeOrders(handOut) }
            group.addTask { try await handOutJobs(jobs) }
            group.addTask { try await readAcknowledgements() }
            group.addTask { try await redeliverOverdueJobs(handOut, sender) }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Placed orders become jobs; deliveries in the store close them. A whole
    /// batch is read before any of its jobs is handed out, so that a
    /// restarted dispatcher catching up never hands out an order the same
    /// batch shows delivered.
    private func takeOrders(_ handOut: AsyncStream<DeliveryJob>.Continuation) async throws {
        try await feed.run(from: 0) { batch in
            var placed: [DeliveryJob] = []
            var attempts: [Int: Int] = [:]
            /// The latest redelivery on record per order: the cause of the attempt a restart hands out.
            var redeliveries: [Int: (attempt: Int, id: UUID)] = [:]
            for stored in batch {
                switch stored.event {
                case .orderPlaced(let order):
                    placed.append(
                        DeliveryJob(
                            orderID: order.orderID, attempt: 1, pickup: order.pickup,
                            pickupPosition: order.pickupPosition, dropoff: order.dropoff,
                            dropoffPosition: order.dropoffPosition, cause: order.eventID))
                case .courierAssigned(let assigned):
                    attempts[assigned.orderID] = max(attempts[assigned.orderID] ?? 0, assigned.attempt)
                case .jobRedelivered(let redelivered):
                    attempts[redelivered.orderID] = max(attempts[redelivered.orderID] ?? 0, redelivered.attempt)
                    if redelivered.attempt > redeliveries[redelivered.orderID]?.attempt ?? 0 {
                        redeliveries[redelivered.orderID] = (redelivered.attempt, redelivered.eventID)
                    }
                case .delivered(let delivered): book.recorded(delivered.orderID)
                // A cancelled order's job is closed like a delivered one's: never handed out again.
                case .orderCancelled(let cancelled): book.recorded(cancelled.orderID)
                case .orderPointer, .pickedUp, .locationUpdated: break
                }
            }
            for var job in placed {
                // Attempts already on record (a restart): the next one goes on from them.
                job.attempt = (attempts[job.orderID] ?? 0) + 1
                if let latest = redeliveries[job.orderID] { job.cause = latest.id }
                if book.add(job) { handOut.yield(job) }
            }
        }
    }

    private func handOutJobs(_ jobs: AsyncStream<DeliveryJob>) async throws {
        // Few jobs wait in any one courier's queue, so a lost courier strands few
        // and a busy one does not hold work a free one could do. Set before
        // binding: a connection's queue size is fixed when it is made.
        let couriers = try Pusher<DeliveryJob>(
            context: context, .bind(addresses.bindable(addresses.jobs)),
            logger: logger
        ) { (socket) throws(ZMQError) in
            try socket.set(.sendHighWaterMark, 1)
        }
        for await job in jobs where book.isCurrent(job) {
            try await couriers.push(job, to: "jobs")
            jobsPushed.add()
            book.handedOut(job, acceptBy: .now + acceptTimeout)
        }
    }

    private func readAcknowledgements() async throws {
        let acks = try Puller<JobAck>(
            context: context, .bind(addresses.bindable(addresses.acks)),
            logger: logger)
        for try await received in acks.events {
            book.acknowledge(received.event, completeBy: .now + completeTimeout)
        }
    }

    private func redeliverOverdueJobs(
        _ handOut: AsyncStream<DeliveryJob>.Continuation, _ facts: AcknowledgedSender<DeliveryEvent>
    ) async throws {
        while true {
            try await Task.sleep(for: .milliseconds(50))
            for (job, reason, causedBy) in book.overdue(now: .now) {
                logger.notice("redelivering", metadata: ["order": "\(job.orderID)", "attempt": "\(job.attempt)"])
                // Caused by what made the attempt given up; the new attempt's facts are caused by this.
                let event = DeliveryEvent.jobRedelivered(
                    JobRedelivered(
                        eventID: job.cause ?? UUID(), orderID: job.orderID, attempt: job.attempt, reason: reason))
                try await facts.send(event, causedBy: causedBy)
                handOut.yield(job)
            }
        }
    }
}

/// The dispatcher's record of jobs handed out and not yet completed.
public final class JobBook: Sendable {
    private struct Entry {
        var job: DeliveryJob
        /// `nil` while the job waits in the dispatcher's queue.
        var deadline: ContinuousClock.Instant?
        var acceptedBy: Int?
        /// The courier said it delivered; the store has not shown it yet.
        var completedBy: Int?
    }

    private struct State {
        var open: [Int: Entry] = [:]
        var completed: Set<Int> = []
        var redeliveries = 0
        var duplicateCompletions = 0
        var acceptances = 0
        var completions = 0
        var mostInCourierQueues = 0
    }

    private let state = Shared(State())

    public init() {}

    /// Records a new job, waiting to be handed out; `false` when the order already has one.
    func add(_ job: DeliveryJob) -> Bool {
        state.modify { state in
            guard state.open[job.orderID] == nil, !state.completed.contains(job.orderID) else { return false }
            state.open[job.orderID] = Entry(job: job, deadline: nil)
            return true
        }
    }

    /// Whether `job` is still the attempt to hand out (not completed, not superseded).
    func isCurrent(_ job: DeliveryJob) -> Bool {
        state.value.open[job.orderID]?.job.attempt == job.attempt
    }

    /// Starts the acceptance deadline of a job just handed to the couriers' socket.
    func handedOut(_ job: DeliveryJob, acceptBy deadline: ContinuousClock.Instant) {
        state.modify { state in
            guard var entry = state.open[job.orderID], entry.job.attempt == job.attempt, entry.deadline == nil,
                entry.acceptedBy == nil
            else { return }
            entry.deadline = deadline
            state.open[job.orderID] = entry
            let inQueues = state.open.values.count { $0.deadline != nil && $0.acceptedBy == nil }
            state.mostInCourierQueues = max(state.mostInCourierQueues, inQueues)
        }
    }

    func acknowledge(_ ack: JobAck, completeBy deadline: ContinuousClock.Instant) {
        state.modify { state in
            switch ack.stage {
            case .accepted:
                state.acceptances += 1
                // An acceptance of an earlier attempt is stale: that attempt was given up.
                guard var entry = state.open[ack.orderID], entry.job.attempt == ack.attempt else { return }
                entry.deadline = deadline
                entry.acceptedBy = ack.courierID
                state.open[ack.orderID] = entry
            case .completed:
                state.completions += 1
                guard var entry = state.open[ack.orderID] else {
                    state.duplicateCompletions += 1
                    return
                }
                if entry.completedBy != nil { state.duplicateCompletions += 1 }
                // Done once the store shows the delivery; if it never does, the job goes out again.
                entry.completedBy = ack.courierID
                entry.deadline = deadline
                state.open[ack.orderID] = entry
            }
        }
    }

    /// The store has the delivery of `orderID`: its job is done, whoever delivered it.
    func recorded(_ orderID: Int) {
        state.modify { state in
            state.completed.insert(orderID)
            state.open[orderID] = nil
        }
    }

    /// The jobs past their deadline, each with its next attempt number, why,
    /// and the cause of the attempt given up; they wait in the queue again.
    /// Each job's ``DeliveryJob/cause`` is now the id its ``JobRedelivered`` is to have.
    func overdue(now: ContinuousClock.Instant) -> [(job: DeliveryJob, reason: String, causedBy: UUID?)] {
        state.modify { state in
            var due: [(job: DeliveryJob, reason: String, causedBy: UUID?)] = []
            for (orderID, var entry) in state.open {
                guard let deadline = entry.deadline, deadline < now else { continue }
                let reason =
                    entry.completedBy.map {
                        "courier \($0) completed attempt \(entry.job.attempt) but the store has no delivery"
                    }
                    ?? entry.acceptedBy.map { "courier \($0) did not complete attempt \(entry.job.attempt) in time" }
                    ?? "nobody accepted attempt \(entry.job.attempt) in time"
                let causedBy = entry.job.cause
                entry.job.attempt += 1
                entry.job.cause = UUID()
                entry.deadline = nil
                entry.acceptedBy = nil
                entry.completedBy = nil
                state.open[orderID] = entry
                state.redeliveries += 1
                due.append((entry.job, reason, causedBy))
            }
            return due.sorted { $0.job.orderID < $1.job.orderID }
        }
    }

    /// Jobs handed out and not completed.
    public var openJobs: Int { state.value.open.count }
    /// Acknowledgements received, by stage.
    public var acknowledgements: (accepted: Int, completed: Int) {
        let state = state.value
        return (state.acceptances, state.completions)
    }
    /// The most jobs at once that were handed to the couriers' socket and not
    /// yet accepted: what waited in couriers' queues rather than at the dispatcher.
    public var mostJobsInCourierQueues: Int { state.value.mostInCourierQueues }
    /// Jobs handed out again after a missed deadline.
    public var redeliveries: Int { state.value.redeliveries }
    /// Completions of an order already completed or recorded (a slow courier finishing a redelivered job).
    public var duplicateCompletions: Int { state.value.duplicateCompletions }
}
