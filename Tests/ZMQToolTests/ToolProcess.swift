import Foundation
import Testing
import TestSupport

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
    private let process: ChildProcess
    // An NSLock, not a Mutex: ThreadSanitizer sees a pthread mutex order the
    // reader threads' appends and the test's reads, but not a Mutex's futex.
    private let collected = LockedOutput()
    private let readersDone = DispatchGroup()
    /// Standard input's write end, when the test writes it bit by bit.
    private let inputWriter: FileHandle?

    /// Starts `zmq ARGUMENTS`, with `input` as its standard input (then closed)
    /// or, without it, an empty standard input; with `keepingInputOpen`, the
    /// test writes it with ``writeInput(_:)``. With `sigintIgnored`, it starts
    /// with SIGINT ignored, as a shell starts a background job (`zmq sub … &`).
    /// `environment` adds variables to this process's; `descriptor3` is a file
    /// the tool inherits open for reading as file descriptor 3 (`3< FILE`).
    init(
        _ arguments: [String], input: Data? = nil, keepingInputOpen: Bool = false, sigintIgnored: Bool = false,
        environment: [String: String] = [:], descriptor3: String? = nil
    ) throws {
        let path = try #require(zmqToolPath, "no zmq binary: build it with `swift build --product zmq` first")
        process = try ChildProcess(
            path, arguments, environment: environment, input: .pipe, output: .pipe, error: .pipe,
            ignoringInterrupts: sigintIgnored, readableDescriptors: descriptor3.map { [3: $0] } ?? [:])
        let writer = process.standardInput!
        inputWriter = keepingInputOpen ? writer : nil
        collect(process.standardOutput!, into: \.stdout)
        collect(process.standardError!, into: \.stderr)
        guard !keepingInputOpen else { return }
        Thread.detachNewThread {
            if let input { try? writer.write(contentsOf: input) }
            try? writer.close()
        }
    }

    /// Writes `data` to standard input (started `keepingInputOpen`), leaving it open.
    func writeInput(_ data: Data) throws {
        try #require(inputWriter, "started without keepingInputOpen").write(contentsOf: data)
    }

    /// How many bytes written to standard input the tool has not read yet (Linux: `FIONREAD` on the pipe).
    var unreadInput: Int32 {
        var count: Int32 = 0
        guard let inputWriter, ioctl(inputWriter.fileDescriptor, UInt(FIONREAD), &count) == 0 else { return -1 }
        return count
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
    var processID: Int32 { process.processID }

    /// Standard output so far.
    var outputSoFar: Data { collected.withLock { $0.stdout } }

    /// Standard error so far, as text.
    var errorSoFar: String { String(decoding: collected.withLock { $0.stderr }, as: UTF8.self) }

    /// Whether the process has ended.
    var hasEnded: Bool { !process.isRunning }

    /// How it ended (an exit status or a signal), once it has.
    var termination: ChildProcess.Termination? { process.termination }

    /// Sends `signal` (SIGINT, SIGTERM) to the process.
    func send(_ signal: Int32) { process.send(signal) }

    /// Waits for the process to exit (SIGTERM after `timeout`, SIGKILL half a
    /// second later) and returns what it did. It sleeps between looks, so it
    /// never blocks a thread of Swift's cooperative pool, which the library's
    /// async tests share.
    func finish(timeout: Duration = processTimeout) async -> ToolResult {
        var status = await process.exit(within: timeout)
        let timedOut = status == nil
        if timedOut { status = await process.stop(SIGTERM, grace: .milliseconds(500)) }
        // The readers finish once the pipes close, a moment after the exit.
        let readersDeadline = ContinuousClock.now + .seconds(5)
        while readersDone.wait(timeout: .now()) == .timedOut, ContinuousClock.now < readersDeadline {
            await pause(.milliseconds(10))
        }
        let (out, err) = collected.withLock { ($0.stdout, $0.stderr) }
        return ToolResult(status: status ?? -1, stdout: out, stderr: err, timedOut: timedOut)
    }
}

/// Runs `zmq ARGUMENTS` to the end (bounded) and returns what it did.
func runTool(
    _ arguments: [String], input: Data? = nil, timeout: Duration = processTimeout
) async throws -> ToolResult {
    await (try ToolProcess(arguments, input: input)).finish(timeout: timeout)
}

/// Waits until `condition` holds, looking every 10 ms for at most `timeout`; returns whether it held.
func waitUntil(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        await pause(.milliseconds(10))
    }
    return true
}

/// Sleeps for `duration` without blocking a thread (a cancelled test just goes on).
func pause(_ duration: Duration) async {
    try? await Task.sleep(for: duration)
}

/// A process's standard output and error as collected so far, behind an `NSLock`.
final class LockedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var streams = (stdout: Data(), stderr: Data())

    func withLock<Result>(_ body: (inout (stdout: Data, stderr: Data)) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(&streams)
    }
}
