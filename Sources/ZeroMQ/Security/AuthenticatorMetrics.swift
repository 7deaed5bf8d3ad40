import CoreMetrics

/// Counts a ``ZAPAuthenticator``'s decisions as swift-metrics counters:
/// `<label>_allowed` and `<label>_denied`, with the dimensions given and
/// `mechanism` (`NULL`, `PLAIN`, `CURVE`, `GSSAPI` or `unknown`: never a peer's text,
/// so a peer cannot make new series). A decision is counted as it is made,
/// one increment: handshakes are not a hot path.
public struct AuthenticatorMetrics: Sendable {
    private let allowed: [String: Counter]
    private let denied: [String: Counter]

    /// - Parameters:
    ///   - label: the prefix of both counters' labels.
    ///   - dimensions: the dimensions of both counters, besides `mechanism`.
    ///   - factory: the metrics backend; `nil` for the one bootstrapped in `MetricsSystem`.
    public init(label: String = "zeromq_zap", dimensions: [(String, String)] = [], factory: (any MetricsFactory)? = nil) {
        let factory = factory ?? MetricsSystem.factory
        func counters(_ name: String) -> [String: Counter] {
            Dictionary(
                uniqueKeysWithValues: Self.mechanisms.map { mechanism in
                    (
                        mechanism,
                        Counter(
                            label: "\(label)_\(name)", dimensions: dimensions + [("mechanism", mechanism)],
                            factory: factory)
                    )
                })
        }
        allowed = counters("allowed")
        denied = counters("denied")
    }

    private static let mechanisms = ["NULL", "PLAIN", "CURVE", "GSSAPI", "unknown"]

    func count(_ decision: AuthDecision) {
        let mechanism = decision.mechanism.map { "\($0)" } ?? "unknown"
        let counters = decision.isAllowed ? allowed : denied
        (counters[mechanism] ?? counters["unknown"])?.increment()
    }
}
