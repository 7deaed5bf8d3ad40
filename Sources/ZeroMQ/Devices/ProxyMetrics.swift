import CoreMetrics
import ServiceLifecycle

/// Reports a ``Proxy``'s traffic (``Proxy/statistics()``) as swift-metrics
/// counters, as a `Service` beside the proxy:
///
/// ```swift
/// let bus = Proxy(context: context, kind: .forwarder, frontend: .bind("tcp://*:5550"), backend: .bind("tcp://*:5551"))
/// let busMetrics = ProxyMetrics(bus, dimensions: [("proxy", "bus")])
/// try await ServiceGroup(services: [bus, busMetrics], logger: logger).run()
/// ```
///
/// Every ``interval`` it asks the proxy for its statistics (a round trip to
/// the proxy's thread, made on a thread of its own, never on Swift's
/// cooperative pool) and increments eight counters, `<label>_<side>_<what>`
/// for side `frontend` or `backend` and what `messages_received`,
/// `bytes_received`, `messages_sent` or `bytes_sent`, by what each grew. A
/// proxy not running yet or any more is skipped until it runs; the counts
/// are the proxy's since it started, so nothing is lost between two asks.
/// A stopped proxy has no statistics to give, so list this service after the
/// proxy, as above: a group stops it first, and its last report then misses
/// only the traffic between that report and the proxy's stop.
public final class ProxyMetrics: Service, Sendable {
    /// The proxy reported.
    public let proxy: Proxy
    /// How often it asks the proxy.
    public let interval: Duration
    private let counters: Locked<DeltaCounters>

    /// - Parameters:
    ///   - proxy: the proxy to ask.
    ///   - label: the prefix of every counter's label.
    ///   - dimensions: the dimensions of every counter, such as `[("proxy", "bus")]`.
    ///   - interval: how often to ask the proxy.
    ///   - factory: the metrics backend; `nil` for the one bootstrapped in `MetricsSystem`.
    public init(
        _ proxy: Proxy, label: String = "zeromq_proxy", dimensions: [(String, String)] = [],
        interval: Duration = .seconds(1), factory: (any MetricsFactory)? = nil
    ) {
        self.proxy = proxy
        self.interval = max(interval, .milliseconds(1))
        let factory = factory ?? MetricsSystem.factory
        let labels = ["frontend", "backend"].flatMap { side in
            ["messages_received", "bytes_received", "messages_sent", "bytes_sent"].map { "\(side)_\($0)" }
        }
        counters = Locked(DeltaCounters(prefix: label, labels: labels, dimensions: dimensions, factory: factory))
    }

    /// Reports every ``interval`` until a graceful shutdown or cancellation,
    /// then once more.
    public func run() async throws {
        await reportEvery(interval) { await self.report() }
    }

    /// Asks the proxy for its statistics and reports what grew since the last
    /// report; nothing when the proxy does not answer (not running).
    public func report() async {
        let proxy = self.proxy
        guard let statistics = try? await offThePool({ () throws(ZMQError) in try proxy.statistics() }) else { return }
        let totals = [statistics.frontend, statistics.backend].flatMap {
            [$0.messagesReceived, $0.bytesReceived, $0.messagesSent, $0.bytesSent]
        }
        counters.withLock { $0.report(totals) }
    }
}
