/// How received messages are written to standard output (`--format`).
package enum OutputFormat: String, CaseIterable, Sendable {
    /// One line a message: the frames as text, separated by tabs; bytes that
    /// are not printable UTF-8 escaped (`\x00`, `\\`, `\t`, `\n`).
    case text
    /// One JSON object a line (JSON Lines), with every frame as text or base64
    /// and the decoded envelope of channel messages.
    case json
    /// A hex dump of each frame, then an empty line.
    case hex
    /// The payload bytes only (the frames after a SUB's topic frame), nothing added.
    case raw
}
