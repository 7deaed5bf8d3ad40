/// The progress line on standard error while a benchmark runs: redrawn in
/// place on a terminal, a new line every second otherwise.
struct BenchProgress {
    let label: String
    let total: Int
    let quiet: Bool
    private let start = ContinuousClock.now
    private var lastShown: ContinuousClock.Instant
    private var shownAny = false
    private let isTerminal = StandardStreams.errorIsTerminal

    init(label: String, total: Int, quiet: Bool) {
        self.label = label
        self.total = total
        self.quiet = quiet
        lastShown = start
    }

    /// Shows `done` of `total`, if enough time passed since the last line.
    mutating func update(_ done: Int) {
        guard !quiet else { return }
        let now = ContinuousClock.now
        guard now - lastShown >= (isTerminal ? .milliseconds(250) : .seconds(1)) else { return }
        lastShown = now
        shownAny = true
        let rate = Double(done) / max((now - start).seconds, 1e-9)
        let line = "\(label): \(done)/\(total) (\(BenchReport.format(rate, decimals: 0))/s)"
        StandardStreams.writeError(isTerminal ? "\r\(line)\u{1B}[K" : "\(line)\n")
    }

    /// Clears the redrawn line, so the summary starts on a clean one.
    func finish() {
        if shownAny && isTerminal { StandardStreams.writeError("\r\u{1B}[K") }
    }
}
