import CanaryAPI
import KubeCore
import Routers
import Testing

/// A StatefulSet target (Serin's): its validation, and the partition arithmetic of ``StatefulSetRollout``.
@Suite struct StatefulSetTests {
    static let context = RouterRegistry.validationContext(routers: [.istio, .kubernetes], targets: [.deployment, .statefulSet])

    static func canary() -> Canary {
        var canary = makeCanary()
        canary.spec.targetRef = TargetReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "db")
        canary.spec.service = nil
        return canary
    }

    @Test func aStatefulSetCanaryWithStepsAndNoServiceIsValid() {
        #expect(Self.canary().validate(Self.context).isEmpty, "\(Self.canary().validate(Self.context))")
        var nginx = Self.canary()
        nginx.spec.provider = "nginx"
        let issues = nginx.validate(RouterRegistry.validationContext(routers: [.nginx, .kubernetes], targets: [.statefulSet]))
        #expect(issues.isEmpty, "no router checks (no ingressRef asked for): \(issues)")
    }

    @Test func whatNeedsACopyOrARouterIsRefusedByName() {
        var canary = Self.canary()
        canary.spec.service = CanaryService(port: 8080)
        canary.spec.service?.gateways = ["public"]
        canary.spec.analysis?.mirror = true
        canary.spec.analysis?.stepWeightPromotion = 50
        canary.spec.ingressRef = TargetReference(apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: "db")
        canary.spec.analysis?.bake = CanaryBake(duration: "10m", keepPrevious: true)
        let fields = Set(canary.validate(Self.context).map(\.field))
        for field in [
            "spec.service.port", "spec.service.gateways", "spec.analysis.mirror", "spec.analysis.stepWeightPromotion", "spec.ingressRef",
            "spec.analysis.bake.keepPrevious",
        ] {
            #expect(fields.contains(field), "\(field) refused: \(fields)")
        }
        var blueGreen = Self.canary()
        blueGreen.spec.analysis?.stepWeight = nil
        blueGreen.spec.analysis?.iterations = 5
        #expect(
            blueGreen.validate(Self.context).contains { $0.field == "spec.analysis" && $0.message.hasSuffix("not blue-green") },
            "\(blueGreen.validate(Self.context))")
    }

    @Test(arguments: [(20, 5, 1), (60, 5, 3), (100, 5, 5), (1, 5, 1), (30, 5, 2), (0, 5, 0), (50, 1, 1), (10, 0, 0)])
    func aWeightUpdatesItsShareOfThePodsRoundedUp(weight: Int, replicas: Int, pods: Int) {
        #expect(StatefulSetRollout.updatedPods(weight: weight, replicas: replicas) == pods)
    }

    static func set(partition: Int, current: String, update: String, updated: Int, ready: Int = 5) -> StatefulSetRollout {
        StatefulSetRollout([
            "metadata": ["name": "db", "namespace": "demo", "generation": 2, "annotations": ["serin.dev/canary-weight": "20"]],
            "spec": ["replicas": 5, "updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["partition": .int(partition)]]],
            "status": [
                "observedGeneration": 2, "replicas": 5, "readyReplicas": .int(ready), "availableReplicas": .int(ready),
                "updatedReplicas": .int(updated), "currentRevision": .string(current), "updateRevision": .string(update),
            ],
        ])
    }

    @Test func podsOnTheNewRevisionBelowThePartitionAreStale() {
        let stepping = Self.set(partition: 4, current: "db-a", update: "db-b", updated: 1)
        #expect(stepping.weight == 20 && stepping.partition(forWeight: 60) == 2)
        #expect(stepping.stalePods == 0 && stepping.partitionedRolloutDone)
        let rolledBack = Self.set(partition: 5, current: "db-a", update: "db-b", updated: 1)
        #expect(rolledBack.stalePods == 1, "held again with one pod on the bad revision")
        let waiting = Self.set(partition: 2, current: "db-a", update: "db-b", updated: 2)
        #expect(!waiting.partitionedRolloutDone, "3 pods allowed, 2 updated")
        let promoted = Self.set(partition: 5, current: "db-b", update: "db-b", updated: 5)
        #expect(promoted.stalePods == 0 && promoted.fullyRolledOut, "a promoted set has nothing stale")
        let notReady = Self.set(partition: 0, current: "db-b", update: "db-b", updated: 5, ready: 4)
        #expect(!notReady.fullyRolledOut)
    }

    @Test func hostileNumbersAreClamped() {
        let hostile = StatefulSetRollout([
            "metadata": ["name": "db", "annotations": ["serin.dev/canary-weight": "900"]],
            "spec": ["replicas": -3, "updateStrategy": ["rollingUpdate": ["partition": -1]]],
        ])
        #expect(hostile.replicas == 0 && hostile.partition == 0 && hostile.weight == 100)
        let huge = StatefulSetRollout(["spec": ["replicas": .int(Int64.max)], "status": ["updatedReplicas": .int(Int64.max)]])
        #expect(huge.replicas == Int(Int32.max) && huge.partition(forWeight: 100) == 0 && huge.stalePods == 0)
        #expect(StatefulSetRollout.updatedPods(weight: Int.max, replicas: Int(Int32.max)) == Int(Int32.max))
    }
}
