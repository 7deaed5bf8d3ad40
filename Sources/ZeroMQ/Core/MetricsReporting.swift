import CoreMetrics
import ServiceLifecycle

/// swift-metrics counters fed from running totals: each report increments
/// every counter by what its total grew since the last report. What
/// ``ProxyMetrics`` and the channels' `ChannelMetrics` share. `package`: the
/// channels report this way too.
package struct DeltaCounters {
    private let counters: [Counter]
    private var reported: [UInt64]

    /// One counter per label, each named `prefix_label`, with `dimensions`.
    package init(
        prefix: String, labels: [String], dimensions: [(String, String)], factory: any MetricsFactory
    ) {
        counters = labels.map { Counter(label: "\(prefix)_\($0)", dimensions: dimensions, factory: factory) }
        reported = Array(repeating: 0, count: labels.count)
    }

    /// Increments each counter by how much `totals` (same order as the
    /// labels) grew since the last report. A total at or below the last one
    /// reported counts nothing and leaves the base where it was: two reports
    /// that read their totals at once may arrive in either order, and the
    /// older must not make the newer count twice. (The totals only grow.)
    package mutating func report(_ totals: [UInt64]) {
        for (index, total) in totals.enumerated() where total > reported[index] {
            counters[index].increment(by: Int64(clamping: total - reported[index]))
            reported[index] = total
        }
    }
}

/// Calls `report` every `interval` until a graceful shutdown or
/// cancellation, then once more, so that nothing counted before the end is
/// left unreported: the loop of every metrics `Service` here.
package func reportEvery(_ interval: Duration, _ report: @escaping @Sendable () async -> Void) async {
    do {
        try await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                await report()
            }
        }
    } catch {
        // Cancelled: by the graceful shutdown, or with the task. Either way, the last report follows.
    }
    await report()
}
