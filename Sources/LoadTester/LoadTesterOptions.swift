import Foundation

/// How `serin loadtester` runs.
public struct LoadTesterOptions: Sendable {
    /// The address to listen on.
    public var host = "0.0.0.0"
    /// The port to listen on (Flagger's load tester: 9090); 0 picks a free one.
    public var port = 9090
    /// The longest a command runs (Flagger's `-timeout`, 1h).
    public var timeout: Duration = .seconds(3600)
    /// Which commands run (`--allow`).
    public var policy = CommandPolicy()
    /// When set, every request but `/healthz` and `/metrics` needs `Authorization: Bearer <token>` (`--token-file`).
    public var token: String?
    /// Only payloads whose namespace matches are served (Flagger's `-namespace-regexp`).
    public var namespacePattern: String?
    /// Sends `hey`'s requests through this HTTP proxy (`--hey-proxy`; hey ignores `HTTP_PROXY`). The sandbox
    /// uses it so that load tests reach its traffic simulator.
    public var heyProxy: URL?
    /// The environment commands run with.
    public var environment = ProcessInfo.processInfo.environment

    public init() {}
}
