import Foundation
import Logging
import ZeroMQ
import ZeroMQChannels

/// A courier: a consumer of jobs. It pulls a job, acknowledges it, rides to
/// the pickup and the customer while sending the store what happens (over
/// the acknowledged channel), and acknowledges completion. It is idempotent: a job for an order it already delivered is
/// acknowledged again and not ridden twice, and its `Delivered` event carries
/// the order's one delivered-event id, so another courier's delivery of the
/// same order is recognised as the same fact.
public struct Courier: Sendable {
    public let id: Int
    public let context: Context
    public let addresses: Addresses
    /// How many location updates one ride publishes.
    public var steps = 5
    /// The pause between two location updates.
    public var pace: Duration = .milliseconds(10)
    /// Simulates a crash: after picking up this many orders, the courier stops
    /// dead (no delivery, no acknowledgement, its queued jobs lost with it).
    public var crashAfterPickups: Int?
    /// Where facts not yet acknowledged by the store are kept across a restart; `nil` keeps them in memory.
    public var outbox: String?
    public var logger = Logger(label: "delivery.courier")
    /// The acknowledged path to the store, once running.
    public let facts = Shared<AcknowledgedSender<DeliveryEvent>?>(nil)
    /// Jobs dropped because their order was cancelled before this courier picked it up.
    public let cancelledJobs = Counter()
    /// Pickups that met a conflict (the order's stream moved on between the read and the append) and were decided again.
    public let conflicts = Counter()

    public init(id: Int, context: Context, addresses: Addresses) {
        self.id = id
        self.context = context
        self.addresses = addresses
    }

    /// How a courier's run ended.
    public enum Outcome: Sendable, Equatable {
        /// The jobs stopped coming (context shut down or socket closed).
        case finished(delivered: Int)
        /// The courier crashed on purpose, holding `order`.
        case crashed(holding: Int)
    }

    /// Runs until cancelled, the context is shut down, or the simulated crash.
    public func run() async throws -> Outcome {
        let sender = try FactChannel.sender(
            context: context, addresses: addresses, producer: "courier-\(id)", outbox: outbox, logger: logger)
        facts.modify { $0 = sender }
        defer { sender.close() }
        let acks = try Pusher<JobAck>(context: context, .connect(addresses.acks), logger: logger)
        // At most one job waits here while the courier rides: the rest stay with
        // the dispatcher, for couriers that are free (or alive).
        let jobs = try Puller<DeliveryJob>(context: context, .connect(addresses.jobs), logger: logger) {
            (socket) throws(ZMQError) in
            try socket.set(.receiveHighWaterMark, 1)
        }
        let store = try StoreClient(context: context, addresses: addresses)
        var delivered: Set<Int> = []
        var pickups = 0
        /// What the courier's next fact is caused by: the job's cause, then each fact the one before.
        var cause: UUID?
        func publish(_ event: DeliveryEvent) async throws {
            try await sender.send(event, causedBy: cause)
            cause = event.eventID
        }
        func acknowledge(_ job: DeliveryJob, _ stage: JobAck.Stage) async throws {
            try await acks.push(
                JobAck(orderID: job.orderID, attempt: job.attempt, courierID: id, stage: stage), to: "acks")
        }

        for try await received in jobs.events {
            let job = received.event
            cause = job.cause
            try await acknowledge(job, .accepted)
            if delivered.contains(job.orderID) {
                try await acknowledge(job, .completed)
                continue
            }
            let assigned = DeliveryEvent.courierAssigned(
                CourierAssigned(eventID: UUID(), orderID: job.orderID, courierID: id, attempt: job.attempt))
            let assignment = try await sender.send(assigned, causedBy: cause)
            cause = assigned.eventID
            try await Task.sleep(for: pace)
            // The pickup is a decision on the order's stream, which a cancellation may have ended: the
            // assignment must be in the store first, so that the pickup's version comes after it.
            while !(await sender.waitUntilAcknowledged(assignment.eventID, timeout: .seconds(1))) {
                try Task.checkCancellation()
            }
            let pickup = DeliveryEvent.pickedUp(PickedUp(eventID: UUID(), orderID: job.orderID, courierID: id))
            let (pickedUp, conflicts) = try await OrderDecisions.decide(
                read: { try await store.streamUntilAnswered(pickup.stream, logger: logger) },
                decide: { OrderDecisions.mayPickUp($0) ? (true, pickup) : (false, nil) },
                append: { [cause] event, expected in
                    try await store.appendUntilAnswered(
                        event, expecting: expected, causation: Causation(ofOrder: job.orderID, causedBy: cause),
                        logger: logger)
                })
            self.conflicts.add(conflicts)
            guard pickedUp else {
                logger.notice("order cancelled before pickup", metadata: ["courier": "\(id)", "order": "\(job.orderID)"])
                cancelledJobs.add()
                delivered.insert(job.orderID)
                try await acknowledge(job, .completed)
                continue
            }
            cause = pickup.eventID
            pickups += 1
            if pickups == crashAfterPickups {
                logger.warning("courier crashed", metadata: ["courier": "\(id)", "order": "\(job.orderID)"])
                // Like a process that died: the jobs and acknowledgements queued
                // here are lost. Its facts are not: a courier process keeps them in
                // its outbox, which its restart sends on; this in-process stand-in
                // has none, so it waits (2 s at most) until the store has them.
                for socket in [jobs.socket, acks.socket] { socket.close(linger: .zero) }
                if outbox == nil { _ = try await sender.waitUntilAcknowledged(timeout: .seconds(2)) }
                return .crashed(holding: job.orderID)
            }
            for step in 1...steps {
                try await Task.sleep(for: pace)
                try await publish(.locationUpdated(location(of: job, step: step)))
            }
            try await publish(
                .delivered(
                    Delivered(
                        eventID: DeliveryEvent.deliveredEventID(orderID: job.orderID), orderID: job.orderID,
                        courierID: id)))
            delivered.insert(job.orderID)
            try await acknowledge(job, .completed)
        }
        return .finished(delivered: delivered.count)
    }

    /// Where the ride is at `step`: on the straight line from pickup to drop-off.
    private func location(of job: DeliveryJob, step: Int) -> LocationUpdated {
        let fraction = Double(step) / Double(steps)
        let from = job.pickupPosition
        let to = job.dropoffPosition
        let position = Position(
            latitude: from.latitude + (to.latitude - from.latitude) * fraction,
            longitude: from.longitude + (to.longitude - from.longitude) * fraction)
        return LocationUpdated(
            eventID: UUID(), orderID: job.orderID, courierID: id, position: position, speedKmh: 18 + Double(id % 5),
            headingDegrees: from.bearing(to: to), batteryPercent: 100 - step,
            step: step, steps: steps)
    }
}
