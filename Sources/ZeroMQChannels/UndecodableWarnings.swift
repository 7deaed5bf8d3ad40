import Logging
import ZeroMQ

/// Logs the messages a consumer skips as undecodable without logging each:
/// the first at once, with its reason, then at most one warning every
/// ``interval`` with the number skipped since the last warning and one of
/// their reasons as a sample. ``ChannelCounters/undecodable`` counts them all.
/// A ``ChannelError``'s description is escaped and capped (`PeerText`), so
/// a peer's text in the reason cannot forge a log line.
@usableFromInline
struct UndecodableWarnings {
    /// The shortest time between two warnings.
    static let interval: Duration = .seconds(10)

    private var unreported: UInt64 = 0
    private var nextWarning: ContinuousClock.Instant?

    @usableFromInline init() {}

    /// Counts one skipped message and logs a warning if one is due.
    @usableFromInline
    mutating func skipped(_ error: ChannelError, logger: Logger) {
        unreported += 1
        let now = ContinuousClock.now
        if let nextWarning, now < nextWarning { return }
        logger.warning(
            "skipped undecodable messages",
            metadata: ["count": "\(unreported)", "sample": "\(error)"])
        unreported = 0
        nextWarning = now + Self.interval
    }
}
