import Foundation
import ZeroMQ

/// The key file `zmq keygen --output` writes and `--curve-key-file` reads:
/// text lines `public-key = KEY` and `secret-key = KEY` (Z85, 40 characters),
/// with `#` comments and blank lines ignored. Values may be in double quotes
/// and lines indented, so CZMQ's certificate files (`zcert`) read as well.
/// A file with only a `public-key` line can be handed to clients, who pass its
/// path to `--curve-server-key`.
struct KeyFile {
    /// The `public-key` line's value, if any.
    var publicKey: String?
    /// The `secret-key` line's value, if any.
    var secretKey: String?

    /// The text of a key file holding `pair`.
    static func text(of pair: CurveKeyPair) -> String {
        """
        # CURVE key pair made by `zmq keygen`. Keep this file private: it holds the secret key.
        # Clients need only the public key below, passed to --curve-server-key.
        public-key = \(pair.publicKey.z85)
        secret-key = \(pair.secretKey.z85)

        """
    }

    /// The key lines of `text`; either may be missing.
    init(text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            let name = trimmed[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            switch name {
            case "public-key", "public_key": publicKey = value
            case "secret-key", "secret_key": secretKey = value
            default: continue
            }
        }
    }

    /// Reads the key file at `path`; `option` names the flag it came from, for errors.
    /// A file holding a secret key must be private to its owner.
    init(path: String, option: String) throws(ToolError) {
        let contents: String
        do {
            contents = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .usage("cannot read \(option) '\(path)': \(Self.reason(error))")
        }
        self.init(text: contents)
        guard publicKey != nil || secretKey != nil else {
            throw .usage("\(option) '\(path)' has no 'public-key = …' or 'secret-key = …' line")
        }
        if secretKey != nil { try Self.checkPrivate(path, option: option) }
    }

    /// Refuses a file holding a secret key that its group or others may read
    /// or write, as ssh refuses such a private key: the key is no secret any more.
    private static func checkPrivate(_ path: String, option: String) throws(ToolError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw .usage("cannot read \(option) '\(path)': \(String(cString: strerror(errno)))")
        }
        let mode = status.st_mode & 0o7777
        guard mode & 0o077 == 0 else {
            throw .usage(
                "\(option) '\(path)' holds a secret key but has mode \(String(format: "%04o", mode)), open to other users: run chmod 600 '\(path)'"
            )
        }
    }

    /// Reads the key text on the inherited file descriptor `descriptor` to its
    /// end and closes it: a key file's text, or a bare secret key (Z85).
    /// `option` names the flag it came from, for errors.
    init(descriptor: Int32, option: String) throws(ToolError) {
        defer { close(descriptor) }
        let limit = 65_536
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw .usage("cannot read \(option) \(descriptor): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes += chunk[..<count]
            guard bytes.count <= limit else { throw .usage("\(option) \(descriptor) holds more than 64 KiB") }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        self.init(text: text)
        if secretKey == nil {
            let bare = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !bare.isEmpty else { throw .usage("\(option) \(descriptor) holds no key") }
            secretKey = bare
        }
    }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSCocoaErrorDomain {
            switch nsError.code {
            case NSFileReadNoSuchFileError: return "no such file"
            case NSFileReadNoPermissionError: return "permission denied"
            case NSFileReadInapplicableStringEncodingError: return "not a text file"
            default: break
            }
        }
        return nsError.localizedDescription
    }
}
