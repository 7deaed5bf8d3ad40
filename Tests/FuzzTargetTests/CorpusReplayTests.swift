import Foundation
import FuzzTargets
import Testing

/// Every fuzz target's checked-in corpus (`Fuzz/Corpus/TARGET`: its seeds and
/// the inputs that once crashed it) runs through the target on every test
/// run; a target traps when an oracle fails. `scripts/fuzz.sh` fuzzes them
/// for real, with coverage guidance.
@Suite("Fuzz corpus replay", .timeLimit(.minutes(2)))
struct CorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/Corpus")

    @Test(arguments: FuzzTarget.all.map(\.name))
    func theCheckedInCorpusRunsCleanly(target name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        let folder = Self.corpus.appendingPathComponent(name)
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        #expect(files.count >= target.seeds().count, "Fuzz/Corpus/\(name) lacks its seeds: run zeromq-fuzz --write-seeds")
        for file in files { target.run(Array(try Data(contentsOf: file))) }
    }

    @Test(arguments: FuzzTarget.all.map(\.name))
    func theSeedsRunCleanly(target name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        for seed in target.seeds() { target.run(seed) }
    }
}
