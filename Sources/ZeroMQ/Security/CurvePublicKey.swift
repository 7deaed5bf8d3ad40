/// A CURVE public key: 32 bytes that identify a server to its clients, or a
/// client to a ``ZAPAuthenticator``. Safe to print, log and share; its
/// description is its Z85 text.
///
/// ```swift
/// let server = try CurvePublicKey(z85: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7")
/// ```
public struct CurvePublicKey: Sendable, Hashable, CustomStringConvertible {
    private let material: CurveKeyMaterial

    /// The key from its 32 bytes.
    /// - Throws: ``ZMQError`` with ``ZMQError/Code/invalidKey`` for a count other than 32.
    public init(bytes: some Collection<UInt8>) throws(ZMQError) {
        material = try CurveKeyMaterial(bytes: bytes, kind: "public")
    }

    /// The key from its 40 characters of Z85 text.
    /// - Throws: ``ZMQError`` with ``ZMQError/Code/invalidKey``, which says
    ///   what is wrong and where (a bad character as its code point).
    public init(z85: String) throws(ZMQError) {
        material = try CurveKeyMaterial(z85: z85, kind: "public", secret: false)
    }

    /// The 32 bytes of the key, as ``SocketOption/curvePublicKey`` and
    /// ``SocketOption/curveServerKey`` take them.
    public var bytes: [UInt8] { material.bytes }

    /// The key as 40 characters of Z85 text.
    public var z85: String { material.z85 }

    /// The Z85 text of the key.
    public var description: String { material.z85 }
}
