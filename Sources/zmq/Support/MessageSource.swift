/// Where the messages to send come from: the command's MESSAGE arguments,
/// repeated `--count` times, or standard input, one message a line.
struct MessageSource {
    private let arguments: [[UInt8]]
    private let rounds: Int
    private let lineLimit: Int?
    private var lines = InputLines()
    private var position = 0
    private(set) var produced = 0

    init(arguments: [String], count: Int?) {
        self.arguments = arguments.map { Array($0.utf8) }
        rounds = count ?? 1
        lineLimit = count
    }

    /// The next message's bytes, or `nil` when there are no more.
    mutating func next() throws(ToolError) -> [UInt8]? {
        if arguments.isEmpty {
            if let lineLimit, produced >= lineLimit { return nil }
            guard let line = try lines.next() else { return nil }
            produced += 1
            return line
        }
        guard position < arguments.count * rounds else { return nil }
        defer {
            position += 1
            produced += 1
        }
        return arguments[position % arguments.count]
    }
}
