import Foundation
@testable import LoadTester
import NIOHTTP1
import OutboundHTTP
import Testing

/// `/metrics`, scraped and parsed as Prometheus' text format.
@Suite struct LoadTesterMetricsTests {
    /// The samples of a scrape, by series (`name{labels}` as written), and the `# TYPE` of each family.
    static func scrape(_ url: String) async throws -> (samples: [String: Double], types: [String: String]) {
        let response = try await OutboundHTTP(proxies: ProxySettings()).send(.GET, url + "/metrics", timeout: .seconds(10))
        #expect(response.status == 200)
        #expect(response.headers(named: "Content-Type").first?.hasPrefix("text/plain; version=0.0.4") == true)
        var samples: [String: Double] = [:]
        var types: [String: String] = [:]
        for line in response.text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let words = line.split(separator: " ")
                if words.count == 4 { types[String(words[2])] = String(words[3]) }
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                Issue.record("not a sample line: \(line)")
                continue
            }
            samples[String(line[..<space])] = value
        }
        return (samples, types)
    }

    @Test func tasksGatesAndTheProcessAreExposed() async throws {
        var options = LoadTesterOptions()
        options.token = "t"
        try await withLoadTester(options) { (_, url) async throws in
            let auth = [("Authorization", "Bearer t")]
            let before = try await Self.scrape(url)
            #expect(before.samples[#"serin_loadtester_tasks_started_total{type="concord"}"#] == 0, "every type reads 0 from the start")
            #expect(before.types["serin_loadtester_tasks_started_total"] == "counter")
            #expect(before.types["serin_loadtester_tasks_running"] == "gauge")
            _ = try await post(url + "/", payload(metadata: ["type": "bash", "cmd": "true"]), headers: auth)
            _ = try await post(url + "/", payload(metadata: ["type": "bash", "cmd": "exit 1"]), headers: auth)
            #expect(try await post(url + "/", payload(metadata: ["cmd": "sleep 30"]), headers: auth) == "202 command started")
            _ = try await post(url + "/gate/open", payload(), headers: auth)
            _ = try await post(url + "/rollback/open", payload(name: "a"), headers: auth)
            _ = try await post(url + "/rollback/open", payload(name: "b"), headers: auth)
            let after = try await Self.scrape(url)
            #expect(after.samples[#"serin_loadtester_tasks_started_total{type="bash"}"#] == 2)
            #expect(after.samples[#"serin_loadtester_tasks_succeeded_total{type="bash"}"#] == 1)
            #expect(after.samples[#"serin_loadtester_tasks_failed_total{type="bash"}"#] == 1)
            #expect(after.samples[#"serin_loadtester_tasks_started_total{type="cmd"}"#] == 1)
            #expect(after.samples[#"serin_loadtester_tasks_running{type="cmd"}"#] == 1)
            #expect(after.samples[#"serin_loadtester_tasks_running{type="bash"}"#] == 0)
            #expect(after.samples[#"serin_loadtester_gates_open{kind="gate"}"#] == 1)
            #expect(after.samples[#"serin_loadtester_gates_open{kind="rollback"}"#] == 2)
            #expect(after.samples[#"serin_loadtester_requests_total{path="/",code="500"}"#] == 1)
            #expect(after.samples[#"serin_loadtester_requests_total{path="/gate/open",code="202"}"#] == 1)
            #expect(after.samples[#"serin_loadtester_requests_total{path="/metrics",code="200"}"#] == 1, "no token needed, as /healthz")
            #expect((after.samples["process_resident_memory_bytes"] ?? 0) > 1_000_000)
            #expect(after.types["process_cpu_seconds_total"] == "counter")
            #expect((after.samples["process_cpu_seconds_total"] ?? 0) > 0)
        }
    }

    @Test func unknownPathsShareOneSeries() {
        let metrics = LoadTesterMetrics()
        metrics.answered(path: "/random/\(UUID())", status: 404)
        metrics.answered(path: "/another", status: 404)
        let text = metrics.exposition(running: [:], gates: [:])
        #expect(text.contains(#"serin_loadtester_requests_total{path="other",code="404"} 2"#))
    }
}
