#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads standard input one line at a time, as bytes (any bytes but the
/// newline pass through untouched), without stdio buffering surprises.
/// A last line without a trailing newline is still a line.
struct InputLines {
    private var buffer: [UInt8] = []
    /// Where the next line starts in `buffer`.
    private var start = 0
    /// Where to look for the next newline: the bytes before it have none.
    private var searchFrom = 0
    private var atEnd = false

    /// The next line without its `\n`, or `nil` at the end of input.
    mutating func next() throws(ToolError) -> [UInt8]? {
        while true {
            if let newline = buffer[searchFrom...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                searchFrom = start
                return line
            }
            searchFrom = buffer.count
            if atEnd {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                return Array(buffer[start...])
            }
            // Drop consumed lines before reading more, so the buffer stays small.
            if start > 0 {
                buffer.removeSubrange(..<start)
                searchFrom -= start
                start = 0
            }
            try fill()
        }
    }

    private mutating func fill() throws(ToolError) {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw .failure("cannot read standard input: \(String(cString: strerror(errno)))") }
            if count == 0 { atEnd = true } else { buffer.append(contentsOf: chunk[..<count]) }
            return
        }
    }
}

/// Sleeps the calling thread (never a task of the cooperative pool) until `instant`.
func sleepThread(until instant: ContinuousClock.Instant) {
    while true {
        let remaining = instant - .now
        guard remaining > .zero else { return }
        let (seconds, attoseconds) = remaining.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        _ = nanosleep(&request, nil)
    }
}
