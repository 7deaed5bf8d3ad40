// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "swift-zeromq",
    products: [
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
        .executable(name: "pubsub-demo", targets: ["PubSubDemo"]),
        .executable(name: "zeromq-benchmarks", targets: ["ZeroMQBenchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"]), .brew(["zeromq"])]
        ),
        .target(
            name: "ZeroMQ",
            dependencies: ["CZeroMQ", .product(name: "Logging", package: "swift-log")]
        ),
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
