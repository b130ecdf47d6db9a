import Foundation
import KubeCore
import SerinTesting
import Testing

/// Config tracking end to end: a ConfigMap or Secret edit is a release that goes through the analysis;
/// the sandbox's workloads read their `sandbox.serin.dev/` settings from the configs they mount, so a bad
/// config is a bad release, caught by the real Prometheus, with the primary kept on the old data.
@Suite(.serialized) struct ConfigTrackingScenarioTests {
    static let manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: demo}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: webapp-config, namespace: demo}
        data: {app.yaml: "color: blue", sandbox.serin.dev/error-ratio: "0"}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: webapp-flags, namespace: demo, annotations: {flagger.app/config-tracking: disabled}}
        data: {beta: "off"}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: webapp-auth, namespace: demo}
        stringData: {token: first}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: webapp, namespace: demo, labels: {app: webapp}}
        spec:
          replicas: 1
          selector: {matchLabels: {app: webapp}}
          template:
            metadata:
              labels: {app: webapp}
              annotations: {sandbox.serin.dev/ready-after: 100ms, sandbox.serin.dev/rps: "60", sandbox.serin.dev/latency-ms: "10"}
            spec:
              volumes: [{name: config, configMap: {name: webapp-config}}, {name: flags, configMap: {name: webapp-flags}}]
              containers:
              - name: webapp
                image: kennethreitz/httpbin:v1
                envFrom: [{secretRef: {name: webapp-auth}}]
                volumeMounts: [{name: config, mountPath: /etc/webapp}, {name: flags, mountPath: /etc/flags}]
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: webapp, namespace: demo}
        spec:
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: webapp}
          progressDeadlineSeconds: 60
          service: {port: 8080}
          analysis:
            interval: 3s
            threshold: 3
            maxWeight: 40
            stepWeight: 20
            metrics:
            - {name: request-success-rate, thresholdRange: {min: 99}, interval: 10s}
        """

    static func revisions(_ world: Scenario) async throws -> Int {
        try await world.events("webapp").filter { $0.hasPrefix("New revision detected! Scaling up webapp.demo") }.count
    }

    static func story(_ world: Scenario) async throws -> String {
        "\(try await world.status("webapp")) \(try await world.events("webapp"))"
    }

    static func primaryCopy(_ world: Scenario) async throws -> JSONValue? {
        try await world.json(["get", "configmap", "webapp-config-primary", "-n", "demo"])["data"]
    }

    @Test func aConfigEditIsAnalysedABadOneRolledBackAndAnOptedOutOneIgnored() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests)
            #expect(try await world.waitForPhase("Initialized", name: "webapp"))
            let mounted = try await world.kubectl.succeed([
                "get", "deploy", "webapp-primary", "-n", "demo", "-o",
                "jsonpath={.spec.template.spec.volumes[*].configMap.name}",
            ])
            #expect(mounted == "webapp-config-primary webapp-flags", "the primary mounts the copy; the opted-out ConfigMap is shared")

            try await world.kubectl.succeed(["patch", "configmap", "webapp-config", "-n", "demo", "-p", #"{"data":{"app.yaml":"color: green"}}"#])
            #expect(try await eventually(timeout: .seconds(10)) { try await Self.revisions(world) == 1 }, "the edit is a new revision at once")
            #expect(try await world.waitForPhase("Progressing", name: "webapp", timeout: .seconds(10)))
            #expect(try await Self.primaryCopy(world)?["app.yaml"] == "color: blue", "production keeps the old data during the analysis")
            let promoted = try await world.waitForPhase("Succeeded", name: "webapp", timeout: .seconds(60))
            let story = try await Self.story(world)
            #expect(promoted, "\(story)")
            #expect(try await Self.primaryCopy(world)?["app.yaml"] == "color: green", "promotion gave the primary the new data")

            try await world.kubectl.succeed([
                "patch", "configmap", "webapp-config", "-n", "demo", "-p",
                #"{"data":{"app.yaml":"color: red","sandbox.serin.dev/error-ratio":"0.5"}}"#,
            ])
            #expect(try await world.waitForPhase("Failed", name: "webapp", timeout: .seconds(60)), "the bad config is rolled back")
            #expect(try await world.events("webapp").contains { $0.hasPrefix("Halt webapp.demo advancement success rate") })
            #expect(
                try await Self.primaryCopy(world) == ["app.yaml": "color: green", "sandbox.serin.dev/error-ratio": "0"], "the primary never got it")

            try await world.kubectl.succeed([
                "patch", "configmap", "webapp-config", "-n", "demo", "-p",
                #"{"data":{"app.yaml":"color: yellow","sandbox.serin.dev/error-ratio":"0"}}"#,
            ])
            let fixed = try await world.waitForPhase("Succeeded", name: "webapp", timeout: .seconds(60))
            let fixedStory = try await Self.story(world)
            #expect(fixed, "the fixed config is released: \(fixedStory)")
            let before = try await Self.revisions(world)
            try await world.kubectl.succeed(["patch", "secret", "webapp-auth", "-n", "demo", "-p", #"{"stringData":{"token":"second"}}"#])
            #expect(try await eventually(timeout: .seconds(10)) { try await Self.revisions(world) == before + 1 }, "a Secret edit is a revision too")
            #expect(try await world.waitForPhase("Progressing", name: "webapp", timeout: .seconds(10)))
            #expect(try await world.waitForPhase("Succeeded", name: "webapp", timeout: .seconds(60)))
            let token = try await world.kubectl.succeed(["get", "secret", "webapp-auth-primary", "-n", "demo", "-o", "jsonpath={.data.token}"])
            #expect(token == Data("second".utf8).base64EncodedString())

            try await world.kubectl.succeed(["patch", "configmap", "webapp-flags", "-n", "demo", "-p", #"{"data":{"beta":"on"}}"#])
            #expect(try await world.kubectl.operatorBarrier(canary: "webapp", namespace: "demo"), "the operator reconciled after the edit")
            #expect(try await Self.revisions(world) == before + 1, "an opted-out ConfigMap starts nothing")
            #expect(try await world.status("webapp")["phase"] == "Succeeded")
        }
    }
}
