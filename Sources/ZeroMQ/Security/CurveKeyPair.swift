/// A CURVE public key and the secret key it belongs to: what a CURVE server
/// needs (``Socket/makeCurveServer(_:zapDomain:)``), and what a CURVE client presents to it
/// (``Socket/makeCurveClient(serverPublicKey:keyPair:)``).
///
/// Its description shows only the public key.
public struct CurveKeyPair: Sendable, Hashable, CustomStringConvertible {
    /// The public half, to give to peers.
    public let publicKey: CurvePublicKey
    /// The secret half, to keep.
    public let secretKey: CurveSecretKey

    /// A new random key pair. The corresponding C function is `zmq_curve_keypair`.
    ///
    /// - Throws: ``ZMQError`` with `ENOTSUP` when libzmq was built without CURVE.
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        let (publicText, secretText) = try CurveFunctions.keyPair()
        // libzmq always writes two 40-character Z85 keys; an invalidKey error here would be its bug.
        return CurveKeyPair(
            publicKey: try CurvePublicKey(z85: publicText), checkedSecretKey: try CurveSecretKey(z85: secretText))
    }

    /// The key pair of `secretKey`, deriving its public key.
    /// The corresponding C function is `zmq_curve_public`.
    public init(secretKey: CurveSecretKey) throws(ZMQError) {
        let publicText = try CurveFunctions.publicKey(ofSecretKey: secretKey.z85)
        publicKey = try CurvePublicKey(z85: publicText)
        self.secretKey = secretKey
    }

    /// The key pair from both keys as Z85 text, as key files and `zmq_curve_keypair` give them.
    /// The corresponding C function, used to check the keys belong together, is `zmq_curve_public`.
    ///
    /// - Throws: ``ZMQError``, with ``ZMQError/Code/invalidKey`` for a key
    ///   that is not one, or when the public key does not belong to the secret key.
    public init(publicKey: String, secretKey: String) throws(ZMQError) {
        let secret = try CurveSecretKey(z85: secretKey)
        let claimed = try CurvePublicKey(z85: publicKey)
        let derived = try CurveKeyPair(secretKey: secret)
        guard derived.publicKey == claimed else {
            throw ZMQError(code: .invalidKey, operation: "pair CURVE keys (the public key does not belong to the secret key)")
        }
        self = derived
    }

    private init(publicKey: CurvePublicKey, checkedSecretKey: CurveSecretKey) {
        self.publicKey = publicKey
        self.secretKey = checkedSecretKey
    }

    /// The public key only: `CurveKeyPair(public: …)`.
    public var description: String { "CurveKeyPair(public: \(publicKey.z85))" }
}
