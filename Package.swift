// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Skiff",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "APIMachinery", targets: ["APIMachinery"]),
        .library(name: "RaftCore", targets: ["RaftCore"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "KVStore", targets: ["KVStore"]),
        .library(name: "APIServer", targets: ["APIServer"]),
        .library(name: "Client", targets: ["Client"]),
        .library(name: "Scheduler", targets: ["Scheduler"]),
        .library(name: "Controllers", targets: ["Controllers"]),
        .library(name: "Component", targets: ["Component"]),
        .library(name: "Kubelet", targets: ["Kubelet"]),
        .library(name: "HTTPServing", targets: ["HTTPServing"]),
        .executable(name: "kvstore", targets: ["kvstore"]),
        .executable(name: "apiserver", targets: ["apiserver"]),
        .executable(name: "scheduler", targets: ["scheduler"]),
        .executable(name: "controller-manager", targets: ["controller-manager"]),
        .executable(name: "kubelet", targets: ["kubelet"]),
        .executable(name: "skiff", targets: ["skiff"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.0.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.0.0"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.36.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "APIMachinery",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(name: "RaftCore"),
        .target(name: "Simulation", dependencies: ["RaftCore"]),
        .target(name: "DataDriven"),
        .target(
            name: "EtcdAPI",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ]
        ),
        .target(
            name: "CRIAPI",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ]
        ),
        .target(name: "CCRC32C"),
        .systemLibrary(name: "CLibcap", path: "Sources/CLibcap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        .target(
            name: "KVStore",
            dependencies: [
                "CCRC32C",
                "RaftCore",
                "EtcdAPI",
                "Component",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(
            name: "APIServer",
            dependencies: [
                "APIMachinery",
                "HTTPServing",
                "EtcdAPI",
                "Component",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        .target(
            name: "HTTPServing",
            dependencies: [
                "APIMachinery",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "Client",
            dependencies: [
                "APIMachinery",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                "Component",
            ]
        ),
        .target(
            name: "Component",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(name: "Scheduler", dependencies: ["APIMachinery", "Client", "Component", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Controllers", dependencies: ["APIMachinery", "Client", "Component", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "Kubelet",
            dependencies: [
                "APIMachinery", "Client", "Component", "CRIAPI", "Scheduler", "CLibcap", "HTTPServing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "kubelet",
            dependencies: [
                "Kubelet",
                "HTTPServing",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "Client",
                "Component",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "controller-manager",
            dependencies: [
                "Controllers",
                "Client",
                "Component",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "scheduler",
            dependencies: [
                "Scheduler",
                "Client",
                "Component",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "skiff-fuzz",
            dependencies: ["APIMachinery", "Component"]
        ),
        .executableTarget(
            name: "apiserver",
            dependencies: [
                "APIServer",
                "Component",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "kvstore",
            dependencies: [
                "KVStore",
                "Component",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "skiff",
            dependencies: [
                "APIMachinery",
                "Kubelet",
                .product(name: "Logging", package: "swift-log"),
                "Component",
                "Client",
                "RaftCore",
                "Simulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "APIMachineryTests",
            dependencies: ["APIMachinery"],
            exclude: ["Fixtures", "ProtobufFixtures"]
        ),
        .testTarget(name: "ClientTests", dependencies: ["Client", "APIMachinery", "Component"]),
        .testTarget(
            name: "ComponentTests",
            dependencies: ["Component", "Client", "APIMachinery", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "ControllersTests",
            dependencies: ["Controllers", "Client", "APIMachinery", "Component", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "KubeletTests", dependencies: [
            "Kubelet", "CRIAPI", "Client", "APIMachinery", "Component", "HTTPServing",
            .product(name: "GRPCCore", package: "grpc-swift-2"),
            .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        ]),
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler", "Client", "APIMachinery", "Component"]),
        .testTarget(
            name: "APIServerTests",
            dependencies: ["APIServer", "HTTPServing", "APIMachinery", "DataDriven", "Component", .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "CompressNIO", package: "compress-nio"), .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOTLS", package: "swift-nio")],
            exclude: ["testdata"]
        ),
        .testTarget(
            name: "KVStoreTests",
            dependencies: [
                "KVStore", "EtcdAPI", "Simulation",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "RaftCoreTests",
            dependencies: ["RaftCore", "Simulation", "DataDriven"],
            exclude: ["testdata"]
        ),
    ]
)
