import Foundation
import KubeCore
import SerinTesting
import Testing

/// What once crashed or froze the operator, applied as a user would (`kubectl apply --validate=false`):
/// each gets a condition or a Warning naming the problem, and a bystander Canary still promotes. Several of
/// them (a missing `threshold`, an interval out of the CRD's pattern) are refused by a cluster with Serin's or
/// Flagger's current CRD; they reach the operator where an older or looser CRD is installed, so the sandbox
/// runs without schema validation here.
@Suite(.serialized) struct PoisonPillScenarioTests {
    /// A Canary for `podinfo` with `spec` (YAML flow style) as its whole spec.
    static func canary(_ name: String, _ spec: String) -> String {
        "apiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata: {name: \(name), namespace: demo}\nspec: \(spec)\n---\n"
    }

    static let target = "targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}, service: {port: 9898}"

    static let pills: [(name: String, spec: String, message: String)] = [
        (
            "interval-overflow", "{\(target), analysis: {interval: 2562047h47m16.854775808s, stepWeight: 10}}",
            "spec.analysis.interval: invalid duration"
        ),
        (
            "interval-huge", "{\(target), analysis: {interval: 2540400h, stepWeight: 10}}",
            "spec.analysis.interval: 2540400h is longer than the maximum"
        ),
        (
            "timeout-huge",
            "{\(target), analysis: {interval: 1m, stepWeight: 10, webhooks: [{name: w, url: 'http://a.test/', timeout: 9223372036s}]}}",
            "spec.analysis.webhooks[0].timeout"
        ),
        (
            "ready-threshold", "{\(target), analysis: {interval: 1m, stepWeight: 10, canaryReadyThreshold: 9223372036854775807}}",
            "spec.analysis.canaryReadyThreshold: 9223372036854775807 is out of range"
        ),
        (
            "webhook-port", "{\(target), analysis: {interval: 1m, stepWeight: 10, webhooks: [{name: w, url: 'http://a.test:99999/'}]}}",
            "spec.analysis.webhooks[0].url: port 99999 is out of range"
        ),
        (
            "webhook-url", "{\(target), analysis: {interval: 1m, stepWeight: 10, webhooks: [{name: w, url: 'podinfo-loadtester/'}]}}",
            "spec.analysis.webhooks[0].url: \"podinfo-loadtester/\" is not an http(s) URL with a host"
        ),
        ("mesh-unknown", "{\(target), provider: istio2, analysis: {interval: 1m, stepWeight: 10}}", "spec.provider: \"istio2\" is not a known value"),
        (
            "keda",
            "{\(target), autoscalerRef: {apiVersion: keda.sh/v1alpha1, kind: ScaledObject, name: podinfo}, analysis: {interval: 1m, stepWeight: 10}}",
            "ScaledObject demo/podinfo not found"
        ),
        (
            "missing-hpa",
            "{\(target), autoscalerRef: {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: ghost}, analysis: {interval: 1m, stepWeight: 10}}",
            "HorizontalPodAutoscaler demo/ghost not found"
        ),
        (
            "scaler-replicas",
            "{\(target), autoscalerRef: {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: podinfo, primaryScalerReplicas: {minReplicas: 3, maxReplicas: 1}}, analysis: {interval: 1m, stepWeight: 10}}",
            "spec.autoscalerRef.primaryScalerReplicas: minReplicas 3 is above maxReplicas 1"
        ),
        (
            "long-target",
            "{targetRef: {apiVersion: apps/v1, kind: Deployment, name: \(String(repeating: "a", count: 60))}, service: {port: 80}, analysis: {interval: 1m, stepWeight: 10}}",
            "spec.targetRef.name"
        ),
        (
            "other-namespace",
            "{targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo, namespace: prod}, service: {port: 80}, analysis: {interval: 1m, stepWeight: 10}}",
            "spec.targetRef.namespace: not supported"
        ),
        (
            "negative-threshold", "{\(target), analysis: {interval: 1m, stepWeight: 10, threshold: -3}}",
            "spec.analysis.threshold: -3 must not be negative"
        ),
        (
            "negative-deadline", "{\(target), progressDeadlineSeconds: -1, analysis: {interval: 1m, stepWeight: 10}}",
            "spec.progressDeadlineSeconds: -1 is out of range"
        ),
        (
            "fractional-port",
            "{targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}, service: {port: 8000.5}, analysis: {interval: 1m, stepWeight: 10}}",
            "spec.service.port: expected an integer, got 8000.5"
        ),
        ("huge-step", "{\(target), analysis: {interval: 1m, stepWeight: 1e30}}", "spec.analysis.stepWeight: 1e+30 is out of range for Int"),
    ]

    @Test func poisonPillsAreNamedOnTheCanaryWhileABystanderPromotes() async throws {
        var setup = Scenario.Setup()
        setup.validateCustomResources = false
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: "apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n"
                    + Manifests.plain("podinfo", interval: "1s"))
            try await world.kubectl.succeed(
                ["apply", "--validate=false", "-f", "-"],
                stdin: PoisonPillScenarioTests.pills.map { PoisonPillScenarioTests.canary($0.name, $0.spec) }.joined())
            let nested = String(repeating: "{\"a\":", count: 600) + "1" + String(repeating: "}", count: 600)
            let deep = FileManager.default.temporaryDirectory.appendingPathComponent("deep-\(UUID().uuidString).json")
            try Data(
                #"{"apiVersion":"flagger.app/v1beta1","kind":"Canary","metadata":{"name":"deep","namespace":"demo"},"spec":{"targetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"podinfo"},"service":{"port":9898,"trafficPolicy":\#(nested)},"analysis":{"interval":"1m","stepWeight":10}}}"#
                    .utf8
            )
            .write(to: deep)
            defer { try? FileManager.default.removeItem(at: deep) }
            try await world.kubectl.succeed(["apply", "--validate=false", "-f", deep.path])

            #expect(try await world.waitForPhase("Initialized", name: "podinfo"), "the bystander is not held up")
            try await world.release("v2", name: "podinfo")
            for pill in PoisonPillScenarioTests.pills {
                let named = try await eventually(timeout: .seconds(20)) {
                    let condition = try await world.status(pill.name)["conditions"]?.arrayValue?.first { $0["type"] == "Valid" }
                    return condition?["status"] == "False" && condition?["message"]?.stringValue?.contains(pill.message) == true
                }
                let status = try await world.status(pill.name)
                #expect(named, "\(pill.name): \(status)")
                #expect(
                    try await eventually { try await world.events(pill.name).contains { $0.contains(pill.message) } }, "\(pill.name) has a Warning")
            }
            #expect(
                try await eventually {
                    try await world.events("deep").contains {
                        $0.contains("cannot be read and is skipped until it changes: nesting deeper than 512 levels")
                    }
                })
            #expect(try await world.operatorEndpoint("/readyz").text.contains("canaries demo/deep: nesting deeper than 512 levels"))
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", timeout: .seconds(30)), "the bystander promotes")
            try await world.kubectl.succeed(["delete", "canary", "deep", "-n", "demo"])
            #expect(
                try await eventually { try await !world.operatorEndpoint("/readyz").text.contains("skipped") }, "a deleted poison pill is forgotten")
        }
    }

    /// A plain Canary for `name` whose only check is the MetricTemplate `name`, with `query` and `address`.
    static func metricCanary(_ name: String, query: String, address: String) -> String {
        Manifests.plain(name, interval: "1s") + """

            ---
            apiVersion: flagger.app/v1beta1
            kind: MetricTemplate
            metadata: {name: \(name), namespace: demo}
            spec:
              provider: {type: prometheus, address: "\(address)"}
              query: "\(query)"
            ---
            apiVersion: flagger.app/v1beta1
            kind: Canary
            metadata: {name: \(name), namespace: demo}
            spec:
              targetRef: {apiVersion: apps/v1, kind: Deployment, name: \(name)}
              service: {port: 9898}
              analysis:
                interval: 1s
                threshold: 2
                maxWeight: 50
                stepWeight: 10
                metrics: [{name: \(name), templateRef: {name: \(name)}, thresholdRange: {min: 99}, interval: 1m}]
            """
    }

    @Test func anInfiniteMetricOrAnImpossiblePortHaltsAndRollsBackWithoutACrash() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: "apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n"
                    + PoisonPillScenarioTests.metricCanary("infinite", query: "vector(1)/vector(0)", address: world.prometheus.url) + "\n---\n"
                    + PoisonPillScenarioTests.metricCanary("bad-port", query: "vector(100)", address: "http://prometheus.istio-system:99999"))
            for name in ["infinite", "bad-port"] { #expect(try await world.waitForPhase("Initialized", name: name)) }
            for name in ["infinite", "bad-port"] { try await world.release("v2", name: name) }
            for name in ["infinite", "bad-port"] { #expect(try await world.waitForPhase("Failed", name: name, timeout: .seconds(40)), "\(name)") }
            let infinite = try await world.events("infinite")
            #expect(infinite.contains("Halt infinite.demo advancement infinite: the query returned +Inf, not a finite number"), "\(infinite)")
            #expect(infinite.contains("Rolling back infinite.demo failed checks threshold reached 2"))
            #expect(try await world.events("bad-port").contains { $0.contains("port 99999 is out of range (1-65535)") })
        }
    }
}
