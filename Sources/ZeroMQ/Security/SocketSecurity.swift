/// One-call setup of a socket's security mechanism. Call these before
/// ``Socket/bind(_:)`` or ``Socket/connect(_:)``: libzmq applies security to
/// connections made afterwards.
///
/// A server checks its clients only when a ``ZAPAuthenticator`` runs on the
/// same ``Context``. Without one, libzmq (4.3) lets in every CURVE client that
/// knows the server's public key, and refuses every PLAIN client.
extension Socket {
    /// Makes this socket a CURVE server with `keyPair`: traffic is encrypted,
    /// and clients must know `keyPair.publicKey`.
    /// The corresponding C function is `zmq_setsockopt` with `ZMQ_CURVE_SERVER`,
    /// `ZMQ_CURVE_SECRETKEY` and `ZMQ_CURVE_PUBLICKEY`.
    ///
    /// - Parameters:
    ///   - keyPair: the server's keys.
    ///   - zapDomain: the domain a ``ZAPAuthenticator`` is told
    ///     (``SocketOption/zapDomain``); `nil` leaves it unchanged.
    public func makeCurveServer(_ keyPair: CurveKeyPair, zapDomain: String? = nil) throws(ZMQError) {
        try set(.curveServer, true)
        try set(.curveSecretKey, keyPair.secretKey.bytes)
        try set(.curvePublicKey, keyPair.publicKey.bytes)
        if let zapDomain { try set(.zapDomain, zapDomain) }
    }

    /// Makes this socket a CURVE client of the server whose public key is
    /// `serverPublicKey`, identifying itself with `keyPair`.
    /// The corresponding C function is `zmq_setsockopt` with `ZMQ_CURVE_SERVERKEY`,
    /// `ZMQ_CURVE_PUBLICKEY` and `ZMQ_CURVE_SECRETKEY`.
    ///
    /// A client given the wrong server key never completes a connection: it
    /// receives nothing, and its messages wait in its queue.
    public func makeCurveClient(serverPublicKey: CurvePublicKey, keyPair: CurveKeyPair) throws(ZMQError) {
        try set(.curvePublicKey, keyPair.publicKey.bytes)
        try set(.curveSecretKey, keyPair.secretKey.bytes)
        try set(.curveServerKey, serverPublicKey.bytes)
    }

    /// Makes this socket a PLAIN server: clients send a user name and password,
    /// in clear text, for a ``ZAPAuthenticator`` to check.
    /// The corresponding C function is `zmq_setsockopt` with `ZMQ_PLAIN_SERVER`.
    ///
    /// - Parameter zapDomain: the domain a ``ZAPAuthenticator`` is told; `nil` leaves it unchanged.
    public func makePlainServer(zapDomain: String? = nil) throws(ZMQError) {
        try set(.plainServer, true)
        if let zapDomain { try set(.zapDomain, zapDomain) }
    }

    /// Makes this socket a PLAIN client that logs in as `username` with
    /// `password`. Both cross the network unencrypted: use PLAIN only on
    /// trusted networks, and CURVE elsewhere.
    /// The corresponding C function is `zmq_setsockopt` with `ZMQ_PLAIN_USERNAME`
    /// and `ZMQ_PLAIN_PASSWORD`.
    public func makePlainClient(username: String, password: String) throws(ZMQError) {
        try set(.plainUsername, username)
        try set(.plainPassword, password)
    }
}
