/// Why bytes or text are not Z85, as ``Z85`` finds it before libzmq (which
/// reports every problem as a bare `EINVAL`): what ``ZMQError/Code/invalidZ85``
/// and ``ZMQError/Code/invalidKey`` errors say.
enum Z85Problem: Sendable, Equatable {
    /// Z85 encodes groups of 4 bytes; this many bytes is not a multiple of 4.
    case byteCountNotMultipleOfFour(Int)
    /// Z85 text comes in groups of 5 characters; text of this length is not a multiple of 5.
    case lengthNotMultipleOfFive(Int)
    /// A character outside the Z85 alphabet, at this offset (counted in characters from 0).
    case invalidCharacter(Character, offset: Int)
    /// The 5-character group starting at this offset stands for a number above
    /// 0xFFFFFFFF, so it encodes no 4 bytes.
    case groupOutOfRange(offset: Int)

    /// What is wrong, in words; `secret` leaves out the character, which is part of a secret.
    func description(secret: Bool = false) -> String {
        switch self {
        case .byteCountNotMultipleOfFour(let count):
            "Z85 encodes a multiple of 4 bytes, not \(count)"
        case .lengthNotMultipleOfFive(let length):
            "Z85 text is a multiple of 5 characters long, not \(length)"
        case .invalidCharacter(_, let offset) where secret:
            "the character at offset \(offset) is not a Z85 character (not shown: it is secret)"
        case .invalidCharacter(let character, let offset):
            "\(Self.codePoints(of: character)) at offset \(offset) is not a Z85 character"
        case .groupOutOfRange(let offset):
            "the Z85 group at offset \(offset) is larger than 4 bytes can hold"
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
