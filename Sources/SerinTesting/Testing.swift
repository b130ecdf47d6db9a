@_exported import LocalCluster
import KubeSandbox

/// Starts a sandbox for one test and stops it afterwards.
public func withSandbox<T>(_ options: Sandbox.Options = Sandbox.Options(), _ body: (Sandbox) async throws -> T) async throws -> T {
    try await Sandbox.with(options, body)
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes.
public func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
