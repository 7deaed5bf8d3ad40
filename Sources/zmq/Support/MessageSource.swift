/// Where the messages to send come from: the command's MESSAGE arguments,
/// repeated `--count` times, or standard input, one message a line. Once a
/// signal arrived there are no more arguments to send and no more input to
/// read, though lines already read still come.
struct MessageSource {
    private let arguments: [[UInt8]]
    private let rounds: Int
    private let lineLimit: Int?
    private let signals: SignalState
    private var lines: InputLines
    private var position = 0
    private(set) var produced = 0

    init(arguments: [String], count: Int?, endingOn signals: SignalState) {
        self.arguments = arguments.map { Array($0.utf8) }
        rounds = count ?? 1
        lineLimit = count
        self.signals = signals
        lines = InputLines(stop: signals.descriptor)
    }

    /// The next message's bytes, or `nil` when there are no more.
    mutating func next() throws(ToolError) -> [UInt8]? {
        if arguments.isEmpty {
            if let lineLimit, produced >= lineLimit { return nil }
            guard let line = try lines.next() else { return nil }
            produced += 1
            return line
        }
        guard position < arguments.count * rounds, !signals.arrived else { return nil }
        defer {
            position += 1
            produced += 1
        }
        return arguments[position % arguments.count]
    }
}
