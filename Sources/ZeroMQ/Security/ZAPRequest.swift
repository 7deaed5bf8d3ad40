/// One ZAP request as libzmq sends it to the handler at
/// ``ZAPAuthenticator/endpoint`` (RFC 27): version, request id, domain,
/// address, routing id, mechanism, then the mechanism's credentials.
struct ZAPRequest {
    /// The only ZAP version there is, in requests and replies.
    static let version = "1.0"

    let requestID: [UInt8]
    let domain: String
    let address: String
    let routingID: [UInt8]
    let mechanismName: String
    /// NULL: none; PLAIN: user name and password; CURVE: the client's 32-byte public key.
    let credentials: [[UInt8]]

    /// Parses the frames of a request, or returns `nil` when they are not one.
    init?(frames: [[UInt8]]) {
        guard frames.count >= 6, String(decoding: frames[0], as: UTF8.self) == Self.version else { return nil }
        requestID = frames[1]
        domain = String(decoding: frames[2], as: UTF8.self)
        address = String(decoding: frames[3], as: UTF8.self)
        routingID = frames[4]
        mechanismName = String(decoding: frames[5], as: UTF8.self)
        credentials = Array(frames[6...])
    }

    /// The security mechanism named in the request, or `nil` for one this module does not know.
    var mechanism: SecurityMechanism? {
        switch mechanismName {
        case "NULL": .null
        case "PLAIN": .plain
        case "CURVE": .curve
        case "GSSAPI": .gssapi
        default: nil
        }
    }

    /// The reply frames for `decision`: version, request id, status code, status
    /// text, user id and empty metadata.
    static func reply(to requestID: [UInt8], with decision: AuthDecision) -> [[UInt8]] {
        let userID = decision.isAllowed ? decision.identity ?? "" : ""
        return [
            Array(version.utf8), requestID, Array(String(decision.status.rawValue).utf8),
            Array(decision.reason.utf8), Array(userID.utf8), [],
        ]
    }
}
