/// One libFuzzer target: a function that takes any bytes and traps (through
/// `precondition`) when an oracle finds the code under test misbehaving, and
/// the seed inputs its corpus starts from.
///
/// The targets run three ways: under libFuzzer (`scripts/fuzz.sh`, which
/// builds `zeromq-fuzz` with `-sanitize=fuzzer,address`), replaying the
/// checked-in corpus in `swift test`, and by hand (`swift run zeromq-fuzz
/// TARGET FILE…`).
public struct FuzzTarget: Sendable {
    /// The name of the target, and of its corpus folder under `Fuzz/Corpus`.
    public let name: String
    /// What it feeds the bytes to.
    public let summary: String
    /// Runs one input; traps when an oracle fails.
    public let run: @Sendable (UnsafeRawBufferPointer) -> Void
    /// The inputs its corpus starts from.
    public let seeds: @Sendable () -> [[UInt8]]

    /// Every target.
    public static let all: [FuzzTarget] = [
        envelopeTarget, topicTarget, binaryPayloadTarget, jsonCodecTarget, eventReaderTarget, z85Target,
        zapRequestTarget, rendererTarget, acknowledgementTarget, outboxJournalTarget, deliveryFactTarget,
    ]

    /// The target called `name`.
    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// Runs one input given as an array.
    public func run(_ bytes: [UInt8]) { bytes.withUnsafeBytes { run($0) } }
}
