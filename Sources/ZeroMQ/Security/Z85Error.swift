/// Why ``Z85`` could not encode bytes or decode text.
public enum Z85Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// Z85 encodes groups of 4 bytes; this many bytes is not a multiple of 4.
    case byteCountNotMultipleOfFour(Int)
    /// Z85 text comes in groups of 5 characters; text of this length is not a multiple of 5.
    case lengthNotMultipleOfFive(Int)
    /// A character outside the Z85 alphabet, at this offset (counted in characters from 0).
    case invalidCharacter(Character, offset: Int)
    /// The 5-character group starting at this offset stands for a number above
    /// 0xFFFFFFFF, so it encodes no 4 bytes.
    case groupOutOfRange(offset: Int)
    /// libzmq refused input this module had accepted.
    case rejectedByLibzmq(ZMQError)

    /// What went wrong, in words.
    public var description: String {
        switch self {
        case .byteCountNotMultipleOfFour(let count):
            "Z85 encodes a multiple of 4 bytes, not \(count)"
        case .lengthNotMultipleOfFive(let length):
            "Z85 text is a multiple of 5 characters long, not \(length)"
        case .invalidCharacter(let character, let offset):
            "\(Self.codePoints(of: character)) at offset \(offset) is not a Z85 character"
        case .groupOutOfRange(let offset):
            "the Z85 group at offset \(offset) is larger than 4 bytes can hold"
        case .rejectedByLibzmq(let error):
            error.description
        }
    }

    /// `U+0020`-style code points, so that spaces and control characters show.
    private static func codePoints(of character: Character) -> String {
        character.unicodeScalars.map { scalar in
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }.joined(separator: " ")
    }
}
