import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import Testing

/// Canaries a user can apply with `kubectl apply --validate=false` that once crashed or silently misled the
/// operator: each must now be refused naming its field, and never trap.
@Suite struct PoisonPillTests {
    /// A valid Canary with `patch` merged into its spec.
    static func canary(_ patch: JSONValue) -> JSONValue {
        let base: JSONValue = [
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": ["name": "podinfo", "namespace": "test"],
            "spec": [
                "targetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"],
                "service": ["port": 9898],
                "analysis": [
                    "interval": "1m", "threshold": 5, "maxWeight": 50, "stepWeight": 10,
                    "webhooks": [["name": "load", "url": "http://flagger-loadtester.test/", "timeout": "5s"]],
                ],
            ],
        ]
        return base.applyingMergePatch(["spec": patch])
    }

    /// What the operator would say about a manifest: the decoding error or the validation issues.
    static func problems(_ manifest: JSONValue) -> [String] {
        do {
            let issues = try manifest.decode(as: Canary.self).validate() + Canary.refusedFields(in: manifest["spec"] ?? [:])
            return issues.map(\.description)
        } catch let error as DecodingError {
            return [error.fieldMessage]
        } catch {
            return ["\(error)"]
        }
    }

    static let pills: [(patch: JSONValue, field: String)] = [
        (["analysis": ["interval": "2562047h47m16.854775808s"]], "spec.analysis.interval"),
        (["analysis": ["interval": "9223372036854775807s"]], "spec.analysis.interval"),
        (["analysis": ["interval": "2540400h"]], "spec.analysis.interval"),
        (["analysis": ["interval": "0s"]], "spec.analysis.interval"),
        (["analysis": ["webhooks": [["name": "w", "url": "http://x.test/", "timeout": "9223372036s"]]]], "spec.analysis.webhooks[0].timeout"),
        (["analysis": ["canaryReadyThreshold": .int(Int64.max)]], "spec.analysis.canaryReadyThreshold"),
        (["analysis": ["primaryReadyThreshold": .number(.uint(UInt64.max))]], "spec.analysis.primaryReadyThreshold"),
        (["analysis": ["webhooks": [["name": "w", "url": "http://x.test:99999/"]]]], "spec.analysis.webhooks[0].url"),
        (["analysis": ["webhooks": [["name": "w", "url": "not a url"]]]], "spec.analysis.webhooks[0].url"),
        (["analysis": ["webhooks": [["name": "w", "url": "http://x.test/", "retries": 1_000_000_000]]]], "spec.analysis.webhooks[0].retries"),
        (["analysis": ["threshold": -3]], "spec.analysis.threshold"),
        (["analysis": ["stepWeight": .double(1e30)]], "spec.analysis.stepWeight"),
        (["analysis": ["stepWeight": 1000]], "spec.analysis.stepWeight"),
        (["analysis": ["stepWeight": .int(Int64.max)]], "spec.analysis.stepWeight"),
        (["service": ["port": .double(8000.5)]], "spec.service.port"),
        (["service": ["port": 70000]], "spec.service.port"),
        (["progressDeadlineSeconds": -1], "spec.progressDeadlineSeconds"),
        (["metricsServer": "http://prometheus:99999"], "spec.metricsServer"),
        (["autoscalerRef": ["apiVersion": "autoscaling.k8s.io/v1", "kind": "VerticalPodAutoscaler", "name": "podinfo"]], "spec.autoscalerRef.kind"),
        (
            [
                "autoscalerRef": [
                    "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "name": "podinfo",
                    "primaryScalerReplicas": ["minReplicas": 3, "maxReplicas": 1],
                ]
            ], "spec.autoscalerRef.primaryScalerReplicas"
        ),
        (["targetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo", "namespace": "other"]], "spec.targetRef.namespace"),
        (["targetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(String(repeating: "a", count: 60))]], "spec.targetRef.name"),
        (
            ["analysis": ["metrics": [["name": "latency", "templateRef": ["name": "t"], "thresholdRange": ["min": 10, "max": 1]]]]],
            "spec.analysis.metrics[0].thresholdRange"
        ),
        (["analysis": ["match": [["headers": ["x-canary": ["exact": "insider"]]]]]], "spec.analysis.match"),
        (["service": ["port": 9898, "delegation": true, "hosts": ["app.example.com"]]], "spec.service.delegation"),
        (["analysis": ["mirrorWeight": 50]], "spec.analysis.mirrorWeight"),
        (["analysis": ["mirror": true, "iterations": 3, "match": [["headers": ["x-canary": ["exact": "insider"]]]]]], "spec.analysis.mirror"),
    ]

    @Test(arguments: pills.indices)
    func aPoisonPillIsRefusedNamingItsField(index: Int) {
        let (patch, field) = PoisonPillTests.pills[index]
        let problems = PoisonPillTests.problems(PoisonPillTests.canary(patch))
        #expect(problems.contains { $0.hasPrefix(field + ":") }, "\(patch) gave \(problems)")
    }

    /// App Mesh's fields: the only ones of Flagger's CRD Serin refuses (AWS is retiring the service).
    static let unsupported: [(patch: JSONValue, field: String)] = [
        (["service": ["port": 9898, "meshName": "global"]], "spec.service.meshName"),
        (["service": ["port": 9898, "backends": ["backend.test"]]], "spec.service.backends"),
    ]

    @Test(arguments: unsupported.indices)
    func aFieldSerinDoesNotImplementYetIsRefusedByName(index: Int) {
        let (patch, field) = PoisonPillTests.unsupported[index]
        let problems = PoisonPillTests.problems(PoisonPillTests.canary(patch))
        #expect(problems.contains { $0.hasPrefix(field + ":") && $0.contains("App Mesh is not supported") }, "\(patch) gave \(problems)")
    }

    @Test func unsupportedFieldsLeftOffOrFalseAreFine() {
        let problems = PoisonPillTests.problems(
            PoisonPillTests.canary([
                "service": ["port": 9898, "delegation": false, "portDiscovery": false, "appProtocol": "http"],
                "analysis": [
                    "mirror": false, "mirrorWeight": 0, "match": [],
                    "webhooks": [["name": "w", "url": "http://x.test/", "muteAlert": false, "disableTLS": false]],
                ],
            ]))
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func theBaseCanaryIsValid() {
        #expect(PoisonPillTests.problems(PoisonPillTests.canary([:])).isEmpty)
    }

    @Test func decodingErrorsSayWhatIsWrongWithTheNumber() {
        #expect(
            PoisonPillTests.problems(PoisonPillTests.canary(["service": ["port": .double(8000.5)]]))
                == ["spec.service.port: expected an integer, got 8000.5"])
        #expect(
            PoisonPillTests.problems(PoisonPillTests.canary(["analysis": ["stepWeight": .double(1e30)]]))
                == ["spec.analysis.stepWeight: 1e+30 is out of range for Int"])
        #expect(
            PoisonPillTests.problems(PoisonPillTests.canary(["analysis": ["stepWeight": .number(.uint(UInt64.max))]]))
                == ["spec.analysis.stepWeight: 18446744073709551615 is out of range for Int"])
        #expect(
            PoisonPillTests.problems(PoisonPillTests.canary(["analysis": ["stepWeight": "ten"]]))
                == ["spec.analysis.stepWeight: expected a number, got the string \"ten\""])
    }

    @Test func aHandEditedStatusCannotOverflowADecision() throws {
        var canary = try PoisonPillTests.canary([:]).decode(as: Canary.self)
        var status = CanaryStatus(phase: .progressing)
        status.canaryWeight = Int.min
        status.failedChecks = Int.max
        status.iterations = Int.max
        status.lastAppliedSpec = "v1"
        status.lastTransitionTime = "1970-01-01T00:00:00Z"
        canary.status = status
        let observation = Observation(
            now: Date(), canary: canary, target: WorkloadState(templateHash: "v1", readiness: .ready, replicas: 1),
            primary: WorkloadState(templateHash: "v0", readiness: .ready, replicas: 1), routes: .allPrimary,
            checks: CheckResults(failures: ["Halt"]))
        let decision = CanaryStateMachine.decide(observation)
        #expect(decision.status.canaryWeight.map { (0...100).contains($0) } ?? true)
    }
}
