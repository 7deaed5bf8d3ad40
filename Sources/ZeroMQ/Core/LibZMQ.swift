import CZeroMQ

/// Facts about the libzmq this process is linked with: its version and its
/// optional features. (Named apart from the module, so that `ZeroMQ.Message`
/// always means this module's type.)
public enum LibZMQ {
    /// libzmq's version, such as 4.3.4. The corresponding C function is `zmq_version`.
    public static var version: (major: Int, minor: Int, patch: Int) {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }

    /// libzmq's version as text, `"4.3.4"`.
    public static var versionString: String {
        let v = version
        return "\(v.major).\(v.minor).\(v.patch)"
    }

    /// Whether libzmq was built with `capability`. The corresponding C function is `zmq_has`.
    public static func has(_ capability: Capability) -> Bool {
        zmq_has(capability.rawValue) != 0
    }

    /// An optional feature of libzmq, as `zmq_has` names it.
    public struct Capability: RawRepresentable, Hashable, Sendable {
        /// The name `zmq_has` takes.
        public let rawValue: String
        /// A capability by its `zmq_has` name.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The `ipc://` transport.
        public static let ipc = Capability(rawValue: "ipc")
        /// The `pgm://` and `epgm://` multicast transports.
        public static let pgm = Capability(rawValue: "pgm")
        /// The `tipc://` transport.
        public static let tipc = Capability(rawValue: "tipc")
        /// The `norm://` transport.
        public static let norm = Capability(rawValue: "norm")
        /// The CURVE security mechanism.
        public static let curve = Capability(rawValue: "curve")
        /// The GSSAPI security mechanism.
        public static let gssapi = Capability(rawValue: "gssapi")
        /// Draft APIs (not used by this package).
        public static let draft = Capability(rawValue: "draft")
    }
}
