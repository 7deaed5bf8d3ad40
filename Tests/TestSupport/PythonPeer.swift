import Foundation

/// A script of `Tests/Interop` running under the test Python (the one with
/// pyzmq that `scripts/setup.sh` installs, or `$ZEROMQ_TEST_PYTHON`): the peer
/// nobody here wrote. Every read and wait on it is bounded by ``timeout``.
public final class PythonPeer: @unchecked Sendable {
    /// The bound on each read and wait: a Python that imports pyzmq on a
    /// loaded machine takes seconds to print its first line.
    public static let timeout: Duration = .seconds(30)

    public let process: ChildProcess
    private let output: FileHandle
    private var buffered = Data()

    /// Starts `Tests/Interop/SCRIPT ARGUMENTS`.
    public init(_ arguments: String..., script: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let python =
            ProcessInfo.processInfo.environment["ZEROMQ_TEST_PYTHON"]
            ?? root.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestSupportError("no Python with pyzmq at \(python): run ./scripts/setup.sh first")
        }
        process = try ChildProcess(python, [root.appendingPathComponent("Tests/Interop/\(script)").path] + arguments)
        output = process.standardOutput!
    }

    /// The next line the peer printed; for synchronous tests (it blocks the thread in `poll`).
    public func readLine() throws -> String {
        let deadline = ContinuousClock.now + Self.timeout
        while true {
            if let line = bufferedLine() { return line }
            guard ContinuousClock.now < deadline else { throw TestSupportError("the peer printed no line in time") }
            _ = try readAvailable(waitingMilliseconds: 100)
        }
    }

    /// The next line the peer printed; for async tests (it sleeps between
    /// looks instead of blocking a thread of Swift's cooperative pool).
    public func line() async throws -> String {
        let deadline = ContinuousClock.now + Self.timeout
        while true {
            if let line = bufferedLine() { return line }
            guard ContinuousClock.now < deadline else { throw TestSupportError("the peer printed no line in time") }
            if try !readAvailable(waitingMilliseconds: 0) { try await Task.sleep(for: .milliseconds(10)) }
        }
    }

    /// Waits for the peer to exit and returns its status; for synchronous tests.
    public func finish() throws -> Int32 {
        guard let status = process.exitBlocking(within: Self.timeout) else {
            process.send(SIGKILL)
            throw TestSupportError("the peer did not exit in time")
        }
        return status
    }

    /// Waits for the peer to exit and returns its status; for async tests.
    public func exitStatus() async throws -> Int32 {
        guard let status = await process.exit(within: Self.timeout) else {
            process.send(SIGKILL)
            throw TestSupportError("the peer did not exit in time")
        }
        return status
    }

    /// The first whole line read and not yet returned, if any.
    private func bufferedLine() -> String? {
        guard let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = String(decoding: buffered[..<newline], as: UTF8.self)
        buffered.removeSubrange(...newline)
        return line
    }

    /// Reads what the peer has printed, waiting at most `waitingMilliseconds`
    /// for it; `false` when nothing came. Throws once the peer has exited.
    private func readAvailable(waitingMilliseconds: Int32) throws -> Bool {
        var poller = pollfd(fd: output.fileDescriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, waitingMilliseconds) > 0 else { return false }
        let chunk = output.availableData
        if chunk.isEmpty { throw TestSupportError("the peer exited before printing a line") }
        buffered.append(chunk)
        return true
    }
}

/// What went wrong in the test support: a peer that printed nothing, no free port.
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
