import Logging
import Synchronization

/// The part of a ``ZAPAuthenticator`` its handler thread shares with callers:
/// the policy, the tallies and the decision callback. The thread holds this,
/// never the authenticator itself, so releasing the authenticator stops it.
package final class ZAPDecisionMaker: Sendable {
    /// How many denials ``recentDenials`` keeps.
    static let recentDenialLimit = 32

    let policy: Locked<ZAPPolicy>
    private let tally = Locked(Tally())
    private let onDecision: (@Sendable (AuthDecision) -> Void)?
    let logger: Logger
    private let metrics: AuthenticatorMetrics?

    private struct Tally {
        var allowed = 0
        var denied = 0
        var recentDenials: [AuthDecision] = []
    }

    package init(
        policy: ZAPPolicy, onDecision: (@Sendable (AuthDecision) -> Void)?, logger: Logger,
        metrics: AuthenticatorMetrics? = nil
    ) {
        self.metrics = metrics
        self.policy = Locked(policy)
        self.onDecision = onDecision
        self.logger = logger
    }

    var allowedCount: Int { tally.withLock { $0.allowed } }
    var deniedCount: Int { tally.withLock { $0.denied } }
    package var recentDenials: [AuthDecision] { tally.withLock { $0.recentDenials } }

    /// Decides on the request in `frames` and returns the reply frames to send.
    package func answer(_ frames: [[UInt8]]) -> [[UInt8]] {
        let decision: AuthDecision
        if let request = ZAPRequest(frames: frames) {
            decision = policy.withLock { $0 }.decision(for: request)
        } else {
            decision = AuthDecision(
                status: .internalError, reason: "malformed ZAP request of \(frames.count) frames",
                mechanism: nil, domain: "", address: "", identity: nil
            )
        }
        record(decision)
        metrics?.count(decision)
        if !decision.isAllowed {
            logger.notice("authentication denied", metadata: ["decision": "\(decision)"])
        }
        onDecision?(decision)
        return ZAPRequest.reply(to: frames.count > 1 ? frames[1] : [], with: decision)
    }

    private func record(_ decision: AuthDecision) {
        tally.withLock { tally in
            if decision.isAllowed {
                tally.allowed += 1
            } else {
                tally.denied += 1
                tally.recentDenials.append(decision)
                if tally.recentDenials.count > Self.recentDenialLimit { tally.recentDenials.removeFirst() }
            }
        }
    }
}
