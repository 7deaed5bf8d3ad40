import CoreMetrics
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// Reports what channel ends count (``ChannelCounters``, ``AcknowledgedCounters``)
/// as swift-metrics counters and a gauge, with the dimensions you give them
/// (a topic prefix, an endpoint, a role).
///
/// Off unless configured: a channel end created with `metrics: nil` (the
/// default) reports nothing and costs nothing. Given one, each end adds to its
/// tallies as it counts (a relaxed atomic add per event, no lock, no call into
/// the metrics backend), and this object, run as a `Service`, hands the
/// increments to the backend every ``interval``, and once more when it stops.
/// Several ends may share one (their sums are reported), or each have its own.
///
/// ```swift
/// let metrics = ChannelMetrics(dimensions: [("topic_prefix", "orders")])
/// let orders = try Subscriber<OrderPlaced>(context: context, .connect(bus), topics: ["orders"], metrics: metrics)
/// try await ServiceGroup(services: [metrics, …], logger: logger).run()
/// ```
///
/// Metrics, each a counter named `<label>_<name>` unless said otherwise:
/// `sent`, `dropped` (PUB at its high-water mark), `received`, `gaps` (events
/// known missing), `late` (an event counted missing that came after all: gaps
/// minus late is what is still missing), `duplicates`, `resets`,
/// `undecodable`, `resent`, `acknowledged`, and the gauge `in_flight` (events
/// sent on the acknowledged channel and not yet acknowledged).
public final class ChannelMetrics: Service, Sendable {
    /// The prefix of every metric's label.
    public let label: String
    /// The dimensions of every metric.
    public let dimensions: [(String, String)]
    /// How often ``run()`` reports.
    public let interval: Duration

    /// What the ends have counted, in total since this object was made.
    @usableFromInline let tallies = Tallies()
    private let reporter: Locked<Reporter>

    /// - Parameters:
    ///   - label: the prefix of every metric's label.
    ///   - dimensions: the dimensions of every metric, such as `[("topic_prefix", "orders")]`.
    ///   - interval: how often ``run()`` hands the increments to the backend.
    ///   - factory: the metrics backend; `nil` for the one bootstrapped in
    ///     `MetricsSystem` (as swift-metrics' own types do).
    public init(
        label: String = "zeromq_channel", dimensions: [(String, String)] = [], interval: Duration = .seconds(1),
        factory: (any MetricsFactory)? = nil
    ) {
        self.label = label
        self.dimensions = dimensions
        self.interval = max(interval, .milliseconds(1))
        reporter = Locked(Reporter(label: label, dimensions: dimensions, factory: factory ?? MetricsSystem.factory))
    }

    /// Reports every ``interval`` until a graceful shutdown or cancellation,
    /// then once more, so that nothing counted before the end is left out.
    public func run() async throws {
        await reportEvery(interval) { self.report() }
    }

    /// Hands what was counted since the last report to the backend now.
    public func report() {
        // The snapshot under the lock too, so that a later report never records
        // an older in-flight figure than an earlier one.
        reporter.withLock { $0.report(tallies.snapshot()) }
    }
}

extension ChannelMetrics {
    /// One thing a channel end counts.
    @usableFromInline
    enum Tally: Int, CaseIterable, Sendable {
        case sent, dropped, received, gaps, late, duplicates, resets, undecodable, resent, acknowledged

        /// The counter's name: the case's own.
        var name: String { String(describing: self) }
    }

    /// Adds `count` to `tally`: what a channel end calls as it counts.
    @inlinable
    func add(_ tally: Tally, _ count: UInt64 = 1) {
        tallies.add(tally, count)
    }

    /// Changes the acknowledged channel's events in flight by `change`.
    @inlinable
    func addInFlight(_ change: Int64) {
        tallies.inFlight.wrappingAdd(change, ordering: .relaxed)
    }

    /// The running totals, one atomic each.
    @usableFromInline
    final class Tallies: Sendable {
        @usableFromInline let sent = Atomic<UInt64>(0)
        @usableFromInline let dropped = Atomic<UInt64>(0)
        @usableFromInline let received = Atomic<UInt64>(0)
        @usableFromInline let gaps = Atomic<UInt64>(0)
        @usableFromInline let late = Atomic<UInt64>(0)
        @usableFromInline let duplicates = Atomic<UInt64>(0)
        @usableFromInline let resets = Atomic<UInt64>(0)
        @usableFromInline let undecodable = Atomic<UInt64>(0)
        @usableFromInline let resent = Atomic<UInt64>(0)
        @usableFromInline let acknowledged = Atomic<UInt64>(0)
        @usableFromInline let inFlight = Atomic<Int64>(0)

        init() {}

        @inlinable
        func add(_ tally: Tally, _ count: UInt64) {
            switch tally {
            case .sent: sent.wrappingAdd(count, ordering: .relaxed)
            case .dropped: dropped.wrappingAdd(count, ordering: .relaxed)
            case .received: received.wrappingAdd(count, ordering: .relaxed)
            case .gaps: gaps.wrappingAdd(count, ordering: .relaxed)
            case .late: late.wrappingAdd(count, ordering: .relaxed)
            case .duplicates: duplicates.wrappingAdd(count, ordering: .relaxed)
            case .resets: resets.wrappingAdd(count, ordering: .relaxed)
            case .undecodable: undecodable.wrappingAdd(count, ordering: .relaxed)
            case .resent: resent.wrappingAdd(count, ordering: .relaxed)
            case .acknowledged: acknowledged.wrappingAdd(count, ordering: .relaxed)
            }
        }

        /// Every total, in ``Tally`` order, and the events in flight.
        func snapshot() -> (totals: [UInt64], inFlight: Int64) {
            let totals = Tally.allCases.map { tally -> UInt64 in
                switch tally {
                case .sent: sent.load(ordering: .relaxed)
                case .dropped: dropped.load(ordering: .relaxed)
                case .received: received.load(ordering: .relaxed)
                case .gaps: gaps.load(ordering: .relaxed)
                case .late: late.load(ordering: .relaxed)
                case .duplicates: duplicates.load(ordering: .relaxed)
                case .resets: resets.load(ordering: .relaxed)
                case .undecodable: undecodable.load(ordering: .relaxed)
                case .resent: resent.load(ordering: .relaxed)
                case .acknowledged: acknowledged.load(ordering: .relaxed)
                }
            }
            return (totals, inFlight.load(ordering: .relaxed))
        }
    }

    /// The backend's metrics and what they were last given.
    struct Reporter {
        var counters: DeltaCounters
        let inFlight: Gauge

        init(label: String, dimensions: [(String, String)], factory: any MetricsFactory) {
            counters = DeltaCounters(
                prefix: label, labels: Tally.allCases.map(\.name), dimensions: dimensions, factory: factory)
            inFlight = Gauge(label: "\(label)_in_flight", dimensions: dimensions, factory: factory)
        }

        mutating func report(_ now: (totals: [UInt64], inFlight: Int64)) {
            counters.report(now.totals)
            inFlight.record(now.inFlight)
        }
    }
}
