import Foundation
import Testing
import TestSupport

/// The `delivery` binary built beside this test bundle (or in `.build/debug`).
let deliveryBinary: String? = {
    var directories: [URL] = []
    #if os(Linux)
        directories.append(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent())
    #endif
    directories += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
    let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    directories.append(package.appendingPathComponent(".build/debug"))
    return directories.map { $0.appendingPathComponent("delivery").path }
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// The suites that run `delivery` roles as processes, one suite at a time
/// (and each serialized in itself): together they start a dozen processes,
/// and two of them replaying thousands of events under ThreadSanitizer, in
/// parallel with the rest of the tests, once starved the machine for 5 s,
/// long enough for every in-process store to miss its 5 s deadline.
@Suite(.serialized) enum RoleProcesses {}

/// One `delivery` role running as a real process, its output going to files.
final class RoleProcess {
    let name: String
    private let process: ChildProcess
    private let outputFile: URL
    private let errorFile: URL

    /// Starts `delivery ARGUMENTS` in `directory` (where a role keeps its
    /// outbox and other files; the temporary directory by default); with
    /// `sigintIgnored`, with SIGINT ignored, as a shell starts a background job.
    init(_ name: String, _ arguments: [String], in directory: URL? = nil, sigintIgnored: Bool = false) throws {
        self.name = name
        let binary = try #require(deliveryBinary, "no delivery binary: `swift build --product delivery` first")
        let logs = FileManager.default.temporaryDirectory
        outputFile = logs.appendingPathComponent("delivery-\(name)-\(UUID()).out")
        errorFile = logs.appendingPathComponent("delivery-\(name)-\(UUID()).err")
        process = try ChildProcess(
            binary, arguments, directory: (directory ?? logs).path, output: .file(outputFile.path),
            error: .file(errorFile.path), ignoringInterrupts: sigintIgnored)
    }

    deinit {
        try? FileManager.default.removeItem(at: outputFile)
        try? FileManager.default.removeItem(at: errorFile)
    }

    var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }
    var errors: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }
    var isRunning: Bool { process.isRunning }

    /// Sends `signal` and waits at most `timeout` for the exit; the exit
    /// status, or `nil` when the process had to be killed.
    func stop(_ signal: Int32 = SIGINT, timeout: Duration = .seconds(10)) async -> Int32? {
        process.send(signal)
        return await waitForExit(timeout: timeout)
    }

    /// Waits at most `timeout` until its standard error contains `text`
    /// (a role's first line says it is up, its signal handling in place).
    func waitForErrors(containing text: String, timeout: Duration = .seconds(20)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !errors.contains(text) && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return errors.contains(text)
    }

    /// Waits at most `timeout` for the process to end by itself; its status,
    /// or `nil` when it had to be killed. It sleeps between looks, so it never
    /// blocks a thread of Swift's cooperative pool, which the other suites'
    /// async tests share.
    func waitForExit(timeout: Duration) async -> Int32? {
        if let status = await process.exit(within: timeout) { return status }
        await process.stop(SIGKILL)
        return nil
    }
}

/// A first port such that the ports the roles bind (`Addresses.tcp(firstPort:)`)
/// are free now on loopback, and outside the ephemeral range.
func freeFirstPort() throws -> Int {
    try freeLoopbackPorts(offsets: [0, 1, 2, 10, 11, 20, 30, 31, 40])
}

/// A new directory of its own under the temporary directory, for one test's role files.
func scratchDirectory(_ name: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}
