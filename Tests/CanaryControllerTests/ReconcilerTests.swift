import CanaryAPI
import CanaryController
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import Testing

/// The reconciler's bootstrap, error classification and step execution, one reconcile at a time.
@Suite struct ReconcilerTests {
    static let virtualServices = KubeResource(
        group: "networking.istio.io", version: "v1beta1", kind: "VirtualService",
        plural: "virtualservices", namespaced: true)
    static let destinationRules = KubeResource(
        group: "networking.istio.io", version: "v1beta1", kind: "DestinationRule",
        plural: "destinationrules", namespaced: true)

    @Test func oneReconcileOfANewCanaryCreatesThePrimaryTheServicesAndTheRoutes() async throws {
        try await ReconcilerHarness.with { harness in
            try await harness.apply(.deployments, ReconcilerHarness.deployment("podinfo"))
            try await harness.apply(ReconcilerHarness.canaries, ReconcilerHarness.canary("podinfo"))
            let action = try await harness.reconcile("podinfo")
            #expect(action != .awaitChange, "it looks again while the primary is not ready")
            let primary = try await harness.get(.deployments, "podinfo-primary")
            #expect(primary[path: "spec", "selector", "matchLabels"] == ["app": "podinfo-primary"])
            #expect(primary[path: "metadata", "ownerReferences"]?[0]?["kind"] == "Canary")
            for name in ["podinfo", "podinfo-primary", "podinfo-canary"] {
                #expect(try await harness.get(.services, name)[path: "spec", "ports"]?[0]?["port"] == 9898)
            }
            #expect(try await harness.get(Self.destinationRules, "podinfo-canary")[path: "spec", "host"] == "podinfo-canary")
            let route = try await harness.get(Self.virtualServices, "podinfo")[path: "spec", "http"]?[0]?["route"]
            #expect(route?[0]?["weight"] == 100 && route?[1]?["weight"] == 0)
            #expect(try await harness.status("podinfo")["phase"] == "Initializing")

            try await harness.markReady("podinfo-primary")
            _ = try await harness.reconcile("podinfo")
            #expect(try await harness.status("podinfo")["phase"] == "Initialized")
            #expect(try await harness.get(.deployments, "podinfo")[path: "spec", "replicas"] == 0, "the target is scaled to zero")
        }
    }

    /// Bootstraps `name` to Initialized.
    static func initialized(_ harness: ReconcilerHarness, _ name: String, analysis: JSONValue? = nil) async throws {
        try await harness.apply(.deployments, ReconcilerHarness.deployment(name))
        try await harness.apply(
            ReconcilerHarness.canaries, analysis.map { ReconcilerHarness.canary(name, analysis: $0) } ?? ReconcilerHarness.canary(name))
        _ = try await harness.reconcile(name)
        try await harness.markReady("\(name)-primary")
        _ = try await harness.reconcile(name)
        #expect(try await harness.status(name)["phase"] == "Initialized")
    }

    func canaryWeight(_ harness: ReconcilerHarness, _ name: String) async throws -> JSONValue? {
        try await harness.get(Self.virtualServices, name)[path: "spec", "http"]?[0]?["route"]?[1]?["weight"]
    }

    @Test func aStepIsTakenWhenTheInjectedClockReachesTheIntervalAndNotBefore() async throws {
        try await ReconcilerHarness.with { harness in
            try await Self.initialized(harness, "podinfo")
            _ = try await harness.client.resource(.deployments, as: JSONValue.self).patch(
                "podinfo", namespace: "demo",
                patch: .merge(["spec": ["template": ["spec": ["containers": [["name": "app", "image": "podinfo:6.0.1"]]]]]]))
            _ = try await harness.reconcile("podinfo")
            #expect(try await harness.get(.deployments, "podinfo")[path: "spec", "replicas"] == 2, "the canary is scaled up")
            try await harness.markReady("podinfo")
            var reconciles = 0
            while try await harness.status("podinfo")["canaryWeight"] != 10, reconciles < 6 {
                harness.advance(by: 31)
                _ = try await harness.reconcile("podinfo")
                reconciles += 1
            }
            #expect(try await harness.status("podinfo")["phase"] == "Progressing")
            #expect(try await canaryWeight(harness, "podinfo") == 10, "after \(reconciles) reconciles")

            harness.advance(by: 29)
            let early = try await harness.reconcile("podinfo")
            #expect(try await canaryWeight(harness, "podinfo") == 10, "29 s into a 30 s interval nothing moves")
            // Between steps with the canary ready, only time moves it: a workload's status waits too.
            guard case .quiet(.some(let after)) = early else { Issue.record("expected a quiet requeue, got \(early)"); return }
            #expect(after <= .seconds(1), "it looks again when the interval ends: \(after)")
            harness.advance(by: 1)
            _ = try await harness.reconcile("podinfo")
            #expect(try await canaryWeight(harness, "podinfo") == 20)
            #expect(try await harness.status("podinfo")["canaryWeight"] == 20)
        }
    }

    @Test func eachStepIsJournaledWithTheQueryAsSentItsVerdictAndTheDecision() async throws {
        try await ReconcilerHarness.with { harness in
            let analysis: JSONValue = [
                "interval": "30s", "threshold": 2, "stepWeight": 10, "maxWeight": 30,
                "metrics": [["name": "request-success-rate", "interval": "1m", "thresholdRange": ["min": 99]]],
            ]
            try await Self.initialized(harness, "podinfo", analysis: analysis)
            _ = try await harness.client.resource(.deployments, as: JSONValue.self).patch(
                "podinfo", namespace: "demo",
                patch: .merge(["spec": ["template": ["spec": ["containers": [["name": "app", "image": "podinfo:6.0.1"]]]]]]))
            _ = try await harness.reconcile("podinfo")
            try await harness.markReady("podinfo")
            for _ in 0..<4 where try await harness.status("podinfo")["phase"] != "Failed" {
                harness.advance(by: 31)
                _ = try await harness.reconcile("podinfo")
            }
            let journal = try (try await harness.status("podinfo")["journal"] ?? []).decode(as: [JournalEntry].self)
            #expect(journal.map(\.to) == ["Initializing 0%", "Initialized 0%", "Progressing 0%", "Progressing 10%", "Progressing 10%", "Failed 0%"])
            let failed = try #require(journal.first { $0.metrics != nil }, "a step with a metric check")
            let check = try #require(failed.metrics?.first)
            #expect(check.name == "request-success-rate" && !check.passed && check.value == nil && check.threshold == ">= 99")
            #expect(
                check.query?.contains(
                    #"istio_requests_total{reporter="destination",destination_workload_namespace="demo",destination_workload=~"podinfo""#) == true,
                "the rendered query: \(check.query ?? "")")
            #expect(check.message?.hasPrefix("Prometheus query failed:") == true, "\(check.message ?? "")")
            #expect(failed.decision == [check.message ?? ""], "the step's decision: the failed check, as its event says")
            #expect(journal.last?.decision.contains("Rolling back podinfo.demo failed checks threshold reached 2") == true)
        }
    }

    @Test func aWriteTheAPIServerRefusesAsInvalidIsTerminalAndShownOnTheCanary() async throws {
        try await ReconcilerHarness.with { harness in
            await harness.cluster.faults.fail(verb: "create", plural: "virtualservices", code: 422, count: 1)
            try await harness.apply(.deployments, ReconcilerHarness.deployment("podinfo"))
            try await harness.apply(ReconcilerHarness.canaries, ReconcilerHarness.canary("podinfo"))
            #expect(try await harness.reconcile("podinfo") == .awaitChange, "not retried until something changes")
            let valid = try await harness.status("podinfo")["conditions"]?.arrayValue?.first { $0["type"] == "Valid" }
            #expect(valid?["status"] == "False")
            #expect(valid?["reason"] == "ReconcileFailed")
            #expect(
                valid?["message"]?.stringValue?.hasPrefix("failed to reconcile the istio routing: failed to CREATE") == true,
                "\(String(describing: valid))")
            #expect(try await harness.warnings("podinfo", containing: "failed to reconcile the istio routing"))
            _ = try await harness.reconcile("podinfo")
            let cleared = try await harness.status("podinfo")["conditions"]?.arrayValue?.first { $0["type"] == "Valid" }
            #expect(cleared?["status"] == "True", "the next reconcile that gets through clears it")
        }
    }

    @Test func aSpecValidatedOnceIsValidatedAgainWhenItChangesAndNotBefore() async throws {
        try await ReconcilerHarness.with { harness in
            try await harness.apply(.deployments, ReconcilerHarness.deployment("podinfo"))
            try await harness.apply(ReconcilerHarness.canaries, ReconcilerHarness.canary("podinfo"))
            _ = try await harness.reconcile("podinfo")
            let first = try await harness.status("podinfo")
            #expect(first["phase"] != nil && first["conditions"]?.arrayValue?.contains { $0["type"] == "Valid" } != true, "valid: no condition")
            let canaries = harness.client.resource(ReconcilerHarness.canaries, as: JSONValue.self)
            // A status write does not change the spec's generation; an edit of the spec does, and is validated.
            let metrics = try await harness.get(ReconcilerHarness.canaries, "podinfo")[path: "spec", "analysis", "metrics"] ?? .null
            _ = try await canaries.patch(
                "podinfo", namespace: "demo",
                patch: .merge(["spec": ["analysis": ["metrics": [["name": "error-budget", "thresholdRange": ["max": 1]]]]]]))
            #expect(try await harness.reconcile("podinfo") == .awaitChange)
            let refused = try await harness.status("podinfo")["conditions"]?.arrayValue?.first { $0["type"] == "Valid" }
            #expect(refused?["status"] == "False")
            #expect(
                refused?["message"]?.stringValue?.contains("spec.analysis.metrics[0]: \"error-budget\" is not a built-in metric") == true,
                "\(String(describing: refused))")
            _ = try await canaries.patch("podinfo", namespace: "demo", patch: .merge(["spec": ["analysis": ["metrics": metrics]]]))
            _ = try await harness.reconcile("podinfo")
            let valid = try await harness.status("podinfo")["conditions"]?.arrayValue?.first { $0["type"] == "Valid" }
            #expect(valid?["status"] == "True", "the fixed spec is valid again")
        }
    }

    @Test func aServerErrorWhileActingIsAWarningAndIsRetried() async throws {
        try await ReconcilerHarness.with { harness in
            await harness.cluster.faults.fail(verb: "create", plural: "services", code: 500, count: 1)
            try await harness.apply(.deployments, ReconcilerHarness.deployment("podinfo"))
            try await harness.apply(ReconcilerHarness.canaries, ReconcilerHarness.canary("podinfo"))
            await #expect(throws: (any Error).self, "thrown: the controller backs off and retries") { try await harness.reconcile("podinfo") }
            #expect(try await harness.warnings("podinfo", containing: "failed to reconcile the Services: "))
            #expect(try await harness.status("podinfo")["conditions"] == nil, "a retryable error is no condition")
            _ = try await harness.reconcile("podinfo")
            #expect(try await harness.get(.services, "podinfo-canary")["metadata"] != nil)
        }
    }

    @Test func anOperatorWithTheKubernetesProviderRunsWithoutIstioAndRefusesAnIstioCanaryByName() async throws {
        var options = OperatorOptions(metricsServer: "http://127.0.0.1:1")
        options.meshProvider = .kubernetes
        try await ReconcilerHarness.with(options: options, istio: false) { harness in
            try await harness.apply(.deployments, ReconcilerHarness.deployment("podinfo"))
            var canary = ReconcilerHarness.canary("podinfo")
            canary[path: "spec", "provider"] = "istio"
            try await harness.apply(ReconcilerHarness.canaries, canary)
            #expect(try await harness.reconcile("podinfo") == .awaitChange)
            let valid = try await harness.status("podinfo")["conditions"]?.arrayValue?.first { $0["type"] == "Valid" }
            #expect(valid?["message"]?.stringValue?.contains("spec.provider: \"istio\" is not enabled on this operator") == true)
            #expect(try await harness.client.resource(.services, as: JSONValue.self).list(namespace: "demo").items.isEmpty, "nothing is created")
        }
    }

    /// Releases a new image and reconciles until the canary is scaled up and ready.
    static func release(_ harness: ReconcilerHarness, _ name: String) async throws {
        _ = try await harness.client.resource(.deployments, as: JSONValue.self).patch(
            name, namespace: "demo", patch: .merge(["spec": ["template": ["spec": ["containers": [["name": "app", "image": "podinfo:6.0.1"]]]]]]))
        _ = try await harness.reconcile(name)
        try await harness.markReady(name)
    }

    /// One interval later, one reconcile; returns the phase and the iterations after it.
    static func tick(_ harness: ReconcilerHarness, _ name: String) async throws -> (String?, Int?) {
        harness.advance(by: 31)
        _ = try await harness.reconcile(name)
        let status = try await harness.status(name)
        return (status["phase"]?.stringValue, status["iterations"]?.intValue)
    }

    @Test func aBlueGreenRolloutIteratesOnThePrimaryThenSwitchesAndPromotes() async throws {
        try await ReconcilerHarness.with { harness in
            try await Self.initialized(harness, "podinfo", analysis: ["interval": "30s", "threshold": 2, "iterations": 2])
            try await Self.release(harness, "podinfo")
            #expect(try await Self.tick(harness, "podinfo") == ("Progressing", 1))
            #expect(try await canaryWeight(harness, "podinfo") == 0)
            #expect(try await Self.tick(harness, "podinfo") == ("Progressing", 2))
            #expect(try await canaryWeight(harness, "podinfo") == 0, "the canary is tested through podinfo-canary only")
            #expect(try await Self.tick(harness, "podinfo") == ("Progressing", 3))
            #expect(try await canaryWeight(harness, "podinfo") == 100, "all traffic switches at once")
            #expect(try await Self.tick(harness, "podinfo") == ("Promoting", 3))
            let primary = try await harness.get(.deployments, "podinfo-primary")
            #expect(primary[path: "spec", "template", "spec", "containers"]?[0]?["image"] == "podinfo:6.0.1")
            #expect(try await canaryWeight(harness, "podinfo") == 100, "the canary serves while the primary rolls out")
            try await harness.markReady("podinfo-primary")
            _ = try await harness.reconcile("podinfo")
            _ = try await harness.reconcile("podinfo")
            #expect(try await harness.status("podinfo")["phase"] == "Succeeded")
            #expect(try await canaryWeight(harness, "podinfo") == 0)
        }
    }

    @Test func anABTestRoutesOnlyMatchingRequestsToTheCanary() async throws {
        try await ReconcilerHarness.with { harness in
            let match: JSONValue = [["headers": ["x-canary": ["exact": "insider"]]]]
            try await Self.initialized(harness, "podinfo", analysis: ["interval": "30s", "threshold": 2, "iterations": 2, "match": match])
            let http = try await harness.get(Self.virtualServices, "podinfo")[path: "spec", "http"]?.arrayValue ?? []
            #expect(http.count == 2 && http[0]["match"] == match, "a match route and a default route")
            try await Self.release(harness, "podinfo")
            #expect(try await Self.tick(harness, "podinfo") == ("Progressing", 1))
            let during = try await harness.get(Self.virtualServices, "podinfo")[path: "spec", "http"]?.arrayValue ?? []
            #expect(during[0]["route"]?[1]?["weight"] == 100 && during[0]["route"]?[0]?["weight"] == 0, "matching requests reach the canary")
            #expect(during[1]["route"] == [["destination": ["host": "podinfo-primary"], "weight": 100]], "everyone else stays on the primary")
            #expect(try await Self.tick(harness, "podinfo") == ("Progressing", 2))
            #expect(try await Self.tick(harness, "podinfo") == ("Promoting", 2))
        }
    }

    @Test func deletingACanaryWithRevertOnDeletionGivesTheUsersServiceAndVirtualServiceBackAsTheyWere() async throws {
        try await ReconcilerHarness.with { harness in
            let service: JSONValue = [
                "apiVersion": "v1", "kind": "Service", "metadata": ["name": "podinfo", "labels": ["team": "web"]],
                "spec": ["selector": ["app": "podinfo"], "ports": [["name": "http", "port": 9898, "targetPort": 9898]]],
            ]
            let virtualService: JSONValue = [
                "apiVersion": "networking.istio.io/v1beta1", "kind": "VirtualService", "metadata": ["name": "podinfo"],
                "spec": ["hosts": ["podinfo"], "http": [["retries": ["attempts": 3], "route": [["destination": ["host": "podinfo"]]]]]],
            ]
            try await harness.apply(.services, service)
            try await harness.apply(Self.virtualServices, virtualService)
            try await harness.apply(.deployments, ReconcilerHarness.deployment("podinfo"))
            var canary = ReconcilerHarness.canary("podinfo")
            canary[path: "spec", "revertOnDeletion"] = true
            try await harness.apply(ReconcilerHarness.canaries, canary)
            _ = try await harness.reconcile("podinfo")  // adds the finalizer
            _ = try await harness.reconcile("podinfo")
            #expect(try await harness.get(.services, "podinfo")[path: "spec", "selector"] == ["app": "podinfo-primary"], "adopted")
            try await harness.markReady("podinfo-primary")
            _ = try await harness.reconcile("podinfo")
            #expect(try await harness.status("podinfo")["phase"] == "Initialized")

            try await harness.client.resource(ReconcilerHarness.canaries, as: JSONValue.self).delete("podinfo", namespace: "demo")
            _ = try await harness.reconcile("podinfo")
            #expect(try await harness.get(.deployments, "podinfo")[path: "spec", "replicas"] == 2, "the target takes the traffic back")
            try await harness.markReady("podinfo")
            _ = try await harness.reconcile("podinfo")

            let restored = try await harness.get(.services, "podinfo")
            #expect(restored[path: "spec", "selector"] == ["app": "podinfo"], "the selector points at the target's pods again")
            #expect(restored[path: "metadata", "labels"] == ["team": "web"])
            #expect(restored[path: "metadata", "annotations", "serin.dev/original-configuration"] == nil)
            let routes = try await harness.get(Self.virtualServices, "podinfo")
            #expect(routes["spec"] == virtualService["spec"], "the VirtualService is exactly the user's again")
            await #expect(throws: (any Error).self, "the Canary is gone") { try await harness.get(ReconcilerHarness.canaries, "podinfo") }
        }
    }

    @Test func aTCPCanaryMovesTheWeightsOfItsTCPRoute() async throws {
        try await ReconcilerHarness.with { harness in
            try await harness.apply(.deployments, ReconcilerHarness.deployment("redis"))
            var canary = ReconcilerHarness.canary("redis")
            canary[path: "spec", "service"] = ["port": 6379, "appProtocol": "tcp"]
            try await harness.apply(ReconcilerHarness.canaries, canary)
            _ = try await harness.reconcile("redis")
            try await harness.markReady("redis-primary")
            _ = try await harness.reconcile("redis")
            #expect(try await harness.status("redis")["phase"] == "Initialized")
            try await Self.release(harness, "redis")
            _ = try await Self.tick(harness, "redis")
            let spec = try await harness.get(Self.virtualServices, "redis")["spec"]
            #expect(spec?["http"] == nil)
            #expect(spec?["tcp"]?[0]?["route"]?[1]?["weight"] == 10, "\(String(describing: spec))")
        }
    }

    @Test func aBlueGreenWithMirroringMirrorsToTheCanaryUntilTheSwitch() async throws {
        try await ReconcilerHarness.with { harness in
            try await Self.initialized(
                harness, "podinfo", analysis: ["interval": "30s", "threshold": 2, "iterations": 1, "mirror": true, "mirrorWeight": 25])
            try await Self.release(harness, "podinfo")
            #expect(try await Self.tick(harness, "podinfo") == ("Progressing", 1))
            let first = try await harness.get(Self.virtualServices, "podinfo")[path: "spec", "http"]?[0]
            #expect(first?["mirror"] == ["host": "podinfo-canary"] && first?["mirrorPercentage"] == ["value": 25])
            #expect(first?["route"]?[0]?["weight"] == 100, "users are answered by the primary")
            #expect(try await Self.tick(harness, "podinfo") == ("Progressing", 2))
            let switched = try await harness.get(Self.virtualServices, "podinfo")[path: "spec", "http"]?[0]
            #expect(switched?["mirror"] == nil && switched?["route"]?[1]?["weight"] == 100)
        }
    }

    @Test func blueGreenWithTheKubernetesProviderTestsTheCanaryServiceThenPromotes() async throws {
        var options = OperatorOptions(metricsServer: "http://127.0.0.1:1")
        options.meshProvider = .kubernetes
        try await ReconcilerHarness.with(options: options, istio: false) { harness in
            try await Self.initialized(harness, "podinfo", analysis: ["interval": "30s", "threshold": 2, "iterations": 2])
            try await Self.release(harness, "podinfo")
            #expect(try await Self.tick(harness, "podinfo") == ("Progressing", 1))
            #expect(try await Self.tick(harness, "podinfo") == ("Progressing", 2))
            #expect(try await harness.get(.services, "podinfo")[path: "spec", "selector"] == ["app": "podinfo-primary"], "users stay on the primary")
            #expect(try await harness.get(.services, "podinfo-canary")[path: "spec", "selector"] == ["app": "podinfo"], "the tests reach the canary")
            #expect(try await Self.tick(harness, "podinfo") == ("Promoting", 2))
            try await harness.markReady("podinfo-primary")
            _ = try await harness.reconcile("podinfo")
            _ = try await harness.reconcile("podinfo")
            #expect(try await harness.status("podinfo")["phase"] == "Succeeded")
            let primary = try await harness.get(.deployments, "podinfo-primary")
            #expect(primary[path: "spec", "template", "spec", "containers"]?[0]?["image"] == "podinfo:6.0.1")
            let events = try await harness.client.resource(.events, as: JSONValue.self).list(namespace: "demo").items.compactMap {
                $0["message"]?.stringValue
            }
            #expect(!events.contains { $0.hasPrefix("Routing all traffic") }, "no routing announced without a mesh: \(events)")
        }
    }

    @Test func sessionAffinityPinsTheUsersWhoReachedTheCanaryFromTheFirstStep() async throws {
        try await ReconcilerHarness.with { harness in
            try await Self.initialized(
                harness, "podinfo",
                analysis: [
                    "interval": "30s", "threshold": 2, "stepWeight": 50, "maxWeight": 50,
                    "sessionAffinity": ["cookieName": "flagger-cookie", "maxAge": 60],
                ])
            try await Self.release(harness, "podinfo")
            var reconciles = 0
            while try await harness.status("podinfo")["canaryWeight"] != 50, reconciles < 6 {
                harness.advance(by: 31)
                _ = try await harness.reconcile("podinfo")
                reconciles += 1
            }
            let cookie = try await harness.status("podinfo")["sessionAffinityCookie"]?.stringValue ?? ""
            #expect(cookie.hasPrefix("flagger-cookie="), "the status records the cookie")
            let http = try await harness.get(Self.virtualServices, "podinfo")[path: "spec", "http"]?.arrayValue ?? []
            #expect(http.count == 2 && http[0]["name"] == "sticky-route", "the step that moved traffic wrote the sticky route")
            #expect(http[1]["route"]?[1]?[path: "headers", "response", "add", "Set-Cookie"]?.stringValue == "\(cookie); Max-Age=60")
            for _ in 0..<4 where try await harness.status("podinfo")["phase"] != "Succeeded" {
                harness.advance(by: 31)
                try await harness.markReady("podinfo-primary")
                _ = try await harness.reconcile("podinfo")
            }
            #expect(try await harness.status("podinfo")["phase"] == "Succeeded")
            #expect(try await harness.status("podinfo")["previousSessionAffinityCookie"]?.stringValue == cookie)
            let after = try await harness.get(Self.virtualServices, "podinfo")[path: "spec", "http"]?.arrayValue ?? []
            #expect(after.first?[path: "headers", "response", "add", "Set-Cookie"]?.stringValue == "\(cookie); Max-Age=-1", "the cookie is expired")
        }
    }
}
