import Foundation

extension UUID {
    /// The same text as `uuidString` (upper-case hex, hyphenated), made
    /// without `snprintf`: the store writes every fact's id two or three times.
    var text: String {
        let digits = Array("0123456789ABCDEF".utf8)
        return withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { buffer in
                var written = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        buffer[written] = UInt8(ascii: "-")
                        written += 1
                    }
                    buffer[written] = digits[Int(byte >> 4)]
                    buffer[written + 1] = digits[Int(byte & 0x0f)]
                    written += 2
                }
                return written
            }
        }
    }

    /// Reads `uuidString`'s form (either case) without `sscanf`; `nil` for anything else.
    init?(text: String) {
        var text = text
        text.makeContiguousUTF8()
        let parsed = text.utf8.withContiguousStorageIfAvailable { chars -> UUID? in
            guard chars.count == 36 else { return nil }
            var bytes = (0 as UInt64, 0 as UInt64)
            return withUnsafeMutableBytes(of: &bytes) { raw -> UUID? in
                var index = 0
                for byte in 0..<16 {
                    if byte == 4 || byte == 6 || byte == 8 || byte == 10 {
                        guard chars[index] == UInt8(ascii: "-") else { return nil }
                        index += 1
                    }
                    guard let high = UUID.nibble(chars[index]), let low = UUID.nibble(chars[index + 1]) else {
                        return nil
                    }
                    raw[byte] = high << 4 | low
                    index += 2
                }
                return UUID(uuid: raw.loadUnaligned(as: uuid_t.self))
            }
        }
        guard let parsed = parsed ?? nil else { return nil }
        self = parsed
    }

    private static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
