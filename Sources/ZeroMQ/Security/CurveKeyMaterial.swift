/// The 32 bytes of a CURVE key with their Z85 text, checked once when made;
/// shared by ``CurvePublicKey`` and ``CurveSecretKey``.
struct CurveKeyMaterial: Sendable, Hashable {
    let bytes: [UInt8]
    let z85: String

    init(bytes: some Collection<UInt8>) throws(CurveKeyError) {
        let bytes = Array(bytes)
        guard bytes.count == CurveFunctions.keyByteCount else { throw .wrongByteCount(bytes.count) }
        do {
            z85 = try Z85.encode(bytes)
        } catch {
            throw .invalidText(error)
        }
        self.bytes = bytes
    }

    init(z85 text: String) throws(CurveKeyError) {
        // Characters, not UTF-8 bytes, so that a stray non-ASCII character is
        // reported by Z85 as such rather than as a length problem.
        guard text.count == CurveFunctions.keyTextCount else { throw .wrongTextLength(text.count) }
        do {
            bytes = try Z85.decode(text)
        } catch {
            throw .invalidText(error)
        }
        z85 = text
    }
}
