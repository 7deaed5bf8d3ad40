#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads standard input one line at a time, as bytes (any bytes but the
/// newline pass through untouched), without stdio buffering surprises.
/// A last line without a trailing newline is still a line. Once `stop`
/// becomes readable (a signal arrived), it reads no more: the whole lines
/// already read are still returned, then the input ends.
struct InputLines {
    /// A descriptor that becomes readable when reading should stop.
    private let stop: Int32
    private var buffer: [UInt8] = []
    /// Where the next line starts in `buffer`.
    private var start = 0
    /// Where to look for the next newline: the bytes before it have none.
    private var searchFrom = 0
    private var atEnd = false

    init(stop: Int32) { self.stop = stop }

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
            var watched = [
                pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                pollfd(fd: stop, events: Int16(POLLIN), revents: 0),
            ]
            if poll(&watched, 2, -1) < 0 {
                if errno == EINTR { continue }
                throw .failure("cannot wait for standard input: \(String(cString: strerror(errno)))")
            }
            if watched[1].revents != 0 {
                // A line cut short by the stop is no message.
                buffer.removeSubrange(start...)
                searchFrom = start
                atEnd = true
                return
            }
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw .failure("cannot read standard input: \(String(cString: strerror(errno)))") }
            if count == 0 { atEnd = true } else { buffer.append(contentsOf: chunk[..<count]) }
            return
        }
    }
}
