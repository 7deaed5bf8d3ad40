/// What can go wrong in the delivery system, said so that an operator knows
/// what to do.
public enum DeliveryError: Error, Sendable, CustomStringConvertible {
    /// A service did not answer in time.
    case timedOut(service: String, endpoint: String, after: Duration)
    /// A service answered with an error.
    case failed(service: String, reason: String)
    /// A command was refused (bad input).
    case rejected(String)
    /// An argument or reply could not be understood.
    case invalid(String)

    public var description: String {
        switch self {
        case .timedOut(let service, let endpoint, let after):
            "\(service) at \(endpoint) did not answer within \(after)"
        case .failed(let service, let reason): "\(service) failed: \(reason)"
        case .rejected(let reason): "rejected: \(reason)"
        case .invalid(let reason): reason
        }
    }
}
