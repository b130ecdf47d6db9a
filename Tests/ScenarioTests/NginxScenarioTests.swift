import Foundation
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// Flagger's NGINX tutorial on the sandbox: `provider: nginx`, the user's Ingress for `app.example.com`, the
/// canary Ingress Serin writes, and the built-in metrics from ingress-nginx's own series in a real Prometheus.
@Suite(.serialized) struct NginxScenarioTests {
    static func manifests(analysis: String = Podinfo.tutorialAnalysis) -> String {
        """
        \(Podinfo.workload)
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: podinfo
          namespace: test
          labels: {app: podinfo}
          annotations: {nginx.ingress.kubernetes.io/proxy-body-size: 8m}
        spec:
          ingressClassName: nginx
          rules:
          - host: app.example.com
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: podinfo, port: {number: 80}}}}
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: test}
        spec:
          provider: nginx
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          ingressRef: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: podinfo}
          service: {port: 80, targetPort: 9898}
          analysis:
        \(analysis)
        """
    }

    static func setup(loadTester: Bool = false) -> Scenario.Setup {
        var setup = Scenario.Setup(loadTester: loadTester)
        setup.meshProvider = "nginx"
        return setup
    }

    static func annotations(_ world: Scenario) async throws -> JSONValue {
        try await world.json(["get", "ingress", "podinfo-canary", "-n", "test"])[path: "metadata", "annotations"] ?? [:]
    }

    @Test func aGoodReleaseMovesTheCanaryIngressWeightAndABadOneRollsBack() async throws {
        try await Scenario.run(Self.setup()) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests())
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            let ingress = try await world.json(["get", "ingress", "podinfo-canary", "-n", "test"])
            #expect(
                ingress[path: "spec", "rules"]?[0]?[path: "http", "paths"]?[0]?[path: "backend", "service", "name"] == "podinfo-canary", "\(ingress)")
            #expect(ingress[path: "metadata", "annotations", "nginx.ingress.kubernetes.io/canary-weight"] == "0")
            #expect(
                ingress[path: "metadata", "annotations", "nginx.ingress.kubernetes.io/proxy-body-size"] == "8m", "the user's annotations carried over"
            )
            try await world.kubectl.succeed([
                "annotate", "ingress", "podinfo", "-n", "test", "nginx.ingress.kubernetes.io/proxy-body-size=16m", "--overwrite",
            ])
            #expect(
                try await eventually(timeout: .seconds(10)) {
                    try await Self.annotations(world)["nginx.ingress.kubernetes.io/proxy-body-size"] == "16m"
                }, "a change to the user's Ingress reaches the canary Ingress")

            try await world.promotesThenRollsBack(
                metric: "request-success-rate", query: #"nginx_ingress_controller_requests{namespace="test",ingress="podinfo",canary!="""#)
            #expect(try await Self.annotations(world)["nginx.ingress.kubernetes.io/canary-weight"] == "0", "traffic back on the primary")
            let events = try await world.events("podinfo", namespace: "test")
            #expect(events.contains { $0.hasPrefix("Halt podinfo.test advancement success rate") }, "\(events)")
            let user = try await world.json(["get", "ingress", "podinfo", "-n", "test"])
            #expect(
                user[path: "spec", "rules"]?[0]?[path: "http", "paths"]?[0]?[path: "backend", "service", "name"] == "podinfo"
                    && user[path: "metadata", "annotations", "nginx.ingress.kubernetes.io/canary"] == nil, "the user's Ingress is untouched: \(user)")
        }
    }

    @Test func anABTestSendsOnlyUsersWithTheCookieToTheCanary() async throws {
        try await Scenario.run(Self.setup(loadTester: true)) { world in
            let analysis = """
                    interval: 1s
                    threshold: 2
                    iterations: 3
                    match: [{headers: {cookie: {exact: canary}}}]
                    webhooks: [{name: approval, type: confirm-promotion, url: http://flagger-loadtester.test/gate/check}]
                """
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests(analysis: analysis))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            try await world.releasePodinfo()
            #expect(try await world.waitForPhase("WaitingPromotion", name: "podinfo", namespace: "test", timeout: .seconds(60)), "held by the gate")
            #expect(try await Self.annotations(world)["nginx.ingress.kubernetes.io/canary-by-cookie"] == "canary")
            for _ in 0..<10 {
                #expect(
                    try await world.visit("http://app.example.com/", cookie: "session=1; canary=always").workload == "podinfo",
                    "the cookie's users on the canary")
                #expect(try await world.visit("http://app.example.com/").workload == "podinfo-primary", "everyone else on the primary")
            }
            #expect(try await world.loadTester("/gate/open", name: "podinfo", namespace: "test") == 202)
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test", timeout: .seconds(60)))
            #expect(try await Self.annotations(world)["nginx.ingress.kubernetes.io/canary-by-cookie"] == nil, "the match goes with the analysis")
            #expect(try await world.visit("http://app.example.com/", cookie: "canary=always").workload == "podinfo-primary")
        }
    }

    static func validMessage(_ world: Scenario) async throws -> String {
        try await world.kubectl.succeed([
            "get", "canary", "podinfo", "-n", "test", "-o", "jsonpath={.status.conditions[?(@.type=='Valid')].message}",
        ])
    }

    @Test func aMissingIngressIsAnErrorOnTheCanaryUntilItAppears() async throws {
        try await Scenario.run(Self.setup()) { world in
            let manifests = Self.manifests()
            let withoutIngress = manifests.components(separatedBy: "---\n").filter { !$0.contains("\nkind: Ingress\n") }.joined(separator: "---\n")
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: withoutIngress)
            #expect(
                try await eventually(timeout: .seconds(20)) {
                    try await world.events("podinfo", namespace: "test").contains { $0.contains("ingress podinfo.test not found (spec.ingressRef)") }
                }, "a Warning names the missing Ingress")
            // The Warning is queued and may be written before the condition's patch: wait for the condition too.
            let conditionSays = try await eventually(timeout: .seconds(10)) {
                try await Self.validMessage(world).contains("ingress podinfo.test not found")
            }
            let valid = try await Self.validMessage(world)
            #expect(conditionSays, "the condition says it too: \(valid)")
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: manifests)
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"), "the Ingress's creation reconciles the Canary")
        }
    }
}
