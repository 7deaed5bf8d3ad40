import FuzzTargets

#if FUZZING
    // Built by scripts/fuzz.sh with -sanitize=fuzzer: libFuzzer's own main
    // runs the target that ZEROMQ_FUZZ_TARGET names.
    import Foundation

    nonisolated(unsafe) private var selected: FuzzTarget?

    @_cdecl("LLVMFuzzerInitialize")
    public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>)
        -> CInt
    {
        let name = getenv("ZEROMQ_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let target = FuzzTarget.named(name) else {
            let names = FuzzTarget.all.map(\.name).joined(separator: ", ")
            FileHandle.standardError.write(Data("zeromq-fuzz: set ZEROMQ_FUZZ_TARGET to one of: \(names)\n".utf8))
            exit(2)
        }
        selected = target
        return 0
    }

    @_cdecl("LLVMFuzzerTestOneInput")
    public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        selected!.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
#else
    import Foundation

    /// Without libFuzzer: `zeromq-fuzz TARGET FILE|FOLDER…` runs inputs through
    /// a target (to replay a crash), and `zeromq-fuzz --write-seeds FOLDER`
    /// writes every target's seeds to `FOLDER/TARGET/`.
    @main
    struct FuzzMain {
        static func main() throws {
            let arguments = Array(CommandLine.arguments.dropFirst())
            let names = FuzzTarget.all.map(\.name).joined(separator: ", ")
            if arguments.first == "--write-seeds", arguments.count == 2 {
                try writeSeeds(to: URL(fileURLWithPath: arguments[1]))
                return
            }
            guard let name = arguments.first, let target = FuzzTarget.named(name), arguments.count > 1 else {
                FileHandle.standardError.write(
                    Data(
                        "usage: zeromq-fuzz TARGET FILE|FOLDER… or zeromq-fuzz --write-seeds FOLDER (targets: \(names))\n"
                            .utf8))
                exit(2)
            }
            var count = 0
            for path in arguments.dropFirst() {
                for file in try inputs(at: path) {
                    target.run(Array(try Data(contentsOf: file)))
                    count += 1
                }
            }
            print("\(target.name): \(count) inputs ran")
        }

        static func inputs(at path: String) throws -> [URL] {
            let url = URL(fileURLWithPath: path)
            guard (try url.resourceValues(forKeys: [.isDirectoryKey])).isDirectory == true else { return [url] }
            return try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
                .sorted { $0.path < $1.path }
        }

        static func writeSeeds(to folder: URL) throws {
            for target in FuzzTarget.all {
                let directory = folder.appendingPathComponent(target.name)
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                for (index, seed) in target.seeds().enumerated() {
                    try Data(seed).write(to: directory.appendingPathComponent("seed-\(index + 1)"))
                }
            }
        }
    }
#endif
