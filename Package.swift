// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "swift-zeromq",
    products: [
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
        .executable(name: "pubsub-demo", targets: ["PubSubDemo"]),
        .executable(name: "zeromq-benchmarks", targets: ["ZeroMQBenchmarks"]),
    ],
    targets: [
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"]), .brew(["zeromq"])]
        ),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        .executableTarget(
            name: "PubSubDemo",
            dependencies: ["ZeroMQ"],
            path: "examples/pubsub-demo"
        ),
        .target(name: "CBaseline", dependencies: ["CZeroMQ"], path: "Benchmarks/CBaseline"),
        .target(name: "MallocCounter", path: "Benchmarks/MallocCounter"),
        .executableTarget(
            name: "ZeroMQBenchmarks",
            dependencies: ["ZeroMQ", "CBaseline", "MallocCounter"],
            path: "Benchmarks/ZeroMQBenchmarks"
        ),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
    ],
    swiftLanguageModes: [.v6]
)
