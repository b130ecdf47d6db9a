import AsyncHTTPClient
import ChildProcesses
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeSandbox
import NIOCore
import NIOHTTP1
import SerinTesting
import Testing

/// Flagger's built-in Istio queries, with the template filled in as Flagger renders them.
enum FlaggerQueries {
    static func successRate(namespace: String, target: String, interval: String) -> String {
        let selector = #"reporter="destination",destination_workload_namespace="\#(namespace)",destination_workload=~"\#(target)""#
        return
            #"sum(rate(istio_requests_total{\#(selector),response_code!~"5.*"}[\#(interval)])) / sum(rate(istio_requests_total{\#(selector)}[\#(interval)])) * 100"#
    }

    static func duration(namespace: String, target: String, interval: String) -> String {
        let selector = #"reporter="destination",destination_workload_namespace="\#(namespace)",destination_workload=~"\#(target)""#
        return #"histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{\#(selector)}[\#(interval)])) by (le))"#
    }
}

let meshManifest = """
    apiVersion: v1
    kind: Namespace
    metadata: {name: demo}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web-primary, namespace: demo}
    spec:
      selector: {matchLabels: {app: web-primary}}
      template:
        metadata:
          labels: {app: web-primary}
          annotations: {sandbox.serin.dev/latency-ms: "5", sandbox.serin.dev/rps: "50", sandbox.serin.dev/ready-after: 10ms}
        spec: {containers: [{name: web, image: web:1}]}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: demo}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata:
          labels: {app: web}
          annotations:
            sandbox.serin.dev/error-ratio: "0.2"
            sandbox.serin.dev/latency-ms: "60"
            sandbox.serin.dev/latency-p99-ms: "180"
            sandbox.serin.dev/ready-after: 10ms
        spec: {containers: [{name: web, image: web:2}]}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web-primary, namespace: demo}
    spec: {selector: {app: web-primary}, ports: [{port: 8000, targetPort: 80}]}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web-canary, namespace: demo}
    spec: {selector: {app: web}, ports: [{port: 8000, targetPort: 80}]}
    ---
    apiVersion: networking.istio.io/v1beta1
    kind: VirtualService
    metadata: {name: web, namespace: demo}
    spec:
      hosts: [web]
      http:
      - route:
        - {destination: {host: web-primary}, weight: 60}
        - {destination: {host: web-canary}, weight: 40}
    """

@Suite(.serialized) struct TrafficTests {
    @Test func trafficFollowsTheVirtualServiceWeights() async throws {
        var options = Sandbox.Options()
        options.simulateTraffic = false  // the test steps traffic itself
        try await withSandbox(options) { sandbox in
            try await Kubectl(sandbox).succeed(["apply", "-f", "-"], stdin: meshManifest)
            try await Kubectl(sandbox).succeed(["rollout", "status", "deploy/web", "-n", "demo"])
            try await Kubectl(sandbox).succeed(["rollout", "status", "deploy/web-primary", "-n", "demo"])
            for _ in 0..<10 { await sandbox.stepTraffic(seconds: 1) }
            let primary = await sandbox.metrics.requestCount(workload: "web-primary", namespace: "demo")
            let canary = await sandbox.metrics.requestCount(workload: "web", namespace: "demo")
            #expect(abs(primary - 300) < 0.01 && abs(canary - 200) < 0.01, "50 rps for 10 s split 60/40: \(primary) / \(canary)")
            try await Kubectl(sandbox).succeed([
                "patch", "virtualservice", "web", "-n", "demo", "--type", "json", "-p",
                #"[{"op":"replace","path":"/spec/http/0/route/0/weight","value":100},{"op":"replace","path":"/spec/http/0/route/1/weight","value":0}]"#,
            ])
            for _ in 0..<10 { await sandbox.stepTraffic(seconds: 1) }
            #expect(await sandbox.metrics.requestCount(workload: "web", namespace: "demo") - canary < 0.01, "weight 0 gets nothing")
        }
    }

    @Test func heyThroughTheProxyReachesServicesByClusterNameAndIsCounted() async throws {
        var options = Sandbox.Options()
        options.simulateTraffic = false
        try await withSandbox(options) { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", "-"], stdin: meshManifest)
            try await kubectl.succeed(["rollout", "status", "deploy/web-primary", "-n", "demo"])
            try await kubectl.succeed(["rollout", "status", "deploy/web", "-n", "demo"])
            let proxy = sandbox.trafficURL.absoluteString
            try await runHey(["-n", "20", "-c", "2", "-x", proxy, "http://web-primary.demo:8000/headers"])
            #expect(await sandbox.metrics.requestCount(workload: "web-primary", namespace: "demo") == 20)
            try await runHey(["-n", "40", "-c", "2", "-x", proxy, "http://web.demo.svc.cluster.local:8000/"])
            let primary = await sandbox.metrics.requestCount(workload: "web-primary", namespace: "demo") - 20
            let canary = await sandbox.metrics.requestCount(workload: "web", namespace: "demo")
            #expect(primary + canary == 40, "the VirtualService host splits real requests between its destinations")
        }
    }

    @Test func aHostHeaderForASelectorlessServiceIsForwardedToItsLoopbackEndpoint() async throws {
        try await withSandbox { sandbox in
            try await Kubectl(sandbox).succeed(
                ["apply", "-f", "-"],
                stdin: """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: api-server, namespace: default}
                    spec: {ports: [{port: 80}]}
                    ---
                    apiVersion: v1
                    kind: Endpoints
                    metadata: {name: api-server, namespace: default}
                    subsets: [{addresses: [{ip: 127.0.0.1}], ports: [{port: \(sandbox.port)}]}]
                    """)
            var request = HTTPClientRequest(url: sandbox.trafficURL.absoluteString + "/version")
            request.headers.replaceOrAdd(name: "Host", value: "api-server.default")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let version = try JSONValue(parsing: Array(buffer: try await response.body.collect(upTo: 1 << 16)))
            #expect(version["major"] == "1", "the sandbox's own /version, reached by the Service's cluster name")
            var missing = HTTPClientRequest(url: sandbox.trafficURL.absoluteString + "/")
            missing.headers.replaceOrAdd(name: "Host", value: "nothing.here")
            #expect(try await HTTPClient.shared.execute(missing, timeout: .seconds(10)).status.code == 502)
        }
    }

    private func runHey(_ arguments: [String]) async throws {
        let status = try await Command("hey", arguments).run(within: .seconds(120)).status
        #expect(status == 0, "hey \(arguments.joined(separator: " "))")
    }

    @Test func aRealPrometheusAnswersFlaggersIstioQueriesWithTheStagedValues() async throws {
        var options = Sandbox.Options()
        options.trafficTick = .milliseconds(100)
        try await withSandbox(options) { sandbox in
            try await Kubectl(sandbox).succeed(["apply", "-f", "-"], stdin: meshManifest)
            let prometheus = try await PrometheusServer.start(scraping: ["127.0.0.1:\(sandbox.trafficURL.port!)"])
            defer { prometheus.stop() }
            let canaryRate = FlaggerQueries.successRate(namespace: "demo", target: "web", interval: "30s")
            let primaryRate = FlaggerQueries.successRate(namespace: "demo", target: "web-primary", interval: "30s")
            let canaryP99 = FlaggerQueries.duration(namespace: "demo", target: "web", interval: "30s")
            let primaryP99 = FlaggerQueries.duration(namespace: "demo", target: "web-primary", interval: "30s")
            var values: (Double?, Double?, Double?, Double?) = (nil, nil, nil, nil)
            let settled = try await eventually(timeout: .seconds(40)) {
                values = (
                    try await prometheus.value(of: canaryRate), try await prometheus.value(of: primaryRate),
                    try await prometheus.value(of: canaryP99), try await prometheus.value(of: primaryP99)
                )
                guard let rate = values.0, let primaryRate = values.1, let canary = values.2, let primary = values.3 else { return false }
                // Wait for what is asserted: a P99 over the first few dozen samples can land a bucket higher
                // (one slow sample in a hundred is 1%), so the window must fill first.
                return abs(rate - 80) < 1 && abs(primaryRate - 100) < 0.001 && (100...250).contains(canary) && (5...25).contains(primary)
            }
            #expect(settled, "queries answered: \(values)")
            #expect(abs((values.0 ?? 0) - 80) < 1, "canary success rate with a 0.2 error ratio: \(String(describing: values.0))")
            #expect(abs((values.1 ?? 0) - 100) < 0.001, "primary success rate: \(String(describing: values.1))")
            // P99s are read from Istio's buckets (…, 100, 250, …): 180 ms falls in (100, 250], 15 ms in (10, 25].
            #expect((100...250).contains(values.2 ?? 0), "canary P99: \(String(describing: values.2))")
            #expect((5...25).contains(values.3 ?? 0), "primary P99: \(String(describing: values.3))")
        }
    }
}
