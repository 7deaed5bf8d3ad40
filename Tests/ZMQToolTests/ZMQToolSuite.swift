import Testing

/// Every test of the `zmq` tool, one at a time. Each starts real processes
/// (debug builds, some moving 10 MiB through the formats), so running them
/// together would crowd the two cores that the library's own tests, some of
/// them timing-sensitive, share with them in one `swift test` run.
@Suite(.serialized) enum ZMQToolSuite {}
