// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every target: Swift 6 language mode (complete strict concurrency) plus the
/// upcoming features that keep imports and existentials explicit. Release builds optimise across Serin's
/// modules (`-cross-module-optimization`): generic caches, codecs and clients used from another module are
/// specialised there instead of looking type metadata up at run time (about 5% of the operator's
/// instructions per step, docs/benchmarks.md). An unsafe flag: Serin is an application, never a dependency.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "serin",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "serin", targets: ["serin"]),
        .library(name: "KubeCore", targets: ["KubeCore"]),
        .library(name: "KubeClient", targets: ["KubeClient"]),
        .library(name: "KubeRuntime", targets: ["KubeRuntime"]),
        .library(name: "KubeAPIServer", targets: ["KubeAPIServer"]),
        .library(name: "KubeSandbox", targets: ["KubeSandbox"]),
    ],
    // `Sandbox` (on by default) builds `serin sandbox` and `serin demo` into the binary: an embedded API server,
    // mesh simulators and the code that starts kubectl and Prometheus. The image builds the operator without it
    // (`--disable-default-traits`, see Dockerfile and scripts/release-check.sh), so none of that ships.
    traits: [
        .trait(name: "Sandbox", description: "serin sandbox and serin demo: the embedded cluster, for trying Serin and for its tests"),
        .default(enabledTraits: ["Sandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.25.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.10.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
    ],
    targets: [
        // MARK: Kubernetes layer (never imports canary code)
        .target(
            name: "KubeCore",
            dependencies: [.product(name: "OrderedCollections", package: "swift-collections"), .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Canary layer
        .target(
            name: "CanaryAPI",
            dependencies: ["KubeCore", .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CanaryCore",
            dependencies: ["CanaryAPI", "KubeCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OutboundHTTP",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Webhooks",
            dependencies: [
                "CanaryAPI", "CanaryCore", "KubeCore", "OutboundHTTP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Metric providers are leaves: a provider reads its template's settings and answers a query, nothing more.
        .target(
            name: "MetricProviders",
            dependencies: [
                "CanaryAPI", "KubeCore", "OutboundHTTP", "PrometheusAPI",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The analysis engine: templates from the cache, their Secrets, rendering, the provider, the verdict.
        .target(
            name: "Analysis",
            dependencies: ["CanaryAPI", "CanaryCore", "KubeCore", "KubeClient", "KubeRuntime", "MetricProviders", "OutboundHTTP"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Notifiers",
            dependencies: [
                "CanaryAPI", "KubeCore", "OutboundHTTP", .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Routers",
            dependencies: ["CanaryAPI", "CanaryCore", "KubeCore", "KubeClient", "KubeRuntime"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Targets",
            dependencies: ["CanaryAPI", "CanaryCore", "KubeCore", "KubeClient", "KubeRuntime"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OTLPTracing",
            dependencies: [
                "CanaryAPI", "CanaryCore", "KubeCore", "OutboundHTTP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Alerting",
            dependencies: [
                "CanaryAPI", "CanaryCore", "KubeCore", "KubeClient", "KubeRuntime", "Notifiers",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CanaryController",
            dependencies: [
                "Alerting", "OTLPTracing", "Analysis", "CanaryAPI", "CanaryCore", "KubeCore", "KubeClient", "KubeRuntime", "MetricProviders",
                "Notifiers", "OutboundHTTP",
                "Routers", "Targets", "Webhooks",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KubeRuntime",
            dependencies: [
                "KubeCore",
                "KubeClient",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KubeAPIServer",
            dependencies: [
                "ChildProcesses",
                "KubeCore",
                "KubeClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Simulated cluster (meshes, workloads, traffic, Envoy) around the API server; never in the image
        .target(
            name: "KubeSandbox",
            dependencies: [
                "ChildProcesses",
                "KubeAPIServer",
                "KubeCore",
                "KubeClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ChildProcesses",
            swiftSettings: swiftSettings
        ),

        .target(
            name: "LoadTester",
            dependencies: [
                "ChildProcesses", "KubeCore", "KubeRuntime", "OutboundHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "Demo",
            dependencies: [
                "KubeAPIServer", "Analysis", "CanaryAPI", "CanaryController", "CanaryCore", "KubeClient", "KubeCore", "KubeSandbox", "LoadTester",
                "LocalCluster",
                "MetricProviders",
                "OutboundHTTP", "Routers",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Local tools (real kubectl and Prometheus around a sandbox) and test support
        .target(
            name: "LocalCluster",
            dependencies: [
                "ChildProcesses", "KubeCore", "KubeSandbox",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SerinTesting",
            dependencies: [
                "KubeClient", "KubeAPIServer", "KubeCore", "LocalCluster", "KubeSandbox",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Executables
        // MARK: `serin dashboard`: a local web page, with the user's own kubeconfig
        .target(
            name: "Dashboard",
            dependencies: [
                "CanaryAPI", "KubeCore", "KubeClient", "KubeRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "serin",
            dependencies: [
                "OTLPTracing", "LoadTester", "Dashboard", "CanaryCore",
                .target(name: "Demo", condition: .when(traits: ["Sandbox"])),
                "Webhooks",
                "CanaryAPI",
                "Notifiers",
                "Routers",
                "Targets",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                "KubeCore",
                "KubeClient",
                "KubeRuntime",
                .target(name: "KubeSandbox", condition: .when(traits: ["Sandbox"])),
                "CanaryController",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PrometheusAPI",
            dependencies: ["KubeCore"],
            swiftSettings: swiftSettings
        ),

        // MARK: Fuzzing (scripts/fuzz.sh builds serin-fuzz with libFuzzer; FuzzTests replays the corpus)
        .target(
            name: "FuzzTargets",
            dependencies: ["KubeCore", "CanaryAPI", "CanaryCore", "PrometheusAPI"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "serin-fuzz",
            dependencies: ["FuzzTargets"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "serin-bench",
            dependencies: [
                "CanaryAPI", "CanaryCore", "KubeAPIServer", "KubeCore",
                "KubeClient",
                "KubeRuntime",
                "KubeSandbox",
                "CanaryController",
                "LocalCluster",
                "ChildProcesses",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/serin-bench",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests
        .testTarget(
            name: "FuzzTests",
            dependencies: ["FuzzTargets"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DashboardTests",
            dependencies: ["Dashboard", "CanaryAPI", "KubeCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ChildProcessesTests",
            dependencies: ["ChildProcesses", "SerinTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KubeCoreTests",
            dependencies: ["KubeCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CanaryControllerTests",
            dependencies: [
                "OutboundHTTP", "LoadTester", "OTLPTracing", "Alerting", "KubeAPIServer", "CanaryAPI", "CanaryController", "CanaryCore", "KubeClient",
                "KubeCore", "KubeRuntime",
                "KubeSandbox", "Notifiers",
                "SerinTesting",
                "Targets",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ScenarioTests",
            dependencies: [
                "OTLPTracing", "KubeAPIServer", "ChildProcesses", "KubeCore", "KubeClient", "KubeSandbox", "CanaryController", "SerinTesting",
                "Dashboard", "LocalCluster",
                "MetricProviders",
                "OutboundHTTP",
                "LoadTester", "Webhooks", "Notifiers", "CanaryAPI", "KubeRuntime", "Routers",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["FlaggerIstio", "FlaggerExamples"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RoutersTests",
            dependencies: [
                "Analysis", "CanaryAPI", "CanaryCore", "KubeCore", "KubeClient", "KubeRuntime", "KubeSandbox", "MetricProviders", "Routers",
                "Targets", "Notifiers",
            ],
            resources: [.copy("Golden")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MetricProvidersTests",
            dependencies: [
                "Analysis", "CanaryAPI", "CanaryCore", "ChildProcesses", "KubeAPIServer", "KubeClient", "KubeCore", "KubeRuntime",
                "KubeSandbox", "LocalCluster", "MetricProviders", "OutboundHTTP", "PrometheusAPI", "SerinTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["FlaggerTemplates"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WebhooksTests",
            dependencies: [
                "CanaryAPI", "KubeAPIServer", "KubeCore", "Notifiers", "OutboundHTTP", "Webhooks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CommandLineTests",
            dependencies: [
                "KubeAPIServer", "ChildProcesses", "CanaryAPI", "CanaryController", "KubeClient", "KubeCore", "KubeRuntime", "KubeSandbox",
                "LocalCluster", "Routers", "SerinTesting",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LoadTesterTests",
            dependencies: [
                "KubeCore", "LoadTester", "OutboundHTTP", "SerinTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OutboundHTTPTests",
            dependencies: [
                "OutboundHTTP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CanaryCoreTests",
            dependencies: ["CanaryAPI", "CanaryCore", "KubeCore", "Routers", .product(name: "Yams", package: "Yams")],
            exclude: ["Reference"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KubeRuntimeTests",
            dependencies: [
                "KubeAPIServer", "KubeCore", "KubeClient", "KubeRuntime", "KubeSandbox", "SerinTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KubeSandboxTests",
            dependencies: [
                "KubeAPIServer", "ChildProcesses", "KubeCore", "KubeClient", "KubeSandbox", "LocalCluster", "SerinTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "ChildProcesses",
                "KubeCore",
                "KubeClient",
                "SerinTesting",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
