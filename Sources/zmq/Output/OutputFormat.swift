import ArgumentParser

/// How received messages are written to standard output (`--format`).
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
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

    static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

/// The `--format` option, shared by the commands that print messages.
struct FormatOptions: ParsableArguments {
    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Output format: text (one escaped line a message), json (one object a line), hex (a dump a frame) or raw (payload bytes only).",
            valueName: "format"))
    var format: OutputFormat = .text
}
