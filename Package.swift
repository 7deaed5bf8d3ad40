// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "swift-zeromq",
    products: [
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
        .library(name: "ZeroMQChannels", targets: ["ZeroMQChannels"]),
        .executable(name: "pubsub-demo", targets: ["PubSubDemo"]),
        .executable(name: "zeromq-benchmarks", targets: ["ZeroMQBenchmarks"]),
        .executable(name: "zmq", targets: ["zmq"]),
        .executable(name: "delivery", targets: ["Delivery"]),
        .executable(name: "zeromq-fuzz", targets: ["ZeroMQFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"]), .brew(["zeromq"])]
        ),
        .target(
            name: "ZeroMQ",
            dependencies: [
                "CZeroMQ", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        // Typed events over the binding: topics, envelopes, codecs, the channel
        // ends, the acknowledged channel. Built on the binding's public API and,
        // where a hot path needs it, on its `package` declarations (see
        // `Message.unsafeBytes`): visible to this package's targets, never to users.
        .target(
            name: "ZeroMQChannels",
            dependencies: [
                "ZeroMQ", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ]
        ),
        .executableTarget(
            name: "PubSubDemo",
            dependencies: ["ZeroMQ", "ZeroMQChannels"],
            path: "examples/pubsub-demo"
        ),
        .target(name: "CBaseline", dependencies: ["CZeroMQ"], path: "Benchmarks/CBaseline"),
        .target(name: "MallocCounter", path: "Benchmarks/MallocCounter"),
        .executableTarget(
            name: "ZeroMQBenchmarks",
            dependencies: [
                "ZeroMQ", "ZeroMQChannels", "CBaseline", "MallocCounter", "DeliveryKit", "DeliveryPostgres",
                .product(name: "Logging", package: "swift-log"), .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Benchmarks/ZeroMQBenchmarks"
        ),
        .target(name: "ZMQOutput", dependencies: ["ZeroMQ", "ZeroMQChannels"]),
        .executableTarget(
            name: "zmq",
            dependencies: [
                "ZeroMQ", "ZeroMQChannels", "ZMQOutput",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Sources/zmq"
        ),
        .target(
            name: "DeliveryKit",
            dependencies: [
                "ZeroMQ", "ZeroMQChannels", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "examples/delivery/DeliveryKit"
        ),
        // The event store and the read models on PostgreSQL, for more than one
        // machine: a target of its own, so that what needs only SQLite (the
        // fuzz targets among them) does not build SwiftNIO.
        .target(
            name: "DeliveryPostgres",
            dependencies: [
                "DeliveryKit", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "examples/delivery/DeliveryPostgres"
        ),
        .executableTarget(
            name: "Delivery",
            dependencies: [
                "DeliveryKit", "DeliveryPostgres", "ZeroMQ", "ZeroMQChannels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "examples/delivery/Delivery"
        ),
        .target(
            name: "FuzzTargets",
            dependencies: [
                "ZeroMQ", "ZeroMQChannels", "ZMQOutput", "DeliveryKit", .product(name: "Logging", package: "swift-log"),
            ],
            path: "Fuzz/FuzzTargets"
        ),
        .executableTarget(name: "ZeroMQFuzz", dependencies: ["FuzzTargets"], path: "Fuzz/ZeroMQFuzz"),
        .executableTarget(name: "ChannelVictim", dependencies: ["ZeroMQ", "ZeroMQChannels"], path: "Tests/ChannelVictim"),
        // What the test targets share: child processes without Foundation's
        // `Process`, the pyzmq peer, and the open-file limit raised at load.
        .target(name: "CTestSupport", path: "Tests/CTestSupport"),
        .target(name: "TestSupport", dependencies: ["CTestSupport"], path: "Tests/TestSupport"),
        .testTarget(
            name: "ZeroMQTests",
            dependencies: [
                "ZeroMQ", "ZeroMQChannels", "TestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ]),
        .testTarget(name: "FuzzTargetTests", dependencies: ["FuzzTargets"], path: "Tests/FuzzTargetTests"),
        .testTarget(
            name: "DeliveryTests",
            dependencies: [
                "DeliveryKit", "DeliveryPostgres", "ZeroMQ", "ZeroMQChannels", "TestSupport",
                .product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/DeliveryTests"),
        .testTarget(
            name: "ZMQToolTests", dependencies: ["ZeroMQ", "ZeroMQChannels", "TestSupport"], path: "Tests/ZMQToolTests"),
    ],
    swiftLanguageModes: [.v6]
)
