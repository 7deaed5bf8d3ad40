#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a file that only its owner may read, such as a secret key, so that
/// nobody ever sees it half written or with looser permissions.
///
/// The bytes go to a new file (mode 600) created beside the target, which is
/// synced and then takes the target's name in one step: `rename(2)` when
/// replacing, `link(2)` otherwise, which fails if the target appeared
/// meanwhile. An existing file's mode or owner never carries over, and a
/// symbolic link at the target is replaced, never followed.
enum PrivateFile {
    /// Why the file could not be written.
    enum Failure: Error {
        /// The target exists and replacing it was not asked for.
        case exists
        /// A system call failed with `errno` while doing `step` ("create a temporary file in 'keys'").
        case system(step: String, errno: Int32)

        /// The failure in words, such as `cannot sync 'key.tmp-…': Input/output error`.
        var reason: String {
            switch self {
            case .exists: "it exists (add --force to replace it)"
            case .system(let step, let code): "cannot \(step): \(String(cString: strerror(code)))"
            }
        }
    }

    /// Writes `bytes` as the file at `path`; an existing file there is
    /// replaced only when `replacing`. On failure nothing is left behind.
    static func write(_ bytes: [UInt8], to path: String, replacing: Bool) throws(Failure) {
        let (descriptor, temporary) = try createTemporary(beside: path)
        do throws(Failure) {
            defer { close(descriptor) }
            try writeAll(bytes, to: descriptor, named: temporary)
            guard fsync(descriptor) == 0 else { throw .system(step: "sync '\(temporary)'", errno: errno) }
        } catch {
            unlink(temporary)
            throw error
        }
        if replacing {
            guard rename(temporary, path) == 0 else {
                let code = errno
                unlink(temporary)
                throw .system(step: "rename '\(temporary)' to '\(path)'", errno: code)
            }
        } else {
            let linked = link(temporary, path) == 0
            let code = errno
            unlink(temporary)
            guard linked else { throw code == EEXIST ? .exists : .system(step: "link '\(path)'", errno: code) }
        }
    }

    /// Creates a new file, mode 600, with a unique name in the directory of `path`.
    private static func createTemporary(beside path: String) throws(Failure) -> (Int32, String) {
        let slash = path.lastIndex(of: "/")
        let prefix = slash.map { String(path[...$0]) } ?? ""  // the directory, with its slash
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let directory = prefix.count > 1 ? String(prefix.dropLast()) : prefix.isEmpty ? "." : prefix
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
        for _ in 0..<100 {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let temporary = "\(prefix).\(name).tmp-\(suffix)"
            let descriptor = open(temporary, flags, 0o600)
            if descriptor >= 0 {
                // The umask may have taken bits away; the mode is exactly 600 either way.
                guard fchmod(descriptor, 0o600) == 0 else {
                    let code = errno
                    close(descriptor)
                    unlink(temporary)
                    throw .system(step: "set the mode of '\(temporary)'", errno: code)
                }
                return (descriptor, temporary)
            }
            guard errno == EEXIST else {
                throw .system(step: "create a file in '\(directory)'", errno: errno)
            }
        }
        throw .system(step: "find a free temporary name beside '\(path)'", errno: EEXIST)
    }

}

/// Writes all of `bytes` to `descriptor`, the file called `name`. (Outside
/// ``PrivateFile``, whose own `write` would hide the system's.)
private func writeAll(_ bytes: [UInt8], to descriptor: Int32, named name: String) throws(PrivateFile.Failure) {
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { throw .system(step: "write '\(name)'", errno: errno) }
        offset += written
    }
}
