import ArgumentParser
import ZMQOutput

/// `--format text|json|hex|raw`.
extension OutputFormat: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
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
