import Foundation
import KubeAPIServer
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// Flagger's Gateway API tutorial on the sandbox: `provider: gatewayapi:v1`, an HTTPRoute through a Gateway
/// for `www.example.com`, the built-in metrics from the application's own `http_request_duration_seconds`.
@Suite(.serialized) struct GatewayAPIScenarioTests {
    static func manifests(analysis: String = Podinfo.tutorialAnalysis) -> String {
        """
        \(Podinfo.workload)
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gateway, namespace: test}
        spec:
          gatewayClassName: istio
          listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: test}
        spec:
          provider: gatewayapi:v1
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          service:
            port: 9898
            targetPort: 9898
            hosts: [www.example.com]
            gatewayRefs: [{name: gateway, namespace: test}]
          analysis:
        \(analysis)
        """
    }

    @Test func aGoodReleaseShiftsTheHTTPRoutesWeightsAndABadOneRollsBack() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "gatewayapi:v1"
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests())
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            let route = try await world.json(["get", "httproute", "podinfo", "-n", "test"])
            #expect(
                route[path: "spec", "parentRefs"] == [
                    ["group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gateway", "namespace": "test"]
                ],
                "the CRD's defaults for gatewayRefs, carried over")
            #expect(route[path: "spec", "hostnames"] == ["www.example.com"])
            let backends = route[path: "spec", "rules"]?[0]?["backendRefs"]
            #expect(backends?[0]?["name"] == "podinfo-primary" && backends?[0]?["weight"] == 100 && backends?[1]?["weight"] == 0, "\(route)")

            try await world.promotesThenRollsBack(metric: "request-success-rate", query: "http_request_duration_seconds_count")
            let after = try await world.json(["get", "httproute", "podinfo", "-n", "test"])
            #expect(after[path: "spec", "rules"]?[0]?["backendRefs"]?[1]?["weight"] == 0, "traffic back on the primary")
        }
    }

    /// The weights of each rule of the HTTPRoute, and whether the rule mirrors to the canary.
    static func shape(_ world: Scenario) async throws -> String {
        let rules = try await world.json(["get", "httproute", "podinfo", "-n", "test"])[path: "spec", "rules"]?.arrayValue ?? []
        return rules.map { rule in
            let weights = (rule["backendRefs"]?.arrayValue ?? []).map { $0["weight"]?.intValue ?? 1 }
            let mirrored = (rule["filters"]?.arrayValue ?? []).contains { $0["type"] == "RequestMirror" }
            return "\(weights)\(mirrored ? " mirror" : "")"
        }.joined(separator: " ")
    }

    /// Blue/green with `mirror`: the mirror starts with the first iteration, so the canary's series are new when
    /// its first check runs; `threshold: 5` at 3 s gives Prometheus the two scrapes a 10 s `rate` needs.
    @Test func blueGreenWithMirroringCopiesTheUsersRequestsToTheCanaryBeforeSwitching() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "gatewayapi:v1"
        try await Scenario.run(setup) { world in
            let analysis = """
                    interval: 3s
                    threshold: 5
                    iterations: 4
                    mirror: true
                    metrics:
                    - {name: request-success-rate, thresholdRange: {min: 99}, interval: 10s}
                """
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests(analysis: analysis))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            try await world.releasePodinfo()
            let canaryRequests =
                #"sum(http_request_duration_seconds_count{kubernetes_namespace="test",kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"})"#
            var shapes: [String] = [], reachedWhileMirrored = false, phase: String?
            let finished = try await eventually(timeout: .seconds(90)) {
                let shape = try await Self.shape(world)
                if shapes.last != shape { shapes.append(shape) }
                if shape == "[100, 0] mirror", !reachedWhileMirrored, try await Self.shape(world) == "[100, 0] mirror" {
                    reachedWhileMirrored = (try await world.prometheus.value(of: canaryRequests) ?? 0) > 0
                }
                phase = try await world.status("podinfo", namespace: "test")["phase"]?.stringValue
                return phase == "Succeeded" || phase == "Failed"
            }
            let events = try await world.events("podinfo", namespace: "test")
            #expect(finished && phase == "Succeeded", "shapes: \(shapes), events: \(events)")
            #expect(shapes.contains("[100, 0] mirror") && shapes.contains("[0, 100]"), "mirrored on the primary, then switched: \(shapes)")
            #expect(!shapes.contains { $0.hasPrefix("[") && !["[100, 0]", "[100, 0] mirror", "[0, 100]"].contains($0) }, "never a split: \(shapes)")
            #expect(reachedWhileMirrored, "the canary answered mirrored copies while every user stayed on the primary")
            #expect(try await Self.shape(world) == "[100, 0]", "the mirror is gone after the promotion")
        }
    }

    @Test func aUserWhoReachedTheCanaryThroughTheGatewayStaysOnIt() async throws {
        var setup = Scenario.Setup(loadTester: true)
        setup.meshProvider = "gatewayapi:v1"
        try await Scenario.run(setup) { world in
            let analysis = """
                    interval: 1s
                    threshold: 2
                    maxWeight: 50
                    stepWeight: 25
                    sessionAffinity: {cookieName: flagger-cookie, primaryCookieName: flagger-primary, maxAge: 600}
                    webhooks: [{name: approval, type: confirm-promotion, url: http://flagger-loadtester.test/gate/check}]
                """
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests(analysis: analysis))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            try await world.releasePodinfo()
            #expect(
                try await world.waitForPhase("WaitingPromotion", name: "podinfo", namespace: "test", timeout: .seconds(60)), "held at 50% by the gate"
            )
            let status = try await world.status("podinfo", namespace: "test")
            let canaryCookie = try #require(status["sessionAffinityCookie"]?.stringValue)
            let primaryCookie = try #require(status["primarySessionAffinityCookie"]?.stringValue)

            var answers: [(workload: String, setCookie: String?)] = []
            for _ in 0..<40 { answers.append(try await world.visit("http://www.example.com/")) }
            let fromCanary = answers.filter { $0.workload == "podinfo" }, fromPrimary = answers.filter { $0.workload == "podinfo-primary" }
            #expect(!fromCanary.isEmpty && !fromPrimary.isEmpty, "a 50/50 split answers from both: \(answers.map(\.workload))")
            #expect(fromCanary.allSatisfy { $0.setCookie == "\(canaryCookie); Max-Age=600" }, "\(fromCanary.map(\.setCookie))")
            #expect(fromPrimary.allSatisfy { $0.setCookie == "\(primaryCookie); Max-Age=1" }, "the primary cookie lives one interval")
            for _ in 0..<20 {
                #expect(
                    try await world.visit("http://www.example.com/", cookie: "session=1; \(canaryCookie)").workload == "podinfo",
                    "pinned to the canary")
                #expect(
                    try await world.visit("http://www.example.com/", cookie: primaryCookie).workload == "podinfo-primary", "pinned to the primary")
            }

            #expect(try await world.loadTester("/gate/open", name: "podinfo", namespace: "test") == 202)
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test", timeout: .seconds(60)))
            let expired = try await world.visit("http://www.example.com/", cookie: canaryCookie)
            #expect(expired.workload == "podinfo-primary" && expired.setCookie == "\(canaryCookie); Max-Age=-1", "\(expired)")
        }
    }

    @Test func aUsersHTTPRouteIsAdoptedWithItsOwnRulesKeptAndRestoredWhenTheCanaryGoes() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "gatewayapi:v1"
        try await Scenario.run(setup) { world in
            let users = """
                apiVersion: v1
                kind: Service
                metadata: {name: health, namespace: test}
                spec: {selector: {app: podinfo}, ports: [{port: 8080}]}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: podinfo, namespace: test, annotations: {team: web}}
                spec:
                  parentRefs: [{name: gateway, namespace: test}]
                  hostnames: [www.example.com]
                  rules:
                  - matches: [{path: {type: Exact, value: /healthz}}]
                    backendRefs: [{name: health, port: 8080}]
                  - backendRefs: [{name: podinfo, port: 9898}]
                """
            let manifests = Self.manifests().replacingOccurrences(
                of: "  provider: gatewayapi:v1\n", with: "  provider: gatewayapi:v1\n  revertOnDeletion: true\n")
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: manifests + "\n---\n" + users)
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            let original = try await world.json(["get", "httproute", "podinfo", "-n", "test"])
            let rules = original[path: "spec", "rules"]?.arrayValue ?? []
            #expect(rules.count == 3 && rules[0][path: "backendRefs"]?[0]?["name"] == "podinfo-primary", "Serin's weighted rule first: \(rules)")
            #expect(rules[1][path: "backendRefs"]?[0]?["name"] == "health", "the user's health rule kept")
            #expect(
                original[path: "metadata", "annotations", "team"] == "web"
                    && original[path: "metadata", "annotations", "serin.dev/original-configuration"] != nil)
            #expect(
                original[path: "metadata", "annotations", "kustomize.toolkit.fluxcd.io/reconcile"] == "disabled", "Flux skips it while Serin routes")

            try await world.kubectl.succeed(["delete", "canary", "podinfo", "-n", "test", "--wait=false"])
            #expect(
                try await eventually(timeout: .seconds(20)) { try await world.kubectl.run(["get", "canary", "podinfo", "-n", "test"]).status != 0 })
            let restored = try await world.json(["get", "httproute", "podinfo", "-n", "test"])
            let names = (restored[path: "spec", "rules"]?.arrayValue ?? []).compactMap { $0[path: "backendRefs"]?[0]?["name"]?.stringValue }
            #expect(names == ["health", "podinfo"], "the user's rules, as they were: \(restored)")
            #expect(
                restored[path: "metadata", "annotations", "serin.dev/original-configuration"] == nil
                    && restored[path: "metadata", "annotations", "team"] == "web")
            #expect(restored[path: "metadata", "annotations", "kustomize.toolkit.fluxcd.io/reconcile"] == nil, "Flux's again")
        }
    }

    /// A Gateway that does not admit the route (its listener takes routes from its own namespace only) holds
    /// the Canary with a Warning naming the parent and the reason; once the Gateway admits it, the Canary goes on.
    @Test func aGatewayThatDoesNotAcceptTheRouteHoldsTheCanaryUntilItDoes() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "gatewayapi:v1"
        setup.auditLog = true
        try await Scenario.run(setup) { world in
            let manifests = Self.manifests().replacingOccurrences(of: "{namespaces: {from: All}}", with: "{namespaces: {from: Same}}")
                .replacingOccurrences(of: "namespace: test}\nspec:\n  gatewayClassName", with: "namespace: edge}\nspec:\n  gatewayClassName")
                .replacingOccurrences(of: "gatewayRefs: [{name: gateway, namespace: test}]", with: "gatewayRefs: [{name: gateway, namespace: edge}]")
            try await world.kubectl.succeed(["create", "namespace", "edge"])
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: manifests)
            let refused = "failed to route traffic: HTTPRoute podinfo.test parent gateway is not ready (status: False, NotAllowedByListeners"
            let held = try await eventually(timeout: .seconds(60)) {
                try await world.events("podinfo", namespace: "test").contains { $0.hasPrefix(refused) }
            }
            let events = try await world.events("podinfo", namespace: "test")
            #expect(held, "\(events)")
            // A route the Gateway has not answered for yet counts as accepted (as in Flagger), so the Canary may
            // have initialized before the refusal was written; once refused, it takes no step.
            let writes = await world.sandbox.audit?.writes() ?? []
            let refusedAt = writes.firstIndex { $0.plural == "events" && ($0.object["message"]?.stringValue ?? "").hasPrefix(refused) }
            let initializedAt = writes.firstIndex { $0.plural == "canaries" && $0.object[path: "status", "phase"] == "Initialized" }
            #expect(refusedAt != nil, "the refusal is in the audit log")
            #expect(
                initializedAt.map { $0 < (refusedAt ?? 0) } ?? true,
                "no step while the Gateway refuses the route (initialized at write \(String(describing: initializedAt)), refused at \(String(describing: refusedAt)))"
            )

            try await world.kubectl.succeed([
                "patch", "gateways.gateway.networking.k8s.io", "gateway", "-n", "edge", "--type", "json", "-p",
                #"[{"op":"replace","path":"/spec/listeners/0/allowedRoutes/namespaces/from","value":"All"}]"#,
            ])
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            let route = try await world.json(["get", "httproute", "podinfo", "-n", "test"])
            #expect(route[path: "status", "parents"]?[0]?["conditions"]?[0]?["status"] == "True")
        }
    }

    @Test func aGRPCServiceShiftsItsGRPCRoutesWeightsAndPromotes() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "gatewayapi:v1"
        try await Scenario.run(setup) { world in
            let manifests = Self.manifests().replacingOccurrences(of: "    targetPort: 9898\n", with: "    targetPort: 9898\n    appProtocol: grpc\n")
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: manifests)
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            let route = try await world.json(["get", "grpcroute", "podinfo", "-n", "test"])
            #expect(route[path: "spec", "rules"]?[0]?["backendRefs"]?[0]?["name"] == "podinfo-primary", "\(route)")
            #expect(try await world.kubectl.run(["get", "httproute", "podinfo", "-n", "test"]).status != 0, "no HTTPRoute for a gRPC service")
            try await world.releasePodinfo()
            var weights: [Int] = []
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test", weights: &weights), "weights: \(weights)")
            #expect(weights.contains(10) && weights.contains(50), "the GRPCRoute's weights moved: \(weights)")
        }
    }
}
