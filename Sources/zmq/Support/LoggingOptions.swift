import ArgumentParser
import Logging

/// `--log-level`: which of the library's own log lines (a proxy started, a
/// peer's message refused, a subscriber connected) reach standard error.
/// Warnings and worse by default, so that a command's data and its one-line
/// errors are all a user sees unless they ask for more.
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

/// A command that takes ``LoggingOptions``.
protocol LoggingCommand {
    var logging: LoggingOptions { get }
}

extension Sub: LoggingCommand {}
extension Pub: LoggingCommand {}
extension Push: LoggingCommand {}
extension Pull: LoggingCommand {}
extension Req: LoggingCommand {}
extension Rep: LoggingCommand {}
extension ProxyCommand: LoggingCommand {}
extension MonitorCommand: LoggingCommand {}
extension Bench: LoggingCommand {}
