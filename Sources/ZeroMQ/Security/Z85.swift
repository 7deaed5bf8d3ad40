import Foundation

/// Z85, ZeroMQ's printable encoding of binary data (ZMQ RFC 32): every 4 bytes
/// become 5 characters from an 85-character alphabet that is safe in source
/// code, shell arguments and configuration files. CURVE keys are exchanged as
/// 40-character Z85 text.
///
/// ```swift
/// let text = try Z85.encode([0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B])  // "HelloWorld"
/// let bytes = try Z85.decode("HelloWorld")
/// ```
public enum Z85 {
    /// The 85 characters of the encoding, in digit order (RFC 32).
    public static let alphabet =
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"

    /// Encodes `bytes`, whose count must be a multiple of 4, as Z85 text.
    /// The corresponding C function is `zmq_z85_encode`.
    ///
    /// - Throws: ``ZMQError`` with ``ZMQError/Code/invalidZ85`` for a count that is not a multiple of 4.
    public static func encode(_ bytes: some ContiguousBytes) throws(ZMQError) -> String {
        let result: Result<String, ZMQError> = bytes.withUnsafeBytes { buffer in
            guard buffer.count % 4 == 0 else {
                let problem = Z85Problem.byteCountNotMultipleOfFour(buffer.count)
                return .failure(ZMQError(code: .invalidZ85, operation: "Z85-encode (\(problem.description()))"))
            }
            guard !buffer.isEmpty else { return .success("") }
            return Result { () throws(ZMQError) in try CurveFunctions.z85Encode(buffer) }
        }
        return try result.get()
    }

    /// Decodes Z85 `text`, whose length must be a multiple of 5, into bytes.
    /// The corresponding C function is `zmq_z85_decode`.
    ///
    /// - Throws: ``ZMQError`` with ``ZMQError/Code/invalidZ85``, whose
    ///   operation names the first problem: a character outside ``alphabet``
    ///   (as its code point, and where), a length that is not a multiple of 5,
    ///   or a group too large for 4 bytes.
    public static func decode(_ text: String) throws(ZMQError) -> [UInt8] {
        if let problem = problem(in: text) {
            throw ZMQError(code: .invalidZ85, operation: "Z85-decode (\(problem.description()))")
        }
        guard !text.isEmpty else { return [] }
        return try CurveFunctions.z85Decode(text)
    }

    /// The first problem of `text` as Z85, or `nil` when it decodes: checked
    /// before it reaches libzmq, which reports every problem as a bare `EINVAL`.
    static func problem(in text: String) -> Z85Problem? {
        var digits: [UInt8] = []
        digits.reserveCapacity(text.utf8.count)
        for (offset, character) in text.enumerated() {
            guard let ascii = character.asciiValue, let digit = digitValues[Int(ascii)] else {
                return .invalidCharacter(character, offset: offset)
            }
            digits.append(digit)
        }
        guard digits.count % 5 == 0 else { return .lengthNotMultipleOfFive(digits.count) }
        for start in stride(from: 0, to: digits.count, by: 5) {
            let value = digits[start..<start + 5].reduce(UInt64(0)) { $0 * 85 + UInt64($1) }
            guard value <= UInt64(UInt32.max) else { return .groupOutOfRange(offset: start) }
        }
        return nil
    }

    /// The digit each ASCII code stands for, or `nil` outside the alphabet.
    private static let digitValues: [UInt8?] = {
        var table = [UInt8?](repeating: nil, count: 128)
        for (digit, code) in alphabet.utf8.enumerated() { table[Int(code)] = UInt8(digit) }
        return table
    }()
}
