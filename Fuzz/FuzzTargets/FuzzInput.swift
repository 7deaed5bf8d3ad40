/// Reads structure out of a fuzzer's bytes: small numbers, counts and
/// length-prefixed frames. Reading past the end yields zeros and empty
/// frames, so every input means something.
struct FuzzInput {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { offset >= bytes.count }

    mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// A big-endian integer of `T`'s size.
    mutating func integer<T: FixedWidthInteger>(_: T.Type = T.self) -> T {
        var value: T = 0
        for _ in 0..<MemoryLayout<T>.size { value = value << 8 | T(truncatingIfNeeded: byte()) }
        return value
    }

    /// A frame: a 2-byte big-endian length, then that many bytes (fewer at the end of the input).
    mutating func frame() -> [UInt8] {
        let length = Int(integer(UInt16.self))
        let end = min(bytes.count, offset + length)
        defer { offset = max(offset, end) }
        return offset < end ? Array(bytes[offset..<end]) : []
    }

    /// Up to `limit` frames: a count byte, then the frames.
    mutating func frames(limit: Int = 8) -> [[UInt8]] {
        let count = Int(byte()) % (limit + 1)
        return (0..<count).map { _ in frame() }
    }

    /// The encoding ``frame()`` reads: for writing seeds.
    static func encode(frame: [UInt8]) -> [UInt8] {
        let length = UInt16(min(frame.count, Int(UInt16.max)))
        return [UInt8(length >> 8), UInt8(length & 0xFF)] + frame.prefix(Int(length))
    }

    /// The encoding ``frames(limit:)`` reads: for writing seeds.
    static func encode(frames: [[UInt8]]) -> [UInt8] {
        [UInt8(frames.count)] + frames.flatMap { encode(frame: $0) }
    }

    /// The big-endian bytes of `value`.
    static func encode<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<MemoryLayout<T>.size).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
}

/// Whether `text` is one line that a terminal shows as it is: no control
/// character (C0 but tab, DEL, C1) anywhere, not even a line break.
func isSafeLine(_ text: String) -> Bool {
    !text.unicodeScalars.contains { scalar in
        (scalar.value < 0x20 && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
    }
}
