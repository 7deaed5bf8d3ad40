/// Why a CURVE key or key pair could not be made.
public enum CurveKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A CURVE key is 32 bytes; this many were given.
    case wrongByteCount(Int)
    /// A CURVE key in Z85 is 40 characters; text of this length was given.
    case wrongTextLength(Int)
    /// The text is not valid Z85.
    case invalidText(Z85Error)
    /// The secret key's text has a character outside Z85 at this offset
    /// (counted in characters from 0). Unlike ``invalidText(_:)``, the
    /// character is not kept: it is part of a secret.
    case invalidSecretKeyCharacter(offset: Int)
    /// The public key given is not the one that belongs to the secret key given.
    case publicKeyDoesNotMatchSecretKey
    /// libzmq failed, for example with `ENOTSUP` when built without CURVE.
    case libzmq(ZMQError)

    /// What went wrong, in words; never shows a secret key's material, and of
    /// a public key at most one bad character.
    public var description: String {
        switch self {
        case .wrongByteCount(let count): "a CURVE key is 32 bytes, not \(count)"
        case .wrongTextLength(let length): "a CURVE key in Z85 is 40 characters, not \(length)"
        case .invalidText(let error): "invalid CURVE key text: \(error)"
        case .invalidSecretKeyCharacter(let offset):
            "invalid CURVE secret key text: the character at offset \(offset) is not a Z85 character (not shown: it is secret)"
        case .publicKeyDoesNotMatchSecretKey: "the public key does not belong to the secret key"
        case .libzmq(let error): error.description
        }
    }
}
