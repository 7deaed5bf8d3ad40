/// A CURVE secret key: the 32 bytes that prove a socket owns its public key.
///
/// Keep it out of logs: its `description`, `debugDescription` and mirror (what
/// `print`, string interpolation, `dump` and debuggers show) never include the
/// key. Read ``z85`` or ``bytes`` only to store it somewhere safe.
public struct CurveSecretKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let material: CurveKeyMaterial

    /// The key from its 32 bytes.
    /// - Throws: ``ZMQError`` with ``ZMQError/Code/invalidKey`` for a count other than 32.
    public init(bytes: some Collection<UInt8>) throws(ZMQError) {
        material = try CurveKeyMaterial(bytes: bytes, kind: "secret")
    }

    /// The key from its 40 characters of Z85 text.
    /// - Throws: ``ZMQError`` with ``ZMQError/Code/invalidKey``, which says
    ///   where the text is wrong and never shows it.
    public init(z85: String) throws(ZMQError) {
        material = try CurveKeyMaterial(z85: z85, kind: "secret", secret: true)
    }

    /// The 32 bytes of the key, as ``SocketOption/curveSecretKey`` takes them. Secret.
    public var bytes: [UInt8] { material.bytes }

    /// The key as 40 characters of Z85 text, for storing it. Secret.
    public var z85: String { material.z85 }

    /// A placeholder: the key itself is never shown.
    public var description: String { "CurveSecretKey(<redacted>)" }

    /// A placeholder: the key itself is never shown.
    public var debugDescription: String { description }

    /// A mirror with no children, so `dump` and debuggers do not show the key.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
