/// Why a ZMTP handshake failed on a protocol error: the value of
/// ``SocketEvent/handshakeFailedProtocol(endpoint:error:)`` (`ZMQ_PROTOCOL_ERROR_*`).
///
/// Errors starting `zmtp` are between the two peers; those starting `zap`
/// are between the security mechanism and the ZAP handler. Either points at
/// a configuration or implementation error, not at a rejected peer.
public struct HandshakeProtocolError: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The libzmq value (`ZMQ_PROTOCOL_ERROR_*`).
    public let rawValue: UInt32

    /// Wraps a libzmq `ZMQ_PROTOCOL_ERROR_*` value.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// An unspecified ZMTP error.
    public static let zmtpUnspecified = Self(rawValue: ProtocolErrorCode.zmtpUnspecified)
    /// A ZMTP command the handshake did not expect.
    public static let zmtpUnexpectedCommand = Self(rawValue: ProtocolErrorCode.zmtpUnexpectedCommand)
    /// ZMTP commands out of sequence.
    public static let zmtpInvalidSequence = Self(rawValue: ProtocolErrorCode.zmtpInvalidSequence)
    /// The CURVE key exchange failed.
    public static let zmtpKeyExchange = Self(rawValue: ProtocolErrorCode.zmtpKeyExchange)
    /// A malformed ZMTP command.
    public static let zmtpMalformedCommandUnspecified = Self(
        rawValue: ProtocolErrorCode.zmtpMalformedCommandUnspecified)
    /// A malformed MESSAGE command.
    public static let zmtpMalformedCommandMessage = Self(rawValue: ProtocolErrorCode.zmtpMalformedCommandMessage)
    /// A malformed HELLO command.
    public static let zmtpMalformedCommandHello = Self(rawValue: ProtocolErrorCode.zmtpMalformedCommandHello)
    /// A malformed INITIATE command.
    public static let zmtpMalformedCommandInitiate = Self(rawValue: ProtocolErrorCode.zmtpMalformedCommandInitiate)
    /// A malformed ERROR command.
    public static let zmtpMalformedCommandError = Self(rawValue: ProtocolErrorCode.zmtpMalformedCommandError)
    /// A malformed READY command.
    public static let zmtpMalformedCommandReady = Self(rawValue: ProtocolErrorCode.zmtpMalformedCommandReady)
    /// A malformed WELCOME command.
    public static let zmtpMalformedCommandWelcome = Self(rawValue: ProtocolErrorCode.zmtpMalformedCommandWelcome)
    /// Invalid metadata in a ZMTP command.
    public static let zmtpInvalidMetadata = Self(rawValue: ProtocolErrorCode.zmtpInvalidMetadata)
    /// A cryptographic check failed (CURVE).
    public static let zmtpCryptographic = Self(rawValue: ProtocolErrorCode.zmtpCryptographic)
    /// The peers use different security mechanisms.
    public static let zmtpMechanismMismatch = Self(rawValue: ProtocolErrorCode.zmtpMechanismMismatch)
    /// An unspecified error with the ZAP handler.
    public static let zapUnspecified = Self(rawValue: ProtocolErrorCode.zapUnspecified)
    /// The ZAP handler's reply was malformed.
    public static let zapMalformedReply = Self(rawValue: ProtocolErrorCode.zapMalformedReply)
    /// The ZAP reply's request id did not match the request.
    public static let zapBadRequestID = Self(rawValue: ProtocolErrorCode.zapBadRequestID)
    /// The ZAP reply's version was not 1.0.
    public static let zapBadVersion = Self(rawValue: ProtocolErrorCode.zapBadVersion)
    /// The ZAP reply's status code was not 200, 300, 400 or 500.
    public static let zapInvalidStatusCode = Self(rawValue: ProtocolErrorCode.zapInvalidStatusCode)
    /// The ZAP reply's metadata was invalid.
    public static let zapInvalidMetadata = Self(rawValue: ProtocolErrorCode.zapInvalidMetadata)

    public var description: String {
        switch self {
        case .zmtpUnspecified: "ZMTP unspecified"
        case .zmtpUnexpectedCommand: "ZMTP unexpected command"
        case .zmtpInvalidSequence: "ZMTP invalid sequence"
        case .zmtpKeyExchange: "ZMTP key exchange"
        case .zmtpMalformedCommandUnspecified: "ZMTP malformed command"
        case .zmtpMalformedCommandMessage: "ZMTP malformed MESSAGE"
        case .zmtpMalformedCommandHello: "ZMTP malformed HELLO"
        case .zmtpMalformedCommandInitiate: "ZMTP malformed INITIATE"
        case .zmtpMalformedCommandError: "ZMTP malformed ERROR"
        case .zmtpMalformedCommandReady: "ZMTP malformed READY"
        case .zmtpMalformedCommandWelcome: "ZMTP malformed WELCOME"
        case .zmtpInvalidMetadata: "ZMTP invalid metadata"
        case .zmtpCryptographic: "ZMTP cryptographic"
        case .zmtpMechanismMismatch: "ZMTP mechanism mismatch"
        case .zapUnspecified: "ZAP unspecified"
        case .zapMalformedReply: "ZAP malformed reply"
        case .zapBadRequestID: "ZAP bad request id"
        case .zapBadVersion: "ZAP bad version"
        case .zapInvalidStatusCode: "ZAP invalid status code"
        case .zapInvalidMetadata: "ZAP invalid metadata"
        default: "protocol error 0x\(String(rawValue, radix: 16))"
        }
    }
}
