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

    /// Reads the key file at `path`; `option` names the flag it came from, for errors.
    init(path: String, option: String) throws(ToolError) {
        let contents: String
        do {
            contents = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .usage("cannot read \(option) '\(path)': \(Self.reason(error))")
        }
        for line in contents.split(whereSeparator: \.isNewline) {
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
        guard publicKey != nil || secretKey != nil else {
            throw .usage("\(option) '\(path)' has no 'public-key = …' or 'secret-key = …' line")
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
