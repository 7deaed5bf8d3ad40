import CZeroMQ

/// The libzmq functions behind CURVE keys and Z85 text, and the only code of
/// the `Security` layer that calls C. Each turns a failure into a ``ZMQError``
/// naming the function; callers in `Security/` check their input first, so
/// these errors mean libzmq itself refused (for example `ENOTSUP` when it was
/// built without CURVE).
enum CurveFunctions {
    /// The length of a CURVE key in bytes.
    static let keyByteCount = 32
    /// The length of a CURVE key as Z85 text, without the terminating NUL.
    static let keyTextCount = 40

    /// Encodes `bytes` (a multiple of 4 long) as Z85 text.
    /// The corresponding C function is `zmq_z85_encode`.
    static func z85Encode(_ bytes: UnsafeRawBufferPointer) throws(ZMQError) -> String {
        let textCount = bytes.count / 4 * 5
        // libzmq writes the text and then a NUL after it.
        var text = [CChar](repeating: 0, count: textCount + 1)
        let source = bytes.bindMemory(to: UInt8.self)
        _ = try text.withUnsafeMutableBufferPointer { (destination) throws(ZMQError) in
            try zmqCallPointer("zmq_z85_encode(\(bytes.count) bytes)") {
                UnsafeMutableRawPointer(zmq_z85_encode(destination.baseAddress, source.baseAddress, bytes.count))
            }
        }
        return String(decoding: text.prefix(textCount).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Decodes Z85 `text` (a multiple of 5 long, at least 5) into bytes.
    /// The corresponding C function is `zmq_z85_decode`.
    static func z85Decode(_ text: String) throws(ZMQError) -> [UInt8] {
        let byteCount = text.utf8.count / 5 * 4
        var bytes = [UInt8](repeating: 0, count: max(byteCount, 1))
        _ = try bytes.withUnsafeMutableBufferPointer { (destination) throws(ZMQError) in
            try zmqCallPointer("zmq_z85_decode(\(text.utf8.count) characters)") {
                UnsafeMutableRawPointer(zmq_z85_decode(destination.baseAddress, text))
            }
        }
        return Array(bytes.prefix(byteCount))
    }

    /// Generates a new CURVE key pair, returned as Z85 text.
    /// The corresponding C function is `zmq_curve_keypair`.
    static func keyPair() throws(ZMQError) -> (publicKey: String, secretKey: String) {
        var publicText = [CChar](repeating: 0, count: keyTextCount + 1)
        var secretText = [CChar](repeating: 0, count: keyTextCount + 1)
        defer { wipe(&secretText) }
        try zmqCall("zmq_curve_keypair") { zmq_curve_keypair(&publicText, &secretText) }
        return (text(of: publicText), text(of: secretText))
    }

    /// Derives the public key, as Z85 text, of the secret key given as Z85 text.
    /// The corresponding C function is `zmq_curve_public`.
    static func publicKey(ofSecretKey secretText: String) throws(ZMQError) -> String {
        var publicText = [CChar](repeating: 0, count: keyTextCount + 1)
        try zmqCall("zmq_curve_public") { zmq_curve_public(&publicText, secretText) }
        return text(of: publicText)
    }

    private static func text(of buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Overwrites a buffer that held secret key material before it is freed.
    private static func wipe(_ buffer: inout [CChar]) {
        for index in buffer.indices { buffer[index] = 0 }
    }
}
