import ZeroMQ
/// Why bytes are not a valid payload of the binary format (``BinaryEventCodec``):
/// where the data ran out, which tag was found instead of the one expected, a
/// number too large for its type, text that is not UTF-8.
public struct BinaryPayloadError: Error, Sendable, CustomStringConvertible {
    public let description: String

    /// A failure described by `description`.
    public init(_ description: String) { self.description = description }
}
