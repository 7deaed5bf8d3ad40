/// The answer a ``ZAPAuthenticator`` gave to one connection attempt, as passed
/// to its `onDecision` callback and kept in ``ZAPAuthenticator/recentDenials``.
/// It never holds a password.
public struct AuthDecision: Sendable, Equatable, CustomStringConvertible {
    /// The ZAP status of a decision (RFC 27).
    public enum Status: Int, Sendable, Equatable {
        /// The peer is let in (`200`).
        case allowed = 200
        /// The peer is refused (`400`).
        case denied = 400
        /// The request could not be processed, for example because it was malformed (`500`).
        case internalError = 500
    }

    /// Whether the peer was let in, refused, or the request was unusable.
    public let status: Status
    /// Why, in words: `"address 127.0.0.1 is denied"`, `"unknown CURVE client …"`.
    public let reason: String
    /// The security mechanism the peer used, or `nil` when the request named an unknown one.
    public let mechanism: SecurityMechanism?
    /// The ZAP domain of the server socket (``SocketOption/zapDomain``).
    public let domain: String
    /// The peer's IP address.
    public let address: String
    /// Who the peer said it is: the PLAIN user name or the Z85 CURVE public key;
    /// `nil` for NULL. When allowed, this is also the message property `"User-Id"`
    /// (``Message/metadata(_:)``) on the server side.
    public let identity: String?

    /// Whether the peer was let in.
    public var isAllowed: Bool { status == .allowed }

    /// Describes the decision: `denied PLAIN peer alice from 127.0.0.1 in domain "": wrong password …`.
    /// The user name is the peer's own text, so the line is escaped and capped
    /// (``PeerText``): a name cannot forge a log line or steer a terminal.
    /// ``identity`` itself holds the name as sent.
    public var description: String {
        let verb =
            switch status {
            case .allowed: "allowed"
            case .denied: "denied"
            case .internalError: "failed"
            }
        let who = identity.map { " \($0)" } ?? ""
        let how = mechanism.map { "\($0)" } ?? "unknown mechanism"
        return PeerText.escaped(
            "\(verb) \(how) peer\(who) from \(address) in domain \"\(domain)\": \(reason)", limit: 1_024)
    }
}
