/// The 32 bytes of a CURVE key with their Z85 text, checked once when made;
/// shared by ``CurvePublicKey`` and ``CurveSecretKey``.
struct CurveKeyMaterial: Sendable, Hashable {
    let bytes: [UInt8]
    let z85: String

    /// The key from its bytes; `kind` ("public", "secret") names it in errors.
    init(bytes: some Collection<UInt8>, kind: String) throws(ZMQError) {
        let bytes = Array(bytes)
        guard bytes.count == CurveFunctions.keyByteCount else {
            throw ZMQError(
                code: .invalidKey,
                operation: "make a CURVE \(kind) key (a CURVE key is \(CurveFunctions.keyByteCount) bytes, not \(bytes.count))")
        }
        z85 = try Z85.encode(bytes)
        self.bytes = bytes
    }

    /// The key from its Z85 text. A secret key's error never shows its characters.
    init(z85 text: String, kind: String, secret: Bool) throws(ZMQError) {
        // Characters, not UTF-8 bytes, so that a stray non-ASCII character is
        // reported by Z85 as such rather than as a length problem.
        guard text.count == CurveFunctions.keyTextCount else {
            throw ZMQError(
                code: .invalidKey,
                operation:
                    "read a CURVE \(kind) key (a CURVE key in Z85 is \(CurveFunctions.keyTextCount) characters, not \(text.count))")
        }
        if let problem = Z85.problem(in: text) {
            throw ZMQError(
                code: .invalidKey, operation: "read a CURVE \(kind) key (\(problem.description(secret: secret)))")
        }
        bytes = try Z85.decode(text)
        z85 = text
    }
}
