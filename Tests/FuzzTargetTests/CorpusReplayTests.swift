import Foundation
import FuzzTargets
import Testing

/// Every fuzz target's checked-in corpus (`Fuzz/Corpus/TARGET`: its seeds and
/// the inputs that once crashed it or added coverage) runs through the target
/// on every test run; a target traps when an oracle fails. `scripts/fuzz.sh`
/// fuzzes them for real, with coverage guidance.
///
/// The replay is CPU work: it runs on a thread of its own, never on Swift's
/// cooperative pool, whose two threads here the async suites need. Under
/// ThreadSanitizer (which looks for races, and where the replay costs ten
/// times more) only the seeds run; the CI's fuzzing step runs the corpus.
@Suite("Fuzz corpus replay", .timeLimit(.minutes(2)))
struct CorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/Corpus")

    @Test(
        .disabled(if: dlsym(nil, "__tsan_init") != nil, "the seeds run under ThreadSanitizer; the corpus in the plain run"),
        arguments: FuzzTarget.all.map(\.name))
    func theCheckedInCorpusRunsCleanly(target name: String) async throws {
        let target = try #require(FuzzTarget.named(name))
        let folder = Self.corpus.appendingPathComponent(name)
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        #expect(files.count >= target.seeds().count, "Fuzz/Corpus/\(name) lacks its seeds: run zeromq-fuzz --write-seeds")
        let inputs = try files.map { Array(try Data(contentsOf: $0)) }
        await onOwnThread { for input in inputs { target.run(input) } }
    }

    @Test(arguments: FuzzTarget.all.map(\.name))
    func theSeedsRunCleanly(target name: String) async throws {
        let target = try #require(FuzzTarget.named(name))
        await onOwnThread { for seed in target.seeds() { target.run(seed) } }
    }
}

/// Runs `work` on a thread of its own and waits for it without holding a thread of Swift's pool.
func onOwnThread(_ work: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let thread = Thread {
            work()
            continuation.resume()
        }
        thread.name = "fuzz-corpus-replay"
        thread.start()
    }
}
