/// What a ``ZAPAuthenticator`` lets in: which peer addresses, which CURVE
/// clients and which PLAIN users. It applies to every ZAP domain.
///
/// Addresses are checked first, for every mechanism: an address on
/// ``deniedAddresses`` is refused (deny wins), and when ``allowedAddresses`` is
/// not empty, so is every address missing from it. Then the mechanism decides:
/// NULL peers that passed the address check are let in, PLAIN users must be in
/// ``plainPasswords`` with the right password, and CURVE clients must be
/// accepted by ``curveClients``.
///
/// ```swift
/// var policy = ZAPPolicy(curveClients: .acceptOnly([alice.publicKey]))
/// policy.deniedAddresses.insert("192.0.2.7")
/// ```
public struct ZAPPolicy: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    /// Which CURVE clients a policy accepts, by their public key.
    public enum CurveClients: Sendable, Equatable {
        /// No CURVE client (the default).
        case rejectAll
        /// Any client that completes the CURVE handshake: it knows the server's
        /// public key, and traffic is encrypted, but its own key is not checked.
        case acceptAny
        /// Only clients whose public key is in the set.
        case acceptOnly(Set<CurvePublicKey>)
    }

    /// Peer IP addresses to let in, as libzmq reports them (`"127.0.0.1"`,
    /// `"::1"`); empty lets in every address not denied.
    public var allowedAddresses: Set<String>
    /// Peer IP addresses to refuse, whatever their credentials; wins over ``allowedAddresses``.
    public var deniedAddresses: Set<String>
    /// The CURVE clients accepted.
    public var curveClients: CurveClients
    /// PLAIN user names and their passwords; a user not listed is refused.
    public var plainPasswords: [String: String]

    /// A policy; by default every address passes, and no CURVE client or PLAIN user is accepted.
    public init(
        allowedAddresses: Set<String> = [],
        deniedAddresses: Set<String> = [],
        curveClients: CurveClients = .rejectAll,
        plainPasswords: [String: String] = [:]
    ) {
        self.allowedAddresses = allowedAddresses
        self.deniedAddresses = deniedAddresses
        self.curveClients = curveClients
        self.plainPasswords = plainPasswords
    }

    /// The policy without its passwords: only the PLAIN user names are shown.
    public var description: String {
        let curve =
            switch curveClients {
            case .rejectAll: "none"
            case .acceptAny: "any"
            case .acceptOnly(let keys): "\(keys.count) keys"
            }
        return "ZAPPolicy(allowed: \(allowedAddresses.sorted()), denied: \(deniedAddresses.sorted()), "
            + "CURVE clients: \(curve), PLAIN users: \(plainPasswords.keys.sorted()))"
    }

    /// A mirror without the passwords, so `dump` and debuggers do not show them.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "allowedAddresses": allowedAddresses, "deniedAddresses": deniedAddresses,
                "curveClients": curveClients, "plainUsers": plainPasswords.keys.sorted(),
            ],
            displayStyle: .struct
        )
    }
}
