import Foundation
import Synchronization
import Testing

/// Every wait on a `zmq` process is bounded by this; a process still running
/// then is killed, so no test can hang.
let processTimeout: Duration = .seconds(30)

/// The `zmq` binary under test: `$ZMQ_TOOL`, or the one built beside this
/// test bundle (the same `swift build`/`swift test` scratch path), or
/// `.build/debug/zmq` in the package.
let zmqToolPath: String? = {
    if let path = ProcessInfo.processInfo.environment["ZMQ_TOOL"] { return path }
    var candidates: [URL] = []
    #if os(Linux)
        candidates.append(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent())
    #endif
    candidates += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    candidates.append(root.appendingPathComponent(".build/debug"))
    return candidates.map { $0.appendingPathComponent("zmq").path }
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// What a finished `zmq` run left behind.
struct ToolResult {
    let status: Int32
    let stdout: Data
    let stderr: Data
    /// Whether the process had to be killed at ``processTimeout``.
    let timedOut: Bool

    var output: String { String(decoding: stdout, as: UTF8.self) }
    var errorText: String { String(decoding: stderr, as: UTF8.self) }
    /// Standard output's lines, without the last newline.
    var lines: [String] { output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
    /// Standard error's lines.
    var errorLines: [Substring] { errorText.split(separator: "\n") }
}

/// The `zmq` tool running as a real process, its output collected as it comes.
final class ToolProcess: Sendable {
    private let process: Process
    private let collected = Mutex<(stdout: Data, stderr: Data)>((Data(), Data()))
    private let readersDone = DispatchGroup()

    /// Starts `zmq ARGUMENTS`, with `input` as its standard input (then closed)
    /// or, without it, an empty standard input. With `sigintIgnored`, it starts
    /// with SIGINT ignored, as a shell starts a background job (`zmq sub … &`).
    init(_ arguments: [String], input: Data? = nil, sigintIgnored: Bool = false) throws {
        let path = try #require(zmqToolPath, "no zmq binary: build it with `swift build --product zmq` first")
        let process = Process()
        if sigintIgnored {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "trap '' INT; exec \"$0\" \"$@\"", path] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
        }
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        self.process = process
        try process.run()
        collect(stdout.fileHandleForReading, into: \.stdout)
        collect(stderr.fileHandleForReading, into: \.stderr)
        let writer = stdin.fileHandleForWriting
        Thread.detachNewThread {
            if let input { try? writer.write(contentsOf: input) }
            try? writer.close()
        }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    private func collect(
        _ handle: FileHandle, into stream: WritableKeyPath<(stdout: Data, stderr: Data), Data> & Sendable
    ) {
        readersDone.enter()
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                collected.withLock { $0[keyPath: stream].append(chunk) }
            }
            readersDone.leave()
        }
    }

    /// The process id, for `/proc/PID/status`.
    var processID: Int32 { process.processIdentifier }

    /// Standard output so far.
    var outputSoFar: Data { collected.withLock { $0.stdout } }

    /// Sends `signal` (SIGINT, SIGTERM) to the process.
    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to exit (killing it after `timeout`) and returns
    /// what it did. It sleeps between looks, so it never blocks a thread of
    /// Swift's cooperative pool, which the library's async tests share.
    func finish(timeout: Duration = processTimeout) async -> ToolResult {
        let deadline = ContinuousClock.now + timeout
        var timedOut = false
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                timedOut = true
                process.terminate()
                await pause(.milliseconds(500))
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                break
            }
            await pause(.milliseconds(10))
        }
        process.waitUntilExit()
        // The readers finish once the pipes close, a moment after the exit.
        let readersDeadline = ContinuousClock.now + .seconds(5)
        while readersDone.wait(timeout: .now()) == .timedOut, ContinuousClock.now < readersDeadline {
            await pause(.milliseconds(10))
        }
        let (out, err) = collected.withLock { ($0.stdout, $0.stderr) }
        return ToolResult(status: process.terminationStatus, stdout: out, stderr: err, timedOut: timedOut)
    }
}

/// Runs `zmq ARGUMENTS` to the end (bounded) and returns what it did.
func runTool(
    _ arguments: [String], input: Data? = nil, timeout: Duration = processTimeout
) async throws -> ToolResult {
    await (try ToolProcess(arguments, input: input)).finish(timeout: timeout)
}

/// Sleeps for `duration` without blocking a thread (a cancelled test just goes on).
func pause(_ duration: Duration) async {
    try? await Task.sleep(for: duration)
}
