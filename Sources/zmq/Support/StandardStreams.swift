#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes straight to the process's standard output and standard error file
/// descriptors, without stdio buffering: every message is out (and visible to
/// `| jq`) as soon as it is written. Data goes to standard output,
/// diagnostics to standard error, never mixed.
enum StandardStreams {
    /// Thrown when standard output was closed by its reader (`| head -1`):
    /// the run then ends quietly with exit code 0.
    struct OutputClosed: Error {}

    /// Writes all of `bytes` to standard output.
    static func write(_ bytes: [UInt8]) throws(OutputClosed) {
        let complete = bytes.withUnsafeBytes { writeAll($0, to: STDOUT_FILENO) }
        if !complete { throw OutputClosed() }
    }

    /// Writes `text` to standard output.
    static func write(_ text: String) throws(OutputClosed) {
        try write(Array(text.utf8))
    }

    /// Writes one diagnostic line, prefixed `zmq: `, to standard error.
    static func diagnose(_ message: String) {
        let line = Array("zmq: \(oneLine(message))\n".utf8)
        _ = line.withUnsafeBytes { writeAll($0, to: STDERR_FILENO) }
    }

    /// Writes `text` to standard error as it is (for progress lines).
    static func writeError(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { writeAll($0, to: STDERR_FILENO) }
    }

    /// Ends the process with `code`. (A command's own `exit` means ArgumentParser's.)
    static func exitProcess(_ code: Int32) -> Never {
        #if canImport(Glibc)
            Glibc.exit(code)
        #else
            Darwin.exit(code)
        #endif
    }

    /// Whether standard error is a terminal, where progress can redraw one line.
    static var errorIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    /// `message` with line breaks replaced, so a diagnostic is always one line.
    static func oneLine(_ message: String) -> String {
        message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    private static func writeAll(_ buffer: UnsafeRawBufferPointer, to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let written = posixWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}

/// The system's `write(2)`; a member named `write` would hide it inside the enum.
private func posixWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
    #else
        Darwin.write(descriptor, bytes, count)
    #endif
}
