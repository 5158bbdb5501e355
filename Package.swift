// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Skiff",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "APIMachinery", targets: ["APIMachinery"]),
        .library(name: "RaftCore", targets: ["RaftCore"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "KVStore", targets: ["KVStore"]),
        .executable(name: "skiff", targets: ["skiff"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "APIMachinery",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(name: "RaftCore"),
        .target(name: "Simulation", dependencies: ["RaftCore"]),
        .target(name: "KVStore", dependencies: ["RaftCore"]),
        .executableTarget(
            name: "skiff",
            dependencies: [
                "APIMachinery",
                "RaftCore",
                "Simulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "APIMachineryTests",
            dependencies: ["APIMachinery"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "KVStoreTests", dependencies: ["KVStore"]),
        .testTarget(
            name: "RaftCoreTests",
            dependencies: ["RaftCore", "Simulation"],
            exclude: ["testdata"]
        ),
    ]
)
