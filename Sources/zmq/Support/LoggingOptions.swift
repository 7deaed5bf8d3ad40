import ArgumentParser
import Logging

/// `--log-level`: which of the library's own log lines reach standard error.
/// Of the commands only `proxy` runs a part of the library that logs (its
/// start and stop at info, its failures as errors), so only it takes the
/// option; every command logs from warnings up. Warnings and worse by
/// default, so that a command's data and its one-line errors are all a user
/// sees unless they ask for more.
struct LoggingOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The library's log lines on standard error from this level up: trace, debug, info, notice, warning, error or critical.",
            valueName: "level"))
    var logLevel: Logger.Level = .warning

    /// Sends every logger's lines from `level` up to standard error. Called
    /// once, before any command creates a logger.
    static func bootstrap(_ level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
