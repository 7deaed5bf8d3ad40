/// How long a test waits for progress that needs Swift's cooperative pool: a
/// device coming up, a message passing, an acknowledgement, a report. 30 s.
///
/// Why so long when it takes milliseconds: most likely the cooperative pool.
/// The test process runs every suite at once, and its pool has one thread per
/// core, two here. A test that blocks (every synchronous one, about 47 of
/// which wait in a blocking receive or poll, and any async one that calls a
/// blocking receive) holds its pool thread for as long as it runs, so when two
/// of them run, no awaiting test can resume until one ends. Under ThreadSanitizer, which slows everything
/// several times, that has held whole groups of async tests for 15–20 s (in a
/// fresh-clone CI run, a dozen async tests that take milliseconds alone each
/// passed after 20.4–21.1 s, their waits ending together). A bound of 10 or
/// 20 s then fails with nothing wrong but the wait.
public let stallTolerantTimeout: Duration = .seconds(30)
