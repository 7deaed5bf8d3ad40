import Foundation
import ZeroMQ

/// `rep --exec`: runs a shell command once per request, the request on its
/// standard input, and makes its standard output the reply.
struct ShellReply {
    let command: String
    /// Joins request frames and splits the output into reply frames, when given.
    let separator: [UInt8]?

    /// The reply frames for `request`.
    func reply(to request: [Message]) throws(ToolError) -> [[UInt8]] {
        var input: [UInt8] = []
        for (index, frame) in request.enumerated() {
            if index > 0, let separator { input += separator }
            frame.withUnsafeBytes { input.append(contentsOf: $0) }
        }
        var output = try run(input: Data(input))
        if output.last == UInt8(ascii: "\n") { output.removeLast() }
        return separator.map { SendLoop.split(output, at: $0) } ?? [output]
    }

    private func run(input: Data) throws(ToolError) -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        do { try process.run() } catch {
            throw .failure("cannot run --exec '\(command)': \(error.localizedDescription)")
        }
        // Feed the request from another thread, so a command that writes a lot
        // before reading all of it cannot deadlock against us.
        let writer = stdin.fileHandleForWriting
        let feeder = Thread {
            try? writer.write(contentsOf: input)
            try? writer.close()
        }
        feeder.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            StandardStreams.diagnose("--exec '\(command)' exited with status \(process.terminationStatus)")
        }
        return Array(output)
    }
}
