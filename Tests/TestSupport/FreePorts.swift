import Foundation

/// A first port such that `first + offset` is free on loopback for every one
/// of `offsets`, for tests that must name a TCP endpoint before anything binds
/// it, or bind the same one again after a restart.
///
/// The ports come from below the kernel's ephemeral range
/// (`/proc/sys/net/ipv4/ip_local_port_range`): a port in that range, freed by
/// a stopped listener, can be handed at once to another test's outgoing
/// connection as its local port, and a socket reconnecting to a port of that
/// range on loopback can even connect to itself (TCP simultaneous open).
/// Below it, only an explicit bind takes a port, and this checks those.
public func freeLoopbackPorts(offsets: [Int] = [0]) throws -> Int {
    let ephemeralStart =
        (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
        .flatMap { $0.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } } ?? 32_768
    let span = (offsets.max() ?? 0) + 1
    let lowest = 10_000
    let highest = ephemeralStart - span
    guard highest > lowest else { throw TestSupportError("no ports below the ephemeral range from \(ephemeralStart)") }
    for _ in 0..<100 {
        let first = Int.random(in: lowest...highest)
        if offsets.allSatisfy({ isFreeOnLoopback(first + $0) }) { return first }
    }
    throw TestSupportError("no free ports found below \(ephemeralStart)")
}

private func isFreeOnLoopback(_ port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}
