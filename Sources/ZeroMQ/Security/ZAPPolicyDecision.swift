/// How a ``ZAPPolicy`` answers one ``ZAPRequest``.
extension ZAPPolicy {
    func decision(for request: ZAPRequest) -> AuthDecision {
        let mechanism = request.mechanism
        var identity: String? = nil
        var clientKey: CurvePublicKey? = nil
        func decide(_ status: AuthDecision.Status, _ reason: String) -> AuthDecision {
            AuthDecision(
                status: status, reason: reason, mechanism: mechanism, domain: request.domain,
                address: request.address, identity: identity
            )
        }

        switch mechanism {
        case .plain:
            guard request.credentials.count == 2 else { return decide(.internalError, "malformed PLAIN credentials") }
            guard let username = String(validating: request.credentials[0], as: UTF8.self) else {
                return decide(.denied, "PLAIN user name is not UTF-8")
            }
            identity = username
        case .curve:
            guard request.credentials.count == 1, let key = try? CurvePublicKey(bytes: request.credentials[0]) else {
                return decide(.internalError, "malformed CURVE credentials")
            }
            clientKey = key
            identity = key.z85
        default:
            break
        }

        if deniedAddresses.contains(request.address) {
            return decide(.denied, "address \(request.address) is denied")
        }
        if !allowedAddresses.isEmpty && !allowedAddresses.contains(request.address) {
            return decide(.denied, "address \(request.address) is not on the allow list")
        }

        switch mechanism {
        case .null:
            return decide(.allowed, "OK")
        case .plain:
            let username = identity ?? ""
            guard let password = plainPasswords[username] else {
                return decide(.denied, "unknown PLAIN user \"\(username)\"")
            }
            guard constantTimeEquals(Array(password.utf8), request.credentials[1]) else {
                return decide(.denied, "wrong password for PLAIN user \"\(username)\"")
            }
            return decide(.allowed, "OK")
        case .curve:
            switch curveClients {
            case .rejectAll:
                return decide(.denied, "no CURVE clients are accepted")
            case .acceptAny:
                return decide(.allowed, "OK")
            case .acceptOnly(let keys):
                guard let clientKey, keys.contains(clientKey) else {
                    return decide(.denied, "unknown CURVE client key")
                }
                return decide(.allowed, "OK")
            }
        default:
            return decide(.denied, "mechanism \(request.mechanismName) is not supported")
        }
    }
}

/// Compares a stored secret with a received one in time that depends only on
/// their lengths, so response timing does not reveal how much of a guess was right.
private func constantTimeEquals(_ expected: [UInt8], _ received: [UInt8]) -> Bool {
    guard expected.count == received.count else { return false }
    var difference: UInt8 = 0
    for index in expected.indices { difference |= expected[index] ^ received[index] }
    return difference == 0
}
