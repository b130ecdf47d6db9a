import Foundation
import KubeAPIServer
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// Errors while acting reach the Canary: a terminal one as `Valid=False` and a Warning event, waiting for a
/// change; a retryable one as a Warning event, retried with back-off until it passes.
@Suite(.serialized) struct ErrorReportingScenarioTests {
    static func valid(_ world: Scenario, _ name: String) async throws -> JSONValue? {
        try await world.status(name)["conditions"]?.arrayValue?.first { $0["type"] == "Valid" }
    }

    /// Waits until the Canary's `Valid` condition is `False` with `reason` and a message containing `text`,
    /// and a Warning event containing `text`.
    static func refused(_ world: Scenario, _ name: String, reason: String, _ text: String) async throws -> Bool {
        let condition = try await eventually(timeout: .seconds(20)) {
            let valid = try await valid(world, name)
            return valid?["status"] == "False" && valid?["reason"]?.stringValue == reason && valid?["message"]?.stringValue?.contains(text) == true
        }
        let event = try await eventually(timeout: .seconds(10)) {
            try await world.eventObjects(name).contains { $0["type"] == "Warning" && $0["message"]?.stringValue?.contains(text) == true }
        }
        if !(condition && event) {
            Issue.record("\(name): status \(try await world.status(name)); events \(try await world.events(name))")
        }
        return condition && event
    }

    @Test func eachKindOfErrorIsShownOnTheCanaryAndClearsWhenItsCauseDoes() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: "apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n"
                    + Manifests.plain("first", interval: "1s"))
            #expect(try await world.waitForPhase("Initialized", name: "first"))

            // Terminal: another Canary's primary is not taken over.
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: """
                    apiVersion: flagger.app/v1beta1
                    kind: Canary
                    metadata: {name: twin, namespace: demo}
                    spec:
                      targetRef: {apiVersion: apps/v1, kind: Deployment, name: first}
                      service: {name: twin, port: 9898}
                      analysis: {interval: 1s, threshold: 2, stepWeight: 10}
                    """)
            #expect(
                try await Self.refused(
                    world, "twin", reason: "ReconcileFailed",
                    "failed to create the primary first-primary: failed to take over Deployment demo/first-primary: it is controlled by Canary first")
            )

            // Terminal: the API server refuses the routing object; a change to the Canary tries again.
            await world.sandbox.faults.fail(verb: "create", plural: "virtualservices", code: 422, count: 2)
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Manifests.plain("refused", interval: "1s"))
            #expect(try await Self.refused(world, "refused", reason: "ReconcileFailed", "failed to reconcile the istio routing: "))
            try await world.kubectl.succeed(["annotate", "canary", "refused", "-n", "demo", "retry=1"])
            #expect(try await world.waitForPhase("Initialized", name: "refused"))
            #expect(try await Self.valid(world, "refused")?["status"] == "True", "the condition clears")

            // Retryable: server errors are a Warning, then pass by themselves.
            await world.sandbox.faults.fail(verb: "create", plural: "services", code: 500, count: 2)
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Manifests.plain("flaky", interval: "1s"))
            #expect(try await world.waitForPhase("Initialized", name: "flaky"))
            // The retryable error's Warning is queued by the recorder and written asynchronously: wait for it.
            let warned = try await eventually(timeout: .seconds(10)) {
                try await world.eventObjects("flaky").contains {
                    $0["type"] == "Warning" && $0["message"]?.stringValue?.hasPrefix("failed to reconcile the Services: ") == true
                        && $0["message"]?.stringValue?.hasSuffix("(retrying)") == true
                }
            }
            let flakyEvents = try await world.events("flaky")
            #expect(warned, "\(flakyEvents)")
            #expect(try await Self.valid(world, "flaky") == nil, "a retried error is not a condition")

            // Terminal until the object it names appears: a MetricTemplate that does not exist.
            let templated = Manifests.plain("templated", interval: "1s").replacingOccurrences(
                of: "stepWeight: 10}",
                with: "stepWeight: 10, metrics: [{name: errors, templateRef: {name: ghost}, thresholdRange: {max: 1}, interval: 1m}]}")
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: templated)
            #expect(
                try await Self.refused(
                    world, "templated", reason: "InvalidReference",
                    "spec.analysis.metrics[0].templateRef: metrictemplate.flagger.app \"ghost\" not found in namespace demo"))
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: """
                    apiVersion: flagger.app/v1beta1
                    kind: MetricTemplate
                    metadata: {name: ghost, namespace: demo}
                    spec: {provider: {type: prometheus, address: "http://127.0.0.1:1"}, query: "vector(0)"}
                    """)
            #expect(try await world.waitForPhase("Initialized", name: "templated"), "creating the template reconciles the Canary")
        }
    }
}
