// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Flipside",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "flipside", targets: ["flipside"]),
        .library(name: "MatchingEngine", targets: ["MatchingEngine"]),
        .library(name: "FlipsideCore", targets: ["FlipsideCore"]),
        .library(name: "FlipsideServer", targets: ["FlipsideServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/leaf-kit.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
    ],
    targets: [
        .target(name: "MatchingEngine", swiftSettings: swiftSettings),
        // ICU's spoof checker (Unicode TS #39 confusable skeletons), from the system's libicu-dev.
        .target(name: "CUnicodeSecurity", linkerSettings: [.linkedLibrary("icui18n"), .linkedLibrary("icuuc"), .linkedLibrary("icudata")]),
        .executableTarget(name: "EmbedResourcesTool", swiftSettings: swiftSettings),
        .plugin(name: "EmbedResources", capability: .buildTool(), dependencies: ["EmbedResourcesTool"]),
        .target(
            name: "FlipsideCore",
            dependencies: [
                "MatchingEngine",
                "CUnicodeSecurity",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FlipsideServer",
            dependencies: [
                "FlipsideCore",
                "MatchingEngine",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "LeafKit", package: "leaf-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedResources"]
        ),
        .executableTarget(
            name: "flipside",
            dependencies: [
                "FlipsideServer",
                "FlipsideCore",
                "MatchingEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "MatchingEngineTests", dependencies: ["MatchingEngine"], swiftSettings: swiftSettings),
        // In-memory stores and people/date factories shared by the Core tests (not a test target: no tests of its own).
        .target(name: "FlipsideCoreTestSupport", dependencies: ["FlipsideCore", "MatchingEngine"], path: "Tests/FlipsideCoreTestSupport",
                swiftSettings: swiftSettings),
        .testTarget(name: "FlipsideCoreTests",
                    dependencies: ["FlipsideCore", "FlipsideCoreTestSupport", "MatchingEngine", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
                    swiftSettings: swiftSettings),
        .testTarget(
            name: "FlipsideServerTests",
            dependencies: [
                "FlipsideServer",
                "FlipsideCoreTestSupport",
                .product(name: "Fluent", package: "fluent"),
                .product(name: "VaporTesting", package: "vapor"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
