import ArgumentParser
import Foundation
import ZeroMQ

/// `zmq keygen`: make a CURVE key pair.
struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a CURVE key pair for securing sockets.",
        discussion: """
            Prints a new CURVE key pair in Z85 text, in the key file format:

              public-key = <40 characters>
              secret-key = <40 characters>

            With --output FILE the pair is written to FILE instead (readable by its owner \
            only, mode 600) and only the public-key line is printed, to hand to clients. \
            Lines starting with '#' are comments; values may be quoted, so CZMQ certificate \
            files read too.

            The serving side uses the file with --curve-server --curve-key-file FILE; \
            clients trust it with --curve-server-key followed by the public key (or the path \
            of a file holding the public-key line).

            Examples:
              zmq keygen --output server.key
              zmq pub 'tcp://*:5555' --curve-server --curve-key-file server.key hello
              zmq sub tcp://127.0.0.1:5555 --curve-server-key 'PUBLIC KEY FROM server.key'
            """)

    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Write the key pair to this file (mode 600) and print only the public key.", valueName: "file"))
    var output: String?

    @Flag(
        help: "Replace the --output file if it exists (by a new file: a symbolic link there is replaced, not followed)."
    )
    var force = false

    func run() throws {
        let pair: CurveKeyPair
        do { pair = try CurveKeyPair.generate() } catch {
            throw ToolError.failure(
                LibZMQ.has(.curve)
                    ? "cannot make a CURVE key pair: \(error)" : "this libzmq was built without CURVE security")
        }
        let text = KeyFile.text(of: pair)
        guard let output else {
            try? StandardStreams.write("public-key = \(pair.publicKey.z85)\nsecret-key = \(pair.secretKey.z85)\n")
            return
        }
        try Self.writePrivately(text, to: output, replacing: force)
        try? StandardStreams.write("public-key = \(pair.publicKey.z85)\n")
    }

    /// Writes `text` to a new file only its owner can read (see ``PrivateFile``).
    private static func writePrivately(_ text: String, to path: String, replacing: Bool) throws(ToolError) {
        do { try PrivateFile.write(Array(text.utf8), to: path, replacing: replacing) } catch {
            throw .failure("cannot write --output '\(path)': \(error.reason)")
        }
    }
}
