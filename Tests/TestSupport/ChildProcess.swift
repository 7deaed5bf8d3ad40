import CTestSupport
import Foundation

/// A program a test runs as a real process, started with `posix_spawn`.
///
/// Foundation's `Process` is not used: on Linux its `run()` lists
/// `/proc/self/fd` to close the parent's descriptors in the child, and copies
/// each entry's whole 256-byte name, reading past the end of the directory
/// buffer. Once the test process holds about 1,365 descriptors the listing
/// fills that buffer, and the copy faults when the buffer ends a mapping
/// (seen here: "Bad pointer dereference" in `Process.run()` while 1,000
/// sockets were open). This type lets the child close them itself
/// (`posix_spawn_file_actions_addclosefrom_np`), starts it in a process group
/// of its own with every signal at its default, and reaps it with `waitpid`.
public final class ChildProcess: @unchecked Sendable {
    /// Where a standard stream of the child goes.
    public enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// A pipe: the test holds the other end (``standardInput``, ``standardOutput``, ``standardError``).
        case pipe
        /// A file, created or truncated.
        case file(String)
        /// The test process's own.
        case inherited
    }

    /// How the child ended.
    public enum Termination: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)
    }

    public let processID: pid_t
    /// The write end of the child's standard input, when it is a pipe.
    public let standardInput: FileHandle?
    /// The read end of the child's standard output, when it is a pipe.
    public let standardOutput: FileHandle?
    /// The read end of the child's standard error, when it is a pipe.
    public let standardError: FileHandle?

    private let lock = NSLock()
    private var ended: Termination?

    /// Starts `executable ARGUMENTS`. `environment` adds variables to this
    /// process's; `directory` is its working directory; `ignoringInterrupts`
    /// starts it with SIGINT ignored, as a shell starts a background job
    /// (`/bin/sh` sets that up and then becomes the program);
    /// `readableDescriptors` opens files for reading at the given descriptor
    /// numbers (3 or more) in the child, as `3< FILE` does in a shell.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
        input: Stream = .null, output: Stream = .pipe, error: Stream = .inherited, ignoringInterrupts: Bool = false,
        readableDescriptors: [Int32: String] = [:]
    ) throws {
        let argv =
            ignoringInterrupts
            ? ["/bin/sh", "-c", "trap '' INT; exec \"$0\" \"$@\"", executable] + arguments
            : [executable] + arguments
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0)=\($1)" }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        // Pipes are made close-on-exec, so that no other child started meanwhile inherits them.
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        defer { for descriptor in childEnds { close(descriptor) } }
        func connect(_ stream: Stream, to target: Int32, childReads: Bool) throws -> FileHandle? {
            switch stream {
            case .inherited:
                return nil
            case .null:
                try check(
                    posix_spawn_file_actions_addopen(&actions, target, "/dev/null", childReads ? O_RDONLY : O_WRONLY, 0),
                    "open /dev/null")
                return nil
            case .file(let path):
                try check(
                    posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644),
                    "open \(path)")
                return nil
            case .pipe:
                var ends: [Int32] = [-1, -1]
                guard ctest_pipe_cloexec(&ends) == 0 else { throw ChildProcessError("pipe2", errno: errno) }
                let (childEnd, parentEnd) = childReads ? (ends[0], ends[1]) : (ends[1], ends[0])
                childEnds.append(childEnd)
                parentEnds.append(parentEnd)
                try check(posix_spawn_file_actions_adddup2(&actions, childEnd, target), "dup2")
                return FileHandle(fileDescriptor: parentEnd, closeOnDealloc: true)
            }
        }
        do {
            standardInput = try connect(input, to: STDIN_FILENO, childReads: true)
            standardOutput = try connect(output, to: STDOUT_FILENO, childReads: false)
            standardError = try connect(error, to: STDERR_FILENO, childReads: false)
            // Everything else this process has open stays out of the child.
            try check(ctest_spawn_close_from(&actions, 3), "closefrom")
            for (descriptor, path) in readableDescriptors.sorted(by: { $0.key < $1.key }) {
                try check(posix_spawn_file_actions_addopen(&actions, descriptor, path, O_RDONLY, 0), "open \(path)")
            }
            if let directory { try check(ctest_spawn_chdir(&actions, directory), "chdir \(directory)") }

            var allSignals = sigset_t()
            sigfillset(&allSignals)
            var noSignals = sigset_t()
            sigemptyset(&noSignals)
            posix_spawnattr_setsigdefault(&attributes, &allSignals)
            posix_spawnattr_setsigmask(&attributes, &noSignals)
            posix_spawnattr_setpgroup(&attributes, 0)
            posix_spawnattr_setflags(
                &attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

            var cArguments = argv.map { strdup($0) } + [nil]
            var cVariables = variables.map { strdup($0) } + [nil]
            defer {
                for pointer in cArguments { free(pointer) }
                for pointer in cVariables { free(pointer) }
            }
            var pid: pid_t = 0
            let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, &cArguments, &cVariables)
            guard spawned == 0 else { throw ChildProcessError("posix_spawn \(argv[0])", errno: spawned) }
            processID = pid
        } catch {
            for descriptor in parentEnds { close(descriptor) }
            throw error
        }
    }

    /// Kills a child still running when the test lets go of it, and reaps it.
    deinit {
        if isRunning {
            kill(processID, SIGKILL)
            var status: Int32 = 0
            while waitpid(processID, &status, 0) == -1 && errno == EINTR {}
        }
    }

    /// How it ended, once it has (`waitpid` without waiting).
    public var termination: Termination? {
        lock.lock()
        defer { lock.unlock() }
        if ended == nil {
            var status: Int32 = 0
            if waitpid(processID, &status, WNOHANG) == processID {
                let signal = status & 0x7f
                ended = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
            }
        }
        return ended
    }

    public var isRunning: Bool { termination == nil }

    /// Its exit status, or the number of the signal that ended it (as
    /// Foundation's `terminationStatus`); `nil` while it runs.
    public var terminationStatus: Int32? {
        switch termination {
        case .exited(let status), .signalled(let status): status
        case nil: nil
        }
    }

    /// Sends `signal` (SIGINT, SIGTERM, SIGKILL) to it.
    public func send(_ signal: Int32) {
        if isRunning { kill(processID, signal) }
    }

    /// Waits at most `timeout` for it to end, looking every 10 ms without
    /// blocking a thread of Swift's cooperative pool; its status, or `nil`
    /// if it still runs.
    public func exit(within timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        return terminationStatus
    }

    /// As ``exit(within:)``, for synchronous tests: it sleeps the calling thread between looks.
    public func exitBlocking(within timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        return terminationStatus
    }

    /// Ends it: `signal`, then SIGKILL if it has not ended after `grace`; its status.
    @discardableResult
    public func stop(_ signal: Int32 = SIGTERM, grace: Duration = .seconds(5)) async -> Int32? {
        send(signal)
        if let status = await exit(within: grace) { return status }
        send(SIGKILL)
        return await exit(within: .seconds(5))
    }
}

/// A child process could not be started; names the step and the errno.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String

    init(_ step: String, errno code: Int32) {
        description = "\(step) failed: \(String(cString: strerror(code))) (errno \(code))"
    }
}

private func check(_ result: Int32, _ step: String) throws {
    guard result == 0 else { throw ChildProcessError("posix_spawn_file_actions: \(step)", errno: result) }
}

/// This process's soft limit on open descriptors, which the test support
/// raised to the hard limit (at most 65,536) as the test process loaded.
public var openFileLimit: Int {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
    return limit.rlim_cur > rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
}
