// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "pingyi",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pingyi", targets: ["pingyi"]),
        .library(name: "PingyiCore", targets: ["PingyiCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.110.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.12.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.8.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.10.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.4.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.19"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.65.0"),
        // Already in Vapor's graph; named here because `serve` builds its TLS configuration and redirect port itself.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.27.0"),
    ],
    targets: [
        // zlib for reading uploaded ZIPs ourselves (see UploadedZip.swift).
        .systemLibrary(name: "PingyiZlib", path: "Sources/PingyiZlib"),
        .target(
            name: "PingyiCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "App",
            dependencies: [
                "PingyiCore",
                "PingyiZlib",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "pingyi",
            dependencies: ["App"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "pingyi-bench",
            dependencies: [
                "PingyiCore",
                "App",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Vapor", package: "vapor"),
            ],
            path: "bench/Sources/pingyi-bench",
            swiftSettings: swiftSettings
        ),
        // Draws paper pages as a printer and scanner would, for the reading tests (core and HTTP).
        .target(
            name: "PaperPageDrawing",
            dependencies: ["PingyiCore"],
            path: "Tests/PaperPageDrawing",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PingyiCoreTests",
            dependencies: ["PingyiCore", "PaperPageDrawing"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App",
                "PaperPageDrawing",
                .product(name: "VaporTesting", package: "vapor"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

var swiftSettings: [SwiftSetting] {
    [.enableUpcomingFeature("ExistentialAny")]
}
