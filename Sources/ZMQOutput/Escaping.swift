import ZeroMQ

/// The byte-level writers behind the output formats: escaped text, JSON
/// strings, base64 and hexadecimal, each appending to an output buffer.
enum Escaping {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `bytes` as one line of text, escaped as ``PeerText`` escapes
    /// peer text: reversible, and never more than one line.
    static func appendText(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        PeerText.append(escaping: bytes, to: &output)
    }

    /// Appends `bytes`, which must be well-formed UTF-8, as a quoted JSON string.
    /// Control characters are escaped as `\u00NN`, the C1 range (U+0080 to
    /// U+009F, `C2 80` to `C2 9F`) too: JSON allows them raw, but terminals obey them.
    /// Foundation's `JSONSerialization` and `JSONEncoder` leave DEL and C1 raw,
    /// so they cannot replace this (and see ``JSONObjectWriter`` for `JSONSerialization`'s speed).
    static func appendJSONString(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        output.reserveCapacity(output.count + bytes.count + 2)
        output.append(UInt8(ascii: "\""))
        var index = 0
        while index < bytes.count {
            var runEnd = index
            while runEnd < bytes.count, bytes[runEnd] >= 0x20, bytes[runEnd] != 0x22, bytes[runEnd] != 0x5C,
                bytes[runEnd] != 0x7F, !(bytes[runEnd] == 0xC2 && runEnd + 1 < bytes.count && bytes[runEnd + 1] < 0xA0)
            {
                runEnd += 1
            }
            if runEnd > index {
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<runEnd]))
                index = runEnd
                continue
            }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x00..<0x20, 0x7F:
                output += Array("\\u00".utf8) + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
            case 0xC2:
                // A C1 control: its second byte is the code point.
                let code = bytes[index]
                index += 1
                output += Array("\\u00".utf8) + [hexDigits[Int(code >> 4)], hexDigits[Int(code & 0xF)]]
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Appends a Swift string as a quoted JSON string.
    static func appendJSONString(_ string: String, to output: inout [UInt8]) {
        var string = string
        string.withUTF8 { appendJSONString(UnsafeRawBufferPointer($0), to: &output) }
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Appends `bytes` in standard base64, with padding.
    ///
    /// Hand-written because it is faster on the tool's output path: Foundation's
    /// `Data(bytes).base64EncodedData()`, appended the same way, took 3.4× as long
    /// for 64 bytes (437 vs 129 ns) and 1.5× for 64 KiB (111 vs 72 µs), the same
    /// bytes (`swiftc -O`, median of 7 runs, 2026-11-30).
    static func appendBase64(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        let encoded = [UInt8](unsafeUninitializedCapacity: (bytes.count + 2) / 3 * 4) { buffer, count in
            base64Alphabet.withUnsafeBufferPointer { alphabet in
                var index = 0
                var out = 0
                while index + 3 <= bytes.count {
                    let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                    buffer[out] = alphabet[Int(value >> 18 & 0x3F)]
                    buffer[out + 1] = alphabet[Int(value >> 12 & 0x3F)]
                    buffer[out + 2] = alphabet[Int(value >> 6 & 0x3F)]
                    buffer[out + 3] = alphabet[Int(value & 0x3F)]
                    index += 3
                    out += 4
                }
                let remaining = bytes.count - index
                if remaining > 0 {
                    let value = UInt32(bytes[index]) << 16 | (remaining == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
                    buffer[out] = alphabet[Int(value >> 18 & 0x3F)]
                    buffer[out + 1] = alphabet[Int(value >> 12 & 0x3F)]
                    buffer[out + 2] = remaining == 2 ? alphabet[Int(value >> 6 & 0x3F)] : UInt8(ascii: "=")
                    buffer[out + 3] = UInt8(ascii: "=")
                    out += 4
                }
                count = out
            }
        }
        output.append(contentsOf: encoded)
    }

    /// The length of one full line of ``appendHexDump(_:to:)``.
    private static let hexLineLength = 79

    /// Appends a hex dump of `bytes`, sixteen a line: offset, the bytes in
    /// hexadecimal, and the printable ASCII between bars, as `hexdump -C` does.
    static func appendHexDump(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        let lineCount = (bytes.count + 15) / 16
        let dump = [UInt8](unsafeUninitializedCapacity: lineCount * hexLineLength) { buffer, count in
            var out = 0
            func put(_ byte: UInt8) {
                buffer[out] = byte
                out += 1
            }
            var lineStart = 0
            while lineStart < bytes.count {
                let lineEnd = min(lineStart + 16, bytes.count)
                for shift in stride(from: 28, through: 0, by: -4) { put(hexDigits[(lineStart >> shift) & 0xF]) }
                put(0x20)
                for column in 0..<16 {
                    put(0x20)
                    if column == 8 { put(0x20) }
                    if lineStart + column < lineEnd {
                        let byte = bytes[lineStart + column]
                        put(hexDigits[Int(byte >> 4)])
                        put(hexDigits[Int(byte & 0xF)])
                    } else {
                        put(0x20)
                        put(0x20)
                    }
                }
                put(0x20)
                put(0x20)
                put(UInt8(ascii: "|"))
                for index in lineStart..<lineEnd {
                    let byte = bytes[index]
                    put((0x20..<0x7F).contains(byte) ? byte : UInt8(ascii: "."))
                }
                put(UInt8(ascii: "|"))
                put(UInt8(ascii: "\n"))
                lineStart = lineEnd
            }
            count = out
        }
        output.append(contentsOf: dump)
    }
}
