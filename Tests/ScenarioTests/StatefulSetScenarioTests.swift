import Foundation
import KubeAPIServer
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// A StatefulSet Canary (Serin's) on the sandbox, whose StatefulSet controller runs pods per ordinal and
/// revision: released through its partition in steps of pods (1 → 3 → 5), each step judged by Prometheus on
/// the canary revision's own Istio series; a bad release rolled back after its first pod, the other pods never
/// touched; an operator killed between steps resuming at the right ordinal.
@Suite(.serialized) struct StatefulSetScenarioTests {
    static func manifests(strategy: String = "RollingUpdate", deadline: Int = 60, policy: String = "OrderedReady", config: Bool = false) -> String {
        """
        apiVersion: v1
        kind: Namespace
        metadata: {name: demo}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: db, namespace: demo}
        spec:
          selector: {app: db}
          ports: [{name: http, port: 8080}]
        ---
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: db, namespace: demo}
        spec:
          hosts: [db]
          http: [{route: [{destination: {host: db}}]}]
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db, namespace: demo, labels: {app: db}}
        spec:
          replicas: 5
          serviceName: db
          minReadySeconds: 3
          podManagementPolicy: \(policy)
          selector: {matchLabels: {app: db}}
          updateStrategy: {type: \(strategy)}
          template:
            metadata:
              labels: {app: db}
              annotations: {sandbox.serin.dev/ready-after: 100ms, sandbox.serin.dev/rps: "100"}
            spec:
              containers: [{name: db, image: "ghcr.io/example/db:1.0.0"\(config ? ", envFrom: [{configMapRef: {name: db-config}}]" : "")}]
          volumeClaimTemplates:
          - metadata: {name: data}
            spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: db, namespace: demo}
        spec:
          targetRef: {apiVersion: apps/v1, kind: StatefulSet, name: db}
          progressDeadlineSeconds: \(deadline)
          analysis:
            interval: 3s
            threshold: 3
            stepWeights: [20, 60]
            metrics:
            # A pod that just took the new revision has no series until Prometheus scrapes it twice: wait for it
            # (three 3 s checks without data once rolled a good release back on a loaded machine).
            - {name: request-success-rate, thresholdRange: {min: 99}, interval: 10s, noData: hold}
        """ + (config ? "\n---\n" + Self.config(errorRatio: "0") : "")
    }

    /// The ConfigMap the pods read at their start (`envFrom`), with the sandbox's error ratio.
    static func config(errorRatio: String, mode: String = "safe") -> String {
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: db-config, namespace: demo}
        data: {sandbox.serin.dev/error-ratio: "\(errorRatio)", mode: \(mode)}

        """
    }

    /// The StatefulSet's partition.
    static func partition(_ world: Scenario) async throws -> String {
        try await world.kubectl.succeed(["get", "sts", "db", "-n", "demo", "-o", "jsonpath={.spec.updateStrategy.rollingUpdate.partition}"])
    }

    /// Each pod's uid and revision, by name.
    static func pods(_ world: Scenario) async throws -> [String: (uid: String, revision: String)] {
        let items = try await world.json(["get", "pods", "-n", "demo", "-l", "app=db"])["items"]?.arrayValue ?? []
        var pods: [String: (uid: String, revision: String)] = [:]
        for pod in items {
            pods[pod[path: "metadata", "name"]?.stringValue ?? ""] = (
                pod[path: "metadata", "uid"]?.stringValue ?? "", pod[path: "metadata", "labels", "controller-revision-hash"]?.stringValue ?? ""
            )
        }
        return pods
    }

    /// The partitions Serin wrote, in order (from the audit log; kubectl's patches left out).
    static func partitionsWritten(_ world: Scenario) async -> [Int] {
        await (world.sandbox.audit?.writes() ?? []).filter {
            $0.plural == "statefulsets" && $0.verb == "patch" && !$0.userAgent.hasPrefix("kubectl")
        }.compactMap {
            $0.object[path: "spec", "updateStrategy", "rollingUpdate", "partition"]?.intValue
        }
    }

    static func setup() -> Scenario.Setup {
        var setup = Scenario.Setup()
        setup.auditLog = true
        return setup
    }

    @Test func aReleaseGoesOneThenThreeThenFivePodsJudgedByPrometheusAndIsPromoted() async throws {
        try await Scenario.run(Self.setup()) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests())
            #expect(try await world.waitForPhase("Initialized", name: "db", namespace: "demo"))
            #expect(try await Self.partition(world) == "5", "the set is held: no pod takes a new revision")
            let before = try await Self.pods(world)
            #expect(before.count == 5)

            try await world.kubectl.succeed(["set", "image", "sts/db", "-n", "demo", "db=ghcr.io/example/db:1.1.0"])
            #expect(try await world.waitForPhase("Succeeded", name: "db", namespace: "demo", timeout: .seconds(120)))
            let set = try await world.json(["get", "sts", "db", "-n", "demo"])
            let revision = try #require(set[path: "status", "updateRevision"]?.stringValue)
            #expect(set[path: "status", "currentRevision"]?.stringValue == revision, "every pod runs the release")
            #expect(try await Self.pods(world).values.allSatisfy { $0.revision == revision })
            #expect(try await Self.partition(world) == "5", "held again for the next release")
            let partitions = await Self.partitionsWritten(world)
            #expect(partitions == [5, 4, 2, 0, 5], "held, 1 pod, 3 pods, all, held: \(partitions)")

            let events = try await world.events("db", namespace: "demo")
            #expect(events.contains("Advance db.demo canary weight 20") && events.contains("Advance db.demo canary weight 60"), "\(events)")
            #expect(events.contains("Promoting db.demo: partition 0, every pod to the new revision"), "\(events)")
            let journal = try await world.json(["get", "canary", "db", "-n", "demo"])[path: "status", "journal"]?.arrayValue ?? []
            let queries = journal.flatMap { $0["metrics"]?.arrayValue ?? [] }.compactMap { $0["query"]?.stringValue }
            #expect(queries.contains { $0.contains("controller_revision_hash=\"\(revision)\"") }, "the canary revision's own series: \(queries)")
        }
    }

    /// The set's revisions and partition: (current, update, partition).
    static func revisions(_ world: Scenario) async throws -> (current: String, update: String, partition: Int) {
        let set = try await world.json(["get", "sts", "db", "-n", "demo"])
        return (
            set[path: "status", "currentRevision"]?.stringValue ?? "", set[path: "status", "updateRevision"]?.stringValue ?? "",
            set[path: "spec", "updateStrategy", "rollingUpdate", "partition"]?.intValue ?? -1
        )
    }

    /// Whether every pod (of `count`) runs `revision`.
    static func allOn(_ world: Scenario, _ revision: String, count: Int = 5) async throws -> Bool {
        let pods = try await Self.pods(world)
        return pods.count == count && pods.values.allSatisfy { $0.revision == revision }
    }

    @Test func aBadReleaseIsRolledBackAfterItsFirstPodWithTheOthersNeverTouched() async throws {
        try await Scenario.run(Self.setup()) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests())
            #expect(try await world.waitForPhase("Initialized", name: "db", namespace: "demo"))
            let good = try await Self.revisions(world).current
            let before = try await Self.pods(world)

            try await world.kubectl.succeed([
                "patch", "sts", "db", "-n", "demo", "--type=merge", "-p",
                #"{"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/error-ratio":"0.5"}}}}}"#,
            ])
            #expect(try await world.waitForPhase("Failed", name: "db", namespace: "demo", timeout: .seconds(120)))
            let back = try await eventually(timeout: .seconds(20)) { try await Self.allOn(world, good) }
            let after = try await Self.pods(world)
            #expect(back, "every pod runs the last good revision again: \(after.mapValues(\.revision))")
            for ordinal in 0..<4 {
                #expect(after["db-\(ordinal)"]?.uid == before["db-\(ordinal)"]?.uid, "db-\(ordinal) was never touched")
            }
            #expect(after["db-4"]?.uid != before["db-4"]?.uid, "the one updated pod was made again from the good revision")
            let state = try await Self.revisions(world)
            #expect(state.partition == 5 && state.current == good && state.update != good, "held, the bad template kept as written: \(state)")
            #expect(await Self.partitionsWritten(world) == [5, 4, 5], "one pod, then held")
            let events = try await world.events("db", namespace: "demo")
            #expect(events.contains("Rolling back db.demo failed checks threshold reached 3"), "\(events)")
        }
    }

    @Test func anOperatorKilledBetweenStepsResumesAtTheRightOrdinalAndRepeatsNoStep() async throws {
        try await Scenario.run(Self.setup()) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests())
            #expect(try await world.waitForPhase("Initialized", name: "db", namespace: "demo"))
            try await world.kubectl.succeed(["set", "image", "sts/db", "-n", "demo", "db=ghcr.io/example/db:1.1.0"])
            let firstStep = try await eventually(timeout: .seconds(30)) { try await Self.revisions(world).partition == 4 }
            #expect(firstStep, "one pod updated")
            world.killOperator()
            let pods = try await Self.pods(world)
            let update = try await Self.revisions(world).update
            let moved = Set(pods.filter { $0.value.revision == update }.keys)
            #expect(moved.isSubset(of: ["db-4"]), "only the highest ordinal takes the first step: \(moved)")
            world.restartOperator()
            #expect(try await world.waitForPhase("Succeeded", name: "db", namespace: "demo", timeout: .seconds(120)))
            let partitions = await Self.partitionsWritten(world)
            #expect(partitions == [5, 4, 2, 0, 5], "no step repeated: \(partitions)")
            let events = try await world.events("db", namespace: "demo")
            #expect(events.filter { $0 == "Advance db.demo canary weight 20" }.count == 1, "\(events)")
        }
    }

    /// Waits until the Canary's `Valid` condition is `False` with a message containing `text`.
    static func refused(_ world: Scenario, _ text: String) async throws -> Bool {
        let refused = try await eventually(timeout: .seconds(20)) {
            try await world.status("db", namespace: "demo")["conditions"]?.arrayValue?.contains {
                $0["type"] == "Valid" && $0["status"] == "False" && $0["message"]?.stringValue?.contains(text) == true
            } == true
        }
        if !refused { Issue.record("not refused naming \(text): \(try await world.status("db", namespace: "demo"))") }
        return refused
    }

    @Test func anOnDeleteStatefulSetIsRefusedByName() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests(strategy: "OnDelete"))
            #expect(try await Self.refused(world, "spec.updateStrategy.type is OnDelete"))
            #expect(try await Self.partition(world) == "", "the set is left as it is")
        }
    }

    @Test func changedClaimTemplatesAreRefusedByTheAPIServerAndInASetMadeAgainByName() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests())
            #expect(try await world.waitForPhase("Initialized", name: "db", namespace: "demo"))
            let before = try await Self.pods(world)
            let bigger = Self.manifests().replacingOccurrences(of: "storage: 1Gi", with: "storage: 2Gi")
            let applied = try await world.kubectl.run(["apply", "-f", "-"], stdin: bigger)
            #expect(applied.status != 0 && applied.stderr.contains("Forbidden: updates to statefulset spec"), "as Kubernetes: \(applied.stderr)")

            // The way around it: the set deleted with its pods left running, and made again from its own YAML.
            var set = try await world.json(["get", "sts", "db", "-n", "demo"])
            for field in ["uid", "resourceVersion", "creationTimestamp", "generation", "managedFields"] { set[path: "metadata", field] = nil }
            set["status"] = nil
            var claim = set[path: "spec", "volumeClaimTemplates"]?[0] ?? [:]
            claim[path: "spec", "resources", "requests", "storage"] = "2Gi"
            set[path: "spec", "volumeClaimTemplates"] = [claim]
            try await world.kubectl.succeed(["delete", "sts", "db", "-n", "demo", "--cascade=orphan"])
            try await world.kubectl.succeed(["create", "-f", "-"], stdin: String(decoding: set.serialized(), as: UTF8.self))
            #expect(try await Self.refused(world, "spec.volumeClaimTemplates changed"))
            let after = try await Self.pods(world)
            #expect(after.mapValues(\.uid) == before.mapValues(\.uid), "the pods were adopted, none made again")

            try await world.kubectl.succeed(["annotate", "sts", "db", "-n", "demo", "serin.dev/volume-claim-templates-"])
            let accepted = try await eventually(timeout: .seconds(20)) {
                try await world.status("db", namespace: "demo")["conditions"]?.arrayValue?.contains {
                    $0["type"] == "Valid" && $0["status"] == "True"
                } == true
            }
            #expect(accepted, "accepted once the annotation is removed")
        }
    }

    @Test(arguments: ["OrderedReady", "Parallel"])
    func aPodThatNeverBecomesReadyIsRolledBackAtTheProgressDeadline(policy: String) async throws {
        try await Scenario.run(Self.setup()) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests(deadline: 5, policy: policy))
            #expect(try await world.waitForPhase("Initialized", name: "db", namespace: "demo"))
            let good = try await Self.revisions(world).current
            try await world.kubectl.succeed([
                "patch", "sts", "db", "-n", "demo", "--type=merge", "-p",
                #"{"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/never-ready":"true"}}}}}"#,
            ])
            #expect(try await world.waitForPhase("Failed", name: "db", namespace: "demo", timeout: .seconds(120)))
            let back = try await eventually(timeout: .seconds(20)) { try await Self.allOn(world, good) }
            let pods = try await Self.pods(world)
            #expect(back, "the pod that never became ready runs the good revision again: \(pods.mapValues(\.revision))")
            let events = try await world.events("db", namespace: "demo")
            #expect(events.contains { $0.contains("exceeded its progressDeadlineSeconds: 5") }, "\(events)")
        }
    }

    @Test func deletingTheCanaryWithRevertOnDeletionHandsTheRollingUpdateBack() async throws {
        try await Scenario.run(Self.setup()) { world in
            let manifests = Self.manifests().replacingOccurrences(
                of: "  progressDeadlineSeconds: 60", with: "  progressDeadlineSeconds: 60\n  revertOnDeletion: true")
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: manifests)
            #expect(try await world.waitForPhase("Initialized", name: "db", namespace: "demo"))
            #expect(try await Self.partition(world) == "5")
            try await world.kubectl.succeed(["delete", "canary", "db", "-n", "demo", "--wait=false"])
            let handedBack = try await eventually(timeout: .seconds(20)) { try await Self.partition(world) == "0" }
            let annotations = try await world.json(["get", "sts", "db", "-n", "demo"])[path: "metadata", "annotations"]
            #expect(handedBack && annotations?["serin.dev/canary-weight"] == nil, "partition 0, Serin's annotations gone: \(annotations ?? .null)")
        }
    }

    @Test func aConfigEditIsAReleaseThroughThePartitionAndABadOneStopsAtTheFirstPod() async throws {
        try await Scenario.run(Self.setup()) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests(config: true))
            #expect(try await world.waitForPhase("Initialized", name: "db", namespace: "demo"))
            let first = try await Self.revisions(world).current

            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.config(errorRatio: "0", mode: "fast"))
            #expect(try await world.waitForPhase("Succeeded", name: "db", namespace: "demo", timeout: .seconds(120)))
            let second = try await Self.revisions(world).current
            #expect(second != first, "the edit made a new revision of the set")
            #expect(try await Self.allOn(world, second), "and every pod was made again with it")
            #expect(await Self.partitionsWritten(world).suffix(4) == [4, 2, 0, 5], "through the partition's steps")

            let before = try await Self.pods(world)
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.config(errorRatio: "0.5", mode: "fast"))
            #expect(try await world.waitForPhase("Failed", name: "db", namespace: "demo", timeout: .seconds(120)))
            let after = try await Self.pods(world)
            for ordinal in 0..<4 {
                #expect(after["db-\(ordinal)"]?.uid == before["db-\(ordinal)"]?.uid, "db-\(ordinal) never read the bad config")
            }
            let events = try await world.events("db", namespace: "demo")
            #expect(events.contains("Rolling back db.demo failed checks threshold reached 3"), "\(events)")
        }
    }

    @Test func aSetScaledUpWhileHeldKeepsItsNewPodsOnTheCurrentRevision() async throws {
        try await Scenario.run(Self.setup()) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests())
            #expect(try await world.waitForPhase("Initialized", name: "db", namespace: "demo"))
            let good = try await Self.revisions(world).current
            try await world.kubectl.succeed(["scale", "sts", "db", "-n", "demo", "--replicas=7"])
            let held = try await eventually(timeout: .seconds(20)) { try await Self.revisions(world).partition == 7 }
            #expect(held, "the partition follows the replicas")
            let pods = try await eventually(timeout: .seconds(20)) { try await Self.allOn(world, good, count: 7) }
            let revisions = try await Self.pods(world).mapValues(\.revision)
            #expect(pods, "the new ordinals run the current revision: \(revisions)")
        }
    }
}
