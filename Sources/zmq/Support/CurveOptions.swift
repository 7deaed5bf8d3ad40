import ArgumentParser
import Foundation
import ZeroMQ

/// The CURVE flags every socket subcommand takes. The serving side (usually
/// the one that binds) passes `--curve-server` and its key pair; the other side
/// passes the server's public key with `--curve-server-key`, and optionally a
/// key pair of its own (a fresh one is made otherwise). Z85 keys may start
/// with `-`, so a key option always takes the next argument as its value.
///
/// This socket's secret key comes from one of `--curve-key-file`,
/// `--curve-secret-key-fd` and `--curve-secret-key` (two of them are a usage
/// error), or else from the environment variable `ZMQ_CURVE_SECRET_KEY`.
struct CurveOptions: ParsableArguments {
    /// The environment variable read for this socket's secret key when no flag gives one.
    static let secretKeyVariable = "ZMQ_CURVE_SECRET_KEY"

    @Option(
        name: .customLong("curve-server-key"), parsing: .unconditional,
        help: ArgumentHelp(
            "Secure the connection with CURVE, trusting this server public key (Z85, 40 characters, or a key file's path).",
            valueName: "key"))
    var serverKey: String?

    @Option(
        name: .customLong("curve-secret-key"), parsing: .unconditional,
        help: ArgumentHelp(
            "This socket's CURVE secret key (Z85, 40 characters). A command line is visible to other users in `ps`: prefer --curve-key-file, $ZMQ_CURVE_SECRET_KEY or --curve-secret-key-fd.",
            valueName: "key"))
    var secretKey: String?

    @Option(
        name: .customLong("curve-secret-key-fd"),
        help: ArgumentHelp(
            "Read this socket's CURVE secret key, or a key file's text, from this inherited file descriptor, as in `3< server.key`.",
            valueName: "n"))
    var secretKeyDescriptor: Int32?

    @Option(
        name: .customLong("curve-public-key"), parsing: .unconditional,
        help: ArgumentHelp(
            "This socket's CURVE public key, checked against the secret key (optional: it is derived).",
            valueName: "key"))
    var publicKey: String?

    @Option(
        name: .customLong("curve-key-file"),
        help: ArgumentHelp(
            "Read this socket's key pair from a file written by `zmq keygen --output` (mode 600). Without any of these flags, the secret key is read from $ZMQ_CURVE_SECRET_KEY.",
            valueName: "file"))
    var keyFile: String?

    @Flag(
        name: .customLong("curve-server"),
        help: "Serve CURVE on this socket (the binding side of a secured endpoint), with the key pair given.")
    var server = false

    /// Checks the flags and the keys; `nil` when no CURVE flag was given.
    func resolve() throws(ToolError) -> CurveSetup? {
        let ownKeysGiven = keyFile != nil || secretKey != nil || secretKeyDescriptor != nil || publicKey != nil
        guard server || serverKey != nil || ownKeysGiven else { return nil }
        if server && serverKey != nil {
            throw .usage(
                "--curve-server and --curve-server-key exclude each other: the serving side has --curve-server, the other side names its key with --curve-server-key"
            )
        }
        guard server || serverKey != nil else {
            throw .usage(
                "CURVE keys need --curve-server (on the serving side) or --curve-server-key KEY (on the other side)")
        }
        guard LibZMQ.has(.curve) else { throw .failure("this libzmq was built without CURVE security") }
        if server {
            guard let pair = try ownKeyPair() else {
                throw .usage(
                    "--curve-server needs this socket's key pair: --curve-key-file FILE, $\(Self.secretKeyVariable) or --curve-secret-key-fd N"
                )
            }
            return .server(pair)
        }
        let serverPublic = try serverPublicKey(serverKey!)
        let pair: CurveKeyPair
        if let own = try ownKeyPair() {
            pair = own
        } else {
            do { pair = try CurveKeyPair.generate() } catch { throw .failure("cannot make a CURVE key pair: \(error)") }
        }
        return .client(server: serverPublic, own: pair)
    }

    /// The key pair from the secret key given (see ``ownSecretKey()``), if any.
    private func ownKeyPair() throws(ToolError) -> CurveKeyPair? {
        guard let (secretText, filePublicKey, source) = try ownSecretKey() else {
            if publicKey != nil { throw .usage("--curve-public-key needs this socket's secret key as well") }
            return nil
        }
        let publicText = filePublicKey ?? publicKey
        // A secret key is never echoed back, not even in an error.
        let secret: CurveSecretKey
        do { secret = try CurveSecretKey(z85: secretText) } catch {
            throw .usage("bad secret key in \(source): \(error)")
        }
        let pair: CurveKeyPair
        do { pair = try CurveKeyPair(secretKey: secret) } catch {
            throw .failure("cannot derive the CURVE public key: \(error)")
        }
        if let publicText {
            let claimed: CurvePublicKey
            do { claimed = try CurvePublicKey(z85: publicText) } catch {
                throw .usage(
                    "bad public key '\(publicText)' in \(filePublicKey == nil ? "--curve-public-key" : source): \(error)"
                )
            }
            guard claimed == pair.publicKey else {
                throw .usage("the public key '\(publicText)' does not belong to the secret key in \(source)")
            }
        }
        return pair
    }

    /// This socket's secret key as text, the public key beside it in a key
    /// file, and where they came from (for errors): from the one flag that
    /// gives it, or else from ``secretKeyVariable``.
    private func ownSecretKey() throws(ToolError) -> (secret: String, publicKey: String?, source: String)? {
        let given = [
            keyFile.map { _ in "--curve-key-file" }, secretKeyDescriptor.map { _ in "--curve-secret-key-fd" },
            secretKey.map { _ in "--curve-secret-key" },
        ].compactMap { $0 }
        if given.count > 1 {
            throw .usage("\(given[0]) and \(given[1]) exclude each other: give this socket's secret key once")
        }
        if let keyFile {
            let file = try KeyFile(path: keyFile, option: "--curve-key-file")
            guard let secret = file.secretKey else {
                throw .usage("--curve-key-file '\(keyFile)' has no 'secret-key = …' line")
            }
            return (secret, file.publicKey, "--curve-key-file '\(keyFile)'")
        }
        if let secretKeyDescriptor {
            let file = try KeyFile(descriptor: secretKeyDescriptor, option: "--curve-secret-key-fd")
            return (file.secretKey!, file.publicKey, "--curve-secret-key-fd \(secretKeyDescriptor)")
        }
        if let secretKey { return (secretKey, nil, "--curve-secret-key") }
        if let variable = ProcessInfo.processInfo.environment[Self.secretKeyVariable], !variable.isEmpty {
            return (variable, nil, "$\(Self.secretKeyVariable)")
        }
        return nil
    }

    /// The server key: Z85 text, or the path of a key file with a `public-key` line.
    private func serverPublicKey(_ value: String) throws(ToolError) -> CurvePublicKey {
        var text = value
        if value.count != 40, FileManager.default.fileExists(atPath: value) {
            let file = try KeyFile(path: value, option: "--curve-server-key")
            guard let publicKey = file.publicKey else {
                throw .usage("--curve-server-key '\(value)' has no 'public-key = …' line")
            }
            text = publicKey
        }
        do { return try CurvePublicKey(z85: text) } catch {
            throw .usage("bad --curve-server-key '\(value)': \(error)")
        }
    }
}

/// How a socket is secured, once the flags are checked. `Sendable`, so a
/// proxy's thread can apply it to the sockets it makes.
enum CurveSetup: Sendable {
    /// The serving side, with its key pair.
    case server(CurveKeyPair)
    /// The other side: the server's public key and this socket's own pair.
    case client(server: CurvePublicKey, own: CurveKeyPair)

    /// Sets the CURVE options on `socket`, before it binds or connects.
    func apply(to socket: Socket) throws(ZMQError) {
        switch self {
        case .server(let pair): try socket.makeCurveServer(pair)
        case .client(let server, let own): try socket.makeCurveClient(serverPublicKey: server, keyPair: own)
        }
    }
}
