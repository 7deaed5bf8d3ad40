/// Text that came from a peer (a topic, a PLAIN user name, an event type, a
/// payload), made safe to write to a log, an error message or a terminal.
///
/// A peer can send any bytes: a newline that forges a log line, an escape
/// sequence that clears or retitles a terminal, or 65 KB where a name was
/// expected. Every piece of peer text this module puts into a log or an error
/// passes through `escaped(_:limit:)` first; use it for your own logs too.
///
/// Escaping keeps well-formed printable UTF-8 as it is, writes `\\`, `\t`,
/// `\n` and `\r` as those two characters, and every other control character
/// (C0, DEL and the C1 range U+0080 to U+009F, which some terminals obey) and
/// every byte that is not UTF-8 as `\xNN`. It is reversible and never spans
/// more than one line.
public enum PeerText {
    /// How many bytes of peer text `escaped(_:limit:)` keeps by default.
    public static let defaultLimit = 256

    /// `bytes` escaped, cut after `limit` of them with `…(N bytes)` giving the
    /// full size. Each byte kept takes at most four characters (`\xNN`), so
    /// the result is at most `4 * limit` bytes and the marker.
    public static func escaped(_ bytes: some Collection<UInt8>, limit: Int = defaultLimit) -> String {
        let kept = Array(bytes.prefix(max(0, limit)))
        var output: [UInt8] = []
        kept.withUnsafeBytes { append(escaping: $0, to: &output) }
        if bytes.count > kept.count { output += Array("…(\(bytes.count) bytes)".utf8) }
        return String(decoding: output, as: UTF8.self)
    }

    /// `text` escaped, cut after `limit` UTF-8 bytes; see ``escaped(_:limit:)-(Collection<UInt8>,_)``.
    public static func escaped(_ text: String, limit: Int = defaultLimit) -> String {
        escaped(text.utf8, limit: limit)
    }

    /// Whether all of `bytes` is well-formed UTF-8 (RFC 3629: no overlong
    /// forms, no surrogates, nothing past U+10FFFF).
    public static func isWellFormedUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        UTF8Scan.isValid(bytes)
    }

    /// Appends `bytes`, escaped, to `output`, whole: for a terminal tool that
    /// prints every byte it receives. A cut part of a UTF-8 sequence at the
    /// end is escaped like any byte that is not UTF-8.
    public static func append(escaping bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        // At most four output bytes per input byte (`\xNN`).
        let escaped = [UInt8](unsafeUninitializedCapacity: bytes.count * 4) { buffer, count in
            var out = 0
            func putEscape(_ letter: UInt8) {
                buffer[out] = UInt8(ascii: "\\")
                buffer[out + 1] = letter
                out += 2
            }
            func putHex(_ byte: UInt8) {
                buffer[out] = UInt8(ascii: "\\")
                buffer[out + 1] = UInt8(ascii: "x")
                buffer[out + 2] = hexDigits[Int(byte >> 4)]
                buffer[out + 3] = hexDigits[Int(byte & 0xF)]
                out += 4
            }
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\\"): putEscape(UInt8(ascii: "\\"))
                case UInt8(ascii: "\t"): putEscape(UInt8(ascii: "t"))
                case UInt8(ascii: "\n"): putEscape(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): putEscape(UInt8(ascii: "r"))
                case 0x20..<0x7F:
                    buffer[out] = byte
                    out += 1
                case 0x00..<0x20, 0x7F: putHex(byte)
                default:
                    if let length = UTF8Scan.sequenceLength(in: bytes, at: index), !isC1(bytes, at: index) {
                        for offset in 0..<length { buffer[out + offset] = bytes[index + offset] }
                        out += length
                        index += length
                        continue
                    }
                    putHex(byte)
                }
                index += 1
            }
            count = out
        }
        output.append(contentsOf: escaped)
    }

    /// Whether the well-formed sequence at `index` is a C1 control (U+0080 to U+009F: `C2 80` to `C2 9F`).
    @inline(__always)
    static func isC1(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Bool {
        bytes[index] == 0xC2 && index + 1 < bytes.count && bytes[index + 1] < 0xA0
    }

    static let hexDigits = Array("0123456789abcdef".utf8)
}
