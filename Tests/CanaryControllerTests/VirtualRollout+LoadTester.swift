import Foundation
import LoadTester
import Logging
import NIOHTTP1
import OutboundHTTP

extension VirtualRollout {
    /// `serin loadtester` on a free loopback port, in a task of its own (cancel it to stop the load tester).
    static func startLoadTester() async throws -> (port: Int, task: Task<Void, any Error>) {
        var options = LoadTesterOptions()
        options.host = "127.0.0.1"
        options.port = 0
        var logger = Logger(label: "virtual.loadtester")
        logger.logLevel = .warning
        return await try LoadTester(options: options, logger: logger).start()
    }

    /// The load tester's address for a webhook's `url`, such as `loadTester("/gate/check")`.
    func loadTester(_ path: String) throws -> String {
        guard let loadTesterPort else { throw VirtualRolloutError(description: "the story runs without a load tester") }
        return "http://127.0.0.1:\(loadTesterPort)\(path)"
    }

    /// POSTs a canary's payload to the load tester, as `curl` in the cluster would; returns the status.
    @discardableResult
    func postToLoadTester(_ path: String, canary: String) async throws -> Int {
        let body = #"{"name":"\#(canary)","namespace":"demo"}"#
        return try await OutboundHTTP(proxies: ProxySettings()).send(
            .POST, try loadTester(path), headers: [("Content-Type", "application/json")], body: Array(body.utf8), timeout: .seconds(30)
        ).status
    }
}
